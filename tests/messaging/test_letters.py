"""Letters: the printable page, the batch page, the PDF, and the letter channel."""
import re
import zlib

import pytest
from flask_babel import force_locale

from survey.extensions import db
from survey.invitations.models import Invitation
from survey.invitations.short_codes import find_invitation_by_short_code, normalise_code
from survey.messaging.letters import letter_text, letters_pdf
from survey.messaging.services import send_invitation
from survey.participants.services import get_participant

from ..conftest import BASE_URL
from .test_content import fixed_context

CODE = re.compile(r"\b[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{2}\b")


def pdf_text(pdf):
    """The PDF's page content (its streams inflated), for looking for text."""
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S)
    inflated = []
    for stream in streams:
        try:
            inflated.append(zlib.decompress(stream))
        except zlib.error:
            inflated.append(stream)
    return b"\n".join(inflated)


@pytest.fixture
def letter_participants(app, make_contactable, make_invitation):
    """P001 (da) and P002 (en) prefer letters and have links; P003 prefers letters, no link."""
    for study_id, lang in (("P001", "da"), ("P002", "en"), ("P003", "da")):
        make_contactable(study_id=study_id, lang=lang, channel="letter", email=None)
    make_invitation(study_id="P001")
    make_invitation(study_id="P002")
    return "P001", "P002", "P003"


@pytest.fixture
def coordinator(staff_login):
    return staff_login.as_role("coordinator")


def test_one_letter_shows_link_qr_code_and_a_short_code_that_works(
        app, client, coordinator, letter_participants):
    page = client.get("/staff/letters/participant/P001")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<article class="letter" lang="da">' in html
    assert '<svg viewBox="0 0' in html and 'class="qr"' in html
    assert "Dit spørgeskema om mundtørhed" in html
    assert f"{BASE_URL}/i/" in html and "survey.example.dk/start" in html
    assert "Dit deltagernummer: P001" in html
    code = CODE.search(html).group(0)
    with app.app_context():
        invitation = find_invitation_by_short_code(normalise_code(code))
        assert invitation is not None and invitation.participant.study_id == "P001"
        assert code.replace("-", "") not in invitation.short_code  # only a digest is stored
    again = client.get("/staff/letters/participant/P001").get_data(as_text=True)
    assert CODE.search(again).group(0) == code  # a reprint shows the same code


def test_the_batch_page_prints_every_letter_in_its_own_language(
        client, coordinator, letter_participants):
    page = client.get("/staff/letters/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert html.count('<article class="letter"') == 2
    assert '<article class="letter" lang="da">' in html
    assert '<article class="letter" lang="en">' in html
    assert "Your questionnaire about dry mouth" in html
    assert "P003" in html  # named as having no open link
    assert "letter.css" in html


def test_a_participant_without_a_link_is_named_with_the_way_to_make_one(
        client, coordinator, letter_participants):
    html = client.get("/staff/letters/", headers={"Accept-Language": "da"}).get_data(
        as_text=True)
    assert ('Intet brev til <a href="/staff/dashboard/participants/P003">P003</a>: der er '
            "intet åbent link.") in html
    assert "kommandoen" not in html


def test_a_letter_names_its_sender_and_date(client, coordinator, letter_participants):
    html = client.get("/staff/letters/participant/P001").get_data(as_text=True)
    assert ('<address class="sender">Rigshospitalet<br>Øre-næse-halskirurgisk afdeling<br>'
            "Blegdamsvej 9<br>2100 København Ø</address>") in html
    assert re.search(r'<p class="date">\d{1,2}\. [a-z]+ 20\d\d</p>', html)


def test_the_print_stylesheet_is_for_a4(client, coordinator, letter_participants):
    html = client.get("/staff/letters/").get_data(as_text=True)
    href = re.search(r'href="([^"]*letter\.css[^"]*)"', html).group(1)
    with client.get(href) as response:  # a file response: close it
        css = response.get_data(as_text=True)
    assert "@page{size:A4" in css and "break-after:page" in css


def test_the_pdf_holds_the_code_the_link_and_danish_letters(
        client, coordinator, letter_participants):
    code = CODE.search(client.get("/staff/letters/participant/P001").get_data(
        as_text=True)).group(0)
    response = client.get("/staff/letters/participant/P001/pdf")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert 'filename="letter-P001.pdf"' in response.headers["Content-Disposition"]
    pdf = response.get_data()
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert code.encode() in text
    assert "spørgeskema om mundtørhed".encode("latin-1") in text
    assert b"/Subtype /Image" in pdf  # the QR code


def test_the_batch_pdf_has_a_page_per_letter(client, coordinator, letter_participants):
    pdf = client.get("/staff/letters/pdf").get_data()
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type /Page\b", pdf)) == 2


def test_no_letter_without_an_open_link(client, coordinator, letter_participants):
    page = client.get("/staff/letters/participant/P003")
    assert page.status_code == 200
    assert '<article class="letter"' not in page.get_data(as_text=True)
    assert client.get("/staff/letters/participant/P003/pdf").status_code == 404
    assert client.get("/staff/letters/participant/NOBODY").status_code == 404


def test_letters_need_a_coordinator(client, staff_login, letter_participants):
    staff_login.as_role("data_entry")
    assert client.get("/staff/letters/participant/P001").status_code == 403


def test_the_letter_channel_writes_a_pdf_and_records_the_send(app, outboxes, make_contactable):
    study_id = make_contactable(lang="en", channel="letter", email=None)
    with app.app_context():
        message = send_invitation(get_participant(study_id), "letter")
        assert message.status == "sent"
        name = message.provider_message_id
        invitation = db.session.get(Invitation, message.invitation_id)
        assert invitation.short_code is not None
    assert name == f"{study_id}-invitation-{message.id}.pdf"
    pdf = (outboxes.letters / name).read_bytes()
    assert pdf.startswith(b"%PDF")
    assert b"Your questionnaire about dry mouth" in pdf_text(pdf)


@pytest.mark.parametrize("lang", ["da", "en"])
@pytest.mark.parametrize("template", ["invitation", "reminder", "reminder_started"])
def test_every_letter_fits_one_a4_page(app_ctx, template, lang):
    with force_locale(lang):
        pdf = letters_pdf([letter_text(fixed_context(template, lang, short_code="K7QM-3XHD-92"))])
    assert re.findall(rb"/Count (\d+)", pdf) == [b"1"]
    assert b"/MediaBox [0 0 595.28 841.89]" in pdf  # A4 in points


def test_the_letter_shows_the_link_as_text_not_as_something_to_click(
        client, coordinator, letter_participants):
    """Staff print the letter; clicking the link in a staff browser would answer as P001."""
    for path in ("/staff/letters/participant/P001", "/staff/letters/"):
        html = client.get(path).get_data(as_text=True)
        assert f"{BASE_URL}/i/" in html
        assert not re.search(r"""href=["'][^"']*/i/""", html)
        assert not re.search(r"""href=["'][^"']*/start""", html)
