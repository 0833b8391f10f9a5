"""Signing in, tokens for e-mailed links, and staff accounts."""
import secrets
from datetime import timedelta

from flask import current_app, url_for
from sqlalchemy import func, select, update

from fgc.auth.models import PasswordLink, User, hasher, new_session_token
from fgc.core import audit
from fgc.core.errors import DomainError, check_version
from fgc.core.mail import enqueue, public_url, render_message
from fgc.core.models import utcnow
from fgc.extensions import db
from fgc.i18n import lazy_gettext as _l

RESET, ACTIVATE = "reset-password", "activate-account"
# Verifying a dummy hash for unknown addresses keeps the answer time the same.
_DUMMY_HASH = hasher.hash("not a real password")


class EmailTaken(DomainError):
    pass


def find_user_by_email(email):
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def authenticate(email, password):
    """The active user with this e-mail and password, or None."""
    user = find_user_by_email(email)
    # The same argon2 work whether the account is unknown, inactive, without a
    # password yet, or real: the time taken tells nothing about which.
    hashed = user.password_hash if user is not None and user.password_hash else _DUMMY_HASH
    try:
        matches = hasher.verify(hashed, password) and hashed is not _DUMMY_HASH
    except Exception:  # noqa: BLE001 - argon2 raises several kinds of mismatch
        matches = False
    if user is None or not user.active or not matches:
        return None
    return user


def end_session(user):
    """Logout: every session cookie issued to the user so far stops working."""
    user.session_token = new_session_token()


def make_token(user, purpose):
    """A new single-use link secret for `user`; only its hash is kept."""
    token = secrets.token_urlsafe(32)
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE" if purpose == RESET else "ACCOUNT_ACTIVATION_MAX_AGE"]
    db.session.add(PasswordLink(user_id=user.id, purpose=purpose, token_hash=PasswordLink.hash(token),
                                expires_at=utcnow() + timedelta(seconds=max_age)))
    db.session.flush()
    return token


def user_for_token(token, purpose):
    """The user a link was made for, or None when it is wrong, used, revoked or expired."""
    link = db.session.scalar(select(PasswordLink).where(PasswordLink.token_hash == PasswordLink.hash(token),
                                                        PasswordLink.purpose == purpose))
    if link is None or link.used_at is not None or link.expires_at < utcnow():
        return None
    user = db.session.get(User, link.user_id)
    return user if user is not None and user.active else None


def revoke_links(user):
    """Every password link of the user stops working."""
    db.session.execute(update(PasswordLink).where(PasswordLink.user_id == user.id, PasswordLink.used_at.is_(None))
                       .values(used_at=utcnow()))


def send_password_link(user, purpose):
    """E-mail a single-use link, in the user's language, through the outbox."""
    subject = _l("Set your password for fgc") if purpose == ACTIVATE else _l("Reset your password for fgc")
    link = public_url(url_for("auth.set_password", purpose=purpose, token=make_token(user, purpose),
                              lang=user.preferred_locale))
    msg = render_message(
        "password_link", user.email, user.preferred_locale, subject,
        user=user, link=link, purpose=purpose,
    )
    enqueue(msg, kind=purpose, organisation_id=user.organisation_id)


def request_password_reset(email):
    user = find_user_by_email(email)
    if user is not None and user.active:
        send_password_link(user, RESET)


def set_password(user, password):
    user.set_password(password)
    revoke_links(user)  # the link that was used, and any other
    audit.record("password.set", subject=user, user=user)


def create_staff_user(organisation, *, name, email, role, locale, created_by):
    if find_user_by_email(email) is not None:
        raise EmailTaken(_l("A user with this e-mail address already exists."))
    user = User(organisation_id=organisation.id, name=name.strip(), email=email.strip().lower(),
                role=role, locale=locale)
    user.organisation = organisation
    db.session.add(user)
    db.session.flush()
    audit.record("user.created", subject=user, user=created_by)
    send_password_link(user, ACTIVATE)
    return user


def set_active(user, active, *, changed_by):
    user.active = active
    if not active:
        end_session(user)
        revoke_links(user)
    audit.record("user.activated" if active else "user.deactivated", subject=user, user=changed_by)


LOGO_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
LOGO_MAX_BYTES = 200 * 1024


def set_letterhead(organisation, *, address, phone, email, logo=None, remove_logo=False, expected_version,
                   changed_by):
    """The letterhead of the organisation's letters. `logo`: the bytes of a PNG or JPEG."""
    check_version(organisation, expected_version, _l(
        "Someone else changed the letterhead while you were editing. Your changes are kept below: "
        "compare and save again."))
    if logo:
        kind = next((kind for magic, kind in LOGO_TYPES.items() if logo.startswith(magic)), None)
        if kind is None:
            raise DomainError(_l("The logo must be a PNG or JPEG picture."))
        if len(logo) > LOGO_MAX_BYTES:
            raise DomainError(_l("The logo is too large (at most 200 KB)."))
        organisation.logo, organisation.logo_type = logo, kind
    elif remove_logo:
        organisation.logo, organisation.logo_type = None, ""
    organisation.address, organisation.phone, organisation.email = address.strip(), phone.strip(), email.strip()
    db.session.flush()
    audit.record("organisation.letterhead", user=changed_by, organisation_id=organisation.id)


def set_organisation_settings(organisation, *, require_two_factor, accessibility_statement, privacy_notice,
                              expected_version, changed_by):
    """Whether all staff sign in with two factors, and the organisation's own accessibility
    statement and privacy notice (plain text; empty for the standard ones)."""
    check_version(organisation, expected_version, _l(
        "Someone else changed the settings while you were editing. Your changes are kept below: "
        "compare and save again."))
    changed = [name for name, value in (("require_two_factor", bool(require_two_factor)),
                                        ("accessibility_statement", accessibility_statement.strip()),
                                        ("privacy_notice", privacy_notice.strip()))
               if getattr(organisation, name) != value]
    organisation.require_two_factor = bool(require_two_factor)
    organisation.accessibility_statement = accessibility_statement.strip()
    organisation.privacy_notice = privacy_notice.strip()
    db.session.flush()
    audit.record("organisation.settings", user=changed_by, organisation_id=organisation.id,
                 detail=",".join(changed))
