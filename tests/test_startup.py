"""Start-up as a developer and an operator meet it, each in a fresh process (the
configuration is read from the environment when fgc is imported)."""
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json
from sqlalchemy import text
from fgc import create_app
from fgc.extensions import db
app = create_app()
result = {"uri": app.config["SQLALCHEMY_DATABASE_URI"], "env": app.config["ENV_NAME"],
          "secure_cookie": app.config["SESSION_COOKIE_SECURE"]}
if result["uri"].startswith("sqlite"):
    with app.app_context():
        db.create_all()  # as `make run` migrates; /healthz answers 503 for a database it cannot write
        result["foreign_keys"] = db.session.execute(text("PRAGMA foreign_keys")).scalar()
        result["journal_mode"] = db.session.execute(text("PRAGMA journal_mode")).scalar()
        health = app.test_client().get("/healthz")
        result["health"] = [health.status_code, health.json]
print("RESULT" + json.dumps(result))
"""


def start(tmp_path, **env):
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("FGC_", "FLASK_")) and k not in ("SECRET_KEY", "DATABASE_URL")}
    clean.update(FGC_INSTANCE_PATH=str(tmp_path / "instance"), **env)
    run = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True,
                         text=True, timeout=60)
    if run.returncode == 0:
        return json.loads(run.stdout.split("RESULT", 1)[1])
    return run.stderr


def test_development_keeps_sqlite_under_instance_with_foreign_keys_and_wal_and_makes_a_secret(tmp_path):
    result = start(tmp_path, FGC_ENV="development")
    assert isinstance(result, dict), result
    instance = tmp_path / "instance"
    assert result["uri"] == f"sqlite:///{instance / 'fgc.sqlite'}"
    assert result["foreign_keys"] == 1 and result["journal_mode"] == "wal"
    assert result["health"] == [200, {"status": "ok", "database": "ok"}]
    assert result["secure_cookie"] is False
    secret = (instance / "secret_key").read_text()
    assert len(secret) == 64 and (instance / "secret_key").stat().st_mode & 0o777 == 0o600
    start(tmp_path, FGC_ENV="development")
    assert (instance / "secret_key").read_text() == secret  # kept across restarts


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = start(tmp_path)  # FGC_ENV unset means production
    assert isinstance(result, str) and "SECRET_KEY must be set outside development" in result
    assert not (tmp_path / "instance" / "secret_key").exists()


def test_production_with_a_secret_key_starts_with_secure_cookies(tmp_path):
    result = start(tmp_path, SECRET_KEY="s" * 64)
    assert isinstance(result, dict), result
    assert result["env"] == "production" and result["secure_cookie"] is True


def test_database_url_selects_postgresql(tmp_path):
    for given in ("postgres://fgc:pw@db.example:5432/fgc", "postgresql://fgc:pw@db.example:5432/fgc"):
        probe = ("import fgc.config as c; print('RESULT' + __import__('json').dumps("
                 "{'uri': c.Config.SQLALCHEMY_DATABASE_URI}))")
        env = {k: v for k, v in os.environ.items() if not k.startswith("FGC_")}
        env["DATABASE_URL"] = given
        run = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True,
                             text=True, timeout=60, check=True)
        assert json.loads(run.stdout.split("RESULT", 1)[1])["uri"] == \
            "postgresql+psycopg://fgc:pw@db.example:5432/fgc"
