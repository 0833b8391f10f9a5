"""The README's quick start from a fresh clone: `make run` serves the app with demo
data and a demo coordinator signs in over HTTP and opens a referral; `.ci/run`
is `make test`; the README lists every demo account.

The clone reuses this checkout's virtualenv and design files (the parts of
`make run` that only download); everything else runs as a developer's would."""
import http.cookiejar
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from fgc.demo import DEMO_PASSWORD
from tests.mail_server import free_port

ROOT = Path(__file__).resolve().parent.parent
DEMO_EMAILS = ("admin@aarhus.demo", "samordner@aarhus.demo", "sagsbehandler@aarhus.demo",
               "mormor@aarhus.demo", "admin@sermersooq.demo", "samordner@sermersooq.demo",
               "sagsbehandler@sermersooq.demo", "aanaa@sermersooq.demo")


def test_the_readme_quick_start_is_make_run_and_make_test_and_lists_the_demo_accounts():
    readme = (ROOT / "README.md").read_text()
    quick_start = readme.split("make run", 1)[1][:40]
    assert "make test" in quick_start
    assert DEMO_PASSWORD in readme
    for email in DEMO_EMAILS:
        assert email in readme, email


def test_ci_runs_make_test():
    script = ROOT / ".ci" / "run"
    assert os.access(script, os.X_OK)
    commands = [line.strip() for line in script.read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    assert commands[-1] == "make test"
    assert "set -euo pipefail" in commands


def _fresh_clone(tmp_path):
    clone = tmp_path / "fgc"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(clone)], check=True)
    # What is not committed in this checkout yet (the tests run before a commit too).
    for path in ("Makefile", "fgc", "templates", "migrations", "translations", "wsgi.py"):
        source = ROOT / path
        if source.is_dir():
            shutil.copytree(source, clone / path, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
        else:
            shutil.copy2(source, clone / path)
    shutil.copytree(ROOT / "fgc/static/vendor", clone / "fgc/static/vendor", dirs_exist_ok=True)
    # The virtualenv is up to date for these requirements: make must not reinstall into it.
    installed = (ROOT / ".venv/.installed").stat().st_mtime
    for name in ("requirements.txt", "requirements-dev.txt"):
        os.utime(clone / name, (installed - 1, installed - 1))
    (clone / "node_modules").mkdir()
    (clone / "node_modules/.installed").touch()
    os.utime(clone / "fgc/static/vendor/dkfds/css/dkfds.min.css")
    return clone


class Browser:
    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path):
        with self.opener.open(self.base + path, timeout=10) as response:
            return response.status, response.geturl(), response.read().decode()

    def post(self, path, data):
        body = urllib.parse.urlencode(data).encode()
        with self.opener.open(self.base + path, data=body, timeout=10) as response:
            return response.status, response.geturl(), response.read().decode()


def test_make_run_from_a_fresh_clone_serves_the_app_and_a_demo_coordinator_opens_a_referral(tmp_path):
    clone = _fresh_clone(tmp_path)
    port, smtp_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FGC_", "FLASK_"))}
    server = subprocess.Popen(
        ["make", "run", f"PORT={port}", f"SMTP_PORT={smtp_port}", f"VENV={ROOT / '.venv'}"],
        cwd=clone, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    output = []
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)
                break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None, "make run stopped:\n" + server.stdout.read()
                assert time.monotonic() < deadline, "make run did not serve within 2 minutes"
                time.sleep(0.5)
        browser = Browser(base)
        _status, _url, page = browser.get("/login")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        status, url, page = browser.post("/login", {"csrf_token": token, "email": "samordner@aarhus.demo",
                                                    "password": DEMO_PASSWORD})
        assert status == 200 and not url.endswith("/login"), page[:2000]
        _status, _url, page = browser.get("/cases")
        case_links = sorted(set(re.findall(r'href="(/cases/\d+)"', page)))
        assert case_links, page[:2000]
        status, _url, page = browser.get(case_links[0])
        assert status == 200 and '<html lang="da">' in page
        assert (clone / "instance").is_dir() and any((clone / "instance").iterdir())
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            output.append(server.communicate(timeout=20)[0])
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            output.append(server.communicate()[0])
    assert f"sign in at http://127.0.0.1:{port}/login" in "".join(output)
