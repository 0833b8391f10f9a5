"""`fgc refresh-statistics`: the database learns its tables' sizes, so that one caseload's
list is found by its staff member's index and not by reading every case of the municipality."""
from datetime import date

from sqlalchemy import insert, text

from fgc.auth.models import User
from fgc.cases.models import Case
from fgc.cases.permissions import visible_cases
from fgc.extensions import db


def test_after_refreshing_the_statistics_a_caseload_is_read_by_its_own_index(app, org):
    # A municipality of 4,000 cases, 40 for each coordinator and caseworker.
    staff = [User(organisation=org, role=role, email=f"{role}{n}@example.dk", name=f"{role} {n}")
             for role in ("coordinator", "caseworker") for n in range(100)]
    db.session.add_all(staff)
    db.session.flush()
    db.session.execute(insert(Case), [
        dict(organisation_id=org.id, reference=f"S-{n:04}", state="preparing", concern="", consent_given_by="", consent_date=date(2026, 1, 5),
             coordinator_id=staff[n % 100].id, caseworker_id=staff[100 + n % 100].id) for n in range(4000)])
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["fgc", "refresh-statistics"])
    assert "statistics refreshed" in result.output
    caseload = (visible_cases(staff[0]).where(Case.state == "preparing")
                .order_by(Case.updated_at.desc(), Case.id.desc()).limit(50))
    compiled = caseload.compile(db.engine, compile_kwargs={"literal_binds": True})
    if db.engine.dialect.name == "sqlite":
        plan = " ".join(row[-1] for row in db.session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))
        assert "ix_cases_coordinator_id" in plan and "ix_cases_caseworker_id" in plan, plan
    else:
        analysed = db.session.scalar(text(
            "SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'cases'"))
        assert analysed is not None
