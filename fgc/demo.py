"""Demo data: one Danish and one Greenlandic municipality, every role, cases in
several states. Later domains add their own demo data through DEMO_HOOKS."""
from datetime import date, datetime, time, timedelta, timezone
from importlib import import_module

from fgc.auth.models import Organisation, User
from fgc.cases import services as cases
from fgc.cases.models import CONFERENCE_HELD, PLAN_AGREED, PREPARING, FamilyAccess
from fgc.extensions import db

DEMO_PASSWORD = "demo-password-2026"
# Administrators sign in with a code from an authenticator app: the demo's are set up with
# these keys (README), so anyone trying the demo can add them to an app.
DEMO_TOTP_SECRETS = {
    "admin@aarhus.demo": "DEMOAARHUSADMINTWOFACTORSECRETAA",
    "admin@sermersooq.demo": "DEMOSERMERSOOQADMINTWOFACTORKEYS",
}

# Modules with a `seed(demo)` function, called in order after the cases exist.
DEMO_HOOKS = ("fgc.network.demo", "fgc.conferences.demo", "fgc.plans.demo", "fgc.reports.demo")


class Demo:
    """What the seed made, for the hooks: organisations, users, cases and meetings by key."""

    def __init__(self):
        self.organisations, self.users, self.cases, self.conferences = {}, {}, {}, {}


def _user(demo, key, org, name, email, role, locale, phone=""):
    user = User(organisation=org, name=name, email=email, role=role, locale=locale, phone=phone)
    user.set_password(DEMO_PASSWORD)
    user.totp_secret = DEMO_TOTP_SECRETS.get(email)
    db.session.add(user)
    demo.users[key] = user
    return user


def _case(demo, key, org, coordinator, caseworker, children, states, **fields):
    """A case referred on its consent's day, moved on a day later for each state."""
    case = cases.open_case(
        org.id, opened_by=caseworker, children=children,
        coordinator_id=coordinator.id, caseworker_id=caseworker.id, **fields)
    referred = fields["consent_date"]
    case.created_at = datetime.combine(referred, time(9), tzinfo=timezone.utc)
    case.state_changes[0].effective_on = referred
    for n, state in enumerate(states, start=1):
        case = cases.change_state(case, state, changed_by=coordinator,
                                  effective_on=min(referred + timedelta(days=n), date.today()))
    demo.cases[key] = case
    return case


def seed():
    demo = Demo()
    today = date.today()
    dk = Organisation(name="Aarhus Kommune", country="DK", timezone="Europe/Copenhagen",
                      default_locale="da", address="Familierådslagning, Rådhuspladsen 2, 8000 Aarhus C",
                      phone="+45 89 40 20 00", email="familieraadslagning@aarhus.demo")
    gl = Organisation(name="Kommuneqarfik Sermersooq", country="GL", timezone="America/Nuuk",
                      default_locale="kl", address="Postboks 1005, 3900 Nuuk", phone="+299 36 73 00",
                      email="ilaqutariit@sermersooq.demo")
    db.session.add_all([dk, gl])
    db.session.flush()
    demo.organisations.update(dk=dk, gl=gl)

    _user(demo, "dk_admin", dk, "Mette Lund", "admin@aarhus.demo", "admin", "da")
    dk_coord = _user(demo, "dk_coordinator", dk, "Sofie Kjær", "samordner@aarhus.demo",
                     "coordinator", "da", phone="+45 41 87 20 13")
    dk_case = _user(demo, "dk_caseworker", dk, "Jonas Mikkelsen", "sagsbehandler@aarhus.demo",
                    "caseworker", "da")
    _user(demo, "gl_admin", gl, "Aviaja Lynge", "admin@sermersooq.demo", "admin", "kl")
    gl_coord = _user(demo, "gl_coordinator", gl, "Naja Petersen", "samordner@sermersooq.demo",
                     "coordinator", "kl", phone="+299 55 12 34")
    gl_case = _user(demo, "gl_caseworker", gl, "Hans Kleist", "sagsbehandler@sermersooq.demo",
                    "caseworker", "kl")
    family = _user(demo, "dk_family", dk, "Birthe Jensen", "mormor@aarhus.demo", "family", "da")
    gl_family = _user(demo, "gl_family", gl, "Ane Olsen", "aanaa@sermersooq.demo", "family", "kl")
    db.session.flush()

    common = dict(resources_offered="", if_no_plan="", professionals="", child_views="")
    jensen = _case(
        demo, "dk_jensen", dk, dk_coord, dk_case,
        [{"name": "Emma Jensen", "birth_date": today - timedelta(days=9 * 365), "town": "Aarhus"},
         {"name": "Oliver Jensen", "birth_date": today - timedelta(days=6 * 365), "town": "Aarhus"}],
        [PREPARING],
        concern="Skolen har meldt om højt fravær og om at børnene ofte kommer sultne.",
        bottom_lines=["Børnene må ikke være alene hjemme om natten.",
                      "Far må kun se børnene under opsyn."],
        questions=["Hvordan sikrer familien, at børnene kommer i skole hver dag?",
                   "Hvem kan børnene gå til, når mor er indlagt?"],
        consent_given_by="Louise Jensen (mor)", consent_date=today - timedelta(days=20), **common)
    _case(
        demo, "dk_hansen", dk, dk_coord, dk_case,
        [{"name": "Freja Hansen", "birth_date": today - timedelta(days=14 * 365), "town": "Skejby"}],
        [], concern="Freja har selv fortalt en lærer, at der er uro derhjemme.",
        bottom_lines=["Freja skal have en voksen, hun kan ringe til døgnet rundt."],
        questions=["Hvordan får Freja ro til lektier og søvn?"],
        consent_given_by="Peter Hansen (far)", consent_date=today - timedelta(days=3), **common)
    _case(
        demo, "dk_nielsen", dk, dk_coord, dk_case,
        [{"name": "Noah Nielsen", "birth_date": today - timedelta(days=4 * 365), "town": "Viby"}],
        [PREPARING, CONFERENCE_HELD, PLAN_AGREED],
        concern="Daginstitutionen er bekymret for Noahs sprog og trivsel.",
        bottom_lines=["Noah skal komme i daginstitution hver dag."],
        questions=["Hvem hjælper med at hente og bringe Noah?"],
        consent_given_by="Camilla Nielsen (mor)", consent_date=today - timedelta(days=90), **common)
    olsen = _case(
        demo, "gl_olsen", gl, gl_coord, gl_case,
        [{"name": "Malik Olsen", "birth_date": today - timedelta(days=10 * 365), "town": "Nuuk"},
         {"name": "Pipaluk Olsen", "birth_date": today - timedelta(days=7 * 365), "town": "Nuuk"}],
        [PREPARING],
        concern="Atuarfik ernumassuteqarpoq: meeqqat atuarfimmut ullut tamaasa tikittarneq ajorput.",
        bottom_lines=["Meeqqat unnuakkut kisimiissanngillat."],
        questions=["Qanoq ilaqutariit meeqqat atuarfimmut ullut tamaasa tikittarnissaat qulakkiissavaat?"],
        consent_given_by="Ivalo Olsen (anaanaa)", consent_date=today - timedelta(days=75), **common)
    _case(
        demo, "gl_berthelsen", gl, gl_coord, gl_case,
        [{"name": "Inunnguaq Berthelsen", "birth_date": today - timedelta(days=12 * 365),
          "town": "Kapisillit"}],
        [], concern="Meeqqerivimmiit ernumassut nalunaarutigineqarpoq.",
        bottom_lines=[], questions=["Kina Inunnguaq ikiorsinnaavaa?"],
        consent_given_by="Karl Berthelsen (ataataa)", consent_date=today - timedelta(days=2),
        **common)
    db.session.add_all([FamilyAccess(user_id=family.id, case_id=jensen.id),
                        FamilyAccess(user_id=gl_family.id, case_id=olsen.id)])
    db.session.flush()
    for module in DEMO_HOOKS:
        import_module(module).seed(demo)
    return list(demo.users.values())
