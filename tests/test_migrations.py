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
