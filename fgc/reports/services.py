"""Outcome check-ins: due 3, 6 and 12 months after the first conference (after the
referral when none was held). Functions flush, never commit, and raise DomainError."""
from datetime import date

from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from fgc.auth.models import User
from fgc.cases.models import WITHDRAWN, Case
from fgc.conferences.models import Conference
from fgc.core import audit
from fgc.core.errors import DomainError, check_version
from fgc.core.mail import enqueue, public_url, render_message
from fgc.extensions import db
from fgc.i18n import lazy_gettext as _l, to_zone
from fgc.reports.models import CHECK_IN_MONTHS, OutcomeCheckIn, OutcomeReminderSent

DUE_SOON_DAYS = 14
FIELDS = ("child_lives", "new_notification", "placement", "recorded_on")


def _counted_from(cases):
    """{case id: the day check-ins count from}: the first conference held (its day
    where it was held), else the referral. One query for any number of cases."""
    first_held = {}
    for meeting in db.session.scalars(select(Conference).where(
            Conference.case_id.in_([case.id for case in cases]), Conference.kind == "conference",
            Conference.state == "held").order_by(Conference.starts_at)):
        first_held.setdefault(meeting.case_id, to_zone(meeting.starts_at, meeting.timezone).date())
    return {case.id: first_held.get(case.id, case.created_at.date()) for case in cases}


def _schedules(cases):
    """{case id: [(months, due on, the recorded check-in or None)]}, in two queries."""
    start = _counted_from(cases)
    recorded = {(c.case_id, c.months): c for c in db.session.scalars(
        select(OutcomeCheckIn).where(OutcomeCheckIn.case_id.in_([case.id for case in cases])))}
    return {case.id: [(months, start[case.id] + relativedelta(months=months), recorded.get((case.id, months)))
                      for months in CHECK_IN_MONTHS] for case in cases}


def counts_from(case):
    return _counted_from([case])[case.id]


def check_ins(case):
    """[(months, due on, the recorded check-in or None)] for 3, 6 and 12 months."""
    return _schedules([case])[case.id]


def record(case, months, values, *, expected_version, recorded_by):
    if months not in CHECK_IN_MONTHS:
        raise DomainError(_l("Choose one of the options."))
    if values["recorded_on"] > date.today():
        raise DomainError(_l("The date cannot be in the future."))
    check_in = db.session.scalar(select(OutcomeCheckIn).where(OutcomeCheckIn.case_id == case.id,
                                                              OutcomeCheckIn.months == months))
    if check_in is None:
        check_in = OutcomeCheckIn(case_id=case.id, months=months)
        db.session.add(check_in)
    else:
        check_version(check_in, expected_version, _l(
            "Someone else recorded this check-in while you were editing. Your answers are kept below: "
            "compare and save again."))
    for key in FIELDS:
        setattr(check_in, key, values[key])
    check_in.recorded_by_id = recorded_by.id
    db.session.flush()
    audit.record("outcome.recorded", case=case, user=recorded_by, detail=f"months:{months}")
    return check_in


def _open_check_ins(cases, until):
    """(case, months, due on) not yet recorded and due by `until`, earliest first."""
    schedules = _schedules(cases)
    due = [(case, months, on) for case in cases for months, on, done in schedules[case.id]
           if done is None and on <= until]
    return sorted(due, key=lambda item: (item[2], item[0].id))


def due_for(user, today):
    """The caseworker's check-ins due within two weeks or overdue."""
    cases = db.session.scalars(select(Case).where(Case.caseworker_id == user.id, Case.state != WITHDRAWN)).all()
    return _open_check_ins(cases, today + relativedelta(days=DUE_SOON_DAYS))


def due_reminders(today):
    """One mail to the caseworker for each check-in that has fallen due: no child's
    name or case detail in it, only a link. Each is sent once (the unique row)."""
    sent = set(db.session.execute(select(OutcomeReminderSent.case_id, OutcomeReminderSent.months)).all())
    cases = db.session.scalars(select(Case).where(Case.state != WITHDRAWN, Case.caseworker_id.is_not(None))).all()
    count = 0
    for case, months, _on in _open_check_ins(cases, today):
        caseworker = db.session.get(User, case.caseworker_id)
        if (case.id, months) in sent or not caseworker.active or not caseworker.email:
            continue
        db.session.add(OutcomeReminderSent(case_id=case.id, months=months))
        msg = render_message("outcome_due", caseworker.email, caseworker.preferred_locale,
                             _l("An outcome check-in is due in fgc"), name=caseworker.name,
                             link=public_url(f"/?lang={caseworker.preferred_locale}"))
        enqueue(msg, kind="outcome_reminder", case_id=case.id, organisation_id=case.organisation_id)
        count += 1
    db.session.flush()
    return count
