"""One reachability rule, asked at the moment of use: a member restricted, recorded as
deceased or removed from the network *after* being invited receives nothing further
and can open nothing — not the outbox's unsent mail, not updates, the plan's mail or
reminders, not their answer link or letter, not their family account and its pages."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from fgc.conferences import services as conferences
from fgc.core.errors import DomainError
from fgc.core.mail import PENDING, OutboxMessage
from fgc.extensions import db
from fgc.plans import services as plans
from fgc.plans.models import FamilyAccount
from tests.conferences import factories as meetings
from tests.conftest import login
from tests.network import factories as network
from tests.plans import factories as plan_factories
from tests.test_round_trip import form_fields


def make_unreachable(client, case, member, kind):
    edit = f"/cases/{case.id}/network/{member.id}/edit"
    if kind == "removed":
        return client.post(f"/cases/{case.id}/network/{member.id}/remove", follow_redirects=True)
    form = MultiDict(form_fields(client.get(edit).get_data(as_text=True), edit))
    if kind == "restricted":
        form["must_not_be_invited"] = "y"
        form["restriction_reason"] = "Tilhold efter dom"
    else:
        form["deceased"] = "y"
    return client.post(edit, data=form, follow_redirects=True)


def mail_to(address):
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == address,
                                                          OutboxMessage.status == PENDING)).all()


@pytest.mark.parametrize("kind", ["restricted", "deceased", "removed"])
def test_a_member_who_may_no_longer_be_reached_gets_nothing_and_opens_nothing(app, client, world, kind):
    case, coordinator, family = world.case, world.users["coordinator"], world.users["family"]
    granny = world.family_member  # has the family account of `family`
    meeting = meetings.conference(case, coordinator)
    conferences.add_member(case, meeting, granny, "family", added_by=coordinator)
    plan = plan_factories.plan(case, coordinator, state="accepted", conference_id=meeting.id, commitments=[
        plan_factories.commitment(people=[granny], due=date.today() + timedelta(days=2))])
    db.session.commit()

    login(client, family)
    assert client.get("/family/").status_code == 200
    client.post("/logout")
    login(client, coordinator)
    client.post(f"/cases/{case.id}/conferences/{meeting.id}/invite")
    participant = next(p for p in meeting.participants if p.member_id == granny.id)
    old_link, letter = f"/rsvp/{participant.link_token}", \
        f"/cases/{case.id}/conferences/{meeting.id}/participants/{participant.id}/letter"
    assert client.get(old_link).status_code == 200 and client.get(letter).status_code == 200
    assert len(mail_to(granny.email)) == 1  # the invitation, not yet sent

    told = make_unreachable(client, case, granny, kind).get_data(as_text=True)
    assert "fgc når ikke længere Birthe Mormor" in told
    assert "1 mail, der ikke var sendt, er trukket tilbage" in told and "familiekonto er spærret" in told
    assert mail_to(granny.email) == []  # withdrawn from the outbox

    # Every channel asks again when it is used.
    edit = f"/cases/{case.id}/conferences/{meeting.id}/edit"
    form = MultiDict(form_fields(client.get(edit).get_data(as_text=True), edit))
    form["start"], form["end"] = "11:00", "15:00"
    assert client.post(edit, data=form).status_code == 302  # a new time goes to those invited
    plans._distribute(case, plan)  # "the plan is ready"
    plans.due_reminders(date.today())
    db.session.commit()
    assert mail_to(granny.email) == []

    db.session.refresh(participant)
    for link in (old_link, f"/rsvp/{participant.link_token}"):
        assert client.get(link).status_code == 410
        assert client.post(link, data={"answer": "accepted"}).status_code == 410
    assert "/letter" not in client.get(letter).headers.get("Location", "/letter")

    client.post("/logout")
    signed_in = login(client, family)
    assert signed_in.status_code == 200  # the sign-in form again: refused
    assert client.get("/family/").status_code == 302
    account = db.session.get(FamilyAccount, family.id)
    assert account.code_hash is None and not family.active

    db.session.delete(account)  # even without the old account, no new one
    db.session.flush()
    with pytest.raises(DomainError):
        plans.create_family_account(case, granny, created_by=coordinator)
    db.session.rollback()


def test_a_family_member_acts_only_on_what_they_are_shown(client, world):
    case, coordinator, family = world.case, world.users["coordinator"], world.users["family"]
    granny = world.family_member
    meeting = meetings.conference(case, coordinator)
    participant = conferences.add_member(case, meeting, granny, "family", added_by=coordinator)
    draft = plan_factories.plan(case, coordinator, commitments=[
        plan_factories.commitment(people=[granny], due=date.today() + timedelta(days=2))])
    db.session.commit()
    login(client, family)
    # The invitation has not been sent: it cannot be answered.
    assert client.post(f"/family/meetings/{participant.id}", data={"answer": "accepted"}).status_code == 404
    assert client.get(f"/rsvp/{participant.link_token}").status_code == 410
    # A commitment of a draft plan the family cannot see takes no check-in.
    commitment = draft.commitments[0]
    assert client.post(f"/family/commitments/{commitment.id}", data={"status": "done"}).status_code == 404
    db.session.refresh(participant)
    db.session.refresh(commitment)
    assert participant.answer == "not_sent" and commitment.status == "not_started"


def test_an_answer_link_is_a_secret_that_does_not_come_back_with_a_reused_id(client, world):
    case, coordinator = world.case, world.users["coordinator"]
    meeting = meetings.conference(case, coordinator)
    first = conferences.add_member(case, meeting, network.member(case, "Ane", email="ane@example.gl"), "family",
                                   added_by=coordinator)
    first.answer = "sent"
    db.session.commit()
    link = f"/rsvp/{first.link_token}"
    assert client.get(link).status_code == 200
    conferences.remove_participant(case, meeting, first, removed_by=coordinator)
    db.session.commit()
    second = conferences.add_member(case, meeting, network.member(case, "Hans"), "family", added_by=coordinator)
    second.answer = "sent"
    db.session.commit()
    assert client.get(link).status_code == 410  # whatever id the new participant got
    assert client.get(f"/rsvp/{second.link_token}").status_code == 200


def test_a_removed_members_suspended_account_stays_on_the_coordinators_list(client, world):
    login(client, world.users["coordinator"])
    granny = world.family_member
    client.post(f"/cases/{world.case.id}/network/{granny.id}/remove")
    page = client.get(f"/cases/{world.case.id}/plan/family").get_data(as_text=True)
    assert "Birthe Mormor" in page and "Konto spærret" in page
