"""A coordinator prepares a conference, invites, reschedules; a member answers by the link."""
import re
from email import message_from_bytes, policy

from sqlalchemy import select

from fgc.core.mail import OutboxMessage
from fgc.extensions import db
from fgc.network.models import NetworkMember
from tests.browser.conftest import sign_in


def newest_mail_to(app, address):
    with app.app_context():
        raw = db.session.scalars(select(OutboxMessage.raw).where(OutboxMessage.recipient == address)
                                 .order_by(OutboxMessage.id.desc())).first()
    return message_from_bytes(raw, policy=policy.default)


def test_a_coordinator_prepares_invites_reschedules_and_a_member_accepts(page, live_server, browser):
    base, app = live_server.url, live_server.app
    case_id = 4  # the Olsen children in Nuuk
    with app.app_context():
        people = {m.name: m.id for m in db.session.scalars(
            select(NetworkMember).where(NetworkMember.case_id == case_id))}
        restricted = NetworkMember(case_id=case_id, name="Kaali Berthelsen", relation="other_relative",
                                   must_not_be_invited=True, restriction_reason="Voldsdom")
        db.session.add(restricted)
        db.session.commit()
        people["Kaali Berthelsen"] = restricted.id
    sign_in(page, base, "samordner@sermersooq.demo")
    page.goto(f"{base}/cases/{case_id}/conferences/")
    page.click("text=Aqqutissioqatigiinneq pilersaarusiuruk")
    page.fill("#day", "2027-02-10")
    page.fill("#start", "13:00")
    page.fill("#end", "16:00")
    page.fill("#town", "Nuuk")
    page.fill("#address", "Ilaqutariit Illuat")
    with page.expect_navigation():
        page.click("main form button.button-primary")
    meeting_url = page.url
    page.check("#done-consent")
    page.check("#done-venue")
    with page.expect_navigation():
        page.click("text=Misissuiffik toqqoruk")
    assert "2/9" in page.inner_text("main")

    for name in ("Ivalo Olsen", "Ane Olsen", "Paninnguaq Lund", "Kaali Berthelsen"):
        page.select_option("#who", value=f"m:{people[name]}")
        page.select_option("#role", "family")
        with page.expect_navigation():
            page.click("text=Allattorsimaffimmut ilanngutiguk")
    main = page.inner_text("main")
    assert "Kaali Berthelsen qaaqqusaassanngilaq: Voldsdom" in main  # refused, with the reason
    table = page.inner_text("main table")
    assert "Ivalo Olsen" in table and "Ane Olsen" in table and "Kaali Berthelsen" not in table

    with page.expect_navigation():
        page.click("text=Qaaqqusissutit nassiukkit")
    first = newest_mail_to(app, "aanaa@sermersooq.demo")
    assert first["Subject"].startswith("Qaaqqusissut: ataatsimiinneq")  # in Ane's language

    page.click("text=Piffissaq imaluunniit sumiiffik allanngortiguk")
    page.fill("#start", "14:00")
    page.fill("#end", "17:00")
    with page.expect_navigation():
        page.click("main form button.button-primary")
    update = newest_mail_to(app, "aanaa@sermersooq.demo")
    assert update["Subject"].startswith("Allanngortinneqarpoq:")
    assert "SEQUENCE:1" in update.get_body(("plain",)).get_content() or any(
        "SEQUENCE:1" in p.get_content() for p in update.walk() if p.get_content_type() == "text/calendar")

    link = re.search(r"http://\S+/rsvp/\S+", update.get_body(("plain",)).get_content()).group(0)
    link = link.replace(app.config["PUBLIC_URL"], base)
    family = browser.new_context(locale="kl-GL", viewport={"width": 375, "height": 800})
    phone = family.new_page()
    phone.goto(link)
    assert "nal. 14.00" in phone.inner_text("main")
    with phone.expect_navigation():
        phone.click("text=Peqataassaanga")
    assert "Qujanaq" in phone.inner_text("main")
    family.close()

    page.goto(meeting_url)
    assert "Peqataassaaq" in page.inner_text("main table")  # Ane is coming
