"""L7: one check (email-validator) for every e-mail address, wherever it is accepted."""
import pytest

from survey.email_address import normalise_email
from survey.extensions import db
from survey.participants.models import Participant
from survey.staff.models import StaffUser

from ..conftest import CSRF, STAFF_PASSWORD

NOT_ONE_PLAIN_ADDRESS = [
    "victim<attacker@evil.example>", "Karen Hansen <karen@example.dk>", "<karen@example.dk>",
    "karen@example.dk, ole@example.dk", "karen@example.dk\n", " karen@example.dk",
    "karen(comment)@example.dk", '"karen hansen"@example.dk', "karen@[192.0.2.1]",
    "karen@example", "karen@@example.dk", "æble@example.dk", "karen@example.dk\x00",
    "karen@exa mple.dk", "",
]
#: (typed, stored): an international domain is stored in its ASCII (IDNA) form.
GOOD = [("karen.hansen@example.dk", "karen.hansen@example.dk"),
        ("karen@blåbær.dk", "karen@xn--blbr-roah.dk"),
        ("Karen.Hansen@Example.DK", "Karen.Hansen@example.dk")]


@pytest.mark.parametrize("typed", NOT_ONE_PLAIN_ADDRESS)
def test_anything_but_one_plain_address_is_refused(typed):
    assert normalise_email(typed) is None


def test_a_staff_login_name_may_have_a_non_ascii_local_part():
    assert normalise_email("søren.ærø@blåbær.dk", mailed=False) == "søren.ærø@xn--blbr-roah.dk"
    assert normalise_email("søren.ærø@example.dk") is None  # a participant's is mailed


@pytest.mark.parametrize("typed, stored", GOOD)
def test_plain_and_international_addresses_are_kept_in_a_form_mail_servers_take(typed, stored):
    assert normalise_email(typed) == stored


def emails(app, model):
    with app.app_context():
        return db.session.execute(db.select(model.email)).scalars().all()


@pytest.mark.parametrize("typed", NOT_ONE_PLAIN_ADDRESS[:6] + ["æble@example.dk"])
def test_the_cli_refuses_them(app, runner, typed):
    result = runner.invoke(args=["participants", "add", "P001", "--lang", "da", "--email", typed])
    assert result.exit_code == 1 and "e-mail address is not valid" in result.stderr
    if normalise_email(typed.strip(), mailed=False):  # staff addresses: trimmed, not mailed
        return
    result = runner.invoke(args=["users", "add", typed, "--role", "data-entry", "--name", "A B"],
                           input=f"{STAFF_PASSWORD}\n{STAFF_PASSWORD}\n")
    assert result.exit_code == 1 and "e-mail address is not valid" in result.output
    assert emails(app, Participant) == [] and len(emails(app, StaffUser)) == 0


def test_the_import_refuses_them_and_stores_idna(app, runner, tmp_path):
    path = tmp_path / "participants.csv"
    path.write_text("study_id,language,email,phone\nP001,da,victim<attacker@evil.example>,\n")
    result = runner.invoke(args=["participants", "import", str(path)])
    assert result.exit_code == 1 and "e-mail address is not valid" in result.output
    assert "attacker" not in result.output
    path.write_text("study_id,language,email,phone\nP001,da,karen@blåbær.dk,\n")
    assert runner.invoke(args=["participants", "import", str(path)]).exit_code == 0
    assert emails(app, Participant) == ["karen@xn--blbr-roah.dk"]


def test_the_accounts_page_refuses_them_and_keeps_the_form(app, client, staff_login):
    staff_login.as_role("admin")
    token = CSRF.search(client.get("/staff/accounts/").get_data(as_text=True)).group(1)
    before = emails(app, StaffUser)
    response = client.post("/staff/accounts/", data={
        "csrf_token": token, "email": "victim<attacker@evil.example>", "role": "data_entry",
        "password": STAFF_PASSWORD})
    assert response.status_code == 200
    assert "attacker@evil.example" in response.get_data(as_text=True)  # what was typed stays
    assert emails(app, StaffUser) == before
