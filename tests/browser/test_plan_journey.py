"""The plan's life in a real browser: recorded, accepted, seen and reported on by
a family member on a phone in Greenlandic, and seen again by the caseworker."""
import re
from datetime import date, timedelta

from tests.browser.conftest import ARTIFACTS, sign_in, sign_out


def test_plan_recorded_accepted_and_followed_by_the_family_on_a_phone(page, live_server, browser):
    base = live_server.url
    case_id = 4  # the Olsen children, Nuuk
    sign_in(page, base, "samordner@sermersooq.demo")
    page.goto(f"{base}/cases/{case_id}/plan/")
    page.click("text=Ilaqutariit pilersaarutaat nalunaarsoruk")
    page.fill("#answers-0", "Aanaa Ane Malikkut Pipalukkullu atuarfimmut ingiaqatigissavai.")
    tasks = [("Ullaakkut atuarfimmut ingiaqatigiinneq", "Ane Olsen"), ("Sapaatip akunnerani aalisarneq", "Jens Olsen"),
             ("Ilinniagassanik ikiorneq", "Ivalo Olsen"), ("Atuarfimmut oqarasuaatikkut attaveqarneq", "Ivalo Olsen")]
    for i, (what, who) in enumerate(tasks):
        if i:
            with page.expect_navigation():
                page.click("button[name=add_commitment]")
        page.fill(f"#commitments-{i}-what", what)
        page.select_option(f"#commitments-{i}-people", label=who)
        if i == 1:  # fishing every Monday and Wednesday, as the family agreed
            page.check("#commitments-1-schedule-1")
            page.check("#commitments-1-weekdays-0")
            page.check("#commitments-1-weekdays-2")
        else:
            page.fill(f"#commitments-{i}-due_date", str(date.today() + timedelta(days=2 + i)))
    page.set_viewport_size({"width": 375, "height": 800})
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("fieldset.child-row").nth(1).screenshot(path=str(ARTIFACTS / "plan-form-schedule-kl-375.png"))
    page.set_viewport_size({"width": 1280, "height": 900})
    with page.expect_navigation():
        page.click("main form button.button-primary")
    assert "Ullaakkut atuarfimmut ingiaqatigiinneq" in page.inner_text("main")
    assert "sapaatip akunneri tamaasa: ataasinngorneq aamma pingasunngorneq" in page.inner_text("main")
    plan_url = page.url

    # An account for Jens, who has no e-mail: a letter with a one-time code.
    page.goto(f"{base}/cases/{case_id}/plan/family")
    page.select_option("#member_id", label="Jens Olsen")
    with page.expect_navigation():
        page.click("main form button.button-primary")
    letter = page.inner_text("main")
    username = re.search(r"(jens\.olsen\.\d+)", letter).group(1)
    code = page.inner_text(".code").strip()
    sign_out(page)

    sign_in(page, base, "sagsbehandler@sermersooq.demo")
    page.goto(plan_url)
    page.click("text=Pilersaarut aalajangiiffigiuk")
    assert "Meeqqat unnuakkut kisimiissanngillat." in page.inner_text(".bottom-lines")
    page.check("#decision-0")
    with page.expect_navigation():
        page.click("main form button.button-primary")
    assert "Akuerineqarpoq" in page.inner_text("main")
    sign_out(page)

    phone_context = browser.new_context(locale="kl-GL", viewport={"width": 375, "height": 800})
    phone = phone_context.new_page()
    phone.goto(f"{base}/family/activate")
    phone.fill("#username", username)
    phone.fill("#code", code)
    phone.fill("#password", "aalisarneq qaqortoq")
    phone.fill("#confirm", "aalisarneq qaqortoq")
    with phone.expect_navigation():
        phone.click("main form button.button-primary")
    sign_in(phone, base, username, password="aalisarneq qaqortoq")
    assert phone.get_attribute("html", "lang") == "kl"
    main = phone.inner_text("main")
    assert "Sapaatip akunnerani aalisarneq" in main and "Suliassakka" in main
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.select_option("select[name=status]", "in_progress")
    phone.fill("textarea[name=note]", "Arfininngormat aallaraagut.")
    with phone.expect_navigation():
        phone.click("main form button.button-primary")
    assert "Qujanaq" in phone.inner_text("main")
    phone_context.close()

    sign_in(page, base, "sagsbehandler@sermersooq.demo")
    page.click("nav >> text=Pisussaaffiit")
    overview = page.inner_text("main")
    assert "Sapaatip akunnerani aalisarneq" in overview and "Ingerlanneqarpoq" in overview
