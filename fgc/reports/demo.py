"""Demo history: a year of earlier cases in each demo municipality, so that every
figure and chart of the report has something to show. Made from fixed choices (a
seeded random generator), written directly as the services would have left them."""
import random
from datetime import date, datetime, time, timedelta, timezone

from dateutil.relativedelta import relativedelta

from fgc.auth.models import User
from fgc.cases.models import Case, Child, StateChange
from fgc.conferences.models import CHECKLIST, ChecklistItem, Conference, Participant
from fgc.demo import DEMO_PASSWORD
from fgc.extensions import db
from fgc.network.models import NetworkMember
from fgc.plans.models import Commitment, FamilyPlan, Review, ReviewItem
from fgc.reports.models import CHECK_IN_MONTHS, OutcomeCheckIn, SurveyAnswer

CASES, EVERY_DAYS = 115, 4  # about seven referrals a month, for the report's monthly trend
# The history's open cases belong to a second coordinator and caseworker, so the demo
# staff's own lists stay as short as a working day's; half the closed ones are theirs.
SECOND = {"DK": (("Lars Holm", "samordner2@aarhus.demo"), ("Pia Krogh", "sagsbehandler2@aarhus.demo")),
          "GL": (("Kaali Lyberth", "samordner2@sermersooq.demo"), ("Nivi Egede", "sagsbehandler2@sermersooq.demo"))}
SERVICE = {"DK": "Familiehuset", "GL": "Ilaqutariit Illuat"}
PLACES = {"DK": ("Aarhus", "Viby", "Brabrand", "Skejby"),
          "GL": ("Nuuk", "Nuuk", "Kapisillit", "Qeqertarsuatsiaat", "Tasiilaq")}
NAMES = {"DK": ("Ida", "William", "Alma", "Lucas", "Ella", "Karl", "Clara", "Oscar", "Agnes", "Malthe"),
         "GL": ("Naja", "Malik", "Aviaja", "Inuk", "Pipaluk", "Aputsiaq", "Nivi", "Kunuk", "Ivaana", "Salik")}
FAMILY = {"DK": ("Hansen", "Larsen", "Poulsen", "Madsen"), "GL": ("Kristiansen", "Lynge", "Heilmann", "Motzfeldt")}
NETWORK = (("birth_parent", "family", "maternal"), ("birth_parent", "family", "paternal"),
           ("grandparent", "family", "maternal"), ("grandparent", "family", "paternal"),
           ("aunt_uncle", "family", "maternal"), ("friend", "friends", "other"), ("school_daycare", "school", "other"))
ADULTS = {"DK": ("Mette", "Søren", "Inger", "Bent", "Hanne", "Rikke", "Lars"),
          "GL": ("Ivalo", "Hans", "Ane", "Jens", "Arnaq", "Paninnguaq", "Kaali")}
WORDS = {"DK": ("Skolen er bekymret for fravær og trivsel.", "Følge barnet i skole", "Aflastning i Familiehuset"),
         "GL": ("Atuarfik meeqqap peqataannginneranik ernumassuteqarpoq.", "Meeraq atuarfimmut ingiaqatigissallugu",
                "Ilaqutariit Illuanni oqaloqatigiinneq")}
VERDICT_STATUS = {"kept": "done", "partly": "in_progress", "not_kept": "not_kept"}


def _at(day, hour=10):
    return datetime.combine(day, time(hour), tzinfo=timezone.utc)


def _checklist(before):
    """The preparation, done a week before the meeting."""
    return [ChecklistItem(key=key, position=n, done=True, done_at=before - timedelta(days=7))
            for n, key in enumerate(CHECKLIST)]


def _move(case, state, on, reason=None):
    case.state_changes.append(StateChange(from_state=case.state, to_state=state, effective_on=on))
    case.state = state
    if reason:
        case.end_reason, case.outcome = reason, "–"


def seed(demo):
    for key, org in demo.organisations.items():
        second = []
        for role, (name, email) in zip(("coordinator", "caseworker"), SECOND[org.country]):
            user = User(organisation=org, name=name, email=email, role=role, locale=org.default_locale)
            user.set_password(DEMO_PASSWORD)
            db.session.add(user)
            second.append(user)
        db.session.flush()
        History(org, second, (demo.users[f"{key}_coordinator"], demo.users[f"{key}_caseworker"])).make()
    db.session.flush()


class History:
    """`cases` referred one every `every_days` days up to today (the benchmark makes 10,000)."""

    def __init__(self, org, staff, demo_staff, cases=CASES, every_days=EVERY_DAYS):
        self.org, (self.coordinator, self.caseworker), self.demo_staff = org, staff, demo_staff
        self.random = random.Random(f"fgc-demo-{org.country}")
        self.today = date.today()
        self.cases, self.every_days = cases, every_days

    def make(self):
        first = self.today - timedelta(days=self.cases * self.every_days)
        for i in range(self.cases):
            case = self.case(i, first + timedelta(days=i * self.every_days))
            if case.state in ("closed", "withdrawn") and i % 2 == 0:
                case.coordinator_id, case.caseworker_id = (user.id for user in self.demo_staff)
            case.updated_at = _at(max(change.effective_on for change in case.state_changes), 16)

    def case(self, i, referred):
        rnd, country = self.random, self.org.country
        family = FAMILY[country][i % len(FAMILY[country])]
        case = Case(organisation_id=self.org.id, reference=f"H-{i + 1:05d}", concern=WORDS[country][0],
                    consent_given_by=f"{ADULTS[country][0]} {family}", consent_date=referred, coordinator_id=self.coordinator.id,
                    caseworker_id=self.caseworker.id, created_at=_at(referred, 9))
        born = referred - timedelta(days=2500 + 97 * (i % 40))
        case.children = [Child(name=f"{NAMES[country][i % 10]} {family}", birth_date=born,
                               town=PLACES[country][i % len(PLACES[country])])]
        db.session.add(case)
        db.session.flush()
        case.state_changes.append(StateChange(from_state=None, to_state="referred", effective_on=referred))
        people = [NetworkMember(case_id=case.id, name=f"{ADULTS[country][n]} {family}", relation=relation,
                                sector=sector, side=side,
                                language="kl" if country == "GL" else "da",
                                created_at=_at(referred + timedelta(days=0 if n < 2 else rnd.randint(3, 20))))
                  for n, (relation, sector, side) in enumerate(NETWORK[:rnd.randint(4, len(NETWORK))])]
        db.session.add_all(people)
        db.session.flush()
        if i % 12 == 5 and referred + timedelta(days=9) <= self.today:
            _move(case, "withdrawn", referred + timedelta(days=9))
            case.consent_withdrawn_on = referred + timedelta(days=9)
            return case
        _move(case, "preparing", referred + timedelta(days=3))
        held_on = referred + timedelta(days=rnd.randint(18, 55))
        if held_on > self.today - timedelta(days=7):
            return case
        if i % 12 == 9:
            _move(case, "closed", held_on, reason=rnd.choice(("declined", "safety")))
            return case
        self.conference(case, people, held_on, i)
        return case

    def conference(self, case, people, held_on, i):
        rnd, country = self.random, self.org.country
        meeting = Conference(case_id=case.id, kind="conference", state="held", starts_at=_at(held_on, 13),
                             ends_at=_at(held_on, 17), timezone=self.org.timezone, town=case.children[0].town,
                             private_time_held=rnd.random() < 0.85,
                             child_took_part=rnd.choice(("present", "present", "views", "no")),
                             child_support_person=rnd.random() < 0.7, interpreter_needed=rnd.random() < 0.3,
                             interpreter_present=rnd.random() < 0.8, checklist=_checklist(_at(held_on, 13)))
        db.session.add(meeting)
        db.session.flush()
        for person in people:
            came = rnd.random() < 0.8
            by_phone = came and rnd.random() < (0.3 if country == "GL" else 0.1)
            db.session.add(Participant(conference_id=meeting.id, member_id=person.id, role="family",
                                       answer="accepted" if came else "declined", attended_part1=came,
                                       attended_part2=came and person.sector != "school", attended_part3=came,
                                       remote_part1=by_phone, remote_part3=by_phone))
        _move(case, "conference_held", held_on)
        for _n in range(rnd.randint(2, 4)):
            db.session.add(SurveyAnswer(conference_id=meeting.id, heard=rnd.randint(3, 5), ours=rnd.randint(3, 5),
                                        realistic=rnd.randint(2, 5), know=rnd.randint(3, 5),
                                        recommend=rnd.randint(3, 5)))
        if rnd.random() < 0.6:
            db.session.add(SurveyAnswer(conference_id=meeting.id, for_child=True, smiley=rnd.randint(3, 5)))
        for months in CHECK_IN_MONTHS:
            due = held_on + relativedelta(months=months)
            if due <= self.today:
                lives = rnd.choices(("home", "network", "placed", "other"), (6, 3, 1, 0.3))[0]
                db.session.add(OutcomeCheckIn(case_id=case.id, months=months, child_lives=lives,
                                              new_notification=rnd.random() < 0.2, placement=lives == "placed",
                                              recorded_on=due))
        if i % 12 == 2:
            return  # no plan came of it
        self.plan(case, people, meeting, held_on)

    def plan(self, case, people, meeting, held_on):
        rnd, country = self.random, self.org.country
        review = held_on + timedelta(days=rnd.randint(60, 90))
        number = 1
        if rnd.random() < 0.3:
            db.session.add(FamilyPlan(case_id=case.id, number=1, state="not_accepted", review_date=review,
                                      conference_id=meeting.id, decision_reason=WORDS[country][0]))
            number = 2
        decided = held_on + timedelta(days=rnd.choice((1, 1, 2, 3, 6)))
        plan = FamilyPlan(case_id=case.id, number=number, state="accepted", review_date=review,
                          conference_id=meeting.id, decided_at=_at(min(decided, self.today), 15),
                          decided_by_id=self.caseworker.id)
        plan.commitments = [Commitment(what=WORDS[country][1], position=n, people=[people[n % len(people)]],
                                       due_date=held_on + timedelta(days=30 * (n + 1)), status="in_progress")
                            for n in range(rnd.randint(2, 5))]
        plan.commitments.append(Commitment(what=WORDS[country][2], service=SERVICE[country], position=9,
                                           due_date=review, status="in_progress"))
        db.session.add(plan)
        db.session.flush()
        _move(case, "plan_agreed", min(decided, self.today))
        followed = held_on + timedelta(days=rnd.randint(55, 100))
        if followed > self.today:
            return
        follow_up = Conference(case_id=case.id, kind="follow_up", state="held", starts_at=_at(followed, 13),
                               ends_at=_at(followed, 15), timezone=self.org.timezone, town=meeting.town,
                               checklist=_checklist(_at(followed, 13)))
        db.session.add(follow_up)
        db.session.flush()
        review_row = Review(plan_id=plan.id, conference_id=follow_up.id, next_step="close",
                            living_situation=rnd.choices(("home", "network", "placed"), (6, 3, 1))[0])
        review_row.items = [ReviewItem(commitment_id=c.id, verdict=rnd.choices(("kept", "partly", "not_kept"),
                                                                               (6, 3, 1))[0])
                            for c in plan.commitments]
        for commitment, item in zip(plan.commitments, review_row.items):
            commitment.status = VERDICT_STATUS[item.verdict]
        db.session.add(review_row)
        for _n in range(rnd.randint(1, 3)):
            db.session.add(SurveyAnswer(conference_id=follow_up.id, heard=rnd.randint(3, 5), ours=rnd.randint(3, 5),
                                        realistic=rnd.randint(3, 5), know=rnd.randint(3, 5),
                                        recommend=rnd.randint(3, 5)))
        _move(case, "following_up", followed)
        if followed < self.today - timedelta(days=60):
            _move(case, "closed", followed + timedelta(days=30),
                  reason="placed" if review_row.living_situation == "placed" else "completed")
