"""Mail workers as they run in production: separate `flask fgc send-mail`
processes on one database (a SQLite file, or PostgreSQL when the suite runs
there), delivering to a real SMTP server that is slow."""
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from contextlib import contextmanager
from email import message_from_bytes, policy

import pytest
from sqlalchemy import select

from fgc import create_app
from fgc.config import ROOT
from fgc.core.mail import OutboxMessage, enqueue, new_message
from fgc.extensions import db
from tests.mail_server import SlowInbox, SMTPServer
from tests.pg_cluster import Cluster


@pytest.fixture
def database(file_database):
    return file_database


@contextmanager
def outbox_app(url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "PUBLIC_URL": "http://fgc.test"})
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


def queue(count):
    ids = []
    for n in range(count):
        msg = new_message(f"person{n}@example.dk", f"Møde {n}")
        msg.set_content(f"Besked nummer {n}: æøå")
        ids.append(msg["Message-ID"])
        enqueue(msg, kind="test")
    db.session.commit()
    return ids


def worker_env(url, smtp_port, tmp_path, **extra):
    return {**os.environ, "FGC_ENV": "production", "SECRET_KEY": "worker-test", "DATABASE_URL": url,
            "FGC_INSTANCE_PATH": str(tmp_path), "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_port),
            "FGC_PUBLIC_URL": "http://fgc.test", **extra}


def start_worker(env, *args):
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "fgc", "send-mail", *args],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def delivered_ids(inbox):
    return Counter(message_from_bytes(content, policy=policy.default)["Message-ID"]
                   for _f, _t, content in inbox.raw)


def wait_for(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.1)


def test_four_workers_at_once_deliver_each_message_exactly_once(database, tmp_path):
    server = SMTPServer(SlowInbox(delay=0.05, company=True))
    server.start()
    try:
        with outbox_app(database):
            ids = queue(50)
            env = worker_env(database, server.port, tmp_path)
            workers = [start_worker(env) for _ in range(4)]
            outputs = [worker.communicate(timeout=120)[0] for worker in workers]
            assert [worker.returncode for worker in workers] == [0] * 4, outputs
            assert delivered_ids(server.inbox) == Counter(ids)  # each exactly once
            assert len(set(server.inbox.peers)) > 1  # the workers really overlapped
            assert set(db.session.scalars(select(OutboxMessage.status))) == {"sent"}
            assert server.inbox.problems == []
    finally:
        server.stop()


def test_a_worker_killed_mid_batch_loses_nothing_once_restarted(database, tmp_path):
    inbox = SlowInbox(delay=0.01, hold_at=4)
    server = SMTPServer(inbox)
    server.start()
    worker = None
    try:
        with outbox_app(database):
            ids = queue(10)
            env = worker_env(database, server.port, tmp_path, MAIL_CLAIM_SECONDS="2")
            worker = start_worker(env)
            assert inbox.holding.wait(60)
            # Killed while the server holds the fourth message: it was claimed, not delivered.
            worker.send_signal(signal.SIGKILL)
            worker.wait(10)
            inbox.release.set()
            assert len(inbox.raw) == 3
            worker = start_worker(env, "--loop", "--interval", "0.2")
            wait_for(lambda: len(inbox.raw) >= 10)
            assert delivered_ids(inbox) == Counter(ids)
    finally:
        if worker is not None and worker.poll() is None:
            worker.terminate()
            worker.wait(10)
        server.stop()


def test_the_worker_survives_a_database_outage_and_delivers_without_a_restart(tmp_path):
    cluster = Cluster()
    server = SMTPServer()
    worker = None
    log = tmp_path / "worker.log"
    try:
        cluster.create().start()
        server.start()
        with outbox_app(cluster.url):
            queue(2)
            env = worker_env(cluster.url, server.port, tmp_path)
            with log.open("w") as output:
                worker = subprocess.Popen(
                    [sys.executable, "-m", "flask", "--app", "wsgi", "fgc", "send-mail", "--loop", "--interval", "0.2"],
                    cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
            wait_for(lambda: len(server.inbox.raw) == 2)
            db.session.remove()
            db.engine.dispose()
            cluster.stop()
            wait_for(lambda: "OperationalError" in log.read_text())  # it noticed, and logged it
            assert worker.poll() is None  # …and is still running
            cluster.start()
            ids = queue(3)
            wait_for(lambda: len(server.inbox.raw) >= 5)
            assert worker.poll() is None
            delivered = delivered_ids(server.inbox)
            assert all(delivered[i] == 1 for i in ids) and len(delivered) == 5
    finally:
        if worker is not None and worker.poll() is None:
            worker.terminate()
            worker.wait(10)
        server.stop()
        cluster.destroy()
