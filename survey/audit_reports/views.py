"""Audit trail pages for coordinators: chain check, per-response view, CSV export.

The per-participant trail is part of the participant page (participants.detail).
"""
import io
import logging
import re

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import to_user_timezone
from flask_login import current_user

from ..audit.services import record_access, record_access_to_many, record_export, staff_actor
from ..extensions import db
from ..labels import code_word
from ..participants.services import find_participant
from ..permissions import Permission, permission_required
from ..responses.models import Response as SurveyResponse
from ..signatures.services import signature_intact, signatures_of_response
from ..timeutil import now_utc
from .labels import actor_name, readable_records, record_name
from .trail import actor_emails, audit_history, write_audit_csv
from .verify import verify_trail

bp = Blueprint("audit_reports", __name__, url_prefix="/staff/audit")


@bp.record_once
def log_chain_heads(state):
    """Each new head of the chain goes to the application log (chain.py), not during tests."""
    if not state.app.testing:
        logging.getLogger("survey.audit").setLevel(logging.INFO)


# Codes as words on every staff page that shows audit or access records.
bp.add_app_template_global(readable_records, "readable_audit_records")
bp.add_app_template_global(actor_name)
bp.add_app_template_global(code_word)
bp.add_app_template_global(record_name)


def download_name(kind, study_id=None):
    """e.g. audit-trail-P001-2026-11-26.csv, with today's local date."""
    today = to_user_timezone(now_utc()).date().isoformat()
    safe_id = re.sub(r"[^A-Za-z0-9_-]", "_", study_id) if study_id else None  # for the header
    return "-".join(filter(None, [kind, safe_id, today])) + ".csv"


def csv_download(write, filename):
    """A CSV file to save, UTF-8 with commas; with ?excel=1 for Danish Excel.

    `write(stream, delimiter)` writes the rows. Excel needs a byte-order mark to
    read UTF-8 (else æ, ø, å come out garbled) and semicolons, as Danish
    Excel uses the comma as decimal mark.
    """
    excel = request.args.get("excel") == "1"
    stream = io.StringIO()
    write(stream, ";" if excel else ",")
    data = stream.getvalue().encode("utf-8-sig" if excel else "utf-8")
    return Response(data, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/")
@permission_required(Permission.VIEW_AUDIT)
def verify_page():
    report = verify_trail()
    return render_template("audit/verify.html", checked=report.checked,
                           broken_at=report.broken_at, problems=report.problems)


@bp.get("/responses/<int:response_id>")
@permission_required(Permission.VIEW_AUDIT)
def response_trail(response_id):
    response = db.get_or_404(SurveyResponse, response_id)
    records = audit_history(response_id=response.id)
    signatures = [(s, signature_intact(s)) for s in signatures_of_response(response.id)]
    page = render_template("audit/response.html", response=response, records=records,
                           actors=actor_emails(records), signatures=signatures)
    record_access(current_user, response.participant, "audit view")
    db.session.commit()
    return page


@bp.get("/export.csv")
@permission_required(Permission.VIEW_AUDIT)
def export_csv():
    """The whole trail, or with ?participant=STUDY_ID one participant's records."""
    study_id = request.args.get("participant", "").strip()
    participant = find_participant(study_id) if study_id else None
    if study_id and participant is None:
        flash(_("There is no participant with study ID %(study_id)s.", study_id=study_id),
              "error")
        return redirect(url_for(".verify_page"))
    records = audit_history(participant_id=participant.id if participant else None)
    download = csv_download(lambda stream, delimiter: write_audit_csv(stream, records, delimiter),
                            download_name("audit-trail", study_id or None))
    record_export(staff_actor(current_user), "audit_trail",
                  f"participant={study_id}" if study_id else "all", len(records))
    if participant is not None:
        record_access(current_user, participant, "audit export")
    else:
        record_access_to_many(current_user, [r.participant_id for r in records], "audit export")
    db.session.commit()
    return download

