"""Administrators read the audit log: for a case, for a person, for a user."""
from flask import Blueprint, abort, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from fgc.auth.models import User
from fgc.core.audit import AuditEntry
from fgc.extensions import db
from fgc.security import ADMIN, roles

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")

SUBJECT_TYPES = ("Child", "User", "NetworkMember")

# The log keeps codes; a person reads words.
ACTIONS = {
    "case.read": _l("Read the case"), "case.created": _l("Opened the case"), "case.updated": _l("Changed the referral"),
    "case.state": _l("Moved the case to another phase"), "case.consent_withdrawn": _l("Recorded that consent was withdrawn"),
    "member.added": _l("Added a person to the network"), "member.updated": _l("Changed a person in the network"),
    "member.removed": _l("Removed a person from the network"), "member.linked": _l("Linked two people"),
    "member.unlinked": _l("Removed a link between two people"),
    "conference.scheduled": _l("Scheduled a meeting"), "conference.changed": _l("Changed a meeting"),
    "conference.cancelled": _l("Cancelled a meeting"), "conference.checklist": _l("Updated the preparation"),
    "conference.invited": _l("Sent invitations"), "conference.held": _l("Recorded attendance"),
    "participant.added": _l("Invited a person"), "participant.removed": _l("Took a person off the list"),
    "participant.answered": _l("Answered an invitation"),
    "plan.recorded": _l("Recorded the plan"), "plan.updated": _l("Changed the plan"),
    "plan.revised": _l("Made a new version of the plan"), "plan.decided": _l("Accepted or refused the plan"),
    "plan.reviewed": _l("Recorded the follow-up"), "commitment.check_in": _l("Reported on a commitment"),
    "family_account.created": _l("Gave a family member an account"),
    "family_account.activated": _l("A family member activated their account"),
    "user.created": _l("Created a user"), "user.activated": _l("A user activated their account"),
    "password.set": _l("Set a password"),
}
SUBJECTS = {"Child": _l("Child"), "User": _l("User"), "NetworkMember": _l("Person in the network")}
# Which part of a case was read: the page's blueprint.
AREAS = {"cases": _l("The case"), "network": _l("The network"), "conferences": _l("Meetings"),
         "plans": _l("The plan"), "family": _l("The family's page")}


def action_label(entry):
    return ACTIONS.get(entry.action, _l("Other use"))


def area_label(entry):
    """For a read: the part of the case read; nothing otherwise (details are codes)."""
    if entry.action == "case.read" and entry.detail:
        return AREAS.get(entry.detail.split(".")[0], "")
    return ""


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
    return render_template("audit/entries.html", page=page, names=names, case_id=case_id, user_id=user_id,
                           subject=request.args.get("subject"), action_label=action_label, area_label=area_label,
                           subjects=SUBJECTS, zone=current_user.organisation.timezone)
