"""A referral and a plan, edited and saved five times in a row in a real browser:
every word stays as it was typed."""
from tests.browser.conftest import sign_in


def form_values(page):
    """Every field of the page's main form, as the browser holds it."""
    return page.eval_on_selector_all(
        "main form.wide-form input:not([type=hidden]), main form.wide-form textarea, main form.wide-form select",
        """els => els.map(e => [e.name, e.type === 'checkbox' || e.type === 'radio' ? e.checked
                                : e.tagName === 'SELECT' ? [...e.selectedOptions].map(o => o.value) : e.value])""")


def save_five_times(page, edit_url):
    page.goto(edit_url)
    first = form_values(page)
    assert first and not any("<" in str(value) for _name, value in first), first
    for _ in range(5):
        page.goto(edit_url)
        assert form_values(page) == first
        with page.expect_navigation():
            page.click("main form.wide-form button.button-primary")
        assert "/edit" not in page.url, page.inner_text("main")[:500]
    page.goto(edit_url)
    assert form_values(page) == first
    return dict(first)


def test_a_referral_and_a_plan_saved_five_times_keep_every_word(page, live_server):
    base = live_server.url
    sign_in(page, base, "coordinator")
    referral = save_five_times(page, f"{base}/cases/1/edit")
    assert referral["bottom_lines"].strip() and referral["questions"].strip()

    page.goto(f"{base}/cases/1/plan/")
    page.click("text=Læs planen")  # the demo's current version: a draft awaiting the decision
    with page.expect_navigation():
        page.click("text=Redigér planen")
    assert page.url.endswith("/edit")
    plan = save_five_times(page, page.url)
    assert plan["commitments-0-what"].strip() and plan["answers-0"].strip()
