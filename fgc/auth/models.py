"""Organisations (municipalities) and the people who sign in."""
import hashlib
import secrets
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_login import UserMixin
from sqlalchemy import ForeignKey, LargeBinary, String
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
