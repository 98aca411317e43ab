"""The round in charts: answers over days since the invitation, per way of answering, and
the spread of XQ totals and VAS means (drawn by survey/charts.py)."""
from collections import Counter
from datetime import datetime
from itertools import accumulate
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, Integer, cast, func
from sqlalchemy.orm import aliased

from ..charts import Point, Series, histogram, line_chart, score_bins
from ..extensions import db
from ..invitations.models import Invitation
from ..labels import MODE_NAMES
from ..paper.models import PaperEntry, PaperForm
from ..responses.models import Response, Score

MODES = ("web", "clinic", "paper")
#: The scores whose spread the page shows: (instrument, score id, chart title).
DISTRIBUTIONS = (("xq", "total", _l("XQ total scores")), ("vas", "mean", _l("VAS means")))


def counting(query):
    """Only submitted responses that count (not an undecided or rejected duplicate)."""
    return query.where(Response.status == "submitted",
                       func.coalesce(Response.duplicate_status, "counts") == "counts")


def local_date(column):
    """SQL for the study's calendar date of a UTC timestamp column. PostgreSQL knows the
    zone's rules; SQLite (development) adds the zone's offset of today."""
    zone = current_app.config["SURVEY_TIMEZONE"]
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone(zone, column), Date)
    offset = datetime.now(ZoneInfo(zone)).utcoffset().total_seconds() // 60
    return func.date(column, f"{offset:+.0f} minutes")


def days_between(later, earlier):
    if db.session.get_bind().dialect.name == "postgresql":
        return later - earlier
    return cast(func.julianday(later) - func.julianday(earlier), Integer)


def answer_days():
    """{mode: Counter({days from the participant's first invitation to their first answer
    that way: participants})}, counted in the database.

    The day of a paper answer is the date written on the form, else the day it arrived;
    participants never invited (paper only) have no such number and are left out.
    """
    invited = (db.select(Invitation.participant_id,
                         func.min(local_date(Invitation.created_at)).label("day"))
               .group_by(Invitation.participant_id).subquery())
    entry = aliased(PaperEntry)
    answered_on = func.coalesce(entry.completed_on, entry.received_on,
                                local_date(Response.submitted_at))
    first = (counting(db.select(Response.participant_id, Response.mode,
                                func.min(answered_on).label("day"))
                      .outerjoin(PaperForm, PaperForm.response_id == Response.id)
                      .outerjoin(entry, (entry.form_id == PaperForm.id)
                                 & (entry.entry_number == 1)))
             .group_by(Response.participant_id, Response.mode).subquery())
    days = days_between(first.c.day, invited.c.day)
    rows = db.session.execute(
        db.select(first.c.mode, days, func.count())
        .join(invited, invited.c.participant_id == first.c.participant_id)
        .group_by(first.c.mode, days)).all()
    found = {mode: Counter() for mode in MODES}
    for mode, day_count, n in rows:
        found[mode][max(int(day_count), 0)] += n
    return found


def completion_chart(days_by_mode):
    """Participants who have answered, cumulative, by days since their invitation."""
    last = max([d for days in days_by_mode.values() for d in days] + [14])
    series = []
    for mode in MODES:
        per_day = days_by_mode[mode]
        totals = list(accumulate(per_day.get(d, 0) for d in range(last + 1)))
        shown = sorted({0, last} | set(per_day))
        series.append(Series(str(MODE_NAMES[mode]), tuple(
            Point(d, totals[d], _("day %(day)d", day=d)) for d in shown)))
    top = max([s.points[-1].value for s in series] + [1])
    ticks = [(d, str(d)) for d in range(0, last + 1, 7 if last <= 70 else 14)]
    return line_chart(_("Participants who have answered, by days since the invitation"),
                      series, ticks, _("Participants"), y_max=max(5, -(-top // 5) * 5),
                      x_label=_("Days since the invitation"))


def score_values(code, score_id):
    return db.session.execute(counting(
        db.select(Score.value).join(Response, Score.response_id == Response.id)
        .where(Response.instrument_code == code, Score.score_id == score_id,
               Score.value.is_not(None), Response.excluded_at.is_(None)))).scalars().all()


def round_charts():
    """[(heading, chart)] for the follow-up page; empty until someone has answered."""
    days = answer_days()
    if not any(days.values()):
        return []
    charts = [(_("Answers over time"), completion_chart(days))]
    for code, score_id, title in DISTRIBUTIONS:
        values = score_values(code, score_id)
        if values:
            heading = str(title)
            charts.append((heading, histogram(heading, score_bins(values), _("Score"),
                                              _("Responses"))))
    return charts
