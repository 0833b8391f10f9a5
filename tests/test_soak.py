"""The application under gunicorn with several workers stays up under a burst of
concurrent requests to its heaviest pages, on the database the suite runs on.

On CPython 3.11 the workers died with SIGSEGV in the garbage collector on exactly
these pages (README, "Python version"): a dead worker, a dropped connection or a 5xx
fails this test. On 3.11.7 it failed in two of three runs; on 3.12 and 3.13 it passes. It is bounded (a fixed number of requests on loopback) and stops
its server itself."""
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode

import pytest

from fgc import create_app
from fgc.extensions import db
from fgc.network.models import NetworkMember
from fgc.plans.models import Commitment, FamilyPlan
from tests import factories
from tests.conftest import PG_SERVER, csrf_token, throwaway_database
from tests.mail_server import free_port

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 2
CLIENTS = 8
CASES, MEMBERS, COMMITMENTS = 100, 20, 50  # 5,000 commitments on the caseworker's overview
GUNICORN_CONFIG = Path(__file__).with_name("soak_gunicorn.py")
REQUESTS = {"caseworker": ["/commitments"] * 60, "coordinator": ["/", "/cases"] * 8}


def _seed(database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        db.create_all()
        org = factories.organisation()
        staff = {role: factories.user(org, role, email=f"{role}@soak.test")
                 for role in ("coordinator", "caseworker")}
        for n in range(CASES):
            case = factories.case(org, staff["coordinator"], staff["caseworker"], child_name=f"Barn {n}")
            people = [NetworkMember(case_id=case.id, name=f"Person {n}-{i}", relation="friend",
                                    sector="friends", closeness="close") for i in range(MEMBERS)]
            db.session.add_all(people)
            plan = FamilyPlan(case_id=case.id, state="accepted", review_date=date.today() + timedelta(days=90))
            plan.commitments = [
                Commitment(what=f"Opgave {i}", position=i, people=[people[i % MEMBERS]],
                           due_date=date.today() + timedelta(days=i % 14 - 4))
                for i in range(COMMITMENTS)]
            db.session.add(plan)
        db.session.commit()
        db.engine.dispose()


class Server:
    """gunicorn serving wsgi:app, its log in a file."""

    def __init__(self, tmp, database_url):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tmp / "gunicorn.log"
        # PYTHONMALLOC=debug overwrites freed memory, so that a read of it crashes at once
        # instead of by chance; faulthandler writes the crashing stack to the log.
        env = dict(os.environ, FGC_ENV="development", SECRET_KEY="soak-test", DATABASE_URL=database_url,
                   FGC_INSTANCE_PATH=str(tmp), PYTHONFAULTHANDLER="1", PYTHONMALLOC="debug")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(WORKERS), "-b", f"127.0.0.1:{self.port}",
             "--timeout", "60", "--log-level", "info", "-c", str(GUNICORN_CONFIG), "wsgi:app"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=self.log.open("w"))

    def output(self):
        # A crashing worker may leave bytes of freed memory in the log.
        return self.log.read_text(errors="replace")

    def wait_ready(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.output()
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=10)
                return
            except OSError:  # not listening yet, or still booting
                time.sleep(0.2)
        raise AssertionError("gunicorn did not answer in time:\n" + self.output())

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        return self.output()


def _signed_in(url, role):
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    form = opener.open(url + "/login", timeout=30).read().decode()
    data = {"email": f"{role}@soak.test", "password": factories.PASSWORD}
    if token := csrf_token(form):
        data["csrf_token"] = token
    response = opener.open(url + "/login", data=urlencode(data).encode(), timeout=30)
    assert "/login" not in response.url, f"{role} could not sign in"
    return opener


def _get(opener, url):
    """The status of one request, or the error that dropped its connection."""
    try:
        with opener.open(url, timeout=60) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError as error:  # URLError, a reset or a timeout: the connection dropped
        return f"{url}: {error!r}"


@pytest.fixture
def database_url_for_soak(tmp_path):
    if PG_SERVER:
        with throwaway_database(PG_SERVER) as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path / 'soak.sqlite'}"


def test_workers_survive_a_burst_on_the_heaviest_pages(tmp_path, database_url_for_soak):
    _seed(database_url_for_soak)
    server = Server(tmp_path, database_url_for_soak)
    try:
        server.wait_ready()
        openers = {role: _signed_in(server.url, role) for role in REQUESTS}
        jobs = [(openers[role], server.url + path) for role, paths in REQUESTS.items() for path in paths]
        with ThreadPoolExecutor(CLIENTS) as pool:
            results = list(pool.map(lambda job: _get(*job), jobs))
    finally:
        log = server.stop()

    dropped = [r for r in results if isinstance(r, str)]
    failed = [r for r in results if isinstance(r, int) and r >= 500]
    deaths = re.findall(r"Worker \(pid:\d+\) (?:was sent \w+|exited with code \d+)|WORKER TIMEOUT", log)
    booted = len(re.findall(r"Booting worker", log))
    assert not dropped, dropped
    assert not failed, failed
    assert results == [200] * len(jobs)
    assert not deaths and booted == WORKERS, log
