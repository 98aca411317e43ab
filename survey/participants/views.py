"""Participant pages for staff: list, details, audit history, access report."""
from flask import Blueprint

bp = Blueprint("participants", __name__, url_prefix="/staff/participants")
