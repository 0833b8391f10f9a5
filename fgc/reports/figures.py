"""The report a council and a funder ask for: was the work done properly, and what
happened to the children. Every figure is about the cases referred in a period (of the
organisation, or of one coordinator, or one town), computed by the database in a
fixed number of queries whatever the number of cases; small counts are suppressed.

A figure has a stable key (the exports and the shared aggregate use it), a label and
a definition in words, and a value: a count, a share of a count, or days."""
import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import case as when
from sqlalchemy import exists, func, select

from fgc.auth.models import User
from fgc.cases.models import END_REASONS, Case, Child, StateChange
from fgc.conferences.models import CHILD_TOOK_PART, Conference, Participant
from fgc.extensions import db
from fgc.i18n import lazy_gettext as _l
from fgc.network.models import SECTORS, SIDES, NetworkMember
from fgc.plans.models import VERDICTS, Commitment, FamilyPlan, Review, ReviewItem, commitment_people
from fgc.reports.fidelity import fidelity_of
from fgc.reports.models import AGREEMENT, CHECK_IN_MONTHS, CHILD_LIVES, SMILEYS, SURVEY_QUESTIONS, OutcomeCheckIn, \
    SurveyAnswer

SMALLEST = 5  # counts of 1 to 4 could point at a person: they are not shown


@dataclass
class Figure:
    key: str
    label: object
    value: float | int | None  # None: suppressed, or nothing to compute it from
    unit: str  # "count", "percent" or "days"
    definition: object = ""
    of: int | None = None  # a share's denominator

    @property
    def suppressed(self):
        return self.value is None


@dataclass
class Section:
    key: str
    title: object
    figures: list = field(default_factory=list)

    def add(self, *args, **kwargs):
        self.figures.append(Figure(*args, **kwargs))


def count(n):
    return n if n == 0 or n >= SMALLEST else None


def share(part, whole):
    """Percent, or None where the whole, the part or the rest is a small count."""
    if not whole or count(whole) is None or count(part) is None or count(whole - part) is None:
        return None
    return round(100 * part / whole, 1)


def percentile(values, p):
    """The p-th percentile (nearest rank), or None for fewer than SMALLEST values."""
    if len(values) < SMALLEST:
        return None
    values = sorted(values)
    return values[max(0, -(-len(values) * p // 100) - 1)]


def median(values):
    return statistics.median(values) if len(values) >= SMALLEST else None


@dataclass
class Report:
    start: date
    end: date
    sections: list
    months: list  # [(first of month, referrals, conferences held)]
    living: dict  # {months: {child_lives: count or None}}
    funnel: list  # [(key, label, count or None)]
    by_coordinator: list  # [(name, referrals, held, accepted)]
    by_town: list

    def figures(self):
        return [(section, figure) for section in self.sections for figure in section.figures]

    def value(self, key):
        return next(figure.value for _section, figure in self.figures() if figure.key == key)


FUNNEL = [("referred", _l("Referrals")), ("consent", _l("Consent given")),
          ("conference_held", _l("Conference held")), ("plan", _l("Plan made")), ("accepted", _l("Plan accepted")),
          ("following_up", _l("Followed up")), ("closed", _l("Closed"))]
FUNNEL_DEFINITIONS = {
    "referred": _l("Cases referred in the period."),
    "consent": _l("Of these, cases with the parents' consent recorded."),
    "conference_held": _l("Of these, cases whose first conference was held (the case moved to 'conference held')."),
    "plan": _l("Of these, cases with a plan written down."),
    "accepted": _l("Of these, cases whose plan the caseworker accepted."),
    "following_up": _l("Of these, cases followed up after the plan."),
    "closed": _l("Of these, cases closed."),
}
TOWN_UNKNOWN = _l("Town not recorded")


def _start(day):
    return datetime.combine(day, time(0), tzinfo=timezone.utc)


def cohort(organisation_id, start, end, coordinator_id=None, town=None):
    """The ids of the cases referred from `start` to `end` (inclusive), as a subquery."""
    query = select(Case.id).where(Case.organisation_id == organisation_id, Case.created_at >= _start(start),
                                  Case.created_at < _start(end + timedelta(days=1)))
    if coordinator_id:
        query = query.where(Case.coordinator_id == coordinator_id)
    if town:
        query = query.where(exists().where(Child.case_id == Case.id, Child.town == town))
    return query.subquery()


def _state_days(ids):
    """{case id: {state: the first day the case moved there}}, with the referral day."""
    days = {}
    for case_id, created in db.session.execute(select(Case.id, Case.created_at).where(Case.id.in_(select(ids.c.id)))):
        days[case_id] = {"referred": created.date()}
    for case_id, state, on in db.session.execute(
            select(StateChange.case_id, StateChange.to_state, func.min(StateChange.effective_on))
            .where(StateChange.case_id.in_(select(ids.c.id)), StateChange.to_state != "referred")
            .group_by(StateChange.case_id, StateChange.to_state)):
        days[case_id][state] = on
    return days


def build(organisation_id, start, end, coordinator_id=None, town=None, today=None):
    today = today or date.today()
    ids = cohort(organisation_id, start, end, coordinator_id, town)
    in_cohort = Case.id.in_(select(ids.c.id))
    days = _state_days(ids)
    cases = db.session.execute(select(Case.id, Case.state, Case.end_reason, Case.consent_date, Case.coordinator_id)
                               .where(in_cohort)).all()
    with_plan = set(db.session.scalars(select(FamilyPlan.case_id).where(FamilyPlan.case_id.in_(select(ids.c.id)))
                                       .distinct()))
    first_plans = {case_id: state for case_id, state in db.session.execute(
        select(FamilyPlan.case_id, FamilyPlan.state).where(FamilyPlan.case_id.in_(select(ids.c.id)),
                                                           FamilyPlan.number == 1))}
    held_follow_ups = {}
    for case_id, first in db.session.execute(
            select(Conference.case_id, func.min(Conference.starts_at)).where(
                Conference.case_id.in_(select(ids.c.id)), Conference.kind == "follow_up", Conference.state == "held")
            .group_by(Conference.case_id)):
        held_follow_ups[case_id] = first.date()

    reached = {key: {cid for cid, d in days.items() if key in d} for key in
               ("conference_held", "plan_agreed", "following_up")}
    referred = [row.id for row in cases]
    stage = {
        "referred": set(referred),
        "consent": {row.id for row in cases if row.consent_date},
        "conference_held": reached["conference_held"],
        "plan": with_plan,
        "accepted": reached["plan_agreed"],
        "following_up": reached["following_up"] | set(held_follow_ups),
        "closed": {row.id for row in cases if row.state == "closed"},
    }
    funnel = [(key, label, count(len(stage[key]))) for key, label in FUNNEL]
    sections = []

    s = Section("funnel", _l("From referral to closed case"))
    for key, label in FUNNEL:
        s.add(f"funnel.{key}", label, count(len(stage[key])), "count", FUNNEL_DEFINITIONS[key])
    s.add("left.withdrawn", _l("Left: consent withdrawn"),
          count(sum(1 for row in cases if row.state == "withdrawn")), "count",
          _l("Cases stopped because consent was withdrawn."))
    for reason, label in END_REASONS.items():
        s.add(f"closed.{reason}", _l("Closed: %(reason)s", reason=label),
              count(sum(1 for row in cases if row.state == "closed" and row.end_reason == reason)), "count",
              _l("Closed cases with this reason."))
    sections.append(s)

    # Timeliness: days between events, each from the first time it happened.
    def gaps(frm, to):
        return [(d[to] - d[frm]).days for d in days.values() if frm in d and to in d and d[to] >= d[frm]]

    to_conference = gaps("referred", "conference_held")
    to_plan = gaps("conference_held", "plan_agreed")
    to_follow_up = [(held_follow_ups[cid] - d["conference_held"]).days for cid, d in days.items()
                    if cid in held_follow_ups and "conference_held" in d]
    s = Section("timeliness", _l("Timeliness (days)"))
    for key, label, values, definition in (
            ("referral_to_conference", _l("Referral to conference"), to_conference,
             _l("Days from the referral to the day the first conference was held.")),
            ("conference_to_plan", _l("Conference to plan sent"), to_plan,
             _l("Days from the first conference to the day the plan was accepted and sent to the participants.")),
            ("conference_to_follow_up", _l("Conference to first follow-up"), to_follow_up,
             _l("Days from the first conference to the first follow-up conference held."))):
        s.add(f"days.{key}.median", _l("%(what)s: median", what=label), median(values), "days", definition)
        s.add(f"days.{key}.p90", _l("%(what)s: 90th percentile", what=label), percentile(values, 90), "days",
              _l("Nine in ten cases took this many days or fewer."))
    reviews_due = db.session.execute(
        select(FamilyPlan.case_id, func.min(FamilyPlan.review_date)).where(
            FamilyPlan.case_id.in_(select(ids.c.id)), FamilyPlan.state.in_(("accepted", "superseded")))
        .group_by(FamilyPlan.case_id)).all()
    due = [(cid, on) for cid, on in reviews_due if on <= today]
    on_time = sum(1 for cid, on in due if cid in held_follow_ups and held_follow_ups[cid] <= on)
    s.add("reviews.on_time", _l("Reviews held by their date"), share(on_time, len(due)), "percent",
          _l("Of the accepted plans whose review date has passed, the share whose follow-up conference was held "
             "on or before it."), of=count(len(due)))
    sections.append(s)

    # Participation, at the first conferences held.
    held_first = (Conference.case_id.in_(select(ids.c.id)), Conference.kind == "conference",
                  Conference.state == "held")
    conferences = db.session.scalars(select(Conference).where(*held_first)).all()
    conference_ids = select(Conference.id).where(*held_first)
    attended = (Participant.attended_part1.is_(True)) | (Participant.attended_part2.is_(True)) | \
        (Participant.attended_part3.is_(True))
    s = Section("participation", _l("Participation"))
    rows = db.session.execute(
        select(NetworkMember.sector, NetworkMember.side, func.count(),
               func.sum(when((Participant.answer != "not_sent", 1), else_=0)),
               func.sum(when((attended, 1), else_=0)))
        .join(NetworkMember, Participant.member_id == NetworkMember.id)
        .where(Participant.conference_id.in_(conference_ids))
        .group_by(NetworkMember.sector, NetworkMember.side)).all()
    for sector, sector_label in SECTORS.items():
        for side, side_label in SIDES.items():
            listed = [r for r in rows if r[0] == sector and r[1] == side]
            invited, came = (int(listed[0][3] or 0), int(listed[0][4] or 0)) if listed else (0, 0)
            if sector != "family" and side != "other" and not listed:
                continue
            name = _l("%(sector)s, %(side)s", sector=sector_label, side=side_label)
            s.add(f"invited.{sector}.{side}", _l("Invited: %(who)s", who=name), count(invited), "count",
                  _l("People of this sector and side invited to a first conference."))
            s.add(f"attended.{sector}.{side}", _l("Attended: %(who)s", who=name), count(came), "count",
                  _l("People of this sector and side who took part in at least one part."))
    staff = db.session.execute(select(func.count(), func.sum(when((attended, 1), else_=0))).where(
        Participant.conference_id.in_(conference_ids), Participant.user_id.is_not(None))).one()
    s.add("attended.staff", _l("Attended: staff"), count(int(staff[1] or 0)), "count",
          _l("Caseworkers and coordinators who took part."))
    first_held = (select(Conference.case_id, func.min(Conference.starts_at).label("starts_at"))
                  .where(Conference.id.in_(conference_ids)).group_by(Conference.case_id).subquery())
    sizes = db.session.execute(
        select(Case.id,
               func.count(NetworkMember.id).filter(func.date(NetworkMember.created_at) <= func.date(Case.created_at)),
               func.count(NetworkMember.id).filter(NetworkMember.created_at <= first_held.c.starts_at))
        .join(first_held, first_held.c.case_id == Case.id)
        .outerjoin(NetworkMember, NetworkMember.case_id == Case.id)
        .group_by(Case.id)).all()
    s.add("network.at_referral", _l("Network size at referral (median)"), median([r[1] for r in sizes]), "count",
          _l("People in the network recorded by the day of the referral, for cases with a conference held."))
    s.add("network.at_conference", _l("Network size at the conference (median)"), median([r[2] for r in sizes]),
          "count", _l("People in the network recorded by the start of the first conference."))
    held = len(conferences)
    for value, label in CHILD_TOOK_PART.items():
        n = sum(1 for c in conferences if c.child_took_part == value)
        s.add(f"child.{value}", label, share(n, held), "percent",
              _l("Share of first conferences held, as recorded with the attendance."), of=count(held))
    needed = [c for c in conferences if c.interpreter_needed]
    s.add("interpreter.needed", _l("Conferences needing an interpreter"), count(len(needed)), "count",
          _l("First conferences where an interpreter was needed."))
    s.add("interpreter.present", _l("Interpreter present when needed"),
          share(sum(1 for c in needed if c.interpreter_present), len(needed)), "percent",
          _l("Of those, the share where an interpreter was there."), of=count(len(needed)))
    remote = db.session.execute(select(func.count(), func.count(func.distinct(Participant.conference_id))).where(
        Participant.conference_id.in_(conference_ids), Participant.remote)).one()
    s.add("remote.people", _l("People taking part by phone or video"), count(remote[0]), "count",
          _l("Participants of first conferences who took part by phone or video."))
    s.add("remote.conferences", _l("Conferences with someone by phone or video"), share(remote[1], held), "percent",
          _l("Share of first conferences held with at least one remote participant."), of=count(held))
    sections.append(s)

    # Plan and implementation.
    s = Section("plans", _l("Plan and implementation"))
    held_cases = stage["conference_held"]
    s.add("plans.made", _l("Conferences with a plan"), share(len(held_cases & with_plan), len(held_cases)),
          "percent", _l("Of the cases with a conference held, the share with a plan written down."),
          of=count(len(held_cases)))
    first_accepted = sum(1 for state in first_plans.values() if state in ("accepted", "superseded"))
    s.add("plans.accepted_first", _l("Plans accepted at the first try"), share(first_accepted, len(first_plans)),
          "percent", _l("Of the cases with a plan, the share whose first version was accepted."),
          of=count(len(first_plans)))
    people = select(commitment_people.c.commitment_id).where(commitment_people.c.commitment_id == Commitment.id)
    by_whom = db.session.execute(
        select(func.count().filter(exists(people)), func.count().filter(~exists(people)))
        .select_from(Commitment).join(FamilyPlan).where(FamilyPlan.case_id.in_(select(ids.c.id)),
                                                          FamilyPlan.state == "accepted")).one()
    s.add("commitments.network", _l("Commitments by the network"), count(by_whom[0]), "count",
          _l("Commitments in accepted plans that one or more network members take on."))
    s.add("commitments.professionals", _l("Commitments by professionals"), count(by_whom[1]), "count",
          _l("Commitments in accepted plans that only a service takes on."))
    first_review = select(func.min(Review.id)).join(FamilyPlan).where(
        FamilyPlan.case_id.in_(select(ids.c.id))).group_by(FamilyPlan.case_id)
    verdicts = dict(db.session.execute(select(ReviewItem.verdict, func.count()).where(
        ReviewItem.review_id.in_(first_review)).group_by(ReviewItem.verdict)).all())
    judged = sum(verdicts.values())
    for verdict, label in VERDICTS.items():
        s.add(f"first_review.{verdict}", _l("At the first review: %(verdict)s", verdict=label),
              share(verdicts.get(verdict, 0), judged), "percent",
              _l("Of the commitments judged at each case's first follow-up."), of=count(judged))
    sections.append(s)

    # Outcomes.
    s = Section("outcomes", _l("Where the children live"))
    living = {months: {key: 0 for key in CHILD_LIVES} for months in CHECK_IN_MONTHS}
    notifications = {months: 0 for months in CHECK_IN_MONTHS}
    for months, lives, n, notified in db.session.execute(
            select(OutcomeCheckIn.months, OutcomeCheckIn.child_lives, func.count(),
                   func.sum(when((OutcomeCheckIn.new_notification, 1), else_=0)))
            .where(OutcomeCheckIn.case_id.in_(select(ids.c.id)))
            .group_by(OutcomeCheckIn.months, OutcomeCheckIn.child_lives)):
        living[months][lives] = n
        notifications[months] += int(notified or 0)
    for months in CHECK_IN_MONTHS:
        total = sum(living[months].values())
        for key, label in CHILD_LIVES.items():
            s.add(f"lives.{months}.{key}", _l("After %(months)s months: %(where)s", months=months, where=label),
                  count(living[months][key]), "count",
                  _l("Children whose check-in after this many months says so."))
        s.add(f"notified.{months}", _l("After %(months)s months: new notification", months=months),
              count(notifications[months]), "count",
              _l("Check-ins reporting a new notification (underretning) since the last one."), of=count(total))
        living[months] = {key: count(n) for key, n in living[months].items()}
    sections.append(s)

    # Experience.
    s = Section("experience", _l("Experience and fidelity"))
    answers = select(SurveyAnswer).where(SurveyAnswer.conference_id.in_(
        select(Conference.id).where(Conference.case_id.in_(select(ids.c.id))))).subquery()
    survey = db.session.execute(select(
        func.count(), *[func.avg(answers.c[key]) for key in SURVEY_QUESTIONS], func.avg(answers.c.smiley),
        func.count(answers.c.smiley))).one()
    s.add("survey.answers", _l("Survey answers"), count(survey[0]), "count",
          _l("Anonymous answers to the survey after conferences and follow-ups."))
    for i, (key, label) in enumerate(SURVEY_QUESTIONS.items()):
        mean = survey[1 + i]
        s.add(f"survey.{key}", label, round(float(mean), 1) if mean is not None and count(survey[0]) else None,
              "mean", _l("Average on a scale from 1 (%(low)s) to 5 (%(high)s).", low=AGREEMENT[1], high=AGREEMENT[5]))
    smiley = survey[len(SURVEY_QUESTIONS) + 1]
    s.add("survey.child", _l("The children's smiley"),
          round(float(smiley), 1) if smiley is not None and count(survey[-1]) else None, "mean",
          _l("Average on a scale from 1 (%(low)s) to 5 (%(high)s).", low=SMILEYS[1], high=SMILEYS[5]))
    scores = [f.share for f in fidelity_of(conferences).values() if f.share is not None]
    for key, label, low, high in (("all", _l("Fidelity: every part"), 1, 1),
                                  ("most", _l("Fidelity: three quarters or more"), 0.75, 0.9999),
                                  ("half", _l("Fidelity: half or more"), 0.5, 0.7499),
                                  ("less", _l("Fidelity: less than half"), 0, 0.4999)):
        s.add(f"fidelity.{key}", label, count(sum(1 for v in scores if low <= v <= high)), "count",
              _l("First conferences held by the share of the model's parts met (see a conference's page)."))
    s.add("fidelity.median", _l("Fidelity: median share of parts met"),
          round(100 * median(scores), 1) if median(scores) is not None else None, "percent",
          _l("Half of the conferences met this share of the parts or more."))
    sections.append(s)

    # Trend per month and the breakdowns.
    months = {}
    for d in days.values():
        for key, column in (("referred", 0), ("conference_held", 1)):
            if key in d:
                first = d[key].replace(day=1)
                if start.replace(day=1) <= first <= end:
                    months.setdefault(first, [0, 0])[column] += 1
    trend = [(month, count(values[0]), count(values[1])) for month, values in sorted(months.items())]

    def breakdown(groups):
        table = {}
        for cid, group in groups:
            row = table.setdefault(group, [0, 0, 0])
            row[0] += 1
            row[1] += cid in stage["conference_held"]
            row[2] += cid in stage["accepted"]
        return [(group, *[count(n) for n in row]) for group, row in sorted(table.items(), key=lambda g: str(g[0]))]

    names = dict(db.session.execute(select(User.id, User.name).where(User.organisation_id == organisation_id)).all())
    by_coordinator = breakdown((row.id, names.get(row.coordinator_id, "–")) for row in cases)
    towns = dict(db.session.execute(select(Child.case_id, func.min(Child.town)).where(
        Child.case_id.in_(select(ids.c.id))).group_by(Child.case_id)).all())
    by_town = breakdown((row.id, towns.get(row.id) or str(TOWN_UNKNOWN)) for row in cases)
    return Report(start=start, end=end, sections=sections, months=trend, living=living, funnel=funnel,
                  by_coordinator=by_coordinator, by_town=by_town)
