"""Organisations (municipalities) and the people who sign in."""
import hashlib
import secrets
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_login import UserMixin
from sqlalchemy import ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fgc.core.models import UTCDateTime, utcnow
from fgc.extensions import db
from fgc.security import ADMIN, CASEWORKER, COORDINATOR, FAMILY, STAFF

hasher = PasswordHasher()  # argon2id with the library's current parameters


def new_session_token():
    return secrets.token_urlsafe(24)


class Organisation(db.Model):
    """A municipality. Organisations never see each other's data."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    country: Mapped[str] = mapped_column(String(2))  # DK or GL
    timezone: Mapped[str] = mapped_column(String(64))
    default_locale: Mapped[str] = mapped_column(String(5), default="da")
    # The letterhead of letters and handouts: set by the municipality's administrator.
    address: Mapped[str] = mapped_column(String(300), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(320), default="")
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)  # a PNG or JPEG
    logo_type: Mapped[str] = mapped_column(String(20), default="")
    # Administrators always sign in with a second factor; this asks it of every member of staff.
    require_two_factor: Mapped[bool] = mapped_column(default=False)
    # Plain text written by the administrator; empty means the product's own text.
    accessibility_statement: Mapped[str] = mapped_column(Text, default="")
    privacy_notice: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(40), default="")  # on the letters a coordinator sends
    role: Mapped[str] = mapped_column(String(20))
    locale: Mapped[str | None] = mapped_column(String(5))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    # Changed at logout and password change: every older session cookie stops working.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Two-factor sign-in: the TOTP secret (base32) once enrolled, and the last time step
    # a code was accepted for, so that no code works twice.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None]

    organisation: Mapped[Organisation] = relationship(lazy="joined")

    def get_id(self):
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self):
        return self.active

    def set_password(self, password):
        self.password_hash = hasher.hash(password)
        self.session_token = new_session_token()

    def check_password(self, password):
        if not self.password_hash:
            return False
        try:
            return hasher.verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    @property
    def is_staff(self):
        return self.role in STAFF

    @property
    def is_admin(self):
        return self.role == ADMIN

    @property
    def is_coordinator(self):
        return self.role == COORDINATOR

    @property
    def is_caseworker(self):
        return self.role == CASEWORKER

    @property
    def is_family(self):
        return self.role == FAMILY

    @property
    def has_two_factor(self):
        return self.totp_secret is not None

    @property
    def two_factor_required(self):
        """Administrators always; other staff when their organisation asks it; family never."""
        return self.is_admin or (self.is_staff and self.organisation.require_two_factor)

    @property
    def preferred_locale(self):
        return self.locale or self.organisation.default_locale


class PasswordLink(db.Model):
    """A link to set or reset a password: a random secret, of which only a hash is kept.
    It works once, until it expires, and is revoked when the password is set or the
    account suspended."""

    __tablename__ = "password_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @staticmethod
    def hash(token):
        return hashlib.sha256(token.encode()).hexdigest()


class RecoveryCode(db.Model):
    """A code for signing in when the authenticator is lost: shown once, kept as a hash,
    and it works once."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @staticmethod
    def hash(code):
        return hashlib.sha256(code.encode()).hexdigest()
