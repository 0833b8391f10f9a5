"""An administrator answers a citizen's request for access in a real browser: who has
used Emma's data, on the page in Danish and Greenlandic, and as a file."""
from tests.browser.conftest import ARTIFACTS, choose_language, run_axe, sign_in, sign_out


def test_an_administrator_lists_who_used_a_childs_data_in_danish_and_greenlandic(page, live_server):
    base = live_server.url
    sign_in(page, base, "caseworker")
    page.goto(f"{base}/cases/1")  # Emma Jensen's case
    sign_out(page)

    sign_in(page, base, "admin")
    page.goto(f"{base}/cases/1")  # an administrator reaches it from the case, or from the audit log
    with page.expect_navigation():
        page.click("main >> text=Hvem har brugt oplysningerne om Emma Jensen")
    page.goto(f"{base}/admin/audit/")
    with page.expect_navigation():
        page.click("main >> text=Hvem har brugt en persons oplysninger")
    page.fill("#q", "emma")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    with page.expect_navigation():
        page.click("main >> text=Emma Jensen")
    main = page.inner_text("main")
    assert "Hvem har brugt oplysningerne om Emma Jensen" in main
    assert "Jonas" in main and "Læste sagen" in main, main  # the demo caseworker
    assert run_axe(page) == []

    with page.expect_download() as download:
        page.click("main >> text=Hent som regneark (CSV)")
    content = open(download.value.path(), encoding="utf-8-sig").read()
    assert content.startswith("Hvornår,Hvem,Rolle,Hvad,Del af sagen") and "Læste sagen" in content

    choose_language(page, "kl")
    main = page.inner_text("main")
    assert "Emma Jensen – paasissutissaanik kikkut atuisimappat" in main and "Suliaq atuarpaa" in main, main
    assert run_axe(page) == []
    page.set_viewport_size({"width": 375, "height": 800})
    (ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "screenshots" / "access-report-kl-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
