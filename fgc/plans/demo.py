"""Demo plans: the Jensen children's accepted plan, and the demo family members'
accounts (Birthe Jensen, mormor; Ane Olsen, who raises the Olsen children)."""
from datetime import date, timedelta

from sqlalchemy import select

from fgc.cases import services as case_services
from fgc.cases.models import FOLLOWING_UP, PLAN_AGREED
from fgc.extensions import db
from fgc.network.models import NetworkMember
from fgc.plans import rules, services
from fgc.plans.models import FamilyAccount


def _member(case, name):
    return db.session.scalar(select(NetworkMember).where(NetworkMember.case_id == case.id, NetworkMember.name == name))


def seed(demo):
    jensen = demo.cases["dk_jensen"]
    mormor, mother, moster = (_member(jensen, n) for n in ("Birthe Jensen", "Louise Jensen", "Sanne Jensen"))
    today = date.today()
    plan = services.record_plan(jensen, dict(
        language="da", contingency="Hvis mor bliver indlagt igen, flytter børnene midlertidigt hos mormor.",
        monitor_id=mormor.id, review_date=rules.proposed_review_date(today), conference_id=None,
        answers=["Mormor følger børnene i skole mandag til onsdag, Louise torsdag og fredag.",
                 "Børnene går til mormor; moster Sanne er reserve."],
        resources=["Aflastning en weekend om måneden", "Familiebehandling i Familiehuset"],
        commitments=[
            dict(what="Følge Emma og Oliver i skole mandag til onsdag", people=[mormor.id], service="",
                 schedule="weekly", weekdays=[0, 1, 2], at_time=None, how_we_know="Skolen melder fravær til Louise",
                 checked_by="Louise"),
            dict(what="Lave madplan og handle ind hver søndag", people=[mother.id], service="", schedule="weekly",
                 weekdays=[6], at_time=None, how_we_know="Madplanen hænger på køleskabet", checked_by="Birthe"),
            dict(what="Tage børnene med til svømning", people=[moster.id], service="",
                 due_date=today + timedelta(days=2), at_time=None, how_we_know="", checked_by=""),
            dict(what="Forløb i Familiehuset", people=[], service="Familiehuset",
                 due_date=today - timedelta(days=3), at_time=None,
                 how_we_know="Familiehuset giver besked", checked_by="Jonas (sagsbehandler)"),
        ]), recorded_by=demo.users["dk_coordinator"])
    plan.state = "accepted"
    plan.resources[0].decision = "approved"
    # A revision in progress: version 2, a draft awaiting the caseworker's decision.
    revision = services.revise(jensen, plan, revised_by=demo.users["dk_coordinator"])
    revision.contingency = "Hvis mor bliver indlagt igen, flytter børnene midlertidigt hos mormor eller moster."
    _olsen_plan(demo)
    db.session.add_all([
        FamilyAccount(user_id=demo.users["dk_family"].id, member_id=mormor.id),
        FamilyAccount(user_id=demo.users["gl_family"].id, member_id=_member(demo.cases["gl_olsen"], "Ane Olsen").id),
    ])
    db.session.flush()


def _olsen_plan(demo):
    """The Olsen family's accepted plan, in Greenlandic: Ane, who raises the children,
    has commitments of her own."""
    olsen, held = demo.cases["gl_olsen"], demo.conferences["gl_olsen"]
    ane, ivalo, jens = (_member(olsen, n) for n in ("Ane Olsen", "Ivalo Olsen", "Jens Olsen"))
    held_on = held.starts_at.date()
    plan = services.record_plan(olsen, dict(
        language="kl", contingency="Ivalo napparsimavimmiissappat meeqqat Ane-mi najugaqartassapput.",
        monitor_id=ane.id, review_date=held_on + timedelta(days=77), conference_id=held.id,
        answers=["Ane ullaakkut meeqqat atuarfimmut ingiaqatigisarpai; Ivalo tallimanngornikkut."],
        resources=["Ilaqutariit Illuanni oqaloqatigiinnerit"],
        commitments=[
            dict(what="Malik Pipalullu ullaakkut atuarfimmut ingiaqatigissallugit", people=[ane.id], service="",
                 schedule="weekly", weekdays=[0, 1, 2, 3], at_time=None, how_we_know="Atuarfik Ivalomut nalunaartarpoq",
                 checked_by="Ivalo"),
            dict(what="Meeqqanut ullormut nerisassanik piareersaaneq", people=[ane.id, ivalo.id], service="",
                 schedule="weekly", weekdays=[6], at_time=None, how_we_know="", checked_by="Ane"),
            dict(what="Arfininngornikkut aalisariarneq", people=[jens.id], service="", schedule="fortnightly",
                 weekdays=[5], starts_on=held_on + timedelta(days=5), at_time=None, how_we_know="", checked_by=""),
            dict(what="Ilaqutariit Illuanni oqaloqatigiinnerit", people=[], service="Ilaqutariit Illuat",
                 due_date=held_on + timedelta(days=60), at_time=None, how_we_know="", checked_by="Hans Kleist"),
        ]), recorded_by=demo.users["gl_coordinator"])
    plan.state, plan.decided_by_id = "accepted", demo.users["gl_caseworker"].id
    plan.decided_at = held.ends_at + timedelta(days=1)
    plan.resources[0].decision = "approved"
    case_services.follow_event(olsen, PLAN_AGREED, held_on + timedelta(days=1), changed_by=demo.users["gl_caseworker"])
    case_services.follow_event(olsen, FOLLOWING_UP, date.today(), changed_by=demo.users["gl_coordinator"])
