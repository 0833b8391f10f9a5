"""Demo meetings: a prepared conference for the Jensen children, with
participants from the network and staff, one of them without e-mail."""
from datetime import date, time, timedelta

from sqlalchemy import select

from fgc.cases import services as case_services
from fgc.cases.models import CONFERENCE_HELD
from fgc.conferences import services
from fgc.conferences.models import CHECKLIST
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

    # The Olsen children's conference was held six weeks ago (Jens joined by phone from
    # Kapisillit); the follow-up is in five weeks.
    olsen, gl_coordinator = demo.cases["gl_olsen"], demo.users["gl_coordinator"]
    place = dict(timezone="America/Nuuk", fold=None, town="Nuuk", address="Ilaqutariit Illuat", room="",
                 remote="Kapisillit: oqarasuaatikkut", languages="da,kl", interpreter_booked=True,
                 food="Kaffemik", support_person="Paninnguaq Lund")
    held_on = date.today() - timedelta(days=42)
    held = services.schedule(olsen, dict(kind="conference", day=held_on, start=time(13), end=time(17), **place),
                             scheduled_by=gl_coordinator)
    services.set_checklist(olsen, held, set(CHECKLIST), changed_by=gl_coordinator)
    for item in held.checklist:
        item.done_at = held.starts_at - timedelta(days=7)
    people = {m.name: m for m in services.db.session.scalars(
        select(NetworkMember).where(NetworkMember.case_id == olsen.id))}
    for name in ("Ivalo Olsen", "Ane Olsen", "Jens Olsen", "Paninnguaq Lund"):
        services.add_member(olsen, held, people[name], "family", added_by=gl_coordinator)
    services.add_staff(olsen, held, demo.users["gl_caseworker"], "caseworker", added_by=gl_coordinator)
    held.state = "held"
    held.private_time_held, held.child_took_part, held.child_support_person = True, "views", False
    held.interpreter_needed, held.interpreter_present = True, True
    for participant in held.participants:
        participant.answer = "accepted"
        participant.attended_part1 = participant.attended_part3 = True
        participant.attended_part2 = participant.member is not None  # the family's own time
        participant.remote_part1 = participant.remote_part2 = participant.remote_part3 = \
            participant.name == "Jens Olsen"  # by phone from Kapisillit
    case_services.follow_event(olsen, CONFERENCE_HELD, held_on, changed_by=gl_coordinator)
    demo.conferences["gl_olsen"] = held
    services.schedule(olsen, dict(kind="follow_up", day=date.today() + timedelta(days=35), start=time(13),
                                  end=time(15), **place), scheduled_by=gl_coordinator)
