"""Deny by default.

Every endpoint needs a signed-in staff user unless it says otherwise:
`@public` for the short allowlist (login, password reset, token links, health),
`@roles(...)` to name who may use it (family members only where a view says so).
Forgetting a decorator therefore fails closed.
"""
import re
import time
from urllib.parse import urlsplit

from flask import abort, current_app, redirect, request, session, url_for
from flask_login import current_user, logout_user

from fgc.i18n import lazy_gettext as _l

ADMIN, COORDINATOR, CASEWORKER, FAMILY = "admin", "coordinator", "caseworker", "family"
ROLES = (ADMIN, COORDINATOR, CASEWORKER, FAMILY)
STAFF = (ADMIN, COORDINATOR, CASEWORKER)
ROLE_LABELS = {
    ADMIN: _l("Administrator"),
    COORDINATOR: _l("Coordinator"),
    CASEWORKER: _l("Caseworker"),
    FAMILY: _l("Family member"),
}

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


# Browsers drop tabs and newlines from a URL and read a backslash as a slash.
_IGNORED_BY_BROWSERS = re.compile(r"[\x00-\x1f\x7f]")


def same_site_path(target, default):
    """`target` if it is a path on this site, else `default`: never an open redirect."""
    target = _IGNORED_BY_BROWSERS.sub("", target or "")
    parts = urlsplit(target.replace("\\", "/"))
    if not target.startswith("/") or parts.scheme or parts.netloc:
        return default
    return target


def secret_limit():
    """Links and codes are secrets: every endpoint that checks one is rate limited."""
    return current_app.config["LOGIN_LIMIT_PER_ADDRESS"]


def public(view):
    """Reachable without signing in."""
    view.fgc_public = True
    return view


def roles(*allowed):
    """Only these roles may use the view (checked by the guard, before the view runs)."""
    unknown = set(allowed) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles: {unknown}")

    def decorate(view):
        view.fgc_roles = frozenset(allowed)
        return view

    return decorate


def allowed_roles(view):
    return getattr(view, "fgc_roles", frozenset(STAFF))


def is_public(view):
    return getattr(view, "fgc_public", False)


def guard():
    """Run before every request."""
    if request.endpoint is None or request.endpoint == "static":
        return None  # a 404, or a static file
    view = current_app.view_functions[request.endpoint]
    if is_public(view):
        return None
    if not current_user.is_authenticated or sign_in_expired():
        if request.method == "GET":
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        abort(401)
    if current_user.role not in allowed_roles(view):
        from fgc.core import audit

        audit.record("access.refused", detail=request.endpoint, refused=True)
        abort(403)
    if must_enrol_two_factor(current_user) and request.endpoint not in ENROLMENT_ENDPOINTS:
        if request.method == "GET":
            return redirect(url_for("auth.two_factor_setup"))
        abort(403)
    return None


# What someone who must set up two-factor sign-in first can reach (public pages aside).
ENROLMENT_ENDPOINTS = frozenset({"auth.two_factor_setup", "auth.logout"})


def must_enrol_two_factor(user):
    """Signed in by password, but two-factor sign-in is required and not set up yet: the
    guard lets the user reach only its set-up page until it is. A sign-in service (SAML,
    OpenID Connect) answers for its own second factor."""
    return session.get("signed_in_by", "password") == "password" and user.two_factor_required and not user.has_two_factor


def fresh_session():
    """Start the session afresh, keeping only the language chosen in it (at sign-in, at the
    password step, at sign-out). Returns what it held."""
    held = dict(session)
    session.clear()
    if held.get("locale"):
        session["locale"] = held["locale"]
    return held


def hold(key, seconds, **values):
    """Keep `values` in the session under `key` for `seconds` (a step half done: a right
    password awaiting its code, a MitID awaiting its letter code)."""
    session[key] = {**values, "until": int(time.time()) + seconds}


def held(key):
    """What `hold` kept under `key` while it lasts; else None, and it is forgotten."""
    kept = session.get(key)
    if isinstance(kept, dict) and isinstance(kept.get("until"), int) and kept["until"] >= time.time():
        return kept
    session.pop(key, None)
    return None


def sign_in(user, method):
    """The one way anyone becomes signed in, whatever proved who they are (`method`: "password",
    "password+totp", or a provider's kind). A fresh session, which lasts PERMANENT_SESSION_LIFETIME from now,
    and an audit entry. The caller commits."""
    from flask_login import login_user

    from fgc.core import audit
    from fgc.core.models import utcnow

    fresh_session()
    login_user(user)
    user.last_login_at = utcnow()
    session["signed_in_at"] = int(time.time())
    session["signed_in_by"] = method
    session.permanent = True
    audit.record("user.signed_in", subject=user, user=user, detail=method)


def sign_in_expired():
    """A sign-in ends PERMANENT_SESSION_LIFETIME after it began, however busy the
    session: a stolen or forgotten session does not live for ever. It is ended here."""
    began = session.get("signed_in_at")
    if isinstance(began, int) and time.time() - began < current_app.permanent_session_lifetime.total_seconds():
        return False
    logout_user()
    session.clear()
    return True


def set_security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if request.endpoint != "static":
        # Pages carry personal data: never keep them in a cache.
        response.headers["Cache-Control"] = "no-store"
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        response.headers["Strict-Transport-Security"] = "max-age=31536000"
    return response


def init_app(app):
    app.before_request(guard)
    app.after_request(set_security_headers)
