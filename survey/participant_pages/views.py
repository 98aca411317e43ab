"""Participant pages for staff: list, details, audit history, access report.

Every page that shows a participant's data records an AccessRecord (who,
when, which page), so a participant's GDPR access request can be answered.
"""
from collections import namedtuple

from flask import Blueprint, render_template, request
from flask_login import current_user
from sqlalchemy import func
from sqlalchemy.orm import selectinload

from ..audit.services import record_access, record_access_to_many, record_export, staff_actor
from ..audit_reports.trail import (
    access_history,
    actor_emails,
    audit_history,
    staff_emails,
    write_access_csv,
)
from ..audit_reports.views import csv_download, download_name
from ..extensions import db
from ..i18n import localized
from ..instruments import InstrumentDefinitionError, instruments
from ..invitations.services import invitation_state
from ..participants.models import Participant, participant_or_404
from ..participants.state import has_answered, participant_state
from ..permissions import Permission, can, permission_required
from ..responses.models import Response
from ..timeutil import now_utc

bp = Blueprint("participant_pages", __name__, url_prefix="/staff/participants")

PER_PAGE = 50

#: One response as the participant page shows it.
ResponseView = namedtuple("ResponseView", "response title items scores")
#: One item of a response: its number (None if the definition lacks it), text, Answer or
#: None, and id (for the notes and requested changes beside the answer).
ItemView = namedtuple("ItemView", "number text answer item_id")
ScoreView = namedtuple("ScoreView", "label score")


def response_counts(participant_ids):
    """{participant id: number of responses (any mode, any status)}."""
    rows = db.session.execute(
        db.select(Response.participant_id, func.count(Response.id))
        .where(Response.participant_id.in_(participant_ids))
        .group_by(Response.participant_id))
    return dict(rows.all())


@bp.get("/")
@permission_required(Permission.VIEW_PARTICIPANTS)
def index():
    study_id = request.args.get("study_id", "").strip()
    query = (db.select(Participant).order_by(Participant.study_id)
             .options(selectinload(Participant.invitations), selectinload(Participant.paper_forms)))
    if study_id:
        query = query.where(Participant.study_id.icontains(study_id, autoescape=True))
    page = db.paginate(query, per_page=PER_PAGE, max_per_page=PER_PAGE)
    counts = response_counts([p.id for p in page.items])
    now = now_utc()
    rows = [(p, participant_state(p, now), counts.get(p.id, 0)) for p in page.items]
    html = render_template("participants/index.html", page=page, rows=rows, study_id=study_id)
    record_access_to_many(current_user, [p.id for p in page.items], "list page")
    db.session.commit()
    return html


def describe_response(response):
    """Items in the instrument's order with their wording, and labelled scores."""
    try:
        instrument = instruments().get(response.instrument_code, response.instrument_version)
    except InstrumentDefinitionError:  # a definition file taken away since: show what is stored
        instrument = None
    answers = {a.item_id: a for a in response.answers}
    items, labels, title = [], {}, response.instrument_code
    if instrument is not None:
        title = localized(instrument.title)
        labels = {rule.id: localized(rule.label) for rule in instrument.scores}
        items = [ItemView(item.number, localized(item.text), answers.pop(item.id, None), item.id)
                 for item in instrument.items]
    items += [ItemView(None, item_id, answer, item_id) for item_id, answer in answers.items()]
    scores = [ScoreView(labels.get(s.score_id, s.score_id), s) for s in response.scores]
    return ResponseView(response, title, items, scores)


def participant_responses(participant):
    return db.session.execute(
        db.select(Response).where(Response.participant_id == participant.id)
        .options(selectinload(Response.answers), selectinload(Response.scores),
                 selectinload(Response.notes), selectinload(Response.requested_changes))
        .order_by(Response.started_at, Response.id)
    ).scalars().all()


@bp.get("/<study_id>")
@permission_required(Permission.VIEW_PARTICIPANTS)
def detail(study_id):
    participant = participant_or_404(study_id)
    responses = participant_responses(participant)
    may_see_audit = can(current_user, Permission.VIEW_AUDIT)
    records = audit_history(participant_id=participant.id) if may_see_audit else []
    started_by = staff_emails([r.started_by_id for r in responses]
                              + [i.started_by_id for i in participant.invitations])
    page = render_template(
        "participants/detail.html", participant=participant,
        responses=[describe_response(r) for r in responses], started_by=started_by,
        states={i.id: invitation_state(i) for i in participant.invitations},
        records=records, actors=actor_emails(records),
        # The clinic refuses a hand-over to someone who has answered: offer none.
        clinic_hand_over=participant.status == "active" and not has_answered(participant),
    )
    record_access(current_user, participant, "participant page")
    db.session.commit()
    return page


@bp.get("/<study_id>/access")
@permission_required(Permission.ACCESS_REPORT)
def access_report(study_id):
    """Who on the study team looked at this participant's data, when, and on which page."""
    participant = participant_or_404(study_id)
    return render_template("participants/access_report.html", participant=participant,
                           records=access_history(participant.id))


@bp.get("/<study_id>/access.csv")
@permission_required(Permission.ACCESS_REPORT)
def access_report_csv(study_id):
    participant = participant_or_404(study_id)
    records = access_history(participant.id)
    download = csv_download(
        lambda stream, delimiter: write_access_csv(stream, participant.study_id, records,
                                                   delimiter),
        download_name("access-report", participant.study_id))
    record_export(staff_actor(current_user), "access_report",
                  f"participant={participant.study_id}", len(records))
    db.session.commit()
    return download
