"""Two-factor sign-in: a time-based one-time code (TOTP, RFC 6238, by pyotp) from an
authenticator app, and single-use recovery codes for when the phone is lost.

Services take `now` (seconds since the epoch) so that tests control the clock.
"""
import hmac
import re
import secrets
import time

import pyotp
from sqlalchemy import delete, func, or_, select, update

from fgc.auth.models import RecoveryCode, User
from fgc.core import audit
from fgc.core.codes import ALPHABET
from fgc.core.errors import DomainError
from fgc.core.models import utcnow
from fgc.extensions import db
from fgc.i18n import lazy_gettext as _l

ISSUER = "fgc"
DRIFT_STEPS = 1  # a phone's clock may be one step (30 s) behind or ahead
RECOVERY_CODES = 10
RECOVERY_CODE_LENGTH = 12
ACCEPTED, WRONG, REUSED = "accepted", "wrong", "reused"


def new_secret():
    return pyotp.random_base32()


def provisioning_uri(secret, email):
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def grouped(secret):
    """The secret for typing: groups of four letters."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def _matching_step(secret, code, now):
    """The time step (within the allowed drift) whose code `code` is, or None."""
    code = re.sub(r"\s", "", code or "")
    if not re.fullmatch(r"\d{6}", code):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def check_code(user, code, now=None):
    """ACCEPTED, WRONG or REUSED. A code of a step at or before the last accepted one is
    REUSED: a code seen over someone's shoulder, or replayed, does not work again."""
    step = _matching_step(user.totp_secret, code, time.time() if now is None else now)
    if step is None:
        return WRONG
    if user.totp_last_step is not None and step <= user.totp_last_step:
        return REUSED
    # One statement claims the step, so two requests racing with the same code cannot both pass.
    claimed = db.session.execute(
        update(User).where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step).execution_options(synchronize_session=False)).rowcount
    if not claimed:
        return REUSED
    user.totp_last_step = step
    return ACCEPTED


def enrol(user, secret, code, now=None):
    """Turn two-factor sign-in on with `secret` once `code` shows the app has it. Returns
    the new recovery codes, which are shown once and kept only as hashes."""
    step = _matching_step(secret, code, time.time() if now is None else now)
    if step is None:
        raise DomainError(_l("That code is not right. Check that the app has the key shown here "
                             "and type the code it shows now."))
    user.totp_secret, user.totp_last_step = secret, step
    codes = new_recovery_codes(user)
    audit.record("two_factor.enrolled", subject=user, user=user)
    return codes


def disable(user, code, now=None):
    """Turn two-factor sign-in off, proven with a current code; refused where it is required."""
    if user.two_factor_required:
        raise DomainError(_l("Two-factor sign-in is required for your account and cannot be turned off."))
    if check_code(user, code, now) != ACCEPTED:
        raise DomainError(_l("That code is not right. Type the code your app shows now."))
    user.totp_secret, user.totp_last_step = None, None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    audit.record("two_factor.disabled", subject=user, user=user)


def new_recovery_codes(user):
    """Ten new recovery codes in place of any earlier ones (which stop working)."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["".join(secrets.choice(ALPHABET) for _ in range(RECOVERY_CODE_LENGTH)) for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=RecoveryCode.hash(code)) for code in codes)
    db.session.flush()
    return [shown(code) for code in codes]


def shown(code):
    """As shown to be written down: 'ABCD-EFGH-JKMN'."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def normalise_recovery_code(code):
    plain = re.sub(r"[\s\-\u2010-\u2015]", "", code or "").upper()
    return plain if len(plain) == RECOVERY_CODE_LENGTH and set(plain) <= set(ALPHABET) else None


def use_recovery_code(user, code):
    """True, and the code is spent, if it is one of the user's unused recovery codes."""
    plain = normalise_recovery_code(code)
    if plain is None:
        return False
    # Claimed by one statement: a code raced by two requests works for one of them.
    spent = db.session.execute(
        update(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == RecoveryCode.hash(plain),
                                   RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow()).execution_options(synchronize_session=False)).rowcount
    if not spent:
        return False
    audit.record("two_factor.recovery_code_used", subject=user, user=user)
    return True


def recovery_codes_left(user):
    return db.session.scalar(select(func.count()).select_from(RecoveryCode)
                             .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)))


def verify(user, code, now=None):
    """The code page: an authenticator code, or else an unused recovery code. ACCEPTED,
    WRONG or REUSED; a refused code is audited."""
    result = check_code(user, code, now)
    if result == WRONG and use_recovery_code(user, code):
        result = ACCEPTED
    if result != ACCEPTED:
        audit.record("two_factor.code_refused", subject=user, user=user, detail=result, refused=True)
    return result
