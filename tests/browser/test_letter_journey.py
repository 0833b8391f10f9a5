"""Paper that works: a coordinator prints an invitation letter for a neighbour without
e-mail and a plan handout for a grandfather in a settlement; the letter's QR code, read
back from the printed page by a QR decoder, and its short code both open the answer page."""
import re

from sqlalchemy import select

from fgc.extensions import db
from fgc.plans.models import FamilyPlan
from tests.browser.conftest import ARTIFACTS, ROOT, new_context, run_axe, sign_in

JSQR = ROOT / "node_modules" / "jsqr" / "dist" / "jsQR.js"
SHOTS = ARTIFACTS / "paper"

READ_QR = """async () => {
    const svg = document.querySelector('.letter-qr svg');
    const image = new Image();
    image.src = 'data:image/svg+xml;base64,' + btoa(new XMLSerializer().serializeToString(svg));
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 400;
    const drawing = canvas.getContext('2d');
    drawing.fillStyle = '#fff';
    drawing.fillRect(0, 0, 400, 400);
    drawing.drawImage(image, 0, 0, 400, 400);
    const found = jsQR(drawing.getImageData(0, 0, 400, 400).data, 400, 400);
    return found && found.data;
}"""


def test_a_printed_letter_and_plan_handout_lead_back_into_fgc(browser, live_server):
    base = live_server.url
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = new_context(browser)
    context.add_init_script(path=str(JSQR))
    page = context.new_page()
    try:
        sign_in(page, base, "samordner@aarhus.demo")
        page.goto(f"{base}/cases/1/conferences/")
        page.click("main table a >> nth=0")
        meeting_url = page.url
        with page.expect_navigation():
            page.click("text=Send invitationerne")
        page.goto(meeting_url)
        with page.expect_navigation():
            page.locator("tr", has_text="Ali Hassan").locator("a[href$='/letter']").click()  # no e-mail
        letter = page.inner_text("main")
        assert "Aarhus Kommune" in letter and "Sofie Kjær" in letter and "dansk tid" in letter
        assert run_axe(page) == []
        code = page.inner_text(".letter-answer .code").strip()
        short_address = page.inner_text(".short-address").strip()
        assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", code) and short_address.endswith("/r")
        page.emulate_media(media="print")
        page.screenshot(path=str(SHOTS / "letter-print.png"), full_page=True)
        assert not page.is_visible("nav.site-nav")  # the printed page is the letter alone
        link = page.evaluate(READ_QR)
        page.emulate_media(media="screen")
        assert link and "/rsvp/" in link and "lang=da" in link, link

        # A phone's camera opens the link: the answer page, without signing in.
        phone = new_context(browser, locale="kl-GL")
        answer = phone.new_page()
        answer.set_viewport_size({"width": 375, "height": 800})
        answer.goto(base + link[link.index("/rsvp/"):])  # the link's host is the configured public address
        assert answer.get_attribute("html", "lang") == "da"  # the letter's language, not the phone's
        assert "dansk tid" in answer.inner_text("main") and answer.locator("form.answer-buttons").count() == 1
        # The short address with the code, typed by hand in small letters.
        answer.goto(f"{base}/r")
        answer.fill("#code", code.lower().replace("-", " "))
        with answer.expect_navigation():
            answer.click("main form button[type=submit]")
        assert "/rsvp/" in answer.url and answer.locator("form.answer-buttons").count() == 1
        phone.close()

        # The Olsen family's plan on paper for Jens, who has no account, in Greenlandic.
        with page.expect_navigation():
            page.click("form.logout button[type=submit]")
        sign_in(page, base, "samordner@sermersooq.demo")
        with live_server.app.app_context():
            plan_id = db.session.scalar(select(FamilyPlan.id).where(FamilyPlan.case_id == 4,
                                                                    FamilyPlan.state == "accepted"))
        page.goto(f"{base}/cases/4/plan/{plan_id}")
        handout_link = page.locator("a[href*='/handout/']").filter(has_text="Jens Olsen")
        assert handout_link.count() == 1, page.inner_text("main")
        with page.expect_navigation():
            handout_link.click()
        text = page.inner_text("main")
        assert page.locator("article.handout").get_attribute("lang") == "kl"
        assert "Kommuneqarfik Sermersooq" in text and "Jens Olsen" in text and "Hans Kleist" in text
        assert "Arfininngornikkut aalisariarneq" in text  # the plan in the family's own words
        assert run_axe(page) == []
        page.emulate_media(media="print")
        page.screenshot(path=str(SHOTS / "handout-print-kl.png"), full_page=True)
    finally:
        context.close()
