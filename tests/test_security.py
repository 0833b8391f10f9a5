import pytest

from fgc import create_app
from fgc.config import ProductionConfig, TestingConfig


def test_pages_carry_strict_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"


def test_no_page_has_inline_script_or_style(client, users, login_as):
    login_as(users["coordinator"])
    for path in ("/", "/cases", "/cases/new"):
        page = client.get(path).get_data(as_text=True)
        assert "<script>" not in page and "style=" not in page and "<style" not in page


def test_the_session_cookie_is_httponly_and_samesite(client, users):
    from tests.conftest import login

    response = login(client, users["coordinator"])
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_outside_development_the_session_cookie_is_secure():
    assert ProductionConfig.SESSION_COOKIE_SECURE is True


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    class NoSecret(ProductionConfig):
        SECRET_KEY = None
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(NoSecret)


def test_development_generates_and_keeps_a_secret_key(tmp_path):
    from fgc.config import DevelopmentConfig

    class Dev(DevelopmentConfig):
        SECRET_KEY = None
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    app = create_app(Dev)
    app.instance_path = str(tmp_path)
    from fgc import _development_secret
    first = _development_secret(tmp_path)
    assert first == _development_secret(tmp_path) and len(first) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert app.config["SECRET_KEY"]


def test_every_form_is_protected_against_cross_site_requests(users):
    class WithCSRF(TestingConfig):
        WTF_CSRF_ENABLED = True

    app = create_app(WithCSRF)
    from fgc.extensions import db
    with app.app_context():
        db.create_all()
        client = app.test_client()
        response = client.post("/login", data={"email": "x@example.dk", "password": "whatever"})
        assert response.status_code == 400
        response = client.post("/language", data={"language": "kl"})
        assert response.status_code == 400
        db.drop_all()


def test_health_says_when_the_database_is_down():
    class Broken(TestingConfig):
        SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://nobody@127.0.0.1:1/none"

    app = create_app(Broken)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.json["database"] == "unavailable"
