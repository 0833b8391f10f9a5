from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from fgc.cases.models import OPEN_STATES, Case
from fgc.cases.permissions import get_case_or_404, visible_cases
from fgc.cases.views import register_case_tab
from fgc.conferences.models import Conference, Participant
from fgc.core.errors import DomainError, EditConflict
from fgc.core.forms import NUL_MESSAGE, holds_nul, lines, record_data
from fgc.extensions import db
from fgc.i18n import gettext as _, in_locale, lazy_gettext as _l, to_zone
from fgc.network.models import NetworkMember
from fgc.network.services import may_reach, members_of
from fgc.plans import rules, services
from fgc.plans.forms import (VERDICT_CHOICES, CheckInForm, CommitmentForm, DecisionForm, FamilyAccountForm,
                             PlanForm, ReviewForm)
from fgc.plans.models import PLAN_STATES, Commitment, FamilyAccount, FamilyPlan
from fgc.security import CASEWORKER, COORDINATOR, roles

bp = Blueprint("plans", __name__)
register_case_tab("plans.overview", _l("Family's plan"))
PREFIX = "/cases/<int:case_id>/plan"
CASE_OPTIONS = (selectinload(Case.questions), selectinload(Case.bottom_lines), selectinload(Case.children))


@bp.app_context_processor
def plan_helpers():
    return {"plan_states": PLAN_STATES}


def _plan_or_404(case, plan_id):
    plan = db.session.get(FamilyPlan, plan_id, options=list(services.PLAN_OPTIONS))
    if plan is None or plan.case_id != case.id:
        abort(404)
    return plan


def _choices(form, case):
    people = members_of(case)
    for entry in form.commitments.entries:
        entry.form.people.choices = [(m.id, m.name) for m in people]
    form.monitor_id.choices = [(None, _("Not chosen"))] + [(m.id, m.name) for m in people]


def _answers(form, case):
    """One answer field per question of the case, whatever was posted."""
    del form.answers.entries[len(case.questions):]
    while len(form.answers.entries) < len(case.questions):
        form.answers.append_entry("")


def _values(form, case):
    return dict(
        language=form.language.data, contingency=(form.contingency.data or "").strip(),
        monitor_id=form.monitor_id.data, review_date=form.review_date.data,
        answers=[(e.data or "").strip() for e in form.answers.entries][:len(case.questions)],
        resources=lines(form.resources.data),
        commitments=[{**{k: (v.strip() if isinstance(v, str) else v) for k, v in e.form.data.items()}}
                     for e in form.commitments.entries if not e.form.is_blank()],
        conference_id=_last_held_conference(case),
    )


def _last_held_conference(case):
    return db.session.scalar(select(Conference.id).where(Conference.case_id == case.id, Conference.state == "held")
                             .order_by(Conference.starts_at.desc()).limit(1))


def _wants_another(form):
    if form.add_commitment.data and len(form.commitments.entries) < form.commitments.max_entries:
        form.commitments.append_entry()
        return True
    return False


@bp.route(PREFIX + "/")
def overview(case_id):
    case = get_case_or_404(case_id, options=CASE_OPTIONS)
    plans = services.plan_headers(case)  # the older versions are listed; only the newest is shown
    current = services.current_plan(case.id) if plans else None
    accounts = db.session.scalars(select(FamilyAccount).join(FamilyAccount.member)
                                  .where(NetworkMember.case_id == case.id)).all()
    return render_template("plans/overview.html", case=case, plans=plans, current=current,
                           today=date.today(), rules=rules, accounts=accounts,
                           check_in_form=CheckInForm())


@bp.route(PREFIX + "/new", methods=["GET", "POST"])
@roles(COORDINATOR, CASEWORKER)
def record(case_id):
    case = get_case_or_404(case_id, for_edit=True, options=CASE_OPTIONS)
    form = PlanForm()
    if request.method == "GET":
        form.review_date.data = rules.proposed_review_date(date.today())
        form.language.data = "kl" if current_user.organisation.country == "GL" else "da"
    _answers(form, case)
    _choices(form, case)
    if not _wants_another(form) and form.validate_on_submit():
        plan = services.record_plan(case, _values(form, case), recorded_by=current_user)
        db.session.commit()
        flash(_("The plan is recorded as version %(number)s. The caseworker decides on it.", number=plan.number), "success")
        return redirect(url_for("plans.show", case_id=case.id, plan_id=plan.id))
    _choices(form, case)
    return render_template("plans/form.html", case=case, form=form, plan=None)


@bp.route(PREFIX + "/<int:plan_id>")
def show(case_id, plan_id):
    case = get_case_or_404(case_id, options=CASE_OPTIONS)
    plan = _plan_or_404(case, plan_id)
    conference = db.session.get(Conference, plan.conference_id, options=[selectinload(Conference.participants)]) \
        if plan.conference_id else None
    mailed, on_paper = services.plan_readers(plan) if plan.state == "accepted" else ([], [])
    return render_template("plans/show.html", case=case, plan=plan, today=date.today(), rules=rules,
                           conference=conference, mailed=mailed, on_paper=on_paper)


@bp.route(PREFIX + "/<int:plan_id>/edit", methods=["GET", "POST"])
@roles(COORDINATOR, CASEWORKER)
def edit(case_id, plan_id):
    case = get_case_or_404(case_id, for_edit=True, options=CASE_OPTIONS)
    plan = _plan_or_404(case, plan_id)
    if request.method == "GET":
        by_question = {a.question_id: a.text for a in plan.answers}
        form = PlanForm(data=record_data(
            PlanForm, plan, resources="\n".join(r.text for r in plan.resources),
            answers=[by_question.get(q.id, "") for q in case.questions],
            commitments=[record_data(CommitmentForm, c, people=[p.id for p in c.people])
                         for c in plan.commitments] or [{}]))
    else:
        form = PlanForm()
    _answers(form, case)
    _choices(form, case)
    if not _wants_another(form) and form.validate_on_submit():
        try:
            services.update_plan(case, plan, _values(form, case), expected_version=form.version.data,
                                 changed_by=current_user)
            db.session.commit()
            flash(_("The plan is saved."), "success")
            return redirect(url_for("plans.show", case_id=case.id, plan_id=plan.id))
        except (EditConflict, StaleDataError) as error:
            db.session.rollback()
            plan = _plan_or_404(case, plan_id)
            form.form_errors.append(getattr(error, "message", None) or _(
                "Someone else changed this plan while you were editing it. Your text is kept below: "
                "compare it with the plan and save again."))
            form.version.data = plan.version
            _choices(form, case)
            return render_template("plans/form.html", case=case, form=form, plan=plan), 409
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(error.message)
    _choices(form, case)
    return render_template("plans/form.html", case=case, form=form, plan=plan)


@bp.route(PREFIX + "/<int:plan_id>/decide", methods=["GET", "POST"])
@roles(CASEWORKER)
def decide(case_id, plan_id):
    case = get_case_or_404(case_id, for_edit=True, options=CASE_OPTIONS)
    plan = _plan_or_404(case, plan_id)
    form = DecisionForm(version=plan.version) if request.method == "GET" else DecisionForm()
    if form.validate_on_submit():
        decisions = {r.id: request.form.get(f"resource-{r.id}") for r in plan.resources}
        try:
            services.decide(case, plan, accepted=form.decision.data == "accepted", reason=form.reason.data,
                            resource_decisions=decisions, expected_version=form.version.data,
                            decided_by=current_user)
            db.session.commit()
            told = _("The decision is recorded.")
            if plan.state == "accepted":
                mailed, on_paper = services.plan_readers(plan)
                told += " " + _("Told by e-mail that the plan is ready: %(num)d.", num=len(mailed))
                if on_paper:
                    told += " " + _("To hand out on paper (see the plan's page): %(names)s.",
                                    names=", ".join(p.name for p in on_paper))
            flash(told, "success")
            return redirect(url_for("plans.show", case_id=case.id, plan_id=plan.id))
        except (DomainError, StaleDataError) as error:
            db.session.rollback()
            plan = _plan_or_404(case, plan_id)
            form.form_errors.append(getattr(error, "message", None) or _("The plan was changed meanwhile. Try again."))
    return render_template("plans/decide.html", case=case, plan=plan, form=form, today=date.today(), rules=rules)


@bp.route(PREFIX + "/<int:plan_id>/revise", methods=["POST"])
@roles(COORDINATOR, CASEWORKER)
def revise(case_id, plan_id):
    case = get_case_or_404(case_id, for_edit=True, options=CASE_OPTIONS)
    plan = _plan_or_404(case, plan_id)
    new = services.revise(case, plan, revised_by=current_user)
    db.session.commit()
    flash(_("Version %(number)s is made. The earlier versions stay as they were.", number=new.number), "success")
    return redirect(url_for("plans.edit", case_id=case.id, plan_id=new.id))


@bp.route(PREFIX + "/compare")
def compare(case_id):
    case = get_case_or_404(case_id, options=CASE_OPTIONS)
    versions = services.plans_of(case)
    plans = {p.id: p for p in versions}
    if "a" in request.args or "b" in request.args:
        older, newer = plans.get(request.args.get("a", type=int)), plans.get(request.args.get("b", type=int))
        if older is None or newer is None:
            abort(404)
    elif len(versions) >= 2:
        older, newer = versions[-2], versions[-1]  # by default, the two newest
    else:
        return render_template("plans/compare.html", case=case, older=None, newer=None, rows=[])

    def sections(plan):
        result = {_("Answer: %(question)s", question=a.question_text): a.text for a in plan.answers}
        for c in plan.commitments:
            result[_("Commitment %(number)s", number=c.position + 1)] = " · ".join(
                part for part in (c.what, c.who, c.when_text, c.how_we_know) if part)
        result[_("If it does not work, then…")] = plan.contingency
        result[_("Resources asked of the municipality")] = "; ".join(r.text for r in plan.resources)
        return result

    return render_template("plans/compare.html", case=case, older=older, newer=newer,
                           rows=rules.compare(sections(older), sections(newer)))


@bp.route(PREFIX + "/<int:plan_id>/print")
def print_plan(case_id, plan_id):
    """A4 for paper: headings in the reader's language, the plan as written."""
    case = get_case_or_404(case_id, options=CASE_OPTIONS)
    plan = _plan_or_404(case, plan_id)
    return render_template("plans/print.html", case=case, plan=plan, today=date.today(), rules=rules)


@bp.route(PREFIX + "/<int:plan_id>/handout/<int:participant_id>")
def handout(case_id, plan_id, participant_id):
    """A plan on paper for one person invited to its conference, in their language,
    under the municipality's letterhead: what they would see in fgc."""
    case = get_case_or_404(case_id, options=CASE_OPTIONS)
    plan = _plan_or_404(case, plan_id)
    participant = db.session.get(Participant, participant_id)
    if participant is None or participant.conference_id != plan.conference_id:
        abort(404)
    if not participant.reachable:
        flash(_("No handout for %(name)s: fgc may not reach them (a restriction, deceased, or no longer "
                "in the network).", name=participant.name), "error")
        return redirect(url_for("plans.show", case_id=case.id, plan_id=plan.id))
    conference = db.session.get(Conference, plan.conference_id)
    with in_locale(participant.language):
        body = render_template("plans/_handout.html", case=case, plan=plan, participant=participant,
                               conference=conference, organisation=current_user.organisation, today=date.today(),
                               rules=rules, held_on=to_zone(conference.starts_at, conference.timezone).date())
    return render_template("plans/handout.html", case=case, plan=plan, participant=participant,
                           body=Markup(body))


@bp.route(PREFIX + "/commitments/<int:commitment_id>/check-in", methods=["POST"])
def staff_check_in(case_id, commitment_id):
    case = get_case_or_404(case_id, for_edit=True)
    commitment = db.session.get(Commitment, commitment_id)
    if commitment is None or commitment.plan.case_id != case.id:
        abort(404)
    form = CheckInForm()
    if form.validate_on_submit():
        services.check_in(case, commitment, status=form.status.data, note=form.note.data,
                          by_name=current_user.name, by_user=current_user)
        db.session.commit()
        flash(_("The check-in is saved."), "success")
    else:
        flash(_("Choose one of the options."), "error")
    return redirect(url_for("plans.overview", case_id=case.id))


@bp.route(PREFIX + "/<int:plan_id>/review", methods=["GET", "POST"])
@roles(COORDINATOR, CASEWORKER)
def review(case_id, plan_id):
    case = get_case_or_404(case_id, for_edit=True, options=CASE_OPTIONS)
    plan = _plan_or_404(case, plan_id)
    form = ReviewForm()
    errors = []
    if form.validate_on_submit():
        verdicts = {c.id: request.form.get(f"verdict-{c.id}") for c in plan.commitments}
        notes = {c.id: (request.form.get(f"note-{c.id}") or "")[:10_000] for c in plan.commitments}
        if any(v not in dict(VERDICT_CHOICES) for v in verdicts.values()):
            errors.append(_("Judge every commitment: kept, partly kept or not kept."))
        elif holds_nul(*notes.values()):
            errors.append(str(NUL_MESSAGE))
        else:
            follow_up = db.session.scalar(select(Conference.id).where(
                Conference.case_id == case.id, Conference.kind == "follow_up").order_by(Conference.starts_at.desc()))
            try:
                _record, new = services.review(
                    case, plan, conference_id=follow_up, verdicts=verdicts, notes=notes,
                    living_situation=form.living_situation.data, next_step=form.next_step.data,
                    note=form.note.data, reviewed_by=current_user)
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                errors.append(error.message)
            else:
                flash(_("The review is saved."), "success")
                if new is not None:
                    return redirect(url_for("plans.edit", case_id=case.id, plan_id=new.id))
                if form.next_step.data == "follow_up":
                    return redirect(url_for("conferences.schedule", case_id=case.id, kind="follow_up"))
                return redirect(url_for("plans.overview", case_id=case.id))
    return render_template("plans/review.html", case=case, plan=plan, form=form, verdicts=VERDICT_CHOICES,
                           errors=errors)


@bp.route(PREFIX + "/family", methods=["GET", "POST"])
@roles(COORDINATOR, CASEWORKER)
def family_accounts(case_id):
    case = get_case_or_404(case_id, for_edit=request.method == "POST")
    # Accounts of people who have left the network stay listed: suspended, not hidden.
    accounts = {a.member_id: a for a in db.session.scalars(
        select(FamilyAccount).join(NetworkMember, NetworkMember.id == FamilyAccount.member_id)
        .where(NetworkMember.case_id == case.id))}
    people = members_of(case)
    people += [a.member for a in accounts.values() if a.member.removed_at is not None]
    form = FamilyAccountForm()
    form.member_id.choices = [(m.id, m.name) for m in people if m.id not in accounts and may_reach(m)]
    if form.validate_on_submit():
        member = next(m for m in people if m.id == form.member_id.data)
        try:
            user, code = services.create_family_account(case, member, created_by=current_user)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(error.message)
        else:
            if code is None:
                flash(_("%(name)s is sent a link to choose a password.", name=member.name), "success")
                return redirect(url_for("plans.family_accounts", case_id=case.id))
            return _code_letter(case, user, code)
    return render_template("plans/family_accounts.html", case=case, people=people, accounts=accounts, form=form)


def _code_letter(case, user, code):
    with in_locale(user.locale):  # the letter in the person's language; shown once
        letter = render_template("plans/_code_letter.html", user=user, code=code,
                                 link=url_for("family.activate", lang=user.locale, _external=True))
    return render_template("plans/code_letter.html", case=case, letter=letter)


@bp.route(PREFIX + "/family/<int:member_id>/letter", methods=["POST"])
@roles(COORDINATOR, CASEWORKER)
def new_family_letter(case_id, member_id):
    """A new letter with a fresh code for a family member who has an account already."""
    case = get_case_or_404(case_id, for_edit=True)
    account = db.session.scalar(select(FamilyAccount).where(FamilyAccount.member_id == member_id))
    if account is None or account.member.case_id != case.id:
        abort(404)
    try:
        code = services.new_letter(case, account, by=current_user)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("plans.family_accounts", case_id=case.id))
    return _code_letter(case, account.user, code)


@bp.route("/commitments")
@roles(CASEWORKER, COORDINATOR)
def commitments_overview():
    """The commitments of my cases that need attention, overdue first, a page at a time;
    and my cases with their plan and how many commitments are done, a page at a time.
    Counted and paged by the database: a caseload of 40 and of 400 answer alike."""
    today = date.today()
    page, cases_page = (max(request.args.get(name, 1, type=int), 1) for name in ("page", "cases_page"))
    visible = visible_cases(current_user)
    # Only open cases are followed up; saying so here too lets PostgreSQL start from a handful of cases.
    followed_ids = visible.where(Case.state.in_(OPEN_STATES)).with_only_columns(Case.id)
    overdue, this_week, overdue_count, week_count = services.attention(followed_ids, today, page)
    cases = db.paginate(visible.options(selectinload(Case.children)).order_by(Case.reference, Case.id),
                        page=cases_page, per_page=services.ATTENTION_ROWS, error_out=False)
    shown = {case_id for case_id, _c in overdue + this_week} | {c.id for c in cases.items}
    references = dict(db.session.execute(select(Case.id, Case.reference).where(Case.id.in_(shown))).all())
    page_ids = [c.id for c in cases.items]
    return render_template(
        "plans/commitments.html", today=today, page=page, overdue_count=overdue_count, week_count=week_count,
        pages=max(-(-(overdue_count + week_count) // services.ATTENTION_ROWS), 1), overdue=overdue,
        this_week=this_week, references=references,
        cases=cases, counts=services.commitment_counts(page_ids), latest=services.latest_plans(page_ids))
