"""`make run` as a developer uses it: everything starts, and Ctrl-C stops it all
without a crash message."""
import os
import signal
import subprocess
import time
import urllib.request

from fgc.config import ROOT
from tests.mail_server import free_port


def test_make_run_serves_and_stops_cleanly_on_ctrl_c(tmp_path):
    port = free_port()
    env = {**os.environ, "FGC_INSTANCE_PATH": str(tmp_path), "FGC_ENV": "development"}
    env.pop("FGC_TEST_DATABASE_URL", None)
    env.pop("DATABASE_URL", None)
    make = subprocess.Popen(["make", "--no-print-directory", "run", f"PORT={port}", f"SMTP_PORT={free_port()}"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert make.poll() is None, make.stdout.read()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "make run did not come up"
            time.sleep(0.5)
        time.sleep(1)  # the reminders loop has run once
        os.killpg(make.pid, signal.SIGINT)  # what Ctrl-C in the terminal does
        output, _ = make.communicate(timeout=60)
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)
            make.wait()
    assert "reminders queued: " in output
    for crash in ("Segmentation fault", "Traceback", "Error 1", "core dumped"):
        assert crash not in output, output
    # Nothing of it is left running.
    time.sleep(0.5)
    try:
        os.killpg(make.pid, 0)
        left = True
    except ProcessLookupError:
        left = False
    assert not left, subprocess.run(["ps", "-o", "pid,args", "-g", str(make.pid)], capture_output=True,
                                    text=True).stdout
