from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from fgc.auth.models import User
from fgc.cases import services
from fgc.cases.forms import CaseFilterForm, CaseForm, ChildForm, StateForm, WithdrawConsentForm
from fgc.cases.models import OPEN_STATES, STATE_LABELS, STATES, Case, Child
from fgc.cases.permissions import get_case_or_404, visible_cases
from fgc.core.errors import DomainError, EditConflict
from fgc.core.forms import lines, record_data
from fgc.extensions import db
from fgc.i18n import gettext as _
from fgc.security import CASEWORKER, COORDINATOR, ROLES, roles

bp = Blueprint("cases", __name__)

# Tabs on a case's pages: (endpoint, label). Higher domains add theirs at import,
# so this domain never imports them.
CASE_TABS = []


def register_case_tab(endpoint, label):
    if (endpoint, label) not in CASE_TABS:
        CASE_TABS.append((endpoint, label))


# Panels on the dashboard: functions (user) -> (template, context) or None, added
# by higher domains at import.
DASHBOARD_PANELS = []


def register_dashboard_panel(function):
    if function not in DASHBOARD_PANELS:
        DASHBOARD_PANELS.append(function)
    return function


# Where a family member's "/" leads; set by the domain that makes their page.
FAMILY_HOME = []


def register_family_home(endpoint):
    FAMILY_HOME[:] = [endpoint]


@bp.app_context_processor
def case_tabs():
    return {"case_tabs": CASE_TABS}

LIST_OPTIONS = (selectinload(Case.children), joinedload(Case.coordinator), joinedload(Case.caseworker))
DASHBOARD_ROWS = 50
DETAIL_OPTIONS = LIST_OPTIONS + (selectinload(Case.bottom_lines), selectinload(Case.questions),
                                 selectinload(Case.state_changes))


def _staff_choices(form):
    people = db.session.execute(
        select(User.id, User.name, User.role).where(
            User.organisation_id == current_user.organisation_id, User.active,
            User.role.in_((COORDINATOR, CASEWORKER))).order_by(User.name)).all()
    form.coordinator_id.choices = [(None, _("Not assigned yet"))] + [
        (p.id, p.name) for p in people if p.role == COORDINATOR]
    form.caseworker_id.choices = [(None, _("Choose"))] + [
        (p.id, p.name) for p in people if p.role == CASEWORKER]


def _case_values(form):
    return dict(
        children=form.children_data(),
        bottom_lines=lines(form.bottom_lines.data), questions=lines(form.questions.data),
        concern=form.concern.data.strip(),
        **{key: (getattr(form, key).data or "").strip() for key in (
            "resources_offered", "if_no_plan", "child_views", "professionals", "consent_given_by")},
        consent_date=form.consent_date.data,
        coordinator_id=form.coordinator_id.data, caseworker_id=form.caseworker_id.data,
    )


def _wants_another_child(form):
    if form.add_child.data and len(form.children.entries) < form.children.max_entries:
        form.children.append_entry()
        return True
    return False


@bp.route("/")
@roles(*ROLES)
def dashboard():
    if current_user.is_family:
        if FAMILY_HOME:
            return redirect(url_for(FAMILY_HOME[0]))
        return render_template("cases/family_home.html")
    visible = visible_cases(current_user)
    counts = dict(db.session.execute(visible.with_only_columns(Case.state, func.count()).group_by(Case.state)).all())
    # The open cases by state, a page of each (the rest in the case list); none for an administrator.
    listed = {} if current_user.is_admin else _open_cases_by_state(visible)
    users = db.session.scalar(select(func.count(User.id)).where(
        User.organisation_id == current_user.organisation_id)) if current_user.is_admin else 0
    panels = [panel for panel in (function(current_user) for function in DASHBOARD_PANELS) if panel]
    return render_template("cases/dashboard.html", counts=counts, total=sum(counts.values()), listed=listed,
                           state_labels=STATE_LABELS, users=users, panels=panels, rows=DASHBOARD_ROWS)


def _open_cases_by_state(visible):
    """{state: the newest DASHBOARD_ROWS open cases in it}, in the process's order, in one query
    however many states the cases are in."""
    newest_first = (Case.updated_at.desc(), Case.id.desc())
    ranked = visible.where(Case.state.in_(OPEN_STATES)).with_only_columns(
        Case.id, func.row_number().over(partition_by=Case.state, order_by=newest_first).label("rank")).subquery()
    cases = db.session.scalars(select(Case).join(ranked, ranked.c.id == Case.id)
                               .where(ranked.c.rank <= DASHBOARD_ROWS).options(*LIST_OPTIONS)
                               .order_by(*newest_first)).unique().all()
    by_state = {}
    for case in cases:
        by_state.setdefault(case.state, []).append(case)
    return {state: by_state[state] for state in OPEN_STATES if state in by_state}


@bp.route("/cases")
def case_list():
    form = CaseFilterForm(request.args)
    form.state.choices = [("", _("All states"))] + [(s, STATE_LABELS[s]) for s in STATES]
    query = visible_cases(current_user)
    if form.validate():
        if form.q.data:
            term = f"%{form.q.data.strip().lower()}%"
            query = query.where(or_(
                func.lower(Case.reference).like(term),
                Case.id.in_(select(Child.case_id).where(func.lower(Child.name).like(term)))))
        if form.state.data in STATES:
            query = query.where(Case.state == form.state.data)
    page = db.paginate(query.options(*LIST_OPTIONS).order_by(Case.updated_at.desc(), Case.id.desc()),
                       per_page=50, error_out=False)
    return render_template("cases/list.html", form=form, page=page, state_labels=STATE_LABELS)


@bp.route("/cases/new", methods=["GET", "POST"])
@roles(COORDINATOR, CASEWORKER)
def create():
    form = CaseForm()
    _staff_choices(form)
    if request.method == "GET" and current_user.is_caseworker:
        form.caseworker_id.data = current_user.id
    if request.method == "GET" and current_user.is_coordinator:
        form.coordinator_id.data = current_user.id
    if not _wants_another_child(form) and form.validate_on_submit():
        case = services.open_case(current_user.organisation_id, opened_by=current_user,
                                  **_case_values(form))
        db.session.commit()
        flash(_("The referral is saved as case %(reference)s.", reference=case.reference), "success")
        return redirect(url_for("cases.detail", case_id=case.id))
    return render_template("cases/form.html", form=form, case=None)


@bp.route("/cases/<int:case_id>")
def detail(case_id):
    case = get_case_or_404(case_id, options=DETAIL_OPTIONS)
    state_form = StateForm(version=case.version)
    state_form.to_state.choices = [(s, STATE_LABELS[s]) for s in case.next_states]
    return render_template("cases/detail.html", case=case, state_form=state_form,
                           withdraw_form=WithdrawConsentForm())


@bp.route("/cases/<int:case_id>/edit", methods=["GET", "POST"])
def edit(case_id):
    case = get_case_or_404(case_id, for_edit=True, options=DETAIL_OPTIONS)
    if request.method == "GET":
        form = CaseForm(data=record_data(
            CaseForm, case, children=[record_data(ChildForm, child) for child in case.children],
            bottom_lines="\n".join(b.text for b in case.bottom_lines),
            questions="\n".join(q.text for q in case.questions)))
    else:
        form = CaseForm()
    _staff_choices(form)
    if not _wants_another_child(form) and form.validate_on_submit():
        try:
            services.update_case(case, expected_version=form.version.data, changed_by=current_user,
                                 **_case_values(form))
            db.session.commit()
        except (EditConflict, StaleDataError) as error:
            db.session.rollback()
            case = get_case_or_404(case_id, for_edit=True, options=DETAIL_OPTIONS)
            form.form_errors.append(getattr(error, "message", None) or _(
                "Someone else changed this case while you were editing it. Your text is kept "
                "below: compare it with the case and save again."))
            form.version.data = case.version
            return render_template("cases/form.html", form=form, case=case), 409
        flash(_("The case is saved."), "success")
        return redirect(url_for("cases.detail", case_id=case.id))
    return render_template("cases/form.html", form=form, case=case)


@bp.route("/cases/<int:case_id>/state", methods=["POST"])
def change_state(case_id):
    case = get_case_or_404(case_id, for_edit=True)
    form = StateForm()
    form.to_state.choices = [(s, STATE_LABELS[s]) for s in case.next_states]
    if form.validate_on_submit():
        try:
            services.change_state(case, form.to_state.data, changed_by=current_user,
                                  effective_on=form.effective_on.data, expected_version=form.version.data,
                                  outcome=form.outcome.data, end_reason=form.end_reason.data or None)
            db.session.commit()
            flash(_("The case is now: %(state)s.", state=case.state_label), "success")
        except (DomainError, StaleDataError) as error:
            db.session.rollback()
            flash(getattr(error, "message", None) or _("The case was changed meanwhile. Try again."),
                  "error")
    else:
        flash(form.effective_on.errors[0] if form.effective_on.errors else _("Choose the state to move the case to."),
              "error")
    return redirect(url_for("cases.detail", case_id=case_id))


@bp.route("/cases/<int:case_id>/withdraw", methods=["POST"])
def withdraw(case_id):
    case = get_case_or_404(case_id, for_edit=True)
    form = WithdrawConsentForm()
    if form.validate_on_submit():
        try:
            services.withdraw_consent(case, withdrawn_on=form.withdrawn_on.data,
                                      changed_by=current_user)
            db.session.commit()
            flash(_("Consent is recorded as withdrawn. The case is stopped."), "success")
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
    else:
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
    return redirect(url_for("cases.detail", case_id=case_id))

