from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import (Blueprint, Response, abort, current_app, flash, redirect, render_template, request,
                   session, url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from fgc.auth import services
from fgc.auth.forms import (ChangePasswordForm, ForgotPasswordForm, LanguageForm, LetterheadForm, LoginForm,
                            PhoneForm, SetPasswordForm, StaffUserForm)
from fgc.auth.models import User
from fgc.core import audit
from fgc.core import mail as outbox
from fgc.core.errors import DomainError
from fgc.core.forms import record_data
from fgc.core.mail import OutboxMessage
from fgc.core.models import as_id
from fgc.extensions import db, limiter, login_manager
from fgc.sso import services as sso
from fgc.security import ADMIN, ROLES, STAFF, public, roles, same_site_path, secret_limit, sign_in

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(user_id):
    """Sessions carry "id:token"; a token that has been rotated is refused."""
    uid, _sep, token = user_id.partition(":")
    if as_id(uid) is None or not token:
        return None
    user = db.session.get(User, as_id(uid))
    if user is None or user.session_token != token or not user.active:
        return None
    return user


def _login_account_key():
    return "login:" + (request.form.get("email") or "").strip().lower()[:320]


def _safe_next(target):
    return same_site_path(target, url_for("cases.dashboard"))


def _failed(response):
    # Only failed attempts count (a success redirects).
    return response.status_code != 302


def _locked_out(limit):
    """Too many attempts: the sign-in is blocked for a while, and that is logged."""
    audit.record("user.locked_out", subject=services.find_user_by_email(request.form.get("email") or ""),
                 detail=request.endpoint, refused=True)


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"],
               deduct_when=_failed, on_breach=_locked_out)
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], methods=["POST"],
               key_func=_login_account_key, deduct_when=_failed, on_breach=_locked_out)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("cases.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            form.form_errors.append(_("The e-mail address or the password is not right."))
            audit.record("user.sign_in_failed", subject=services.find_user_by_email(form.email.data),
                         refused=True)
        else:
            sign_in(user, "password")
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form, providers=sso.enabled_providers())


@bp.route("/logout", methods=["POST"])
@roles(*ROLES)
def logout():
    audit.record("user.signed_out", subject=current_user._get_current_object())
    services.end_session(current_user)
    db.session.commit()
    logout_user()
    ended = dict(session)
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    flash(_("You are signed out."), "success")
    # Signed in through a SAML provider with single logout: on to it, to end that sign-in too.
    from fgc.sso.saml import logout_at_provider  # sign-in services build on auth, not the reverse

    return logout_at_provider(ended) or redirect(url_for("auth.login"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        # The same answer whether or not the address is known.
        flash(_("If the address belongs to an account, we have sent a link to it. "
                "The link works once, for one hour."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/password/<any(\"reset-password\", \"activate-account\"):purpose>/<token>",
          methods=["GET", "POST"])
@public
@limiter.limit(secret_limit)
def set_password(purpose, token):
    user = services.user_for_token(token, purpose)
    if user is None:
        return render_template("auth/link_expired.html"), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        services.set_password(user, form.password.data)
        db.session.commit()
        flash(_("Your password is saved. You can sign in now."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/set_password.html", form=form, purpose=purpose)


@bp.route("/account/password", methods=["GET", "POST"])
@roles(*ROLES)
@limiter.limit(secret_limit, methods=["POST"])
def change_password():
    """Anyone signed in changes their own password; other sessions end, this one goes on."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append(_("That is not your present password."))
        else:
            user = current_user._get_current_object()
            services.set_password(user, form.password.data)
            db.session.commit()
            login_user(user)  # the new session token, which ended every other session
            flash(_("Your password is changed."), "success")
            return redirect(url_for("cases.dashboard"))
    return render_template("auth/set_password.html", form=form, heading=_("Change your password"),
                           phone_form=PhoneForm(data={"phone": current_user.phone}) if current_user.is_staff else None)


@bp.route("/account/phone", methods=["POST"])
@roles(*STAFF)
def change_phone():
    form = PhoneForm()
    if form.validate_on_submit():
        current_user.phone = (form.phone.data or "").strip()
        audit.record("user.phone")
        db.session.commit()
        flash(_("Your phone number is saved."), "success")
    else:
        flash(form.phone.errors[0], "error")
    return redirect(url_for("auth.change_password"))


@bp.route("/admin/organisation", methods=["GET", "POST"])
@roles(ADMIN)
def letterhead():
    """The municipality's letterhead: address, phone, e-mail and logo on letters and handouts."""
    organisation = current_user.organisation
    form = LetterheadForm(data=record_data(LetterheadForm, organisation, logo=None)) if request.method == "GET" \
        else LetterheadForm()
    if form.validate_on_submit():
        upload = request.files.get("logo")
        try:
            services.set_letterhead(organisation, address=form.address.data or "", phone=form.phone.data or "",
                                    email=form.email.data or "", logo=upload.read() if upload else None,
                                    remove_logo=form.remove_logo.data, expected_version=form.version.data,
                                    changed_by=current_user)
            db.session.commit()
        except (DomainError, StaleDataError) as error:
            db.session.rollback()
            form.form_errors.append(getattr(error, "message", None) or _(
                "Someone else changed the letterhead while you were editing. Your changes are kept below: "
                "compare and save again."))
        else:
            flash(_("The letterhead is saved."), "success")
            return redirect(url_for("auth.letterhead"))
    return render_template("auth/letterhead.html", form=form, organisation=organisation)


@bp.route("/organisation/logo")
@roles(*STAFF)
def organisation_logo():
    organisation = current_user.organisation
    if not organisation.logo:
        abort(404)
    return Response(organisation.logo, mimetype=organisation.logo_type,
                    headers={"Cache-Control": "private, max-age=300"})


@bp.route("/language", methods=["POST"])
@public
def set_language():
    form = LanguageForm()
    if form.validate_on_submit():
        session["locale"] = form.language.data
        if current_user.is_authenticated:
            current_user.locale = form.language.data
            db.session.commit()
    return redirect(_without_lang(_safe_next(request.form.get("next"))))


def _without_lang(path):
    """The page to go back to, without the `lang` a mailed link carried: it would put the
    language just chosen back to the link's."""
    parts = urlsplit(path)
    query = urlencode([(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True)
                       if key != "lang"])
    return urlunsplit(parts._replace(query=query))


@bp.route("/admin/users")
@roles(ADMIN)
def users():
    people = db.session.scalars(
        select(User).where(User.organisation_id == current_user.organisation_id).order_by(User.name)
    ).all()
    return render_template("auth/users.html", users=people, undelivered=_account_mail(outbox.undelivered))


def _account_mail(query):
    """Password-link mails of the administrator's municipality (they belong to no case)."""
    return query(OutboxMessage.organisation_id == current_user.organisation_id,
                 OutboxMessage.case_id.is_(None),
                 OutboxMessage.kind.in_((services.ACTIVATE, services.RESET)))


@bp.route("/admin/mail/<int:account_mail_id>/send-again", methods=["POST"])
@roles(ADMIN)
def send_mail_again(account_mail_id):
    """A refused or delayed password-link mail, sent again, to a corrected address if given."""
    message = next((m for m in _account_mail(outbox.undelivered) if m.id == account_mail_id), None)
    if message is None:
        abort(404)
    try:
        outbox.send_again(message, request.form.get("address"))
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        audit.record("mail.sent_again", user=current_user, organisation_id=current_user.organisation_id,
                     detail=f"outbox:{message.id}")
        db.session.commit()
        flash(_("The mail is sent again."), "success")
    return redirect(url_for("auth.users"))


@bp.route("/admin/users/new", methods=["GET", "POST"])
@roles(ADMIN)
def new_user():
    form = StaffUserForm()
    if form.validate_on_submit():
        try:
            services.create_staff_user(
                current_user.organisation, name=form.name.data, email=form.email.data,
                role=form.role.data, locale=form.locale.data, created_by=current_user)
        except DomainError as error:
            form.email.errors.append(error.message)
        else:
            db.session.commit()
            flash(_("The user is created and has been sent a link to choose a password."), "success")
            return redirect(url_for("auth.users"))
    return render_template("auth/user_form.html", form=form)


@bp.route("/admin/users/<int:user_id>/active", methods=["POST"])
@roles(ADMIN)
def toggle_active(user_id):
    user = db.session.get(User, user_id)
    if user is None or user.organisation_id != current_user.organisation_id:
        abort(404)
    if user.id == current_user.id:
        flash(_("You cannot deactivate your own account."), "error")
    else:
        services.set_active(user, not user.active, changed_by=current_user)
        db.session.commit()
        flash(_("The user is now active.") if user.active else _("The user is now deactivated."),
              "success")
    return redirect(url_for("auth.users"))
