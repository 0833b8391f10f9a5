"""A staff member signs in through the municipality's OpenID Connect provider, in a real
browser: the button on fgc's sign-in page, the provider's own form, back to fgc signed in
as the right person with the right role; and out again at both."""
import pytest
from sqlalchemy import select

from fgc.auth.models import Organisation, User
from fgc.extensions import db
from fgc.sso import oidc
from tests.browser.conftest import ARTIFACTS, choose_language, new_context, run_axe, sign_in
from tests.sso.factories import provider
from tests.sso.oidc_op import OpenIDProvider

PHONE = {"width": 375, "height": 800}


@pytest.fixture
def entra(live_server):
    """A real OpenID Connect provider, set up as the demo municipality's staff sign-in;
    taken out of use afterwards, so other tests' pages do not lead to it."""
    op = OpenIDProvider().start()
    app = live_server.app
    saved_url = app.config["PUBLIC_URL"]
    app.config["PUBLIC_URL"] = live_server.url
    with app.app_context():
        org = db.session.scalars(select(Organisation).where(Organisation.name == "Aarhus Kommune")).one()
        made = provider(org, name="Aarhus Kommune (Entra ID)", oidc_issuer=op.issuer, roles_attribute="roles",
                        role_map="fgc-koordinator = coordinator\n* = caseworker", create_users=True)
        with app.test_request_context():
            made.oidc_client_id, made.oidc_client_secret = op.register(oidc.redirect_uri(made))
        db.session.commit()
        provider_id = made.id
    try:
        yield op, provider_id
    finally:
        with app.app_context():
            db.session.get(type(made), provider_id).enabled = False
            db.session.commit()
        app.config["PUBLIC_URL"] = saved_url
        op.stop()


def no_violations(page):
    violations = run_axe(page)
    assert violations == [], (page.url, violations)


def test_a_staff_member_signs_in_and_out_through_the_municipalitys_provider(browser, live_server, entra):
    op, provider_id = entra
    op.set_user("entra-browser-1", email="ane.koordinator@aarhus.demo", name="Ane Koordinator",
                roles=["fgc-koordinator"])
    context = new_context(browser)
    page = context.new_page()
    page.set_viewport_size(PHONE)
    try:
        page.goto(f"{live_server.url}/login")
        no_violations(page)
        with page.expect_navigation():
            page.click("text=Aarhus Kommune (Entra ID)")
        assert page.url.startswith(op.issuer + "/oauth2/authorize")
        page.fill("#subject-input", "entra-browser-1")
        with page.expect_navigation(url=f"{live_server.url}/**"):
            page.click("form:has(#subject-input) button[type=submit]")
        assert page.url == f"{live_server.url}/"
        assert "Ane Koordinator" in page.inner_text("body")
        page.screenshot(path=str(ARTIFACTS / "oidc-signed-in-375.png"), full_page=True)
        no_violations(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        with live_server.app.app_context():
            user = db.session.scalars(select(User).where(User.email == "ane.koordinator@aarhus.demo")).one()
            assert (user.role, user.name) == ("coordinator", "Ane Koordinator")

        # Signing out ends fgc's session and the provider's, and comes back to fgc's sign-in page.
        page.click("form.logout button[type=submit]")
        page.wait_for_url(op.issuer + "/oauth2/end_session**")
        assert "id_token_hint" in page.url
        with page.expect_navigation(url=f"{live_server.url}/login"):
            page.click("button:has-text('End session')")
        no_violations(page)
        page.goto(f"{live_server.url}/")
        assert "/login" in page.url
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["da", "kl"])
def test_the_providers_page_shows_the_it_department_what_to_register(browser, live_server, entra, lang):
    _op, provider_id = entra
    context = new_context(browser)
    page = context.new_page()
    page.set_viewport_size(PHONE)
    try:
        sign_in(page, live_server.url, "admin")
        if lang != "da":
            choose_language(page, lang)
        page.goto(f"{live_server.url}/admin/sign-in/{provider_id}")
        assert f"{live_server.url}/sso/{provider_id}/oidc/callback" in page.inner_text("main")
        page.screenshot(path=str(ARTIFACTS / f"oidc-provider-info-{lang}-375.png"), full_page=True)
        page.locator("section.provider-info").screenshot(path=str(ARTIFACTS / f"oidc-provider-info-{lang}-part.png"))
        no_violations(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.click(f"a[href$='/sso/{provider_id}/oidc/metadata']")
        assert f"{live_server.url}/sso/{provider_id}/oidc/callback" in page.inner_text("body")
    finally:
        context.close()
