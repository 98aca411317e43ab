"""One participant's follow-up page and the confirmation page of each action (coordinators).

The routes are registered on the dashboard blueprint in views.py. A GET only
shows what the action will do; the confirm button POSTs (with CSRF) the
reason and whatever else the action needs.
"""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..audit.services import record_access
from ..extensions import db
from ..invitations.services import InvitationError
from ..messaging.errors import MessagingError
from ..messaging.models import OutboundMessage
from ..participant_pages.actions import ACTIONS
from ..participants.models import participant_or_404
from ..participants.services import ParticipantActionError
from ..participants.state import CHANNELS, has_address, open_web_links
from ..permissions import Permission, permission_required
from ..reminders.services import due_reminders
from ..schedule.policy import current_policy
from ..timeutil import now_utc
from .queries import page_rows
from .reminders import next_reminders

ACCESS_PURPOSE = "follow-up"


def _facts(participant, now):
    """What the follow-up and confirmation pages show about the participant."""
    row = page_rows([participant.id], now)[0]
    return {"participant": participant, "row": row, "now": now,
            "next_reminder": next_reminders([row], now).get(participant.id),
            "open_links": open_web_links(participant, now),
            "addresses": {c: has_address(participant, c) for c in CHANNELS}}


def _seen(participant):
    record_access(current_user, participant, ACCESS_PURPOSE)
    db.session.commit()


@permission_required(Permission.FOLLOW_UP)
def follow_up(study_id):
    participant = participant_or_404(study_id)
    now = now_utc()
    actions = [a for a in ACTIONS.values() if a.is_possible(participant, now)]
    messages = db.session.execute(
        db.select(OutboundMessage).where(OutboundMessage.participant_id == participant.id)
        .order_by(OutboundMessage.created_at.desc(), OutboundMessage.id.desc())
    ).scalars().all()
    page = render_template("dashboard/participant.html", actions=actions, messages=messages,
                           **_facts(participant, now))
    _seen(participant)
    return page


@permission_required(Permission.FOLLOW_UP)
def confirm(study_id, action):
    action = ACTIONS.get(action) or abort(404)
    participant = participant_or_404(study_id)
    now = now_utc()
    if not action.is_possible(participant, now):
        flash(_("This cannot be done for %(study_id)s now.", study_id=participant.study_id),
              "error")
        return redirect(url_for(".follow_up", study_id=participant.study_id))
    # A GET shows the participant's current channel and contact details in the form.
    form = action.form(obj=participant if request.method == "GET" else None)
    problem = None
    if request.method == "POST" and form.validate():
        try:
            done = action.perform(participant, form, current_user, now)
            db.session.commit()
        except ParticipantActionError as error:
            db.session.rollback()
            problem = error.message
        except (MessagingError, InvitationError):
            db.session.rollback()
            problem = _("Nothing was sent: the participant cannot be sent a link now.")
        else:
            flash(done, "info")
            return redirect(url_for(".follow_up", study_id=participant.study_id))
    page = render_template("dashboard/action.html", action=action, form=form,
                           problem=problem, **_facts(participant, now))
    if request.method == "GET":
        _seen(participant)
        return page
    return page, 422


@permission_required(Permission.FOLLOW_UP)
def reminder_preview():
    """Who would get which reminder if the reminder run ran now (nothing is sent)."""
    now = now_utc()
    policy = current_policy()
    return render_template("dashboard/reminders.html", due=due_reminders(now, policy),
                           within_hours=policy.within_sending_hours(now), policy=policy,
                           next_sending=policy.next_sending_time(now))
