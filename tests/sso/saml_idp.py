"""A real SAML 2.0 identity provider for the tests: pysaml2's own IdP (`saml2.server.Server`)
served on loopback by a small WSGI app in a thread, with keys made by the test.

It serves its metadata over HTTP (GET /metadata), answers an AuthnRequest sent by
HTTP-Redirect (GET /sso) with a signed Response posted back by an auto-submitting HTML
form (the HTTP-POST binding) for the person the test chose (`idp.person`), and answers a
LogoutRequest (GET /slo) with a LogoutResponse by HTTP-Redirect.
"""
import base64
import html
import logging
import re
import shutil
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

NSIS_LOA = "https://data.gov.dk/concept/core/nsis/loa"
SUBSTANTIAL = f"{NSIS_LOA}/Substantial"
SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"


def make_key_pair(folder, name="test-idp"):
    """A self-signed RSA key pair in PEM files: (key path, certificate path)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=30)).sign(key, hashes.SHA256()))
    key_path, cert_path = folder / f"{name}.key", folder / f"{name}.crt"
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(key_path), str(cert_path)


class Person:
    """Who the identity provider says signed in."""

    def __init__(self, name_id, attributes=None, authn_class=SUBSTANTIAL):
        self.name_id, self.attributes, self.authn_class = name_id, dict(attributes or {}), authn_class


class SamlIdp:
    def __init__(self, folder, name="test-idp", want_signed_requests=True, entity_id=None, signing_key=None):
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self.folder = Path(folder)
        self.key_file, self.cert_file = signing_key or make_key_pair(self.folder, name)
        self.want_signed_requests = want_signed_requests
        self.server = make_server("127.0.0.1", 0, self.wsgi, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.entity_id = entity_id or f"{self.url}/metadata"
        self.sp_metadata = []
        self.person = Person("anonymous")
        self.lifetime = {"minutes": 5}  # the assertion's validity; negative: already expired
        self.audience = None  # another SP entity id: the assertion is for someone else
        self.requests = []  # every AuthnRequest received (pysaml2 objects)
        self.logout_requests = []
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self._build()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    # --- configuration ---------------------------------------------------------------
    def _build(self):
        settings = {
            "entityid": self.entity_id,
            "xmlsec_binary": shutil.which("xmlsec1"),
            "key_file": self.key_file,
            "cert_file": self.cert_file,
            "accepted_time_diff": 60,
            "service": {"idp": {
                "name": "Test IdP",
                "endpoints": {
                    "single_sign_on_service": [(f"{self.url}/sso", BINDING_HTTP_REDIRECT)],
                    "single_logout_service": [(f"{self.url}/slo", BINDING_HTTP_REDIRECT)],
                },
                "policy": {"default": {"lifetime": self.lifetime, "name_form": NAME_FORMAT_URI}},
                "want_authn_requests_signed": self.want_signed_requests,
                "name_id_format": [NAMEID_FORMAT_PERSISTENT],
            }},
        }
        if self.sp_metadata:
            settings["metadata"] = {"inline": list(self.sp_metadata)}
        config = IdPConfig()
        config.load(settings)
        self.config = config
        self.idp = Server(config=config)

    def trust(self, sp_metadata):
        """Know a service provider (its metadata, e.g. fgc's from its metadata address)."""
        self.sp_metadata.append(sp_metadata)
        self._build()

    def metadata(self):
        return create_metadata_string(None, config=self.config, sign=False).decode()

    # --- messages ------------------------------------------------------------------------
    def response(self, in_response_to, destination, sp_entity_id, person=None):
        """A signed Response (base64, as posted) for `person`."""
        policy = self.idp.config.getattr("policy", "idp")
        policy._restrictions["default"]["lifetime"] = self.lifetime
        # The AudienceRestriction names `self.audience` when set: an assertion for another service.
        policy.conditions = lambda sp, real=type(policy).conditions: real(policy, self.audience or sp)
        person = person or self.person
        name_id = NameID(format=NAMEID_FORMAT_PERSISTENT, text=person.name_id, sp_name_qualifier=sp_entity_id)
        response = self.idp.create_authn_response(
            identity={k: v if isinstance(v, list) else [v] for k, v in person.attributes.items()},
            in_response_to=in_response_to, destination=destination,
            sp_entity_id=sp_entity_id, name_id=name_id,
            authn={"class_ref": person.authn_class, "authn_auth": self.entity_id},
            sign_response=True, sign_assertion=True, sign_alg=SHA256,
            digest_alg="http://www.w3.org/2001/04/xmlenc#sha256")
        return base64.b64encode(str(response).encode()).decode()

    def post_form(self, destination, saml_response, relay_state=""):
        info = self.idp.apply_binding(BINDING_HTTP_POST, base64.b64decode(saml_response).decode(), destination,
                                      relay_state, response=True)
        return "".join(info["data"]) if isinstance(info["data"], list) else info["data"]

    def logout_request_url(self, destination, sp_entity_id, name_id):
        """An identity-provider-initiated LogoutRequest, signed, by HTTP-Redirect."""
        request_id, message = self.idp.create_logout_request(
            destination, sp_entity_id, name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=name_id))
        info = self.idp.apply_binding(BINDING_HTTP_REDIRECT, str(message), destination, sign=True, sigalg=SHA256)
        return dict(info["headers"])["Location"]

    # --- the web endpoints -------------------------------------------------------------
    def wsgi(self, environ, start_response):
        request = Request(environ)
        if request.path == "/metadata":
            answer = Response(self.metadata(), mimetype="application/samlmetadata+xml")
        elif request.path == "/sso":
            answer = self._sso(request)
        elif request.path == "/slo":
            answer = self._slo(request)
        else:
            answer = Response("not found", status=404)
        return answer(environ, start_response)

    def _sso(self, request):
        args = request.args
        parsed = self.idp.parse_authn_request(args["SAMLRequest"], BINDING_HTTP_REDIRECT,
                                              relay_state=args.get("RelayState"), sigalg=args.get("SigAlg"),
                                              signature=args.get("Signature"))
        authn_request = parsed.message
        self.requests.append({"message": authn_request, "signed": bool(args.get("Signature"))})
        saml_response = self.response(authn_request.id, authn_request.assertion_consumer_service_url,
                                      authn_request.issuer.text)
        form = self.post_form(authn_request.assertion_consumer_service_url, saml_response,
                              args.get("RelayState", ""))
        return Response(form, mimetype="text/html")

    def _slo(self, request):
        args = request.args
        parsed = self.idp.parse_logout_request(args["SAMLRequest"], BINDING_HTTP_REDIRECT,
                                               relay_state=args.get("RelayState"), sigalg=args.get("SigAlg"),
                                               signature=args.get("Signature"))
        message = parsed.message
        self.logout_requests.append({"message": message, "signed": bool(args.get("Signature"))})
        sp = message.issuer.text
        destination = self.idp.metadata.single_logout_service(sp, BINDING_HTTP_REDIRECT, "spsso")[0]["location"]
        answer = self.idp.create_logout_response(message, [BINDING_HTTP_REDIRECT], sign=False)
        info = self.idp.apply_binding(BINDING_HTTP_REDIRECT, str(answer), destination,
                                      relay_state=args.get("RelayState", ""), response=True, sign=True,
                                      sigalg=SHA256)
        return Response(status=303, headers={"Location": dict(info["headers"])["Location"]})


def form_fields(page):
    """(action, {name: value}) of the auto-submitting form the identity provider answered with."""
    action = html.unescape(re.search(r'<form[^>]*action="([^"]*)"', page).group(1))
    fields = {html.unescape(name): html.unescape(value) for name, value in
              re.findall(r'<input[^>]*name="([^"]*)"[^>]*value="([^"]*)"', page)}
    return action, fields


def query(url):
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
