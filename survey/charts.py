"""Charts as inline SVG drawn on the server: no JavaScript, nothing fetched.

Every chart is a <figure> holding the SVG (role="img" with its <title>), an HTML
legend, and a <details> with the same numbers as a table for screen readers
and for anyone who wants the figures. Series differ by colour, line pattern and
marker shape, never by colour alone; the colours have at least 4.5:1 contrast
on white. A hollow marker is a prorated score (the half rule); a ringed marker
an imported earlier time point.
"""
from dataclasses import dataclass, field
from itertools import count

from flask_babel import gettext as _
from markupsafe import Markup, escape

from .i18n import format_score

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 14, 44
#: (colour, stroke-dasharray, marker shape) per series, in order.
STYLES = (("#1f4e79", "", "circle"), ("#9c4a00", "6 3", "square"),
          ("#2d6a2e", "2 3", "triangle"), ("#6b2c91", "10 3 2 3", "diamond"))
_ids = count(1)


@dataclass(frozen=True)
class Point:
    x: float
    value: float
    #: How the point reads in the table and its tooltip, e.g. "15.01.2025 (baseline)".
    label: str
    imported: bool = False
    prorated: bool = False


@dataclass(frozen=True)
class Series:
    name: str
    points: tuple = field(default_factory=tuple)


def _scale(low, high, size, start, flip=False):
    span = (high - low) or 1

    def to_pixels(value):
        offset = (float(value) - low) / span * size  # scores are exact Decimals; pixels need not be
        return start + size - offset if flip else start + offset
    return to_pixels


def _marker(shape, x, y, colour, hollow, size=4.5):
    fill = "#ffffff" if hollow else colour
    common = f'fill="{fill}" stroke="{colour}" stroke-width="2"'
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{size}" {common}/>'
    if shape == "square":
        return (f'<rect x="{x - size:.1f}" y="{y - size:.1f}" width="{2 * size}" '
                f'height="{2 * size}" {common}/>')
    if shape == "triangle":
        return (f'<polygon points="{x:.1f},{y - size - 1:.1f} {x + size + 1:.1f},{y + size:.1f} '
                f'{x - size - 1:.1f},{y + size:.1f}" {common}/>')
    return (f'<polygon points="{x:.1f},{y - size - 1:.1f} {x + size + 1:.1f},{y:.1f} '
            f'{x:.1f},{y + size + 1:.1f} {x - size - 1:.1f},{y:.1f}" {common}/>')


def _y_axis(y_of, y_max, y_label):
    parts = []
    for tick in range(0, int(y_max) + 1, max(1, int(y_max) // 5)):
        y = y_of(tick)
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
                     f'stroke="#d0d0d0" stroke-width="1"/>'
                     f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
                     f'fill="#333333">{tick}</text>')
    parts.append(f'<text x="12" y="{TOP + (HEIGHT - TOP - BOTTOM) / 2:.0f}" font-size="11" '
                 f'fill="#333333" text-anchor="middle" transform="rotate(-90 12 '
                 f'{TOP + (HEIGHT - TOP - BOTTOM) / 2:.0f})">{escape(y_label)}</text>')
    return parts


def _svg(chart_id, title, body):
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{chart_id}-title"'
        f' viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" class="chart"'
        f' id="{chart_id}"><title id="{chart_id}-title">{escape(title)}</title>'
        + "".join(body) + "</svg>")


def _table(caption, head, rows):
    cells = "".join(f'<th scope="col">{escape(h)}</th>' for h in head)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>"
                   for row in rows)
    summary = escape(_("The figures as a table"))
    return Markup(f"<details><summary>{summary}</summary>"
                  f"<table><caption>{escape(caption)}</caption><thead><tr>{cells}</tr></thead>"
                  f"<tbody>{body}</tbody></table></details>")


def _legend(entries):
    """entries: [(svg of the swatch, words)]; the swatches are decoration for readers."""
    items = "".join(f'<li><svg aria-hidden="true" width="34" height="14" viewBox="0 0 34 14">'
                    f"{swatch}</svg> {escape(words)}</li>" for swatch, words in entries)
    return Markup(f'<ul class="chart-legend">{items}</ul>')


def _series_legend(series):
    entries = []
    for index, one in enumerate(series):
        colour, dash, shape = STYLES[index % len(STYLES)]
        swatch = (f'<line x1="2" y1="7" x2="32" y2="7" stroke="{colour}" stroke-width="2" '
                  f'stroke-dasharray="{dash}"/>' + _marker(shape, 17, 7, colour, False, 4))
        entries.append((swatch, one.name))
    points = [p for one in series for p in one.points]
    if any(p.prorated for p in points):
        entries.append((_marker("circle", 17, 7, "#333333", True, 4),
                        _("hollow: prorated (fewer than all questions answered)")))
    if any(p.imported for p in points):
        entries.append(('<circle cx="17" cy="7" r="6.5" fill="none" stroke="#333333" '
                        'stroke-width="1"/>' + _marker("circle", 17, 7, "#333333", False, 3.5),
                        _("ringed: imported from the trial's earlier time points")))
    return _legend(entries)


def line_chart(title, series, x_ticks, y_label, y_max=100, x_label=""):
    """Values over time (or over days): one line per Series, points marked as described above.

    `x_ticks` is [(x, text)] for the axis; points' x use the same units.
    Returns Markup of a <figure> with the SVG, its legend and the table.
    """
    chart_id = f"chart-{next(_ids)}"
    xs = [x for x, _text in x_ticks] + [p.x for s in series for p in s.points]
    low, high = (min(xs), max(xs)) if xs else (0, 1)
    if low == high:
        low, high = low - 1, high + 1
    x_of = _scale(low, high, WIDTH - LEFT - RIGHT - 20, LEFT + 10)
    y_of = _scale(0, y_max, HEIGHT - TOP - BOTTOM, TOP, flip=True)
    body = _y_axis(y_of, y_max, y_label)
    for x, text in x_ticks:
        body.append(f'<text x="{x_of(x):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
                    f'font-size="11" fill="#333333">{escape(text)}</text>')
    if x_label:
        body.append(f'<text x="{LEFT + (WIDTH - LEFT - RIGHT) / 2:.0f}" y="{HEIGHT - 6}" '
                    f'text-anchor="middle" font-size="11" fill="#333333">'
                    f"{escape(x_label)}</text>")
    for index, one in enumerate(series):
        colour, dash, shape = STYLES[index % len(STYLES)]
        points = sorted(one.points, key=lambda p: p.x)
        if len(points) > 1:
            path = " ".join(f"{x_of(p.x):.1f},{y_of(p.value):.1f}" for p in points)
            body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" '
                        f'stroke-width="2" stroke-dasharray="{dash}"/>')
        for p in points:
            x, y = x_of(p.x), y_of(p.value)
            ring = (f'<circle cx="{x:.1f}" cy="{y:.1f}" r="8" fill="none" stroke="{colour}" '
                    f'stroke-width="1"/>' if p.imported else "")
            body.append(f"<g><title>{escape(one.name)}: {escape(format_score(p.value))}, "
                        f"{escape(p.label)}</title>{ring}"
                        f"{_marker(shape, x, y, colour, p.prorated)}</g>")
    rows = [(p.label, one.name, format_score(p.value),
             _("yes") if p.prorated else _("no"), _("yes") if p.imported else _("no"))
            for one in series for p in sorted(one.points, key=lambda p: p.x)]
    table = _table(title, (_("When"), _("What"), _("Value"), _("Prorated"), _("Imported")),
                   rows)
    return Markup("<figure class=\"chart\">") + _svg(chart_id, title, body) + \
        _series_legend(series) + table + Markup("</figure>")


def histogram(title, bins, x_label, y_label):
    """Counts per bin as bars: `bins` is [(bin text, count)]. Returns Markup of a <figure>."""
    chart_id = f"chart-{next(_ids)}"
    top = max([n for _text, n in bins] + [1])
    y_max = max(5, -(-top // 5) * 5)
    y_of = _scale(0, y_max, HEIGHT - TOP - BOTTOM, TOP, flip=True)
    body = _y_axis(y_of, y_max, y_label)
    width = (WIDTH - LEFT - RIGHT) / max(1, len(bins))
    colour = STYLES[0][0]
    for index, (text, n) in enumerate(bins):
        x = LEFT + index * width
        body.append(f'<g><title>{escape(text)}: {n}</title><rect x="{x + 3:.1f}" '
                    f'y="{y_of(n):.1f}" width="{width - 6:.1f}" height="{y_of(0) - y_of(n):.1f}" '
                    f'fill="{colour}"/></g>'
                    f'<text x="{x + width / 2:.1f}" y="{HEIGHT - BOTTOM + 16}" font-size="10" '
                    f'text-anchor="middle" fill="#333333">{escape(text)}</text>')
    body.append(f'<text x="{LEFT + (WIDTH - LEFT - RIGHT) / 2:.0f}" y="{HEIGHT - 6}" '
                f'text-anchor="middle" font-size="11" fill="#333333">{escape(x_label)}</text>')
    table = _table(title, (x_label, y_label), [(text, str(n)) for text, n in bins])
    return Markup("<figure class=\"chart\">") + _svg(chart_id, title, body) + table + \
        Markup("</figure>")


def score_bins(values, width=10, top=100):
    """[("0–10", n), ("10–20", n), …]: each value counted in the bin it falls in (the top
    value in the last bin)."""
    counts = [0] * (top // width)
    for value in values:
        counts[min(int(value // width), len(counts) - 1)] += 1
    return [(f"{i * width}–{(i + 1) * width}", n) for i, n in enumerate(counts)]
