"""Link tokens never reach a log: access logs, error logs and tracebacks, werkzeug and
gunicorn, also when the path is percent-encoded (the server decodes it before routing)."""
import logging
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from survey.invitations import views as invitation_views

from .external import free_port

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def encoded(path, which):
    """`path` with the characters at the given indexes percent-encoded."""
    return "".join(f"%{ord(c):02X}" if i in which else c for i, c in enumerate(path))


@pytest.mark.parametrize("logger", ["werkzeug", "gunicorn.access", "gunicorn.error"])
@pytest.mark.parametrize("disguise", [
    lambda link: link,
    lambda link: encoded(link, {1}),                      # /%69/TOKEN
    lambda link: encoded(link, {0, 1, 2}),                # %2F%69%2FTOKEN
    lambda link: encoded(link, {3, 4, 5}),                # /i/%..%..%..KEN
    lambda link: encoded(link, set(range(len(link)))),    # all of it
    lambda link: "/I/" + link[3:],
])
def test_access_log_lines_never_show_a_token(app, make_invitation, caplog, logger, disguise):
    token = make_invitation().rsplit("/", 1)[1]
    path = disguise("/i/" + token)
    with caplog.at_level(logging.INFO, logger=logger):
        logging.getLogger(logger).info('127.0.0.1 - - "%s %s HTTP/1.1" %s -', "GET", path, 302)
    assert token not in caplog.text
    assert token[3:-3] not in caplog.text.replace("%", "")
    assert "[token]" in caplog.text


def test_redaction_keeps_other_lines_and_cannot_split_one():
    from survey.security import redact_tokens

    line = '"GET /q/xq/3?from=review HTTP/1.1" 200 - "100%" /static/app.css'
    assert redact_tokens(line) == line
    assert "\n" not in redact_tokens("GET /i/abc%0Adef%0A HTTP/1.1")


def test_an_exception_at_a_link_keeps_the_token_out_of_the_error_log(app, client, caplog,
                                                                     make_invitation,
                                                                     monkeypatch):
    link = make_invitation()
    token = link.rsplit("/", 1)[1]

    def broken(value):
        raise RuntimeError(f"lookup failed for {value!r}")

    monkeypatch.setattr(invitation_views, "find_invitation_by_token", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # served as in production: logged, then 500
    for path in (link, "/%69/" + token):
        caplog.clear()
        with caplog.at_level(logging.ERROR):
            assert client.get(path).status_code == 500
        assert "RuntimeError" in caplog.text and "Exception on /i/[token]" in caplog.text
        assert token not in caplog.text


def test_gunicorn_logs_no_token_even_when_a_request_fails(tmp_path, make_invitation, app):
    """A real gunicorn: its access log and its error log (with a traceback) for
    /i/… and /%69/… requests, where the app raises an error."""
    token = make_invitation().rsplit("/", 1)[1]
    database = app.config["SQLALCHEMY_DATABASE_URI"]
    port = free_port()
    access, errors = tmp_path / "access.log", tmp_path / "error.log"
    env = {**os.environ, "SURVEY_SECRET_KEY": "x" * 40,
           "SURVEY_AUDIT_KEY": app.config["SURVEY_AUDIT_KEY"],
           "SURVEY_AUDIT_ANCHOR_FILE": app.config["SURVEY_AUDIT_ANCHOR_FILE"],
           "SURVEY_DATABASE_URL": database,
           "SURVEY_BASE_URL": "https://survey.example.dk", "FLASK_DEBUG": "0"}
    # The app's table of tokens is taken away, so looking a token up fails with a traceback.
    app_code = ("from survey import create_app\n"
                "from survey.invitations import views\n"
                "def broken(value):\n"
                "    raise RuntimeError('lookup failed for ' + value)\n"
                "views.find_invitation_by_token = broken\n"
                "app = create_app()\n")
    (tmp_path / "brokenapp.py").write_text(app_code)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}",
         "--access-logfile", str(access), "--error-logfile", str(errors),
         "--chdir", str(tmp_path), "--pythonpath", ROOT, "brokenapp:app"],
        env=env, cwd=ROOT)
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1).close()
                break
            except urllib.error.HTTPError as answered:
                answered.close()
                break
            except OSError:
                time.sleep(0.1)
        for path in (f"/i/{token}", f"/%69/{token}", f"/i/{encoded(token, {0, 1})}"):
            with pytest.raises(urllib.error.HTTPError) as failed:
                urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10)
            failed.value.close()
            assert failed.value.code == 500
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)
    logs = access.read_text() + errors.read_text()
    assert "RuntimeError" in logs and logs.count("[token]") >= 6
    assert token not in logs and token[2:] not in logs
