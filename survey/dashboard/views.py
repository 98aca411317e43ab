"""The follow-up dashboard (coordinators): the round's counts and the participant list, one
participant's follow-up page with its actions, and the next reminders.

An action's GET only shows what it will do; the confirm button POSTs (with CSRF) the
reason and whatever else the action needs.
"""
from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_percent
from flask_babel import gettext as _
from flask_login import current_user

from ..audit.services import record_access, record_access_to_many
from ..extensions import db
from ..invitations.services import InvitationError
from ..labels import dashboard_names
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
from .charts import round_charts
from .counts import current_counts
from .queries import (
    SORT_COLUMNS,
    STATES,
    STATUS_FILTERS,
    Filters,
    count_matching,
    page_ids,
    page_rows,
)
from .reminders import next_reminders

bp = Blueprint("dashboard", __name__, url_prefix="/staff/dashboard", static_folder="static")

PER_PAGE = 50


@dataclass(frozen=True)
class ListArgs:
    """The list's query parameters, each checked against what it may be."""

    filters: Filters
    sort: str = "study_id"
    descending: bool = False
    page: int = 1

    @classmethod
    def from_request(cls, args):
        state, status = args.get("state", ""), args.get("status", "")
        channel = args.get("channel", "")
        sort = args.get("sort", "study_id")
        page = args.get("page", "1")
        return cls(
            filters=Filters(state=state if state in STATES else "",
                            status=status if status in STATUS_FILTERS else "",
                            search=args.get("q", "").strip()[:32],
                            channel=channel if channel in CHANNELS else ""),
            sort=sort if sort in SORT_COLUMNS else "study_id",
            descending=args.get("dir") == "desc",
            page=int(page) if page.isdigit() and 0 < int(page) < 100_000 else 1)

    def url(self, **changes):
        """The dashboard's URL with these arguments, some changed (page 1 unless given)."""
        values = {"state": self.filters.state, "status": self.filters.status,
                  "channel": self.filters.channel, "q": self.filters.search, "sort": self.sort,
                  "dir": "desc" if self.descending else "", "page": 1, **changes}
        defaults = {"sort": "study_id", "page": 1}
        return url_for(".index", **{k: v for k, v in values.items()
                                    if v and defaults.get(k) != v})

    def sort_url(self, column):
        """Sort by `column`; a second click on the sorted column reverses the order."""
        descending = column == self.sort and not self.descending
        return self.url(sort=column, dir="desc" if descending else "")


@bp.get("/")
@permission_required(Permission.FOLLOW_UP)
def index():
    args = ListArgs.from_request(request.args)
    now = now_utc()
    counts = current_counts(now)
    offset = (args.page - 1) * PER_PAGE
    ids = page_ids(args.filters, args.sort, args.descending, limit=PER_PAGE + 1,
                   offset=offset, now=now)
    rows = page_rows(ids[:PER_PAGE], now)
    if args.filters.search or args.filters.channel:  # the kept counts are not per channel
        total = count_matching(args.filters, now)
    else:
        total = counts.matching(args.filters.state, args.filters.status)
    rate = counts.response_rate
    html = render_template(
        "dashboard/index.html", counts=counts, args=args, rows=rows,
        rate=None if rate is None else format_percent(rate, "#,##0.0 %"),
        reminders=next_reminders(rows, now), now=now, total=total,
        pages=max(1, -(-total // PER_PAGE)), has_next=len(ids) > PER_PAGE,
        states=STATES, status_filters=STATUS_FILTERS, channels=CHANNELS)
    record_access_to_many(current_user, ids[:PER_PAGE], "list page")  # who saw whom
    db.session.commit()
    return html


bp.add_app_template_global(dashboard_names)
bp.add_app_template_global(round_charts)  # the follow-up page's charts


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


@bp.get("/participants/<study_id>")
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


@bp.route("/participants/<study_id>/<action>", methods=["GET", "POST"])
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


@bp.get("/reminders")
@permission_required(Permission.FOLLOW_UP)
def reminder_preview():
    """Who would get which reminder if the reminder run ran now (nothing is sent)."""
    now = now_utc()
    policy = current_policy()
    return render_template("dashboard/reminders.html", due=due_reminders(now, policy),
                           within_hours=policy.within_sending_hours(now), policy=policy,
                           next_sending=policy.next_sending_time(now))
