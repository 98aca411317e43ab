"""The follow-up dashboard (coordinators): the round's counts and the participant list."""
from dataclasses import dataclass

from flask import Blueprint, render_template, request, url_for
from flask_babel import format_percent
from flask_login import current_user

from ..audit.services import record_access_to_many
from ..extensions import db
from ..labels import dashboard_names
from ..permissions import Permission, permission_required
from ..timeutil import now_utc
from . import action_views
from .charts import round_charts
from .counts import current_counts
from .queries import (
    CHANNELS,
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
bp.add_url_rule("/participants/<study_id>", view_func=action_views.follow_up)
bp.add_url_rule("/reminders", view_func=action_views.reminder_preview)
bp.add_url_rule("/participants/<study_id>/<action>", view_func=action_views.confirm,
                methods=["GET", "POST"])

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
