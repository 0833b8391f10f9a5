"""When the database is unreachable or read-only: a translated 503 page that does
not query the database again, and a /healthz that tells."""
import sqlite3
from contextlib import contextmanager

from sqlalchemy.engine import make_url

from fgc import create_app
from fgc.extensions import db
from tests.conftest import FreshContextClient
from tests.mail_server import free_port

KL_503 = "fgc-p paasissutissat toqqortarivii"  # the start of the Greenlandic 503 message


@contextmanager
def app_on(url, **engine_options):
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, **engine_options}})
    app.test_client_class = FreshContextClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def test_with_the_database_down_pages_are_a_translated_503(client, world, login_as):
    login_as(world.users["coordinator"])
    cookie = client.get_cookie("fgc_session")
    dead = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/fgc"
    with app_on(dead, connect_args={"connect_timeout": 2}) as app:
        down = app.test_client()
        down.set_cookie("fgc_session", cookie.value)
        # A signed-in page: loading the user fails; the page says so in the browser's language.
        response = down.get("/cases", headers={"Accept-Language": "kl"})
        page = response.get_data(as_text=True)
        assert response.status_code == 503 and response.headers["Retry-After"] == "60"
        assert '<html lang="kl">' in page and KL_503 in page
        assert "Internal Server Error" not in page
        # Signing in, in Danish.
        response = down.post("/login", data={"email": "a@example.dk", "password": "x" * 12},
                             headers={"Accept-Language": "da"})
        assert response.status_code == 503
        assert "fgc kan ikke få fat i sin database lige nu" in response.get_data(as_text=True)
        assert down.get("/healthz").status_code == 503


def test_healthz_fails_when_the_database_is_read_only(file_database):
    with app_on(file_database) as app:
        db.create_all()
        assert app.test_client().get("/healthz").get_json() == {"status": "ok", "database": "ok"}
    if file_database.startswith("sqlite"):
        path = make_url(file_database).database
        read_only = {"creator": lambda: sqlite3.connect(f"file:{path}?mode=ro", uri=True)}
    else:
        read_only = {"connect_args": {"options": "-c default_transaction_read_only=on"}}
    with app_on(file_database, **read_only) as app:
        response = app.test_client().get("/healthz")
        assert response.status_code == 503
        assert response.get_json() == {"status": "error", "database": "read-only"}
