from datetime import date

from sqlalchemy import func, select

from fgc.auth.models import Organisation, User
from fgc.cases.models import Case
from fgc.demo import DEMO_PASSWORD
from fgc.extensions import db
from tests.conftest import login


def test_demo_data_has_both_countries_every_role_and_cases_in_several_states(app):
    result = app.test_cli_runner().invoke(args=["fgc", "seed-demo"])
    assert result.exit_code == 0, result.output
    assert "samordner@aarhus.demo" in result.output
    assert {o.country for o in db.session.scalars(select(Organisation))} == {"DK", "GL"}
    assert {u.role for u in db.session.scalars(select(User))} == {"admin", "coordinator", "caseworker", "family"}
    assert len(set(db.session.scalars(select(Case.state)))) >= 3
    # A second start does not load it again.
    app.test_cli_runner().invoke(args=["fgc", "seed-demo", "--if-empty"])
    assert db.session.scalar(select(func.count(Organisation.id))) == 2


def test_a_demo_coordinator_signs_in_and_opens_a_referral(app, client):
    app.test_cli_runner().invoke(args=["fgc", "seed-demo"])
    coordinator = db.session.scalar(select(User).where(User.email == "samordner@aarhus.demo"))
    caseworker = db.session.scalar(select(User).where(User.email == "sagsbehandler@aarhus.demo"))
    assert login(client, coordinator.email, DEMO_PASSWORD).status_code == 302
    assert client.get("/cases/new").status_code == 200
    response = client.post("/cases/new", data={
        "children-0-name": "Aputsiaq Jensen", "children-0-birth_date": "2018-06-21",
        "concern": "Bekymring", "consent_given_by": "Mor", "consent_date": str(date.today()),
        "coordinator_id": str(coordinator.id), "caseworker_id": str(caseworker.id)})
    assert response.status_code == 302
    assert "Aputsiaq Jensen" in client.get("/cases").get_data(as_text=True)


def test_every_chart_of_the_report_shows_something_in_both_demo_municipalities(app):
    from dateutil.relativedelta import relativedelta

    from fgc.plans.models import FamilyAccount, FamilyPlan
    from fgc.reports import figures

    app.test_cli_runner().invoke(args=["fgc", "seed-demo"])
    today = date.today()
    for org in db.session.scalars(select(Organisation)):
        with app.test_request_context():
            report = figures.build(org.id, today - relativedelta(years=1), today)
        assert all(n for _key, _label, n in report.funnel), org.name
        assert sum(1 for _month, referred, held in report.months if referred and held) >= 6, org.name
        assert any(report.living[3].values()) and any(report.living[6].values()), org.name
        shown = [figure for _section, figure in report.figures() if figure.value]
        for section in ("days.", "invited.", "plans.", "first_review.", "survey.", "fidelity.", "child."):
            assert any(figure.key.startswith(section) for figure in shown), (org.name, section)
    # Nothing in the history happens after today.
    from fgc.cases.models import StateChange
    assert db.session.scalar(select(func.max(StateChange.effective_on))) <= today
    assert db.session.scalar(select(func.count(Case.id)).where(Case.consent_withdrawn_on > today)) == 0
    # The Greenlandic family member's own commitments, in an accepted plan.
    ane = db.session.scalar(select(User).where(User.email == "aanaa@sermersooq.demo"))
    member = db.session.get(FamilyAccount, ane.id).member
    plan = db.session.scalar(select(FamilyPlan).where(FamilyPlan.case_id == member.case_id,
                                                      FamilyPlan.state == "accepted"))
    assert plan and plan.language == "kl" and [c for c in plan.commitments if member in c.people]
