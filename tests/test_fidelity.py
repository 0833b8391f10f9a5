"""A conference's fidelity: facts recorded with the attendance, parts computed from
the case and its plan, and the score shown on the meeting's page."""
from datetime import date, datetime, time, timedelta, timezone

from fgc.conferences import services as conferences
from fgc.conferences.models import ChecklistItem
from fgc.extensions import db
from fgc.reports.fidelity import fidelity
from tests.conferences import factories as meetings
from tests.network.factories import member
from tests.plans import factories as plans

FACTS = {"private_time_held": "yes", "child_took_part": "present", "child_support_person": "no",
         "interpreter_needed": "yes", "interpreter_present": "yes"}


def past_meeting(world, days_ago=3):
    day = date.today() - timedelta(days=days_ago)
    meeting = meetings.conference(world.case, world.users["coordinator"], day=day, start=time(10), end=time(12),
                                  zone="Europe/Copenhagen")
    db.session.commit()
    return meeting


def test_the_attendance_records_the_facts_and_the_page_scores_them(client, world, login_as):
    meeting = past_meeting(world)
    person = member(world.case, "Aputsiaq Berthelsen")
    participant = conferences.add_member(world.case, meeting, person, "family", added_by=world.users["coordinator"])
    db.session.commit()
    questions = db.session.query(ChecklistItem).filter_by(conference_id=meeting.id, key="questions").one()
    questions.done, questions.done_at = True, meeting.starts_at - timedelta(days=2)
    db.session.commit()
    login_as(world.users["coordinator"])
    form = {**FACTS, f"part-{participant.id}-1": "remote", f"part-{participant.id}-3": "present"}
    assert client.post(f"/cases/{world.case.id}/conferences/{meeting.id}/attendance", data=form).status_code == 302
    db.session.refresh(meeting)
    assert participant.took_part(1) == "remote" and participant.took_part(2) == "absent"
    assert participant.took_part(3) == "present" and participant.remote
    assert (meeting.private_time_held, meeting.child_took_part, meeting.child_support_person,
            meeting.interpreter_needed, meeting.interpreter_present) == (True, "present", False, True, True)

    # A plan accepted a day after the meeting: sent within 48 hours, with a review date.
    plan = plans.plan(world.case, world.users["coordinator"], state="accepted", conference_id=meeting.id)
    plan.decided_at = meeting.ends_at + timedelta(days=1)
    db.session.commit()
    score = fidelity(meeting)
    assert {part.key: part.met for part in score.parts} == {
        "private_time": True, "child": True, "support_person": False, "interpreter": True, "plan_sent": True,
        "review_date": True, "prepared": True}
    assert (score.met, score.applies) == (6, 7)
    page = client.get(f"/cases/{world.case.id}/conferences/{meeting.id}").get_data(as_text=True)
    assert "6 af 7" in page

    # Saved again unchanged from the form as it loads, nothing changes.
    form_page = client.get(f"/cases/{world.case.id}/conferences/{meeting.id}/attendance").get_data(as_text=True)
    for key, value in FACTS.items():
        assert f'name="{key}" value="{value}" checked' in form_page
    for part, how in ((1, "remote"), (2, "absent"), (3, "present")):
        assert f'name="part-{participant.id}-{part}" value="{how}" checked' in form_page


def test_parts_that_do_not_apply_are_not_counted_and_late_plans_are_not_met(world):
    meeting = past_meeting(world, days_ago=10)
    conferences.record_attendance(world.case, meeting, {}, {}, recorded_by=world.users["coordinator"],
                                  facts={"private_time_held": False, "child_took_part": "views",
                                         "interpreter_needed": False})
    plan = plans.plan(world.case, world.users["coordinator"], state="accepted", conference_id=meeting.id)
    plan.decided_at = meeting.ends_at + timedelta(hours=49)
    db.session.commit()
    parts = {part.key: part.met for part in fidelity(meeting).parts}
    assert parts["support_person"] is None and parts["interpreter"] is None  # the child was not there; none needed
    assert parts["private_time"] is False and parts["child"] is True and parts["plan_sent"] is False
    assert parts["prepared"] is False  # the questions were never ticked as agreed
    assert (fidelity(meeting).met, fidelity(meeting).applies) == (2, 5)  # the child, the review date


def test_a_plan_not_yet_due_is_pending_and_follow_ups_have_no_score(world):
    meeting = past_meeting(world)
    meeting.starts_at = datetime.now(timezone.utc) - timedelta(hours=3)
    meeting.ends_at = datetime.now(timezone.utc) - timedelta(hours=1)
    conferences.record_attendance(world.case, meeting, {}, {}, recorded_by=world.users["coordinator"])
    db.session.commit()
    assert {p.key: p.met for p in fidelity(meeting).parts}["plan_sent"] is None
    meeting.kind = "follow_up"
    assert fidelity(meeting) is None
