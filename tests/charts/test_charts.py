"""The SVG charts: drawn on the server, titled, with a table, and shapes besides colours."""
import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime

import pytest

from survey.charts import Point, Series, histogram, line_chart, score_bins
from survey.dashboard.charts import answer_days
from survey.extensions import db
from survey.history.services import check_history, import_history
from survey.instruments import instruments
from survey.invitations.services import create_invitation
from survey.paper.services import save_entry
from survey.participants.services import get_participant
from survey.responses.services import save_answer, submit_invitation

from ..conftest import BOTH_DATABASES
from ..paper.conftest import reading

SVG = "{http://www.w3.org/2000/svg}"


def svg_of(figure):
    return ET.fromstring(re.search(r"<svg.*?</svg>", str(figure), re.DOTALL).group(0))


@pytest.fixture
def en(app):
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        yield


def test_a_line_chart_has_a_title_a_table_and_marks_prorated_and_imported_points(en):
    series = [Series("XQ total", (Point(1, 40, "baseline", imported=True),
                                  Point(5, 52.5, "now", prorated=True))),
              Series("Eating", (Point(1, 30, "baseline", imported=True), Point(5, 35, "now")))]
    figure = str(line_chart("XQ over time", series, [(1, "2024"), (5, "2026")], "Score"))
    svg = svg_of(figure)
    assert svg.get("role") == "img"
    assert svg.find(f"{SVG}title").text == "XQ over time"
    assert svg.get("aria-labelledby") == svg.find(f"{SVG}title").get("id")
    # The first series' markers are circles, the second's squares: not colour alone.
    assert len(svg.findall(f".//{SVG}g/{SVG}rect")) == 2
    hollow = [c for c in svg.iter(f"{SVG}circle") if c.get("fill") == "#ffffff"]
    assert len(hollow) == 1  # the prorated point
    rings = [c for c in svg.iter(f"{SVG}circle") if c.get("fill") == "none"]
    assert len(rings) == 2  # the imported points
    assert "<details><summary>The figures as a table</summary>" in figure
    assert "<td>now</td><td>XQ total</td><td>52.5</td><td>yes</td><td>no</td>" in figure
    assert "hollow: prorated" in figure and "ringed: imported" in figure
    assert "<script" not in figure


def test_a_histogram_counts_in_bins(en):
    bins = score_bins([0, 9.9, 10, 55, 100])
    assert bins[0] == ("0–10", 2) and bins[1] == ("10–20", 1) and bins[9] == ("90–100", 1)
    figure = str(histogram("XQ totals", bins, "Score", "Responses"))
    svg = svg_of(figure)
    assert svg.find(f"{SVG}title").text == "XQ totals"
    assert len(svg.findall(f".//{SVG}g/{SVG}rect")) == 10
    assert "<td>50–60</td><td>1</td>" in figure


def test_text_in_a_chart_is_escaped(en):
    figure = str(line_chart("<b>", [Series("<i>", (Point(1, 5, "<script>"),))], [], "y"))
    assert "<b>" not in figure and "<script>" not in figure and "&lt;script&gt;" in figure


@pytest.fixture
def answered_with_history(app, make_participant):
    """P001: XQ baseline imported (sum 39 -> 48.75), then this round's XQ on the web with
    one question skipped (prorated)."""
    make_participant("P001")
    with app.app_context():
        participant = get_participant("P001")
        header = ["study_id", "timepoint", "date", "instrument"] + [f"xq{n}" for n in
                                                                    range(1, 9)]
        cells = ["P001", "baseline", "2024-01-15", "xq", "3", "5", "0", "10", "7", "8", "2", "4"]
        rows, bad = check_history(header, [(2, cells)])
        assert bad == []
        import_history(rows, "0" * 64, "test.csv", "system:test")
        invitation, _ = create_invitation(participant)
        for n, value in enumerate([1, 2, 3, 4, 5, 6, 7, None], start=1):
            save_answer(invitation, "xq", f"xq{n}", value, "da")
        submit_invitation(invitation, "da")
        db.session.commit()


def test_the_participant_page_shows_scores_over_time(client, staff_login,
                                                     answered_with_history):
    staff_login.as_role("data_entry")
    page = client.get("/staff/participants/P001").get_data(as_text=True)
    assert "Scorer over tid" in page
    svg = svg_of(page[page.index("score-charts"):])
    assert "over tid" in svg.find(f"{SVG}title").text
    assert "15.01.2024 (baseline, indlæst)" in page
    assert "<td>48,8</td>" in page  # 48.75 as Danes read it, in the table
    assert 'fill="#ffffff"' in page  # this round's total is prorated: hollow
    assert date.today().strftime("%m.%Y") in page or "(denne opfølgning)" in page


@BOTH_DATABASES  # the days are counted in SQL, with each database's date arithmetic
def test_the_follow_up_page_shows_the_round_in_charts(client, staff_login,
                                                      answered_with_history):
    staff_login.as_role("coordinator")
    page = client.get("/staff/dashboard/").get_data(as_text=True)
    assert "Runden i diagrammer" in page
    titles = [svg_of(part).find(f"{SVG}title").text
              for part in re.findall(r"<svg xmlns.*?</svg>", page, re.DOTALL)]
    assert titles == ["Deltagere, der har svaret, efter dage siden invitationen",
                      "XQ-samlede scorer"]
    assert "<td>dag 0</td><td>Web</td><td>1</td>" in page
    assert "<td>40–50</td><td>1</td>" in page  # 7 of 8 answered: mean 4 -> 40 (prorated)


def test_the_follow_up_page_has_no_charts_before_anyone_answered(client, staff_login,
                                                                 make_participant):
    make_participant("P001")
    staff_login.as_role("coordinator")
    assert "Runden i diagrammer" not in client.get("/staff/dashboard/").get_data(as_text=True)


@BOTH_DATABASES
def test_a_paper_answer_counts_from_the_date_written_on_the_form(app, app_ctx, people):
    # Invited 1 November 23.30 UTC: already 2 November in Copenhagen.
    create_invitation(people.participant, now=datetime(2026, 11, 1, 23, 30, tzinfo=UTC))
    xq = instruments().current("xq")
    for keyer in (people.keyer1, people.keyer2):  # filled in 17 November, received the 20th
        save_entry(people.participant, xq, reading("xq", [1, 2, 3, 4, 5, 6, 7, 8]), keyer)
    db.session.commit()
    days = answer_days()
    assert days["paper"] == {15: 1} and not days["web"] and not days["clinic"]
