"""Staff sign-in through OpenID Connect (Microsoft Entra ID, or any provider that keeps to
the standard), with Authlib doing the protocol: the authorization code flow with PKCE,
`state` and `nonce` kept in the session and used once, the ID token checked against the
provider's published keys, its issuer, our client id as audience, its times and the nonce.

Nothing a sign-in needs is kept in process memory between the start and the callback:
gunicorn's workers share only the session and the database. A provider's discovery
document and keys are cached per process for a few minutes, which only saves requests.
"""
import time
from urllib.parse import urlencode

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.flask_client import FlaskOAuth2App
from authlib.integrations.flask_client.integration import FlaskIntegration
from authlib.jose.errors import JoseError
from flask import Blueprint, current_app, jsonify, session, url_for

from fgc.core.errors import DomainError
from fgc.extensions import limiter
from fgc.i18n import gettext as _
from fgc.security import public, secret_limit
from fgc.sso import services
from fgc.sso.models import OIDC
from fgc.sso.views import finish, provider_or_404, refuse, refused

bp = Blueprint("oidc", __name__)

SCOPE = "openid email profile"
TIMEOUT_SECONDS = 5  # a provider that does not answer within this is reported as unreachable
CACHE_SECONDS = 300
# Only signatures made with the provider's private key: never "none", never the client
# secret (HS256), whatever the discovery document lists.
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
ENDPOINTS = ("authorization_endpoint", "token_endpoint", "jwks_uri")
USED_METADATA = ENDPOINTS + ("issuer", "userinfo_endpoint", "end_session_endpoint",
                             "id_token_signing_alg_values_supported")
# The session holds the ID token for the provider's logout (`id_token_hint`) unless it is
# so large that it would crowd the session cookie out (some providers put every group in it).
LARGEST_KEPT_ID_TOKEN = 2500
STATE_PREFIX = "_state_oidc"

_discovered = {}  # issuer -> (when fetched, metadata), this process only
_key_sets = {}  # jwks_uri -> (when fetched, key set), this process only


class DiscoveryFailed(Exception):
    """The issuer's discovery document could not be read, or is not the issuer's."""

    def __init__(self, issuer, found_issuer=None):
        super().__init__(issuer)
        self.issuer, self.found_issuer = issuer, found_issuer


def _fetch_json(url):
    response = requests.get(url, timeout=TIMEOUT_SECONDS, allow_redirects=False,
                            headers={"Accept": "application/json"})
    response.raise_for_status()
    return response.json()


def discover(issuer, fresh=False):
    """The issuer's OpenID Connect discovery document: what fgc uses of it, checked to
    name this very issuer. Raises DiscoveryFailed."""
    issuer = (issuer or "").strip().rstrip("/")
    cached = _discovered.get(issuer)
    if cached and not fresh and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    if not issuer.startswith(("https://", "http://")):
        raise DiscoveryFailed(issuer)
    try:
        found = _fetch_json(issuer + "/.well-known/openid-configuration")
    except (requests.RequestException, ValueError) as error:
        raise DiscoveryFailed(issuer) from error
    if not isinstance(found, dict) or not all(isinstance(found.get(name), str) for name in ENDPOINTS + ("issuer",)):
        raise DiscoveryFailed(issuer)
    if found["issuer"].rstrip("/") != issuer:
        raise DiscoveryFailed(issuer, found_issuer=found["issuer"][:200])
    metadata = {name: found[name] for name in USED_METADATA if name in found}
    algorithms = found.get("id_token_signing_alg_values_supported")
    metadata["id_token_signing_alg_values_supported"] = [
        alg for alg in (algorithms if isinstance(algorithms, list) else ["RS256"]) if alg in SIGNING_ALGORITHMS]
    _discovered[issuer] = (time.monotonic(), metadata)
    return metadata


def check_issuer(issuer):
    """Saving a provider: its issuer must answer as one. Raises DomainError, said plainly."""
    try:
        discover(issuer, fresh=True)
    except DiscoveryFailed as error:
        if error.found_issuer:
            raise DomainError(_("The sign-in service at this address calls itself %(issuer)s. Enter exactly that "
                                "as the issuer.", issuer=error.found_issuer)) from None
        raise DomainError(_("fgc could not read the OpenID Connect settings of the issuer %(issuer)s. Check the "
                            "address, and that the service answers, then save again.", issuer=error.issuer)) from None


class _Client(FlaskOAuth2App):
    """Authlib's Flask client for one provider, made for one request from the provider's
    settings (which the administrator may change at any time)."""

    def load_server_metadata(self):
        return self.server_metadata

    def fetch_jwk_set(self, force=False):
        # Authlib asks again with force=True for a key id it does not know: the provider
        # may have rolled its keys over.
        uri = self.server_metadata["jwks_uri"]
        cached = _key_sets.get(uri)
        if cached and not force and time.monotonic() - cached[0] < CACHE_SECONDS:
            return cached[1]
        key_set = _fetch_json(uri)
        _key_sets[uri] = (time.monotonic(), key_set)
        return key_set

    def save_authorize_data(self, **kwargs):
        # One sign-in at a time per browser, and no more than it needs in the cookie.
        _forget_pending()
        kwargs.pop("url", None)
        super().save_authorize_data(**kwargs)


def _forget_pending():
    for key in [key for key in session if key.startswith(STATE_PREFIX)]:
        session.pop(key)


def _client(provider, metadata):
    name = f"oidc{provider.id}"  # a state is good only at the callback of the provider it was made for
    return _Client(FlaskIntegration(name), name=name, client_id=provider.oidc_client_id,
                   client_secret=provider.oidc_client_secret or None,
                   client_kwargs={"scope": SCOPE, "code_challenge_method": "S256",
                                  "token_endpoint_auth_method": "client_secret_basic",
                                  "default_timeout": TIMEOUT_SECONDS},
                   **metadata)


def _public_url(endpoint, **values):
    """An address of fgc the provider knows it by: registered there, so it cannot follow the request's host."""
    return current_app.config["PUBLIC_URL"] + url_for(endpoint, **values)


def redirect_uri(provider):
    return _public_url("oidc.callback", provider_id=provider.id)


def _unreachable(provider):
    return refused(_("fgc could not reach %(name)s just now. Try again in a few minutes, or sign in with your "
                     "e-mail address and password.", name=provider.name), 502)


def start(provider):
    """On to the provider's sign-in page."""
    try:
        metadata = discover(provider.oidc_issuer)
    except DiscoveryFailed:
        return _unreachable(provider)
    return _client(provider, metadata).authorize_redirect(redirect_uri(provider))


def _not_verified(provider):
    return _("The answer from %(name)s could not be verified, so you are not signed in. Start again from the "
             "sign-in page; if it happens again, contact your administrator.", name=provider.name)


def _claim(claims, name):
    value = claims.get(name)
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return str(value).strip()
    return ""


def _roles(value):
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(str(item) for item in value if isinstance(item, (str, int)))
    return ()


def assertion_from(provider, claims):
    """What the provider said, by the claim names the administrator set."""
    return services.Assertion(
        subject=_claim(claims, provider.subject_attribute or "sub"),
        email=_claim(claims, provider.email_attribute or "email"),
        name=_claim(claims, provider.name_attribute or "name"),
        roles=_roles(claims.get(provider.roles_attribute or "roles")),
        assurance=_claim(claims, provider.assurance_attribute or "acr"),
        attributes=dict(claims))


def _with_userinfo(provider, client, token, claims):
    """The ID token's claims, with what the userinfo endpoint adds when the ID token lacks
    a claim the provider's settings name. The ID token wins; another subject's answer is ignored."""
    named = [provider.subject_attribute, provider.email_attribute or "email", provider.name_attribute or "name",
             provider.roles_attribute]
    if all(not name or name in claims for name in named) or "userinfo_endpoint" not in client.server_metadata:
        return claims
    try:
        extra = client.userinfo(token=token)
    except (OAuthError, requests.RequestException, ValueError):
        return claims
    if extra.get("sub") != claims.get("sub"):
        return claims
    return {**extra, **claims}


@bp.route("/sso/<int:provider_id>/oidc/callback")
@public
@limiter.limit(secret_limit)
def callback(provider_id):
    """The provider sends the browser back here with a code, or with an error."""
    provider = provider_or_404(provider_id, OIDC)
    try:
        metadata = discover(provider.oidc_issuer)
    except DiscoveryFailed:
        _forget_pending()
        return _unreachable(provider)
    client = _client(provider, metadata)
    # Authlib checks the signature, times, nonce and authorized party itself; the issuer and
    # our client id among the audience only when told to.
    required = {"iss": {"essential": True, "values": [metadata["issuer"]]},
                "aud": {"essential": True, "values": [provider.oidc_client_id]},
                "sub": {"essential": True}, "exp": {"essential": True}, "iat": {"essential": True}}
    try:
        token = client.authorize_access_token(claims_options=required)
    except OAuthError as error:
        if error.error == "mismatching_state":
            return refuse(provider, reason="state", message=_(
                "This sign-in has already been used, has expired or was not started here. Start again from the "
                "sign-in page."))
        if error.error == "access_denied":
            return refuse(provider, reason="access_denied", message=_(
                "The sign-in was cancelled or refused at %(name)s.", name=provider.name))
        return refuse(provider, reason="provider_error", message=_(
            "%(name)s did not confirm the sign-in. Start again from the sign-in page.", name=provider.name))
    except (JoseError, ValueError) as error:  # the ID token: signature, key, issuer, audience, times, nonce
        return refuse(provider, reason=f"id_token:{type(error).__name__}", message=_not_verified(provider))
    except requests.RequestException:
        return _unreachable(provider)
    finally:
        _forget_pending()
    if not isinstance(token.get("userinfo"), dict):  # no ID token: nothing was verified
        return refuse(provider, reason="no_id_token", message=_not_verified(provider))
    claims = _with_userinfo(provider, client, token, dict(token["userinfo"]))
    response = finish(provider, assertion_from(provider, claims))
    if getattr(response, "status_code", None) == 302:  # signed in: kept for the provider's logout
        id_token = token.get("id_token", "")
        session["oidc_id_token"] = id_token if len(id_token) <= LARGEST_KEPT_ID_TOKEN else ""
    return response


def logout(provider, ended):
    """Single logout: fgc's session has ended (`ended` is what it held); the address of the
    provider's end-session endpoint, which sends the browser back to fgc's sign-in page. None
    when the provider has no such endpoint or cannot be reached (fgc's own logout stands)."""
    try:
        endpoint = discover(provider.oidc_issuer).get("end_session_endpoint")
    except DiscoveryFailed:
        return None
    if not isinstance(endpoint, str) or not endpoint.startswith(("https://", "http://")):
        return None
    params = {"client_id": provider.oidc_client_id, "post_logout_redirect_uri": _public_url("auth.login")}
    if ended.get("oidc_id_token"):
        params["id_token_hint"] = ended["oidc_id_token"]
    return endpoint + ("&" if "?" in endpoint else "?") + urlencode(params)


@bp.route("/sso/<int:provider_id>/oidc/metadata")
@public
def metadata(provider_id):
    """What the municipality's IT registers for fgc at the provider (RFC 7591 client metadata)."""
    provider = provider_or_404(provider_id, OIDC, in_use=False)
    return jsonify({
        "client_name": provider.name,
        "client_id": provider.oidc_client_id,
        "redirect_uris": [redirect_uri(provider)],
        "post_logout_redirect_uris": [_public_url("auth.login")],
        "grant_types": ["authorization_code"],
        "response_types": ["code"],
        "scope": SCOPE,
        "token_endpoint_auth_method": "client_secret_basic",
        "id_token_signed_response_alg": "RS256",
        "application_type": "web",
    })
