"""Outcome check-ins 3, 6 and 12 months after the first conference: due on the
caseworker's dashboard and in a reminder, recorded on the case's own tab."""
from datetime import date, time, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from fgc.conferences import services as conferences
from fgc.core.mail import OutboxMessage
from fgc.extensions import db
from fgc.reports import services
from fgc.reports.models import OutcomeCheckIn
from tests.conferences import factories as meetings


def held_meeting(world, days_ago):
    day = date.today() - timedelta(days=days_ago)
    meeting = meetings.conference(world.case, world.users["coordinator"], day=day, start=time(10), end=time(12))
    conferences.record_attendance(world.case, meeting, {}, {}, recorded_by=world.users["coordinator"])
    db.session.commit()
    return day


def test_check_ins_count_from_the_first_conference_held_or_else_the_referral(world):
    referred = world.case.created_at.date()
    assert [(m, on) for m, on, _done in services.check_ins(world.case)] == [
        (3, referred + relativedelta(months=3)), (6, referred + relativedelta(months=6)),
        (12, referred + relativedelta(months=12))]
    held_on = held_meeting(world, 100)
    assert services.check_ins(world.case)[0][1] == held_on + relativedelta(months=3)


def test_a_due_check_in_shows_on_the_dashboard_and_is_recorded_on_the_case(client, world, login_as):
    held_on = held_meeting(world, 100)
    caseworker = world.users["caseworker"]
    login_as(caseworker)
    dashboard = client.get("/").get_data(as_text=True)
    assert "Opfølgninger på barnets situation" in dashboard and f"/cases/{world.case.id}/outcomes/3" in dashboard
    tab = client.get(f"/cases/{world.case.id}/outcomes/").get_data(as_text=True)
    assert "Efter 3 måneder" in tab and "Skal gøres" in tab

    url = f"/cases/{world.case.id}/outcomes/3"
    missing = client.post(url, data={"recorded_on": str(date.today())})
    assert missing.status_code == 200 and "Vælg en af mulighederne" in missing.get_data(as_text=True)
    saved = client.post(url, data={"child_lives": "network", "new_notification": "False", "placement": "False",
                                   "recorded_on": str(date.today())})
    assert saved.status_code == 302
    [check_in] = db.session.scalars(select(OutcomeCheckIn)).all()
    assert (check_in.months, check_in.child_lives, check_in.new_notification, check_in.placement) == \
        (3, "network", False, False)
    assert "Hos familie eller netværk" in client.get(f"/cases/{world.case.id}/outcomes/").get_data(as_text=True)
    assert f"/cases/{world.case.id}/outcomes/3" not in client.get("/").get_data(as_text=True)
    assert services.due_for(caseworker, held_on + relativedelta(months=6))[0][1] == 6


def test_the_caseworker_is_reminded_once_without_the_childs_name(world):
    held_meeting(world, 100)
    assert services.due_reminders(date.today()) == 1
    assert services.due_reminders(date.today()) == 0
    db.session.commit()
    [mail] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "outcome_reminder")).all()
    assert mail.recipient == world.users["caseworker"].email
    assert b"Pipaluk" not in mail.raw and world.case.reference.encode() not in mail.raw
