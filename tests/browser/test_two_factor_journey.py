"""A caseworker sets up two-factor sign-in on a phone-sized page, signs out, and signs in
again with the app's code; in Danish and Greenlandic, checked by axe-core. The demo's
second caseworker is used (no other journey signs in as them), and is left as found."""
import re

import pyotp

from tests.browser.conftest import ARTIFACTS, choose_language, run_axe, sign_in, sign_out, type_code

WHO = "sagsbehandler2@aarhus.demo"


def shot(page, name):
    (ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "screenshots" / f"two-factor-{name}.png"), full_page=True)


def test_a_caseworker_sets_up_two_factor_sign_in_and_signs_in_with_a_code_on_a_phone(page, live_server):
    base = live_server.url
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, base, WHO)
    page.goto(f"{base}/account/password")
    with page.expect_navigation():
        page.click("main >> text=Opsæt totrinsbekræftelse")
    assert page.locator("main svg.qr").count() == 1
    assert run_axe(page) == []
    shot(page, "set-up-da")
    choose_language(page, "kl")
    assert "Marloriaammik iserneq" in page.inner_text("main")
    assert run_axe(page) == []
    shot(page, "set-up-kl")
    choose_language(page, "da")

    secret = page.inner_text(".secret-key").replace(" ", "")
    page.fill("#code", "000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "Koden er ikke rigtig" in page.inner_text("main")
    assert run_axe(page) == []
    type_code(page, secret)
    codes = re.findall(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", page.inner_text("main"))
    assert len(codes) == 10
    assert run_axe(page) == []
    shot(page, "recovery-codes-da")
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0

    sign_out(page)
    page.goto(f"{base}/login")
    page.fill("#email", WHO)
    page.fill("#password", "demo-password-2026")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.url.endswith("/login/code")
    assert run_axe(page) == []
    shot(page, "code-da")
    choose_language(page, "kl")
    assert "Isernissamut kode" in page.inner_text("main")
    assert run_axe(page) == []
    shot(page, "code-kl")
    type_code(page, secret)
    assert not page.url.endswith("/login/code") and page.locator("form.logout").count() == 1

    # Left as found: turned off again with a current code.
    page.goto(f"{base}/account/two-factor")
    shot(page, "on-da")
    choose_language(page, "da")
    page.fill("#off-code", _next_code(secret))
    with page.expect_navigation():
        page.click("form[action$='/off'] button[type=submit]")
    assert "Totrinsbekræftelse er slået fra." in page.inner_text("main")


def test_a_signed_out_visitor_reads_a_municipalitys_statements_from_the_footer_on_a_phone(page, live_server):
    base = live_server.url
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{base}/login")
    for lang, heading in (("kl", "Paasissutissanut akisussaasoq"), ("da", "Dataansvarlig")):
        choose_language(page, lang)
        page.goto(f"{base}/login")
        with page.expect_navigation():
            page.click("footer >> a[href='/privacy']")
        with page.expect_navigation():
            page.click("main >> text=Kommuneqarfik Sermersooq")
        main = page.inner_text("main")
        assert heading in main and "ilaqutariit@sermersooq.demo" in main, main
        assert run_axe(page) == []
        shot(page, f"privacy-sermersooq-{lang}")
        page.goto(f"{base}/accessibility?organisation=1")
        assert run_axe(page) == []
        shot(page, f"accessibility-aarhus-{lang}")


def _next_code(secret):
    """The code of the next 30 seconds: the present one was spent signing in."""
    import time

    totp = pyotp.TOTP(secret)
    time.sleep(totp.interval - time.time() % totp.interval + 0.1)
    return totp.now()
