"""SAML sign-in in a real browser, on a phone: the login page's button, the identity
provider (pysaml2's own, on loopback) and its auto-submitting form, and back in fgc
signed in; a family member's first MitID sign-in asks for the letter's code."""
from datetime import timedelta

import pytest
import requests
from sqlalchemy import delete, select

from fgc.auth.models import User
from fgc.core.models import utcnow
from fgc.extensions import db
from fgc.plans import services as plans_services
from fgc.plans.models import FamilyAccount
from fgc.sso.models import FAMILY_SIGN_IN, SAML, ExternalIdentity, IdentityProvider
from tests.browser.conftest import ARTIFACTS, AXE, DEMO_USERS, choose_language, run_axe
from tests.sso.saml_idp import Person, SamlIdp, make_key_pair

EMAIL = "urn:oid:0.9.2342.19200300.100.1.3"
UUID = "https://data.gov.dk/model/core/eid/professional/uuid/persistent"
LOA = "https://data.gov.dk/concept/core/nsis/loa"
CODE = "BRV7K2MX"


@pytest.fixture
def saml_world(live_server, tmp_path):
    """A staff and a MitID provider of the demo's Aarhus, registered at a loopback identity
    provider; all removed afterwards, so other browser tests see the demo as it was."""
    app, idp = live_server.app, SamlIdp(tmp_path / "idp")
    key, cert = make_key_pair(tmp_path / "sp", "fgc-sp")
    saved = {name: app.config.get(name) for name in ("PUBLIC_URL", "SAML_SP_KEY_FILE", "SAML_SP_CERT_FILE")}
    app.config.update(PUBLIC_URL=live_server.url, SAML_SP_KEY_FILE=key, SAML_SP_CERT_FILE=cert)
    with app.app_context():
        family = db.session.scalar(select(User).where(User.email == DEMO_USERS["family"]))
        made = {}
        for name, audience, extra in (
                ("Aarhus Kommune (medarbejdere)", "staff", {"email_attribute": EMAIL}),
                ("MitID", FAMILY_SIGN_IN, {"subject_attribute": UUID, "assurance_attribute": LOA,
                                           "minimum_assurance": "substantial"})):
            provider = IdentityProvider(organisation_id=family.organisation_id, name=name, protocol=SAML,
                                        audience=audience, saml_metadata=idp.metadata(), **extra)
            db.session.add(provider)
            made[audience] = provider
        account = db.session.get(FamilyAccount, family.id)
        account.code_hash = plans_services.hasher.hash(CODE)
        account.code_expires_at = utcnow() + timedelta(days=1)
        db.session.commit()
        ids = {audience: provider.id for audience, provider in made.items()}
    for provider_id in ids.values():
        idp.trust(requests.get(f"{live_server.url}/sso/{provider_id}/saml/metadata", timeout=10).text)
    try:
        yield idp, ids
    finally:
        idp.close()
        with app.app_context():
            db.session.execute(delete(ExternalIdentity))
            db.session.execute(delete(IdentityProvider))
            db.session.commit()
        app.config.update(saved)


def test_staff_sign_in_through_the_municipalitys_identity_provider_on_a_phone(browser, live_server, saml_world):
    idp, ids = saml_world
    idp.person = Person("aarhus-coordinator", {EMAIL: DEMO_USERS["coordinator"]})
    context = browser.new_context(locale="da-DK", viewport={"width": 375, "height": 800})
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/login")
        with page.expect_navigation(url=f"{live_server.url}/**"):
            page.click("text=Aarhus Kommune (medarbejdere)")
        page.wait_for_url(f"{live_server.url}/")
        assert idp.requests and idp.requests[-1]["signed"]
        assert "Log ud" in page.inner_text("header")
        with live_server.app.app_context():
            user = db.session.scalar(select(User).where(User.email == DEMO_USERS["coordinator"]))
            assert db.session.scalar(select(ExternalIdentity.user_id).where(
                ExternalIdentity.provider_id == ids["staff"])) == user.id
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["da", "kl"])
def test_a_family_members_first_mitid_sign_in_asks_for_the_letters_code(browser, live_server, saml_world, lang):
    idp, ids = saml_world
    idp.person = Person("mitid-pid", {UUID: f"uuid-mormor-{lang}", LOA: "Substantial"})
    context = browser.new_context(locale="da-DK", viewport={"width": 375, "height": 800})
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/login")
        if lang == "kl":
            choose_language(page, "kl")
        page.click("text=MitID")
        page.wait_for_url(f"{live_server.url}/sso/{ids['family']}/saml/link")
        assert run_axe(page) == []
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"saml-family-code-{lang}-375.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        page.fill("#username", DEMO_USERS["family"])
        page.fill("#code", "WRONG234")
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        assert run_axe(page) == []
        assert page.locator(".form-error, [role=alert], .alert").count() >= 1
        if lang == "da":
            page.fill("#username", DEMO_USERS["family"])
            page.fill("#code", CODE.lower())
            with page.expect_navigation():
                page.click("main form button[type=submit]")
            page.wait_for_url(f"{live_server.url}/family/")
            assert "Log ud" in page.inner_text("header")
    finally:
        context.close()
