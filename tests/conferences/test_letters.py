"""Letters a family can use: the municipality's letterhead, the coordinator's name,
phone and e-mail, the date and time in words, a short code at a short address and a QR
code that opens the answer page. The plan on paper for whoever cannot open it in fgc."""
import io
from datetime import date, time, timedelta

from sqlalchemy import select

from fgc.conferences import services
from fgc.core.mail import OutboxMessage
from fgc.extensions import db
from tests.conferences import factories
from tests.network import factories as network
from tests.plans import factories as plan_factories

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def invited(world, person_email=""):
    coordinator = world.users["coordinator"]
    coordinator.phone = "+299 34 56 78"
    meeting = factories.conference(world.case, coordinator, zone="America/Nuuk")
    person = network.member(world.case, "Jens Olsen", email=person_email, language="kl", town="Kapisillit")
    participant = services.add_member(world.case, meeting, person, "family", added_by=coordinator)
    services.send_invitations(world.case, meeting, sent_by=coordinator)
    db.session.commit()
    return meeting, participant


def test_an_administrator_sets_the_letterhead_and_a_bad_logo_changes_nothing(client, world, login_as):
    login_as(world.users["admin"])
    page = client.get("/admin/organisation")
    assert page.status_code == 200
    version = world.org.version
    saved = client.post("/admin/organisation", data={
        "address": "Aqqusinersuaq 16, 3900 Nuuk", "phone": "+299 36 35 00", "email": "kommune@example.gl",
        "version": version, "logo": (io.BytesIO(PNG), "logo.png")}, content_type="multipart/form-data")
    assert saved.status_code == 302
    db.session.refresh(world.org)
    assert (world.org.address, world.org.logo_type, world.org.logo) == ("Aqqusinersuaq 16, 3900 Nuuk", "image/png", PNG)
    assert client.get("/organisation/logo").data == PNG
    refused = client.post("/admin/organisation", data={
        "address": "Elsewhere", "phone": "", "email": "", "version": world.org.version,
        "logo": (io.BytesIO(b"<svg onload=alert(1)>"), "logo.svg")}, content_type="multipart/form-data")
    assert refused.status_code == 200 and "Logoet skal være et PNG- eller JPEG-billede." in refused.get_data(as_text=True)
    stale = client.post("/admin/organisation", data={"address": "Stale", "phone": "", "email": "", "version": version})
    assert "Stale" in stale.get_data(as_text=True)  # kept in the form, with the conflict told
    db.session.refresh(world.org)
    assert world.org.address == "Aqqusinersuaq 16, 3900 Nuuk" and world.org.logo == PNG
    client.post("/logout")
    login_as(world.users["coordinator"])
    assert client.get("/admin/organisation").status_code in (403, 404)


def test_the_letter_has_the_letterhead_the_coordinator_a_short_code_and_a_qr_code(client, world, login_as):
    world.org.address, world.org.phone = "Aqqusinersuaq 16, 3900 Nuuk", "+299 36 35 00"
    meeting, participant = invited(world)
    login_as(world.users["coordinator"])
    letter = client.get(f"/cases/{world.case.id}/conferences/{meeting.id}/participants/{participant.id}/letter")
    html = letter.get_data(as_text=True)
    assert "Aqqusinersuaq 16, 3900 Nuuk" in html and "+299 36 35 00" in html  # the letterhead
    assert "+299 34 56 78" in html and world.users["coordinator"].email in html  # the coordinator
    assert "fgc.test/r" in html and participant.answer_code_shown in html  # short address and code
    assert 'class="qr"' in html and 'role="img"' in html and "style=" not in html.split('class="letter"')[1]
    assert "Kalaallit Nunaanni" in html  # the time, its place in words (Greenlandic letter)
    assert participant.link_token not in html  # no long address to type
    client.post("/logout")
    # The code, typed as read from paper, leads to the answer page without signing in.
    typed = client.post("/r", data={"code": participant.answer_code_shown.lower().replace("-", " ")})
    assert typed.status_code == 302 and typed.headers["Location"].endswith(f"/rsvp/{participant.link_token}")
    for wrong in ("", "AAAA-AAAA", "x" * 500, "'; drop table participants; --"):
        response = client.post("/r", data={"code": wrong})
        assert response.status_code in (200, 404) and response.status_code != 500


def test_a_withdrawn_person_s_code_stops_working(client, world, login_as):
    meeting, participant = invited(world)
    code = participant.answer_code
    participant.member.must_not_be_invited, participant.member.restriction_reason = True, "Tilhold"
    db.session.commit()
    assert client.post("/r", data={"code": code}).status_code == 404


def test_plan_ready_goes_to_those_who_can_open_it_and_the_rest_get_a_handout(client, world, login_as):
    coordinator, caseworker = world.users["coordinator"], world.users["caseworker"]
    meeting = factories.conference(world.case, coordinator, day=date.today() - timedelta(days=1), start=time(10),
                                   end=time(12))
    teacher = network.member(world.case, "Lene Dahl", email="lene@skole.example.dk", relation="school_daycare",
                             sector="school", language="da")
    for person in (world.family_member, teacher):
        services.add_member(world.case, meeting, person, "family", added_by=coordinator)
    services.add_staff(world.case, meeting, caseworker, "caseworker", added_by=coordinator)
    services.record_attendance(world.case, meeting, {}, {}, recorded_by=coordinator)
    plan = plan_factories.plan(world.case, coordinator, conference_id=meeting.id)
    db.session.commit()
    world.family_member.email = world.users["family"].email
    db.session.commit()
    login_as(caseworker)
    page = client.post(f"/cases/{world.case.id}/plan/{plan.id}/decide",
                       data={"decision": "accepted", "reason": "", "version": plan.version}, follow_redirects=True)
    text = page.get_data(as_text=True)
    assert "Lene Dahl" in text  # to hand out on paper
    told = set(db.session.scalars(select(OutboxMessage.recipient).where(OutboxMessage.kind == "plan_ready")))
    assert told == {world.users["family"].email, caseworker.email}  # not the teacher, who has no account
    teacher_participant = next(p for p in meeting.participants if p.member_id == teacher.id)
    handout = client.get(f"/cases/{world.case.id}/plan/{plan.id}/handout/{teacher_participant.id}")
    html = handout.get_data(as_text=True)
    assert handout.status_code == 200
    assert world.case.reference in html and caseworker.name in html and "Lene Dahl" in html
    assert plan.commitments[0].what in html
    # A restricted person gets no handout.
    teacher.must_not_be_invited, teacher.restriction_reason = True, "Tilhold"
    db.session.commit()
    assert client.get(f"/cases/{world.case.id}/plan/{plan.id}/handout/{teacher_participant.id}").status_code == 302
    # Someone not invited to the plan's conference, or a plan not accepted: nothing.
    assert client.get(f"/cases/{world.case.id}/plan/{plan.id}/handout/999999").status_code == 404
