"""Reading the audit trail and the access log: histories, the people behind the
actors, and the CSV exports (written through survey/audit/services.py)."""
from sqlalchemy.orm import selectinload

from ..audit.models import AccessRecord, AuditRecord
from ..csv_export import csv_writer
from ..extensions import db
from ..labels import code_word
from ..participants.models import Participant
from ..staff.models import StaffUser
from .labels import actor_name, readable_records


def audit_history(participant_id=None, response_id=None):
    query = db.select(AuditRecord).order_by(AuditRecord.id)
    if participant_id is not None:
        query = query.where(AuditRecord.participant_id == participant_id)
    if response_id is not None:
        query = query.where(AuditRecord.response_id == response_id)
    return db.session.execute(query).scalars().all()


def access_history(participant_id):
    """Every recorded staff access to one participant's data, oldest first."""
    return db.session.execute(
        db.select(AccessRecord).where(AccessRecord.participant_id == participant_id)
        .options(selectinload(AccessRecord.staff_user))
        .order_by(AccessRecord.at, AccessRecord.id)
    ).scalars().all()


def study_ids_by_participant(participant_ids):
    """{participant id: study ID} for the ids given that name a participant."""
    ids = {i for i in participant_ids if i is not None}
    if not ids:
        return {}
    rows = db.session.execute(
        db.select(Participant.id, Participant.study_id).where(Participant.id.in_(ids)))
    return dict(rows.all())


def staff_accounts(user_ids):
    """{staff user id: (full name or None, e-mail)}: the one lookup behind staff_emails and
    staff_people, to show people rather than account numbers."""
    ids = {i for i in user_ids if i is not None}
    if not ids:
        return {}
    rows = db.session.execute(db.select(StaffUser.id, StaffUser.full_name, StaffUser.email)
                              .where(StaffUser.id.in_(ids)))
    return {i: (name, email) for i, name, email in rows.all()}


def staff_emails(user_ids):
    """{staff user id: e-mail address}."""
    return {i: email for i, (_name, email) in staff_accounts(user_ids).items()}


def staff_people(user_ids):
    """{staff user id: "Full Name <e-mail>"} (the e-mail alone where no name is kept yet),
    so an exported trail names people, not account numbers."""
    return {i: f"{name} <{email}>" if name else email
            for i, (name, email) in staff_accounts(user_ids).items()}


def _staff_id(actor):
    kind, _, number = actor.partition(":")
    return int(number) if kind == "staff" and number.isdigit() else None


def actor_emails(records):
    """{"staff:<id>": e-mail address} for every staff actor among the audit records."""
    ids = {_staff_id(r.actor) for r in records}
    return {f"staff:{i}": email for i, email in staff_emails(ids).items()}  # as staff_actor()


#: The audit trail export; with participant_id and the hashes anyone can re-check the chain.
#: The codes are exported as hashed; the last four columns say them in words for people
#: (in the language of the page, English on the command line).
AUDIT_CSV_COLUMNS = ["id", "at", "actor", "action", "entity", "entity_id", "field", "old_value",
                     "new_value", "reason", "study_id", "participant_id", "response_id",
                     "prev_hash", "hash", "action_text", "what_text", "old_value_text",
                     "new_value_text", "actor_text"]
ACCESS_CSV_COLUMNS = ["study_id", "at", "staff_user_id", "staff_email", "purpose",
                      "purpose_text", "staff_name"]


def write_audit_csv(stream, records, delimiter=","):
    """The records as CSV, times in ISO 8601 UTC exactly as hashed; returns the row count."""
    study_ids = study_ids_by_participant(r.participant_id for r in records)
    people = staff_people(_staff_id(r.actor) for r in records)
    writer = csv_writer(stream, delimiter)
    writer.writerow(AUDIT_CSV_COLUMNS)
    for r, words in zip(records, readable_records(records), strict=True):
        writer.writerow([
            r.id, r.at.isoformat(), r.actor, r.action, r.entity, r.entity_id, r.field,
            r.old_value, r.new_value, r.reason, study_ids.get(r.participant_id),
            r.participant_id, r.response_id, r.prev_hash, r.hash,
            words.action, words.what, words.old, words.new,
            people.get(_staff_id(r.actor)) or actor_name(r.actor),
        ])
    return len(records)


def write_access_csv(stream, study_id, records, delimiter=","):
    """A participant's access report as CSV, times in ISO 8601 UTC; returns the row count."""
    writer = csv_writer(stream, delimiter)
    writer.writerow(ACCESS_CSV_COLUMNS)
    for r in records:
        writer.writerow([study_id, r.at.isoformat(timespec="seconds"), r.staff_user_id,
                         r.staff_user.email, r.purpose, code_word("purpose", r.purpose),
                         r.staff_user.full_name or ""])
    return len(records)
