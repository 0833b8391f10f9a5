from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import (Blueprint, Response, abort, current_app, flash, redirect, render_template, request,
                   session, url_for)
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from fgc.auth import services, statements, two_factor
from fgc.auth.forms import (ChangePasswordForm, CodeForm, ForgotPasswordForm, LanguageForm, LetterheadForm,
                            LoginForm, OrganisationSettingsForm, PhoneForm, SetPasswordForm, StaffUserForm)
from fgc.auth.models import Organisation, User
from fgc.core import audit
from fgc.core import mail as outbox
from fgc.core.errors import DomainError
from fgc.core.forms import record_data
from fgc.core.mail import OutboxMessage
from fgc.core.models import as_id
from fgc.core.qr import qr_svg
from fgc.extensions import db, limiter, login_manager
from fgc.i18n import gettext as _
from fgc.sso import services as sso
from fgc.sso import views as sso_views
from fgc.security import (ADMIN, ROLES, STAFF, fresh_session, hold, held, public, roles, same_site_path,
                          secret_limit, sign_in)

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
        elif user.has_two_factor:
            _await_code(user, request.args.get("next"))
            db.session.commit()
            return redirect(url_for("auth.login_code"))
        else:
            sign_in(user, "password")
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form, providers=sso.enabled_providers())


PENDING_SECONDS = 5 * 60  # from a right password to the code


def _await_code(user, next_url):
    """The password was right: the session only notes, for a few minutes, whose code is
    awaited. The user is not signed in until the code is right."""
    fresh_session()
    hold("awaiting_code", PENDING_SECONDS, user=user.get_id(), next=next_url or "")


def _awaiting_code_from():
    """The user whose code the session awaits, or None when none is or it is too late."""
    pending = held("awaiting_code")
    return load_user(str(pending.get("user") or "")) if pending else None


def _code_account_key():
    pending = session.get("awaiting_code")
    return "code:" + str(pending.get("user") if isinstance(pending, dict) else "")


def _code_locked_out(limit):
    audit.record("user.locked_out", subject=_awaiting_code_from(), detail=request.endpoint, refused=True)


@bp.route("/login/code", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"],
               deduct_when=_failed, on_breach=_code_locked_out)
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], methods=["POST"],
               key_func=_code_account_key, deduct_when=_failed, on_breach=_code_locked_out)
def login_code():
    """The second step of signing in: a code from the authenticator app, or a recovery code."""
    if current_user.is_authenticated:
        return redirect(url_for("cases.dashboard"))
    user = _awaiting_code_from()
    if user is None:
        flash(_("Sign in with your e-mail and password first. The code must be typed within five minutes."),
              "error")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        result = two_factor.verify(user, form.code.data)
        if result == two_factor.ACCEPTED:
            next_url = session["awaiting_code"].get("next")
            sign_in(user, "password+totp")
            db.session.commit()
            return redirect(_safe_next(next_url))
        db.session.rollback()
        form.code.errors.append(
            _("This code has been used already. Wait for the next code in your app and type that.")
            if result == two_factor.REUSED else
            _("The code is not right. Type the six digits your app shows now, or one of your recovery codes."))
    return render_template("auth/login_code.html", form=form)


@bp.route("/account/two-factor", methods=["GET", "POST"])
@roles(*STAFF)
@limiter.limit(secret_limit, methods=["POST"])
def two_factor_setup():
    """Set up two-factor sign-in: scan the QR code (or type the key), confirm with a code,
    then write down the recovery codes, shown this once. When it is on: turn it off or get
    new recovery codes."""
    user = current_user._get_current_object()
    if user.has_two_factor:
        return _two_factor_settings(user)
    secret = session.get("totp_secret_offered")
    if not isinstance(secret, str) or len(secret) != 32:
        secret = session["totp_secret_offered"] = two_factor.new_secret()
    form = CodeForm()
    if form.validate_on_submit():
        try:
            codes = two_factor.enrol(user, secret, form.code.data)
        except DomainError as error:
            db.session.rollback()
            form.code.errors.append(error.message)
        else:
            db.session.commit()
            session.pop("totp_secret_offered", None)
            return render_template("auth/recovery_codes.html", codes=codes, enrolled=True)
    uri = two_factor.provisioning_uri(secret, user.email)
    return render_template("auth/two_factor.html", form=form, secret=two_factor.grouped(secret),
                           qr=qr_svg(uri, _("QR code for your authenticator app")))


def _two_factor_settings(user, disable_form=None, codes_form=None):
    return render_template("auth/two_factor_on.html", required=user.two_factor_required,
                           codes_left=two_factor.recovery_codes_left(user),
                           disable_form=disable_form or CodeForm(prefix="off"),
                           codes_form=codes_form or CodeForm(prefix="new"))


@bp.route("/account/two-factor/off", methods=["POST"])
@roles(*STAFF)
@limiter.limit(secret_limit)
def two_factor_off():
    user = current_user._get_current_object()
    form = CodeForm(prefix="off")
    if not user.has_two_factor:
        return redirect(url_for("auth.two_factor_setup"))
    if form.validate_on_submit():
        try:
            two_factor.disable(user, form.code.data)
        except DomainError as error:
            db.session.rollback()
            form.code.errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Two-factor sign-in is turned off."), "success")
            return redirect(url_for("auth.two_factor_setup"))
    return _two_factor_settings(user, disable_form=form)


@bp.route("/account/two-factor/recovery-codes", methods=["POST"])
@roles(*STAFF)
@limiter.limit(secret_limit)
def new_recovery_codes():
    user = current_user._get_current_object()
    form = CodeForm(prefix="new")
    if not user.has_two_factor:
        return redirect(url_for("auth.two_factor_setup"))
    if form.validate_on_submit():
        if two_factor.check_code(user, form.code.data) == two_factor.ACCEPTED:
            codes = two_factor.new_recovery_codes(user)
            audit.record("two_factor.recovery_codes_renewed", subject=user, user=user)
            db.session.commit()
            return render_template("auth/recovery_codes.html", codes=codes, enrolled=False)
        db.session.rollback()
        audit.record("two_factor.code_refused", subject=user, user=user, refused=True)
        form.code.errors.append(_("That code is not right. Type the code your app shows now."))
    return _two_factor_settings(user, codes_form=form)


@bp.route("/logout", methods=["POST"])
@roles(*ROLES)
def logout():
    audit.record("user.signed_out", subject=current_user._get_current_object())
    services.end_session(current_user)
    db.session.commit()
    logout_user()
    ended = fresh_session()
    flash(_("You are signed out."), "success")
    return sso_views.logout_elsewhere(ended) or redirect(url_for("auth.login"))


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


def _organisation_page(form=None, settings_form=None):
    organisation = current_user.organisation
    form = form or LetterheadForm(data=record_data(LetterheadForm, organisation, logo=None))
    settings_form = settings_form or OrganisationSettingsForm(
        prefix="settings", data=record_data(OrganisationSettingsForm, organisation))
    return render_template("auth/letterhead.html", form=form, settings_form=settings_form,
                           organisation=organisation)


@bp.route("/admin/organisation/settings", methods=["POST"])
@roles(ADMIN)
def organisation_settings():
    """Two-factor sign-in for all staff, and the accessibility statement and privacy notice."""
    form = OrganisationSettingsForm(prefix="settings")
    if form.validate_on_submit():
        try:
            services.set_organisation_settings(
                current_user.organisation, require_two_factor=form.require_two_factor.data,
                accessibility_statement=form.accessibility_statement.data or "",
                privacy_notice=form.privacy_notice.data or "", expected_version=form.version.data,
                changed_by=current_user)
            db.session.commit()
        except (DomainError, StaleDataError) as error:
            db.session.rollback()
            form.form_errors.append(getattr(error, "message", None) or _(
                "Someone else changed the settings while you were editing. Your changes are kept below: "
                "compare and save again."))
        else:
            flash(_("The settings are saved."), "success")
            return redirect(url_for("auth.letterhead"))
    return _organisation_page(settings_form=form)


@bp.route("/accessibility")
@public
def accessibility():
    return _statement(statements.ACCESSIBILITY, _("Accessibility statement"))


@bp.route("/privacy")
@public
def privacy():
    return _statement(statements.PRIVACY, _("Privacy notice"))


def _statement(kind, title):
    """A signed-in reader's own organisation's; else the one `?organisation=` names, or a
    list of organisations to choose from (the only one shown directly)."""
    if current_user.is_authenticated:
        organisation = current_user.organisation
    elif "organisation" in request.args:
        organisation = db.session.get(Organisation, as_id(request.args["organisation"]) or 0)
        if organisation is None:
            abort(404)
    else:
        organisations = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
        if len(organisations) != 1:
            return render_template("auth/statement_choose.html", title=title, organisations=organisations,
                                   endpoint=request.endpoint)
        organisation = organisations[0]
    return render_template("auth/statement.html", title=title, organisation=organisation,
                           sections=statements.statement(organisation, kind))


@bp.route("/admin/organisation", methods=["GET", "POST"])
@roles(ADMIN)
def letterhead():
    """The municipality's letterhead: address, phone, e-mail and logo on letters and handouts."""
    organisation = current_user.organisation
    if request.method == "GET":
        return _organisation_page()
    form = LetterheadForm()
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
    return _organisation_page(form=form)


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
