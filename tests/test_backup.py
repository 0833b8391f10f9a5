"""Backup while the application writes, restore into a new database: every row
committed before the backup began is there, and nothing that was not committed."""
import threading

from sqlalchemy import create_engine, text

from fgc import create_app
from fgc.extensions import db
from tests.conftest import PG_SERVER, throwaway_database


def cli(url, *args):
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["fgc", *args])
        db.session.remove()
        db.engine.dispose()
    assert result.exit_code == 0, result.output
    return result.output


def restore_target(tmp_path):
    if PG_SERVER:
        return throwaway_database(PG_SERVER)
    from contextlib import nullcontext
    return nullcontext(f"sqlite:///{tmp_path / 'restored.sqlite'}")


def test_a_backup_taken_during_writes_restores_every_committed_row(file_database, tmp_path):
    engine = create_engine(file_database)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE probe (n INTEGER PRIMARY KEY)"))
    committed, stop = [], threading.Event()

    def write():
        n = 0
        while not stop.is_set():
            n += 1
            with engine.begin() as conn:
                conn.execute(text("INSERT INTO probe (n) VALUES (:n)"), {"n": n})
            committed.append(n)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while len(committed) < 50:
            stop.wait(0.01)
        before = len(committed)
        assert "backup written" in cli(file_database, "backup", str(tmp_path / "fgc.backup"))
        after = len(committed)
        while len(committed) < after + 20:  # writes go on after the backup
            stop.wait(0.01)
    finally:
        stop.set()
        writer.join(30)
        engine.dispose()
    with restore_target(tmp_path) as target:
        assert "restored" in cli(target, "restore", "--yes", str(tmp_path / "fgc.backup"))
        restored_engine = create_engine(target)
        with restored_engine.connect() as conn:
            rows = [n for (n,) in conn.execute(text("SELECT n FROM probe ORDER BY n"))]
        restored_engine.dispose()
    # A consistent snapshot: 1..k, with everything committed before the backup began.
    assert rows == list(range(1, len(rows) + 1))
    assert before <= len(rows) <= after + 1
