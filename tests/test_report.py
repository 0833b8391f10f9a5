"""The report's figures on a hand-built municipality whose answers are worked out
here by hand; small counts suppressed; the same numbers in the page, the CSV, the XLSX
and the shared aggregate; a fixed number of queries at any size."""
import csv
import io
import json
from datetime import date, datetime, time, timedelta, timezone

import pytest
from openpyxl import load_workbook

from fgc.cases.models import Case, Child, StateChange
from fgc.conferences.models import Conference, Participant
from fgc.extensions import db
from fgc.network.models import NetworkMember
from fgc.plans.models import Commitment, FamilyPlan, Review, ReviewItem
from fgc.reports import figures
from fgc.reports.models import OutcomeCheckIn, SurveyAnswer
from tests import factories
from tests.conftest import count_queries

START, END, TODAY = date(2026, 1, 1), date(2026, 6, 30), date(2026, 12, 1)
JAN = date(2026, 1, 5)


def at(day, hour=10):
    return datetime.combine(day, time(hour), tzinfo=timezone.utc)


class Municipality:
    """23 cases referred in the first half of 2026 and one before it.

    Coordinator A, Nuuk, cases 1-20, referred on 5 January + i days:
      1-15 have their first conference held 2*i days after the referral;
      1-10 have a plan: 1-5 accepted at once (i days after the conference), 6-10 at the
        second version; every accepted plan's review is due 70 days after the conference;
      1-5 have a follow-up held 60 + i days after the conference, are reviewed (one
        commitment kept, one partly) and closed, the plan carried through;
      16-17 closed early: the family declined.
    Coordinator B, Sisimiut, three cases whose consent was withdrawn.
    """

    def __init__(self, org, a, b, prefix=""):
        self.prefix, self.cases = prefix, []
        for i in range(1, 21):
            self.cases.append(self.case(org, a, "Nuuk", JAN + timedelta(days=i), i))
        for i in range(21, 24):
            case = self.case(org, b, "Sisimiut", JAN + timedelta(days=i), i)
            self.move(case, "withdrawn", JAN + timedelta(days=i + 3))
        self.case(org, a, "Nuuk", date(2025, 12, 15), 99)  # before the period: never counted
        db.session.flush()

    def case(self, org, coordinator, town, referred, i):
        case = Case(organisation_id=org.id, reference=f"{self.prefix}R-{i}", concern="x", consent_given_by="Mor",
                    consent_date=referred, coordinator_id=coordinator.id, created_at=at(referred, 9))
        case.children = [Child(name=f"Barn {i}", birth_date=date(2018, 1, 1), town=town)]
        db.session.add(case)
        db.session.flush()
        case.state_changes.append(StateChange(from_state=None, to_state="referred", effective_on=referred))
        mother = NetworkMember(case_id=case.id, name="Mor", relation="birth_parent", side="maternal",
                               sector="family", created_at=at(referred, 12))
        db.session.add(mother)
        if i <= 15:
            held_on = referred + timedelta(days=2 * i)
            self.move(case, "preparing", referred)
            conference = Conference(case_id=case.id, kind="conference", state="held", starts_at=at(held_on),
                                    ends_at=at(held_on, 13), timezone="America/Nuuk",
                                    child_took_part="present" if i <= 10 else "views",
                                    interpreter_needed=i <= 6, interpreter_present=i <= 5)
            db.session.add(conference)
            db.session.flush()
            db.session.add(Participant(conference_id=conference.id, member_id=mother.id, role="family",
                                       answer="accepted", attended_part1=True))
            if i <= 6:
                father = NetworkMember(case_id=case.id, name="Far", relation="birth_parent", side="paternal",
                                       sector="family", created_at=at(held_on - timedelta(days=1)))
                db.session.add(father)
                db.session.flush()
                db.session.add(Participant(conference_id=conference.id, member_id=father.id, role="family",
                                           answer="declined"))
            self.move(case, "conference_held", held_on)
            if i <= 10:
                self.plans(case, conference, held_on, i, mother)
        if i in (16, 17):
            self.move(case, "closed", referred + timedelta(days=20), end_reason="declined")
        return case

    def plans(self, case, conference, held_on, i, mother):
        review = held_on + timedelta(days=70)
        if i > 5:
            db.session.add(FamilyPlan(case_id=case.id, number=1, state="not_accepted", review_date=review,
                                      conference_id=conference.id))
        plan = FamilyPlan(case_id=case.id, number=1 if i <= 5 else 2, state="accepted", review_date=review,
                          conference_id=conference.id, decided_at=at(held_on + timedelta(days=i)))
        plan.commitments = [Commitment(what="Hente", people=[mother])]
        if i <= 5:
            plan.commitments.append(Commitment(what="Aflastning", service="Familiehuset", position=1))
        db.session.add(plan)
        db.session.flush()
        self.move(case, "plan_agreed", held_on + timedelta(days=i))
        db.session.add(OutcomeCheckIn(case_id=case.id, months=3, child_lives="home" if i <= 6 else "network",
                                      new_notification=i <= 5, placement=False, recorded_on=TODAY))
        if i <= 5:
            followed = held_on + timedelta(days=60 + i)
            follow_up = Conference(case_id=case.id, kind="follow_up", state="held", starts_at=at(followed),
                                   ends_at=at(followed, 12), timezone="America/Nuuk")
            db.session.add(follow_up)
            db.session.flush()
            review_row = Review(plan_id=plan.id, conference_id=follow_up.id, living_situation="home",
                                next_step="close")
            review_row.items = [ReviewItem(commitment_id=plan.commitments[0].id, verdict="kept"),
                                ReviewItem(commitment_id=plan.commitments[1].id, verdict="partly")]
            db.session.add(review_row)
            self.move(case, "following_up", followed)
            self.move(case, "closed", followed, end_reason="completed")
            db.session.add(SurveyAnswer(conference_id=follow_up.id, heard=(5, 5, 4, 4, 3)[i - 1]))
        if i == 6:
            db.session.add(SurveyAnswer(conference_id=conference.id, heard=3))

    @staticmethod
    def move(case, state, on, end_reason=None):
        case.state_changes.append(StateChange(from_state=case.state, to_state=state, effective_on=on))
        case.state, case.end_reason = state, end_reason


@pytest.fixture
def municipality(app):
    org = factories.organisation()
    a = factories.user(org, "coordinator", name="Aviaja A")
    b = factories.user(org, "coordinator", name="Bolethe B")
    admin = factories.user(org, "admin")
    Municipality(org, a, b)
    db.session.commit()
    return org, a, b, admin


def test_every_figure_is_what_the_hand_count_says(municipality):
    org, a, _b, _admin = municipality
    report = figures.build(org.id, START, END, today=TODAY)
    v = report.value
    # The funnel: 23 referred (not the one before the period), all with consent, 15 held,
    # 10 with a plan, 10 accepted, 5 followed up, 7 closed; 3 withdrawn (suppressed).
    assert [(key, n) for key, _label, n in report.funnel] == [
        ("referred", 23), ("consent", 23), ("conference_held", 15), ("plan", 10), ("accepted", 10),
        ("following_up", 5), ("closed", 7)]
    assert v("left.withdrawn") is None  # 3 < 5
    assert v("closed.completed") == 5 and v("closed.declined") is None and v("closed.placed") == 0
    # Referral to conference: 2, 4, ..., 30 days; the median of 15 is the 8th (16), the
    # 90th percentile the 14th (28). Conference to plan: 1..10 days; median 5.5, p90 the 9th.
    assert (v("days.referral_to_conference.median"), v("days.referral_to_conference.p90")) == (16, 28)
    assert (v("days.conference_to_plan.median"), v("days.conference_to_plan.p90")) == (5.5, 9)
    # Follow-ups 61..65 days after: median 63, p90 the 5th of 5 (65).
    assert (v("days.conference_to_follow_up.median"), v("days.conference_to_follow_up.p90")) == (63, 65)
    # Ten reviews due (70 days after), five held by then: 50 %.
    assert v("reviews.on_time") == 50.0
    # Participation: 15 mothers invited and there; 6 fathers invited, none came.
    assert (v("invited.family.maternal"), v("attended.family.maternal")) == (15, 15)
    assert (v("invited.family.paternal"), v("attended.family.paternal")) == (6, 0)
    # Network: one person at every referral; at the conference, 2 in six cases and 1 in nine.
    assert (v("network.at_referral"), v("network.at_conference")) == (1, 1)
    # The child was there at 10 of 15 (66.7 %), their views presented at 5 (33.3 %).
    assert (v("child.present"), v("child.views"), v("child.no")) == (66.7, 33.3, 0.0)
    # Interpreters: needed at 6; present at 5 of them, but the one without is a small count.
    assert v("interpreter.needed") == 6 and v("interpreter.present") is None
    # Plans: 10 of 15 held (5 without): 66.7 %; accepted at once 5 of 10: 50 %.
    assert (v("plans.made"), v("plans.accepted_first")) == (66.7, 50.0)
    # Commitments of the accepted plans: 10 by the network, 5 by a service only.
    assert (v("commitments.network"), v("commitments.professionals")) == (10, 5)
    # First reviews: 5 kept, 5 partly, none not kept.
    assert (v("first_review.kept"), v("first_review.partly"), v("first_review.not_kept")) == (50.0, 50.0, 0.0)
    # After 3 months: 6 at home, 4 with the network (suppressed), 5 new notifications.
    assert (v("lives.3.home"), v("lives.3.network"), v("lives.3.placed"), v("notified.3")) == (6, None, 0, 5)
    assert report.living[3] == {"home": 6, "network": None, "placed": 0, "other": 0}
    assert v("lives.6.home") == 0
    # Six survey answers to "I was heard": 5, 5, 4, 4, 3, 3 → 4.0.
    assert (v("survey.answers"), v("survey.heard"), v("survey.ours")) == (6, 4.0, None)
    # Trend: referred 6-28 January; conferences held 5 January + 3i days: January for 1-8,
    # February for 9-15.
    assert report.months == [(date(2026, 1, 1), 23, 8), (date(2026, 2, 1), 0, 7)]
    # By coordinator and town: B's three cases are suppressed.
    assert report.by_coordinator == [("Aviaja A", 20, 15, 10), ("Bolethe B", None, 0, 0)]
    assert report.by_town == [("Nuuk", 20, 15, 10), ("Sisimiut", None, 0, 0)]


def test_a_coordinator_or_a_town_narrows_the_report(municipality):
    org, a, b, _admin = municipality
    assert figures.build(org.id, START, END, coordinator_id=b.id, today=TODAY).value("funnel.referred") is None
    assert figures.build(org.id, START, END, town="Nuuk", today=TODAY).value("funnel.referred") == 20
    assert figures.build(org.id, date(2025, 12, 1), date(2025, 12, 31), today=TODAY).value("funnel.referred") is None


def test_the_page_the_csv_the_xlsx_and_the_aggregate_hold_the_same_numbers(client, municipality, login_as):
    org, a, _b, admin = municipality
    login_as(admin)
    query = f"start={START}&end={END}"
    page = client.get(f"/reports/?{query}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Rapport: familierådslagninger" in html and "færre end 5" in html and "66,7 %" in html
    assert "<svg" in html and 'role="img"' in html and "style=" not in html.split("<main", 1)[1]
    rows = list(csv.reader(io.StringIO(client.get(f"/reports/?{query}&format=csv").get_data(as_text=True)
                                       .lstrip("\ufeff"))))
    by_key = {row[1]: row[3] for row in rows[1:]}
    book = load_workbook(io.BytesIO(client.get(f"/reports/?{query}&format=xlsx").data))
    sheet = {row[1]: row[3] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)}
    definitions = {row[0]: row[2] for row in book.worksheets[1].iter_rows(min_row=2, values_only=True)}
    aggregate = json.loads(client.get(f"/reports/?{query}&format=json").data)
    report = figures.build(org.id, START, END)
    for _section, figure in report.figures():
        expected = figure.value
        assert by_key[figure.key] == ("" if expected is None else str(expected)), figure.key
        assert sheet[figure.key] == expected, figure.key
        assert aggregate["figures"][figure.key] == expected, figure.key
        assert definitions[figure.key]
    assert aggregate["schema"] == "fgc-aggregate/1" and aggregate["suppressed_below"] == 5
    assert "Barn" not in json.dumps(aggregate) and "R-1" not in json.dumps(aggregate)
    # The aggregate's every figure is documented in the schema's description.
    described = open("fgc/reports/AGGREGATE.md", encoding="utf-8").read()
    for key in aggregate["figures"]:
        assert f"`{key}`" in described, key


def test_a_coordinator_sees_only_their_own_cases_and_a_caseworker_no_report(client, municipality, login_as, world):
    org, a, b, _admin = municipality
    login_as(b)
    html = client.get(f"/reports/?start={START}&end={END}&coordinator={a.id}").get_data(as_text=True)
    assert "dine egne sager" in html and ">23<" not in html and ">20<" not in html
    client.post("/logout")
    login_as(world.users["caseworker"])
    assert client.get("/reports/").status_code in (403, 404)


def test_bad_filters_are_refused_kindly(client, municipality, login_as):
    login_as(municipality[3])
    for query in ("start=2026-13-01", "start=2026-06-01&end=2026-01-01", "coordinator=abc", "town=Atlantis",
                  "start=9999-01-01&end=9999-12-31x", "format=pdf"):
        response = client.get(f"/reports/?{query}")
        assert response.status_code in (400, 404), query
    assert "Perioden slutter, før den begynder." in client.get(
        "/reports/?start=2026-06-01&end=2026-01-01").get_data(as_text=True)


def test_the_report_asks_the_database_a_fixed_number_of_times(app):
    org = factories.organisation()
    a, b = factories.user(org, "coordinator"), factories.user(org, "coordinator")
    Municipality(org, a, b)
    db.session.commit()
    with count_queries() as small:
        figures.build(org.id, START, END, today=TODAY)
    other = factories.organisation()
    c, d = factories.user(other, "coordinator"), factories.user(other, "coordinator")
    for n in range(4):  # four times the cases
        Municipality(other, c, d, prefix=f"{n}-")
    db.session.commit()
    with count_queries() as large:
        figures.build(other.id, START, END, today=TODAY)
    assert small() == large()
