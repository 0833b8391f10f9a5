"""The audit log: who read or changed which case, and when.

Entries name what was touched (kinds and ids), never the sensitive content
itself. `case_id` and `subject_id` are plain integers, not foreign keys, so the
trail outlives anything it speaks of.
"""
from datetime import datetime, timedelta

from flask import current_app, g, has_request_context, request
from flask_login import current_user
from sqlalchemy import Index, String, delete
from sqlalchemy.orm import Mapped, mapped_column

from fgc.core.models import UTCDateTime, utcnow
from fgc.extensions import db


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_case_at", "case_id", "at"),
        Index("ix_audit_entries_subject", "subject_type", "subject_id"),
        Index("ix_audit_entries_user_at", "user_id", "at"),
        Index("ix_audit_entries_organisation_at", "organisation_id", "at"),  # the log, newest first
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    organisation_id: Mapped[int | None] = mapped_column(index=True)
    user_id: Mapped[int | None]
    action: Mapped[str] = mapped_column(String(40))
    case_id: Mapped[int | None]
    subject_type: Mapped[str | None] = mapped_column(String(40))
    subject_id: Mapped[int | None]
    # Names of changed fields, or the page that was read; never their values.
    detail: Mapped[str | None] = mapped_column(String(400))
    address: Mapped[str | None] = mapped_column(String(64))


MINIMUM_RETENTION_DAYS = 183  # six months


def record(action, *, case=None, subject=None, detail=None, user=None, organisation_id=None, refused=False):
    """Add an audit entry to the session; it is committed with the request's work.

    `subject` is any model instance with an id (a child, a network member, a
    user); its class name is kept as the subject type. A `refused` request (a 403 or
    404, a failed sign-in) has no work of its own: its entry is written after it,
    whatever its method and status.
    """
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user
    if organisation_id is None:
        organisation_id = getattr(case, "organisation_id", None) or getattr(user, "organisation_id", None)
    entry = AuditEntry(
        action=action,
        user_id=getattr(user, "id", None),
        organisation_id=organisation_id,
        case_id=getattr(case, "id", None),
        subject_type=type(subject).__name__ if subject is not None else None,
        subject_id=getattr(subject, "id", None),
        detail=(detail or "")[:400] or None,
        address=request.remote_addr if has_request_context() else None,
    )
    if is_reading() or (refused and has_request_context()):
        g.setdefault("audit_reads", []).append(entry)
    else:
        db.session.add(entry)
    return entry


def is_reading():
    """A GET or HEAD request that has not yet come to writing its audit entries: its
    transaction only reads (on SQLite it does not take the write lock; see fgc/__init__)."""
    return has_request_context() and request.method in ("GET", "HEAD") and not g.get("audit_writing")


def init_app(app):
    @app.after_request
    def commit_reads(response):
        # A read has no commit of its own; its audit entries must not be lost. They are
        # written in a short transaction of their own once the reading one has ended,
        # so pages are read side by side and only this write waits its turn.
        entries = g.pop("audit_reads", [])
        if entries and response.status_code < 500:
            if is_reading():
                db.session.commit()
            else:  # a refused change: whatever it began is not kept
                db.session.rollback()
            g.audit_writing = True
            db.session.add_all(entries)
            db.session.commit()
        return response


def prune(now=None):
    """Delete entries older than AUDIT_RETENTION_DAYS (at least six months are kept,
    as Danish logging practice asks). Returns how many were deleted."""
    days = max(int(current_app.config["AUDIT_RETENTION_DAYS"]), MINIMUM_RETENTION_DAYS)
    cutoff = (now or utcnow()) - timedelta(days=days)
    return db.session.execute(delete(AuditEntry).where(AuditEntry.at < cutoff)).rowcount

