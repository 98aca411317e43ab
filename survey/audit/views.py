"""Audit trail pages for coordinators: chain check, per-participant and per-response views."""
from flask import Blueprint

bp = Blueprint("audit", __name__, url_prefix="/staff/audit")
