"""Journeys a person makes, in a real browser against a real server."""
import re
from datetime import date

import pytest

from tests.browser.conftest import DEMO_USERS, choose_language, sign_in, sign_out


@pytest.mark.parametrize("role", DEMO_USERS)
def test_each_demo_role_signs_in_and_out(page, live_server, role):
    sign_in(page, live_server.url, role)
    assert page.url == f"{live_server.url}/" + ("family/" if role == "family" else "")
    assert page.locator("form.logout button").is_visible()
    sign_out(page)
    assert page.url.startswith(f"{live_server.url}/login")
    assert "Du er logget ud." in page.inner_text("main")
    page.goto(f"{live_server.url}/")
    assert "/login" in page.url


def test_a_coordinator_opens_a_referral_and_sees_it_in_the_case_list(page, live_server):
    sign_in(page, live_server.url, "coordinator")
    page.click("text=Opret en henvisning")
    page.fill("#children-0-name", "Kuluk Kristiansen")
    page.fill("#children-0-birth_date", "2017-04-12")
    page.fill("#children-0-town", "Sisimiut")
    page.fill("#concern", "Skolen er bekymret for Kuluks fravær.")
    page.fill("#bottom_lines", "Kuluk må ikke være alene hjemme om natten.")
    page.fill("#questions", "Hvem kan hjælpe Kuluk i skole om morgenen?")
    page.fill("#consent_given_by", "Mor")
    page.fill("#consent_date", date.today().isoformat())
    page.select_option("#caseworker_id", label="Jonas Mikkelsen")
    page.click("main form button.button-primary")
    assert re.search(r"/cases/\d+$", page.url)
    assert "Kuluk Kristiansen" in page.inner_text("main")
    page.click("nav >> text=Sager")
    assert "Kuluk Kristiansen" in page.inner_text("main table")


def test_switching_language_changes_the_page_dates_and_validation_messages(page, live_server):
    sign_in(page, live_server.url, "coordinator")
    page.goto(f"{live_server.url}/cases/1")
    weekdays_da = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
    assert any(day in page.inner_text("main") for day in weekdays_da)
    choose_language(page, "kl")
    assert page.get_attribute("html", "lang") == "kl"
    assert "Suliaq 2026" in page.inner_text("h1") or "Suliaq " in page.inner_text("h1")
    assert re.search(r"(ataasinngorneq|marlunngorneq|pingasunngorneq|sisamanngorneq|"
                     r"tallimanngorneq|arfininngorneq|sapaat) \d\d\.\d\d\.\d{4}", page.inner_text("main"))
    page.goto(f"{live_server.url}/cases/new")
    page.click("main form button.button-primary")
    assert "Ernumassut allaaseriuk." in page.inner_text("main")
    choose_language(page, "en")
    assert page.get_attribute("html", "lang") == "en"
    page.goto(f"{live_server.url}/cases/new")
    page.click("main form button.button-primary")
    assert "Describe the concern." in page.inner_text("main")
    choose_language(page, "da")


def focused(page):
    return page.evaluate("""() => {
        const el = document.activeElement;
        const style = getComputedStyle(el);
        return {id: el.id, tag: el.tagName.toLowerCase(), text: (el.innerText || '').trim(),
                outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2};
    }""")


def tab_until(page, element_id, limit=40):
    order = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        assert now["outline"], f"focus is not visible on {now}"
        order.append(now["id"] or now["text"])
        if now["id"] == element_id:
            return order
    raise AssertionError(f"never reached #{element_id} by Tab: {order}")


def test_keyboard_only_sign_in_and_referral(page, live_server):
    page.goto(f"{live_server.url}/login")
    order = tab_until(page, "email")
    assert order[0] == "Gå til indholdet"  # the skip link comes first
    assert order.index("language-select") < order.index("email")
    page.keyboard.type("samordner@aarhus.demo")
    assert tab_until(page, "password") == ["password"]  # straight on to the password
    page.keyboard.type("wrong password")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    alert = page.locator("[role=alert]")
    assert "E-mailadressen eller adgangskoden er forkert." in alert.inner_text()
    page.fill("#password", "")
    page.focus("#password")
    page.keyboard.type("demo-password-2026")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{live_server.url}/"

    page.goto(f"{live_server.url}/cases/new")
    tab_until(page, "children-0-name")
    page.keyboard.type("Ane Kreutzmann")
    assert tab_until(page, "children-0-birth_date") == ["children-0-birth_date"]
    # Submit with the concern missing, from the keyboard.
    page.focus("#consent_given_by")
    page.keyboard.type("Far")
    page.locator("main form button.button-primary").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    summary = page.locator(".error-summary[role=alert]")
    assert summary.is_visible()
    assert "Beskriv bekymringen." in summary.inner_text()
    # Each error is linked to its field, and the field to its message.
    concern = page.locator("#concern")
    assert concern.get_attribute("aria-invalid") == "true"
    described = concern.get_attribute("aria-describedby").split()
    messages = " ".join(page.locator(f"#{ident}").inner_text() for ident in described)
    assert "Beskriv bekymringen." in messages
    summary.locator("a[href='#concern']").focus()
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "concern"
