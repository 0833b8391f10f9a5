"""The audit log: who read or changed which case, and when.

Entries name what was touched (kinds and ids), never the sensitive content
itself. `case_id` and `subject_id` are plain integers, not foreign keys, so the
trail outlives anything it speaks of.
"""
from datetime import datetime

from flask import g, has_request_context, request
from flask_login import current_user
from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from fgc.core.models import UTCDateTime, utcnow
from fgc.extensions import db


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_case_at", "case_id", "at"),
        Index("ix_audit_entries_subject", "subject_type", "subject_id"),
        Index("ix_audit_entries_user_at", "user_id", "at"),
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


def record(action, *, case=None, subject=None, detail=None, user=None, organisation_id=None):
    """Add an audit entry to the session; it is committed with the request's work.

    `subject` is any model instance with an id (a child, a network member, a
    user); its class name is kept as the subject type.
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
    db.session.add(entry)
    if has_request_context():
        g.audit_pending = True
    return entry


def init_app(app):
    @app.after_request
    def commit_reads(response):
        # A read has no commit of its own; its audit entry must not be lost.
        if g.pop("audit_pending", False) and response.status_code < 400:
            db.session.commit()
        return response
