"""Passwords and secrets: strength checked by zxcvbn with a translated reason, a page
to change one's own password, the same work for every kind of account at sign-in, and
a rate limit on every endpoint that checks a secret."""
import pytest

from fgc.auth import services
from fgc.extensions import db
from tests.conftest import login
from tests.factories import PASSWORD

STRONG = "kajak regnvejr lommelygte"


def test_a_password_easy_to_guess_is_refused_with_a_reason(client, users, login_as):
    login_as(users["coordinator"])
    for weak in ("1234567890", "qwertyuiop", "password1234", users["coordinator"].name + "2026"):
        page = client.post("/account/password", data={"current": PASSWORD, "password": weak, "confirm": weak})
        assert "Adgangskoden er for let at gætte" in page.get_data(as_text=True), weak
    db.session.refresh(users["coordinator"])
    assert users["coordinator"].check_password(PASSWORD)


def test_a_signed_in_person_changes_their_password_and_other_sessions_end(app, client, users, login_as):
    user = users["caseworker"]
    other = app.test_client()
    login(other, user)
    login_as(user)
    page = client.get("/cases").get_data(as_text=True)
    assert 'href="/account/password"' in page
    assert "<h1>Skift din adgangskode</h1>" in client.get("/account/password").get_data(as_text=True)
    wrong = client.post("/account/password", data={"current": "not it at all", "password": STRONG, "confirm": STRONG})
    assert "Det er ikke din nuværende adgangskode." in wrong.get_data(as_text=True)
    done = client.post("/account/password", data={"current": PASSWORD, "password": STRONG, "confirm": STRONG})
    assert done.status_code == 302
    assert client.get("/cases").status_code == 200  # this session goes on
    assert other.get("/cases").status_code == 302  # the other one has ended
    client.post("/logout")
    assert login(client, user, STRONG).status_code == 302


def test_sign_in_does_the_same_work_for_unknown_inactive_and_active_accounts(app, users, monkeypatch):
    calls = []
    real = services.hasher

    class Counting:
        def verify(self, hashed, password):
            calls.append(hashed)
            return real.verify(hashed, password)

    monkeypatch.setattr(services, "hasher", Counting())
    users["admin"].active = False
    db.session.commit()
    for email in ("nobody@example.dk", users["admin"].email, users["coordinator"].email):
        calls.clear()
        assert services.authenticate(email, "a wrong password") is None
        assert len(calls) == 1, email


@pytest.mark.parametrize("path", ["/family/activate", "/rsvp/not-a-token", "/password/reset-password/not-a-token"])
def test_every_endpoint_that_checks_a_secret_is_rate_limited(app, client, path):
    limit = int(app.config["LOGIN_LIMIT_PER_ADDRESS"].split(" ")[0])
    codes = [client.post(path, data={"username": "x", "code": "y", "password": STRONG, "confirm": STRONG}).status_code
             for _ in range(limit + 1)]
    assert 429 not in codes[:limit] and codes[-1] == 429
