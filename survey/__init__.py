"""ePRO follow-up survey system: token-linked questionnaires, scoring, export."""
import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import assets, cli, database, errors, i18n, models, security  # noqa: F401 (hooks, models)
from .accounts.views import bp as accounts_bp
from .audit_reports.views import bp as audit_reports_bp
from .clarifications.views import bp as clarifications_bp
from .clinic.views import bp as clinic_bp
from .config import check_production_safety, settings_from_environment
from .dashboard.views import bp as dashboard_bp
from .exports.views import bp as exports_bp
from .extensions import babel, csrf, db, migrate
from .instruments import init_instruments
from .invitations.views import bp as invitations_bp
from .messaging.views import bp as messaging_bp
from .paper.views import bp as paper_bp
from .participant_pages.views import bp as participant_pages_bp
from .records.views import bp as records_bp
from .reminders.views import bp as reminders_bp
from .responses.views import bp as responses_bp
from .settings_check import check_settings
from .staff.auth import init_login
from .staff.menu import init_menu
from .staff.views import bp as staff_bp

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def create_app(config=None):
    """Build the app; `config` overrides settings from the environment (tests use it)."""
    app = Flask(__name__, template_folder=os.path.join(ROOT, "templates"),
                instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(settings_from_environment(app.instance_path))
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = os.path.join(ROOT, "translations")
    app.config.update(config or {})
    check_production_safety(app)
    check_settings(app)
    hops = app.config["SURVEY_PROXY_HOPS"]
    if hops:
        # The client's address (rate limits on /start) and https come from the proxy.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    register_extensions(app)
    init_instruments(app)
    i18n.init_i18n(app)
    assets.init_assets(app)
    init_menu(app)
    security.init_security(app)
    errors.init_error_pages(app)
    register_blueprints(app)
    cli.register_commands(app)
    return app


def register_extensions(app):
    database.init_database(app, db)  # db.init_app, with the page reader
    migrate.init_app(app, db, directory=os.path.join(ROOT, "migrations"))
    babel.init_app(app, locale_selector=i18n.select_locale,
                   default_timezone=app.config["SURVEY_TIMEZONE"])
    csrf.init_app(app)
    init_login(app)


def register_blueprints(app):
    app.register_blueprint(invitations_bp)
    # Its GET pages only read: they never wait for a writer (see survey/database.py).
    app.register_blueprint(database.read_only_get(responses_bp))
    app.register_blueprint(staff_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(clinic_bp)
    app.register_blueprint(participant_pages_bp)
    app.register_blueprint(records_bp)
    app.register_blueprint(paper_bp)
    app.register_blueprint(clarifications_bp)
    app.register_blueprint(audit_reports_bp)
    app.register_blueprint(exports_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(reminders_bp)
    app.register_blueprint(messaging_bp)
