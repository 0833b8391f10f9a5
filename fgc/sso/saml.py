"""SAML 2.0 sign-in: KOMBIT's Context Handler for staff, NemLog-in (MitID, OIOSAML 3) for
family members, or any SAML identity provider.

pysaml2 (with xmlsec1) builds, signs and verifies every message; nothing here touches an
XML signature. fgc is one service provider per identity provider, with a stable entity id
(its metadata address) and one key pair for signing and decryption.

The outstanding request travels in a signed cookie of its own rather than the session:
the identity provider posts its answer from another site, and the session cookie
(SameSite=Lax) is not sent with such a POST. Used Response and Assertion ids are kept in
the database, which every worker shares, so a replay is refused by all of them.
"""
import base64
import logging
import os
import shutil
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from flask import (Blueprint, Response, current_app, redirect, render_template, request, session,
                   url_for)
from flask_login import current_user, logout_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, SAMLError, samlp
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import entity_descriptor
from saml2.response import UnsolicitedResponse
from saml2.saml import AuthnContextClassRef, NameID
from saml2.samlp import RequestedAuthnContext
from saml2.sigver import SigverError
from saml2.validate import ResponseLifetimeExceed, ToEarly
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from fgc.auth import services as auth_services
from fgc.core import audit
from fgc.core.errors import DomainError
from fgc.core.models import utcnow
from fgc.extensions import csrf, db, limiter
from fgc.i18n import gettext as _, lazy_gettext as _l
from fgc.plans import services as plans_services
from fgc.security import hold, held, public, secret_limit
from fgc.sso import services
from fgc.sso.forms import LinkFamilyForm
from fgc.sso.models import SAML, ExternalIdentity, UsedSamlMessage
from fgc.sso.views import finish, provider_or_404, refuse, refused

bp = Blueprint("saml", __name__)
log = logging.getLogger(__name__)

REQUEST_COOKIE = "fgc_saml_request"
REQUEST_MAX_AGE = 10 * 60  # seconds a person has at the identity provider
LINK_MAX_AGE = 10 * 60  # seconds to enter the letter's code after MitID
METADATA_TIMEOUT = 10  # seconds to fetch an identity provider's metadata
CLOCK_SKEW = 60  # seconds of difference between the provider's clock and ours
NSIS_LOA = "https://data.gov.dk/concept/core/nsis/loa/"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"

# Each refusal says what happened, without details an attacker could use.
NOT_VERIFIED = _l("The answer from the sign-in service could not be verified, so you are not signed in. "
                  "Try again from the sign-in page.")
EXPIRED = _l("The answer from the sign-in service has expired. Sign in again.")
WRONG_AUDIENCE = _l("The answer from the sign-in service was meant for another service. Sign in again.")
REPLAYED = _l("This answer from the sign-in service has already been used. Sign in again.")
UNKNOWN_ISSUER = _l("The answer did not come from the sign-in service fgc trusts. Sign in again.")
UNSOLICITED = _l("fgc did not ask for this sign-in, or it took too long. Start again from the sign-in page.")
NOT_UNDERSTOOD = _l("fgc could not read the answer from the sign-in service. Start again from the sign-in "
                    "page.")


class Refusal(Exception):
    def __init__(self, message, reason):
        super().__init__(reason)
        self.message, self.reason = message, reason


# --- fgc's identity as a service provider -------------------------------------------------

def sp_key_pair():
    """(key file, certificate file) fgc signs and decrypts with: the configured ones
    (SAML_SP_KEY_FILE, SAML_SP_CERT_FILE), or a self-signed pair made once in the
    instance folder. Several workers may start at once: the pair is written to a folder
    of its own and renamed into place, which only one of them can do."""
    key, cert = current_app.config.get("SAML_SP_KEY_FILE"), current_app.config.get("SAML_SP_CERT_FILE")
    if key and cert:
        return str(key), str(cert)
    folder = Path(current_app.instance_path) / "saml-sp"
    if not (folder / "cert.pem").exists():
        folder.parent.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=".saml-sp-", dir=folder.parent))
        _write_key_pair(scratch, current_app.config.get("PUBLIC_URL", "fgc"))
        try:
            os.rename(scratch, folder)  # atomic; fails if another worker was first
        except OSError:
            shutil.rmtree(scratch, ignore_errors=True)
    return str(folder / "key.pem"), str(folder / "cert.pem")


def _write_key_pair(folder, public_url):
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, (urlsplit(public_url).hostname or "fgc")[:64])])
    now = datetime.now(timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=3650)).sign(key, hashes.SHA256()))
    key_path = folder / "key.pem"
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    key_path.chmod(0o600)
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))


@bp.app_template_global("saml_sp_urls")
def sp_urls(provider):
    """What the municipality's IT registers: fgc's entity id (= metadata address), the
    assertion consumer service and the single logout service."""
    base = f"{current_app.config['PUBLIC_URL']}/sso/{provider.id}/saml"
    return {"entity_id": f"{base}/metadata", "acs": f"{base}/acs", "slo": f"{base}/slo"}


def _config(provider, metadata=None):
    key, cert = sp_key_pair()
    urls = sp_urls(provider)
    settings = {
        "entityid": urls["entity_id"],
        "xmlsec_binary": shutil.which("xmlsec1") or "/usr/bin/xmlsec1",
        "key_file": key,
        "cert_file": cert,
        "encryption_keypairs": [{"key_file": key, "cert_file": cert}],
        "allow_unknown_attributes": True,
        "accepted_time_diff": CLOCK_SKEW,
        "service": {"sp": {
            "name": "fgc",
            "endpoints": {
                "assertion_consumer_service": [(urls["acs"], BINDING_HTTP_POST)],
                "single_logout_service": [(urls["slo"], BINDING_HTTP_REDIRECT)],
            },
            "allow_unsolicited": False,
            "want_response_signed": False,
            "want_assertions_signed": False,
            "want_assertions_or_response_signed": True,
            "authn_requests_signed": True,
            "logout_requests_signed": True,
            "signing_algorithm": RSA_SHA256,
            "digest_algorithm": "http://www.w3.org/2001/04/xmlenc#sha256",
        }},
    }
    metadata = provider.saml_metadata if metadata is None else metadata
    if metadata:
        settings["metadata"] = {"inline": [metadata]}
    config = SPConfig()
    config.load(settings)
    return config


def sp_metadata(provider):
    """fgc's SAML metadata for this provider (unsigned): what the IT department registers."""
    descriptor = entity_descriptor(_config(provider, metadata=""))
    return str(descriptor)


# --- the identity provider's metadata -------------------------------------------------------

def checked_metadata(provider, uploaded=""):
    """The identity provider's metadata to keep for `provider`: `uploaded`, or fetched from
    its metadata address, or the one kept already; checked to name the provider's IdP
    with a sign-in service and a signing certificate. Raises DomainError, saying why."""
    metadata = uploaded
    if not metadata and provider.saml_metadata_url:
        try:
            answer = requests.get(provider.saml_metadata_url, timeout=METADATA_TIMEOUT)
            answer.raise_for_status()
            metadata = answer.content.decode("utf-8")
        except (requests.RequestException, UnicodeDecodeError, ValueError) as error:
            log.info("SAML metadata from %s: %s", provider.saml_metadata_url, error)
            raise DomainError(_l("fgc could not fetch the metadata from %(url)s. Check the address, or "
                                 "upload the metadata file.", url=provider.saml_metadata_url)) from None
    metadata = metadata or provider.saml_metadata
    if not metadata.strip():
        raise DomainError(_l("SAML needs the identity provider's metadata: upload the file or give its "
                             "address."))
    try:
        config = _config(provider, metadata=metadata)
        entities = config.metadata.identity_providers()
    except Exception as error:  # noqa: BLE001 - pysaml2 and xmlschema raise many kinds
        log.info("SAML metadata not read: %s", error)
        raise DomainError(_l("The metadata is not SAML 2.0 metadata fgc can read.")) from None
    entity = _pick_entity(provider, entities)
    if entity is None:
        if provider.saml_entity_id:
            raise DomainError(_l("The metadata does not describe the identity provider %(entity)s.",
                                 entity=provider.saml_entity_id))
        raise DomainError(_l("The metadata describes no identity provider, or several: enter the entity id "
                             "of the one to use."))
    if not config.metadata.single_sign_on_service(entity, BINDING_HTTP_REDIRECT) or \
            not config.metadata.certs(entity, "idpsso", "signing"):
        raise DomainError(_l("The identity provider in the metadata has no sign-in service for "
                             "HTTP-Redirect, or no signing certificate."))
    return metadata


def _pick_entity(provider, entities):
    entities = list(entities)
    if provider.saml_entity_id:
        return provider.saml_entity_id if provider.saml_entity_id in entities else None
    return entities[0] if len(entities) == 1 else None


def _client(provider):
    """A pysaml2 client for the provider, and its identity provider's entity id."""
    config = _config(provider)
    entity = _pick_entity(provider, config.metadata.identity_providers())
    if entity is None:
        raise SAMLError("the provider's metadata names no usable identity provider")
    return Saml2Client(config), entity


# --- sign-in ---------------------------------------------------------------------------------

def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="fgc.saml.request")


def start(provider):
    """The AuthnRequest, by HTTP-Redirect; signed when the identity provider asks for that.
    Family providers and any provider with a lowest assurance level ask for that level."""
    try:
        client, entity = _client(provider)
        wants_signed = _wants_signed_requests(client, entity)
        extra = {}
        if provider.minimum_assurance:
            extra["requested_authn_context"] = RequestedAuthnContext(
                authn_context_class_ref=[AuthnContextClassRef(text=NSIS_LOA + provider.minimum_assurance.title())],
                comparison="minimum")
        request_id, info = client.prepare_for_authenticate(
            entityid=entity, binding=BINDING_HTTP_REDIRECT, sign=wants_signed,
            sigalg=RSA_SHA256 if wants_signed else None, **extra)
    except Exception:  # noqa: BLE001 - broken metadata must not become a 500
        log.exception("SAML AuthnRequest for provider %s", provider.id)
        return refused(_("This sign-in service is not set up correctly. Contact your administrator."), 503)
    location = dict(info["headers"])["Location"]
    response = redirect(location)
    state = _serializer().dumps({"provider": provider.id, "request": request_id,
                                 "next": session.get("sso_next"), "locale": session.get("locale")})
    # SameSite=None: the identity provider's answer is a POST from its own site.
    secure = current_app.config.get("SESSION_COOKIE_SECURE", True)
    response.set_cookie(REQUEST_COOKIE, state, max_age=REQUEST_MAX_AGE, path=f"/sso/{provider.id}/saml/",
                        secure=secure, httponly=True, samesite="None" if secure else "Lax")
    return response


def _wants_signed_requests(client, entity):
    descriptor = client.metadata[entity].get("idpsso_descriptor") or [{}]
    return any(str(d.get("want_authn_requests_signed", "")).lower() == "true" for d in descriptor)


def _refuse(provider, refusal):
    response = current_app.make_response(refuse(provider, refusal.message, refusal.reason))
    response.delete_cookie(REQUEST_COOKIE, path=f"/sso/{provider.id}/saml/")
    return response


@bp.route("/sso/<int:provider_id>/saml/acs", methods=["POST"])
@public
@csrf.exempt  # the identity provider posts it; the signed response and InResponseTo protect it
def acs(provider_id):
    """The AssertionConsumerService (HTTP-POST)."""
    provider = provider_or_404(provider_id, SAML)
    try:
        answer = _verified_answer(provider)
    except Refusal as refusal:
        return _refuse(provider, refusal)
    state, verified = answer
    if state.get("locale"):
        session["locale"] = state["locale"]
    session["sso_next"] = state.get("next")
    assertion = _assertion(provider, verified)
    response = finish(provider, assertion, not_linked=_ask_for_letter_code)
    if current_user.is_authenticated and session.get("sso_provider") == provider.id:
        # What a LogoutRequest to the identity provider will need.
        session["saml_name_id"] = verified.name_id.text if verified.name_id is not None else ""
        session["saml_name_id_format"] = getattr(verified.name_id, "format", None) or ""
        statements = verified.assertion.authn_statement
        session["saml_session_index"] = (statements[0].session_index or "") if statements else ""
    response = current_app.make_response(response)
    response.delete_cookie(REQUEST_COOKIE, path=f"/sso/{provider.id}/saml/")
    return response


def _verified_answer(provider):
    """(request state, pysaml2 AuthnResponse) of a verified answer to our outstanding
    request, its ids recorded as used; or Refusal."""
    encoded = request.form.get("SAMLResponse", "")
    ids = _message_ids(encoded)  # raises Refusal for garbage
    if _already_used(provider, ids):
        raise Refusal(REPLAYED, "replayed")
    try:
        state = _serializer().loads(request.cookies.get(REQUEST_COOKIE, ""), max_age=REQUEST_MAX_AGE)
    except BadSignature:
        state = None
    if not state or state.get("provider") != provider.id:
        raise Refusal(UNSOLICITED, "unsolicited")
    try:
        client, entity = _client(provider)
    except Exception:  # noqa: BLE001
        log.exception("SAML client for provider %s", provider.id)
        raise Refusal(NOT_VERIFIED, "misconfigured") from None
    if ids["issuer"] and ids["issuer"] != entity:
        raise Refusal(UNKNOWN_ISSUER, "unknown_issuer")
    try:
        answer = client.parse_authn_request_response(encoded, BINDING_HTTP_POST,
                                                     outstanding={state["request"]: "/"})
    except UnsolicitedResponse:
        raise Refusal(UNSOLICITED, "unsolicited") from None
    except (ResponseLifetimeExceed, ToEarly):
        raise Refusal(EXPIRED, "expired") from None
    except SigverError:
        raise Refusal(NOT_VERIFIED, "signature") from None
    except Exception as error:  # noqa: BLE001 - whatever pysaml2 finds wrong is a refusal
        log.info("SAML response refused for provider %s: %s", provider.id, error)
        # pysaml2 refused it; what the (unverified) conditions say only picks the message.
        if ids["expired"]:
            raise Refusal(EXPIRED, "expired") from None
        if ids["audiences"] and client.config.entityid not in ids["audiences"]:
            raise Refusal(WRONG_AUDIENCE, "audience") from None
        raise Refusal(NOT_VERIFIED, type(error).__name__) from None
    if answer is None or answer.assertion is None:
        raise Refusal(NOT_VERIFIED, "no_assertion")
    if answer.issuer() != entity or (answer.assertion.issuer is not None and answer.assertion.issuer.text != entity):
        raise Refusal(UNKNOWN_ISSUER, "unknown_issuer")
    if answer.in_response_to != state["request"]:
        raise Refusal(UNSOLICITED, "unsolicited")
    if not _audience_is_us(answer, client.config.entityid):
        raise Refusal(WRONG_AUDIENCE, "audience")
    _remember_used(provider, answer)
    return state, answer


def _message_ids(encoded):
    """The Response's id, the Assertion ids and the issuer, read before anything is verified
    (for the replay check only); Refusal when the field is not a SAML Response at all."""
    try:
        xml = base64.b64decode(encoded, validate=True)
        parsed = samlp.response_from_string(xml)
    except Exception as error:  # noqa: BLE001 - base64's, pysaml2's and the XML parser's errors alike
        log.info("SAMLResponse not read: %s", error)
        raise Refusal(NOT_UNDERSTOOD, "garbage") from None
    if parsed is None or not parsed.id:
        raise Refusal(NOT_UNDERSTOOD, "garbage")
    ids = [parsed.id] + [a.id for a in parsed.assertion if a.id]
    conditions = [a.conditions for a in parsed.assertion if a.conditions is not None]
    ends = [c.not_on_or_after for c in conditions if c.not_on_or_after] + [
        s.subject_confirmation_data.not_on_or_after for a in parsed.assertion if a.subject is not None
        for s in a.subject.subject_confirmation
        if s.subject_confirmation_data is not None and s.subject_confirmation_data.not_on_or_after]
    return {"ids": ids, "issuer": parsed.issuer.text.strip() if parsed.issuer is not None and parsed.issuer.text
            else "", "expired": any(_passed(end) for end in ends),
            "audiences": [a.text for c in conditions for r in c.audience_restriction for a in r.audience]}


def _instant(moment):
    """A SAML time (xs:dateTime, UTC) as an aware datetime, or None when it is not one."""
    try:
        when = datetime.fromisoformat(moment.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def _passed(moment):
    when = _instant(moment)
    return when is not None and when + timedelta(seconds=CLOCK_SKEW) < datetime.now(timezone.utc)


def _already_used(provider, ids):
    return db.session.scalar(select(UsedSamlMessage.id).where(
        UsedSamlMessage.provider_id == provider.id, UsedSamlMessage.message_id.in_(ids["ids"][:20]))) is not None


def _audience_is_us(answer, entity_id):
    for conditions in [answer.assertion.conditions] if answer.assertion.conditions else []:
        audiences = [a.text for r in conditions.audience_restriction for a in r.audience]
        if audiences and entity_id not in audiences:
            return False
    return True


def _remember_used(provider, answer):
    """The Response and Assertion ids, kept until the assertion expires (and then some):
    the unique constraint makes a second use fail in any worker, even at the same moment."""
    now = utcnow()
    db.session.execute(delete(UsedSamlMessage).where(UsedSamlMessage.expires_at < now))
    until = now + timedelta(hours=1)
    conditions = answer.assertion.conditions
    ends = _instant(conditions.not_on_or_after) if conditions is not None and conditions.not_on_or_after else None
    if ends is not None:
        until = max(until, ends + timedelta(seconds=CLOCK_SKEW))
    for message_id in {answer.response.id, answer.assertion.id} - {None}:
        db.session.add(UsedSamlMessage(provider_id=provider.id, message_id=message_id[:200], expires_at=until))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Refusal(REPLAYED, "replayed") from None


def _attributes(answer):
    """Every attribute by its Name and by its FriendlyName: a list of string values."""
    found = {}
    for statement in answer.assertion.attribute_statement:
        for attribute in statement.attribute:
            values = [(v.text or "").strip() for v in attribute.attribute_value]
            for name in {attribute.name, attribute.friendly_name} - {None, ""}:
                found.setdefault(name, []).extend(values)
    return found


def _assertion(provider, answer):
    attributes = _attributes(answer)

    def first(name):
        return (attributes.get(name) or [""])[0] if name else ""

    name_id = (answer.name_id.text or "").strip() if answer.name_id is not None else ""
    assurance = first(provider.assurance_attribute)
    if not assurance and not provider.assurance_attribute:
        refs = [s.authn_context.authn_context_class_ref.text for s in answer.assertion.authn_statement
                if s.authn_context is not None and s.authn_context.authn_context_class_ref is not None]
        assurance = (refs[0] or "").strip() if refs else ""
    return services.Assertion(
        subject=first(provider.subject_attribute) if provider.subject_attribute else name_id,
        email=first(provider.email_attribute), name=first(provider.name_attribute),
        roles=tuple(attributes.get(provider.roles_attribute, ())) if provider.roles_attribute else (),
        assurance=assurance, attributes=attributes)


# --- a family member's first MitID sign-in: linked with the letter's code --------------------

def _ask_for_letter_code(provider, assertion):
    """MitID vouched for someone no family account is linked to yet: keep who (verified,
    for a few minutes) and ask for the user name and code from their printed letter."""
    hold("saml_link", LINK_MAX_AGE, provider=provider.id, subject=assertion.subject,
         assurance=assertion.assurance)
    return redirect(url_for("saml.link_family", provider_id=provider.id))


def _pending_link(provider):
    pending = held("saml_link")
    if pending is None or pending.get("provider") != provider.id:
        session.pop("saml_link", None)
        return None
    return pending


@bp.route("/sso/<int:provider_id>/saml/link", methods=["GET", "POST"])
@public
@limiter.limit(secret_limit, methods=["POST"])
def link_family(provider_id):
    """The user name and one-time code from the family member's printed letter (the same
    letter that activates an account) link their MitID to their account, once."""
    provider = provider_or_404(provider_id, SAML)
    pending = _pending_link(provider)
    if pending is None or not provider.for_family:
        return refused(_("The time to link your MitID has run out. Sign in with MitID again."))
    form = LinkFamilyForm()
    if form.validate_on_submit():
        user = plans_services.spend_letter_code(form.username.data.strip().lower(), form.code.data)
        if user is None or user.organisation_id != provider.organisation_id:
            db.session.rollback()
            audit.record("user.sign_in_failed", detail=f"saml:{provider.id}:letter_code", refused=True,
                         organisation_id=provider.organisation_id)
            db.session.commit()
            form.form_errors.append(_("The user name or the code is not right, or the code is too old. "
                                      "Ask the coordinator for a new letter."))
        else:
            services.link(provider, user, pending["subject"])
            session.pop("saml_link", None)
            return finish(provider, services.Assertion(pending["subject"], assurance=pending["assurance"]))
    return render_template("sso/saml_link.html", form=form, provider=provider)


# --- metadata and single logout --------------------------------------------------------------

@bp.route("/sso/<int:provider_id>/saml/metadata")
@public
def metadata(provider_id):
    """fgc's service-provider metadata for this provider, at a stable address; also while the
    provider is not in use yet, so that the IT department can register fgc first."""
    found = provider_or_404(provider_id, SAML, in_use=False)
    return Response(sp_metadata(found), mimetype="application/samlmetadata+xml")


def logout(provider, ended):
    """After fgc's own logout (`ended`: what the session held): the address of a LogoutRequest
    to the identity provider the person signed in through, when it has a single logout
    service; else None. The outstanding request's id is kept in the new session."""
    if not ended.get("saml_name_id"):
        return None
    try:
        client, entity = _client(provider)
        destinations = client.metadata.single_logout_service(entity, BINDING_HTTP_REDIRECT, "idpsso")
        if not destinations:
            return None
        destination = destinations[0]["location"]
        name_id = NameID(text=ended["saml_name_id"], format=ended.get("saml_name_id_format") or None)
        request_id, message = client.create_logout_request(
            destination, entity, name_id=name_id, session_indexes=[ended.get("saml_session_index")] if
            ended.get("saml_session_index") else None, reason="urn:oasis:names:tc:SAML:2.0:logout:user")
        info = client.apply_binding(BINDING_HTTP_REDIRECT, str(message), destination, sign=True,
                                    sigalg=RSA_SHA256)
    except Exception:  # noqa: BLE001 - fgc's logout is done whatever the provider's metadata says
        log.exception("SAML LogoutRequest for provider %s", provider.id)
        return None
    session["saml_logout"] = {"provider": provider.id, "request": request_id}
    return dict(info["headers"])["Location"]


@bp.route("/sso/<int:provider_id>/saml/slo", methods=["GET", "POST"])
@public
@csrf.exempt  # the identity provider sends it; the message's own checks protect it
def single_logout(provider_id):
    """The SingleLogoutService: the identity provider's answer to fgc's LogoutRequest, or
    its own LogoutRequest (the person signed out elsewhere), which ends their fgc sessions."""
    provider = provider_or_404(provider_id, SAML)
    values = request.values
    binding = BINDING_HTTP_POST if request.method == "POST" else BINDING_HTTP_REDIRECT
    try:
        client, entity = _client(provider)
    except Exception:  # noqa: BLE001
        return _refuse(provider, Refusal(NOT_VERIFIED, "misconfigured"))
    if "SAMLResponse" in values:
        return _logout_answered(provider, client, entity, values["SAMLResponse"], binding)
    if "SAMLRequest" in values:
        return _logout_requested(provider, client, entity, values, binding)
    return _refuse(provider, Refusal(NOT_UNDERSTOOD, "garbage"))


def _logout_answered(provider, client, entity, encoded, binding):
    outstanding = session.pop("saml_logout", None)
    try:
        answer = client.parse_logout_request_response(encoded, binding)
    except Exception as error:  # noqa: BLE001
        log.info("SAML LogoutResponse refused: %s", error)
        answer = None
    if answer is None or not isinstance(outstanding, dict) or outstanding.get("provider") != provider.id or \
            answer.in_response_to != outstanding.get("request") or answer.issuer() != entity:
        return _refuse(provider, Refusal(NOT_UNDERSTOOD, "logout_response"))
    audit.record("user.signed_out_at_provider", detail=f"saml:{provider.id}")
    db.session.commit()
    return redirect(url_for("auth.login"))


def _logout_requested(provider, client, entity, values, binding):
    """The identity provider ends the person's sign-in: every fgc session of theirs ends
    (the server-side session token), and the provider is told so."""
    if binding == BINDING_HTTP_REDIRECT and not values.get("Signature"):
        return _refuse(provider, Refusal(NOT_VERIFIED, "unsigned_logout_request"))
    try:
        parsed = client.parse_logout_request(values["SAMLRequest"], binding, relay_state=values.get("RelayState"),
                                             sigalg=values.get("SigAlg"), signature=values.get("Signature"))
    except Exception as error:  # noqa: BLE001
        log.info("SAML LogoutRequest refused: %s", error)
        parsed = None
    if parsed is None or parsed.message.issuer is None or parsed.message.issuer.text != entity:
        return _refuse(provider, Refusal(NOT_VERIFIED, "logout_request"))
    message = parsed.message
    name_id = (message.name_id.text or "").strip() if message.name_id is not None else ""
    users = {i.user for i in db.session.scalars(select(ExternalIdentity).where(
        ExternalIdentity.provider_id == provider.id, ExternalIdentity.subject == name_id))}
    if current_user.is_authenticated and session.get("sso_provider") == provider.id and \
            session.get("saml_name_id") == name_id:
        users.add(current_user._get_current_object())
    for user in users:
        auth_services.end_session(user)
        audit.record("user.signed_out", subject=user, user=user, detail=f"saml:{provider.id}:provider")
    db.session.commit()
    if current_user.is_authenticated and current_user in users:
        logout_user()
        session.clear()
    destinations = client.metadata.single_logout_service(entity, BINDING_HTTP_REDIRECT, "idpsso")
    if not destinations:
        return redirect(url_for("auth.login"))
    destination = destinations[0].get("response_location") or destinations[0]["location"]
    answer = client.create_logout_response(message, [BINDING_HTTP_REDIRECT], sign=False)
    info = client.apply_binding(BINDING_HTTP_REDIRECT, str(answer), destination,
                                relay_state=values.get("RelayState", ""), response=True, sign=True,
                                sigalg=RSA_SHA256)
    return redirect(dict(info["headers"])["Location"])
