"""`flask db upgrade` on an empty database gives exactly the models' schema, and
`downgrade base` removes it again, on the database the suite runs on."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect

from fgc import create_app
from fgc.extensions import db
from tests.conftest import PG_SERVER, throwaway_database


@pytest.fixture
def empty_database_url(tmp_path):
    if PG_SERVER:
        with throwaway_database(PG_SERVER) as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path / 'migrations.sqlite'}"


def test_upgrade_gives_the_models_schema_and_downgrade_removes_it(empty_database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        assert differences == [], differences
        downgrade(revision="base")
        engine = create_engine(empty_database_url)
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        engine.dispose()
        db.engine.dispose()


def test_the_upgrade_dates_states_and_moves_cases_left_behind_their_events(empty_database_url):
    from datetime import date, time, timedelta

    from sqlalchemy import select, text

    from fgc.cases.models import Case, StateChange
    from fgc.conferences import services as conferences
    from fgc.core.models import utcnow
    from tests import factories
    from tests.conferences import factories as meetings
    from tests.plans import factories as plan_factories

    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url})
    held_on = date.today() - timedelta(days=20)
    with app.app_context():
        upgrade()
        org = factories.organisation()
        coordinator, caseworker = factories.user(org, "coordinator"), factories.user(org, "caseworker")
        case = factories.case(org, coordinator, caseworker)
        meeting = meetings.conference(case, coordinator, day=held_on, start=time(10), end=time(12))
        conferences.record_attendance(case, meeting, {}, {}, recorded_by=coordinator)
        plan_factories.plan(case, coordinator, state="accepted", conference_id=meeting.id).decided_at = \
            utcnow() - timedelta(days=5)
        db.session.commit()
        case_id = case.id
        db.session.remove()
        downgrade(revision="participant_link_tokens")
        with db.engine.begin() as conn:  # as before: the case stayed "referred" through its events
            conn.execute(text("DELETE FROM case_state_changes WHERE to_state != 'referred'"))
            conn.execute(text("UPDATE cases SET state = 'referred'"))
        upgrade()
        case = db.session.get(Case, case_id)
        moves = [(c.to_state, c.effective_on) for c in db.session.scalars(
            select(StateChange).where(StateChange.case_id == case_id).order_by(StateChange.id))]
        assert case.state == "plan_agreed"
        assert moves[0] == ("referred", date.today())  # dated by when it was recorded
        assert moves[1:] == [("preparing", held_on), ("conference_held", held_on),
                             ("plan_agreed", date.today() - timedelta(days=5))]
        db.session.remove()
        db.engine.dispose()
