"""The application served by gunicorn with several workers on loopback, for tests of
what only real processes show: crashes under load, races between workers."""
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests import factories
from tests.conftest import PG_SERVER, csrf_token, throwaway_database
from tests.mail_server import free_port

ROOT = Path(__file__).resolve().parent.parent


class Server:
    """gunicorn serving wsgi:app, its log in a file."""

    def __init__(self, tmp, database_url, workers=2, config=None, bench=False, app="wsgi:app"):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tmp / f"gunicorn-{self.port}.log"
        env = dict(os.environ, FGC_ENV="development", SECRET_KEY="soak-test", DATABASE_URL=database_url,
                   FGC_INSTANCE_PATH=str(tmp))
        if not bench:
            # PYTHONMALLOC=debug overwrites freed memory, so that a read of it crashes at once
            # instead of by chance; faulthandler writes the crashing stack to the log.
            env.update(PYTHONFAULTHANDLER="1", PYTHONMALLOC="debug")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{self.port}",
             "--timeout", "60", "--log-level", "warning" if bench else "info",
             *(["-c", str(config)] if config else []), app],
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


def signed_in(url, email, password=factories.PASSWORD):
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    form = opener.open(url + "/login", timeout=30).read().decode()
    data = {"email": email, "password": password}
    if token := csrf_token(form):
        data["csrf_token"] = token
    response = opener.open(url + "/login", data=urlencode(data).encode(), timeout=30)
    if "/login/code" in response.url:  # an administrator: the factories' authenticator key
        import pyotp

        code = {"code": pyotp.TOTP(factories.TOTP_SECRET).now()}
        if token := csrf_token(response.read().decode()):
            code["csrf_token"] = token
        response = opener.open(url + "/login/code", data=urlencode(code).encode(), timeout=30)
    assert "/login" not in response.url, f"{email} could not sign in"
    return opener


def get(opener, url):
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
def served_database_url(tmp_path):
    """A database the served app and the test share: a file, or a throwaway PostgreSQL database."""
    if PG_SERVER:
        with throwaway_database(PG_SERVER) as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path / 'served.sqlite'}"


def post(opener, url, data, form_page=None):
    """The status of a form sent with the session's CSRF token, from the page the form
    is on (by default the form's own address)."""
    token = csrf_token(opener.open(form_page or url, timeout=60).read().decode())
    try:
        with opener.open(url, data=urlencode({**data, "csrf_token": token}, doseq=True).encode(),
                         timeout=60) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError as error:
        return f"{url}: {error!r}"
