"""Who may see and change which case: the one place these rules live.

Staff see the cases of their own organisation only: administrators all of them,
coordinators and caseworkers those they are assigned to. A family member sees
only their own case, and only through the views made for them.
"""
from flask import abort, request
from flask_login import current_user
from sqlalchemy import false, or_, select

from fgc.cases.models import Case, FamilyAccess
from fgc.core import audit
from fgc.extensions import db


def can_view_case(user, case):
    if user is None or not user.is_authenticated or case.organisation_id != user.organisation_id:
        return False
    if user.is_admin:
        return True
    if user.is_family:
        access = db.session.get(FamilyAccess, user.id)
        return access is not None and access.case_id == case.id
    return user.id in (case.coordinator_id, case.caseworker_id)


def can_edit_case(user, case):
    return can_view_case(user, case) and user.is_staff and not user.is_admin


def can_create_case(user):
    return user.is_authenticated and (user.is_coordinator or user.is_caseworker)


def visible_cases(user):
    """A select() of the cases `user` may see; list pages build on it."""
    query = select(Case).where(Case.organisation_id == user.organisation_id)
    if user.is_admin:
        return query
    if user.is_family:
        return query.where(Case.id.in_(select(FamilyAccess.case_id).where(FamilyAccess.user_id == user.id)))
    if user.is_staff:
        return query.where(or_(Case.coordinator_id == user.id, Case.caseworker_id == user.id))
    return query.where(false())


def get_case_or_404(case_id, for_edit=False, options=()):
    """Load a case for the current user: 404 when they may not see it (its
    existence is not revealed), 403 when they may see it but not change it.
    Every successful load is audited."""
    case = db.session.get(Case, case_id, options=list(options))
    if case is None or not can_view_case(current_user, case):
        audit.record("access.refused", case=case, detail=f"{request.endpoint}:{case_id}", refused=True)
        abort(404)
    if for_edit and not can_edit_case(current_user, case):
        audit.record("access.refused", case=case, detail=request.endpoint, refused=True)
        abort(403)
    if request.method in ("GET", "HEAD"):
        # Changes are audited by the services that make them.
        audit.record("case.read", case=case, detail=request.endpoint)
    return case


def template_globals():
    return {"can_view_case": can_view_case, "can_edit_case": can_edit_case,
            "can_create_case": can_create_case}
