"""The production configuration end to end, on loopback only: gunicorn with
several workers (deploy/gunicorn.conf.py), PostgreSQL (a throwaway cluster),
Redis for the login rate limits, the mail worker and a real SMTP server. A
coordinator signs in, schedules a meeting, invites, and the mail arrives once."""
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from urllib.parse import urlencode

import redis
from sqlalchemy import create_engine, text

from fgc.config import ROOT
from fgc.demo import DEMO_PASSWORD
from tests.mail_server import SMTPServer, free_port
from tests.pg_cluster import Cluster

REDIS_URL = "redis://127.0.0.1:6379/15"
VENV_BIN = os.path.dirname(sys.executable)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Just enough of a browser: cookies (sent over plain http on loopback although
    they are Secure, as the TLS proxy would) and forms with their CSRF token."""

    def __init__(self, base):
        self.base, self.cookies = base, {}
        self.opener = urllib.request.build_opener(NoRedirect)

    def open(self, path, data=None):
        body = urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)
        if self.cookies:
            request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            response = self.opener.open(request, timeout=20)
        except urllib.error.HTTPError as error:
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _sep, rest = header.partition("=")
            self.cookies[name] = rest.split(";")[0]
        return response.status, response.headers, response.read().decode()

    def submit(self, form_path, action, data):
        _status, _headers, page = self.open(form_path)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        return self.open(action, {**data, "csrf_token": token})


def wait_for(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.2)


def test_production_configuration_signs_in_schedules_invites_and_mails_once(tmp_path):
    cluster, smtp, processes = Cluster(), SMTPServer(), []
    port = free_port()
    try:
        cluster.create().start()
        smtp.start()
        env = {**os.environ, "FGC_ENV": "production", "SECRET_KEY": "production-test-" + "x" * 32,
               "DATABASE_URL": cluster.url, "RATELIMIT_STORAGE_URI": REDIS_URL,
               "FGC_PUBLIC_URL": f"http://127.0.0.1:{port}", "MAIL_SERVER": "127.0.0.1",
               "MAIL_PORT": str(smtp.port), "FGC_BIND": f"127.0.0.1:{port}", "FGC_WORKERS": "3",
               "FGC_INSTANCE_PATH": str(tmp_path)}
        flask = [f"{VENV_BIN}/flask", "--app", "wsgi"]
        for command in (["db", "upgrade"], ["fgc", "seed-demo"]):
            subprocess.run([*flask, *command], cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)
        log = (tmp_path / "services.log").open("w")
        processes.append(subprocess.Popen([f"{VENV_BIN}/gunicorn", "-c", "deploy/gunicorn.conf.py", "wsgi:app"],
                                          cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))
        processes.append(subprocess.Popen([*flask, "fgc", "send-mail", "--loop", "--interval", "0.3"],
                                          cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))
        browser = Browser(f"http://127.0.0.1:{port}")

        def healthy():
            try:
                return browser.open("/healthz")[0] == 200
            except OSError:
                return False
        wait_for(healthy)

        # A failed sign-in is counted in Redis, where all gunicorn workers see it.
        stranger = f"nobody-{uuid.uuid4().hex}@example.dk"
        status, _headers, _page = browser.submit("/login", "/login", {"email": stranger, "password": "wrong" * 3})
        assert status == 200
        assert redis.Redis.from_url(REDIS_URL).keys(f"*{stranger}*")
        status, headers, _page = browser.submit("/login", "/login", {
            "email": "samordner@aarhus.demo", "password": DEMO_PASSWORD})
        assert status == 302, _page

        # Schedule a meeting in one of the coordinator's cases that has Louise in its network.
        case_ids = sorted(set(re.findall(r'href="/cases/(\d+)"', browser.open("/cases")[2])))
        for case_id in case_ids:
            new = f"/cases/{case_id}/conferences/new"
            status, headers, page = browser.submit(new, new, {
                "kind": "conference", "day": "2030-03-14", "start": "10:00", "end": "13:00",
                "timezone": "Europe/Copenhagen", "fold": "", "town": "Aarhus", "address": "Rådhuspladsen 2",
                "room": "", "remote": "", "languages": "da", "food": "", "support_person": "", "version": ""})
            assert status == 302, page
            detail = headers["Location"].replace(f"http://127.0.0.1:{port}", "")
            louise = re.search(r'<option value="(m:\d+)"[^>]*>Louise', browser.open(detail)[2])
            if louise:
                break
        assert louise, "no demo case with Louise Jensen"
        status, _h, _p = browser.submit(detail, detail + "/participants", {"who": louise.group(1), "role": "family"})
        assert status == 302

        database = create_engine(cluster.url)

        def outbox_empty():
            with database.connect() as conn:
                return not conn.scalar(text("SELECT count(*) FROM outbox_messages WHERE status = 'pending'"))
        wait_for(outbox_empty)  # the demo's own mail is out
        before = len(smtp.inbox.to("louise.jensen@example.dk"))

        status, _h, _p = browser.submit(detail, detail + "/invite", {})
        assert status == 302
        wait_for(lambda: len(smtp.inbox.to("louise.jensen@example.dk")) > before)
        wait_for(outbox_empty)
        time.sleep(1)  # several rounds of the worker: nothing comes twice
        mails = smtp.inbox.to("louise.jensen@example.dk")[before:]
        assert len(mails) == 1
        assert "2030" in mails[0]["Subject"]  # the meeting just scheduled
        assert smtp.inbox.problems == []
        database.dispose()
        assert all(process.poll() is None for process in processes)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        smtp.stop()
        cluster.destroy()
