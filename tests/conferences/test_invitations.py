"""Invitations through a real SMTP server, read back as a mail client would, and
the .ics read by two parsers not written for this project."""
import json
import shutil
import subprocess
from datetime import date, datetime, time, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from fgc.conferences import ical, services
from fgc.config import ROOT
from fgc.core.mail import deliver_pending
from fgc.extensions import db
from tests.conferences import factories
from tests.network import factories as network

HERE = Path(__file__).parent
SECRETS = ("Pipaluk", "Lyberth", "The school is worried", "The child may not live with X",
           "How does the child get to school")


@pytest.fixture
def meeting(world):
    case = world.case
    case.coordinator.name = "Naja Petersen"
    conference = factories.conference(case, world.users["coordinator"])
    danish = network.member(case, "Birthe Jensen", email="birthe@example.dk", language="da")
    greenlandic = network.member(case, "Ane Olsen", email="ane@example.gl", language="kl",
                                 gender="female", relation="raising_parent")
    for person in (danish, greenlandic):
        services.add_member(case, conference, person, "family", added_by=world.users["coordinator"])
    db.session.commit()
    return conference


def invite(client, world, meeting):
    response = client.post(f"/cases/{world.case.id}/conferences/{meeting.id}/invite")
    assert response.status_code == 302


def calendar_part(mail):
    [part] = [p for p in mail.walk() if p.get_content_type() == "text/calendar"]
    return part


def all_text(mail):
    return "\n".join(p.get_content() if p.get_content_maintype() == "text" else p.get_content().decode()
                     for p in mail.walk() if not p.is_multipart()) + "\n" + str(mail["Subject"])


def test_each_participant_gets_one_itip_invitation_in_their_own_language(
        client, world, login_as, meeting, smtp_server):
    login_as(world.users["coordinator"])
    invite(client, world, meeting)
    assert deliver_pending() == (2, 0)
    [danish] = smtp_server.inbox.to("birthe@example.dk")
    [greenlandic] = smtp_server.inbox.to("ane@example.gl")
    for mail in (danish, greenlandic):
        assert mail.get_content_type() == "multipart/mixed"
        [alternative] = [p for p in mail.iter_parts() if p.get_content_type() == "multipart/alternative"]
        assert [p.get_content_type() for p in alternative.iter_parts()] == [
            "text/plain", "text/html", "text/calendar"]
        part = calendar_part(mail)
        assert part.get_param("method") == "REQUEST" and part.get_content_charset() == "utf-8"
        [attachment] = [p for p in mail.iter_attachments()]
        assert attachment.get_filename() == "invitation.ics"
        text = all_text(mail)
        for secret in SECRETS:
            assert secret not in text, secret
        assert "Naja Petersen" in text and "/rsvp/" in text
    assert danish["Subject"].startswith("Invitation: møde")
    assert "Du er inviteret" in danish.get_body(("plain",)).get_content()
    assert greenlandic["Subject"].startswith("Qaaqqusissut: ataatsimiinneq")
    assert "SUMMARY:Ataatsimiinneq" in calendar_part(greenlandic).get_content()
    assert "SUMMARY:Møde" in calendar_part(danish).get_content()


def test_a_change_raises_the_sequence_and_cancelling_sends_cancel_with_the_same_uid(
        client, world, login_as, meeting, smtp_server):
    login_as(world.users["coordinator"])
    invite(client, world, meeting)
    deliver_pending()
    form = {"kind": "conference", "day": str(factories.FUTURE), "start": "11:00", "end": "15:00",
            "timezone": "America/Nuuk", "fold": "", "town": "Nuuk", "address": "Aqqusinersuaq 1",
            "room": "Sal 3", "remote": "", "languages": "da,kl", "food": "", "support_person": "",
            "version": meeting.version}
    assert client.post(f"/cases/{world.case.id}/conferences/{meeting.id}/edit", data=form).status_code == 302
    deliver_pending()
    assert client.post(f"/cases/{world.case.id}/conferences/{meeting.id}/cancel").status_code == 302
    deliver_pending()
    mails = smtp_server.inbox.to("birthe@example.dk")
    assert len(mails) == 3
    calendars = [calendar_part(m).get_content() for m in mails]
    uids = {line for c in calendars for line in c.splitlines() if line.startswith("UID:")}
    assert len(uids) == 1
    sequences = [int(next(line for line in c.splitlines() if line.startswith("SEQUENCE:")).split(":")[1])
                 for c in calendars]
    assert sequences == sorted(sequences) and len(set(sequences)) == 3
    assert calendar_part(mails[2]).get_param("method") == "CANCEL"
    assert "STATUS:CANCELLED" in calendars[2] and "METHOD:CANCEL" in calendars[2]
    assert mails[1]["Subject"].startswith("Ændret:") and mails[2]["Subject"].startswith("Aflyst:")


def test_scheduling_and_inviting_work_while_the_mail_server_is_down_and_mail_arrives_once(
        client, world, login_as, meeting, smtp_server):
    smtp_server.stop()
    login_as(world.users["coordinator"])
    invite(client, world, meeting)
    assert deliver_pending() == (0, 2)
    page = client.get(f"/cases/{world.case.id}/conferences/").get_data(as_text=True)
    assert "Mail, der ikke er leveret: 2" in page  # visible to the coordinator
    assert page.count("kunne ikke leveres endnu") == 2
    smtp_server.start()
    later = datetime.now(timezone.utc).replace(year=datetime.now().year + 1)
    assert deliver_pending(now=later) == (2, 0)
    assert deliver_pending(now=later) == (0, 0)
    assert len(smtp_server.inbox.to("birthe@example.dk")) == 1


def test_a_restricted_member_is_refused_with_the_reason(client, world, login_as, meeting):
    person = network.member(world.case, "Thomas Berg", must_not_be_invited=True,
                            restriction_reason="Polititilhold")
    db.session.commit()
    login_as(world.users["coordinator"])
    response = client.post(f"/cases/{world.case.id}/conferences/{meeting.id}/participants",
                           data={"who": f"m:{person.id}", "role": "family"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Thomas Berg må ikke inviteres: Polititilhold" in page
    db.session.refresh(meeting)
    assert all(p.member_id != person.id for p in meeting.participants)


def test_the_answer_comes_back_by_the_link_without_signing_in(app, client, world, login_as, meeting, smtp_server):
    login_as(world.users["coordinator"])
    invite(client, world, meeting)
    deliver_pending()
    client.post("/logout")
    [mail] = smtp_server.inbox.to("ane@example.gl")
    link = next(w for w in mail.get_body(("plain",)).get_content().split() if "/rsvp/" in w)
    path = link.replace("http://fgc.test", "")
    page = client.get(path, headers={"Accept-Language": "da"})
    # The link carries Ane's language: Greenlandic, whatever the browser asks for.
    assert page.status_code == 200 and 'lang="kl"' in page.get_data(as_text=True)
    assert client.post(path, data={"answer": "accepted"}).status_code == 302
    participant = next(p for p in meeting.participants if p.member and p.member.email == "ane@example.gl")
    db.session.refresh(participant)
    assert participant.answer == "accepted"
    assert client.get(path.split("?")[0][:-3] + "xyz").status_code == 410


def test_people_without_email_get_a_letter_in_their_language(client, world, login_as, meeting):
    person = network.member(world.case, "Jens Olsen", email="", language="kl", gender="male")
    participant = services.add_member(world.case, meeting, person, "family", added_by=world.users["coordinator"])
    db.session.commit()
    login_as(world.users["coordinator"])
    page = client.get(f"/cases/{world.case.id}/conferences/{meeting.id}/participants/{participant.id}/letter")
    text = page.get_data(as_text=True)
    assert '<html lang="da">' in text and '<article class="letter" lang="kl">' in text
    assert "Ataatsimiinnermut qaaqqusissut" in text and "Jens Olsen" in text
    assert "Pipaluk" not in text


# Expected instants from the zones' published rules, not from this machine's tz data.
# (zone, local date, local time) -> UTC
INSTANTS = [
    ("America/Nuuk", date(2026, 1, 15), time(10), datetime(2026, 1, 15, 12)),
    ("America/Nuuk", date(2026, 7, 15), time(10), datetime(2026, 7, 15, 11)),
    ("America/Nuuk", date(2026, 3, 28), time(12), datetime(2026, 3, 28, 14)),   # day before summer time
    ("America/Nuuk", date(2026, 3, 29), time(12), datetime(2026, 3, 29, 13)),   # first day of it
    ("America/Nuuk", date(2026, 10, 24), time(12), datetime(2026, 10, 24, 13)),
    ("America/Nuuk", date(2026, 10, 25), time(12), datetime(2026, 10, 25, 14)),
    ("America/Scoresbysund", date(2026, 1, 15), time(10), datetime(2026, 1, 15, 12)),
    ("America/Scoresbysund", date(2026, 7, 15), time(10), datetime(2026, 7, 15, 11)),
    ("America/Scoresbysund", date(2026, 3, 29), time(12), datetime(2026, 3, 29, 13)),
    ("America/Scoresbysund", date(2026, 10, 25), time(12), datetime(2026, 10, 25, 14)),
    ("America/Thule", date(2026, 1, 15), time(10), datetime(2026, 1, 15, 14)),
    ("America/Thule", date(2026, 7, 15), time(10), datetime(2026, 7, 15, 13)),
    ("America/Thule", date(2026, 3, 7), time(12), datetime(2026, 3, 7, 16)),     # US rules: 2nd Sunday in March
    ("America/Thule", date(2026, 3, 8), time(12), datetime(2026, 3, 8, 15)),     # the day itself
    ("America/Thule", date(2026, 3, 9), time(12), datetime(2026, 3, 9, 15)),
    ("America/Thule", date(2026, 10, 31), time(12), datetime(2026, 10, 31, 15)),  # 1st Sunday in November
    ("America/Thule", date(2026, 11, 2), time(12), datetime(2026, 11, 2, 16)),
    ("America/Danmarkshavn", date(2026, 1, 15), time(10), datetime(2026, 1, 15, 10)),
    ("America/Danmarkshavn", date(2026, 7, 15), time(10), datetime(2026, 7, 15, 10)),
    ("Europe/Copenhagen", date(2026, 1, 15), time(10), datetime(2026, 1, 15, 9)),
    ("Europe/Copenhagen", date(2026, 7, 15), time(10), datetime(2026, 7, 15, 8)),
    ("Europe/Copenhagen", date(2026, 3, 28), time(12), datetime(2026, 3, 28, 11)),
    ("Europe/Copenhagen", date(2026, 3, 30), time(12), datetime(2026, 3, 30, 10)),
    ("Europe/Copenhagen", date(2026, 10, 24), time(12), datetime(2026, 10, 24, 10)),
    ("Europe/Copenhagen", date(2026, 10, 26), time(12), datetime(2026, 10, 26, 11)),
]


@pytest.fixture(scope="module")
def ics_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ics")
    files = {}
    for index, (zone, day, clock, expected) in enumerate(INSTANTS):
        start, end = services.times(day, clock, time(clock.hour + 2), zone)
        event = ical.MeetingEvent(uid=f"test-{index}@fgc", sequence=index % 3, start=start, end=end,
                                  summary="Møde", location="Nuuk", description="x", url="http://fgc.test/x",
                                  organizer_name="Naja", organizer_email="no-reply@fgc.invalid",
                                  stamp=datetime(2026, 1, 1, tzinfo=timezone.utc))
        path = folder / f"{index}.ics"
        path.write_bytes(ical.invitation(event, "ane@example.gl", "Ane"))
        files[str(path)] = (zone, day, expected.replace(tzinfo=timezone.utc))
    return files


def test_mozillas_ical_js_reads_the_right_instant_in_every_zone(ics_files):
    node = shutil.which("node")
    assert node and (ROOT / "node_modules" / "ical.js").exists(), "node and ical.js are needed: run make test"
    result = subprocess.run([node, str(HERE / "icaljs_check.mjs"), *ics_files], capture_output=True,
                            text=True, cwd=ROOT, check=True)
    parsed = json.loads(result.stdout)
    assert len(parsed) == len(ics_files)
    for event in parsed:
        zone, day, expected = ics_files[event["path"]]
        assert event["start"] == expected.timestamp(), f"{zone} {day}"
        assert event["end"] - event["start"] == 7200 and event["method"] == "REQUEST"


def test_libical_reads_the_right_instant_and_finds_the_invitation_valid(ics_files):
    python = "/usr/bin/python3"
    check = subprocess.run([python, "-c", "import gi; gi.require_version('ICalGLib', '3.0')"],
                           capture_output=True)
    assert check.returncode == 0, "libical's Python binding is needed: run make test (it installs it)"
    result = subprocess.run([python, str(HERE / "libical_check.py"), *ics_files], capture_output=True,
                            text=True, check=True)
    for event in json.loads(result.stdout):
        zone, day, expected = ics_files[event["path"]]
        assert event["start"] == expected.timestamp(), f"{zone} {day}"
        assert event["method"] == "REQUEST" and event["restriction_ok"] and event["errors"] == 0


def test_the_invitation_speaks_to_each_person_as_what_they_come_as(
        client, world, login_as, meeting, smtp_server):
    case = world.case
    teacher = network.member(case, "Nils Kreutzmann", email="nils@example.dk", language="da")
    services.add_member(case, meeting, teacher, "informant", added_by=world.users["coordinator"])
    services.add_staff(case, meeting, world.users["caseworker"], "caseworker", added_by=world.users["coordinator"])
    db.session.commit()
    login_as(world.users["coordinator"])
    invite(client, world, meeting)
    deliver_pending()
    body = lambda address: smtp_server.inbox.to(address)[0].get_body(("plain",)).get_content()  # noqa: E731
    assert "et barn, du betyder noget for" in body("birthe@example.dk")
    assert "fortælle om dit arbejde med barnet" in body("nils@example.dk")
    staff = body(world.users["caseworker"].email)
    assert "Du er inviteret til et møde. Tid og sted står herunder." in staff
    for address in ("nils@example.dk", world.users["caseworker"].email):
        assert "betyder noget for" not in body(address)


def test_a_new_time_asks_everyone_again_and_a_cancellation_asks_first_and_gives_the_reason(
        client, world, login_as, meeting, smtp_server):
    from fgc.conferences.models import Participant

    login_as(world.users["coordinator"])
    invite(client, world, meeting)
    for participant in meeting.participants:
        participant.answer = "accepted"
    db.session.commit()
    form = {"kind": "conference", "day": str(factories.FUTURE), "start": "12:00", "end": "15:00",
            "timezone": "America/Nuuk", "fold": "", "town": "Nuuk", "address": "Aqqusinersuaq 1",
            "room": "Mødelokale 2", "remote": "", "languages": "da,kl", "food": "", "support_person": "",
            "version": meeting.version}
    assert client.post(f"/cases/{world.case.id}/conferences/{meeting.id}/edit", data=form).status_code == 302
    assert {p.answer for p in db.session.scalars(select(Participant))} == {"sent"}
    deliver_pending()
    [changed] = smtp_server.inbox.to("birthe@example.dk")[1:]
    assert "dit tidligere svar gælder ikke længere" in changed.get_body(("plain",)).get_content()

    url = f"/cases/{world.case.id}/conferences/{meeting.id}/cancel"
    page = client.get(url).get_data(as_text=True)
    assert "Aflys mødet?" in page and meeting.state == "invited"  # asking cancels nothing
    assert client.post(url, data={"reason": "Mormor er syg."}).status_code == 302
    db.session.refresh(meeting)
    assert meeting.state == "cancelled" and meeting.cancel_reason == "Mormor er syg."
    deliver_pending()
    danish = smtp_server.inbox.to("birthe@example.dk")[-1].get_body(("plain",)).get_content()
    greenlandic = smtp_server.inbox.to("ane@example.gl")[-1].get_body(("plain",)).get_content()
    assert "Hvorfor: Mormor er syg." in danish and "Sooq: Mormor er syg." in greenlandic
