"""Fixtures: the app on SQLite (or on PostgreSQL when FGC_TEST_DATABASE_URL names
a server: a throwaway database is made there for the run), a client, users of
every role, and a login helper that goes through the real form."""
import base64
import os
import re
import uuid
from contextlib import contextmanager

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

os.environ["FGC_ENV"] = "testing"

from argon2 import PasswordHasher  # noqa: E402

import fgc.auth.models  # noqa: E402
import fgc.auth.services  # noqa: E402
from fgc import create_app  # noqa: E402
from fgc.extensions import db, limiter  # noqa: E402
from tests import factories  # noqa: E402

PG_SERVER = os.environ.get("FGC_TEST_DATABASE_URL")

# Still argon2id, at a cost that keeps the suite fast.
fgc.auth.models.hasher = fgc.auth.services.hasher = PasswordHasher(
    time_cost=1, memory_cost=1024, parallelism=1)


def pytest_configure(config):
    """When the suite is to run on PostgreSQL (always in CI), a server that cannot be
    reached stops the run with a clear failure: never a skip, never a SQLite run."""
    if not PG_SERVER:
        return
    url = make_url(PG_SERVER)
    try:
        engine = create_engine(url.set(database="postgres"), connect_args={"connect_timeout": 5})
        with engine.connect():
            pass
        engine.dispose()
    except Exception as error:  # noqa: BLE001 - any reason is reported as it is
        raise pytest.UsageError(
            f"FGC_TEST_DATABASE_URL is set but PostgreSQL at {url.render_as_string(hide_password=True)} "
            f"cannot be reached: {error.__class__.__name__}: {str(error).strip().splitlines()[0]}\n"
            "Start it (make postgres) or unset FGC_TEST_DATABASE_URL to test on SQLite only.") from None


@contextmanager
def throwaway_database(server_url):
    """A fresh PostgreSQL database on the given server, dropped afterwards."""
    url = make_url(server_url)
    name = f"fgc_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url():
    if PG_SERVER:
        with throwaway_database(PG_SERVER) as url:
            yield url
    else:
        yield "sqlite://"


@pytest.fixture
def file_database(tmp_path):
    """A database of its own, which other processes can open too: a SQLite file, or a
    throwaway PostgreSQL database when the suite runs on PostgreSQL."""
    if PG_SERVER:
        with throwaway_database(PG_SERVER) as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path / 'fgc.sqlite'}"


class FreshContextClient(FlaskClient):
    """Each request gets its own app context, as in production: Flask would
    otherwise reuse the test's context and carry `g` (the signed-in user, the
    locale) from one request to the next. What the test made is committed first,
    and the test sees what the request changed."""

    def open(self, *args, **kwargs):
        db.session.commit()
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()
        return response


@pytest.fixture(scope="session")
def _app(database_url, tmp_path_factory):
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": 1,  # nothing listens: tests that deliver mail start a real server
        "PUBLIC_URL": "http://fgc.test",
    })
    app.test_client_class = FreshContextClient
    with app.app_context():
        db.create_all()
    return app


@pytest.fixture
def app(_app):
    """The app with an empty database for each test."""
    with _app.app_context():
        yield _app
        db.session.rollback()
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
        limiter.reset()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def org(app):
    return factories.organisation()


@pytest.fixture
def users(app, org):
    """One user of each role in `org`, committed."""
    made = {role: factories.user(org, role) for role in ("admin", "coordinator", "caseworker", "family")}
    db.session.commit()
    return made


def login(client, user_or_email, password=factories.PASSWORD):
    """Through the real form; a user with two-factor sign-in then types the app's current code."""
    email = getattr(user_or_email, "email", user_or_email)
    response = client.post("/login", data={"email": email, "password": password})
    if response.status_code == 302 and response.location.startswith("/login/code"):
        import pyotp

        from fgc.auth.services import find_user_by_email

        user = find_user_by_email(email)
        # Each sign-in as if a fresh code had come up: refusing a reused code is tested
        # in test_two_factor.py, not in every test that signs in twice within 30 seconds.
        user.totp_last_step = None
        response = client.post("/login/code", data={"code": pyotp.TOTP(user.totp_secret).now()})
    return response


@pytest.fixture
def login_as(client):
    def do(user):
        response = login(client, user)
        assert response.status_code == 302, "login failed"
        return client
    return do


@contextmanager
def count_queries():
    """Counts the SQL statements run inside the block: `with count_queries() as n: …; n()`."""
    statements = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield lambda: len(statements)
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def csrf_token(html):
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    return match.group(1) if match else None


@contextmanager
def delivering_to(app, inbox=None):
    """A real SMTP server (with `inbox` as its handler) that the app delivers to inside."""
    from tests.mail_server import SMTPServer

    server = SMTPServer(inbox)
    saved = (app.config["MAIL_SERVER"], app.config["MAIL_PORT"])
    app.config["MAIL_SERVER"], app.config["MAIL_PORT"] = "127.0.0.1", server.port
    server.start()
    try:
        yield server
    finally:
        server.stop()
        app.config["MAIL_SERVER"], app.config["MAIL_PORT"] = saved


@pytest.fixture
def smtp_server(app):
    """A real SMTP server the app delivers to; `smtp_server.inbox.messages` holds the mail.
    `stop()` and `start()` simulate an outage."""
    with delivering_to(app) as server:
        yield server
    # Every mail any test delivered has the headers providers require.
    assert server.inbox.problems == []


ONE_PIXEL_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")


class World:
    """Two municipalities. In `org`: one user of each role, a case assigned to its
    coordinator and caseworker (the family member has access to it), and an unassigned
    coordinator and caseworker. In `other_org`: one user of each staff role."""

    def __init__(self):
        self.org = factories.organisation()
        self.org.logo, self.org.logo_type = ONE_PIXEL_PNG, "image/png"  # the letterhead's logo
        self.other_org = factories.organisation()
        self.users = {role: factories.user(self.org, role)
                      for role in ("admin", "coordinator", "caseworker", "family")}
        self.unassigned = {role: factories.user(self.org, role) for role in ("coordinator", "caseworker")}
        self.outsiders = {role: factories.user(self.other_org, role)
                          for role in ("admin", "coordinator", "caseworker", "family")}
        self.case = factories.case(self.org, self.users["coordinator"], self.users["caseworker"],
                                   child_name="Pipaluk Lyberth")
        other_case = factories.case(self.other_org, self.outsiders["coordinator"],
                                    self.outsiders["caseworker"])
        self.family_member = factories.family_account(self.users["family"], self.case)
        factories.family_account(self.outsiders["family"], other_case)
        db.session.commit()


@pytest.fixture
def world(app):
    return World()
