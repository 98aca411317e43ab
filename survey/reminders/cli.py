from datetime import datetime
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import ngettext

from ..messaging.services import retry_failed_messages
from ..timeutil import now_utc
from .services import send_due_reminders

reminders_cli = AppGroup("reminders", help="Send reminders that are due.")


def parse_now(value):
    """ISO 8601; without an offset it is read as the study's local time."""
    if value is None:
        return now_utc()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"expected an ISO 8601 time like 2026-12-01T10:00, got {value!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(current_app.config["SURVEY_TIMEZONE"]))
    return moment


@reminders_cli.command("send")
@click.option("--dry-run", is_flag=True, help="Only print who would get which reminder.")
@click.option("--now", "now_text", metavar="ISO-TIME",
              help="Act as if it were this time (default: now).")
def send_command(dry_run, now_text):
    """Send every reminder that is due now, each exactly once, and print what was done.

    Safe to run often (e.g. every 15 minutes from cron or a systemd timer) and
    even twice at the same time: a reminder is recorded before it is sent and
    can never be sent again.
    """
    now = parse_now(now_text)
    if not dry_run:
        sent, failed = retry_failed_messages(now)
        if sent or failed:
            click.echo(f"Retried earlier failed messages: {sent} sent, {failed} failed again.")
    outcomes = send_due_reminders(now, dry_run=dry_run)
    for outcome in outcomes:
        c = outcome.candidate
        click.echo(f"{c.study_id}\treminder {c.reminder_number}\t{c.channel}\t{c.template}\t"
                   f"{outcome.status}")
    at = now.isoformat(timespec="minutes")
    if dry_run:
        click.echo(ngettext("%(num)d reminder due at %(at)s.", "%(num)d reminders due at %(at)s.",
                            len(outcomes), at=at))
    else:
        click.echo(ngettext("%(num)d reminder processed at %(at)s.",
                            "%(num)d reminders processed at %(at)s.", len(outcomes), at=at))
