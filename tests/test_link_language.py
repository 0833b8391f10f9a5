"""Every page reached by a link in a mail or a letter opens in the recipient's
language: the link carries it, whatever the browser asks for, and the pages it leads
on to keep it until the language switch changes it."""
import re
from datetime import date, timedelta
from email import message_from_bytes, policy

from sqlalchemy import select

from fgc.auth import services as auth
from fgc.conferences import services as conferences
from fgc.core.mail import OutboxMessage
from fgc.extensions import db
from fgc.plans import services as plans
from fgc.plans.models import FamilyAccount
from tests import factories
from tests.conferences import factories as meetings
from tests.network import factories as network
from tests.plans import factories as plan_factories


def link_in_mail(kind):
    raw = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)).all()[-1].raw
    text = message_from_bytes(raw, policy=policy.default).get_body(("plain",)).get_content()
    return re.search(r"http://fgc\.test(\S+)", text).group(1)


def opens_in_greenlandic(client, path):
    page = client.get(path, headers={"Accept-Language": "da"})
    return page.status_code == 200 and '<html lang="kl"' in page.get_data(as_text=True)


def test_each_kind_of_link_opens_in_the_recipients_language(app, client, world, login_as):
    case, coordinator = world.case, world.users["coordinator"]
    ane = network.member(case, "Ane Olsen", email="ane@example.gl", language="kl")
    meeting = meetings.conference(case, coordinator)
    conferences.add_member(case, meeting, ane, "family", added_by=coordinator)
    account = factories.user(world.org, "family", locale="kl", email="ane.account@example.gl")
    db.session.add(FamilyAccount(user_id=account.id, member_id=ane.id))  # she can open the plan in fgc
    plan = plan_factories.plan(case, coordinator, conference_id=meeting.id, commitments=[
        plan_factories.commitment(people=[ane], due=date.today() + timedelta(days=1))], state="accepted")
    staff = factories.user(world.org, "caseworker", locale="kl")
    with app.test_request_context():  # as when a coordinator or caseworker does it
        conferences.send_invitations(case, meeting, sent_by=coordinator)
        plans._distribute(case, plan)
        auth.send_password_link(staff, auth.ACTIVATE)
    plans.due_reminders(date.today())  # from the command, outside any request
    db.session.commit()

    answer_link = link_in_mail("invitation")
    assert opens_in_greenlandic(client, answer_link)
    with client.session_transaction() as session:
        assert session["locale"] == "kl"  # the pages it leads on to keep it
    assert opens_in_greenlandic(client, "/login")
    client.post("/language", data={"language": "da", "next": "/login"})  # the switch still works
    assert '<html lang="da"' in client.get("/login").get_data(as_text=True)
    # Switched on the page the link opened, the link's own language does not come back.
    switched = client.post("/language", data={"language": "da", "next": answer_link})
    assert "lang=" not in switched.headers["Location"]
    assert '<html lang="da"' in client.get(switched.headers["Location"]).get_data(as_text=True)

    for kind in ("plan_ready", "reminder"):
        path = link_in_mail(kind)
        assert "lang=kl" in path, kind
        assert '<html lang="kl"' in client.get(path, follow_redirects=True).get_data(as_text=True), kind
    assert opens_in_greenlandic(client, link_in_mail("activate-account"))


def test_the_printed_code_letter_links_to_activation_in_the_members_language(client, world, login_as):
    aviaja = network.member(world.case, "Aviaja Kleist", language="kl")
    db.session.commit()
    login_as(world.users["coordinator"])
    letter = client.post(f"/cases/{world.case.id}/plan/family", data={"member_id": aviaja.id}).get_data(as_text=True)
    path = re.search(r"http://[^/\s]+(/family/activate\?lang=kl)", letter).group(1)
    client.post("/logout")
    assert opens_in_greenlandic(client, path)
