"""The browser harness: the app served by a real WSGI server on loopback, with
the demo data, driven by Debian's chromium through Playwright.

Without chromium the tests fail loudly; FGC_SKIP_BROWSER=1 skips them (never in CI).
"""
import logging
import os
import shutil
import threading
import time
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from fgc import create_app
from fgc.config import ROOT, TestingConfig
from fgc.demo import DEMO_PASSWORD, DEMO_TOTP_SECRETS, seed
from fgc.extensions import db

CHROMIUM = shutil.which("chromium") and "/usr/lib/chromium/chromium"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "artifacts"
DEMO_USERS = {
    "coordinator": "samordner@aarhus.demo",
    "caseworker": "sagsbehandler@aarhus.demo",
    "admin": "admin@aarhus.demo",
    "family": "mormor@aarhus.demo",
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def _browser_missing():
    if CHROMIUM and Path(CHROMIUM).exists() and AXE.exists():
        return None
    return ("Debian chromium (/usr/lib/chromium/chromium) or node_modules/axe-core is missing: "
            "run `make test`, which installs them, or set FGC_SKIP_BROWSER=1 to skip the browser tests.")


@pytest.fixture(scope="session")
def browser():
    problem = _browser_missing()
    if problem:
        if os.environ.get("FGC_SKIP_BROWSER") == "1" and os.environ.get("CI") != "true":
            pytest.skip(problem)
        pytest.fail(problem)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run"])
        yield browser
        browser.close()


class LiveServer:
    def __init__(self, app, tmp):
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()

    def stop(self):
        self.server.shutdown()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The real app (CSRF on, as in production) on a fresh, seeded SQLite file."""
    tmp = tmp_path_factory.mktemp("live")

    class Live(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp / 'fgc.sqlite'}"
        WTF_CSRF_ENABLED = True
        MAIL_PORT = 1

    app = create_app(Live)
    with app.app_context():
        db.create_all()
        seed()
        db.session.commit()
    server = LiveServer(app, tmp)
    server.start()
    yield server
    server.stop()


def new_context(browser, locale="da-DK"):
    """A fresh browser profile. axe-core is loaded by an init script, which the
    DevTools protocol runs outside the page's Content-Security-Policy: the CSP
    stays enforced while pages are checked."""
    context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
    context.add_init_script(path=str(AXE))
    return context


@pytest.fixture
def context(browser):
    context = new_context(browser)
    yield context
    context.close()


@pytest.fixture
def page(context):
    return context.new_page()


def sign_in(page, base_url, who, password=DEMO_PASSWORD):
    """Through the real form; an account with two-factor sign-in then types its app's code."""
    email = DEMO_USERS.get(who, who)
    page.goto(f"{base_url}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    if page.url.split("?")[0].endswith("/login/code"):
        type_code(page, DEMO_TOTP_SECRETS[email])


_last_step = {}


def type_code(page, secret):
    """The authenticator app's current code, as a person types it: a code works once, so
    a second sign-in within the same 30 seconds waits for the next code, as a person must."""
    import pyotp

    totp = pyotp.TOTP(secret)
    while totp.timecode(time.time()) <= _last_step.get(secret, -1):
        time.sleep(totp.interval - time.time() % totp.interval + 0.1)
    now = time.time()
    _last_step[secret] = totp.timecode(now)
    page.fill("#code", totp.at(now))
    with page.expect_navigation():
        page.click("main form button[type=submit]")


def sign_out(page):
    with page.expect_navigation():
        page.click("form.logout button[type=submit]")


def choose_language(page, lang):
    page.select_option("#language-select", lang)
    with page.expect_navigation():
        page.click("form.language-switch button[type=submit]")


def run_axe(page):
    """axe-core's violations on the page (WCAG 2.0/2.1 A and AA rules and best practices)."""
    return page.evaluate("""async () => {
        const result = await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}});
        return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
