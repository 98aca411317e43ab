"""Paper-entry screens (staff): key in, verify, resolve discrepancies."""
from flask import Blueprint

bp = Blueprint("paper", __name__, url_prefix="/staff/paper")
