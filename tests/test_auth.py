import re

from sqlalchemy import select

from fgc.auth.models import User
from fgc.core.mail import deliver_pending
from fgc.extensions import db
from tests import factories
from tests.conftest import login


def link_in(message):
    body = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"http://fgc\.test(/\S+)", body).group(1)


def test_passwords_are_stored_as_argon2id_hashes(users):
    stored = users["coordinator"].password_hash
    assert stored.startswith("$argon2id$") and factories.PASSWORD not in stored


def test_a_user_signs_in_with_email_and_password(client, users):
    response = login(client, users["coordinator"].email.upper())  # e-mail is not case-sensitive
    assert response.status_code == 302 and response.location == "/"
    assert client.get("/").status_code == 200


def test_a_wrong_password_gets_a_clear_translated_error(client, users):
    client.post("/language", data={"language": "kl"})
    response = login(client, users["coordinator"], password="wrong password")
    assert response.status_code == 200
    assert "E-mailip najugaa imaluunniit isertaat eqqunngilaq." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_a_deactivated_user_cannot_sign_in(client, users):
    users["caseworker"].active = False
    db.session.commit()
    assert login(client, users["caseworker"]).status_code == 200


def test_login_only_redirects_within_the_site(client, users):
    response = client.post("/login?next=//evil.example/x",
                           data={"email": users["coordinator"].email, "password": factories.PASSWORD})
    assert response.location == "/"


def test_logout_ends_the_session_even_for_a_copied_cookie(app, client, users):
    login(client, users["coordinator"])
    copied = client.get_cookie("fgc_session").value
    assert client.get("/logout").status_code == 405  # never by GET
    assert client.post("/logout").status_code == 302
    thief = app.test_client()
    thief.set_cookie("fgc_session", copied)
    response = thief.get("/cases")
    assert response.status_code == 302 and "/login" in response.location


def test_password_reset_by_a_single_use_link_delivered_by_smtp(client, users, smtp_server):
    user = users["caseworker"]
    user.locale = "kl"
    db.session.commit()
    response = client.post("/password/forgot", data={"email": user.email})
    assert response.status_code == 302
    assert deliver_pending() == (1, 0)
    [mail] = smtp_server.inbox.to(user.email)
    assert mail["Subject"] == "fgc-mut isertaatit nutaaliuk"  # the recipient's language
    link = link_in(mail)
    assert client.get(link).status_code == 200
    response = client.post(link, data={"password": "a brand new secret", "confirm": "a brand new secret"})
    assert response.status_code == 302
    assert login(client, user, "a brand new secret").status_code == 302
    client.post("/logout")
    # The link is spent once used.
    assert client.get(link).status_code == 410
    assert client.post(link, data={"password": "x" * 12, "confirm": "x" * 12}).status_code == 410


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, users):
    from fgc.core.mail import OutboxMessage

    response = client.post("/password/forgot", data={"email": "nobody@example.dk"}, follow_redirects=True)
    assert response.status_code == 200
    assert db.session.scalar(select(OutboxMessage.id)) is None


def test_a_reset_link_expires(app, client, users):
    from fgc.auth.services import RESET, make_token

    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    try:
        token = make_token(users["coordinator"], RESET)
        db.session.commit()
        assert client.get(f"/password/reset-password/{token}").status_code == 410
    finally:
        app.config["PASSWORD_RESET_MAX_AGE"] = 3600


def test_a_link_for_one_purpose_does_not_work_for_the_other(client, users):
    from fgc.auth.services import ACTIVATE, make_token

    token = make_token(users["coordinator"], ACTIVATE)
    db.session.commit()
    assert client.get(f"/password/reset-password/{token}").status_code == 410
    assert client.get(f"/password/activate-account/{token}").status_code == 200


def test_an_administrator_creates_a_staff_user_who_activates_by_mail(client, users, login_as, smtp_server):
    login_as(users["admin"])
    response = client.post("/admin/users/new", data={
        "name": "Nivi Kreutzmann", "email": "nivi@example.gl", "role": "caseworker", "locale": "kl"})
    assert response.status_code == 302
    client.post("/logout")
    new = db.session.scalar(select(User).where(User.email == "nivi@example.gl"))
    assert new.organisation_id == users["admin"].organisation_id and new.password_hash is None
    deliver_pending()
    [mail] = smtp_server.inbox.to("nivi@example.gl")
    link = link_in(mail)
    assert "/password/activate-account/" in link
    client.post(link, data={"password": "qaqqat qaqortut 2026", "confirm": "qaqqat qaqortut 2026"})
    assert login(client, "nivi@example.gl", "qaqqat qaqortut 2026").status_code == 302


def test_only_administrators_manage_users(client, users, login_as):
    login_as(users["coordinator"])
    assert client.get("/admin/users").status_code == 403
    assert client.post("/admin/users/new", data={"name": "X", "email": "x@example.dk",
                                                 "role": "admin", "locale": "da"}).status_code == 403


def test_an_administrator_deactivates_a_user_and_their_sessions_end(app, client, users, login_as):
    other = app.test_client()
    login(other, users["caseworker"])
    login_as(users["admin"])
    client.post(f"/admin/users/{users['caseworker'].id}/active")
    assert other.get("/cases").status_code == 302


def test_an_administrator_cannot_touch_another_organisations_users(client, world, login_as):
    login_as(world.users["admin"])
    assert client.post(f"/admin/users/{world.outsiders['coordinator'].id}/active").status_code == 404


def test_repeated_failed_logins_for_one_account_are_slowed_down(client, users):
    for _ in range(5):
        assert login(client, users["coordinator"], "wrong").status_code == 200
    response = login(client, users["coordinator"], "wrong")
    assert response.status_code == 429
    # Even the right password waits until the limit has passed.
    assert login(client, users["coordinator"]).status_code == 429


def test_successful_logins_do_not_count_against_the_limit(client, users):
    for _ in range(8):
        assert login(client, users["coordinator"]).status_code == 302
        client.post("/logout")


def test_repeated_failed_logins_from_one_address_are_slowed_down(client, users):
    for n in range(20):
        assert login(client, f"guess{n}@example.dk", "wrong").status_code == 200
    assert login(client, "another@example.dk", "wrong").status_code == 429


def test_a_password_link_is_a_secret_kept_only_as_a_hash_and_works_once(client, users):
    from fgc.auth.models import PasswordLink
    from fgc.auth.services import RESET, make_token

    token = make_token(users["coordinator"], RESET)
    db.session.commit()
    assert token not in {link.token_hash for link in db.session.scalars(select(PasswordLink))}
    new = "kajak regnvejr lommelygte"
    assert client.post(f"/password/reset-password/{token}", data={"password": new, "confirm": new}).status_code == 302
    assert client.get(f"/password/reset-password/{token}").status_code == 410
