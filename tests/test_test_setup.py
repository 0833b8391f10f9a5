"""The test setup itself: a PostgreSQL run without a server fails loudly."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_a_missing_postgresql_server_is_a_clear_failure_not_a_skip():
    env = {**os.environ, "FGC_TEST_DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:1/test"}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          "tests/test_security.py"], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    output = run.stdout + run.stderr
    assert run.returncode != 0, output
    assert "PostgreSQL at postgresql+psycopg://postgres@127.0.0.1:1/test cannot be reached" in output, output
    assert "passed" not in output and "skipped" not in output, output
