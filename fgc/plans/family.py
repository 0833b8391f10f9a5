"""The family's own view, on a phone first: their plan, their own commitments
(with progress to report) and the meetings they are invited to. Nothing else."""
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from fgc.cases.models import Case, FamilyAccess
from fgc.cases.views import register_family_home
from fgc.conferences import services as conference_services
from fgc.conferences.forms import AnswerForm
from fgc.conferences.mail import reader_of, when_text
from fgc.conferences.models import Participant
from fgc.core import audit
from fgc.extensions import db, limiter
from fgc.i18n import gettext as _
from fgc.network.services import may_reach
from fgc.plans import rules, services
from fgc.plans.forms import ActivateForm, CheckInForm
from fgc.plans.models import Commitment, FamilyPlan
from fgc.security import FAMILY, public, roles, secret_limit

bp = Blueprint("family", __name__, url_prefix="/family")
register_family_home("family.home")


def _mine():
    """(account, case) of the signed-in family member, or 404."""
    account = services.family_account_of(current_user)
    access = db.session.get(FamilyAccess, current_user.id)
    if account is None or access is None or not may_reach(account.member):
        audit.record("access.refused", detail=request.endpoint, refused=True)
        abort(404)
    case = db.session.get(Case, access.case_id)
    if request.method == "GET":  # the family's own reads are logged as anyone's
        audit.record("case.read", case=case, detail=request.endpoint)
    return account, case


def _accepted_plan(case_id):
    return db.session.scalars(select(FamilyPlan).where(FamilyPlan.case_id == case_id,
                                                       FamilyPlan.state == "accepted")
                              .options(*services.PLAN_OPTIONS).order_by(FamilyPlan.number.desc())).first()


@bp.route("/")
@roles(FAMILY)
def home():
    account, case = _mine()
    plan = _accepted_plan(case.id)
    mine = [c for c in plan.commitments if account.member_id in {p.id for p in c.people}] if plan else []
    meetings = services.family_meetings(account.member_id)
    return render_template("family/home.html", plan=plan, mine=mine, meetings=meetings, when_text=when_text,
                           reader_of=reader_of,
                           check_in_form=CheckInForm(), rules=rules, today=date.today())


@bp.route("/commitments/<int:commitment_id>", methods=["POST"])
@roles(FAMILY)
def report_progress(commitment_id):
    account, case = _mine()
    commitment = db.session.get(Commitment, commitment_id)
    # Only one's own commitment, in one's own case's accepted plan: what the family is shown.
    if commitment is None or commitment.plan.case_id != case.id or commitment.plan.state != "accepted" or \
            account.member_id not in {p.id for p in commitment.people}:
        abort(404)
    form = CheckInForm()
    if form.validate_on_submit():
        services.check_in(case, commitment, status=form.status.data, note=form.note.data,
                          by_name=current_user.name, by_user=current_user)
        db.session.commit()
        flash(_("Thank you. Your progress is saved."), "success")
    else:
        flash(_("Choose one of the options."), "error")
    return redirect(url_for("family.home"))


@bp.route("/meetings/<int:participant_id>", methods=["POST"])
@roles(FAMILY)
def answer(participant_id):
    account, _case = _mine()
    participant = db.session.get(Participant, participant_id)
    if participant is None or participant.member_id != account.member_id:
        abort(404)
    if not conference_services.may_answer(participant):
        abort(404)
    form = AnswerForm()
    if form.validate_on_submit():
        conference_services.answer(participant, form.answer.data)
        db.session.commit()
        flash(_("Thank you. Your answer is saved."), "success")
    return redirect(url_for("family.home"))


@bp.route("/activate", methods=["GET", "POST"])
@public
@limiter.limit(secret_limit, methods=["POST"])
def activate():
    """For people without e-mail: the user name and one-time code from the letter."""
    form = ActivateForm()
    if form.validate_on_submit():
        user = services.activate_with_code(form.username.data.strip().lower(), form.code.data, form.password.data)
        if user is None:
            form.form_errors.append(_("The user name or the code is not right, or the code is too old. "
                                      "Ask the coordinator for a new letter."))
        else:
            db.session.commit()
            flash(_("Your password is saved. You can sign in now."), "success")
            return redirect(url_for("auth.login"))
    return render_template("family/activate.html", form=form)


