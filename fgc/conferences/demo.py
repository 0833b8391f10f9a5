"""Demo meetings: a prepared conference for the Jensen children, with
participants from the network and staff, one of them without e-mail."""
from datetime import date, time, timedelta

from sqlalchemy import select

from fgc.conferences import services
from fgc.network.models import NetworkMember


def seed(demo):
    case = demo.cases["dk_jensen"]
    coordinator = demo.users["dk_coordinator"]
    day = date.today() + timedelta(days=21)
    conference = services.schedule(case, dict(
        kind="conference", day=day, start=time(15), end=time(19), timezone="Europe/Copenhagen", fold=None,
        town="Aarhus", address="Familiehuset, Vestergade 12", room="Stuen", remote="", languages="da",
        interpreter_booked=False, food="Aftensmad til 12", support_person="Lene Dahl"), scheduled_by=coordinator)
    services.set_checklist(case, conference, {"consent", "questions", "invitation_list", "venue"},
                           changed_by=coordinator)
    people = {m.name: m for m in services.db.session.scalars(
        select(NetworkMember).where(NetworkMember.case_id == case.id))}
    for name in ("Louise Jensen", "Birthe Jensen", "Kasper Holm", "Sanne Jensen", "Ali Hassan"):
        services.add_member(case, conference, people[name], "family", added_by=coordinator)
    services.add_staff(case, conference, demo.users["dk_caseworker"], "caseworker", added_by=coordinator)
    services.add_staff(case, conference, coordinator, "coordinator", added_by=coordinator)

    olsen = demo.cases["gl_olsen"]
    services.schedule(olsen, dict(
        kind="conference", day=date.today() + timedelta(days=35), start=time(13), end=time(17),
        timezone="America/Nuuk", fold=None, town="Nuuk", address="Ilaqutariit Illuat", room="",
        remote="Kapisillit: oqarasuaatikkut", languages="da,kl", interpreter_booked=True,
        food="Kaffemik", support_person=""), scheduled_by=demo.users["gl_coordinator"])
