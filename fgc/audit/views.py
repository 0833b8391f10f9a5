"""Administrators read the audit log: for a case, for a person, for a user."""
from flask import Blueprint, abort, render_template, request
from flask_login import current_user
from sqlalchemy import select

from fgc.auth.models import User
from fgc.core.audit import AuditEntry
from fgc.extensions import db
from fgc.security import ADMIN, roles

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")

SUBJECT_TYPES = ("Child", "User", "NetworkMember")


@bp.route("/")
@roles(ADMIN)
def entries():
    """Filtered by ?case=ID, ?user=ID (what someone did) or ?subject=Type:ID
    (who looked at a person's data)."""
    query = select(AuditEntry).where(AuditEntry.organisation_id == current_user.organisation_id)
    case_id = request.args.get("case", type=int)
    user_id = request.args.get("user", type=int)
    subject_type, _sep, subject_id = (request.args.get("subject") or "").partition(":")
    if case_id:
        query = query.where(AuditEntry.case_id == case_id)
    if user_id:
        query = query.where(AuditEntry.user_id == user_id)
    if subject_type:
        if subject_type not in SUBJECT_TYPES or not subject_id.isdigit():
            abort(404)
        query = query.where(AuditEntry.subject_type == subject_type,
                            AuditEntry.subject_id == int(subject_id))
    page = db.paginate(query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()),
                       per_page=100, error_out=False)
    user_ids = {entry.user_id for entry in page.items if entry.user_id}
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(user_ids))).all()) \
        if user_ids else {}
    return render_template("audit/entries.html", page=page, names=names,
                           case_id=case_id, user_id=user_id, subject=request.args.get("subject"))
