from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from fgc.cases.models import OPEN_STATES, Case, StateChange
from fgc.core.audit import AuditEntry
from fgc.extensions import db
from tests import factories
from tests.conftest import count_queries


def referral(world, **changes):
    data = {
        "children-0-name": "Malik Olsen", "children-0-birth_date": "2016-03-04",
        "children-0-town": "Nuuk",
        "children-1-name": "Pipaluk Olsen", "children-1-birth_date": "2019-08-01",
        "children-1-town": "Nuuk",
        "concern": "Skolen er bekymret.",
        "bottom_lines": "Børnene må ikke være alene om natten.\n\nFar kun under opsyn.",
        "questions": "Hvordan kommer børnene i skole?",
        "resources_offered": "", "if_no_plan": "", "child_views": "", "professionals": "",
        "consent_given_by": "Ivalo Olsen", "consent_date": str(date.today() - timedelta(days=2)),
        "coordinator_id": str(world.users["coordinator"].id),
        "caseworker_id": str(world.users["caseworker"].id),
    }
    data.update(changes)
    return data


def case_count():
    return db.session.scalar(select(func.count(Case.id)))


def test_a_caseworker_refers_siblings_and_the_case_starts_referred(client, world, login_as):
    login_as(world.users["caseworker"])
    before = case_count()
    response = client.post("/cases/new", data=referral(world))
    assert response.status_code == 302
    case = db.session.scalars(select(Case).order_by(Case.id.desc())).first()
    assert case_count() == before + 1
    assert [c.name for c in case.children] == ["Malik Olsen", "Pipaluk Olsen"]
    assert [b.text for b in case.bottom_lines] == ["Børnene må ikke være alene om natten.",
                                                  "Far kun under opsyn."]
    assert case.state == "referred" and case.state_changes[0].to_state == "referred"
    assert response.location == f"/cases/{case.id}"
    detail = client.get(response.location).get_data(as_text=True)
    assert "Malik Olsen" in detail and "Far kun under opsyn." in detail


def test_a_coordinator_can_ask_for_another_child_row_without_saving(client, world, login_as):
    login_as(world.users["coordinator"])
    before = case_count()
    response = client.post("/cases/new", data=referral(world, add_child="1"))
    assert response.status_code == 200 and case_count() == before
    assert 'name="children-2-name"' in response.get_data(as_text=True)


BAD_REFERRALS = {
    "no child": {"children-0-name": "", "children-0-birth_date": "", "children-0-town": "",
                 "children-1-name": "", "children-1-birth_date": "", "children-1-town": ""},
    "child without birth date": {"children-1-birth_date": ""},
    "birth date not a date": {"children-0-birth_date": "31-31-2016"},
    "birth date in the future": {"children-0-birth_date": str(date.today() + timedelta(days=3))},
    "no concern": {"concern": "   "},
    "concern too long": {"concern": "x" * 10_001},
    "name too long": {"children-0-name": "x" * 201},
    "consent in the future": {"consent_date": str(date.today() + timedelta(days=1))},
    "consent missing": {"consent_given_by": ""},
    "caseworker not a number": {"caseworker_id": "abc"},
    "caseworker from another organisation": {"caseworker_id": "__outsider__"},
    "no caseworker": {"caseworker_id": ""},
}


@pytest.mark.parametrize("problem", BAD_REFERRALS)
def test_bad_referrals_are_refused_in_the_users_language_and_save_nothing(
        client, world, login_as, problem):
    changes = dict(BAD_REFERRALS[problem])
    if changes.get("caseworker_id") == "__outsider__":
        changes["caseworker_id"] = str(world.outsiders["caseworker"].id)
    user = world.users["coordinator"]
    user.locale = "kl"
    login_as(user)
    before = case_count()
    response = client.post("/cases/new", data=referral(world, **changes))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert case_count() == before
    assert 'role="alert"' in page and "Uku aaqqiissutikkit" in page  # "Please correct the following"
    assert 'aria-invalid="true"' in page or "Minnerpaamik meeraq ataaseq allaguk." in page


def test_editing_keeps_ids_of_reworded_questions_and_audits_field_names_only(client, world, login_as):
    case = world.case
    question_id = case.questions[0].id
    login_as(world.users["coordinator"])
    form = referral(world, questions="How does the child get to school every day?",
                    concern="A new and very private concern", version=str(case.version))
    assert client.post(f"/cases/{case.id}/edit", data=form).status_code == 302
    db.session.refresh(case)
    assert case.questions[0].id == question_id
    assert case.questions[0].text == "How does the child get to school every day?"
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.case_id == case.id, AuditEntry.action == "case.updated")).one()
    assert "concern" in entry.detail and "private" not in entry.detail


def test_a_conflicting_edit_is_detected_and_the_users_text_is_kept(client, world, login_as):
    case = world.case
    stale_version = case.version
    login_as(world.users["caseworker"])
    first = referral(world, concern="First editor's words", version=str(stale_version))
    assert client.post(f"/cases/{case.id}/edit", data=first).status_code == 302
    second = referral(world, concern="Second editor's careful words", version=str(stale_version))
    response = client.post(f"/cases/{case.id}/edit", data=second)
    assert response.status_code == 409
    assert "Second editor&#39;s careful words" in response.get_data(as_text=True)
    db.session.refresh(case)
    assert case.concern == "First editor's words"


def test_the_case_moves_through_its_states_and_each_move_is_dated(client, world, login_as):
    case = world.case
    login_as(world.users["coordinator"])
    tomorrow, last_week = date.today() + timedelta(days=1), date.today() - timedelta(days=7)
    page = client.post(f"/cases/{case.id}/state", data={"to_state": "preparing", "version": case.version,
                                                        "effective_on": str(tomorrow)}, follow_redirects=True)
    assert "Datoen for skiftet kan ikke ligge i fremtiden." in page.get_data(as_text=True)
    for state, day in (("preparing", last_week), ("conference_held", date.today()), ("plan_agreed", date.today())):
        client.post(f"/cases/{case.id}/state", data={"to_state": state, "version": case.version,
                                                     "effective_on": str(day)})
        db.session.refresh(case)
        assert case.state == state
    changes = db.session.scalars(select(StateChange).where(StateChange.case_id == case.id)
                                 .order_by(StateChange.id)).all()
    assert [c.to_state for c in changes] == ["referred", "preparing", "conference_held", "plan_agreed"]
    assert [c.effective_on for c in changes[1:]] == [last_week, date.today(), date.today()]
    assert all(c.changed_at is not None for c in changes)


def test_a_case_cannot_skip_a_step_or_close_without_an_outcome(client, world, login_as):
    case = world.case
    login_as(world.users["coordinator"])
    client.post(f"/cases/{case.id}/state", data={"to_state": "closed", "version": case.version})
    db.session.refresh(case)
    assert case.state == "referred"


def test_withdrawing_consent_stops_the_case(client, world, login_as):
    case = world.case
    login_as(world.users["caseworker"])
    response = client.post(f"/cases/{case.id}/withdraw", data={"withdrawn_on": str(date.today())})
    assert response.status_code == 302
    db.session.refresh(case)
    assert case.state == "withdrawn" and case.consent_withdrawn_on == date.today()
    assert client.post(f"/cases/{case.id}/state", data={"to_state": "preparing"}).status_code == 302
    db.session.refresh(case)
    assert case.state == "withdrawn"
    assert "Sagen er ikke længere åben." in client.post(
        f"/cases/{case.id}/withdraw", data={"withdrawn_on": str(date.today())},
        follow_redirects=True).get_data(as_text=True)


def test_reading_a_case_is_audited_and_administrators_see_it_by_case_and_person(
        client, world, login_as):
    login_as(world.users["caseworker"])
    client.get(f"/cases/{world.case.id}")
    client.post("/logout")
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.case_id == world.case.id,
                                                          AuditEntry.action == "case.read")).all()
    assert [e.user_id for e in entries] == [world.users["caseworker"].id]
    login_as(world.users["admin"])
    by_case = client.get(f"/admin/audit/?case={world.case.id}").get_data(as_text=True)
    assert world.users["caseworker"].name in by_case and "Læste sagen" in by_case and "case.read" not in by_case
    by_user = client.get(f"/admin/audit/?user={world.users['caseworker'].id}").get_data(as_text=True)
    assert "Læste sagen" in by_user
    child = world.case.children[0]
    assert client.get(f"/admin/audit/?subject=Child:{child.id}").status_code == 200
    assert client.get("/admin/audit/?subject=Nonsense:1").status_code == 404


def test_the_case_list_searches_by_child_and_filters_by_state(client, world, login_as):
    coordinator, caseworker = world.users["coordinator"], world.users["caseworker"]
    factories.case(world.org, coordinator, caseworker, child_name="Nukappiaaluk Heilmann")
    db.session.commit()
    login_as(coordinator)
    found = client.get("/cases?q=heilmann").get_data(as_text=True)
    assert "Nukappiaaluk Heilmann" in found and "Pipaluk Lyberth" not in found
    assert "Pipaluk Lyberth" not in client.get("/cases?state=closed").get_data(as_text=True)
    assert "Pipaluk Lyberth" in client.get("/cases?state=referred").get_data(as_text=True)
    assert client.get("/cases?state=nonsense&q=" + "x" * 500).status_code == 200


@pytest.mark.parametrize("role,path", [
    ("coordinator", "/"), ("caseworker", "/"), ("admin", "/"),
    ("coordinator", "/cases"), ("admin", "/cases"),
])
def test_page_queries_do_not_grow_with_the_number_of_cases(client, world, login_as, role, path):
    def make(n):
        for i in range(n):
            factories.case(world.org, world.users["coordinator"], world.users["caseworker"],
                           child_name=f"Barn {i}")
        db.session.commit()

    login_as(world.users[role])
    make(2)
    client.get(path)
    with count_queries() as few:
        assert client.get(path).status_code == 200
    make(30)
    with count_queries() as many:
        assert client.get(path).status_code == 200
    assert many() == few()


def test_a_page_waits_for_a_writer_that_holds_the_database_for_a_moment(tmp_path):
    """On SQLite a page view writes its audit entry: with another process holding the
    write lock for a few seconds, the page waits for it instead of failing."""
    import sqlite3
    import threading
    import time

    from fgc import create_app
    from tests.conftest import FreshContextClient, login

    path = tmp_path / "busy.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "WTF_CSRF_ENABLED": False})
    app.test_client_class = FreshContextClient
    with app.app_context():
        db.create_all()
        org = factories.organisation()
        coordinator = factories.user(org, "coordinator")
        case = factories.case(org, coordinator, factories.user(org, "caseworker"))
        db.session.commit()
        client = app.test_client()
        login(client, coordinator)
        other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE organisations SET name = name || '.'")  # a real write, committed later
        release = threading.Timer(6, other.execute, args=("COMMIT",))  # longer than sqlite3's 5 s default
        release.start()
        started = time.monotonic()
        response = client.get(f"/cases/{case.id}")
        release.join()
        other.close()
        assert response.status_code == 200 and time.monotonic() - started >= 5.9
        db.engine.dispose()


@pytest.mark.parametrize("role", ["admin", "coordinator", "caseworker"])
def test_the_dashboard_asks_the_same_number_of_queries_for_a_few_cases_and_many(client, world, login_as, role):
    user = world.users[role]
    login_as(user)
    client.get("/")
    with count_queries() as few:
        client.get("/")
    for n in range(80):  # more than a page of referrals, cases in every open state, some closed
        case = factories.case(world.org, world.users["coordinator"], world.users["caseworker"], child_name=f"Barn {n}")
        if n % 7 == 0:
            case.state = "closed"
        elif n >= 70:
            case.state = OPEN_STATES[n % len(OPEN_STATES)]
    db.session.commit()
    with count_queries() as many:
        page = client.get("/").get_data(as_text=True)
    assert many() == few()
    if role == "admin":
        assert ">81<" in page  # every case counted by the database
    else:
        assert "Alle 62 i sagslisten" in page and page.count('href="/cases/') <= 50 + 9 + 10
        for state in OPEN_STATES:
            assert f'id="state-{state}"' in page


def test_every_page_of_the_case_list_asks_the_same_queries(client, world, login_as):
    for n in range(120):
        factories.case(world.org, world.users["coordinator"], world.users["caseworker"], child_name=f"Barn {n}")
    db.session.commit()
    login_as(world.users["admin"])
    client.get("/cases")
    counts = []
    for number in (1, 2, 3):
        with count_queries() as asked:
            page = client.get(f"/cases?page={number}").get_data(as_text=True)
        counts.append(asked())
        assert f"Side {number} / 3" in page
    assert len(set(counts)) == 1
