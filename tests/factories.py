"""Small factories for the foundation's models. Each flushes, none commits."""
from datetime import date, timedelta
from itertools import count

from fgc.auth.models import Organisation, User
from fgc.cases import services as case_services
from fgc.cases.models import FamilyAccess
from fgc.extensions import db

PASSWORD = "correct horse battery"
# Administrators must sign in with two factors: the factory's are set up with this key.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
_seq = count(1)


def organisation(name=None, country="DK"):
    org = Organisation(name=name or f"Test Kommune {next(_seq)}", country=country,
                       timezone="America/Nuuk" if country == "GL" else "Europe/Copenhagen",
                       default_locale="kl" if country == "GL" else "da")
    db.session.add(org)
    db.session.flush()
    return org


def user(org, role="coordinator", locale="da", email=None, name=None, totp_secret=None):
    """A user with PASSWORD; an administrator also with two-factor sign-in (TOTP_SECRET)
    unless `totp_secret=""` leaves it to be set up."""
    n = next(_seq)
    person = User(organisation=org, role=role, locale=locale,
                  email=email or f"{role}{n}@example.dk", name=name or f"{role.title()} {n}")
    person.set_password(PASSWORD)
    if totp_secret is None and role == "admin":
        totp_secret = TOTP_SECRET
    person.totp_secret = totp_secret or None
    db.session.add(person)
    db.session.flush()
    return person


def case(org, coordinator=None, caseworker=None, child_name="Emma Test", **overrides):
    opener = caseworker or coordinator
    values = dict(
        children=[{"name": child_name, "birth_date": date.today() - timedelta(days=3000), "town": "Nuuk"}],
        bottom_lines=["The child may not live with X."],
        questions=["How does the child get to school?"],
        concern="The school is worried.", resources_offered="", if_no_plan="", child_views="",
        professionals="", consent_given_by="Mother", consent_date=date.today() - timedelta(days=5),
        coordinator_id=getattr(coordinator, "id", None), caseworker_id=getattr(caseworker, "id", None),
    )
    values.update(overrides)
    return case_services.open_case(org.id, opened_by=opener, **values)


def family_account(family_user, for_case, name="Birthe Mormor"):
    """A family member's account: access to the case, linked to a network member."""
    from fgc.plans.models import FamilyAccount
    from tests.network.factories import member

    family_access(family_user, for_case)
    person = member(for_case, name, relation="grandparent", email=family_user.email)
    db.session.add(FamilyAccount(user_id=family_user.id, member_id=person.id))
    db.session.flush()
    return person


def family_access(family_user, for_case):
    access = FamilyAccess(user_id=family_user.id, case_id=for_case.id)
    db.session.add(access)
    db.session.flush()
    return access
