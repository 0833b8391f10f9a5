"""Mail that can never be delivered: refused for good after one try, explained to
the person who can do something about it, and sent again after a correction."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from fgc.core.mail import OutboxMessage, deliver_pending, enqueue, new_message, utcnow
from fgc.extensions import db
from tests.conferences.test_invitations import invite, meeting  # noqa: F401 - the fixture
from tests.conftest import delivering_to
from tests.mail_server import RefusingInbox

REFUSED_DA = "blev afvist"


@pytest.fixture
def refusing_server(app):
    with delivering_to(app, RefusingInbox()) as server:
        yield server


def statuses():
    return [(m.recipient, m.status, m.attempts) for m in
            db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]


def test_a_550_ends_the_message_failed_after_one_try_and_the_coordinator_is_told(
        client, world, login_as, meeting, refusing_server, smtp_server):  # noqa: F811
    login_as(world.users["coordinator"])
    invite(client, world, meeting)
    app = client.application
    app.config["MAIL_PORT"] = refusing_server.port
    assert deliver_pending() == (0, 2)
    assert statuses() == [("birthe@example.dk", "failed", 1), ("ane@example.gl", "failed", 1)]
    # Never tried again, however long one waits.
    assert deliver_pending(now=utcnow() + timedelta(days=2)) == (0, 0)

    page = client.get(f"/cases/{world.case.id}/conferences/").get_data(as_text=True)
    assert page.count(REFUSED_DA) == 2
    assert "550" not in page and "User unknown" not in page  # no raw SMTP text

    # The address is corrected and the mail sent again, to the working server.
    birthe = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "birthe@example.dk"))
    url = f"/cases/{world.case.id}/conferences/mail/{birthe.id}/send-again"
    assert client.post(url, data={"address": "not an address"}).status_code == 302
    assert statuses()[0] == ("birthe@example.dk", "failed", 1)  # bad input changes nothing
    assert client.post(url, data={"address": "birthe.jensen@example.dk"}).status_code == 302
    app.config["MAIL_PORT"] = smtp_server.port
    assert deliver_pending() == (1, 0)
    [mail] = smtp_server.inbox.messages
    assert mail["To"] == "birthe.jensen@example.dk"
    assert "Birthe Jensen" in mail.get_body(("plain",)).get_content()
    page = client.get(f"/cases/{world.case.id}/conferences/").get_data(as_text=True)
    assert page.count(REFUSED_DA) == 1


def test_an_invalid_address_is_never_tried(app, smtp_server):
    msg = new_message("mormor.example.dk", "Møde")
    msg.set_content("x")
    enqueue(msg, kind="test")
    db.session.commit()
    assert deliver_pending() == (0, 1)
    assert statuses() == [("mormor.example.dk", "failed", 1)]
    assert smtp_server.inbox.raw == []


def test_the_administrator_sees_a_refused_password_link(client, world, login_as, refusing_server):
    from fgc.auth.services import send_password_link

    with client.application.test_request_context():
        send_password_link(world.users["caseworker"], "reset-password")
    db.session.commit()
    assert deliver_pending() == (0, 1)
    login_as(world.users["admin"])
    page = client.get("/admin/users").get_data(as_text=True)
    assert page.count(REFUSED_DA) == 1
    [message] = db.session.scalars(select(OutboxMessage)).all()
    url = f"/admin/mail/{message.id}/send-again"
    # Another municipality's administrator cannot touch it.
    client.post("/logout")
    login_as(world.outsiders["admin"])
    assert client.post(url, data={"address": "x@example.dk"}).status_code == 404
    client.post("/logout")
    login_as(world.users["admin"])
    assert client.post(url, data={"address": world.users["caseworker"].email}).status_code == 302
    assert statuses()[0][1:] == ("pending", 0)
