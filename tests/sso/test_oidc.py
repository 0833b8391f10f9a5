"""Staff sign-in through OpenID Connect, against a real provider on loopback: the code
flow with PKCE, state and nonce, the ID token verified by fgc, claims mapped to a user and
a role, every forged or replayed answer refused, single logout, and the settings the
municipality's IT registers."""
import socket
import time
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import select

from fgc.auth.models import User
from fgc.core.audit import AuditEntry
from fgc.extensions import db
from fgc.sso import oidc
from fgc.sso.models import ExternalIdentity, IdentityProvider
from tests import factories
from tests.sso.factories import provider
from tests.sso.oidc_op import new_key, query, sign, unverified

ROLE_MAP = "fgc-koordinator = coordinator\nfgc-admin = admin\n* = caseworker"
NOT_VERIFIED = "kunne ikke bekræftes"


def path(url):
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


@pytest.fixture
def idp(app, org, op):
    """An OpenID Connect provider of the organisation, registered at the real provider."""
    made = provider(org, name="Kommunens Entra ID", oidc_issuer=op.issuer, roles_attribute="roles",
                    role_map=ROLE_MAP)
    made.oidc_client_id, made.oidc_client_secret = register(app, op, made)
    db.session.commit()
    return made


def register(app, op, made):
    with app.test_request_context():
        return op.register(oidc.redirect_uri(made))


def start(client, op, idp, sub, **claims):
    """The sign-in button, then the provider's form: where the provider sends the browser back."""
    op.set_user(sub, **claims)
    response = client.get(f"/sso/{idp.id}")
    assert response.status_code == 302 and response.location.startswith(op.issuer + "/oauth2/authorize")
    return op.authorize(response.location, sub)


def sign_in_at(client, op, idp, sub, **claims):
    return client.get(path(start(client, op, idp, sub, **claims)))


def signed_in(client):
    return client.get("/cases").status_code == 200


def failures(idp):
    return db.session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "user.sign_in_failed")).all()


def test_the_sign_in_button_asks_for_a_code_with_pkce_state_and_nonce(client, op, idp):
    location = client.get(f"/sso/{idp.id}").location
    asked = query(location)
    assert asked["response_type"] == "code" and asked["client_id"] == idp.oidc_client_id
    assert asked["redirect_uri"] == f"http://fgc.test/sso/{idp.id}/oidc/callback"
    assert asked["code_challenge_method"] == "S256" and len(asked["code_challenge"]) >= 43
    assert len(asked["state"]) >= 20 and len(asked["nonce"]) >= 20
    assert set(asked["scope"].split()) == {"openid", "email", "profile"}


def test_a_staff_member_signs_in_as_themselves_with_the_role_their_claims_map_to(client, op, idp, users):
    caseworker = users["caseworker"]
    response = sign_in_at(client, op, idp, "entra-oid-1", email=caseworker.email.upper(), name="Sagsbehandler",
                          roles=["andet", "fgc-koordinator"])
    assert response.status_code == 302 and "/login" not in response.location
    assert signed_in(client)
    db.session.expire_all()
    assert caseworker.role == "coordinator"
    identity = db.session.scalars(select(ExternalIdentity)).one()
    assert (identity.subject, identity.user_id, identity.provider_id) == ("entra-oid-1", caseworker.id, idp.id)
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.signed_in")).detail == "oidc"
    # Next time the identity decides, whatever the e-mail now says; the role follows the claims.
    client.post("/logout")
    assert sign_in_at(client, op, idp, "entra-oid-1", email="changed@kommune.dk", roles=["fgc-admin"]).status_code == 302
    db.session.expire_all()
    assert caseworker.role == "admin" and signed_in(client)


def test_an_administrator_without_authenticator_codes_is_not_sent_to_set_them_up_after_single_sign_on(
        client, op, idp, users, login_as):
    """The sign-in service answers for its own second factor; a password sign-in still needs fgc's."""
    admin = users["admin"]
    admin.totp_secret = None
    db.session.commit()
    assert sign_in_at(client, op, idp, "entra-admin", email=admin.email, roles=["fgc-admin"]).status_code == 302
    assert client.get("/admin/users").status_code == 200
    client.post("/logout")
    assert client.post("/login", data={"email": admin.email, "password": factories.PASSWORD}).status_code == 302
    assert client.get("/admin/users").location.endswith("/account/two-factor")


def test_the_claim_names_are_the_providers_settings(client, op, idp, users):
    idp.subject_attribute, idp.email_attribute, idp.roles_attribute = "oid", "upn", "groups"
    db.session.commit()
    coordinator = users["coordinator"]
    assert sign_in_at(client, op, idp, "pairwise-sub", oid="object-id-7", upn=coordinator.email,
                      groups="fgc-admin").status_code == 302
    identity = db.session.scalars(select(ExternalIdentity)).one()
    assert identity.subject == "object-id-7" and identity.user_id == coordinator.id
    db.session.expire_all()
    assert coordinator.role == "admin"


def test_a_first_sign_in_makes_an_account_only_where_the_organisation_allows_it(client, op, idp):
    response = sign_in_at(client, op, idp, "new-1", email="ny@kommune.dk", name="Ny Medarbejder",
                          roles=["fgc-koordinator"])
    assert response.status_code == 403 and "ingen konto" in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "ny@kommune.dk")) is None
    assert not signed_in(client)
    idp.create_users = True
    db.session.commit()
    assert sign_in_at(client, op, idp, "new-1", email="ny@kommune.dk", name="Ny Medarbejder",
                      roles=["fgc-koordinator"]).status_code == 302
    made = db.session.scalar(select(User).where(User.email == "ny@kommune.dk"))
    assert (made.name, made.role, made.organisation_id, made.password_hash) == (
        "Ny Medarbejder", "coordinator", idp.organisation_id, None)
    assert signed_in(client)


def test_a_deactivated_user_is_refused(client, op, idp, users):
    users["caseworker"].active = False
    db.session.commit()
    response = sign_in_at(client, op, idp, "entra-2", email=users["caseworker"].email, roles=["x"])
    assert response.status_code == 403 and "deaktiveret" in response.get_data(as_text=True)
    assert not signed_in(client) and db.session.scalars(select(ExternalIdentity)).first() is None
    assert f"oidc:{idp.id}" in failures(idp)


def _tampered(header, claims, key):
    token = sign(header, claims, key)
    head, _payload, signature = token.split(".")
    _h, payload, _s = sign(header, {**claims, "sub": "someone-else"}, key).split(".")
    return ".".join((head, payload, signature))


ATTACKS = {
    "tampered claims, the provider's signature kept": _tampered,
    "signed by another key under the provider's key id": lambda h, c, k: sign(h, c, new_key(h["kid"])),
    "signed by a key not in the provider's key set": lambda h, c, k: sign({**h, "kid": "rogue"}, c, new_key("rogue")),
    "expired": lambda h, c, k: sign(h, {**c, "iat": int(time.time()) - 7200, "exp": int(time.time()) - 3600}, k),
    "issued in the future": lambda h, c, k: sign(h, {**c, "iat": int(time.time()) + 3600}, k),
    "for another client": lambda h, c, k: sign(h, {**c, "aud": "another-client"}, k),
    "for another client, naming fgc its authorized party": lambda h, c, k: sign(
        h, {**c, "aud": ["another-client"], "azp": c["aud"] if isinstance(c["aud"], str) else c["aud"][0]}, k),
    "without an expiry": lambda h, c, k: sign(h, {n: v for n, v in c.items() if n != "exp"}, k),
    "from another issuer": lambda h, c, k: sign(h, {**c, "iss": "https://login.evil.example/v2.0"}, k),
    "with another nonce": lambda h, c, k: sign(h, {**c, "nonce": "not-the-one-fgc-sent"}, k),
    "without a nonce": lambda h, c, k: sign(h, {n: v for n, v in c.items() if n != "nonce"}, k),
    "signed with the client secret (HS256)": None,  # filled in by the test: it needs the secret
}


# Why Authlib refused each: the test fails if a forgery is refused for some other reason.
REASONS = {
    "tampered claims, the provider's signature kept": "BadSignatureError",
    "signed by another key under the provider's key id": "BadSignatureError",
    "signed by a key not in the provider's key set": "ValueError",  # no such key, even after fetching them again
    "expired": "ExpiredTokenError",
    "issued in the future": "InvalidTokenError",
    "for another client": "InvalidClaimError",
    "for another client, naming fgc its authorized party": "InvalidClaimError",
    "without an expiry": "MissingClaimError",
    "from another issuer": "InvalidClaimError",
    "with another nonce": "InvalidClaimError",
    "without a nonce": "MissingClaimError",
    "signed with the client secret (HS256)": "UnsupportedAlgorithmError",
}


@pytest.mark.parametrize("attack", ATTACKS)
def test_a_forged_id_token_is_refused_and_changes_nothing(client, op, idp, users, attack):
    secret = idp.oidc_client_secret.encode()
    forge = ATTACKS[attack] or (lambda h, c, k: sign({"alg": "HS256"}, c, secret))
    op.forge = forge
    response = sign_in_at(client, op, idp, "entra-3", email=users["coordinator"].email, roles=["fgc-admin"])
    assert response.status_code == 403 and NOT_VERIFIED in response.get_data(as_text=True), attack
    assert op.forge is None  # the forged token was the one handed out
    assert not signed_in(client)
    assert db.session.scalars(select(ExternalIdentity)).first() is None
    db.session.expire_all()
    assert users["coordinator"].role == "coordinator"
    assert failures(idp) == [f"oidc:{idp.id}:id_token:{REASONS[attack]}"]


def test_an_unforged_token_through_the_same_path_is_accepted(client, op, idp, users):
    """The forging path itself changes nothing when it re-signs honestly: the refusals above are the checks'."""
    op.forge = lambda h, c, k: sign(h, c, k)
    assert sign_in_at(client, op, idp, "entra-4", email=users["coordinator"].email, roles=["x"]).status_code == 302
    assert signed_in(client)


def test_a_replayed_callback_is_refused(app, client, op, idp, users):
    back = start(client, op, idp, "entra-5", email=users["caseworker"].email, roles=["x"])
    before = client.get_cookie("fgc_session").value  # the session as it was while the sign-in was pending
    assert client.get(path(back)).status_code == 302
    client.post("/logout")
    again = client.get(path(back))  # this browser has used its state
    assert again.status_code == 403 and "allerede brugt" in again.get_data(as_text=True)
    copied = app.test_client()  # a copy of the old session cookie still holds the state: the code is spent
    copied.set_cookie("fgc_session", before)
    replay = copied.get(path(back))
    assert replay.status_code == 403 and not signed_in(copied)
    assert f"oidc:{idp.id}:state" in failures(idp) and f"oidc:{idp.id}:provider_error" in failures(idp)


def test_a_state_made_for_another_provider_is_refused(app, client, op, idp, org, users):
    other = provider(org, name="Anden", oidc_issuer=op.issuer)
    other.oidc_client_id, other.oidc_client_secret = register(app, op, other)
    db.session.commit()
    back = start(client, op, idp, "entra-6", email=users["caseworker"].email, roles=["x"])
    response = client.get(path(back).replace(f"/sso/{idp.id}/", f"/sso/{other.id}/"))
    assert response.status_code == 403 and not signed_in(client)


def test_an_error_from_the_provider_is_refused_plainly(client, op, idp):
    location = client.get(f"/sso/{idp.id}").location
    back = op.deny(location)
    assert query(back)["error"] == "access_denied"
    response = client.get(path(back))
    assert response.status_code == 403 and "afbrudt eller afvist" in response.get_data(as_text=True)
    assert f"oidc:{idp.id}:access_denied" in failures(idp)
    # The state of the refused attempt is spent too.
    assert client.get(path(back).replace("error=access_denied", "code=abc")).status_code == 403


@pytest.mark.parametrize("params", [
    "", "?code=abc", "?state=unknown&code=abc", "?state=&code=", "?error=server_error",
    "?state=" + "A" * 5000 + "&code=" + "B" * 5000, "?state=%00%ff&code=%c3%28", "?error=%3Cscript%3E&state=x",
    "?code=a&code=b&state=c&state=d",
])
def test_a_callback_with_no_known_state_or_with_garbage_is_refused(client, idp, params):
    client.get(f"/sso/{idp.id}")  # a sign-in is pending in this browser: none of these is its answer
    response = client.get(f"/sso/{idp.id}/oidc/callback{params}")
    assert response.status_code == 403, params
    assert '<html lang="da">' in response.get_data(as_text=True)
    assert not signed_in(client)


def test_the_callback_of_an_unknown_or_disabled_provider_is_not_found(client, idp, org):
    disabled = provider(org, enabled=False, oidc_issuer=idp.oidc_issuer)
    db.session.commit()
    assert client.get(f"/sso/{disabled.id}/oidc/callback?state=x&code=y").status_code == 404
    assert client.get("/sso/999999/oidc/callback").status_code == 404
    assert client.post(f"/sso/{idp.id}/oidc/callback", data={"state": "x"}).status_code == 405


def test_an_unreachable_provider_is_said_plainly(client, org):
    down = provider(org, name="Nede", oidc_issuer="http://127.0.0.1:9", oidc_client_id="fgc")
    db.session.commit()
    response = client.get(f"/sso/{down.id}")
    assert response.status_code == 502 and "kunne ikke få forbindelse" in response.get_data(as_text=True)


def test_the_client_metadata_is_stable_json(client, idp):
    expected = {
        "application_type": "web",
        "client_id": idp.oidc_client_id,
        "client_name": "Kommunens Entra ID",
        "grant_types": ["authorization_code"],
        "id_token_signed_response_alg": "RS256",
        "post_logout_redirect_uris": ["http://fgc.test/login"],
        "redirect_uris": [f"http://fgc.test/sso/{idp.id}/oidc/callback"],
        "response_types": ["code"],
        "scope": "openid email profile",
        "token_endpoint_auth_method": "client_secret_basic",
    }
    first = client.get(f"/sso/{idp.id}/oidc/metadata")
    assert first.status_code == 200 and first.mimetype == "application/json"
    assert first.get_json() == expected
    assert client.get(f"/sso/{idp.id}/oidc/metadata").data == first.data
    assert "secret" not in first.get_data(as_text=True).replace("client_secret_basic", "")


def test_the_providers_page_shows_what_the_it_department_registers(client, idp, users, login_as):
    login_as(users["admin"])
    page = client.get(f"/admin/sign-in/{idp.id}").get_data(as_text=True)
    assert f"http://fgc.test/sso/{idp.id}/oidc/callback" in page
    assert f"/sso/{idp.id}/oidc/metadata" in page and "http://fgc.test/login" in page


def test_signing_out_signs_out_at_the_provider_too(client, op, idp, users):
    assert sign_in_at(client, op, idp, "entra-7", email=users["caseworker"].email, roles=["x"]).status_code == 302
    id_token = op.issued[-1]
    page = client.post("/logout")
    assert page.status_code == 200 and not signed_in(client)
    html = page.get_data(as_text=True)
    assert "Du er logget ud" in html and "Kommunens Entra ID" in html
    url = html.split('http-equiv="refresh" content="0; url=')[1].split('"')[0].replace("&amp;", "&")
    assert url.startswith(op.issuer + "/oauth2/end_session?")
    assert query(url) == {"client_id": idp.oidc_client_id, "id_token_hint": id_token,
                          "post_logout_redirect_uri": "http://fgc.test/login"}
    assert unverified(id_token)[1]["sub"] == "entra-7"
    # The provider ends its session and sends the browser back to fgc's sign-in page.
    form = requests.get(url, timeout=5)
    assert form.status_code == 200
    back = requests.post(f"{op.issuer}/oauth2/end_session/confirm", data={"redirect_uri": query(url)[
        "post_logout_redirect_uri"]}, allow_redirects=False, timeout=5)
    assert back.headers["Location"] == "http://fgc.test/login"


def test_signing_out_after_a_password_sign_in_stays_in_fgc(client, idp, users, login_as):
    login_as(users["caseworker"])
    response = client.post("/logout")
    assert response.status_code == 302 and response.location == "/login"


@pytest.fixture
def admin_client(client, users, login_as):
    return login_as(users["admin"])


def _new_provider(client, issuer):
    return client.post("/admin/sign-in/new", data={
        "name": "Entra ID", "protocol": "oidc", "audience": "staff", "enabled": "y", "oidc_issuer": issuer,
        "oidc_client_id": "fgc", "oidc_client_secret": "s3cret", "minimum_assurance": ""})


def test_saving_an_oidc_provider_checks_that_its_issuer_answers(admin_client, op):
    assert _new_provider(admin_client, op.issuer).status_code == 302
    saved = db.session.scalars(select(IdentityProvider)).one()
    assert saved.oidc_issuer == op.issuer


@pytest.mark.parametrize("issuer", ["http://127.0.0.1:9/tenant/v2.0", "{op}/no/such/tenant"])
def test_an_issuer_that_does_not_answer_is_refused_and_nothing_is_saved(admin_client, op, issuer):
    response = _new_provider(admin_client, issuer.format(op=op.issuer))
    assert response.status_code == 200
    assert "kunne ikke læse OpenID Connect-indstillingerne" in response.get_data(as_text=True)
    assert db.session.scalars(select(IdentityProvider)).first() is None


def test_an_issuer_that_never_answers_times_out(admin_client, monkeypatch):
    monkeypatch.setattr(oidc, "TIMEOUT_SECONDS", 0.5)
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()  # accepts the connection, never answers
    try:
        began = time.monotonic()
        response = _new_provider(admin_client, f"http://127.0.0.1:{silent.getsockname()[1]}")
        assert time.monotonic() - began < 5
    finally:
        silent.close()
    assert response.status_code == 200 and db.session.scalars(select(IdentityProvider)).first() is None
