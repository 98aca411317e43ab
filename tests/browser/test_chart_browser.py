"""The participant's score charts in a real headless Chromium, in Danish: drawn, titled,
with the figures in a table, and photographed (the screenshot is kept in the test's
temporary folder for a person to look at)."""
import itertools

import pytest
from playwright.sync_api import expect

from survey.extensions import db
from survey.history.services import check_history, import_history
from survey.invitations.services import create_invitation
from survey.participants.services import add_participant
from survey.responses.services import save_answer, submit_invitation

from .paper_helpers import add_staff, log_in_by_keyboard

pytestmark = pytest.mark.browser

DESKTOP = {"viewport": {"width": 1280, "height": 900}}
HEADER = ["study_id", "timepoint", "date", "instrument"] + [f"xq{n}" for n in range(1, 9)]
_numbers = itertools.count(1)


def participant_with_history(live_server):
    """A participant with two imported XQ time points and this round's XQ and VAS on the
    web (one XQ question skipped: a prorated total), and a data-entry account."""
    n = next(_numbers)
    study_id, email = f"CH{n:03d}", f"charts{n}@example.dk"
    with live_server.app.app_context():
        participant = add_participant(study_id, "da")
        add_staff(email, language="da")
        lines = [(2, [study_id, "baseline", "2024-01-15", "xq", "3", "5", "0", "10", "7", "8",
                      "2", "4"]),
                 (3, [study_id, "12 mdr", "2025-01-20", "xq", "2", "4", "0", "8", "6", "7",
                      "2", "3"])]
        rows, bad = check_history(HEADER, lines)
        assert bad == []
        import_history(rows, "0" * 64, "history.csv", "system:test")
        invitation, _ = create_invitation(participant)
        for number, value in enumerate([1, 2, 3, 4, 5, 6, 7, None], start=1):
            save_answer(invitation, "xq", f"xq{number}", value, "da")
        for number in range(1, 9):
            save_answer(invitation, "vas", f"vas{number}", 10 * number, "da")
        submit_invitation(invitation, "da")
        db.session.commit()
    return study_id, email


def test_the_participant_chart_page_in_danish(live_server, new_context, tmp_path):
    study_id, email = participant_with_history(live_server)
    page = new_context(**DESKTOP).new_page()
    log_in_by_keyboard(page, live_server.url, email)
    page.goto(f"{live_server.url}/staff/participants/{study_id}")

    section = page.locator("section[aria-labelledby=score-charts]")
    expect(section.locator("h2")).to_have_text("Scorer over tid")
    chart = section.locator("svg.chart").first
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box["width"] > 300 and box["height"] > 100
    assert chart.locator("title").first.text_content() == "XQ over tid"
    assert chart.get_attribute("role") == "img"
    assert chart.get_attribute("aria-labelledby") == chart.locator("title").first.get_attribute(
        "id")
    # The figures for screen readers: a table in a <details> under the chart.
    details = section.locator("figure details").first
    expect(details.locator("summary")).to_have_text("Tallene som tabel")
    expect(details.locator("table td").first).to_be_attached()
    expect(details.locator("table")).to_contain_text("15.01.2024 (baseline, indlæst)")
    # Imported points are ringed, this round's prorated total is hollow.
    assert chart.locator("circle[fill=none]").count() >= 2
    assert chart.locator("circle[fill='#ffffff']").count() >= 1

    shot = tmp_path / "participant-charts.png"
    section.screenshot(path=str(shot))
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 5_000
