"""Mail that is never lost: an outbox written in the request's transaction,
delivered by a worker (`flask fgc send-mail`) with retries and back-off.

Messages are stored as the exact bytes to send, so an invitation's MIME
structure (text/calendar; method=REQUEST) survives untouched.
"""
import smtplib
from datetime import datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app, render_template
from sqlalchemy import Index, LargeBinary, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from fgc.core.models import UTCDateTime, utcnow
from fgc.extensions import db, mail
from fgc.i18n import in_locale

PENDING, SENT = "pending", "sent"
MAX_BACKOFF = timedelta(hours=6)


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    organisation_id: Mapped[int | None] = mapped_column(index=True)
    case_id: Mapped[int | None] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(40))
    sender: Mapped[str] = mapped_column(String(320))
    recipient: Mapped[str] = mapped_column(String(320))
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_delayed(self):
        return self.status == PENDING and self.attempts > 0


def new_message(to, subject):
    """An EmailMessage with the headers every fgc mail has."""
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain="fgc.invalid")
    return msg


def render_message(template, to, locale, subject, **context):
    """Render `templates/email/<template>.txt` (and .html) in the recipient's language."""
    with in_locale(locale):
        msg = new_message(to, str(subject))
        msg.set_content(render_template(f"email/{template}.txt", **context))
        msg.add_alternative(render_template(f"email/{template}.html", **context), subtype="html")
    return msg


def enqueue(msg, *, kind, organisation_id=None, case_id=None):
    """Put a message in the outbox; it is sent once the transaction commits."""
    entry = OutboxMessage(
        kind=kind,
        organisation_id=organisation_id,
        case_id=case_id,
        sender=msg["From"],
        recipient=msg["To"],
        # CRLF line endings, as SMTP requires: smtplib sends bytes as they are.
        raw=msg.as_bytes(policy=policy.SMTP),
    )
    db.session.add(entry)
    return entry


def backoff(attempts):
    """1, 2, 4, … minutes, at most six hours."""
    return min(timedelta(minutes=2 ** (attempts - 1)), MAX_BACKOFF)


def deliver_pending(now=None, limit=100):
    """Send what is due. Each message is committed as sent right after the SMTP
    server accepted it, so a crash cannot send it twice. Returns (sent, failed)."""
    now = now or utcnow()
    due = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.status == PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    sent = failed = 0
    if not due:
        db.session.commit()
        return sent, failed
    try:
        connection = mail.connect().__enter__()
    except (OSError, smtplib.SMTPException) as exc:
        for message in due:
            _failed(message, exc, now)
        db.session.commit()
        return 0, len(due)
    try:
        for message in due:
            try:
                connection.host.sendmail(message.sender, [message.recipient], message.raw)
            except (OSError, smtplib.SMTPException) as exc:
                _failed(message, exc, now)
                failed += 1
            else:
                message.status, message.sent_at = SENT, utcnow()
                message.attempts += 1
                sent += 1
            db.session.commit()
    finally:
        try:
            connection.__exit__(None, None, None)
        except (OSError, smtplib.SMTPException):
            pass
    return sent, failed


def _failed(message, exc, now):
    message.attempts += 1
    message.last_error = f"{type(exc).__name__}: {exc}"[:1000]
    message.next_attempt_at = now + backoff(message.attempts)


def public_url(path):
    """An absolute link for a mail, which is rendered outside any request."""
    return current_app.config["PUBLIC_URL"] + path

