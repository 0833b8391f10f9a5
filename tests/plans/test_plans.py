import re
from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from fgc.auth.models import User
from fgc.cases.models import Case
from fgc.conferences import services as conference_services
from fgc.core.mail import OutboxMessage
from fgc.extensions import db
from fgc.i18n import in_locale
from fgc.plans import rules
from fgc.plans import services as plans_services
from fgc.plans.models import Commitment, FamilyAccount, FamilyPlan, ReminderSent
from tests import factories as base_factories
from tests.conferences import factories as conference_factories
from tests.conftest import count_queries
from tests.network import factories as network
from tests.plans import factories


def plan_form(case, people, **changes):
    data = {"language": "da", "contingency": "Så træder mormor til.", "monitor_id": str(people[0].id),
            "resources": "Aflastning en weekend om måneden", "review_date": str(date.today() + timedelta(days=90))}
    for i, _q in enumerate(case.questions):
        data[f"answers-{i}"] = "Mormor følger Malik i skole."
    rows = [("Følge Malik i skole", [people[0]], "", "date", str(date.today() + timedelta(days=5)), []),
            ("Lektiehjælp", [people[1]], "", "weekly", "", ["0"]),
            ("Familiebehandling", [], "Familiehuset", "date", str(date.today() + timedelta(days=20)), []),
            ("Ringe til skolen", people[:2], "", "date", str(date.today() + timedelta(days=1)), [])]
    for i, (what, who, service, schedule, due, weekdays) in enumerate(rows):
        data.update({f"commitments-{i}-what": what, f"commitments-{i}-service": service,
                     f"commitments-{i}-schedule": schedule, f"commitments-{i}-due_date": due,
                     f"commitments-{i}-weekdays": weekdays,
                     f"commitments-{i}-how_we_know": "Skolen fortæller det", f"commitments-{i}-checked_by": "Lærer"})
        data[f"commitments-{i}-people"] = [str(p.id) for p in who]
    data.update(changes)
    return data


@pytest.fixture
def people(world):
    made = [network.member(world.case, "Birthe Jensen", email="birthe@example.dk", language="da"),
            network.member(world.case, "Ane Olsen", email="ane@example.gl", language="kl")]
    db.session.commit()
    return made


def plans_of(case):
    return db.session.scalars(select(FamilyPlan).where(FamilyPlan.case_id == case.id).order_by(FamilyPlan.number)).all()


def test_the_review_date_is_proposed_three_months_ahead_off_the_weekend():
    assert rules.proposed_review_date(date(2026, 1, 15)) == date(2026, 4, 15)
    assert rules.proposed_review_date(date(2026, 3, 7)) == date(2026, 6, 8)  # 7 June is a Sunday
    assert rules.proposed_review_date(date(2026, 11, 30)) == date(2027, 3, 1)  # 28 Feb is a Sunday


def schedule(kind, **fields):
    values = dict(schedule=kind, due_date=None, weekdays=[], month_day=None, starts_on=None, trigger="",
                  at_time=None, status="not_started")
    values.update(fields)
    return Commitment(**values)


WEDNESDAY = date(2026, 11, 25)


def test_weekly_commitments_fall_due_on_their_weekday():
    weekly = schedule("weekly", weekdays=[0])
    assert rules.next_due(weekly, WEDNESDAY) == date(2026, 11, 30)
    assert rules.is_due_this_week(weekly, WEDNESDAY) and not rules.is_overdue(weekly, WEDNESDAY)


def test_a_commitment_on_several_weekdays_falls_due_on_the_next_of_them():
    mon_wed_fri = schedule("weekly", weekdays=[0, 2, 4])
    assert rules.next_due(mon_wed_fri, WEDNESDAY) == WEDNESDAY
    assert rules.next_due(mon_wed_fri, WEDNESDAY + timedelta(days=1)) == date(2026, 11, 27)
    assert rules.next_due(mon_wed_fri, date(2026, 11, 28)) == date(2026, 11, 30)


def test_every_other_week_counts_the_weeks_from_its_start():
    # Started on Monday 16 November: its Mondays are 16 and 30 November, 14 December.
    fortnightly = schedule("fortnightly", weekdays=[0], starts_on=date(2026, 11, 16))
    assert rules.next_due(fortnightly, date(2026, 11, 17)) == date(2026, 11, 30)
    assert rules.next_due(fortnightly, date(2026, 12, 1)) == date(2026, 12, 14)
    not_yet = schedule("fortnightly", weekdays=[3], starts_on=date(2026, 12, 10))
    assert rules.next_due(not_yet, WEDNESDAY) == date(2026, 12, 10)


def test_a_monthly_commitment_falls_due_on_its_day_or_the_months_last():
    assert rules.next_due(schedule("monthly", month_day=5), WEDNESDAY) == date(2026, 12, 5)
    assert rules.next_due(schedule("monthly", month_day=25), WEDNESDAY) == WEDNESDAY
    assert rules.next_due(schedule("monthly", month_day=31), date(2027, 2, 10)) == date(2027, 2, 28)
    assert rules.next_due(schedule("monthly", month_day=31), date(2026, 12, 31)) == date(2026, 12, 31)


def test_a_commitment_for_when_something_happens_never_falls_due_and_is_never_late():
    when = schedule("when", trigger="Når Malik er syg")
    assert rules.next_due(when, WEDNESDAY) is None
    assert not rules.is_due_this_week(when, WEDNESDAY) and not rules.is_overdue(when, WEDNESDAY)
    assert rules.is_overdue(schedule("date", due_date=WEDNESDAY - timedelta(days=1)), WEDNESDAY)


@pytest.mark.parametrize("lang,fields,text", [
    ("da", dict(schedule="weekly", weekdays=[0]), "hver mandag"),
    ("kl", dict(schedule="weekly", weekdays=[0]), "ataasinngornerit tamaasa"),
    ("da", dict(schedule="weekly", weekdays=[0, 2, 4]), "hver uge: mandag, onsdag og fredag"),
    ("da", dict(schedule="fortnightly", weekdays=[1], at_time=time(15)), "hver anden uge: tirsdag kl. 15.00"),
    ("da", dict(schedule="monthly", month_day=5), "hver måned den 5."),
    ("da", dict(schedule="when", trigger="Malik er syg"), "når det sker: Malik er syg"),
])
def test_each_schedule_reads_in_words(app, lang, fields, text):
    with in_locale(lang):
        assert schedule(**{"kind": fields.pop("schedule")}, **fields).when_text == text


def test_a_coordinator_records_the_plan_with_four_commitments(client, world, login_as, people):
    login_as(world.users["coordinator"])
    form_page = client.get(f"/cases/{world.case.id}/plan/new").get_data(as_text=True)
    assert str(rules.proposed_review_date(date.today())) in form_page
    response = client.post(f"/cases/{world.case.id}/plan/new", data=plan_form(world.case, people))
    assert response.status_code == 302
    [plan] = plans_of(world.case)
    assert plan.state == "draft" and plan.number == 1 and plan.language == "da"
    assert [c.what for c in plan.commitments] == ["Følge Malik i skole", "Lektiehjælp", "Familiebehandling",
                                                  "Ringe til skolen"]
    assert plan.commitments[1].schedule == "weekly" and plan.commitments[1].weekdays == [0]
    assert plan.commitments[1].due_date is None and plan.commitments[2].service == "Familiehuset"
    assert [p.name for p in plan.commitments[3].people] == ["Ane Olsen", "Birthe Jensen"]
    assert plan.answers[0].text == "Mormor følger Malik i skole." and plan.monitor.name == "Birthe Jensen"
    assert [r.text for r in plan.resources] == ["Aflastning en weekend om måneden"]


@pytest.mark.parametrize("changes,message", [
    ({f"commitments-{i}-{name}": "" for i in range(4)
      for name in ("what", "people", "service", "due_date", "weekdays", "how_we_know", "checked_by")},
     "Skriv mindst én aftale."),
    ({"commitments-0-people": [], "commitments-0-service": ""}, "Angiv, hvem der gør det."),
    ({"commitments-0-what": " "}, "Beskriv, hvad der skal gøres."),  # not dropped without a word
    ({"commitments-0-due_date": ""}, "Angiv datoen."),
    ({"commitments-1-weekdays": []}, "Vælg mindst én ugedag."),
    ({"commitments-0-schedule": "monthly", "commitments-0-month_day": "32"}, "fra 1 til 31"),
    ({"commitments-0-schedule": "when", "commitments-0-trigger": " "}, "Skriv, hvad der skal ske."),
    ({"commitments-0-schedule": "yearly"}, "Ikke et gyldigt valg."),
    ({"review_date": ""}, "Vælg datoen for opfølgning."),
    ({"review_date": "tomorrow"}, "Skriv en dato som"),
    ({"contingency": "x" * 10_001}, "Teksten er for lang"),
    ({"commitments-0-people": ["99999"]}, "er ikke et gyldigt valg"),
])
def test_a_bad_plan_is_refused_and_nothing_saved(client, world, login_as, people, changes, message):
    login_as(world.users["coordinator"])
    response = client.post(f"/cases/{world.case.id}/plan/new", data=plan_form(world.case, people, **changes))
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert plans_of(world.case) == []


def test_the_caseworker_decides_with_the_bottom_lines_in_view(client, world, login_as, people):
    plan = factories.plan(world.case, world.users["coordinator"])
    db.session.commit()
    login_as(world.users["coordinator"])
    assert client.get(f"/cases/{world.case.id}/plan/{plan.id}/decide").status_code == 403
    client.post("/logout")
    login_as(world.users["caseworker"])
    page = client.get(f"/cases/{world.case.id}/plan/{plan.id}/decide").get_data(as_text=True)
    assert "The child may not live with X." in page  # the bottom line beside the plan
    refused = client.post(f"/cases/{world.case.id}/plan/{plan.id}/decide",
                          data={"decision": "not_accepted", "reason": "", "version": plan.version})
    assert "Angiv årsagen til, at planen ikke godkendes." in refused.get_data(as_text=True)
    db.session.refresh(plan)
    assert plan.state == "draft"
    client.post(f"/cases/{world.case.id}/plan/{plan.id}/decide",
                data={"decision": "not_accepted", "reason": "Mor kan ikke hente om natten.", "version": plan.version})
    db.session.refresh(plan)
    assert plan.state == "not_accepted" and plan.decision_reason == "Mor kan ikke hente om natten."


def test_an_accepted_plan_is_announced_to_every_participant_who_can_open_it_in_their_language(
        client, world, login_as, people):
    coordinator = world.users["coordinator"]
    meeting = conference_factories.conference(world.case, coordinator)
    for person in people:
        conference_services.add_member(world.case, meeting, person, "family", added_by=coordinator)
        account = base_factories.user(world.org, "family", email=f"account-{person.id}@example.dk")
        db.session.add(FamilyAccount(user_id=account.id, member_id=person.id))
    without_account = network.member(world.case, "Kaaleeraq Olsen", email="kaaleeraq@example.gl", language="kl")
    conference_services.add_member(world.case, meeting, without_account, "family", added_by=coordinator)
    meeting.state = "held"
    plan = factories.plan(world.case, coordinator, conference_id=meeting.id)
    db.session.commit()
    login_as(world.users["caseworker"])
    resource = plan.resources[0]
    client.post(f"/cases/{world.case.id}/plan/{plan.id}/decide",
                data={"decision": "accepted", "reason": "", "version": plan.version, f"resource-{resource.id}": "approved"})
    db.session.refresh(plan)
    assert plan.state == "accepted" and plan.resources[0].decision == "approved"
    mails = {m.recipient: m for m in db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "plan_ready"))}
    assert set(mails) == {"birthe@example.dk", "ane@example.gl"}  # Kaaleeraq gets the plan on paper
    assert b"Familiens plan er klar" in mails["birthe@example.dk"].raw
    assert "Mormor henter" not in mails["birthe@example.dk"].raw.decode("utf-8", "ignore")  # no plan content
    assert b"Kaaleeraq" not in mails["ane@example.gl"].raw


def test_a_revision_is_a_new_version_and_the_old_one_stays_readable(client, world, login_as, people):
    plan = factories.plan(world.case, world.users["coordinator"], state="accepted")
    db.session.commit()
    login_as(world.users["coordinator"])
    response = client.post(f"/cases/{world.case.id}/plan/{plan.id}/revise")
    [old, new] = plans_of(world.case)
    assert response.location.endswith(f"/plan/{new.id}/edit") and new.number == 2 and new.is_draft
    form = plan_form(world.case, people, contingency="Så træder morbror til.", version=str(new.version))
    assert client.post(f"/cases/{world.case.id}/plan/{new.id}/edit", data=form).status_code == 302
    db.session.refresh(old)
    assert old.contingency == "Så træder mormor til." and old.state == "accepted"
    assert "Så træder mormor til." in client.get(f"/cases/{world.case.id}/plan/{old.id}").get_data(as_text=True)
    diff = client.get(f"/cases/{world.case.id}/plan/compare?a={old.id}&b={new.id}").get_data(as_text=True)
    assert "<del>mormor</del>" in diff and "<ins>morbror</ins>" in diff


def test_a_colliding_plan_edit_is_detected_and_nothing_is_lost(client, world, login_as, people):
    plan = factories.plan(world.case, world.users["coordinator"])
    db.session.commit()
    stale = plan.version
    login_as(world.users["coordinator"])
    url = f"/cases/{world.case.id}/plan/{plan.id}/edit"
    assert client.post(url, data=plan_form(world.case, people, contingency="Første", version=stale)).status_code == 302
    response = client.post(url, data=plan_form(world.case, people, contingency="Min omhyggelige tekst", version=stale))
    assert response.status_code == 409 and "Min omhyggelige tekst" in response.get_data(as_text=True)
    db.session.refresh(plan)
    assert plan.contingency == "Første"


def test_reminders_are_sent_once_however_often_the_command_runs(app, world, people):
    plan = factories.plan(world.case, world.users["coordinator"], state="accepted", commitments=[
        factories.commitment("Snart", people=[people[1]], due=date.today() + timedelta(days=2)),
        factories.commitment("Senere", people=[people[0]], due=date.today() + timedelta(days=30)),
        factories.commitment("Hver uge", people=[people[0]], weekdays=[(date.today() + timedelta(days=1)).weekday()])])
    db.session.commit()
    runner = app.test_cli_runner()
    for _ in range(3):
        assert runner.invoke(args=["fgc", "send-reminders"]).exit_code == 0
    reminders = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "reminder")).all()
    assert sorted(m.recipient for m in reminders) == ["ane@example.gl", "birthe@example.dk"]
    assert db.session.scalar(select(func.count(ReminderSent.id))) == 2
    greenlandic = next(m for m in reminders if m.recipient == "ane@example.gl")
    assert b"Snart" not in greenlandic.raw
    assert plan.commitments[1].status == "not_started"


def test_reminders_follow_every_kind_of_schedule(app, world, people):
    today = date.today()
    soon, far = today + timedelta(days=2), today + timedelta(days=10)
    rows = [("Hver anden uge", dict(schedule="fortnightly", weekdays=[soon.weekday()], starts_on=soon)),
            ("Ikke denne uge", dict(schedule="fortnightly", weekdays=[soon.weekday()],
                                    starts_on=soon + timedelta(days=7))),
            ("Hver måned", dict(schedule="monthly", month_day=soon.day)),
            ("Måned senere", dict(schedule="monthly", month_day=far.day)),
            ("Når Malik er syg", dict(schedule="when", trigger="Malik er syg"))]
    plan = factories.plan(world.case, world.users["coordinator"], state="accepted", commitments=[
        {**factories.commitment(what, people=[people[0]]), **fields} for what, fields in rows])
    db.session.commit()
    assert app.test_cli_runner().invoke(args=["fgc", "send-reminders"]).exit_code == 0
    reminded = db.session.scalars(select(ReminderSent)).all()
    assert sorted((r.commitment_id, r.due) for r in reminded) == [
        (plan.commitments[0].id, soon), (plan.commitments[2].id, soon)]


def test_the_follow_up_review_makes_a_new_version_and_keeps_the_old(client, world, login_as, people):
    plan = factories.plan(world.case, world.users["coordinator"], state="accepted")
    db.session.commit()
    commitment = plan.commitments[0]
    login_as(world.users["coordinator"])
    response = client.post(f"/cases/{world.case.id}/plan/{plan.id}/review", data={
        f"verdict-{commitment.id}": "partly", f"note-{commitment.id}": "Kun om mandagen",
        "living_situation": "network", "next_step": "revise", "note": ""})
    assert response.status_code == 302
    [old, new] = plans_of(world.case)
    assert old.state == "accepted" and old.commitments[0].status == "not_started"
    assert new.is_draft and new.commitments[0].status == "in_progress"


def test_closing_from_a_review_closes_the_case_with_its_outcome(client, world, login_as, people):
    case = world.case
    for state in ("preparing", "conference_held", "plan_agreed"):

        from fgc.cases.services import change_state
        change_state(case, state, changed_by=world.users["coordinator"])
    plan = factories.plan(case, world.users["coordinator"], state="accepted")
    db.session.commit()
    login_as(world.users["coordinator"])
    missing = client.post(f"/cases/{case.id}/plan/{plan.id}/review", data={
        f"verdict-{plan.commitments[0].id}": "kept", "living_situation": "home", "next_step": "close", "note": ""})
    assert "Registrér resultatet, før sagen afsluttes." in missing.get_data(as_text=True)
    client.post(f"/cases/{case.id}/plan/{plan.id}/review", data={
        f"verdict-{plan.commitments[0].id}": "kept", "living_situation": "home", "next_step": "close",
        "note": "Malik bor hjemme og kommer i skole."})
    db.session.refresh(case)
    assert case.state == "closed" and case.outcome == "Malik bor hjemme og kommer i skole."


def test_a_family_member_gets_an_account_by_letter_and_sees_only_their_own(app, client, world, login_as, people):
    plan = factories.plan(world.case, world.users["coordinator"], state="accepted", commitments=[
        factories.commitment("Ane henter", people=[people[1]], due=date.today() + timedelta(days=3)),
        factories.commitment("Birthe bager", people=[people[0]], due=date.today() + timedelta(days=3))])
    people[1].email = ""
    db.session.commit()
    login_as(world.users["coordinator"])
    letter = client.post(f"/cases/{world.case.id}/plan/family", data={"member_id": people[1].id}).get_data(as_text=True)
    user = db.session.scalar(select(User).join(FamilyAccount, FamilyAccount.user_id == User.id)
                             .where(FamilyAccount.member_id == people[1].id))
    code = letter.split('class="code">')[1].split("<")[0]
    assert user.email in letter and len(code) == 8 and 'lang="kl"' in letter
    client.post("/logout")
    wrong = client.post("/family/activate", data={"username": user.email, "code": "WRONG123",
                                                  "password": "aputsiaq qaqortoq", "confirm": "aputsiaq qaqortoq"})
    assert "ikke rigtig" in wrong.get_data(as_text=True) or wrong.status_code == 200
    assert client.post("/family/activate", data={"username": user.email, "code": code.lower(),
                                                 "password": "aputsiaq qaqortoq",
                                                 "confirm": "aputsiaq qaqortoq"}).status_code == 302
    again = client.post("/family/activate", data={"username": user.email, "code": code,
                                                  "password": "another one 123", "confirm": "another one 123"})
    assert again.status_code == 200  # the code is spent
    assert client.post("/login", data={"email": user.email, "password": "aputsiaq qaqortoq"}).status_code == 302
    home = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert 'lang="kl"' in home and "Ane henter" in home
    mine = next(c for c in plan.commitments if c.what == "Ane henter")
    other = next(c for c in plan.commitments if c.what == "Birthe bager")
    assert client.post(f"/family/commitments/{mine.id}", data={"status": "in_progress", "note": "Aap"}).status_code == 302
    assert client.post(f"/family/commitments/{other.id}", data={"status": "done", "note": ""}).status_code == 404
    db.session.refresh(mine)
    db.session.refresh(other)
    assert mine.status == "in_progress" and other.status == "not_started"
    assert mine.check_ins[-1].by_name == "Ane Olsen"
    for path in (f"/cases/{world.case.id}", f"/cases/{world.case.id}/plan/", "/cases", "/commitments",
                 f"/cases/{world.case.id}/network/"):
        assert client.get(path).status_code in (403, 404), path


def test_a_family_member_cannot_reach_another_cases_plan(client, world, login_as):
    other_case = db.session.scalar(select(Case).where(Case.organisation_id == world.other_org.id))
    other_plan = factories.plan(other_case, world.outsiders["coordinator"], state="accepted")
    db.session.commit()
    login_as(world.users["family"])
    assert client.post(f"/family/commitments/{other_plan.commitments[0].id}",
                       data={"status": "done", "note": ""}).status_code == 404
    assert client.get(f"/cases/{other_case.id}/plan/{other_plan.id}").status_code == 403
    db.session.refresh(other_plan)
    assert other_plan.commitments[0].status == "not_started"


def test_a_family_member_answers_their_meeting_invitation(app, client, world, login_as):
    coordinator = world.users["coordinator"]
    meeting = conference_factories.conference(world.case, coordinator)
    participant = conference_services.add_member(world.case, meeting, world.family_member, "family",
                                                 added_by=coordinator)
    with app.test_request_context():  # the invitation mail holds a link
        conference_services.send_invitations(world.case, meeting, sent_by=coordinator)
    db.session.commit()
    login_as(world.users["family"])
    assert "Mødelokale 2" in client.get("/family/").get_data(as_text=True)
    client.post(f"/family/meetings/{participant.id}", data={"answer": "accepted"})
    db.session.refresh(participant)
    assert participant.answer == "accepted"


def test_the_printable_plan_is_in_the_readers_language_with_the_text_as_written(client, world, login_as):
    plan = factories.plan(world.case, world.users["coordinator"], state="accepted")
    world.users["coordinator"].locale = "kl"
    db.session.commit()
    login_as(world.users["coordinator"])
    page = client.get(f"/cases/{world.case.id}/plan/{plan.id}/print").get_data(as_text=True)
    assert "Ilaqutariit pilersaarutaat" in page and "Så træder mormor til." in page


def test_the_caseworker_overview_uses_the_same_queries_for_1_and_500_commitments(client, world, login_as):
    person = network.member(world.case, "Birthe")
    plan = factories.plan(world.case, world.users["coordinator"], state="accepted", commitments=[
        factories.commitment("Opgave 0", people=[person], due=date.today() - timedelta(days=1))])
    db.session.commit()
    login_as(world.users["caseworker"])
    client.get("/commitments")
    with count_queries() as one:
        assert "Opgave 0" in client.get("/commitments").get_data(as_text=True)
    for i in range(1, 500):
        plan.commitments.append(Commitment(what=f"Opgave {i}", position=i, people=[person],
                                           due_date=date.today() + timedelta(days=i % 9 - 3)))
    db.session.commit()
    for number in (1, 4):  # the first page, and one past the overdue ones
        with count_queries() as many:
            page = client.get(f"/commitments?page={number}").get_data(as_text=True)
        assert page.count("<tr>") > 50
        assert many() == one()


def test_the_overview_shows_overdue_first_across_its_pages(client, world, login_as):
    """120 overdue and 30 due this week: pages 1-2 hold only overdue ones, oldest first;
    page 3 the last 20 overdue, then this week's, soonest first; counts are of all."""
    today = date.today()
    person = network.member(world.case, "Birthe")
    overdue = [factories.commitment(f"Sen {i:03}", people=[person], due=today - timedelta(days=200 - i))
               for i in range(120)]
    week = [factories.commitment(f"Snart {i:02}", people=[person], due=today + timedelta(days=i % 7))
            for i in range(30)]
    recurring = factories.commitment("Hver dag", people=[person], weekdays=range(7))
    factories.plan(world.case, world.users["coordinator"], state="accepted", commitments=overdue + week + [recurring])
    db.session.commit()
    login_as(world.users["caseworker"])

    def shown(number):
        html = client.get(f"/commitments?page={number}").get_data(as_text=True)
        return html, re.findall(r"<td>((?:Sen|Snart) \d+|Hver dag)</td>", html)

    first, rows = shown(1)
    assert rows == [f"Sen {i:03}" for i in range(50)] and "(120)" in first and "(31)" in first
    assert "Side 1 / 4" in first and "page=2" in first
    assert shown(2)[1] == [f"Sen {i:03}" for i in range(50, 100)]
    third = shown(3)[1]
    assert third[:20] == [f"Sen {i:03}" for i in range(100, 120)]
    assert third[20] in ("Hver dag", "Snart 00") and "Snart 01" not in third[:21]
    assert len(third) == 50
    assert len(shown(4)[1]) == 1
    assert shown(99)[1] == [] and client.get("/commitments?page=-3&cases_page=x").status_code == 200


def test_a_family_member_with_email_activates_by_the_mailed_link(client, world, login_as, people, smtp_server):
    from fgc.core.mail import deliver_pending

    factories.plan(world.case, world.users["coordinator"], state="accepted", commitments=[
        factories.commitment("Birthe bager", people=[people[0]], due=date.today() + timedelta(days=3))])
    db.session.commit()
    login_as(world.users["coordinator"])
    response = client.post(f"/cases/{world.case.id}/plan/family", data={"member_id": people[0].id})
    assert response.status_code == 302
    client.post("/logout")
    deliver_pending()
    [mail] = smtp_server.inbox.to("birthe@example.dk")
    link = next(w for w in mail.get_body(("plain",)).get_content().split() if "/password/activate-account/" in w)
    path = link.replace("http://fgc.test", "")
    assert client.post(path, data={"password": "mormors kage 2026", "confirm": "mormors kage 2026"}).status_code == 302
    assert client.post("/login", data={"email": "birthe@example.dk", "password": "mormors kage 2026"}).status_code == 302
    assert "Birthe bager" in client.get("/family/").get_data(as_text=True)


def test_overdue_and_due_this_week_are_shown(client, world, login_as):
    person = network.member(world.case, "Birthe")
    factories.plan(world.case, world.users["coordinator"], state="accepted", commitments=[
        factories.commitment("Forsinket", people=[person], due=date.today() - timedelta(days=2)),
        factories.commitment("Denne uge", people=[person], due=date.today() + timedelta(days=3)),
        factories.commitment("Senere", people=[person], due=date.today() + timedelta(days=40))])
    db.session.commit()
    login_as(world.users["caseworker"])
    page = client.get("/commitments").get_data(as_text=True)
    overdue, week, by_case = page.split('id="overdue-heading"')[1], page.split('id="week-heading"')[1], page.split('id="cases-heading"')[1]
    assert "Forsinket" in overdue.split('id="week-heading"')[0] and "Denne uge" not in overdue.split('id="week-heading"')[0]
    assert "Denne uge" in week.split('id="cases-heading"')[0]
    assert world.case.reference in by_case


@pytest.mark.parametrize("end", ["closed", "withdrawn"])
def test_a_closed_case_s_commitments_are_no_longer_followed_up(app, client, world, login_as, people, end):
    """Neither the caseworker's overview nor the reminders follow a case that has ended."""
    factories.plan(world.case, world.users["coordinator"], state="accepted", commitments=[
        factories.commitment("Opgave sen", people=[people[0]], due=date.today() - timedelta(days=2)),
        factories.commitment("Opgave snart", people=[people[0]], due=date.today() + timedelta(days=2)),
        factories.commitment("Opgave hver dag", people=[people[0]], weekdays=range(7))])
    world.case.state = end
    db.session.commit()
    login_as(world.users["caseworker"])
    page = client.get("/commitments").get_data(as_text=True)
    assert world.case.reference in page.split('id="cases-heading"')[1]  # still among my cases
    assert [what for what in ("Opgave sen", "Opgave snart", "Opgave hver dag") if what in page] == []
    assert app.test_cli_runner().invoke(args=["fgc", "send-reminders"]).exit_code == 0
    assert db.session.scalar(select(func.count(ReminderSent.id))) == 0


def test_a_plan_opens_for_editing_after_the_referral_lost_a_question(client, world, login_as, people):
    plan = factories.plan(world.case, world.users["coordinator"])
    world.case.questions.clear()  # the referral was changed after the plan was written
    db.session.commit()
    login_as(world.users["coordinator"])
    page = client.get(f"/cases/{world.case.id}/plan/{plan.id}/edit")
    assert page.status_code == 200 and 'name="answers-0"' not in page.get_data(as_text=True)


def test_a_second_reminder_run_at_the_same_time_queues_nothing_twice_and_does_not_crash(
        app, world, people, monkeypatch):
    from sqlalchemy.exc import IntegrityError

    from fgc.plans import services as plan_services

    factories.plan(world.case, world.users["coordinator"], state="accepted", commitments=[
        factories.commitment("Snart", people=people, due=date.today() + timedelta(days=1))])
    db.session.commit()
    real, calls = plan_services.due_reminders, []

    def racing(today):
        calls.append(today)
        if len(calls) == 1:
            # The other run got there first and committed; this run's rows now collide.
            real(today)
            db.session.commit()
            raise IntegrityError("INSERT INTO reminders_sent", {}, Exception("UNIQUE constraint failed"))
        return real(today)

    monkeypatch.setattr(plan_services, "due_reminders", racing)
    result = app.test_cli_runner().invoke(args=["fgc", "send-reminders"])
    assert result.exit_code == 0, result.output
    assert "reminders queued: 0" in result.output and len(calls) == 2
    reminders = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "reminder")).all()
    assert sorted(m.recipient for m in reminders) == ["ane@example.gl", "birthe@example.dk"]


def test_the_plan_page_loads_the_newest_version_in_full_and_only_the_headers_of_older_ones(
        client, world, login_as):
    from sqlalchemy import event

    plan = factories.plan(world.case, world.users["coordinator"], state="accepted", commitments=[
        factories.commitment(f"Opgave {i}") for i in range(3)])
    for _ in range(4):
        plan = plans_services.revise(world.case, plan, revised_by=world.users["coordinator"])
        plan.state = "accepted"
    db.session.commit()
    loaded = []
    listener = lambda target, context: loaded.append(target.plan_id)  # noqa: E731
    event.listen(Commitment, "load", listener)
    try:
        login_as(world.users["coordinator"])
        page = client.get(f"/cases/{world.case.id}/plan/").get_data(as_text=True)
    finally:
        event.remove(Commitment, "load", listener)
    assert "Version 5" in page or "Udgave 5" in page
    assert set(loaded) == {plan.id} and len(loaded) == 3
