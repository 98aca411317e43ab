"""A participant's scores over time: the trial's imported time points and the answers
collected here, as charts for the participant's staff page (drawn by survey/charts.py)."""
from collections import namedtuple
from datetime import date
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from ..charts import Point, Series, line_chart
from ..extensions import db
from ..history.export import imported_history
from ..i18n import localized
from ..instruments import instruments
from ..paper.models import PaperForm
from ..responses.models import Response

#: At most this many scores share one chart (one colour, pattern and marker each).
PER_CHART = 4
#: One score at one moment: (date, time point label or None, value, prorated, imported).
Measured = namedtuple("Measured", "on timepoint value prorated imported")


def collected_on(response, paper_dates):
    """The day the participant answered: the date written on a paper form (else the day it
    arrived), or the day a web or clinic response was submitted, where the study is."""
    if response.id in paper_dates:
        return paper_dates[response.id]
    zone = ZoneInfo(current_app.config["SURVEY_TIMEZONE"])
    return response.submitted_at.astimezone(zone).date()


def collected_responses(participant):
    """Submitted responses that count and are not excluded from analysis, with their day."""
    responses = db.session.execute(
        db.select(Response).where(Response.participant_id == participant.id,
                                  Response.status == "submitted",
                                  Response.excluded_at.is_(None))
        .options(selectinload(Response.scores))).scalars().all()
    responses = [r for r in responses if r.counts]
    forms = db.session.execute(
        db.select(PaperForm).where(PaperForm.response_id.in_([r.id for r in responses]))
        .options(selectinload(PaperForm.entries))).scalars().all()
    paper_dates = {f.response_id: (f.entries[0].completed_on or f.entries[0].received_on)
                   for f in forms if f.entries}
    return [(r, collected_on(r, paper_dates)) for r in responses]


def measurements(participant):
    """{(instrument code, score id): [Measured]} over imported and collected answers."""
    found = {}
    for stored in imported_history(participant.id):
        for score in stored.scores:
            if score.value is not None:
                found.setdefault((stored.instrument_code, score.score_id), []).append(
                    Measured(stored.collected_on, stored.timepoint, score.value, score.prorated,
                             True))
    for response, day in collected_responses(participant):
        for score in response.scores:
            if score.value is not None:
                found.setdefault((response.instrument_code, score.score_id), []).append(
                    Measured(day, None, score.value, score.prorated, False))
    return found


def point(measured):
    day = format_date(measured.on, "short")
    label = (_("%(day)s (%(timepoint)s, imported)", day=day, timepoint=measured.timepoint)
             if measured.imported else _("%(day)s (this follow-up)", day=day))
    return Point(measured.on.toordinal(), measured.value, label, measured.imported,
                 measured.prorated)


def x_ticks(points):
    days = sorted({p.x for p in points})
    return [(x, format_date(date.fromordinal(x), "MM.yyyy")) for x in days]


def participant_charts(participant):
    """[(heading, chart)]: every instrument's scores over time, at most PER_CHART a chart."""
    found = measurements(participant)
    registry = instruments()
    study_codes = list(current_app.config["SURVEY_INSTRUMENTS"])
    charts = []
    for code in study_codes + [c for c in registry.codes if c not in study_codes]:
        instrument = registry.current(code)
        rules = [rule for rule in instrument.scores if (code, rule.id) in found]
        groups = [rules[i:i + PER_CHART] for i in range(0, len(rules), PER_CHART)]
        for number, group in enumerate(groups, start=1):
            series = [Series(localized(rule.label),
                             tuple(point(m) for m in found[(code, rule.id)])) for rule in group]
            title = _("%(instrument)s over time", instrument=code.upper())
            if len(groups) > 1:
                title = _("%(title)s, part %(n)d of %(parts)d", title=title, n=number,
                          parts=len(groups))
            points = [p for s in series for p in s.points]
            charts.append((title, line_chart(title, series, x_ticks(points),
                                             _("Score (0 = best, 100 = worst)"))))
    return charts
