"""An edit form that lost its version (stripped, or broken) cannot overwrite
anyone's change: it is refused as a conflict, and the user's text comes back."""
from datetime import date, timedelta

from fgc.extensions import db
from tests.conferences import factories as conferences
from tests.network import factories as network
from tests.network.test_network import member_form
from tests.plans import factories as plans
from tests.plans.test_plans import plan_form


def test_a_network_edit_without_its_version_is_refused(client, world, login_as):
    person = network.member(world.case, "Birthe")
    db.session.commit()
    login_as(world.users["coordinator"])
    response = client.post(f"/cases/{world.case.id}/network/{person.id}/edit",
                           data=member_form(name="Overwritten", notes="kept text"))
    assert response.status_code == 409 and "kept text" in response.get_data(as_text=True)
    db.session.refresh(person)
    assert person.name == "Birthe"


def test_a_meeting_change_without_its_version_is_refused(client, world, login_as):
    meeting = conferences.conference(world.case, world.users["coordinator"])
    db.session.commit()
    starts_at = meeting.starts_at
    login_as(world.users["coordinator"])
    form = {"kind": "conference", "day": str(date.today() + timedelta(days=40)), "start": "09:00",
            "end": "11:00", "timezone": "America/Nuuk", "fold": "", "town": "Nuuk", "address": "",
            "room": "Kept room", "remote": "", "languages": "da", "food": "", "support_person": ""}
    response = client.post(f"/cases/{world.case.id}/conferences/{meeting.id}/edit", data=form)
    assert response.status_code == 409 and "Kept room" in response.get_data(as_text=True)
    db.session.refresh(meeting)
    assert meeting.starts_at == starts_at


def test_a_plan_edit_or_decision_without_its_version_is_refused(client, world, login_as):
    person = network.member(world.case, "Birthe")
    other = network.member(world.case, "Ane")
    plan = plans.plan(world.case, world.users["coordinator"])
    db.session.commit()
    login_as(world.users["coordinator"])
    response = client.post(f"/cases/{world.case.id}/plan/{plan.id}/edit",
                           data=plan_form(world.case, [person, other], contingency="Kept contingency"))
    assert response.status_code == 409 and "Kept contingency" in response.get_data(as_text=True)
    client.post("/logout")
    login_as(world.users["caseworker"])
    client.post(f"/cases/{world.case.id}/plan/{plan.id}/decide", data={"decision": "accepted", "reason": ""})
    db.session.refresh(plan)
    assert plan.contingency == "Så træder mormor til." and plan.state == "draft"
