"""A real OpenID Connect provider for the tests: oidc-provider-mock (Authlib's server) on
loopback, in a thread. Clients must register (as at Entra ID); a nonce is required.

Its token endpoint can be told to hand out a forged ID token instead of its own (`forge`):
claims changed and signed again with the provider's own key, or signed with a key the
test made. fgc's real verification then has to refuse it.
"""
import base64
import json
import threading
from urllib.parse import parse_qs, urlsplit

import flask
import requests
from authlib.jose import JsonWebKey, jwt
from oidc_provider_mock import app as provider_app
from werkzeug.serving import make_server


def _part(segment):
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def unverified(id_token):
    """(header, claims) of a JWT, read without checking it: the test's own inspection."""
    header, payload, _signature = id_token.split(".")
    return _part(header), _part(payload)


class OpenIDProvider:
    def __init__(self):
        self.app = provider_app(require_client_registration=True, require_nonce=True)
        self.app.after_request(self._forge_id_token)
        self.forge = None  # function(header, claims, provider's key) -> id_token, for the next token only
        self.issued = []  # the ID tokens the token endpoint handed out
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.issuer = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def _forge_id_token(self, response):
        if flask.request.path != "/oauth2/token" or response.status_code != 200:
            return response
        body = response.get_json()
        if self.forge is not None and "id_token" in body:
            forge, self.forge = self.forge, None
            header, claims = unverified(body["id_token"])
            own_key = JsonWebKey.import_key(flask.g.oidc_provider_mock_storage.jwk.as_dict(private=True))
            body["id_token"] = forge(header, claims, own_key)
            response.set_data(json.dumps(body))
        self.issued.append(body.get("id_token"))
        return response

    def register(self, redirect_uri, post_logout_redirect_uri=None):
        """A client, as the municipality's IT registers fgc: (client id, client secret)."""
        answer = requests.post(f"{self.issuer}/oauth2/clients", json={"redirect_uris": [redirect_uri]}, timeout=5)
        answer.raise_for_status()
        return answer.json()["client_id"], answer.json()["client_secret"]

    def set_user(self, sub, **claims):
        """The person `sub` and the claims the provider says about them."""
        requests.put(f"{self.issuer}/users/{sub}", json=claims, timeout=5).raise_for_status()

    def authorize(self, authorize_url, sub):
        """The person signs in at the provider's form: the provider's redirect back to fgc."""
        answer = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=5)
        assert answer.status_code == 302, answer.text
        return answer.headers["Location"]

    def deny(self, authorize_url):
        answer = requests.post(authorize_url, data={"action": "deny"}, allow_redirects=False, timeout=5)
        assert answer.status_code == 302, answer.text
        return answer.headers["Location"]


def sign(header, claims, key):
    """A JWT signed with `key` (Authlib's JOSE)."""
    return jwt.encode(header, claims, key).decode()


def new_key(kid):
    return JsonWebKey.generate_key("RSA", 2048, is_private=True, options={"kid": kid})


def query(url):
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}
