"""Administrators read the audit log: for a case, for a person, for a user; and,
for a citizen's access request, who has used one person's data and when."""
from flask import Blueprint, abort, render_template, request
from flask_login import current_user
from sqlalchemy import and_, or_, select

from fgc.auth.models import User
from fgc.cases.models import Case, Child
from fgc.core import audit
from fgc.core.audit import AuditEntry
from fgc.core.downloads import csv_attachment
from fgc.core.models import as_id
from fgc.extensions import db
from fgc.i18n import format_datetime, lazy_gettext as _l
from fgc.network.models import NetworkMember
from fgc.security import ADMIN, ROLE_LABELS, roles

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")

SUBJECT_TYPES = ("Child", "User", "NetworkMember")

# The log keeps codes; a person reads words.
ACTIONS = {
    "report.exported": _l("Downloaded the report"),
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
    "password.set": _l("Set a password"), "user.deactivated": _l("Deactivated a user"),
    "mail.sent_again": _l("Sent a mail again"),
    "audit.person_report": _l("Listed who used a person's data"),
    "user.signed_in": _l("Signed in"), "user.signed_out": _l("Signed out"),
    "user.sign_in_failed": _l("A sign-in failed"), "user.locked_out": _l("Sign-in blocked after too many attempts"),
    "access.refused": _l("Was refused access"), "participant.link_opened": _l("Opened the answer link"),
    "calendar.fetched": _l("A calendar fetched the meetings"),
    "survey.cards": _l("Printed survey cards"),
    "two_factor.enrolled": _l("Turned on two-factor sign-in"),
    "two_factor.disabled": _l("Turned off two-factor sign-in"),
    "two_factor.recovery_code_used": _l("Signed in with a recovery code"),
    "two_factor.recovery_codes_renewed": _l("Got new recovery codes"),
    "two_factor.code_refused": _l("A sign-in code was refused"),
    "organisation.letterhead": _l("Changed the letterhead"),
    "organisation.settings": _l("Changed the organisation's settings"),
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
    case_id = request.args.get("case", type=as_id)
    user_id = request.args.get("user", type=as_id)
    subject_type, _sep, subject_id = (request.args.get("subject") or "").partition(":")
    if case_id:
        query = query.where(AuditEntry.case_id == case_id)
    if user_id:
        query = query.where(AuditEntry.user_id == user_id)
    if subject_type:
        if subject_type not in SUBJECT_TYPES or as_id(subject_id) is None:
            abort(404)
        query = query.where(AuditEntry.subject_type == subject_type,
                            AuditEntry.subject_id == as_id(subject_id))
    page = db.paginate(query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()),
                       per_page=50, error_out=False)
    user_ids = {entry.user_id for entry in page.items if entry.user_id}
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(user_ids))).all()) \
        if user_ids else {}
    return render_template("audit/entries.html", page=page, names=names, case_id=case_id, user_id=user_id,
                           subject=request.args.get("subject"), action_label=action_label, area_label=area_label,
                           subjects=SUBJECTS, zone=current_user.organisation.timezone,
                           person_kinds={subject_type: kind for kind, (_model, subject_type) in PEOPLE.items()})


# A child, or a person in a child's network: whose data a citizen may ask about.
PEOPLE = {"child": (Child, "Child"), "member": (NetworkMember, "NetworkMember")}
PERSON_KINDS = {"child": _l("Child"), "member": _l("Person in the network")}


@bp.route("/people")
@roles(ADMIN)
def people():
    """Find the child or network member a citizen's access request is about."""
    query = (request.args.get("q") or "").strip()[:200]
    found = []
    if query:
        for kind, (model, _type) in PEOPLE.items():
            rows = db.session.execute(
                select(model, Case.reference).join(Case, Case.id == model.case_id)
                .where(Case.organisation_id == current_user.organisation_id,
                       model.name.icontains(query, autoescape=True))
                .order_by(model.name, model.id).limit(50)).all()
            found += [(kind, person, reference) for person, reference in rows]
    return render_template("audit/people.html", query=query, found=found, kinds=PERSON_KINDS)


def _person_or_404(kind, person_id):
    model, _type = PEOPLE[kind]
    person = db.session.get(model, person_id)
    if person is None or db.session.get(Case, person.case_id).organisation_id != current_user.organisation_id:
        abort(404)
    return person


def person_uses(kind, person):
    """A select() of every use of the person's data, newest first: what was done to them, and every
    read of their case (a child's whole case is about them; a network member shows on
    its pages from the day they were added)."""
    _model, subject_type = PEOPLE[kind]
    if kind == "child":
        about_case = AuditEntry.case_id == person.case_id
    else:
        about_case = and_(AuditEntry.case_id == person.case_id, AuditEntry.action == "case.read",
                          AuditEntry.at >= person.created_at)
    return (select(AuditEntry).where(
        AuditEntry.organisation_id == current_user.organisation_id,
        or_(and_(AuditEntry.subject_type == subject_type, AuditEntry.subject_id == person.id), about_case))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()))


@bp.route("/people/<any(child, member):kind>/<int:person_id>")
@roles(ADMIN)
def person_report(kind, person_id):
    """Who used this person's data and when: a page, or `?format=csv` to hand over."""
    person = _person_or_404(kind, person_id)
    as_csv = request.args.get("format") == "csv"
    page = None if as_csv else db.paginate(person_uses(kind, person), per_page=50, error_out=False)
    uses = db.session.scalars(person_uses(kind, person)).all() if as_csv else page.items
    users = {user.id: user for user in db.session.scalars(
        select(User).where(User.id.in_({use.user_id for use in uses if use.user_id})))}
    zone = current_user.organisation.timezone
    rows = [(format_datetime(use.at, zone, style="short"),
             users[use.user_id].name if use.user_id in users else "–",
             str(ROLE_LABELS.get(users[use.user_id].role, "")) if use.user_id in users else "",
             str(action_label(use)), str(area_label(use))) for use in uses]
    audit.record("audit.person_report", subject=person, detail=request.args.get("format") or "page")
    if as_csv:  # the whole report, to hand over
        return _csv_download(rows, f"access-{kind}-{person.id}.csv")
    reference = db.session.get(Case, person.case_id).reference
    return render_template("audit/person.html", person=person, kind_label=PERSON_KINDS[kind], kind=kind,
                           reference=reference, rows=rows, page=page)


def _csv_download(rows, filename):
    return csv_attachment((_l("When"), _l("Who"), _l("Role"), _l("What"), _l("Part of the case")), rows, filename)
