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


def two_forms(app, world, url, roles=("coordinator", "caseworker")):
    """Two people open the same edit form: each their own browser, signed in."""
    from werkzeug.datastructures import MultiDict

    from tests.conftest import login
    from tests.test_round_trip import form_fields

    opened = []
    for role in roles:
        client = app.test_client()
        login(client, world.users[role])
        opened.append((client, MultiDict(form_fields(client.get(url).get_data(as_text=True), url))))
    return opened


def test_two_people_changing_different_children_of_a_case_the_second_is_refused_and_keeps_the_text(app, world):
    url = f"/cases/{world.case.id}/edit"
    (first, first_form), (second, second_form) = two_forms(app, world, url)
    first_form["questions"] = "Who takes the child to football?"
    assert first.post(url, data=first_form).status_code == 302
    second_form["bottom_lines"] = "The child lives at home."
    refused = second.post(url, data=second_form)
    assert refused.status_code == 409 and "The child lives at home." in refused.get_data(as_text=True)
    db.session.refresh(world.case)
    assert [q.text for q in world.case.questions] == ["Who takes the child to football?"]
    assert [b.text for b in world.case.bottom_lines] == ["The child may not live with X."]


def test_two_people_changing_different_parts_of_a_plan_the_second_is_refused_and_keeps_the_text(app, world):
    person = network.member(world.case, "Birthe")
    plan = plans.plan(world.case, world.users["coordinator"],
                      commitments=[plans.commitment("Hente Malik", people=[person], due=date.today())])
    db.session.commit()
    url = f"/cases/{world.case.id}/plan/{plan.id}/edit"
    (first, first_form), (second, second_form) = two_forms(app, world, url)
    first_form["commitments-0-what"] = "Hente Malik og Pipaluk"
    assert first.post(url, data=first_form).status_code == 302
    second_form["answers-0"] = "Morfar henter."
    refused = second.post(url, data=second_form)
    assert refused.status_code == 409 and "Morfar henter." in refused.get_data(as_text=True)
    db.session.refresh(plan)
    assert plan.commitments[0].what == "Hente Malik og Pipaluk" and plan.answers[0].text == "Mormor henter."


def test_a_meeting_form_opened_before_someone_was_invited_is_refused(app, world):
    meeting = conferences.conference(world.case, world.users["coordinator"])
    person = network.member(world.case, "Birthe")
    db.session.commit()
    url = f"/cases/{world.case.id}/conferences/{meeting.id}/edit"
    [(editor, form)] = two_forms(app, world, url, roles=("coordinator",))
    [(inviter, _form)] = two_forms(app, world, url, roles=("caseworker",))
    assert inviter.post(f"/cases/{world.case.id}/conferences/{meeting.id}/participants",
                        data={"who": f"m:{person.id}", "role": "family"}).status_code == 302
    form["room"] = "Kept room"
    refused = editor.post(url, data=form)
    assert refused.status_code == 409 and "Kept room" in refused.get_data(as_text=True)
    db.session.refresh(meeting)
    assert meeting.room == "Mødelokale 2" and [p.member_id for p in meeting.participants] == [person.id]
