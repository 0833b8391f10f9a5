"""After a meeting: the coordinator records attendance, the survey goes out; a
grandmother answers on her phone in Greenlandic (her browser asks for Danish), and
her link then says it has been used; the coordinator sees one answer and prints
cards for those without e-mail. Every survey page passes axe and the Nu checker."""
import re
from datetime import date, time, timedelta
from email import message_from_bytes, policy

from sqlalchemy import select

from fgc.conferences import services
from fgc.conferences.models import Participant
from fgc.core.mail import OutboxMessage
from fgc.extensions import db
from fgc.network.models import NetworkMember
from tests.browser.conftest import ARTIFACTS, new_context, run_axe, sign_in
from tests.browser.test_crawl import nu_checker_errors

CASE_ID = 4  # the Olsen children in Nuuk; the coordinator and the family speak Greenlandic
SHOTS = ARTIFACTS / "survey"


def a_meeting_held_yesterday(app):
    with app.app_context():
        from fgc.cases.models import Case

        case = db.session.get(Case, CASE_ID)
        people = {m.name: m for m in db.session.scalars(select(NetworkMember).where(NetworkMember.case_id == CASE_ID))}
        meeting = services.schedule(case, dict(
            kind="conference", day=date.today() - timedelta(days=1), start=time(10), end=time(13),
            timezone="America/Nuuk", fold=None, town="Nuuk", address="Ilaqutariit Illuat", room="", remote="",
            languages="da,kl", interpreter_booked=False, food="", support_person=""),
            scheduled_by=case.coordinator)
        for name, role in (("Ivalo Olsen", "family"), ("Jens Olsen", "family"), ("Paninnguaq Lund", "support")):
            services.add_member(case, meeting, people[name], role, added_by=case.coordinator)
        db.session.commit()
        return meeting.id


def survey_link_to(app, address):
    with app.app_context():
        raw = db.session.scalars(select(OutboxMessage.raw).where(
            OutboxMessage.recipient == address, OutboxMessage.kind == "survey")).one()
    text = message_from_bytes(raw, policy=policy.default).get_body(("plain",)).get_content()
    return re.search(r"http://\S+/s/\S+", text).group(0)


class Checked:
    """axe on every page, no horizontal scrolling at phone width, the HTML kept for the Nu checker."""

    def __init__(self):
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.files, self.problems = {}, []

    def page(self, page, name, phone=False):
        for violation in run_axe(page):
            self.problems.append(f"{name}: axe {violation['id']}: {violation['help']} at {violation['nodes']}")
        if phone:
            overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
            if overflow > 0:
                self.problems.append(f"{name}: {overflow}px of horizontal overflow")
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
        path = SHOTS / f"{name}.html"
        path.write_text(page.content())
        self.files[str(path)] = name

    def nu(self):
        for path, errors in nu_checker_errors(sorted(self.files)).items():
            self.problems.extend(f"{self.files.get(path, path)}: Nu: {error}" for error in errors[:5])
        return self.problems


def test_a_family_member_answers_the_survey_on_a_phone_in_greenlandic_once(browser, live_server, page):
    base, app = live_server.url, live_server.app
    checked = Checked()
    meeting_id = a_meeting_held_yesterday(app)
    meeting_url = f"{base}/cases/{CASE_ID}/conferences/{meeting_id}"

    sign_in(page, base, "samordner@sermersooq.demo")
    page.goto(f"{meeting_url}/attendance")
    with app.app_context():
        ids = {p.member.name: p.id for p in db.session.scalars(
            select(Participant).where(Participant.conference_id == meeting_id))}
    for part in (1, 2, 3):
        page.check(f"#part-{ids['Ivalo Olsen']}-{part}-present")
        page.check(f"#part-{ids['Jens Olsen']}-{part}-remote")  # from Kapisillit, by phone
    page.check(f"#part-{ids['Paninnguaq Lund']}-2-present")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    told = page.inner_text("main .flashes")
    assert "Apersuinermut e-mailit nassiunneqartut: 1" in told  # Ivalo; Jens and Paninnguaq have no e-mail
    assert "E-mailiqanngitsut peqataasut: 2" in told

    link = survey_link_to(app, "ivalo@example.gl").replace(app.config["PUBLIC_URL"], base)
    assert "lang=kl" in link
    # Her phone asks for Danish; the link's language wins.
    phone_context = new_context(browser, locale="da-DK")
    phone_context.set_default_timeout(10_000)
    phone = phone_context.new_page()
    phone.set_viewport_size({"width": 375, "height": 800})
    try:
        phone.goto(link)
        assert phone.get_attribute("html", "lang") == "kl"
        assert "Ataatsimiinneq qanoq ippa?" in phone.inner_text("h1")
        assert phone.locator("fieldset.scale-group").count() == 5
        checked.page(phone, "answer-kl", phone=True)
        target = phone.locator("label[for=heard-5]").bounding_box()
        assert target["height"] >= 44 and target["width"] >= 300  # a large target on a phone
        for choice in ("heard-5", "ours-4", "realistic-4", "know-5", "recommend-5"):
            phone.click(f"label[for={choice}]")
        assert phone.is_checked("#ours-4")
        checked.page(phone, "answer-kl-chosen", phone=True)
        with phone.expect_navigation():
            phone.click("text=Akissutiga nassiuguk")
        assert phone.inner_text("h1") == "Qujanaq akigavit"
        checked.page(phone, "thanks-kl", phone=True)
        phone.screenshot(path="/tmp/survey-thanks-kl.png", full_page=True)

        response = phone.goto(link)
        assert response.status == 410
        assert "Apersuineq una akineqareerpoq." in phone.inner_text("main")
        checked.page(phone, "used-kl", phone=True)

        response = phone.goto(f"{base}/s/ABCD-EFGH")
        assert response.status == 404 and "Kode una ilisimaneqanngilaq." in phone.inner_text("main")
        checked.page(phone, "unknown-kl", phone=True)
    finally:
        phone_context.close()

    page.goto(meeting_url)
    section = page.inner_text("section[aria-labelledby=survey-heading]")
    assert "Apersuinermut akissutit: 1" in section
    checked.page(page, "meeting-page-kl")
    assert page.input_value("#count") == "2"  # Jens and Paninnguaq took part without e-mail
    assert page.input_value("#language") == "kl"  # the language they speak
    with page.expect_navigation():
        page.click("text=E-mailiqanngitsunut apersuinermut allagartat naqikkit")
    codes = [c.strip() for c in page.locator(".survey-card-code").all_inner_texts()]
    assert len(codes) == 2 and all(re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", c) for c in codes)
    assert page.locator(".survey-card[lang=kl]").count() == 2
    assert "/s" in page.inner_text(".survey-card-address >> nth=0")
    checked.page(page, "cards-kl")
    page.emulate_media(media="print")
    page.screenshot(path="/tmp/survey-cards-print.png", full_page=True)
    page.emulate_media(media="screen")

    # A card's code typed by hand, in small letters and without the dash, on a Danish phone.
    card_context = new_context(browser, locale="da-DK")
    card = card_context.new_page()
    card.set_viewport_size({"width": 375, "height": 800})
    try:
        card.goto(f"{base}/s")
        checked.page(card, "enter-da", phone=True)
        card.fill("#code", codes[0].replace("-", "").lower())
        with card.expect_navigation():
            card.click("main form button[type=submit]")
        assert card.url.endswith(f"/s/{codes[0]}") and card.locator("fieldset.scale-group").count() == 5
        checked.page(card, "answer-da", phone=True)
    finally:
        card_context.close()

    # The child's card: one question, five faces, named for screen readers.
    with app.app_context():
        from fgc.conferences.models import Conference
        from fgc.reports import survey

        [child_code] = survey.cards(db.session.get(Conference, meeting_id), 1, for_child=True)
        db.session.commit()
    child_context = new_context(browser, locale="kl-GL")
    child = child_context.new_page()
    child.set_viewport_size({"width": 375, "height": 800})
    try:
        child.goto(f"{base}/s/{child_code}")
        assert child.locator("fieldset").count() == 1 and child.locator("label.scale-choice").count() == 5
        assert child.get_attribute("label[for=smiley-5] .smiley", "aria-hidden") == "true"
        assert child.inner_text("label[for=smiley-5] .sr-only") == "Ajunngeqaaq"
        face = child.locator("label[for=smiley-1]").bounding_box()
        assert face["height"] >= 44 and face["width"] >= 44
        child.click("label[for=smiley-4]")
        checked.page(child, "child-kl", phone=True)
        child.screenshot(path="/tmp/survey-child-kl.png", full_page=True)
        with child.expect_navigation():
            child.click("main form button[type=submit]")
        assert child.inner_text("h1") == "Qujanaq akigavit"
    finally:
        child_context.close()
    page.goto(meeting_url)
    assert "Apersuinermut akissutit: 2" in page.inner_text("section[aria-labelledby=survey-heading]")

    problems = checked.nu()
    assert not problems, "\n".join(problems)
