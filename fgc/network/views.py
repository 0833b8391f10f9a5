import hashlib
import threading
from collections import OrderedDict
from datetime import datetime, timezone

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from fgc.cases.models import Case
from fgc.cases.permissions import get_case_or_404
from fgc.cases.views import register_case_tab
from fgc.core.errors import DomainError, EditConflict
from fgc.core.forms import record_data
from fgc.extensions import db
from fgc.i18n import current_language, gettext as _, lazy_gettext as _l, to_zone
from fgc.network import layout, services
from fgc.network.forms import LinkForm, MemberForm, NetworkFilterForm
from fgc.network.kinship import kinship_word
from fgc.network.models import CLOSENESS, DEFAULT_SECTOR, SECTORS, MemberLink
from fgc.network.permissions import can_see_contact_details

bp = Blueprint("network", __name__, url_prefix="/cases/<int:case_id>/network")
register_case_tab("network.members", _l("Network"))

CASE_OPTIONS = (selectinload(Case.children),)


@bp.app_context_processor
def network_helpers():
    return {"kinship_word": kinship_word, "can_see_contact_details": can_see_contact_details}


def _member_or_404(case, member_id):
    member = services.get_member(case, member_id)
    if member is None:
        abort(404)
    return member


@bp.route("/")
def members(case_id):
    case = get_case_or_404(case_id, options=CASE_OPTIONS)
    form = NetworkFilterForm(request.args)
    form.validate()
    people = services.members_of(case, form.sector.data, form.closeness.data, form.sort.data or "name")
    return render_template("network/members.html", case=case, members=people, form=form,
                           links=services.links_of(case))


@bp.route("/new", methods=["GET", "POST"])
def add(case_id):
    case = get_case_or_404(case_id, for_edit=True, options=CASE_OPTIONS)
    form = MemberForm()
    if request.method == "GET":
        relation = request.args.get("relation", "birth_parent")
        form.relation.data = relation if relation in dict(form.relation.choices) else "birth_parent"
        form.sector.data = DEFAULT_SECTOR.get(form.relation.data, "family")
        form.closeness.data, form.side.data, form.gender.data = "medium", "other", "unknown"
        form.language.data = "kl" if current_user.organisation.country == "GL" else "da"
    if form.validate_on_submit():
        member = services.add_member(case, form.values(), added_by=current_user)
        db.session.commit()
        flash(_("%(name)s is added to the network.", name=member.name), "success")
        return redirect(url_for("network.members", case_id=case.id))
    return render_template("network/member_form.html", case=case, form=form, member=None)


@bp.route("/<int:member_id>/edit", methods=["GET", "POST"])
def edit(case_id, member_id):
    case = get_case_or_404(case_id, for_edit=True, options=CASE_OPTIONS)
    member = _member_or_404(case, member_id)
    form = MemberForm(data=record_data(MemberForm, member)) if request.method == "GET" else MemberForm()
    if form.validate_on_submit():
        try:
            withdrawn = services.update_member(case, member, form.values(), expected_version=form.version.data,
                                               changed_by=current_user)
            db.session.commit()
        except (EditConflict, StaleDataError) as error:
            db.session.rollback()
            member = _member_or_404(get_case_or_404(case_id, for_edit=True), member_id)
            form.form_errors.append(getattr(error, "message", None) or _(
                "Someone else changed this person while you were editing. Your text is kept "
                "below: compare and save again."))
            form.version.data = member.version
            return render_template("network/member_form.html", case=case, form=form, member=member), 409
        flash(_("The changes to %(name)s are saved.", name=member.name), "success")
        _tell_withdrawn(member, withdrawn)
        return redirect(url_for("network.members", case_id=case.id))
    return render_template("network/member_form.html", case=case, form=form, member=member)


@bp.route("/<int:member_id>/remove", methods=["POST"])
def remove(case_id, member_id):
    case = get_case_or_404(case_id, for_edit=True)
    member = _member_or_404(case, member_id)
    withdrawn = services.remove_member(case, member, removed_by=current_user)
    db.session.commit()
    flash(_("%(name)s is removed from the network.", name=member.name), "success")
    _tell_withdrawn(member, withdrawn)
    return redirect(url_for("network.members", case_id=case.id))


def _tell_withdrawn(member, withdrawn):
    """The coordinator learns what fgc took back from someone it may no longer reach."""
    if withdrawn:
        flash(_("fgc no longer reaches %(name)s: %(withdrawn)s.", name=member.name,
                withdrawn="; ".join(withdrawn)), "info")


def _link_form(case, people):
    form = LinkForm()
    choices = [(m.id, m.name) for m in people]
    form.from_member_id.choices = form.to_member_id.choices = choices
    return form


@bp.route("/links", methods=["GET", "POST"])
def links(case_id):
    case = get_case_or_404(case_id, for_edit=request.method == "POST", options=CASE_OPTIONS)
    people = services.members_of(case)
    form = _link_form(case, people)
    if request.method == "POST" and form.validate_on_submit():
        try:
            services.add_link(case, form.from_member_id.data, form.kind.data, form.to_member_id.data,
                              added_by=current_user)
            db.session.commit()
            flash(_("The link is saved."), "success")
            return redirect(url_for("network.links", case_id=case.id))
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(error.message)
    return render_template("network/links.html", case=case, form=form, links=services.links_of(case),
                           members=people)


@bp.route("/links/<int:link_id>/remove", methods=["POST"])
def remove_link(case_id, link_id):
    case = get_case_or_404(case_id, for_edit=True)
    link = db.session.get(MemberLink, link_id)
    if link is None or link.case_id != case.id:
        abort(404)
    services.remove_link(case, link, removed_by=current_user)
    db.session.commit()
    flash(_("The link is removed."), "success")
    return redirect(url_for("network.links", case_id=case.id))


def _nodes(people):
    return [layout.Node(
        id=m.id, name=m.name, relation=str(kinship_word(m.relation, m.side, m.gender)),
        sector=m.sector, closeness=m.closeness, gender=m.gender, deceased=m.deceased,
        restricted=m.is_restricted, generation=m.generation, side=m.side, parent_kind=m.parent_kind,
    ) for m in people]


# Drawings by their content: an unchanged network is laid out once per process, and
# the page, its print view and the SVG download share the drawing. Any change of a
# person, a link, a name or the language is another key, so nothing is ever stale.
_DRAWINGS = OrderedDict()
_DRAWINGS_LOCK = threading.Lock()
DRAWINGS_KEPT = 500


def _drawn(content, draw):
    key = hashlib.sha256(repr((current_language(), content)).encode()).hexdigest()
    with _DRAWINGS_LOCK:
        if key in _DRAWINGS:
            _DRAWINGS.move_to_end(key)
            return _DRAWINGS[key]
    svg = draw()
    with _DRAWINGS_LOCK:
        _DRAWINGS[key] = svg
        while len(_DRAWINGS) > DRAWINGS_KEPT:
            _DRAWINGS.popitem(last=False)
    return svg


def _map_svg(case, people):
    nodes = _nodes(people)

    def draw():
        drawing = layout.network_map(nodes, case.children_names, {k: str(v) for k, v in SECTORS.items()})
        counts = ", ".join(f"{SECTORS[s]}: {sum(1 for n in nodes if n.sector == s)}" for s in layout.SECTORS)
        return layout.map_svg(
            nodes, drawing,
            title=_("Network map of case %(reference)s", reference=case.reference),
            desc=_("The child in the centre; four sectors and three rings of closeness. "
                   "People in each sector: %(counts)s.", counts=counts),
            ring_names={k: str(v) for k, v in CLOSENESS.items()},
            restricted_label=_("restricted"))
    return _drawn(("map", case.reference, case.children_names, nodes), draw)


def _genogram_svg(case, people, links):
    nodes = _nodes(people)
    children = [(c.id, c.name, "unknown") for c in case.children]
    edges = [(link.from_member_id, link.to_member_id, link.kind) for link in links]

    def draw():
        drawing = layout.genogram(nodes, children, edges)
        return layout.genogram_svg(
            nodes, children, edges, drawing,
            title=_("Genogram of case %(reference)s", reference=case.reference),
            desc=_("Generations in rows, the child's generation at the bottom. Squares are men, circles "
                   "women, diamonds others; a cross marks someone deceased; dashed lines are adoptive, "
                   "foster, step or informal parents."),
            restricted_label=_("restricted"))
    return _drawn(("genogram", case.reference, nodes, children, edges), draw)


def _download(svg, name):
    response = Response('<?xml version="1.0" encoding="UTF-8"?>\n' + svg, mimetype="image/svg+xml")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.route("/map")
def network_map(case_id):
    case = get_case_or_404(case_id, options=CASE_OPTIONS)
    people = services.members_of(case)
    return render_template("network/diagram.html", case=case, members=people, kind="map",
                           svg=_map_svg(case, people))


@bp.route("/map.svg")
def network_map_svg(case_id):
    case = get_case_or_404(case_id, options=CASE_OPTIONS)
    return _download(_map_svg(case, services.members_of(case)), f"network-map-{case.reference}.svg")


@bp.route("/genogram")
def genogram(case_id):
    case = get_case_or_404(case_id, options=CASE_OPTIONS)
    people = services.members_of(case)
    return render_template("network/diagram.html", case=case, members=people, kind="genogram",
                           svg=_genogram_svg(case, people, services.links_of(case)))


@bp.route("/genogram.svg")
def genogram_svg(case_id):
    case = get_case_or_404(case_id, options=CASE_OPTIONS)
    people = services.members_of(case)
    return _download(_genogram_svg(case, people, services.links_of(case)),
                     f"genogram-{case.reference}.svg")


PAPERS = ("a4", "a3")


def _print_view(case, kind, svg):
    """A diagram on one landscape page (A4, or A3 with ?paper=a3) without the site's
    navigation: the case reference, the day it was printed and the legend."""
    paper = request.args.get("paper", "a4")
    if paper not in PAPERS:
        abort(404)
    printed = to_zone(datetime.now(timezone.utc), current_user.organisation.timezone).date()
    return render_template("network/print.html", case=case, kind=kind, svg=svg, paper=paper,
                           papers=PAPERS, printed=printed)


@bp.route("/map/print")
def map_print(case_id):
    case = get_case_or_404(case_id, options=CASE_OPTIONS)
    return _print_view(case, "map", _map_svg(case, services.members_of(case)))


@bp.route("/genogram/print")
def genogram_print(case_id):
    case = get_case_or_404(case_id, options=CASE_OPTIONS)
    people = services.members_of(case)
    return _print_view(case, "genogram", _genogram_svg(case, people, services.links_of(case)))
