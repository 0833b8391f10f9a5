"""fgc: coordinating family group conferences."""
import secrets
from pathlib import Path

from flask import Flask, jsonify, render_template
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from werkzeug.routing import IntegerConverter

from fgc import config as config_module
from fgc.core.models import MAX_ID
from fgc.extensions import babel, csrf, db, limiter, login_manager, mail, migrate
from fgc.i18n import gettext as _

ROOT = config_module.ROOT


def create_app(config=None):
    app = Flask(__name__, instance_path=str(config_module.INSTANCE),
                template_folder=str(ROOT / "templates"), static_folder="static")
    load_config(app, config)
    app.url_map.converters["int"] = IdConverter
    init_extensions(app)
    register_blueprints(app)
    register_security(app)
    register_templates(app)
    register_error_pages(app)
    register_cli(app)
    return app


def load_once(app):
    """Load now what pages would load at their first request: the templates, compiled, and
    each language's catalogue."""
    from flask_babel import force_locale, get_translations

    for name in app.jinja_env.list_templates():
        app.jinja_env.get_template(name)
    with app.test_request_context():
        for language in app.config["LANGUAGES"]:
            with force_locale(language):
                get_translations()


class IdConverter(IntegerConverter):
    """`<int:…>` in a URL: an id, so a number no table can hold is a 404, not a database error."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits, min, max, signed)


def load_config(app, config):
    """`config` is a config class, or a dict of overrides on the environment's one."""
    if config is None or isinstance(config, dict):
        app.config.from_object(config_module.config_from_environment())
        app.config.update(config or {})
    else:
        app.config.from_object(config)
    if not app.config.get("SECRET_KEY"):
        if app.config["ENV_NAME"] != "development":
            raise RuntimeError("SECRET_KEY must be set outside development.")
        app.config["SECRET_KEY"] = _development_secret(Path(app.instance_path))


def _development_secret(instance):
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


# SQLite has one writer at a time. A transaction that read first and writes later
# would fail at once ("database is locked") when another wrote meanwhile; so a
# transaction that may write takes the write lock when it begins (BEGIN IMMEDIATE)
# and waits up to BUSY_TIMEOUT for it, and numbers allocated in it
# (core.models.next_number) cannot collide. A page view only reads (BEGIN): readers
# run side by side, and its audit entries are written afterwards in a short write
# transaction of their own (core.audit). (An in-memory database has a single
# connection and no other writer: left as it is.)
SQLITE_BUSY_TIMEOUT_MS = 30_000


def _sqlite_file(url):
    return url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        if cursor.execute("PRAGMA database_list").fetchone()[2]:  # a file
            dbapi_connection.isolation_level = None  # transactions begin below, not in the driver
        cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection):
    if _sqlite_file(connection.engine.url):
        from fgc.core.audit import is_reading

        connection.exec_driver_sql("BEGIN" if is_reading() else "BEGIN IMMEDIATE")


def init_extensions(app):
    from fgc import i18n
    from fgc.core import audit

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        Path(app.config["SQLALCHEMY_DATABASE_URI"][len("sqlite:///"):]).parent.mkdir(
            parents=True, exist_ok=True)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    babel.domain_instance = i18n.FallbackDomain()
    mail.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    audit.init_app(app)


# Each domain's blueprint; later domains add a line here.
BLUEPRINTS = (
    "fgc.auth.views",
    "fgc.cases.views",
    "fgc.audit.views",
    "fgc.network.views",
    "fgc.conferences.views",
    "fgc.plans.views",
    "fgc.plans.family",
    "fgc.reports.views",
    "fgc.reports.report_views",
    "fgc.reports.survey_views",
    "fgc.sso.views",
    "fgc.sso.oidc",
    "fgc.sso.saml",
)


def register_blueprints(app):
    from importlib import import_module

    from fgc.security import public

    for module in BLUEPRINTS:
        app.register_blueprint(import_module(module).bp)

    @app.route("/healthz")
    @public
    def healthz():
        try:
            db.session.execute(text("SELECT 1"))
        except Exception:  # the status page must answer whatever the database does
            db.session.rollback()
            return jsonify(status="error", database="unavailable"), 503
        try:
            # A write that changes nothing and is rolled back: a read-only database
            # (a read-only file, a standby, a full disk) fails here, as sign-in would.
            db.session.execute(text("UPDATE organisations SET id = id WHERE 1 = 0"))
        except Exception:  # noqa: BLE001
            return jsonify(status="error", database="read-only"), 503
        finally:
            db.session.rollback()
        return jsonify(status="ok", database="ok")


def register_security(app):
    from fgc import security

    security.init_app(app)


def register_templates(app):
    from fgc.cases import permissions
    from fgc.cases.models import STATE_LABELS
    from fgc.security import ROLE_LABELS

    app.jinja_env.globals.update(permissions.template_globals())
    app.jinja_env.globals.update(state_labels=STATE_LABELS, role_labels=ROLE_LABELS)
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.policies["ext.i18n.trimmed"] = True


def register_error_pages(app):
    """Error pages never touch the database (it may be why they are shown): a plain
    layout without the signed-in menu, in a language found without a query."""
    from flask import g
    from flask_babel import force_locale
    from flask_wtf.csrf import CSRFError
    from sqlalchemy.exc import InterfaceError, OperationalError

    messages = {
        400: lambda: _("The request could not be understood."),
        401: lambda: _("Sign in to continue."),
        403: lambda: _("You do not have access to this page."),
        404: lambda: _("The page was not found."),
        405: lambda: _("The page was not found."),
        410: lambda: _("This link is no longer valid."),
        413: lambda: _("What was sent is too large. Shorten the text and try again."),
        429: lambda: _("Too many attempts. Wait a minute and try again."),
        500: lambda: _("Something went wrong on our side. Your last change may not have been saved."),
        # Translators: kl "paasissutissat toqqortarivii" for the database is a proposal; please check.
        503: lambda: _("fgc cannot reach its database just now. Try again in a few minutes. "
                       "Your last change may not have been saved."),
    }

    def page(code, message_of):
        locale = _locale_without_database()
        # Flask-Login's template context loads the user (a query) unless it is loaded
        # already; the error page shows no user, so an unloaded one stays unloaded.
        g.setdefault("_login_user", login_manager.anonymous_user())
        if code >= 500:
            try:
                db.session.rollback()
            except Exception:  # noqa: BLE001 - the connection may be gone; the page is shown anyway
                pass
        with force_locale(locale):
            response = app.make_response((render_template("errors/error.html", code=code,
                                                          message=message_of()), code))
        if code == 503:
            response.headers["Retry-After"] = "60"
        return response

    def render(error):
        code = getattr(error, "code", 500) or 500
        if isinstance(getattr(error, "original_exception", None), (OperationalError, InterfaceError)):
            code = 503
        return page(code, messages.get(code, messages[500]))

    for code in messages:
        app.register_error_handler(code, render)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unavailable(error):
        app.logger.error("database unavailable: %s", error)
        return page(503, messages[503])

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return page(400, lambda: _("The form has expired. Reload the page and try again."))


def _locale_without_database():
    """The signed-in user's language if already loaded, else the session's or the
    browser's: the same order as i18n.select_locale, without a query."""
    from flask import current_app, g, request, session
    from sqlalchemy import inspect

    from fgc.i18n import supported

    user = g.get("_login_user")
    if user is not None and getattr(user, "is_authenticated", False):
        locale = inspect(user).dict.get("locale")  # what is loaded; never a refresh
        if supported(locale):
            return locale
    if supported(session.get("locale")):
        return session["locale"]
    return request.accept_languages.best_match(current_app.config["LANGUAGES"]) or "da"


def register_cli(app):
    from fgc.cli import fgc_cli

    app.cli.add_command(fgc_cli)
