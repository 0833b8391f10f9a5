"""Many people saving at once, under gunicorn with several workers, on the database
the suite runs on: every referral gets its own case reference and every new version
of a plan its own number. Nothing is lost, and no one sees an error."""
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

from sqlalchemy import func, select

from fgc import create_app
from fgc.cases.models import Case
from fgc.extensions import db
from fgc.plans.models import FamilyPlan
from tests import factories
from tests.gunicorn import Server, post, served_database_url, signed_in  # noqa: F401 - a fixture
from tests.plans import factories as plans

REFERRALS, VERSIONS, WORKERS = 24, 8, 3


def _seed(database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        db.create_all()
        org = factories.organisation()
        coordinator = factories.user(org, "coordinator", email="coordinator@race.test")
        caseworker = factories.user(org, "caseworker", email="caseworker@race.test")
        case = factories.case(org, coordinator, caseworker)
        plan = plans.plan(case, coordinator, state="accepted")
        db.session.commit()
        ids = org.id, coordinator.id, caseworker.id, case.id, plan.id
        db.engine.dispose()
    return app, ids


def referral(n, coordinator_id, caseworker_id):
    return {"children-0-name": f"Barn {n}", "children-0-birth_date": "2016-03-04", "children-0-town": "Nuuk",
            "concern": f"Bekymring {n}", "bottom_lines": "", "questions": "", "resources_offered": "",
            "if_no_plan": "", "child_views": "", "professionals": "", "consent_given_by": "Mor",
            "consent_date": str(date.today() - timedelta(days=1)), "coordinator_id": str(coordinator_id),
            "caseworker_id": str(caseworker_id)}


def test_parallel_referrals_and_new_versions_are_all_saved_with_their_own_numbers(tmp_path, served_database_url):
    app, (org_id, coordinator_id, caseworker_id, case_id, plan_id) = _seed(served_database_url)
    server = Server(tmp_path, served_database_url, workers=WORKERS)
    try:
        server.wait_ready()
        caseworker = signed_in(server.url, "caseworker@race.test")
        coordinator = signed_in(server.url, "coordinator@race.test")
        plan_page = f"{server.url}/cases/{case_id}/plan/{plan_id}"
        jobs = [(caseworker, "/cases/new", referral(n, coordinator_id, caseworker_id), None)
                for n in range(REFERRALS)]
        jobs += [(coordinator, f"/cases/{case_id}/plan/{plan_id}/revise", {}, plan_page)] * VERSIONS
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(lambda job: post(job[0], server.url + job[1], job[2], job[3]), jobs))
    finally:
        server.stop()
    assert results == [200] * len(jobs), results  # each saved, then shown (redirects followed)
    with app.app_context():
        references = db.session.scalars(select(Case.reference).where(Case.organisation_id == org_id)).all()
        assert len(references) == REFERRALS + 1 == len(set(references))
        concerns = db.session.scalars(select(Case.concern)).all()
        assert {f"Bekymring {n}" for n in range(REFERRALS)} <= set(concerns)
        numbers = db.session.scalars(select(FamilyPlan.number).where(FamilyPlan.case_id == case_id)).all()
        assert sorted(numbers) == list(range(1, VERSIONS + 2))
        assert db.session.scalar(select(func.count(FamilyPlan.id))) == VERSIONS + 1
        db.engine.dispose()
