"""The issue's scenario: two people key in one paper XQ, disagree once, the coordinator decides,
and the export holds exactly one verified paper response with the resolved value."""
import csv
import io
import re

from survey.audit.models import AuditRecord
from survey.extensions import db

from .conftest import XQ


def text(response):
    return response.get_data(as_text=True)


def test_double_entry_with_one_disagreement_resolved_by_the_coordinator(
        app, client, runner, screens, make_participant, make_staff):
    make_participant("P007", lang="da")
    coordinator = make_staff("coordinator")
    keyer_a, keyer_b = make_staff("data_entry"), make_staff("data_entry")

    screens.login(keyer_a)
    assert screens.key_in("P007", XQ, remarks="Svarene er tydelige").status_code == 302
    screens.login(keyer_b)
    misread = list(XQ)
    misread[5] = 3  # xq6: the paper says 8, the second person typed 3
    assert screens.key_in("P007", misread).status_code == 302
    index = text(client.get("/staff/paper/"))
    assert "differ in 1 place" in index and "Waiting for a coordinator" in index

    screens.login(coordinator)
    index = text(client.get("/staff/paper/"))
    path = re.search(r'href="(/staff/paper/forms/\d+/resolve)"', index).group(1)
    page = text(client.get(path))
    # Side by side: the row that differs is marked, both readings shown, its field empty.
    row = re.search(r'<tr class="differs">\s*<th scope="row">6</th>.*?</tr>', page, re.S).group(0)
    # Each reading says whose it is (data-label), as a phone shows it without the table head.
    assert re.search(r'<td data-label="Entry 1 \([^)]*\)">8</td>'
                     r'<td data-label="Entry 2 \([^)]*\)">3</td>', row) and 'value=""' in row
    assert page.count('class="differs"') == 1
    assert re.search(r'name="xq1"[^>]*value="3"', page)  # agreed values are filled in

    values = {f"xq{n}": str(v) for n, v in enumerate(XQ, start=1)}
    dates = {"received_on": "20.11.2026", "completed_on": "17.11.2026"}
    no_reason = screens.post(path, {**values, **dates})
    assert no_reason.status_code == 422
    assert "Give a reason for the values chosen." in text(no_reason)
    assert re.search(r'name="xq6"[^>]*value="8"', text(no_reason))  # kept as typed
    reason = "The paper shows a clear cross on 8"
    assert screens.signed_post(path, {**values, **dates, "reason": reason}).status_code == 302
    assert "verified and saved" in text(client.get("/staff/paper/"))

    with app.app_context():
        trail = db.session.execute(
            db.select(AuditRecord).where(AuditRecord.field == "xq6").order_by(AuditRecord.id)
        ).scalars().all()
        readings = [(r.entity, r.action, r.old_value, r.new_value, r.reason) for r in trail]
    assert readings == [
        ("paper_entry", "create", None, "8", None),
        ("paper_entry", "create", None, "3", None),
        ("paper_form", "resolve", "entry 1: 8; entry 2: 3", "8", reason),
        ("answer", "create", None, "8", reason),
    ]

    result = runner.invoke(args=["responses", "export", "--format", "csv"])
    assert result.exit_code == 0, (result.output, result.exception)
    rows = [r for r in csv.DictReader(io.StringIO(result.output)) if r["study_id"] == "P007"]
    assert len(rows) == 1
    [row] = rows
    assert (row["instrument"], row["mode"], row["language"]) == ("xq", "paper", "da")
    assert [row[f"xq{n}"] for n in range(1, 9)] == [str(v) for v in XQ]
    # Sum 39 -> 48.75; eating (2, 3, 5, 7) 5+0+7+2 = 14 -> 35; not eating 3+10+8+4 -> 62.5.
    assert (row["xq_total"], row["xq_eating"], row["xq_not_eating"]) == ("48.75", "35.00", "62.50")
    assert row["xq_total_prorated"] == "0"
