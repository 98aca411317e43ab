"""Correcting and erasing contact details, and the retention purge: audited by digest only."""
from datetime import UTC, date, datetime

import pytest

from survey.audit.models import AuditRecord
from survey.extensions import db
from survey.participants.contacts import (
    contact_digest,
    correct_contact,
    erase_contact,
    matching_contact_records,
    purge_contacts,
)
from survey.participants.services import ParticipantActionError, get_participant
from survey.responses.models import Response

ADDRESS, PHONE = "karen.hansen@example.dk", "+4520304050"


def trail_text(participant_id=None):
    records = db.session.execute(db.select(AuditRecord)).scalars()
    return " ".join(f"{r.field} {r.old_value} {r.new_value} {r.reason}" for r in records)


def test_a_correction_is_audited_by_digests_never_by_value(app_ctx, make_participant):
    participant = get_participant(make_participant(email=ADDRESS, phone=PHONE))
    correct_contact(participant, "email", " Karen.Jensen@Example.dk ", "typo at import",
                    "system:cli")
    db.session.commit()
    assert participant.email == "Karen.Jensen@example.dk"
    record = db.session.execute(
        db.select(AuditRecord).where(AuditRecord.action == "correct")).scalar_one()
    assert record.field == "email" and record.reason == "typo at import"
    assert record.old_value == contact_digest("email", ADDRESS)
    assert record.new_value == contact_digest("email", "Karen.Jensen@example.dk")
    assert record.old_value.startswith("hmac-sha256:")
    text = trail_text()
    assert "karen" not in text.lower() and "example.dk" not in text
    assert [side for _, side in matching_contact_records(participant, "email", ADDRESS)] == [
        "old"]
    assert matching_contact_records(participant, "email", "other@example.dk") == []


def test_the_digest_needs_the_audit_key(app):
    with app.app_context():
        first = contact_digest("phone", PHONE)
        app.config["SURVEY_AUDIT_KEY"] = "another-audit-key-" + "b" * 30
        assert contact_digest("phone", PHONE) != first
        assert contact_digest("phone", PHONE) != contact_digest("email", PHONE)


@pytest.mark.parametrize("field, typed, words", [
    ("email", "karen at example.dk", "e-mail address is not valid"),
    ("email", "Karen <karen@example.dk>", "e-mail address is not valid"),
    ("phone", "12 34", "phone number is not valid"),
    ("phone", "", "phone number is not valid"),
])
def test_a_bad_correction_is_refused_and_changes_nothing(app_ctx, make_participant, field,
                                                          typed, words):
    participant = get_participant(make_participant(email=ADDRESS, phone=PHONE))
    with pytest.raises(ParticipantActionError, match=words) as refused:
        correct_contact(participant, field, typed, "typo", "system:cli")
    assert typed not in str(refused.value) or not typed
    db.session.rollback()
    assert (participant.email, participant.phone) == (ADDRESS, PHONE)
    assert db.session.execute(db.select(AuditRecord)).first() is None


def test_a_correction_needs_a_reason(app_ctx, make_participant):
    participant = get_participant(make_participant(email=ADDRESS))
    with pytest.raises(ParticipantActionError, match="reason"):
        correct_contact(participant, "email", "ny@example.dk", "  ", "system:cli")


@pytest.mark.parametrize("fields, email, phone, channel", [
    (["email"], None, PHONE, "sms"),  # e-mail gone: the phone is left
    (["phone"], ADDRESS, None, "email"),  # not their channel's detail: channel unchanged
    (["email", "phone"], None, None, "letter"),
])
def test_erasure_keeps_the_channel_rule(app_ctx, make_participant, fields, email, phone,
                                        channel):
    participant = get_participant(make_participant(email=ADDRESS, phone=PHONE))
    assert participant.channel == "email"
    assert erase_contact(participant, fields, "asked to be forgotten", "system:cli") == fields
    db.session.commit()
    assert (participant.email, participant.phone, participant.channel) == (email, phone,
                                                                           channel)
    erased = db.session.execute(
        db.select(AuditRecord).where(AuditRecord.action == "erase")).scalars().all()
    assert [(r.field, r.new_value) for r in erased] == [(f, None) for f in fields]
    assert erased[0].old_value == contact_digest(fields[0], {"email": ADDRESS,
                                                             "phone": PHONE}[fields[0]])
    changes = db.session.execute(db.select(AuditRecord).where(
        AuditRecord.field == "channel")).scalars().all()
    assert [(c.old_value, c.new_value) for c in changes] == (
        [] if channel == "email" else [("email", channel)])
    assert "karen" not in trail_text() and "20304050" not in trail_text()


def test_erasing_what_is_not_there_is_refused(app_ctx, make_participant):
    participant = get_participant(make_participant(email=ADDRESS))
    with pytest.raises(ParticipantActionError, match="has none"):
        erase_contact(participant, ["phone"], "asked", "system:cli")


def submitted(participant, on):
    db.session.add(Response(participant_id=participant.id, instrument_code="xq",
                            instrument_version="1.0", mode="paper", language="da",
                            status="submitted", submitted_at=on))


def ended_population(make_participant):
    """P001 withdrawn 1.3., P002 deceased 1.6., P003 answered 2.3., P004 active, not
    answered, P005 withdrawn 1.3. with no contact detail, P006 answered 2.6."""
    ids = [make_participant(email=f"p{n}@example.dk", phone=PHONE if n == 2 else None)
           for n in range(1, 5)] + [make_participant(), make_participant(email="p6@example.dk")]
    people = [get_participant(study_id) for study_id in ids]
    for person, status, day in ((people[0], "withdrawn", date(2026, 3, 1)),
                                (people[1], "deceased", date(2026, 6, 1)),
                                (people[4], "withdrawn", date(2026, 3, 1))):
        person.status, person.status_date = status, day
    submitted(people[2], datetime(2026, 3, 2, 10, tzinfo=UTC))
    submitted(people[5], datetime(2026, 6, 2, 10, tzinfo=UTC))
    db.session.commit()
    return people


def test_purge_erases_the_contacts_of_those_whose_follow_up_ended(app_ctx, make_participant):
    people = ended_population(make_participant)
    dry = purge_contacts(date(2026, 4, 1), "system:cli", dry_run=True)
    assert dry == [("P001", ["email"]), ("P003", ["email"])]
    assert db.session.execute(db.select(AuditRecord)).first() is None
    assert people[0].email == "p1@example.dk"
    done = purge_contacts(date(2026, 7, 1), "system:cli")
    db.session.commit()
    assert done == [("P001", ["email"]), ("P002", ["email", "phone"]), ("P003", ["email"]),
                    ("P006", ["email"])]
    assert [(p.email, p.phone) for p in people] == [
        (None, None), (None, None), (None, None), ("p4@example.dk", None), (None, None),
        (None, None)]
    records = db.session.execute(db.select(AuditRecord).order_by(AuditRecord.seq)).scalars()
    actions = [(r.action, r.field) for r in records if r.action != "update"]
    assert actions == [("erase", "email"), ("erase", "email"), ("erase", "phone"),
                       ("erase", "email"), ("erase", "email"),
                       ("purge_contacts", "ended_before")]
    assert "@example.dk" not in trail_text()
    assert purge_contacts(date(2026, 7, 1), "system:cli") == []  # idempotent


def test_the_purge_command_lists_and_erases(app, runner, make_participant):
    with app.app_context():
        ended_population(make_participant)
    dry = runner.invoke(args=["participants", "purge-contacts", "--ended-before", "2026-04-01",
                              "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert dry.output.splitlines() == ["P001: e-mail address", "P003: e-mail address",
                                       "2 participants, 2 contact details would be erased."]
    assert "@" not in dry.output
    done = runner.invoke(args=["participants", "purge-contacts", "--ended-before",
                               "2026-04-01"])
    assert done.output.splitlines()[-1] == "2 participants, 2 contact details erased."
    again = runner.invoke(args=["participants", "purge-contacts", "--ended-before",
                                "2026-04-01"])
    assert again.output.splitlines() == ["0 participants, 0 contact details erased."]


def test_the_contact_commands(app, runner, make_participant):
    study_id = make_participant(email=ADDRESS, phone=PHONE)
    wrong = runner.invoke(args=["participants", "set-contact", study_id, "--email", "nope",
                                "--reason", "typo"])
    assert wrong.exit_code == 1 and "not valid" in wrong.output and "nope" not in wrong.output
    fixed = runner.invoke(args=["participants", "set-contact", study_id, "--phone",
                                "20 30 40 99", "--reason", "new phone"])
    assert fixed.exit_code == 0, fixed.output
    erased = runner.invoke(args=["participants", "erase-contact", study_id, "--email",
                                 "--reason", "asked"])
    assert erased.exit_code == 0, erased.output
    assert "contacted by sms" in erased.output
    check = runner.invoke(args=["participants", "check-contact", study_id, "--email", ADDRESS])
    assert "erase: the old value" in check.output
    check = runner.invoke(args=["participants", "check-contact", study_id, "--phone",
                                "20304099"])
    assert "correct: the new value" in check.output
    with app.app_context():
        participant = get_participant(study_id)
        assert (participant.email, participant.phone) == (None, "+4520304099")
