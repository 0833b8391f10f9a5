"""Person-entered text is plain text everywhere: names, reasons and notes full of
markup are shown as text on every page, in every message that names a person, in the
SVG diagrams and in the HTML of mails."""
from flask import url_for
from sqlalchemy import select

from fgc.core.mail import OutboxMessage
from fgc.extensions import db
from tests.conferences import factories as conferences
from tests.network.factories import member

HOSTILE = '<b>x</b><meta http-equiv="refresh" content="0;url=https://evil.example">'
TAGS = ("<b>x</b>", "<meta http-equiv")


def assert_plain(text, where):
    assert not any(tag in text for tag in TAGS), f"markup from a person's text in {where}"


def test_markup_typed_by_a_person_stays_text_in_every_page_message_svg_and_mail(app, client, world, login_as):
    case, coordinator = world.case, world.users["coordinator"]
    case.children[0].name = "Pipaluk " + HOSTILE
    case.concern = case.child_views = HOSTILE
    aunt = member(case, name="Moster " + HOSTILE, email="moster@example.gl")
    barred = member(case, name="Far " + HOSTILE, must_not_be_invited=True, restriction_reason="Dom " + HOSTILE)
    late = member(case, name="Oldefar " + HOSTILE, deceased=True)
    meeting = conferences.conference(case, coordinator, address="Vej " + HOSTILE, room=HOSTILE)
    db.session.commit()
    login_as(coordinator)
    seen = []

    def add(who):
        response = client.post(f"/cases/{case.id}/conferences/{meeting.id}/participants",
                               data={"who": f"m:{who.id}", "role": "family"}, follow_redirects=True)
        seen.append(response.get_data(as_text=True))
        return seen[-1]

    added = add(aunt)
    assert "Moster &lt;b&gt;x&lt;/b&gt;" in added  # the flash names her, as text
    for person in (aunt, barred, late):  # on the list already; must not be invited: reason; deceased
        assert "&lt;meta http-equiv" in add(person)
    client.post(f"/cases/{case.id}/conferences/{meeting.id}/invite", follow_redirects=True)

    with app.test_request_context():
        pages = [url_for(endpoint, case_id=case.id, **args) for endpoint, args in [
            ("cases.detail", {}), ("cases.edit", {}), ("network.members", {}), ("network.network_map", {}),
            ("network.network_map_svg", {}), ("network.genogram", {}), ("network.genogram_svg", {}),
            ("conferences.conferences", {}), ("conferences.detail", {"conference_id": meeting.id}),
            ("conferences.edit", {"conference_id": meeting.id}),
            ("plans.family_accounts", {})]]
        pages += [url_for("conferences.letter", case_id=case.id, conference_id=meeting.id, participant_id=p.id)
                  for p in meeting.participants]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert_plain(response.get_data(as_text=True), page)
    for text in seen:
        assert_plain(text, "a page after an action")

    mails = db.session.scalars(select(OutboxMessage)).all()
    assert mails, "the invitation was queued"
    from email import message_from_bytes, policy
    for mail in mails:
        for part in message_from_bytes(mail.raw, policy=policy.default).walk():
            if part.get_content_type() == "text/html":
                assert_plain(part.get_content(), f"the HTML of a mail to {mail.recipient}")


def test_markup_in_the_referral_and_the_plan_stays_text_on_staff_family_and_printed_pages(
        app, client, world, login_as):
    from datetime import date, timedelta

    from fgc.plans import services as plans
    from tests import factories
    from tests.plans import factories as plan_factories

    case = factories.case(world.org, world.users["coordinator"], world.users["caseworker"],
                          child_name="Malik " + HOSTILE, bottom_lines=["Aldrig " + HOSTILE],
                          questions=["Hvem " + HOSTILE], consent_given_by=HOSTILE, professionals=HOSTILE,
                          resources_offered=HOSTILE, if_no_plan=HOSTILE)
    family = factories.user(world.org, "family", email="mormor.malik@example.dk")
    granny = factories.family_account(family, case, name="Mormor " + HOSTILE)
    first = plan_factories.plan(case, world.users["coordinator"], state="accepted", contingency=HOSTILE,
                                answers=["Svar " + HOSTILE], resources=["Hjælp " + HOSTILE], commitments=[
        plan_factories.commitment(what="Hente " + HOSTILE, people=[granny], due=date.today() + timedelta(days=1),
                                  how_we_know=HOSTILE, checked_by=HOSTILE)])
    second = plans.revise(case, first, revised_by=world.users["coordinator"])
    second.contingency = "Ny " + HOSTILE
    db.session.commit()

    login_as(world.users["coordinator"])
    pages = [f"/cases/{case.id}", f"/cases/{case.id}/edit", f"/cases/{case.id}/plan/",
             f"/cases/{case.id}/plan/{first.id}", f"/cases/{case.id}/plan/{second.id}/edit",
             f"/cases/{case.id}/plan/{first.id}/print", f"/cases/{case.id}/plan/{first.id}/review",
             f"/cases/{case.id}/plan/compare?a={first.id}&b={second.id}", "/commitments", "/cases"]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert_plain(response.get_data(as_text=True), page)
    client.post("/logout")
    login_as(family)
    home = client.get("/family/").get_data(as_text=True)
    assert "Hente &lt;b&gt;x&lt;/b&gt;" in home
    assert_plain(home, "the family's page")
