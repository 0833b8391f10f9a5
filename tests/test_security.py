import re
from urllib.parse import quote, urlsplit

import pytest

from fgc import create_app
from fgc.config import ProductionConfig, TestingConfig
from tests.factories import PASSWORD


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


def test_the_session_cookie_is_sent_again_only_when_the_session_changes(client, users):
    """It expires with the sign-in, not with the last request: nothing to renew on every page."""
    from tests.conftest import login

    login(client, users["coordinator"])
    client.get("/")  # the first page keeps the form token in the session
    assert "Set-Cookie" not in client.get("/cases").headers
    assert "Set-Cookie" in client.get("/cases?lang=kl").headers  # the language is kept in it
    assert "Set-Cookie" not in client.get("/cases").headers


def test_in_production_the_session_cookie_is_a_secure_host_only_cookie(tmp_path):
    class Production(ProductionConfig):
        SECRET_KEY = "production-test"
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'fgc.sqlite'}"
        RATELIMIT_STORAGE_URI = "memory://"

    app = create_app(Production)
    from fgc.extensions import db
    with app.app_context():
        db.create_all()
        cookie = app.test_client().get("/login", base_url="https://fgc.example").headers["Set-Cookie"]
        db.engine.dispose()
    assert cookie.startswith("__Host-fgc_session=")
    assert "Secure" in cookie and "HttpOnly" in cookie and "Path=/" in cookie and "Domain" not in cookie


def test_a_sign_in_ends_after_its_lifetime_however_busy_the_session(app, client, users):
    from tests.conftest import login

    login(client, users["coordinator"])
    assert client.get("/cases").status_code == 200
    with client.session_transaction() as session:
        session["signed_in_at"] -= app.permanent_session_lifetime.total_seconds() + 1
    response = client.get("/cases")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/cases").status_code == 302  # signed out for good, not only once


def test_a_request_larger_than_any_form_is_refused_in_words(client):
    response = client.post("/login", data={"email": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413 and "for stor" in response.get_data(as_text=True)


def test_nul_in_a_text_is_refused_beside_the_field_and_nothing_changes(client, world, login_as):
    case = world.case
    login_as(world.users["coordinator"])
    from werkzeug.datastructures import MultiDict

    from tests.test_round_trip import form_fields

    url = f"/cases/{case.id}/edit"
    form = MultiDict(form_fields(client.get(url).get_data(as_text=True), url))
    before = case.concern
    form["concern"] = "Bekymring\x00 kopieret"
    page = client.post(url, data=form).get_data(as_text=True)
    assert "usynligt kontroltegn" in page
    from fgc.extensions import db
    db.session.expire_all()
    assert case.concern == before


def test_a_meeting_in_year_9999_is_refused_in_words(client, world, login_as):
    login_as(world.users["coordinator"])
    page = client.post(f"/cases/{world.case.id}/conferences/new", data={
        "kind": "conference", "day": "9999-12-31", "start": "23:30", "end": "23:45", "timezone": "America/Nuuk",
        "fold": "", "languages": "da"}).get_data(as_text=True)
    assert "for langt ude i fremtiden" in page


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    class NoSecret(ProductionConfig):
        SECRET_KEY = None
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(NoSecret)


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


# Posted by another site by design, and protected by what they carry instead.
CSRF_EXEMPT = {
    "saml.acs": "the SAML identity provider posts its signed Response, which answers fgc's own request",
    "saml.single_logout": "the SAML identity provider sends a signed LogoutRequest, or answers fgc's",
}


def test_only_the_listed_endpoints_are_exempt_from_csrf(app):
    from fgc.extensions import csrf

    exempt = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static" and
              f"{app.view_functions[rule.endpoint].__module__}.{app.view_functions[rule.endpoint].__name__}"
              in csrf._exempt_views}
    assert exempt == set(CSRF_EXEMPT)


def test_every_post_endpoint_refuses_a_request_without_a_csrf_token(app, client, world, login_as):
    """Walked over the URL map, so forms added later are covered: each POST, by a
    user allowed to use it, is refused (400) without the token and nothing changes."""
    from flask import url_for

    from fgc.security import allowed_roles, is_public
    from tests.test_forms import fingerprint
    from tests.url_args import rule_values

    checked = 0
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint == "static" or rule.endpoint in CSRF_EXEMPT:
            continue
        view = app.view_functions[rule.endpoint]
        client.post("/logout")
        if not is_public(view):
            role = next(r for r in ("coordinator", "caseworker", "admin", "family") if r in allowed_roles(view))
            login_as(world.users[role])
        with app.test_request_context():
            url = url_for(rule.endpoint, **rule_values(rule, world.case, world))
        before = fingerprint()
        app.config["WTF_CSRF_ENABLED"] = True
        try:
            response = client.post(url, data={"to_state": "preparing", "language": "kl"})
        finally:
            app.config["WTF_CSRF_ENABLED"] = False
        assert response.status_code == 400, f"POST {rule.rule}: {response.status_code}"
        assert fingerprint() == before, f"POST {rule.rule} changed something without a CSRF token"
        checked += 1
    assert checked >= 8


@pytest.mark.parametrize("target", [
    "//evil.example", "/%09/evil.example", "/\t/evil.example", "/\n/evil.example", "/%0A/evil.example",
    "/\\evil.example", "\\\\evil.example", "https://evil.example/", "/\r\n/evil.example", "javascript:alert(1)",
    " //evil.example", "/%5Cevil.example"])
def test_sign_in_and_the_language_switch_redirect_only_within_the_site(client, users, target):
    from tests.conftest import csrf_token

    token = csrf_token(client.get("/login").get_data(as_text=True))
    switched = client.post("/language", data={"language": "kl", "next": target, "csrf_token": token})
    signed_in = client.post(f"/login?next={quote(target, safe='%/')}", data={
        "email": users["coordinator"].email, "password": PASSWORD, "csrf_token": token})
    for response in (switched, signed_in):
        assert response.status_code == 302
        location = response.headers["Location"]
        as_a_browser_reads_it = re.sub(r"[\x00-\x1f\x7f]", "", location).replace("\\", "/")
        assert location.startswith("/") and not urlsplit(as_a_browser_reads_it).netloc, location
