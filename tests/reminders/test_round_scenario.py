"""The follow-up round as a coordinator runs it, end to end through the command line.

Thirty participants are imported: ten reached by e-mail (a real SMTP server on
loopback), ten by SMS (the HTTP gateway backend against the recording HTTP
server on loopback of tests/messaging), ten by letter (PDFs in the letter folder). `invitations send
--all-pending` sends each their link on their own channel. Some answer (on the
web through the link their e-mail or SMS carried, and on paper, keyed in twice
and verified, with nobody recording the paper as received), one dies, one opts
out. The reminder runs then send exactly the reminders the schedule says, each
on the participant's own channel, and nobody who answered, died or opted out is
contacted again.
"""
import re
from collections import Counter
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from survey.extensions import db
from survey.instruments import instruments
from survey.invitations.tokens import link_for_key
from survey.paper.readings import Reading
from survey.paper.services import save_entry
from survey.participants.services import get_participant
from survey.staff.models import StaffUser
from survey.timeutil import now_utc

from ..conftest import BASE_URL
from ..external import free_port
from ..messaging.conftest import SmtpServer, sms_gateway_server  # noqa: F401  (a fixture)

LINK = re.compile(re.escape(BASE_URL) + r"(/i/[A-Za-z0-9_.-]+)")
COPENHAGEN = ZoneInfo("Europe/Copenhagen")
EMAIL, SMS, LETTER = range(1, 11), range(11, 21), range(21, 31)
#: Answer on the web through the link they were sent; on paper; start and stop half-way.
WEB, PAPER, HALF_WAY = {"FU-01", "FU-02", "FU-11", "FU-22"}, {"FU-23"}, {"FU-03", "FU-12"}
DIES, OPTS_OUT = "FU-13", "FU-04"


def study_id(n):
    return f"FU-{n:02d}"


def phone(n):
    return f"+45203040{n:02d}"


def import_rows():
    """The import file: a mix of channels given and channels left to the default rule."""
    rows = ["study_id,language,email,phone,channel"]
    for n in EMAIL:  # an e-mail address: e-mail by default; FU-02 has a phone number too
        rows.append(f"{study_id(n)},{'da' if n % 5 else 'en'},fu{n:02d}@example.dk,"
                    f"{phone(n) if n == 2 else ''},")
    for n in SMS:  # only a phone number, except FU-11, who has both and chose SMS
        rows.append(f"{study_id(n)},da,{'fu11@example.dk' if n == 11 else ''},{phone(n)},"
                    f"{'sms' if n == 11 else ''}")
    for n in LETTER:  # no e-mail, no phone, except FU-21, who has an address and chose letters
        rows.append(f"{study_id(n)},da,{'fu21@example.dk' if n == 21 else ''},,"
                    f"{'letter' if n == 21 else ''}")
    return "\n".join(rows) + "\n"


def cli(runner, *args):
    result = runner.invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def key_in_paper(app, make_staff, who):
    """Two people key in both paper forms the same way: the response is verified."""
    keyers = [make_staff("data_entry") for _ in range(2)]
    with app.app_context():
        participant = get_participant(who)
        for email in keyers:
            user = db.session.execute(
                db.select(StaffUser).where(StaffUser.email == email)).scalar_one()
            for code in ("xq", "vas"):
                values = range(3, 11) if code == "xq" else range(10, 90, 10)
                reading = Reading(answers={f"{code}{i}": ("answered", v)
                                           for i, v in enumerate(values, start=1)},
                                  received_on=date.today())
                save_entry(participant, instruments().current(code), reading, user)
            db.session.commit()
        assert [f.status for f in participant.paper_forms] == ["verified", "verified"]
        assert participant.paper_received_on is None


def at_ten(days_later, hour=10):
    return (now_utc() + timedelta(days=days_later)).astimezone(COPENHAGEN).replace(
        hour=hour, minute=0, second=0, microsecond=0).isoformat()


def test_a_round_of_thirty_each_on_their_own_channel(
        app, runner, tmp_path, outboxes, sms_gateway_server,  # noqa: F811  (the fixture)
        participant_browser, client, make_staff):
    gateway = sms_gateway_server
    port = free_port()
    app.config.update({"SURVEY_MAIL_BACKEND": "smtp", "SURVEY_SMTP_HOST": "127.0.0.1",
                       "SURVEY_SMTP_PORT": port, "SURVEY_SMTP_TLS": "none",
                       "SURVEY_REMINDER_DAYS": "7,14", "SURVEY_SENDING_HOURS": "9-18"})
    letters = outboxes / "letters"
    csv_file = tmp_path / "round.csv"
    csv_file.write_text("\ufeff" + import_rows(), encoding="utf-8")
    smtp = SmtpServer(port).start()
    try:
        assert cli(runner, "participants", "import", str(csv_file)) == \
            "Imported 30 participants.\n"
        output = cli(runner, "invitations", "send", "--all-pending")
        assert output.endswith("30 sent, 0 failed, 0 skipped.\n")
        assert {line.split("\t")[1] for line in output.splitlines()[:10]} == {"email"}

        # Every one invited once, on their own channel.
        emails, texts = smtp.handler.messages(), [body for _, body in gateway.received]
        assert sorted(m["To"].addresses[0].username for m in emails) == [
            f"fu{n:02d}" for n in EMAIL]
        assert sorted(t["to"] for t in texts) == [phone(n) for n in SMS]
        assert sorted(p.name.split("-invitation-")[0] for p in letters.glob("*.pdf")) == [
            study_id(n) for n in LETTER]
        links = {f"FU-{m['To'].addresses[0].username[2:]}":
                 LINK.search(m.get_body(("plain",)).get_content()).group(1) for m in emails}
        links.update({study_id(int(t["to"][-2:])): LINK.search(t["text"]).group(1)
                      for t in texts})
        with app.app_context():  # a letter's link is printed in the PDF; read it from its key
            for n in LETTER:
                key = get_participant(study_id(n)).invitations[0].key
                links[study_id(n)] = link_for_key(key).removeprefix(BASE_URL)

        for who in sorted(WEB | HALF_WAY):
            client.delete_cookie("survey_session")
            participant_browser.open(links[who])
            participant_browser.answer_all({"xq": [4, 5, 6]})
            if who in WEB:
                participant_browser.submit()
        for who in PAPER:
            key_in_paper(app, make_staff, who)
        cli(runner, "participants", "set-status", DIES, "deceased",
            "--date", now_utc().date().isoformat(), "--reason", "Oplyst af pårørende")
        cli(runner, "participants", "set-status", OPTS_OUT, "opted-out",
            "--reason", "Ringede og bad om ingen påmindelser")

        # Day 8, 22.00: reminder 1 is due, but it is outside the sending hours; the dry run
        # says exactly what the run does.
        evening = at_ten(8, hour=22)
        dry = cli(runner, "reminders", "send", "--dry-run", "--now", evening)
        real = cli(runner, "reminders", "send", "--now", evening)
        assert dry.splitlines()[:-1] == real.splitlines()[:-1]
        assert len(real.splitlines()) == 23 + 1
        assert "outside sending hours: not before" in real and "would send" not in dry
        # Day 9 (twice): reminder 1. Day 10: nothing. Day 16 (twice): reminder 2, 7 days
        # after reminder 1. Day 41: no more.
        for moment in (at_ten(9), at_ten(9), at_ten(10), at_ten(16), at_ten(16), at_ten(41)):
            cli(runner, "reminders", "send", "--now", moment)
        emails, texts = smtp.handler.messages(), [body for _, body in gateway.received]
    finally:
        smtp.stop()

    reminder_emails = Counter(f"FU-{m['To'].addresses[0].username[2:]}" for m in emails[10:])
    reminder_texts = Counter(study_id(int(t["to"][-2:])) for t in texts[10:])
    reminder_letters = Counter(p.name.split("-reminder")[0] for p in letters.glob("*.pdf")
                               if "-reminder" in p.name)
    answered = WEB | PAPER
    not_contacted = answered | {DIES, OPTS_OUT}
    expected = {channel: {study_id(n): 2 for n in numbers} for channel, numbers in (
        ("email", EMAIL), ("sms", SMS), ("letter", LETTER))}
    for reminded in expected.values():
        for who in not_contacted:
            reminded.pop(who, None)
    assert dict(reminder_emails) == expected["email"]
    assert dict(reminder_texts) == expected["sms"]
    assert dict(reminder_letters) == expected["letter"]
    assert sum(map(len, expected.values())) == 30 - len(not_contacted) == 23
    # Half-way participants get the reminder worded for that, on their own channel.
    started = {f"FU-{m['To'].addresses[0].username[2:]}" for m in emails[10:]
               if "mangler at sende" in m["Subject"] or "not yet sent" in m["Subject"]}
    assert started == {"FU-03"}
    with app.app_context():
        from survey.messaging.models import OutboundMessage
        records = db.session.execute(
            db.select(OutboundMessage).where(OutboundMessage.purpose == "reminder")
        ).scalars().all()
        assert all(r.status == "sent" for r in records)
        assert all(r.channel == r.participant.channel for r in records)
        assert {r.participant.study_id for r in records
                if r.template == "reminder_started"} == HALF_WAY
        invited = Counter(m.participant.study_id for m in db.session.execute(
            db.select(OutboundMessage).where(OutboundMessage.purpose == "invitation")
        ).scalars())
        assert set(invited.values()) == {1} and len(invited) == 30
