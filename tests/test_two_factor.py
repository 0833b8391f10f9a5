"""Two-factor sign-in for staff (a code from an authenticator app, or a recovery code),
and each organisation's accessibility statement and privacy notice."""
import re
import time

import pyotp
import pytest
from sqlalchemy import select

from fgc.auth import two_factor
from fgc.core.audit import AuditEntry
from fgc.extensions import db
from tests import factories

SECRET = factories.TOTP_SECRET
NOW = 1_800_000_000  # a fixed moment: the tests set the clock instead of waiting


@pytest.fixture
def clock(monkeypatch):
    """The clock the codes are checked against; `clock.now` can be moved."""
    class Clock:
        now = NOW

        def time(self):
            return self.now

    fake = Clock()
    monkeypatch.setattr(two_factor, "time", fake)
    return fake


def code_at(moment, secret=SECRET):
    return pyotp.TOTP(secret).at(moment)


def actions(user):
    return [e.action for e in db.session.scalars(select(AuditEntry).where(AuditEntry.subject_id == user.id,
                                                                          AuditEntry.subject_type == "User"))]


def password(client, user):
    return client.post("/login", data={"email": user.email, "password": factories.PASSWORD})


def enrolled(org, role="coordinator"):
    user = factories.user(org, role, totp_secret=SECRET)
    db.session.commit()
    return user


# Setting it up

def test_a_caseworker_sets_up_two_factor_sign_in_with_a_qr_code_and_gets_recovery_codes(client, org, clock):
    user = factories.user(org, "caseworker")
    db.session.commit()
    password(client, user)
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert '<svg role="img" aria-label=' in page and 'class="qr"' in page
    grouped = re.search(r'class="secret-key" translate="no">([A-Z2-7 ]+)<', page).group(1)
    secret = grouped.replace(" ", "")
    assert len(secret) == 32 and grouped.count(" ") == 7

    response = client.post("/account/two-factor", data={"code": code_at(NOW - 90, secret)})
    assert response.status_code == 200 and "Koden er ikke rigtig" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.totp_secret is None

    response = client.post("/account/two-factor", data={"code": code_at(NOW, secret)})
    codes = re.findall(r"<code>([A-Z0-9-]+)</code>", response.get_data(as_text=True))
    assert response.status_code == 200 and len(codes) == 10 and len(set(codes)) == 10
    db.session.refresh(user)
    assert user.totp_secret == secret
    assert "two_factor.enrolled" in actions(user)
    # The codes are kept only as hashes, and never shown again.
    assert not any(code.replace("-", "") in client.get("/account/two-factor").get_data(as_text=True)
                   for code in codes)
    from fgc.auth.models import RecoveryCode
    stored = db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
    assert len(stored) == 10 and not set(stored) & {c.replace("-", "") for c in codes}


def test_the_set_up_page_is_reached_from_the_password_page(client, users, login_as):
    login_as(users["coordinator"])
    assert "/account/two-factor" in client.get("/account/password").get_data(as_text=True)


# Signing in

def test_after_the_password_the_session_is_not_signed_in_until_the_code_is_right(client, org, clock):
    user = enrolled(org)
    response = client.post("/login?next=/cases", data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 302 and response.location == "/login/code"
    protected = client.get("/cases")
    assert protected.status_code == 302 and protected.location.startswith("/login")
    assert client.post("/logout").status_code == 401
    assert client.get("/login/code").status_code == 200

    response = client.post("/login/code", data={"code": "123456" if code_at(NOW) != "123456" else "654321"})
    assert response.status_code == 200 and "Koden er ikke rigtig" in response.get_data(as_text=True)
    assert client.get("/cases").status_code == 302

    response = client.post("/login/code", data={"code": code_at(NOW)})
    assert response.status_code == 302 and response.location == "/cases"
    assert client.get("/cases").status_code == 200
    signed_in = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.signed_in"))
    assert signed_in.detail == "password+totp"
    assert "two_factor.code_refused" in actions(user)


def test_a_code_already_used_or_older_is_refused_as_reused(client, org, clock):
    user = enrolled(org)
    password(client, user)
    assert client.post("/login/code", data={"code": code_at(NOW)}).status_code == 302
    client.post("/logout")
    for earlier in (NOW, NOW - 30):
        password(client, user)
        response = client.post("/login/code", data={"code": code_at(earlier)})
        assert response.status_code == 200 and "allerede brugt" in response.get_data(as_text=True)
        assert client.get("/cases").status_code == 302
    clock.now = NOW + 30
    assert client.post("/login/code", data={"code": code_at(NOW + 30)}).status_code == 302
    refused = db.session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "two_factor.code_refused"))
    assert list(refused) == ["reused", "reused"]


@pytest.mark.parametrize("offset,accepted", [(-60, False), (-30, True), (0, True), (30, True), (60, False)])
def test_one_step_of_clock_drift_is_allowed(app, org, offset, accepted):
    user = enrolled(org)
    assert (two_factor.check_code(user, code_at(NOW + offset), now=NOW) == two_factor.ACCEPTED) is accepted


def test_a_code_raced_by_two_requests_works_for_only_one(app, org):
    from sqlalchemy import update

    from fgc.auth.models import User

    user = enrolled(org)
    assert user.totp_last_step is None
    # Another request has just accepted the same code; this one's copy of the user is older.
    db.session.execute(update(User).where(User.id == user.id).values(totp_last_step=NOW // 30)
                       .execution_options(synchronize_session=False))
    assert two_factor.check_code(user, code_at(NOW), now=NOW) == two_factor.REUSED


def test_a_recovery_code_signs_in_once_and_only_once(client, org, clock):
    user = enrolled(org)
    codes = two_factor.new_recovery_codes(user)
    db.session.commit()
    password(client, user)
    assert client.post("/login/code", data={"code": codes[3].lower().replace("-", " ")}).status_code == 302
    assert client.get("/cases").status_code == 200
    client.post("/logout")
    password(client, user)
    response = client.post("/login/code", data={"code": codes[3]})
    assert response.status_code == 200 and client.get("/cases").status_code == 302
    assert actions(user).count("two_factor.recovery_code_used") == 1
    assert two_factor.recovery_codes_left(user) == 9


def test_the_code_must_come_within_five_minutes_of_the_password(client, org, clock, monkeypatch):
    import fgc.security

    user = enrolled(org)
    password(client, user)
    class SixMinutesLater:
        @staticmethod
        def time():
            return time.time() + 6 * 60

    monkeypatch.setattr(fgc.security, "time", SixMinutesLater)  # where a half-done step's time is kept
    response = client.post("/login/code", data={"code": code_at(NOW)})
    assert response.status_code == 302 and response.location == "/login"
    assert client.get("/cases").status_code == 302


def test_wrong_codes_are_rate_limited_like_the_password(client, org, clock):
    user = enrolled(org)
    password(client, user)
    statuses = [client.post("/login/code", data={"code": "000000"}).status_code for _ in range(6)]
    assert statuses[:5] == [200] * 5 and statuses[5] == 429
    assert "user.locked_out" in actions(user)


# Who must use it

def test_an_administrator_without_two_factor_reaches_only_its_set_up_until_it_is_on(client, org, clock):
    admin = factories.user(org, "admin", totp_secret="")
    db.session.commit()
    response = password(client, admin)
    assert response.status_code == 302
    for path in ("/", "/cases", "/admin/users", "/admin/organisation", "/account/password"):
        response = client.get(path)
        assert response.status_code == 302 and response.location == "/account/two-factor", path
    assert client.post("/admin/users/new", data={"name": "X", "email": "x@example.dk",
                                                 "role": "admin", "locale": "da"}).status_code == 403
    assert client.post("/language", data={"language": "kl"}).status_code == 302
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'class="secret-key" translate="no">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    assert client.post("/account/two-factor", data={"code": code_at(NOW, secret)}).status_code == 200
    assert client.get("/admin/users").status_code == 200
    assert client.post("/logout").status_code == 302


def test_an_administrator_cannot_turn_two_factor_off(client, org, clock):
    admin = enrolled(org, "admin")
    password(client, admin)
    client.post("/login/code", data={"code": code_at(NOW)})
    clock.now = NOW + 30
    response = client.post("/account/two-factor/off", data={"off-code": code_at(NOW + 30)})
    assert response.status_code == 200 and "kan ikke slås fra" in response.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.totp_secret == SECRET


def test_the_organisation_can_require_it_of_coordinators_and_caseworkers_but_never_of_family(
        client, world, login_as):
    admin, coordinator = world.users["admin"], world.users["coordinator"]
    login_as(admin)
    form = client.get("/admin/organisation").get_data(as_text=True)
    version = re.search(r'id="settings-version" name="settings-version"[^>]*value="(\d+)"', form).group(1)
    response = client.post("/admin/organisation/settings", data={
        "settings-require_two_factor": "y", "settings-accessibility_statement": "",
        "settings-privacy_notice": "", "settings-version": version})
    assert response.status_code == 302
    db.session.refresh(world.org)
    assert world.org.require_two_factor
    client.post("/logout")

    for role in ("coordinator", "caseworker"):
        assert password(client, world.users[role]).status_code == 302
        assert client.get("/cases").location == "/account/two-factor", role
        client.post("/logout")
    assert password(client, world.users["family"]).status_code == 302
    home = client.get("/", follow_redirects=True)
    assert home.status_code == 200 and home.request.path != "/account/two-factor"
    client.post("/logout")
    # Another organisation's staff are not concerned.
    assert password(client, world.outsiders["coordinator"]).status_code == 302
    assert client.get("/cases").status_code == 200
    assert coordinator.totp_secret is None


def test_a_coordinator_turns_it_off_with_a_current_code(client, org, clock):
    user = enrolled(org)
    password(client, user)
    client.post("/login/code", data={"code": code_at(NOW)})
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "Slå totrinsbekræftelse fra" in page
    response = client.post("/account/two-factor/off", data={"off-code": code_at(NOW)})  # spent at sign-in
    assert response.status_code == 200
    db.session.refresh(user)
    assert user.totp_secret == SECRET
    clock.now = NOW + 30
    assert client.post("/account/two-factor/off", data={"off-code": code_at(NOW + 30)}).status_code == 302
    db.session.refresh(user)
    assert user.totp_secret is None and "two_factor.disabled" in actions(user)
    client.post("/logout")
    assert password(client, user).location == "/"  # the password alone again


def test_new_recovery_codes_replace_the_old(client, org, clock):
    user = enrolled(org)
    old = two_factor.new_recovery_codes(user)
    db.session.commit()
    password(client, user)
    client.post("/login/code", data={"code": code_at(NOW)})
    clock.now = NOW + 30
    response = client.post("/account/two-factor/recovery-codes", data={"new-code": code_at(NOW + 30)})
    new = re.findall(r"<code>([A-Z0-9-]+)</code>", response.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    client.post("/logout")
    password(client, user)
    assert client.post("/login/code", data={"code": old[0]}).status_code == 200
    assert client.post("/login/code", data={"code": new[0]}).status_code == 302


# The accessibility statement and the privacy notice

def test_anonymous_visitors_choose_a_municipality_and_read_its_statements(client, world):
    page = client.get("/accessibility").get_data(as_text=True)
    assert world.org.name in page and world.other_org.name in page
    page = client.get(f"/accessibility?organisation={world.org.id}").get_data(as_text=True)
    assert "Tilgængelighedserklæring" in page and "(WCAG) 2.1" in page and "Digitaliseringsstyrelsen" in page
    page = client.get(f"/privacy?organisation={world.org.id}").get_data(as_text=True)
    assert "Dataansvarlig" in page and "Datatilsynet" in page and "barnets lov" in page
    assert client.get("/privacy?organisation=abc").status_code == 404
    assert client.get("/privacy?organisation=999999").status_code == 404
    login_page = client.get("/login").get_data(as_text=True)
    assert 'href="/accessibility"' in login_page and 'href="/privacy"' in login_page


def test_the_only_municipality_is_shown_directly_with_its_contact(client, org):
    org.email, org.phone = "familie@example.dk", "+45 11 22 33 44"
    db.session.commit()
    page = client.get("/accessibility").get_data(as_text=True)
    assert org.name in page and "familie@example.dk" in page and "+45 11 22 33 44" in page


def test_the_standard_texts_are_in_greenlandic_for_a_greenlandic_reader(client):
    gl = factories.organisation(country="GL")
    db.session.commit()
    client.post("/language", data={"language": "kl"})
    for path in ("/accessibility", "/privacy"):
        page = client.get(path).get_data(as_text=True)
        assert '<html lang="kl">' in page and gl.name in page
        assert "The website" not in page and "We process" not in page and "barnets lov" not in page


def test_a_signed_in_user_reads_their_own_organisations_text_which_the_administrator_writes(
        client, world, login_as):
    login_as(world.users["admin"])
    form = client.get("/admin/organisation").get_data(as_text=True)
    version = re.search(r'id="settings-version" name="settings-version"[^>]*value="(\d+)"', form).group(1)
    written = "Vi <b>gør</b> vores bedste.\r\n\r\nSkriv til os."
    response = client.post("/admin/organisation/settings", data={
        "settings-accessibility_statement": written, "settings-privacy_notice": "", "settings-version": version})
    assert response.status_code == 302
    page = client.get("/accessibility").get_data(as_text=True)
    assert "Vi &lt;b&gt;gør&lt;/b&gt; vores bedste." in page and "<b>gør" not in page
    assert page.count('<p class="prose">') == 2 and "WCAG" not in page
    assert "Dataansvarlig" in client.get("/privacy").get_data(as_text=True)  # still the standard notice
    assert "organisation.settings" in [e.action for e in db.session.scalars(select(AuditEntry))]

    # A stale form changes nothing and says why.
    response = client.post("/admin/organisation/settings", data={
        "settings-accessibility_statement": "Old", "settings-privacy_notice": "", "settings-version": version})
    assert response.status_code == 200 and "ændret" in response.get_data(as_text=True)
    db.session.refresh(world.org)
    assert world.org.accessibility_statement.startswith("Vi <b>")
    client.post("/logout")
    login_as(world.outsiders["coordinator"])
    assert "Vi &lt;b&gt;" not in client.get("/accessibility").get_data(as_text=True)


def test_statement_text_that_is_too_long_is_refused_with_a_message(client, world, login_as):
    login_as(world.users["admin"])
    response = client.post("/admin/organisation/settings", data={
        "settings-accessibility_statement": "x" * 20001, "settings-privacy_notice": "",
        "settings-version": str(world.org.version)})
    assert response.status_code == 200 and "20.000" in response.get_data(as_text=True)
    db.session.refresh(world.org)
    assert world.org.accessibility_statement == ""

