"""The opt-out page: bad links, the button, doing it twice, and tokens kept out of logs."""
import logging

from survey.extensions import db
from survey.messaging.optout import optout_link, optout_token
from survey.messaging.views import RedactOptoutTokensFilter
from survey.participants.services import get_participant
from survey.timeutil import now_utc

from ..conftest import BASE_URL, CSRF


def optout_path(app, study_id):
    with app.app_context():
        return optout_link(get_participant(study_id)).removeprefix(BASE_URL)


def test_a_tampered_or_unknown_token_gets_the_calm_404_page(app, client, make_participant):
    path = optout_path(app, make_participant())
    for bad in (path[:-1] + ("A" if path[-1] != "A" else "B"), "/optout/xyz", "/optout/MTAwMA"):
        response = client.get(bad)
        assert response.status_code == 404
        assert "Linket virker ikke" in response.get_data(as_text=True)


def test_a_token_for_someone_not_in_the_database_is_404(app, client):
    from survey.participants.models import Participant

    with app.app_context():
        token = optout_token(Participant(id=999, study_id="X", language="da"))
    assert client.get(f"/optout/{token}").status_code == 404


def test_the_button_needs_its_csrf_token(app, client, make_participant):
    study_id = make_participant()
    path = optout_path(app, study_id)
    client.get(path)
    assert client.post(path, data={}).status_code == 400
    with app.app_context():
        assert get_participant(study_id).opted_out_at is None


def test_opting_out_twice_keeps_the_first_time(app, client, make_participant):
    study_id = make_participant(lang="en")
    path = optout_path(app, study_id)
    token = CSRF.search(client.get(path).get_data(as_text=True)).group(1)
    assert client.post(path, data={"csrf_token": token}).status_code == 200
    with app.app_context():
        first = get_participant(study_id).opted_out_at
    page = client.get(path).get_data(as_text=True)  # now it only says so
    assert "You will not get any more reminders" in page and "<form" not in page
    assert client.post(path, data={"csrf_token": token}).status_code == 200
    with app.app_context():
        assert get_participant(study_id).opted_out_at == first


def test_the_page_is_in_the_participants_language(app, client, make_participant):
    study_id = make_participant(lang="en")
    html = client.get(optout_path(app, study_id), headers={"Accept-Language": "da"}).get_data(
        as_text=True)
    assert '<html lang="en">' in html and "Unsubscribe from reminders" in html


def test_opt_out_tokens_are_kept_out_of_request_logs(app):
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1,
                               '127.0.0.1 - - "%s /optout/%s HTTP/1.1" 200 -',
                               ("POST", "MQ.secretpart"), None)
    RedactOptoutTokensFilter().filter(record)
    assert record.getMessage() == '127.0.0.1 - - "POST /optout/[token] HTTP/1.1" 200 -'
    assert any(isinstance(f, RedactOptoutTokensFilter)  # installed when the app was made
               for f in logging.getLogger("werkzeug").filters)


def test_a_participant_who_left_can_still_open_the_page(app, client, make_participant):
    study_id = make_participant(status="withdrawn")
    with app.app_context():
        get_participant(study_id).opted_out_at = now_utc()
        db.session.commit()
    assert client.get(optout_path(app, study_id)).status_code == 200
