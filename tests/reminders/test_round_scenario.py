"""The follow-up round as a coordinator runs it, end to end through the command line.

Import 30 participants, e-mail their invitations through a real SMTP server
on loopback, let some answer through the links they received, mark one
deceased and one withdrawn, run the reminders twice: exactly the right
people get exactly one reminder each.
"""
import re
from collections import Counter
from datetime import timedelta
from zoneinfo import ZoneInfo

from survey.timeutil import now_utc

from ..conftest import BASE_URL
from ..external import free_port
from ..messaging.conftest import SmtpServer

LINK = re.compile(re.escape(BASE_URL) + r"(/i/[A-Za-z0-9_.-]+)")


def test_a_round_of_thirty(app, runner, tmp_path, participant_browser, client):
    port = free_port()
    app.config.update({"SURVEY_MAIL_BACKEND": "smtp", "SURVEY_SMTP_HOST": "127.0.0.1",
                       "SURVEY_SMTP_PORT": port, "SURVEY_SMTP_TLS": "none",
                       "SURVEY_MAIL_FROM": "Forsøgsteamet <mundtoerhed@example.dk>"})
    rows = ["study_id,language,email,phone"] + [
        f"FU-{n:02d},{'da' if n % 5 else 'en'},fu{n:02d}@example.dk," for n in range(1, 31)]
    csv_file = tmp_path / "round.csv"
    csv_file.write_text("\ufeff" + "\n".join(rows) + "\n", encoding="utf-8")
    server = SmtpServer(port).start()
    try:
        imported = runner.invoke(args=["participants", "import", str(csv_file)])
        assert imported.exit_code == 0, imported.output
        sent = runner.invoke(args=["invitations", "send", "--channel", "email", "--all-pending"])
        assert sent.exit_code == 0, sent.output
        invitations = server.handler.messages()
        assert len(invitations) == 30
        links = {m["To"].addresses[0].username.upper().replace("FU", "FU-"):
                 LINK.search(m.get_body(("plain",)).get_content()).group(1)
                 for m in invitations}

        # Five answer completely, two start and stop half-way.
        for study_id in ("FU-01", "FU-02", "FU-03", "FU-04", "FU-05", "FU-06", "FU-07"):
            client.delete_cookie("survey_session")
            participant_browser.open(links[study_id])
            participant_browser.answer_all({"xq": [4, 5, 6]})
            if study_id not in ("FU-06", "FU-07"):
                participant_browser.submit()
        for study_id, status in (("FU-08", "deceased"), ("FU-09", "withdrawn")):
            result = runner.invoke(args=["participants", "set-status", study_id, status,
                                         "--date", now_utc().date().isoformat(),
                                         "--reason", "Oplyst af pårørende"])
            assert result.exit_code == 0, result.output

        copenhagen = ZoneInfo("Europe/Copenhagen")
        week_later = (now_utc() + timedelta(days=8)).astimezone(copenhagen).replace(
            hour=10, minute=0, second=0, microsecond=0)
        for _ in range(2):
            result = runner.invoke(args=["reminders", "send", "--now", week_later.isoformat()])
            assert result.exit_code == 0, result.output
        reminders = server.handler.messages()[30:]
    finally:
        server.stop()

    reminded = Counter(m["To"].addresses[0].username for m in reminders)
    expected = {f"fu{n:02d}" for n in range(6, 31)} - {"fu08", "fu09"}
    assert set(reminded) == expected
    assert all(count == 1 for count in reminded.values())
    started = {m["To"].addresses[0].username for m in reminders
               if "mangler at sende" in m["Subject"] or "not yet sent" in m["Subject"]}
    assert started == {"fu06", "fu07"}
