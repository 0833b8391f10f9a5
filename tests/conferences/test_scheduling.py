from datetime import date, time, timedelta

import pytest
from sqlalchemy import select

from fgc.conferences import services
from fgc.conferences.models import CalendarFeed, Conference
from fgc.extensions import db
from tests.conferences import factories
from tests.conftest import count_queries
from tests.network import factories as network


def form(**changes):
    data = {"kind": "conference", "day": str(factories.FUTURE), "start": "10:00", "end": "14:00",
            "timezone": "America/Nuuk", "fold": "", "town": "Sisimiut", "address": "Familiehuset",
            "room": "", "remote": "", "languages": "kl", "food": "", "support_person": ""}
    data.update(changes)
    return data


def meetings(case):
    return db.session.scalars(select(Conference).where(Conference.case_id == case.id)).all()


def test_a_coordinator_schedules_a_conference_with_a_checklist(client, world, login_as):
    login_as(world.users["coordinator"])
    response = client.post(f"/cases/{world.case.id}/conferences/new", data=form())
    assert response.status_code == 302
    [meeting] = meetings(world.case)
    assert meeting.timezone == "America/Nuuk" and meeting.starts_at.hour == 12  # 10:00 at UTC-2
    assert meeting.progress == (0, 9) and meeting.uid and meeting.sequence == 0
    page = client.get(response.location).get_data(as_text=True)
    assert "Samtykke registreret" in page and "0/9" in page


def test_the_spring_forward_hour_is_refused_clearly(client, world, login_as):
    login_as(world.users["coordinator"])
    response = client.post(f"/cases/{world.case.id}/conferences/new", data=form(
        day="2027-03-28", start="02:30", end="04:00", timezone="Europe/Copenhagen"))
    assert "Det tidspunkt findes ikke i Danmark (København)" in response.get_data(as_text=True)
    assert meetings(world.case) == []


def test_the_autumn_hour_that_happens_twice_must_be_chosen(client, world, login_as):
    login_as(world.users["coordinator"])
    url = f"/cases/{world.case.id}/conferences/new"
    ambiguous = form(day="2027-10-31", start="02:15", end="02:45", timezone="Europe/Copenhagen")
    response = client.post(url, data=ambiguous)
    assert "forekommer to gange" in response.get_data(as_text=True) and meetings(world.case) == []
    assert client.post(url, data={**ambiguous, "fold": "1"}).status_code == 302
    [meeting] = meetings(world.case)
    assert (meeting.starts_at.hour, meeting.starts_at.minute) == (1, 15)  # winter time, UTC+1


@pytest.mark.parametrize("changes,message", [
    ({"day": ""}, "Angiv datoen for mødet."),
    ({"day": "31-12-2026"}, "Skriv en dato som"),
    ({"start": "25:99"}, "Ikke et gyldigt klokkeslæt."),
    ({"end": "09:00"}, "Sluttidspunktet skal ligge efter starttidspunktet."),
    ({"timezone": "Mars/Olympus"}, "Ikke et gyldigt valg."),
    ({"room": "x" * 500}, "Teksten er for lang"),
])
def test_bad_meeting_input_is_refused_and_nothing_saved(client, world, login_as, changes, message):
    login_as(world.users["coordinator"])
    response = client.post(f"/cases/{world.case.id}/conferences/new", data=form(**changes))
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert meetings(world.case) == []


def test_a_meeting_on_a_public_holiday_gets_a_warning(client, world, login_as):
    login_as(world.users["coordinator"])
    client.post(f"/cases/{world.case.id}/conferences/new", data=form(day="2027-06-21"))
    [meeting] = meetings(world.case)
    page = client.get(f"/cases/{world.case.id}/conferences/{meeting.id}").get_data(as_text=True)
    assert "Mødet ligger på en helligdag: Ullortuneq." in page


def test_the_viewer_sees_the_meetings_time_and_their_own(client, world, login_as):
    login_as(world.users["coordinator"])  # a Danish municipality: Copenhagen time
    client.post(f"/cases/{world.case.id}/conferences/new", data=form(day="2027-01-14", start="10:00", end="12:00"))
    [meeting] = meetings(world.case)
    page = client.get(f"/cases/{world.case.id}/conferences/{meeting.id}").get_data(as_text=True)
    assert "kl. 10.00–12.00 grønlandsk tid" in page and "America/Nuuk" not in page
    assert "Din lokale tid:" in page and "kl. 13.00 dansk tid" in page  # three hours ahead in Copenhagen


def test_overlapping_meetings_of_a_coordinator_are_flagged(client, world, login_as):
    coordinator = world.users["coordinator"]
    first = factories.conference(world.case, coordinator, start=time(10), end=time(12))
    factories.conference(world.case, coordinator, start=time(11), end=time(13))
    later = factories.conference(world.case, coordinator, day=factories.FUTURE + timedelta(days=1))
    db.session.commit()
    login_as(coordinator)
    assert "Mødet overlapper et af dine andre møder." in client.get(
        f"/cases/{world.case.id}/conferences/{first.id}").get_data(as_text=True)
    dashboard = client.get("/").get_data(as_text=True)
    assert dashboard.count("Overlapper et andet møde") == 2
    assert "Forberedt: 0/9" in dashboard
    assert "Mødet overlapper" not in client.get(
        f"/cases/{world.case.id}/conferences/{later.id}").get_data(as_text=True)


def test_the_meeting_page_asks_the_same_number_of_queries_however_full_the_calendar(client, world, login_as):
    coordinator = world.users["coordinator"]
    meeting = factories.conference(world.case, coordinator, start=time(10), end=time(12))
    db.session.commit()
    login_as(coordinator)
    url = f"/cases/{world.case.id}/conferences/{meeting.id}"
    client.get(url)
    with count_queries() as few:
        assert "Mødet overlapper" not in client.get(url).get_data(as_text=True)
    for n in range(40):  # a busy coordinator's other meetings, none at the same time
        factories.conference(world.case, coordinator, day=factories.FUTURE + timedelta(days=n + 1))
    factories.conference(world.case, coordinator, start=time(11, 30), end=time(13))
    db.session.commit()
    with count_queries() as many:
        assert "Mødet overlapper et af dine andre møder." in client.get(url).get_data(as_text=True)
    assert many() == few()


def test_the_meeting_page_offers_the_cases_own_staff_not_every_colleague_of_the_municipality(
        client, world, login_as):
    from tests import factories as base

    coordinator = world.users["coordinator"]
    meeting = factories.conference(world.case, coordinator)
    db.session.commit()
    login_as(coordinator)
    url = f"/cases/{world.case.id}/conferences/{meeting.id}"
    client.get(url)
    with count_queries() as few:
        client.get(url)
    for n in range(60):
        base.user(world.org, "caseworker", name=f"Kollega {n}")
    db.session.commit()
    with count_queries() as many:
        page = client.get(url).get_data(as_text=True)
    assert many() == few() and "Kollega" not in page
    assert f'value="u:{world.case.caseworker_id}"' in page and f'value="u:{coordinator.id}"' in page


def test_the_checklist_progress_is_saved_and_shown(client, world, login_as):
    meeting = factories.conference(world.case, world.users["coordinator"])
    db.session.commit()
    login_as(world.users["coordinator"])
    client.post(f"/cases/{world.case.id}/conferences/{meeting.id}/checklist",
                data={"done": ["consent", "venue", "nonsense"]})
    db.session.refresh(meeting)
    assert meeting.progress == (2, 9)
    assert "2/9" in client.get(f"/cases/{world.case.id}/conferences/").get_data(as_text=True)


def test_attendance_waits_until_the_meeting_has_started(client, world, login_as):
    meeting = factories.conference(world.case, world.users["coordinator"])
    person = services.add_member(world.case, meeting, network.member(world.case, "Birthe"), "family",
                                 added_by=world.users["coordinator"])
    db.session.commit()
    login_as(world.users["coordinator"])
    url = f"/cases/{world.case.id}/conferences/{meeting.id}/attendance"
    assert "Fremmødet kan registreres, når mødet er begyndt." in client.get(url).get_data(as_text=True)
    response = client.post(url, data={f"part-{person.id}-1": "present"})
    assert response.status_code == 200 and "Fremmødet kan registreres" in response.get_data(as_text=True)
    db.session.refresh(meeting)
    db.session.refresh(person)
    assert meeting.state != "held" and person.attended_part1 is None


def test_attendance_per_part_and_views_sent_in(client, world, login_as):
    meeting = factories.conference(world.case, world.users["coordinator"])
    meeting.starts_at -= timedelta(days=31)  # held yesterday
    meeting.ends_at -= timedelta(days=31)
    person = network.member(world.case, "Birthe")
    informant = services.add_staff(world.case, meeting, world.users["caseworker"], "informant",
                                   added_by=world.users["coordinator"])
    family = services.add_member(world.case, meeting, person, "family", added_by=world.users["coordinator"])
    db.session.commit()
    login_as(world.users["coordinator"])
    response = client.post(f"/cases/{world.case.id}/conferences/{meeting.id}/attendance", data={
        f"part-{informant.id}-1": "present", f"part-{family.id}-1": "present", f"part-{family.id}-2": "remote",
        f"part-{family.id}-3": "present", f"views-{informant.id}": "", f"views-{family.id}": "Jeg vil gerne hjælpe."})
    assert response.status_code == 302
    db.session.refresh(meeting)
    db.session.refresh(informant)
    db.session.refresh(family)
    assert meeting.state == "held"
    assert (informant.attended_part1, informant.attended_part2) == (True, False)
    assert family.attended_part3 and family.views == "Jeg vil gerne hjælpe."
    assert [family.took_part(part) for part in (1, 2, 3)] == ["present", "remote", "present"]


def test_the_calendar_feed_is_secret_revocable_and_neutral(app, client, world, login_as):
    factories.conference(world.case, world.users["coordinator"])
    db.session.commit()
    login_as(world.users["coordinator"])
    client.post("/calendar")
    first = db.session.scalar(select(CalendarFeed.token))
    client.post("/logout")
    feed = client.get(f"/calendar/{first}.ics")
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    body = feed.get_data(as_text=True)
    assert "BEGIN:VEVENT" in body and "Pipaluk" not in body and "school" not in body
    login_as(world.users["coordinator"])
    client.post("/calendar")
    assert client.get(f"/calendar/{first}.ics").status_code == 404
    assert client.get("/calendar/guess.ics").status_code == 404


def test_only_coordinators_have_a_calendar_page(client, world, login_as):
    login_as(world.users["caseworker"])
    assert client.get("/calendar").status_code == 403


@pytest.mark.parametrize("path", ["list", "feed"])
def test_conference_list_and_feed_use_the_same_queries_for_few_and_many_meetings(
        client, world, login_as, path):
    coordinator = world.users["coordinator"]
    login_as(coordinator)
    client.post("/calendar")
    token = db.session.scalar(select(CalendarFeed.token))
    url = f"/cases/{world.case.id}/conferences/" if path == "list" else f"/calendar/{token}.ics"

    def make(n):
        for i in range(n):
            factories.conference(world.case, coordinator, day=date.today() + timedelta(days=10 + i))
        db.session.commit()

    make(2)
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    make(40)
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert many() == few()


def test_a_meeting_in_the_repeated_autumn_hour_keeps_its_choice_and_says_it_in_words(client, world, login_as):
    from tests.test_round_trip import form_fields
    from werkzeug.datastructures import MultiDict

    # 31 October 2027, Copenhagen: 02:00-03:00 happens twice; this is the second time.
    meeting = factories.conference(world.case, world.users["coordinator"], day=date(2027, 10, 31), start=time(2, 30),
                                   end=time(5), zone="Europe/Copenhagen", fold=1)
    db.session.commit()
    starts_at = meeting.starts_at
    assert starts_at.hour == 1 and starts_at.minute == 30  # UTC: winter time is UTC+1
    login_as(world.users["coordinator"])
    url = f"/cases/{world.case.id}/conferences/{meeting.id}/edit"
    page = client.get(url).get_data(as_text=True)
    fields = MultiDict(form_fields(page, url))
    assert fields["fold"] == "1"
    assert client.post(url, data=fields).status_code == 302
    db.session.refresh(meeting)
    assert meeting.starts_at == starts_at and meeting.sequence == 0
    detail = client.get(f"/cases/{world.case.id}/conferences/{meeting.id}").get_data(as_text=True)
    assert "kl. 02.30–05.00 dansk tid (vintertid)" in detail
