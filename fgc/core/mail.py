"""Mail that is never lost and sent once: an outbox written in the request's
transaction, delivered by any number of workers (`flask fgc send-mail`) with
retries and back-off.

Messages are stored as the exact bytes to send, so an invitation's MIME
structure (text/calendar; method=REQUEST) survives untouched, and each message
keeps the one Message-ID it was given when it was queued.

Exactly once, by design: a worker first *claims* a message, committing a lease
(`claimed_until`) before it talks to SMTP, so no other worker can take it; it
sends, then marks it sent in a transaction of its own. A worker that dies while
holding a claim only delays that message until the lease runs out. One window
cannot be closed by any outbox: a crash (or lost database) after the SMTP
server accepted the message and before "sent" was committed sends it again once
the lease has run out. The second copy carries the same Message-ID, by which
mail servers and clients recognise and drop duplicates.
"""
import logging
import re
import smtplib
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from urllib.parse import urlsplit

from flask import current_app, render_template
from sqlalchemy import Index, LargeBinary, String, Text, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column


from fgc.core.errors import DomainError
from fgc.core.models import UTCDateTime, utcnow
from fgc.extensions import db
from fgc.i18n import in_locale, lazy_gettext as _l

log = logging.getLogger(__name__)

PENDING, SENT, FAILED = "pending", "sent", "failed"
MAX_BACKOFF = timedelta(hours=6)
# Bodies are encoded to 7-bit (quoted-printable or base64) when they are built:
# every SMTP server accepts that, with or without 8BITMIME.
MAIL_POLICY = policy.default.clone(cte_type="7bit")
# A plain address: something@domain.tld, no spaces. Anything else is never tried.
ADDRESS = re.compile(r"[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;.]+")


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
    # A worker's lease: while it is in the future, no other worker takes the message.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_delayed(self):
        return self.status == PENDING and self.attempts > 0

    @property
    def is_failed(self):
        return self.status == FAILED


def new_message(to, subject):
    """An EmailMessage with the headers every fgc mail has."""
    msg = EmailMessage(policy=MAIL_POLICY)
    msg["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(utcnow())
    # Stored with the message: a second delivery (see the module's docstring) has the same id.
    msg["Message-ID"] = make_msgid(domain=urlsplit(current_app.config["PUBLIC_URL"]).hostname
                                   or "fgc.invalid")
    # No out-of-office replies or auto-forwards loops (RFC 3834).
    msg["Auto-Submitted"] = "auto-generated"
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


def _due(now):
    return (OutboxMessage.status == PENDING, OutboxMessage.next_attempt_at <= now,
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now))


def claim_next(now):
    """The next due message, claimed for this worker with a committed lease; None
    when nothing is due. PostgreSQL skips rows another worker is claiming; on
    SQLite (and as the final word on both) the conditional UPDATE decides: only
    one worker's UPDATE finds the message still unclaimed."""
    lease = timedelta(seconds=current_app.config["MAIL_CLAIM_SECONDS"])
    postgres = db.engine.dialect.name == "postgresql"
    while True:
        query = select(OutboxMessage.id).where(*_due(now)).order_by(OutboxMessage.id).limit(1)
        candidate = db.session.scalar(query.with_for_update(skip_locked=True) if postgres else query)
        if candidate is None:
            db.session.commit()
            return None
        claimed = db.session.execute(
            update(OutboxMessage).where(OutboxMessage.id == candidate, *_due(now))
            .values(claimed_until=now + lease).execution_options(synchronize_session=False)
        ).rowcount
        db.session.commit()
        if claimed:
            return db.session.get(OutboxMessage, candidate)


def deliver_pending(now=None, limit=100):
    """Send what is due, one claimed message at a time. Returns (sent, not sent):
    not sent counts messages waiting for a retry and those that failed for good."""
    sent = failed = 0
    connection = unreachable = None
    try:
        for _ in range(limit):
            moment = now or utcnow()
            message = claim_next(moment)
            if message is None:
                break
            failed += 1
            if not ADDRESS.fullmatch(message.recipient):
                _give_up(message, "invalid address")
                continue
            if unreachable is not None:
                # The server is down: every due message waits for its retry (and shows as delayed).
                _retry_later(message, unreachable, moment)
                continue
            envelope = message.sender, [message.recipient], message.raw
            # No transaction stays open while SMTP talks: on SQLite it would hold the
            # write lock, and the other workers could claim nothing until it ended.
            db.session.commit()
            try:
                connection = connection or _connect()
                connection.sendmail(*envelope)
            except (OSError, smtplib.SMTPException) as exc:
                if connection is None:
                    unreachable = exc
                if _is_permanent(exc):
                    _give_up(message, f"{type(exc).__name__}: {exc}")
                    connection = _reset(connection) if connection else None
                else:
                    _retry_later(message, exc, moment)
                    _close(connection)  # in doubt after an error: the next message reconnects
                    connection = None
                continue
            message.status, message.sent_at, message.claimed_until = SENT, utcnow(), None
            message.attempts += 1
            db.session.commit()
            sent, failed = sent + 1, failed - 1
    finally:
        _close(connection)
    return sent, failed


def _is_permanent(exc):
    """5xx for the recipient or the message: the same mail will never be accepted.
    (A refused sender is our own configuration and is retried.)"""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _text in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPDataError) and exc.smtp_code >= 500


def _connect():
    """An SMTP session with a timeout, so a server that stops answering cannot hold a
    worker (and its claim) for ever."""
    config = current_app.config
    connection = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"])
    try:
        if config["MAIL_USE_TLS"]:
            connection.starttls()
        if config["MAIL_USERNAME"] and config["MAIL_PASSWORD"]:
            connection.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    except BaseException:
        _close(connection)
        raise
    return connection


def _reset(connection):
    """After a refused message, the session is reset for the next one."""
    try:
        connection.rset()
        return connection
    except (OSError, smtplib.SMTPException):
        _close(connection)
        return None


def _close(connection):
    if connection is not None:
        try:
            connection.quit()
        except (OSError, smtplib.SMTPException):
            connection.close()


def _retry_later(message, exc, now):
    message.attempts += 1
    message.last_error = f"{type(exc).__name__}: {exc}"[:1000]
    message.next_attempt_at = now + backoff(message.attempts)
    message.claimed_until = None
    db.session.commit()
    log.warning("mail %s to be retried: %s", message.id, message.last_error)


def _give_up(message, error):
    message.attempts += 1
    message.status, message.last_error, message.claimed_until = FAILED, error[:1000], None
    db.session.commit()
    log.warning("mail %s failed for good: %s", message.id, message.last_error)


def undelivered(*where):
    """Mail that someone should know about: refused for good, or waiting for a retry."""
    return db.session.scalars(select(OutboxMessage).where(
        *where, or_(OutboxMessage.status == FAILED,
                    (OutboxMessage.status == PENDING) & (OutboxMessage.attempts > 0)))
        .order_by(OutboxMessage.id)).all()


def send_again(message, address):
    """Queue a refused or delayed message again, to `address` (corrected, or the same
    once the recipient's mailbox works). Raises DomainError for an address that is
    not one."""
    address = (address or "").strip()
    if not ADDRESS.fullmatch(address):
        raise DomainError(_l("Enter a valid e-mail address, e.g. name@example.dk."))
    if address != message.recipient:
        parsed = message_from_bytes(message.raw, policy=policy.SMTP)
        del parsed["To"]
        parsed["To"] = address
        message.raw, message.recipient = parsed.as_bytes(policy=policy.SMTP), address
    # A claim (a worker sending it right now) is left alone: clearing it could send it twice.
    message.status, message.next_attempt_at = PENDING, utcnow()
    message.attempts, message.last_error = 0, None
    db.session.flush()


def public_url(path):
    """An absolute link for a mail, which is rendered outside any request."""
    return current_app.config["PUBLIC_URL"] + path


def printed_address(path):
    """A public address as it is printed for a person to type: without "https://"."""
    return re.sub(r"^https?://", "", public_url(path))
