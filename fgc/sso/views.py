"""Staff single sign-on and MitID: the administrator's providers, the sign-in buttons, and
the last step every protocol shares. The protocols' own endpoints are in `saml.py` and
`oidc.py`, on this blueprint."""
from importlib import import_module

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from fgc.core import audit
from fgc.core.errors import DomainError
from fgc.core.forms import record_data
from fgc.extensions import db
from fgc.i18n import gettext as _
from fgc.security import ADMIN, public, roles, same_site_path, sign_in
from fgc.sso import services
from fgc.sso.forms import ProviderForm
from fgc.sso.models import IdentityProvider

bp = Blueprint("sso", __name__)


def provider_or_404(provider_id, protocol=None, in_use=True):
    """The provider a protocol's endpoint names: one in use, unless `in_use` is False (its
    metadata is served before it is put to use)."""
    found = services.provider(provider_id, protocol) if in_use else db.session.get(IdentityProvider, provider_id)
    if found is None or (protocol and found.protocol != protocol):
        abort(404)
    return found


@bp.route("/sso/<int:provider_id>")
@public
def start(provider_id):
    """A sign-in button: on to the provider, by its protocol."""
    found = provider_or_404(provider_id)
    session["sso_next"] = same_site_path(request.args.get("next"), url_for("cases.dashboard"))
    return import_module(f"fgc.sso.{found.protocol}").start(found)


def finish(provider, assertion, not_linked=None):
    """The provider vouched for `assertion`: sign that person in, or say plainly why not.
    Nothing is changed by a refusal. `not_linked(provider, assertion)`, where given, answers
    a family member whose identity is not linked to an account yet (instead of a refusal)."""
    try:
        user = services.user_for(provider, assertion)
    except services.SignInRefused as error:
        db.session.rollback()
        if not_linked is not None and isinstance(error, services.NotLinked):
            return not_linked(provider, assertion)
        return refuse(provider, error.message)
    target = session.get("sso_next") or url_for("cases.dashboard")
    sign_in(user, provider.protocol)
    session["sso_provider"] = provider.id
    db.session.commit()
    return redirect(same_site_path(target, url_for("cases.dashboard")))


def logout_elsewhere(ended):
    """Single logout: the response that signs the person out at the provider they signed in
    through, or None. `ended` is what the session held; fgc's own session has ended. A page
    that goes on by itself rather than a redirect: the logout is a form, and the
    Content-Security-Policy lets a form lead only to fgc (form-action 'self')."""
    found = services.provider(ended.get("sso_provider"))
    if found is None or ended.get("signed_in_by") != found.protocol:
        return None
    url = import_module(f"fgc.sso.{found.protocol}").logout(found, ended)
    return render_template("sso/signing_out.html", provider=found, url=url) if url else None


def refuse(provider, message, reason=None):
    """A sign-in through `provider` refused: nothing it began is kept, the refusal is audited
    (with the protocol's `reason`), and the reader is told why."""
    db.session.rollback()
    detail = f"{provider.protocol}:{provider.id}" + (f":{reason}" if reason else "")
    audit.record("user.sign_in_failed", detail=detail, refused=True, organisation_id=provider.organisation_id)
    return refused(message)


def refused(message, status=403):
    """A sign-in the provider's answer did not allow, said in the reader's language."""
    return render_template("sso/refused.html", message=message), status


def _own(provider_id):
    found = db.session.get(IdentityProvider, provider_id)
    if found is None or found.organisation_id != current_user.organisation_id:
        abort(404)
    return found


@bp.route("/admin/sign-in")
@roles(ADMIN)
def providers():
    found = db.session.scalars(select(IdentityProvider).where(
        IdentityProvider.organisation_id == current_user.organisation_id).order_by(IdentityProvider.name)).all()
    return render_template("sso/providers.html", providers=found)


@bp.route("/admin/sign-in/new", methods=["GET", "POST"])
@bp.route("/admin/sign-in/<int:provider_id>", methods=["GET", "POST"])
@roles(ADMIN)
def edit_provider(provider_id=None):
    provider = _own(provider_id) if provider_id else None
    if request.method == "GET":
        form = ProviderForm(data=record_data(ProviderForm, provider, oidc_client_secret="")
                            if provider else {"enabled": True})
    else:
        form = ProviderForm()
    if form.validate_on_submit():
        upload = request.files.get("saml_metadata_file")
        try:
            provider = services.save_provider(provider, current_user, form, upload.read() if upload else b"")
            db.session.commit()
        except (DomainError, StaleDataError) as error:
            db.session.rollback()
            form.form_errors.append(getattr(error, "message", None) or _(
                "Someone else changed this sign-in service while you were editing. Your changes are kept "
                "below: compare and save again."))
        else:
            flash(_("The sign-in service is saved."), "success")
            return redirect(url_for("sso.providers"))
    return render_template("sso/provider_form.html", form=form, provider=provider)
