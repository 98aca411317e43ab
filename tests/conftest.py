import re
import shutil
import time

import pytest

from survey import create_app
from survey.database import dispose_engines
from survey.extensions import db
from survey.invitations.services import create_invitation
from survey.participants.services import add_participant

from .external import PostgresServer, find_program, skip_or_fail

BOTH_DATABASES = pytest.mark.parametrize("db_backend", ["sqlite", "postgresql"], indirect=True)
BASE_URL = "https://survey.example.dk"


def runs_on_postgres(item):
    """Whether a test uses the throw-away PostgreSQL server: parametrised with db_backend
    "postgresql" (BOTH_DATABASES or PostgreSQL only) or asking for the server itself."""
    callspec = getattr(item, "callspec", None)
    return ((callspec is not None and callspec.params.get("db_backend") == "postgresql")
            or "postgres_server" in getattr(item, "fixturenames", ()))


def pytest_collection_modifyitems(items):
    """Every test that runs on PostgreSQL is marked `postgres`, so none can be forgotten and
    `scripts/test -m "not postgres and not browser"` is the fast loop."""
    for item in items:
        if runs_on_postgres(item):
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(scope="session")
def postgres_server():
    if not (find_program("initdb") and find_program("pg_ctl")):
        skip_or_fail("PostgreSQL's initdb/pg_ctl not found: install the Debian package postgresql")
    server = PostgresServer().start()
    yield server
    server.stop()


def _create_schema(database_url, tmp_path):
    app = create_app(app_settings(database_url, tmp_path))
    with app.app_context():
        db.create_all()
        db.session.remove()
        dispose_engines(db)  # the last connection closes: SQLite folds its WAL into the file


# Each test's database is a copy of one holding the app's schema, made once per run:
# PostgreSQL copies a database in about a quarter of the time create_all() takes, and a
# file copy saves SQLite about half. The app fixture's create_all() then finds every table.
@pytest.fixture(scope="session")
def postgres_schema(postgres_server, tmp_path_factory):
    """The name of the PostgreSQL database that each test's database is copied from."""
    name = "survey_schema"
    _create_schema(postgres_server.create_database(name), tmp_path_factory.mktemp("schema"))
    return name


@pytest.fixture(scope="session")
def sqlite_schema(tmp_path_factory):
    """The SQLite file that each test's database is copied from."""
    folder = tmp_path_factory.mktemp("sqlite_schema")
    _create_schema(f"sqlite:///{folder / 'schema.sqlite'}", folder)
    return folder / "schema.sqlite"


@pytest.fixture
def db_backend(request):
    """'sqlite' unless a test module parametrizes it (see BOTH_DATABASES)."""
    return getattr(request, "param", "sqlite")


@pytest.fixture
def database_url(db_backend, tmp_path, request):
    if db_backend == "postgresql":
        return request.getfixturevalue("postgres_server").create_database(
            "survey_test", template=request.getfixturevalue("postgres_schema"))
    shutil.copyfile(request.getfixturevalue("sqlite_schema"), tmp_path / "test.sqlite")
    return f"sqlite:///{tmp_path / 'test.sqlite'}"


def app_settings(database_url, tmp_path):
    """The settings of every test's app; files it writes go under tmp_path."""
    outbox = tmp_path / "outbox"
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SURVEY_BASE_URL": BASE_URL,
        # Production hashing parameters are checked in tests/staff/test_passwords.py.
        "SURVEY_PASSWORD_HASHING": "fast-for-tests",
        # Messages from any test land in its own temporary folder, never in instance/.
        "SURVEY_MAIL_BACKEND": "folder", "SURVEY_MAIL_FOLDER": str(outbox / "mail"),
        "SURVEY_SMS_BACKEND": "folder", "SURVEY_SMS_FOLDER": str(outbox / "sms"),
        "SURVEY_LETTER_FOLDER": str(outbox / "letters"),
        # The audit chain's anchor too (its key is made at random in testing).
        "SURVEY_AUDIT_ANCHOR_FILE": str(tmp_path / "audit_anchor"),
    }


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app(app_settings(database_url, tmp_path))
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        dispose_engines(db)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield


@pytest.fixture
def make_participant(app):
    """Factory: make_participant(study_id="P001", lang="da", status="active") -> study ID."""
    counter = iter(range(1, 10_000))

    def make(study_id=None, lang="da", status="active", email=None, phone=None):
        study_id = study_id or f"P{next(counter):03d}"
        with app.app_context():
            participant = add_participant(study_id, lang, email=email, phone=phone)
            participant.status = status
            db.session.commit()
        return study_id

    return make


@pytest.fixture
def make_invitation(app, make_participant):
    """Factory: make_invitation(lang="da", **participant) -> the link's path (/i/TOKEN)."""

    def make(lang="da", study_id=None, **kwargs):
        from survey.participants.services import get_participant

        study_id = study_id or make_participant(lang=lang, **kwargs)
        with app.app_context():
            _, link = create_invitation(get_participant(study_id))
            db.session.commit()
        return link.removeprefix(BASE_URL)

    return make


CSRF = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')


class ParticipantBrowser:
    """Drives the questionnaire through the test client like a person with a browser."""

    def __init__(self, client):
        self.client = client

    def open(self, link_path):
        response = self.client.get(link_path)
        assert response.status_code == 302, response.status_code
        opened = self.client.get(response.location)  # /opened: the cookie came back
        assert opened.status_code == 302, opened.status_code
        return self.client.get(opened.location)

    def csrf_token(self, path="/q/review"):
        page = self.client.get(path).get_data(as_text=True)
        return CSRF.search(page).group(1)

    def answer(self, code, number, value, action="next", **extra):
        path = f"/q/{code}/{number}"
        data = {"csrf_token": self.csrf_token(path), "value": "" if value is None else str(value),
                "action": action, **extra}
        return self.client.post(path, data=data)

    def answer_all(self, values_by_code):
        """values_by_code: {"xq": [..8 values..], "vas": [...]}; None = leave blank on purpose."""
        for code, values in values_by_code.items():
            for number, value in enumerate(values, start=1):
                extra = {"confirm_skip": "1"} if value is None else {}
                response = self.answer(code, number, value, **extra)
                assert response.status_code == 302, (code, number, response.status_code)

    def submit(self):
        return self.client.post("/q/submit", data={"csrf_token": self.csrf_token()})


@pytest.fixture
def participant_browser(client):
    return ParticipantBrowser(client)


STAFF_PASSWORD = "a long and unusual test passphrase"
#: make_staff's default: an account with a full name (pass full_name=None for one without).
NAMED = object()


@pytest.fixture
def make_staff(app):
    """Factory: make_staff("coordinator") -> email; every role that needs 2FA gets it set up.

    The TOTP secret is kept in `make_staff.secrets[email]` for logging in.
    """
    import pyotp

    from survey.staff.services import create_staff_user
    from survey.timeutil import now_utc

    counter = iter(range(1, 10_000))
    secrets = {}

    def make(role="data_entry", email=None, two_factor=None, full_name=NAMED):
        number = next(counter)
        email = email or f"{role.replace('_', '-')}{number}@example.dk"
        if full_name is NAMED:
            full_name = f"Tester {role.replace('_', ' ').title()} {number}"
        with app.app_context():
            user = create_staff_user(email, role, STAFF_PASSWORD, full_name=full_name)
            if two_factor if two_factor is not None else user.needs_2fa:
                user.totp_secret = pyotp.random_base32()
                user.totp_confirmed_at = now_utc()
                secrets[email] = user.totp_secret
            db.session.commit()
        return email

    make.secrets = secrets
    make.used_steps = {}  # email: the last TOTP time step a helper logged in with
    return make


def signing_fields(app, email, secret=None, password=STAFF_PASSWORD):
    """What a person types to sign: the password and, for an account with two-factor
    authentication (its TOTP `secret`), a code that no login or earlier signature used.

    A code works once per 30-second step. When the steps the server accepts now are
    used up (a test signs several times within a minute), the account's last used
    step is set back as if that minute had passed; the replay guard is tested
    without this in tests/signatures.
    """
    import pyotp

    from survey.staff.models import StaffUser

    fields = {"password": password}
    if secret is None:
        return fields
    totp = pyotp.TOTP(secret)
    now_step = int(time.time()) // totp.interval
    with app.app_context():
        user = db.session.execute(
            db.select(StaffUser).where(StaffUser.email == email)).scalar_one()
        last = user.totp_last_step
        if last is not None and last > now_step:
            user.totp_last_step = last = now_step - 1
            db.session.commit()
    step = now_step if last is None or last < now_step else now_step + 1
    fields["code"] = totp.generate_otp(step)
    return fields


class StaffLogin:
    """Logs a test client in as a staff member, through the real login pages."""

    def __init__(self, client, make_staff):
        self.client, self.make_staff = client, make_staff

    def csrf_token(self, path):
        return CSRF.search(self.client.get(path).get_data(as_text=True)).group(1)

    def login(self, email, password=STAFF_PASSWORD):

        response = self.client.post("/staff/login", data={
            "csrf_token": self.csrf_token("/staff/login"), "email": email, "password": password})
        if response.status_code == 302 and "/staff/login/code" in response.location:
            response = self.client.post("/staff/login/code", data={
                "csrf_token": self.csrf_token("/staff/login/code"),
                "code": self.unused_code(email)})
        return response

    def unused_code(self, email):
        """A code of a time step this account has not used: each step's code works once, and
        every role has two-factor authentication, so one test may log an account in twice."""
        import pyotp

        totp = pyotp.TOTP(self.make_staff.secrets[email])
        now_step = int(time.time()) // totp.interval
        step = max(now_step, self.make_staff.used_steps.get(email, now_step - 1) + 1)
        if step > now_step + 1:  # the next two steps are used: wait for a new one
            time.sleep(totp.interval - time.time() % totp.interval)
            return self.unused_code(email)
        self.make_staff.used_steps[email] = step
        return totp.generate_otp(step)

    def as_role(self, role, **kwargs):
        """Create a staff member with `role`, log in, return the e-mail address."""
        email = self.make_staff(role, **kwargs)
        response = self.login(email)
        assert response.status_code == 302, response.status_code
        return email

    def logout(self):
        return self.client.post("/staff/logout", data={"csrf_token": self.csrf_token("/staff/")})

    def signing(self, email, **kwargs):
        """The fields that sign as `email` (see signing_fields)."""
        return signing_fields(self.client.application, email, self.make_staff.secrets.get(email),
                              **kwargs)


@pytest.fixture
def staff_login(client, make_staff):
    return StaffLogin(client, make_staff)
