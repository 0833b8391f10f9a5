"""What every protocol shares once a provider has vouched for someone: who they are in
fgc, their role, and whether they may sign in."""
import pytest
from sqlalchemy import select

from fgc.auth.models import User
from fgc.core.audit import AuditEntry
from fgc.extensions import db
from fgc.sso import services
from fgc.sso.models import FAMILY_SIGN_IN, ExternalIdentity
from fgc.sso.services import Assertion, NotLinked, SignInRefused
from tests import factories
from tests.sso.factories import provider


def test_a_known_staff_member_is_found_by_e_mail_once_then_by_their_identity(users, org):
    idp = provider(org)
    coordinator = users["coordinator"]
    assert services.user_for(idp, Assertion("abc-1", email=coordinator.email.upper())) == coordinator
    db.session.commit()
    coordinator.email = "new.address@example.dk"  # the identity holds, whatever the address
    assert services.user_for(idp, Assertion("abc-1", email="someone@else.dk")) == coordinator


def test_an_unknown_staff_member_is_refused_unless_the_organisation_creates_accounts(app, org):
    idp = provider(org, role_map="fgc-koordinator = coordinator")
    with pytest.raises(SignInRefused, match="ingen konto"):
        services.user_for(idp, Assertion("new-1", email="ny@kommune.dk", roles=("fgc-koordinator",)))
    idp.create_users = True
    user = services.user_for(idp, Assertion("new-1", email="Ny@Kommune.dk", name="Ny Medarbejder",
                                            roles=("andet", "fgc-koordinator")))
    assert (user.email, user.name, user.role, user.password_hash) == ("ny@kommune.dk", "Ny Medarbejder",
                                                                      "coordinator", None)


def test_no_account_is_created_without_a_role(app, org):
    idp = provider(org, role_map="fgc-koordinator = coordinator", create_users=True)
    with pytest.raises(SignInRefused):
        services.user_for(idp, Assertion("new-2", email="ny2@kommune.dk", roles=("andet",)))
    assert db.session.scalar(select(User).where(User.email == "ny2@kommune.dk")) is None


def test_the_role_follows_the_mapping_at_each_sign_in(users, org):
    idp = provider(org, role_map="fgc-admin = admin\n* = caseworker")
    user = users["coordinator"]
    assert services.user_for(idp, Assertion("s-1", email=user.email, roles=("fgc-admin",))).role == "admin"
    assert services.user_for(idp, Assertion("s-1", roles=())).role == "caseworker"
    idp.role_map = ""  # no mapping: the role set in fgc stays
    assert services.user_for(idp, Assertion("s-1", roles=("fgc-admin",))).role == "caseworker"


def test_a_deactivated_user_is_refused_even_with_a_valid_assertion(users, org):
    idp = provider(org)
    users["caseworker"].active = False
    with pytest.raises(SignInRefused, match="deaktiveret"):
        services.user_for(idp, Assertion("s-2", email=users["caseworker"].email))


def test_another_organisations_staff_and_family_accounts_are_refused(users, org):
    other = factories.organisation()
    stranger = factories.user(other, "coordinator")
    idp = provider(org)
    with pytest.raises(SignInRefused, match="anden organisation"):
        services.user_for(idp, Assertion("s-3", email=stranger.email))
    with pytest.raises(SignInRefused, match="for medarbejdere"):
        services.user_for(idp, Assertion("s-4", email=users["family"].email))


def test_a_family_member_signs_in_only_through_a_linked_identity_at_the_required_level(users, org):
    idp = provider(org, audience=FAMILY_SIGN_IN, minimum_assurance="substantial")
    family = users["family"]
    substantial = "https://data.gov.dk/concept/core/nsis/loa/Substantial"
    with pytest.raises(NotLinked):
        services.user_for(idp, Assertion("mitid-uuid-1", email=family.email, assurance=substantial))
    services.link(idp, family, "mitid-uuid-1")
    assert services.user_for(idp, Assertion("mitid-uuid-1", assurance=substantial)) == family
    for too_low in ("https://data.gov.dk/concept/core/nsis/loa/Low", "", "Betydelig"):
        with pytest.raises(SignInRefused, match="sikringsniveau"):
            services.user_for(idp, Assertion("mitid-uuid-1", assurance=too_low))
    services.link(idp, users["coordinator"], "mitid-uuid-2")
    with pytest.raises(SignInRefused, match="for familiemedlemmer"):
        services.user_for(idp, Assertion("mitid-uuid-2", assurance="High"))


@pytest.mark.parametrize("text", ["fgc-admin = boss", "no equals sign", " = coordinator", "x = family"])
def test_a_bad_role_mapping_line_is_named(app, text):
    with pytest.raises(services.DomainError, match="Linje 1"):
        services.parse_role_map(text)


def test_the_login_page_shows_a_button_per_provider_in_use(client, org):
    provider(org, name="Aarhus Kommune (medarbejdere)")
    provider(org, name="Gammel login", enabled=False)
    db.session.commit()
    page = client.get("/login").get_data(as_text=True)
    assert "Aarhus Kommune (medarbejdere)" in page and "Gammel login" not in page


def test_a_disabled_or_unknown_provider_cannot_be_started(client, org):
    idp = provider(org, enabled=False)
    db.session.commit()
    assert client.get(f"/sso/{idp.id}").status_code == 404
    assert client.get("/sso/999999").status_code == 404


def test_an_administrator_sets_up_a_provider_and_saving_it_unchanged_changes_nothing(client, users, login_as, op):
    login_as(users["admin"])
    response = client.post("/admin/sign-in/new", data={
        "name": "Entra ID", "protocol": "oidc", "audience": "staff", "enabled": "y",
        "oidc_issuer": op.issuer, "oidc_client_id": "fgc",
        "oidc_client_secret": "s3cret", "email_attribute": "email", "roles_attribute": "roles",
        "role_map": "fgc.coordinator = coordinator\n* = caseworker", "minimum_assurance": ""})
    assert response.status_code == 302
    idp = db.session.scalars(select(services.IdentityProvider)).one()
    assert (idp.name, idp.oidc_client_secret, idp.organisation_id) == ("Entra ID", "s3cret", users["admin"].organisation_id)
    page = client.get(f"/admin/sign-in/{idp.id}").get_data(as_text=True)
    assert "s3cret" not in page  # the secret is never shown again
    from tests.test_round_trip import form_fields
    from werkzeug.datastructures import MultiDict
    before = {c.key: getattr(idp, c.key) for c in idp.__table__.columns}
    assert client.post(f"/admin/sign-in/{idp.id}", data=MultiDict(form_fields(page, None) or [])).status_code == 302
    db.session.expire_all()
    assert {c.key: getattr(idp, c.key) for c in idp.__table__.columns} == before
    assert "Entra ID" in client.get("/admin/sign-in").get_data(as_text=True)


def test_bad_provider_settings_are_refused_with_clear_errors_and_nothing_saved(client, users, login_as):
    client.post("/language", data={"language": "kl"})
    login_as(users["admin"])
    response = client.post("/admin/sign-in/new", data={
        "name": "X", "protocol": "oidc", "audience": "staff", "oidc_issuer": "not a url",
        "role_map": "x = superuser", "minimum_assurance": "extreme"})
    assert response.status_code == 200
    assert db.session.scalars(select(services.IdentityProvider)).first() is None


def test_only_administrators_of_the_organisation_reach_its_providers(client, users, org, login_as):
    other = provider(factories.organisation())
    db.session.commit()
    login_as(users["admin"])
    assert client.get(f"/admin/sign-in/{other.id}").status_code == 404
    client.post("/logout")
    login_as(users["coordinator"])
    assert client.get("/admin/sign-in").status_code == 403


def test_a_refused_sign_in_changes_nothing_and_is_audited(app, users, org):
    from fgc.sso.views import finish

    idp = provider(org, role_map="x = coordinator", create_users=True)
    db.session.commit()
    with app.test_request_context("/"):
        body, status = finish(idp, Assertion("who", email="nobody@kommune.dk", roles=("y",)))
        app.process_response(app.make_response((body, status)))  # a refusal's audit entry is written after it
    assert status == 403 and "ingen konto" in body
    assert db.session.scalars(select(ExternalIdentity)).first() is None
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.sign_in_failed")) is not None
