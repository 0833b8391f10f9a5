from datetime import timedelta

from sqlalchemy import select

from fgc.core.mail import OutboxMessage, deliver_pending, enqueue, new_message, utcnow
from fgc.extensions import db


def queue(to="mormor@example.dk"):
    msg = new_message(to, "Møde")
    msg.set_content("Der er et møde. ᐃᓄᒃᑎᑐᑦ æøå")
    entry = enqueue(msg, kind="test")
    db.session.commit()
    return entry


def test_mail_waits_while_the_smtp_server_is_down_and_is_delivered_exactly_once(app, smtp_server):
    entry = queue()
    smtp_server.stop()
    assert deliver_pending() == (0, 1)
    db.session.refresh(entry)
    assert entry.status == "pending" and entry.attempts == 1 and entry.last_error
    assert entry.next_attempt_at > utcnow()
    # Not retried before its time.
    smtp_server.start()
    assert deliver_pending() == (0, 0)
    later = utcnow() + timedelta(minutes=5)
    assert deliver_pending(now=later) == (1, 0)
    assert deliver_pending(now=later + timedelta(hours=1)) == (0, 0)
    assert len(smtp_server.inbox.messages) == 1
    db.session.refresh(entry)
    assert entry.status == "sent" and entry.sent_at is not None
    [mail] = smtp_server.inbox.messages
    assert "æøå" in mail.get_content()


def test_retries_back_off_up_to_six_hours(app):
    from fgc.core.mail import backoff

    assert [backoff(n) for n in (1, 2, 3)] == [timedelta(minutes=1), timedelta(minutes=2),
                                              timedelta(minutes=4)]
    assert backoff(30) == timedelta(hours=6)


def test_the_outbox_is_written_in_the_same_transaction_as_the_change(app):
    queue()
    db.session.rollback()
    msg = new_message("x@example.dk", "Møde")
    msg.set_content("x")
    enqueue(msg, kind="test")
    db.session.rollback()
    assert db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.recipient == "x@example.dk")) is None


def test_the_send_mail_command_delivers(app, smtp_server):
    queue()
    result = app.test_cli_runner().invoke(args=["fgc", "send-mail"])
    assert "sent 1," in result.output
    assert len(smtp_server.inbox.messages) == 1


def test_every_mail_has_date_message_id_and_auto_submitted_on_the_raw_bytes(app, smtp_server):
    from tests.mail_server import header_problems

    queue()
    deliver_pending()
    [(_from, _to, raw)] = smtp_server.inbox.raw
    assert header_problems(raw) == []
    # The check itself finds what was missing before: no Date, 8-bit bodies.
    assert {"no Date", "8-bit bytes", "no Auto-Submitted"} <= set(
        header_problems(b"From: a@b.dk\r\nMessage-ID: <1@fgc.test>\r\n\r\n\xc3\xa6\r\n"))
