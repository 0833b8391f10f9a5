"""Outcome check-ins on a case's own tab, and the caseworker's due ones on the dashboard."""
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from fgc.cases.permissions import get_case_or_404
from fgc.cases.views import register_case_tab, register_dashboard_panel
from fgc.conferences.views import register_conference_panel
from fgc.core.errors import DomainError, EditConflict
from fgc.core.forms import record_data
from fgc.extensions import db
from fgc.i18n import gettext as _, lazy_gettext as _l
from fgc.reports import services
from fgc.reports.fidelity import fidelity
from fgc.reports.forms import OutcomeForm
from fgc.reports.models import CHECK_IN_MONTHS

bp = Blueprint("reports", __name__)
register_case_tab("reports.outcomes", _l("Outcomes"))
PREFIX = "/cases/<int:case_id>/outcomes"


@register_dashboard_panel
def due_check_ins(user):
    if not user.is_caseworker:
        return None
    return "reports/_dashboard_panel.html", {"due": services.due_for(user, date.today()), "today": date.today()}


@register_conference_panel
def conference_fidelity(case, conference):
    score = fidelity(conference)
    return ("reports/_fidelity_panel.html", {"fidelity": score, "case_id": case.id,
                                             "conference_id": conference.id}) if score else None


@bp.route(PREFIX + "/")
def outcomes(case_id):
    case = get_case_or_404(case_id)
    return render_template("reports/outcomes.html", case=case, check_ins=services.check_ins(case),
                           counts_from=services.counts_from(case), today=date.today())


@bp.route(PREFIX + "/<int:months>", methods=["GET", "POST"])
def record(case_id, months):
    case = get_case_or_404(case_id, for_edit=True)
    if months not in CHECK_IN_MONTHS:
        abort(404)
    recorded = next(done for m, _on, done in services.check_ins(case) if m == months)
    form = OutcomeForm(data=record_data(OutcomeForm, recorded)) if request.method == "GET" and recorded \
        else OutcomeForm()
    if form.validate_on_submit():
        try:
            services.record(case, months, form.values(), expected_version=form.version.data,
                            recorded_by=current_user)
            db.session.commit()
        except (EditConflict, StaleDataError) as error:
            db.session.rollback()
            form.form_errors.append(getattr(error, "message", None) or _(
                "Someone else recorded this check-in while you were editing. Your answers are kept below: "
                "compare and save again."))
            return render_template("reports/outcome_form.html", case=case, form=form, months=months), 409
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(error.message)
        else:
            flash(_("The check-in after %(months)d months is saved.", months=months), "success")
            return redirect(url_for("reports.outcomes", case_id=case.id))
    return render_template("reports/outcome_form.html", case=case, form=form, months=months)
