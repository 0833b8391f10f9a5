"""SAML sign-in against a real identity provider (pysaml2's own, on loopback): the
AuthnRequest, the signed Response posted back, every refusal, fgc's metadata, single
logout, and MitID for family members linked with their letter's code."""
import base64
import threading
from urllib.parse import urlsplit

import pytest
import requests
from saml2 import BINDING_HTTP_POST
from saml2.config import SPConfig
from saml2.mdstore import MetadataStore
from sqlalchemy import func, select

from fgc.auth.models import User
from fgc.core.audit import AuditEntry
from fgc.extensions import db
from fgc.plans import services as plans_services
from fgc.plans.models import FamilyAccount
from fgc.sso import saml
from fgc.sso.models import FAMILY_SIGN_IN, SAML, ExternalIdentity, IdentityProvider, UsedSamlMessage
from tests import factories
from tests.conftest import login
from tests.sso.factories import provider as make_provider
from tests.sso.saml_idp import NSIS_LOA, SUBSTANTIAL, Person, SamlIdp, form_fields, make_key_pair, query

EMAIL = "urn:oid:0.9.2342.19200300.100.1.3"
NAME = "urn:oid:2.5.4.3"
ROLES = "https://fgc.example/roles"
UUID = "https://data.gov.dk/model/core/eid/professional/uuid/persistent"


@pytest.fixture(scope="session")
def sp_key_pair(tmp_path_factory):
    return make_key_pair(tmp_path_factory.mktemp("sp"), "fgc-sp")


@pytest.fixture(autouse=True)
def sp_keys(app, sp_key_pair, monkeypatch):
    """fgc's key pair from configuration, as in production."""
    monkeypatch.setitem(app.config, "SAML_SP_KEY_FILE", sp_key_pair[0])
    monkeypatch.setitem(app.config, "SAML_SP_CERT_FILE", sp_key_pair[1])


@pytest.fixture
def idp(tmp_path):
    made = SamlIdp(tmp_path / "idp")
    yield made
    made.close()


def saml_provider(org, idp, client, **fields):
    """A SAML provider with the identity provider's metadata, registered at it with fgc's."""
    fields.setdefault("email_attribute", EMAIL)
    fields.setdefault("name_attribute", NAME)
    made = make_provider(org, protocol=SAML, saml_metadata=idp.metadata(), **fields)
    db.session.commit()
    idp.trust(client.get(f"/sso/{made.id}/saml/metadata").get_data(as_text=True))
    return made


def answer_from_idp(client, provider, person=None, idp=None):
    """The login page's button, the identity provider, and its auto-submitting form:
    (the ACS path, the posted fields)."""
    start = client.get(f"/sso/{provider.id}")
    assert start.status_code == 302, start.get_data(as_text=True)
    if person and idp:
        idp.person = person
    page = requests.get(start.location, timeout=10)
    assert page.status_code == 200, page.text
    action, fields = form_fields(page.text)
    return urlsplit(action).path, fields


def sign_in_through(client, provider, idp, person):
    path, fields = answer_from_idp(client, provider, person, idp)
    return client.post(path, data=fields)


def signed_in_as(client):
    with client.session_transaction() as session:
        return (session.get("_user_id") or "").split(":")[0] or None


def refusals():
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.sign_in_failed")).all()


def test_a_staff_member_signs_in_through_the_identity_provider_with_the_mapped_role(client, users, org, idp):
    provider = saml_provider(org, idp, client, roles_attribute=ROLES, role_map="fgc-admin = admin\n* = caseworker")
    coordinator = users["coordinator"]
    answer = sign_in_through(client, provider, idp, Person("staff-1", {EMAIL: coordinator.email, ROLES: ["fgc-admin"]}))
    assert answer.status_code == 302 and answer.location.endswith("/")
    assert signed_in_as(client) == str(coordinator.id)
    assert db.session.get(User, coordinator.id).role == "admin"
    identity = db.session.scalar(select(ExternalIdentity).where(ExternalIdentity.provider_id == provider.id))
    assert (identity.subject, identity.user_id) == ("staff-1", coordinator.id)
    request = idp.requests[-1]
    assert request["signed"] and request["message"].issuer.text == saml.sp_urls(provider)["entity_id"]


def test_an_unknown_staff_member_gets_an_account_only_where_the_organisation_allows_it(client, users, org, idp):
    provider = saml_provider(org, idp, client, roles_attribute=ROLES, role_map="fgc-koordinator = coordinator")
    person = Person("new-1", {EMAIL: "ny@kommune.dk", NAME: "Ny Medarbejder", ROLES: ["fgc-koordinator"]})
    refused = sign_in_through(client, provider, idp, person)
    assert refused.status_code == 403 and "ingen konto" in refused.get_data(as_text=True)
    assert signed_in_as(client) is None and refusals()
    assert db.session.scalar(select(User).where(User.email == "ny@kommune.dk")) is None
    provider.create_users = True
    db.session.commit()
    assert sign_in_through(client, provider, idp, person).status_code == 302
    made = db.session.scalar(select(User).where(User.email == "ny@kommune.dk"))
    assert (made.name, made.role, signed_in_as(client)) == ("Ny Medarbejder", "coordinator", str(made.id))


def test_a_deactivated_user_is_refused(client, users, org, idp):
    provider = saml_provider(org, idp, client)
    users["caseworker"].active = False
    db.session.commit()
    answer = sign_in_through(client, provider, idp, Person("s-9", {EMAIL: users["caseworker"].email}))
    assert answer.status_code == 403 and "deaktiveret" in answer.get_data(as_text=True)
    assert signed_in_as(client) is None


def nothing_changed(provider):
    assert db.session.scalar(select(func.count()).select_from(ExternalIdentity)) == 0
    assert db.session.scalar(select(func.count()).select_from(UsedSamlMessage)) == 0


def test_a_tampered_response_is_refused(client, users, org, idp):
    provider = saml_provider(org, idp, client)
    path, fields = answer_from_idp(client, provider, Person("s-1", {EMAIL: users["caseworker"].email}), idp)
    xml = base64.b64decode(fields["SAMLResponse"]).decode()
    assert users["caseworker"].email in xml
    fields["SAMLResponse"] = base64.b64encode(xml.replace(users["caseworker"].email, users["admin"].email)
                                              .encode()).decode()
    answer = client.post(path, data=fields)
    assert answer.status_code == 403 and "kunne ikke bekræftes" in answer.get_data(as_text=True)
    assert signed_in_as(client) is None and refusals()[-1].detail.startswith(f"saml:{provider.id}:")
    nothing_changed(provider)


def test_an_expired_response_is_refused(client, users, org, idp):
    provider = saml_provider(org, idp, client)
    idp.lifetime = {"minutes": -10}
    answer = sign_in_through(client, provider, idp, Person("s-1", {EMAIL: users["caseworker"].email}))
    assert answer.status_code == 403 and "er udløbet" in answer.get_data(as_text=True)
    assert signed_in_as(client) is None
    nothing_changed(provider)


def test_a_response_for_another_audience_is_refused(client, users, org, idp):
    provider = saml_provider(org, idp, client)
    idp.audience = "https://another-service.example/saml"
    answer = sign_in_through(client, provider, idp, Person("s-1", {EMAIL: users["caseworker"].email}))
    assert answer.status_code == 403 and "en anden tjeneste" in answer.get_data(as_text=True)
    assert signed_in_as(client) is None
    nothing_changed(provider)


def test_a_replayed_response_is_refused_whoever_sends_it(app, client, users, org, idp):
    provider = saml_provider(org, idp, client)
    path, fields = answer_from_idp(client, provider, Person("s-1", {EMAIL: users["caseworker"].email}), idp)
    assert client.post(path, data=fields).status_code == 302
    used = db.session.scalars(select(UsedSamlMessage.message_id)).all()
    assert len(used) == 2  # the Response and its Assertion
    client.post("/logout")
    again = client.post(path, data=fields)
    assert again.status_code == 403 and "allerede været brugt" in again.get_data(as_text=True)
    # Another browser, with a request of its own outstanding: still a replay.
    thief = app.test_client()
    thief.get(f"/sso/{provider.id}")
    stolen = thief.post(path, data=fields)
    assert stolen.status_code == 403 and "allerede været brugt" in stolen.get_data(as_text=True)
    assert signed_in_as(client) is None and signed_in_as(thief) is None


def test_a_response_from_another_identity_provider_or_key_is_refused(client, users, org, idp, tmp_path):
    provider = saml_provider(org, idp, client)
    sp_metadata = client.get(f"/sso/{provider.id}/saml/metadata").get_data(as_text=True)
    stranger = SamlIdp(tmp_path / "stranger", name="stranger")
    impostor = SamlIdp(tmp_path / "impostor", name="impostor", entity_id=idp.entity_id)  # same name, other key
    try:
        for other, message in ((stranger, "ikke fra den login-tjeneste"), (impostor, "kunne ikke bekræftes")):
            other.trust(sp_metadata)
            path, _ = answer_from_idp(client, provider)  # fgc's request, as the identity provider got it
            request = idp.requests[-1]["message"]
            forged = other.response(request.id, request.assertion_consumer_service_url, request.issuer.text,
                                    Person("s-1", {EMAIL: users["caseworker"].email}))
            answer = client.post(path, data={"SAMLResponse": forged})
            assert answer.status_code == 403 and message in answer.get_data(as_text=True)
            assert signed_in_as(client) is None
    finally:
        stranger.close()
        impostor.close()
    nothing_changed(provider)


def test_an_unsolicited_response_is_refused(app, client, users, org, idp):
    provider = saml_provider(org, idp, client)
    urls = saml.sp_urls(provider)
    idp.person = Person("s-1", {EMAIL: users["caseworker"].email})
    unsolicited = idp.response(None, urls["acs"], urls["entity_id"])
    answer = client.post(f"/sso/{provider.id}/saml/acs", data={"SAMLResponse": unsolicited})
    assert answer.status_code == 403 and "bad ikke om" in answer.get_data(as_text=True)
    # An answer to a request another browser made.
    path, fields = answer_from_idp(app.test_client(), provider)
    client.get(f"/sso/{provider.id}")  # this browser's own request is another one
    answer = client.post(path, data=fields)
    assert answer.status_code == 403 and "bad ikke om" in answer.get_data(as_text=True)
    assert signed_in_as(client) is None
    nothing_changed(provider)


@pytest.mark.parametrize("posted", [{}, {"SAMLResponse": "not base64 at all!"},
                                    {"SAMLResponse": base64.b64encode(b"<not-saml").decode()},
                                    {"SAMLResponse": base64.b64encode(b"<a><b/></a>").decode()},
                                    {"SAMLResponse": base64.b64encode("æøå".encode("latin-1")).decode()}])
def test_garbage_in_the_response_is_a_clear_refusal(client, users, org, idp, posted):
    provider = saml_provider(org, idp, client)
    client.get(f"/sso/{provider.id}")
    answer = client.post(f"/sso/{provider.id}/saml/acs", data=posted)
    assert answer.status_code == 403 and "kunne ikke læse svaret" in answer.get_data(as_text=True)
    for path in (f"/sso/{provider.id}/saml/slo", f"/sso/{provider.id}/saml/slo?SAMLRequest=garbage",
                 f"/sso/{provider.id}/saml/slo?SAMLResponse=garbage"):
        assert client.get(path).status_code == 403
    nothing_changed(provider)


def test_the_answer_needs_no_session_cookie_only_the_request_cookie(client, users, org, idp):
    """The identity provider posts from another site: the SameSite=Lax session cookie is not
    sent with that POST, so the outstanding request travels in a cookie of its own."""
    provider = saml_provider(org, idp, client)
    path, fields = answer_from_idp(client, provider, Person("s-1", {EMAIL: users["caseworker"].email}), idp)
    assert client.get_cookie(saml.REQUEST_COOKIE, path=f"/sso/{provider.id}/saml/") is not None
    client.delete_cookie("fgc_session")
    assert client.post(path, data=fields).status_code == 302
    assert signed_in_as(client) == str(users["caseworker"].id)
    assert client.get_cookie(saml.REQUEST_COOKIE, path=f"/sso/{provider.id}/saml/") is None  # spent


def test_the_request_cookie_is_sent_cross_site_only_over_https(app, client, org, idp, monkeypatch):
    provider = saml_provider(org, idp, client)
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    cookie = client.get(f"/sso/{provider.id}").headers["Set-Cookie"]
    assert "SameSite=None" in cookie and "Secure" in cookie and "HttpOnly" in cookie


def test_fgc_metadata_is_valid_saml_metadata_at_a_stable_address(client, org, idp):
    provider = saml_provider(org, idp, client)
    first = client.get(f"/sso/{provider.id}/saml/metadata")
    assert first.status_code == 200 and first.mimetype == "application/samlmetadata+xml"
    assert client.get(f"/sso/{provider.id}/saml/metadata").get_data() == first.get_data()
    config = SPConfig()
    config.load({"entityid": "http://reader.test", "xmlsec_binary": "/usr/bin/xmlsec1"})
    store = MetadataStore(None, config)
    store.load("inline", first.get_data(as_text=True))
    entity = f"http://fgc.test/sso/{provider.id}/saml/metadata"
    assert list(store.keys()) == [entity]
    acs = store.assertion_consumer_service(entity, BINDING_HTTP_POST)
    assert [e["location"] for e in acs] == [f"http://fgc.test/sso/{provider.id}/saml/acs"]
    assert store.single_logout_service(entity, None, "spsso")
    assert store.certs(entity, "spsso", "signing") and store.certs(entity, "spsso", "encryption")
    provider.enabled = False  # registered by the IT department before it is put to use
    oidc = make_provider(org, name="Entra ID", oidc_issuer="https://login.example", oidc_client_id="fgc")
    db.session.commit()
    assert client.get(f"/sso/{provider.id}/saml/metadata").get_data() == first.get_data()
    assert client.get(f"/sso/{oidc.id}/saml/metadata").status_code == 404
    assert client.get(f"/sso/{provider.id}").status_code == 404  # but no sign-in starts


def test_the_admin_page_shows_what_the_it_department_registers(client, users, org, idp):
    provider = saml_provider(org, idp, client)
    login(client, users["admin"])
    page = client.get(f"/admin/sign-in/{provider.id}").get_data(as_text=True)
    assert f"http://fgc.test/sso/{provider.id}/saml/metadata" in page
    assert f"http://fgc.test/sso/{provider.id}/saml/acs" in page


def provider_form(**values):
    data = {"name": "Kommunens login", "protocol": "saml", "audience": "staff", "enabled": "y",
            "saml_metadata_url": "", "saml_entity_id": "", "minimum_assurance": "", "version": ""}
    data.update(values)
    return data


def test_the_identity_providers_metadata_is_fetched_from_its_address_when_saved(client, users, org, idp):
    login(client, users["admin"])
    saved = client.post("/admin/sign-in/new", data=provider_form(saml_metadata_url=f"{idp.url}/metadata",
                                                                 email_attribute=EMAIL))
    assert saved.status_code == 302, saved.get_data(as_text=True)
    provider = db.session.scalar(select(IdentityProvider))
    assert idp.entity_id in provider.saml_metadata
    client.post("/logout")
    idp.trust(client.get(f"/sso/{provider.id}/saml/metadata").get_data(as_text=True))
    assert sign_in_through(client, provider, idp, Person("s-1", {EMAIL: users["caseworker"].email})).status_code == 302


@pytest.mark.parametrize("values, upload, message", [
    ({"saml_metadata_url": "http://127.0.0.1:9/metadata"}, None, "kunne ikke hente metadata"),
    ({}, b"<not metadata", "ikke SAML 2.0-metadata"),
    ({}, None, "upload filen eller angiv"),
    ({"saml_entity_id": "https://someone.else/idp"}, "idp", "beskriver ikke identitetsudbyderen"),
])
def test_metadata_that_cannot_be_fetched_or_read_is_a_clear_error_and_nothing_is_saved(
        client, users, idp, values, upload, message):
    login(client, users["admin"])
    data = provider_form(**values)
    if upload is not None:
        import io

        data["saml_metadata_file"] = (io.BytesIO(idp.metadata().encode() if upload == "idp" else upload), "idp.xml")
    answer = client.post("/admin/sign-in/new", data=data, content_type="multipart/form-data")
    assert answer.status_code == 200 and message in answer.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(IdentityProvider)) == 0


def test_single_logout_from_fgc_ends_the_sign_in_at_the_identity_provider(client, users, org, idp):
    provider = saml_provider(org, idp, client)
    sign_in_through(client, provider, idp, Person("s-1", {EMAIL: users["caseworker"].email}))
    out = client.post("/logout")  # a page that goes on by itself (a form may lead only to fgc)
    html = out.get_data(as_text=True)
    location = html.split('http-equiv="refresh" content="0; url=')[1].split('"')[0].replace("&amp;", "&")
    assert out.status_code == 200 and location.startswith(f"{idp.url}/slo?") and f'href="{location}"' in \
        html.replace("&amp;", "&")
    assert signed_in_as(client) is None
    back = requests.get(location, allow_redirects=False, timeout=10)
    sent = idp.logout_requests[-1]
    assert sent["signed"] and sent["message"].name_id.text == "s-1"
    assert back.status_code == 303
    answer = client.get(urlsplit(back.headers["Location"])._replace(scheme="", netloc="").geturl())
    assert answer.status_code == 302 and answer.location.endswith("/login")
    # Signed in with a password, logout stays in fgc.
    login(client, users["caseworker"])
    assert client.post("/logout").location.endswith("/login")


def test_single_logout_from_the_identity_provider_ends_every_fgc_session(app, client, users, org, idp):
    provider = saml_provider(org, idp, client)
    sign_in_through(client, provider, idp, Person("s-1", {EMAIL: users["caseworker"].email}))
    assert client.get("/").status_code == 200
    urls = saml.sp_urls(provider)
    location = idp.logout_request_url(urls["slo"], urls["entity_id"], "s-1")
    answer = client.get(urlsplit(location)._replace(scheme="", netloc="").geturl())
    assert answer.status_code == 302 and answer.location.startswith(f"{idp.url}/slo?SAMLResponse=")
    assert client.get("/").status_code == 302  # signed out
    # An unsigned LogoutRequest is refused and ends nothing.
    sign_in_through(client, provider, idp, Person("s-1", {EMAIL: users["caseworker"].email}))
    unsigned = {k: v for k, v in query(location).items() if k not in ("Signature", "SigAlg")}
    assert client.get(f"/sso/{provider.id}/saml/slo", query_string=unsigned).status_code == 403
    assert client.get("/").status_code == 200


LOA = "https://data.gov.dk/concept/core/nsis/loa"


@pytest.fixture
def family_world(org, users):
    """Two cases; in the first, a family member without e-mail with a printed letter."""
    from tests.network.factories import member
    from tests.plans import factories as plans

    coordinator = users["coordinator"]
    own, other = factories.case(org, coordinator), factories.case(org, coordinator, child_name="Anden Person")
    ane = member(own, "Ane Olsen", email="")
    plans.plan(own, coordinator, state="accepted", commitments=[
        plans.commitment("Ane henter Emma", people=[ane])])
    plans.plan(other, coordinator, state="accepted", commitments=[plans.commitment("Noget helt andet")])
    user, code = plans_services.create_family_account(own, ane, created_by=coordinator)
    db.session.commit()
    return {"user": user, "code": code, "other": other}


def mitid_provider(org, idp, client):
    return saml_provider(org, idp, client, audience=FAMILY_SIGN_IN, subject_attribute=UUID,
                         assurance_attribute=LOA, minimum_assurance="substantial", email_attribute="",
                         name_attribute="")


def test_a_family_member_links_mitid_with_the_letters_code_at_first_sign_in(client, org, idp, family_world):
    provider = mitid_provider(org, idp, client)
    ane, code = family_world["user"], family_world["code"]
    mitid = Person("pid-ane", {UUID: "uuid-ane-1", LOA: "Substantial"})
    asked = sign_in_through(client, provider, idp, mitid)
    requested = idp.requests[-1]["message"].requested_authn_context
    assert requested.authn_context_class_ref[0].text == SUBSTANTIAL and requested.comparison == "minimum"
    assert asked.status_code == 302 and asked.location.endswith(f"/sso/{provider.id}/saml/link")
    assert signed_in_as(client) is None
    form = client.get(f"/sso/{provider.id}/saml/link")
    assert form.status_code == 200 and "koden fra brevet" in form.get_data(as_text=True)
    wrong = client.post(f"/sso/{provider.id}/saml/link", data={"username": ane.email, "code": "WRONG123"})
    assert wrong.status_code == 200 and "ikke rigtig" in wrong.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ExternalIdentity)) == 0
    linked = client.post(f"/sso/{provider.id}/saml/link", data={"username": ane.email.upper(), "code": code.lower()})
    assert linked.status_code == 302 and signed_in_as(client) == str(ane.id)
    identity = db.session.scalar(select(ExternalIdentity))
    assert (identity.subject, identity.user_id) == ("uuid-ane-1", ane.id)
    home = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "Ane henter Emma" in home and "Noget helt andet" not in home
    assert client.get(f"/cases/{family_world['other'].id}").status_code == 403
    # The code is spent, and MitID alone is enough from now on.
    client.post("/logout")
    assert client.get(f"/sso/{provider.id}/saml/link").status_code == 403
    again = sign_in_through(client, provider, idp, mitid)
    assert again.status_code == 302 and signed_in_as(client) == str(ane.id)


def test_the_letter_code_page_needs_a_fresh_mitid_sign_in(client, org, idp, family_world):
    provider = mitid_provider(org, idp, client)
    answer = client.post(f"/sso/{provider.id}/saml/link", data={"username": family_world["user"].email,
                                                                 "code": family_world["code"]})
    assert answer.status_code == 403 and "MitID igen" in answer.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ExternalIdentity)) == 0


def test_mitid_below_the_required_assurance_level_is_refused(client, org, idp, family_world):
    provider = mitid_provider(org, idp, client)
    answer = sign_in_through(client, provider, idp, Person("pid-ane", {UUID: "uuid-ane-1", LOA: "Low"},
                                                           authn_class=f"{NSIS_LOA}/Low"))
    assert answer.status_code == 403 and "sikringsniveau" in answer.get_data(as_text=True)
    assert client.get(f"/sso/{provider.id}/saml/link").status_code == 403
    assert signed_in_as(client) is None


def test_fgc_makes_its_key_pair_once_when_several_workers_start_at_once(app, tmp_path, monkeypatch):
    monkeypatch.delitem(app.config, "SAML_SP_KEY_FILE")
    monkeypatch.delitem(app.config, "SAML_SP_CERT_FILE")
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    found, barrier = [], threading.Barrier(4)

    def worker():
        with app.app_context():
            barrier.wait()
            key, cert = saml.sp_key_pair()
            found.append((open(key).read(), open(cert).read()))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(found) == 4 and len(set(found)) == 1 and "PRIVATE KEY" in found[0][0]
    assert [p.name for p in tmp_path.iterdir()] == ["saml-sp"]
    assert oct((tmp_path / "saml-sp" / "key.pem").stat().st_mode & 0o777) == "0o600"


def test_a_coordinator_gives_a_new_letter_to_link_mitid_to_an_existing_account(client, users, org, idp,
                                                                              family_world):
    provider = mitid_provider(org, idp, client)
    ane = family_world["user"]
    assert plans_services.spend_letter_code(ane.email, family_world["code"]) == ane  # the first letter is used
    db.session.commit()
    member_id = db.session.get(FamilyAccount, ane.id).member_id
    own_case = db.session.get(FamilyAccount, ane.id).member.case_id
    login(client, users["coordinator"])
    assert client.post(f"/cases/{family_world['other'].id}/plan/family/{member_id}/letter").status_code == 404
    letter = client.post(f"/cases/{own_case}/plan/family/{member_id}/letter").get_data(as_text=True)
    code = letter.split('class="code">')[1].split("<")[0]
    assert ane.email in letter and len(code) == 8
    client.post("/logout")
    asked = sign_in_through(client, provider, idp, Person("pid-ane", {UUID: "uuid-ane-2", LOA: "Substantial"}))
    assert asked.location.endswith(f"/sso/{provider.id}/saml/link")
    linked = client.post(f"/sso/{provider.id}/saml/link", data={"username": ane.email, "code": code})
    assert linked.status_code == 302 and signed_in_as(client) == str(ane.id)
