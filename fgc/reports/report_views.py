"""The report, for administrators (the whole municipality) and coordinators (their
own cases): a page, a print view, CSV and XLSX, and the shareable aggregate."""
import io
import json
from datetime import date

from dateutil.relativedelta import relativedelta
from flask import Blueprint, abort, render_template, request
from flask_login import current_user
from openpyxl import Workbook
from sqlalchemy import select

from fgc.auth.models import User
from fgc.cases.models import Case, Child
from fgc.core import audit
from fgc.core.downloads import attachment, csv_text
from fgc.extensions import db
from fgc.i18n import gettext as _, lazy_gettext as _l
from fgc.reports import figures
from fgc.reports.forms import ReportForm
from fgc.reports.models import CHILD_LIVES
from fgc.security import ADMIN, COORDINATOR, roles

bp = Blueprint("report", __name__, url_prefix="/reports")
AGGREGATE_SCHEMA = "fgc-aggregate/1"
UNITS = {"count": _l("number"), "percent": _l("percent"), "days": _l("days"), "mean": _l("average")}


def _form():
    """The filter, from the query string; a coordinator's report is of their own cases."""
    today = date.today()
    args = request.args.copy()
    args.setdefault("start", str(today - relativedelta(years=1) + relativedelta(days=1)))
    args.setdefault("end", str(today))
    form = ReportForm(args)
    org = current_user.organisation_id
    coordinators = db.session.execute(select(User.id, User.name).where(
        User.organisation_id == org, User.role == COORDINATOR).order_by(User.name)).all()
    form.coordinator.choices = [("", _("All coordinators"))] + [(str(i), name) for i, name in coordinators]
    towns = db.session.scalars(select(Child.town).join(Case).where(Case.organisation_id == org, Child.town != "")
                               .distinct().order_by(Child.town)).all()
    form.town.choices = [("", _("All towns and settlements"))] + [(town, town) for town in towns]
    return form


def _report():
    form = _form()
    if not form.validate():
        return form, None
    coordinator = current_user.id if not current_user.is_admin else (int(form.coordinator.data)
                                                                     if form.coordinator.data else None)
    report = figures.build(current_user.organisation_id, form.start.data, form.end.data, coordinator_id=coordinator,
                           town=form.town.data or None)
    return form, report


@bp.route("/")
@roles(ADMIN, COORDINATOR)
def report():
    form, built = _report()
    fmt = request.args.get("format")
    if fmt and built is None:
        abort(400)
    if fmt:
        if fmt not in EXPORTS:
            abort(404)
        body, mimetype = EXPORTS[fmt](built)
        filename = f"fgc-report-{built.start}-{built.end}.{fmt}"
        audit.record("report.exported", detail=filename)
        return attachment(body, mimetype, filename)
    return render_template("reports/report.html", form=form, report=built,
                           printing=request.args.get("print") == "1", living_labels=CHILD_LIVES), 200 if built else 400


def _rows(report):
    return [(str(section.title), figure.key, str(figure.label), figure.value, str(UNITS[figure.unit]),
             str(figure.definition)) for section, figure in report.figures()]


HEADINGS = (_l("Section"), _l("Key"), _l("Figure"), _l("Value"), _l("Unit"), _l("Definition"))


def _csv(report):
    return csv_text(HEADINGS, [(section, key, label, "" if value is None else value, unit, definition)
                               for section, key, label, value, unit, definition in _rows(report)]), "text/csv"


def _xlsx(report):
    book = Workbook()
    sheet = book.active
    sheet.title = str(_l("Figures"))[:31]
    sheet.append([str(h) for h in HEADINGS[:5]])
    definitions = book.create_sheet(str(_l("Definitions"))[:31])
    definitions.append([str(HEADINGS[1]), str(HEADINGS[2]), str(HEADINGS[5])])
    for row in _rows(report):
        sheet.append(list(row[:5]))
        definitions.append([row[1], row[2], row[5]])
    about = book.create_sheet(str(_l("About"))[:31])
    about.append([str(_l("Cases referred from")), report.start])
    about.append([str(_l("Cases referred until")), report.end])
    about.append([str(_l("An empty value: fewer than 5 (not shown, so no one can be recognised) or none to count."))])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _aggregate(report):
    """The municipality's figures in a documented, versioned schema (fgc/reports/AGGREGATE.md):
    no person-level data, small counts suppressed (null)."""
    org = current_user.organisation
    body = {"schema": AGGREGATE_SCHEMA, "organisation": org.name, "country": org.country,
            "period": {"referred_from": str(report.start), "referred_until": str(report.end)},
            "scope": "organisation" if current_user.is_admin and not request.args.get("coordinator")
            and not request.args.get("town") else "part",
            "suppressed_below": figures.SMALLEST,
            "figures": {figure.key: figure.value for _section, figure in report.figures()},
            "months": [{"month": month.strftime("%Y-%m"), "referred": referred, "conference_held": held}
                       for month, referred, held in report.months]}
    return json.dumps(body, indent=2, ensure_ascii=False), "application/json"


EXPORTS = {"csv": _csv, "xlsx": _xlsx, "json": _aggregate}
