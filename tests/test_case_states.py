"""A case's state follows the events of the process, dated by the event's own day:
the conference held on the meeting's day, the plan agreed on the decision's day, the
follow-up once it is scheduled. Reports count days from these dates."""
from datetime import date, time, timedelta

from sqlalchemy import select

from fgc.cases.models import StateChange
from fgc.conferences import services as conferences
from fgc.extensions import db
from fgc.plans import services as plans
from tests.conferences import factories as meetings
from tests.plans import factories as plan_factories


def moves(case):
    return [(c.to_state, c.effective_on) for c in db.session.scalars(
        select(StateChange).where(StateChange.case_id == case.id).order_by(StateChange.id))][1:]


def test_holding_accepting_and_scheduling_move_the_case_on_their_own_days(world):
    case, coordinator, caseworker = world.case, world.users["coordinator"], world.users["caseworker"]
    held_on = date.today() - timedelta(days=12)
    meeting = meetings.conference(case, coordinator, day=held_on, start=time(9), end=time(12),
                                  zone="America/Nuuk")
    conferences.record_attendance(case, meeting, {}, {}, recorded_by=coordinator)
    assert case.state == "conference_held"
    assert moves(case) == [("preparing", held_on), ("conference_held", held_on)]

    plan = plan_factories.plan(case, coordinator, conference_id=meeting.id)
    plans.decide(case, plan, accepted=True, reason="", resource_decisions={}, expected_version=plan.version,
                 decided_by=caseworker)
    assert case.state == "plan_agreed" and moves(case)[-1] == ("plan_agreed", date.today())

    meetings.conference(case, coordinator, kind="follow_up", day=date.today() + timedelta(days=60))
    assert case.state == "following_up" and moves(case)[-1] == ("following_up", date.today())

    # A second follow-up, or a meeting held again, does not move the case back or twice.
    meetings.conference(case, coordinator, kind="follow_up", day=date.today() + timedelta(days=120))
    assert [state for state, _day in moves(case)] == ["preparing", "conference_held", "plan_agreed", "following_up"]


def test_a_meeting_late_in_the_evening_in_nuuk_is_dated_by_nuuks_day(world):
    case, coordinator = world.case, world.users["coordinator"]
    day = date.today() - timedelta(days=3)
    meeting = meetings.conference(case, coordinator, day=day, start=time(22), end=time(23, 30),
                                  zone="America/Nuuk")  # already the next day in UTC
    conferences.record_attendance(case, meeting, {}, {}, recorded_by=coordinator)
    assert moves(case)[-1] == ("conference_held", day)
