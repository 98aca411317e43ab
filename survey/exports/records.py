"""What an export holds: one record per response (or unverified paper form), filtered.

By default only counted responses: submitted, and not an undecided or rejected
duplicate (a paper response exists only once verified). `include_all` adds the rest
with their state: in-progress web and clinic responses, duplicates not (yet) counted,
and paper forms still waiting for a second entry, a check or a decision, which have
no values yet. Excluded responses are counted rows, flagged (`excluded`).
"""
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property

from flask import current_app
from sqlalchemy.orm import selectinload

from ..audit.models import AuditRecord
from ..extensions import db
from ..instruments import instruments
from ..instruments.scoring import score_response
from ..messaging.models import OutboundMessage
from ..paper.models import PaperForm
from ..participants.models import Participant
from ..responses.models import MODES, Response

#: The state of an exported record; "counted" is the only one exported by default.
RECORD_STATES = ("counted", "duplicate_pending", "duplicate_not_counted", "in_progress",
                 "paper_awaiting_second_entry", "paper_awaiting_verification",
                 "paper_discrepancy")


@dataclass(frozen=True)
class ExportFilter:
    """Which records: None means any. `since`/`until` are days (inclusive) of submission
    (for records not submitted: of the start, or of the paper form's arrival)."""

    instrument: str | None = None
    mode: str | None = None
    since: date | None = None
    until: date | None = None
    status: str | None = None
    include_all: bool = False

    def __post_init__(self):
        if self.mode is not None and self.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {self.mode!r}")

    def describe(self):
        """The filter as text for the audit trail: 'counted' or e.g.
        'instrument=xq; mode=paper; since=2026-01-01; all states'."""
        parts = [f"{name}={value}" for name, value in (
            ("instrument", self.instrument), ("mode", self.mode), ("since", self.since),
            ("until", self.until), ("status", self.status)) if value is not None]
        parts.append("all states" if self.include_all else "counted")
        return "; ".join(parts)


#: The default: every counted response, whatever its instrument, mode, date or status.
COUNTED = ExportFilter()


@dataclass
class ContactHistory:
    """The invitation behind a web or clinic response and the reminders before it."""

    invitation_sent_at: datetime | None = None
    reminders_before: int | None = None
    last_reminder_channel: str | None = None


@dataclass
class ExportRecord:
    participant: Participant
    instrument_code: str
    instrument_version: str
    mode: str
    state: str
    response: Response | None = None
    paper_form: PaperForm | None = None
    #: The dates of the verified reading (paper): on the form, and received.
    paper_dates: dict = field(default_factory=dict)
    contact: ContactHistory = field(default_factory=ContactHistory)

    @cached_property
    def answers(self):
        return {} if self.response is None else {a.item_id: a for a in self.response.answers}

    @cached_property
    def scores(self):
        return {} if self.response is None else {s.score_id: s for s in self.response.scores}

    def as_submitted_scores(self):
        """{score_id: value} from the answers as submitted, without requested changes."""
        if self.response is None:
            return {}
        if not self.response.requested_changes:
            return {score_id: s.value for score_id, s in self.scores.items()}
        instrument = instruments().get(self.instrument_code, self.instrument_version)
        fractions = {s.min_fraction for s in self.response.scores} - {None}
        fraction = (fractions.pop() if len(fractions) == 1
                    else current_app.config["SURVEY_MIN_ANSWERED_FRACTION"])
        return {result.score_id: result.value for result in score_response(
            instrument, self.response.answer_values(as_submitted=True), fraction)}

    @property
    def day(self):
        """The day the filter's since/until look at."""
        if self.response is not None:
            return (self.response.submitted_at or self.response.started_at).date()
        return self.paper_form.created_at.date()


def _response_state(response):
    if response.status != "submitted":
        return "in_progress"
    return {None: "counted", "counts": "counted", "pending": "duplicate_pending",
            "does_not_count": "duplicate_not_counted"}[response.duplicate_status]


def _responses(export_filter):
    query = (
        db.select(Response, Participant)
        .join(Participant, Response.participant_id == Participant.id)
        .options(selectinload(Response.answers), selectinload(Response.scores),
                 selectinload(Response.invitation), selectinload(Response.notes),
                 selectinload(Response.requested_changes))
    )
    if not export_filter.include_all:
        query = query.where(Response.status == "submitted")
    if export_filter.instrument:
        query = query.where(Response.instrument_code == export_filter.instrument)
    if export_filter.mode:
        query = query.where(Response.mode == export_filter.mode)
    if export_filter.status:
        query = query.where(Participant.status == export_filter.status)
    return [ExportRecord(participant, response.instrument_code, response.instrument_version,
                         response.mode, _response_state(response), response=response)
            for response, participant in db.session.execute(query)]


def _unverified_paper_forms(export_filter):
    if not export_filter.include_all or export_filter.mode not in (None, "paper"):
        return []
    query = (db.select(PaperForm, Participant)
             .join(Participant, PaperForm.participant_id == Participant.id)
             .where(PaperForm.status != "verified"))
    if export_filter.instrument:
        query = query.where(PaperForm.instrument_code == export_filter.instrument)
    if export_filter.status:
        query = query.where(Participant.status == export_filter.status)
    return [ExportRecord(participant, form.instrument_code, form.instrument_version, "paper",
                         f"paper_{form.status}", paper_form=form)
            for form, participant in db.session.execute(query)]


def _attach_paper_forms(records):
    """The verified paper form of every paper response, with its verified dates."""
    by_response = {r.response.id: r for r in records if r.response is not None
                   and r.mode == "paper"}
    if not by_response:
        return
    forms = db.session.execute(
        db.select(PaperForm).where(PaperForm.response_id.in_(by_response))).scalars()
    for form in forms:
        by_response[form.response_id].paper_form = form
    # The verified reading's dates are recorded when the form is verified (the two
    # entries, or the coordinator's resolution, agree on them): read them there.
    rows = db.session.execute(
        db.select(AuditRecord.response_id, AuditRecord.field, AuditRecord.new_value)
        .where(AuditRecord.entity == "paper_form", AuditRecord.action == "verify",
               AuditRecord.field.in_(("received_on", "completed_on")),
               AuditRecord.response_id.in_(by_response))
        .order_by(AuditRecord.seq))
    for response_id, name, value in rows:
        by_response[response_id].paper_dates[name] = (
            None if value is None else date.fromisoformat(value))


def _attach_contact_history(records):
    """Invitation sent and the reminders sent before the response was submitted."""
    by_invitation = {}
    for record in records:
        if record.response is not None and record.response.invitation_id is not None:
            by_invitation.setdefault(record.response.invitation_id, []).append(record)
    if not by_invitation:
        return
    messages = db.session.execute(
        db.select(OutboundMessage.invitation_id, OutboundMessage.purpose,
                  OutboundMessage.channel, OutboundMessage.sent_at)
        .where(OutboundMessage.invitation_id.in_(by_invitation),
               OutboundMessage.status == "sent")
        .order_by(OutboundMessage.sent_at, OutboundMessage.id)).all()
    sent = {}
    for message in messages:
        sent.setdefault(message.invitation_id, []).append(message)
    for invitation_id, records_of_invitation in by_invitation.items():
        for record in records_of_invitation:
            record.contact = contact_history(sent.get(invitation_id, []),
                                             record.response.submitted_at)


def contact_history(sent_messages, submitted_at):
    """ContactHistory from one invitation's sent messages (oldest first)."""
    invitations = [m.sent_at for m in sent_messages if m.purpose == "invitation"]
    reminders = [m for m in sent_messages if m.purpose == "reminder"
                 and (submitted_at is None or m.sent_at <= submitted_at)]
    return ContactHistory(
        invitation_sent_at=invitations[0] if invitations else None,
        reminders_before=len(reminders) if invitations or reminders else None,
        last_reminder_channel=reminders[-1].channel if reminders else None)


def export_records(export_filter=COUNTED):
    """Every record the filter selects, ordered by study ID, instrument order, time."""
    records = _responses(export_filter) + _unverified_paper_forms(export_filter)
    if not export_filter.include_all:
        records = [r for r in records if r.state == "counted"]
    records = [r for r in records
               if (export_filter.since is None or r.day >= export_filter.since)
               and (export_filter.until is None or r.day <= export_filter.until)]
    _attach_paper_forms(records)
    _attach_contact_history(records)
    return sorted(records, key=_order)


def _order(record):
    response = record.response
    moment = (record.paper_form.created_at if response is None
              else response.submitted_at or response.started_at)
    return (record.participant.study_id, moment, 0 if response is None else response.id)
