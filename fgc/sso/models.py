"""Identity providers an organisation signs in through, and who is who at each.

A provider speaks SAML 2.0 (KOMBIT's Context Handler, NemLog-in's MitID) or OpenID
Connect (Microsoft Entra ID). Staff providers sign in the municipality's own staff;
family providers (MitID) sign in family members whose account is linked to an identity.
"""
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fgc.auth.models import Organisation, User
from fgc.core.models import UTCDateTime, utcnow
from fgc.extensions import db

SAML, OIDC = "saml", "oidc"
STAFF_SIGN_IN, FAMILY_SIGN_IN = "staff", "family"
# NSIS assurance levels, lowest first (NemLog-in sends them as URIs ending in the level).
ASSURANCE_LEVELS = ("low", "substantial", "high")


class IdentityProvider(db.Model):
    __tablename__ = "identity_providers"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))  # on the sign-in button
    protocol: Mapped[str] = mapped_column(String(10))  # SAML or OIDC
    audience: Mapped[str] = mapped_column(String(10), default=STAFF_SIGN_IN)
    enabled: Mapped[bool] = mapped_column(default=True)
    # SAML 2.0: the identity provider's metadata (uploaded, or fetched from the URL) and entity id.
    saml_metadata: Mapped[str] = mapped_column(Text, default="")
    saml_metadata_url: Mapped[str] = mapped_column(String(500), default="")
    saml_entity_id: Mapped[str] = mapped_column(String(500), default="")
    # OpenID Connect.
    oidc_issuer: Mapped[str] = mapped_column(String(500), default="")
    oidc_client_id: Mapped[str] = mapped_column(String(200), default="")
    oidc_client_secret: Mapped[str] = mapped_column(String(500), default="")
    # What the provider's attributes (SAML) or claims (OIDC) are called. An empty subject
    # attribute means the SAML NameID or the OIDC "sub".
    subject_attribute: Mapped[str] = mapped_column(String(200), default="")
    email_attribute: Mapped[str] = mapped_column(String(200), default="")
    name_attribute: Mapped[str] = mapped_column(String(200), default="")
    roles_attribute: Mapped[str] = mapped_column(String(200), default="")
    assurance_attribute: Mapped[str] = mapped_column(String(200), default="")
    # Lines "provider's value = fgc role"; "* = role" gives everyone else that role.
    role_map: Mapped[str] = mapped_column(Text, default="")
    create_users: Mapped[bool] = mapped_column(default=False)
    minimum_assurance: Mapped[str] = mapped_column(String(20), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    organisation: Mapped[Organisation] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}

    @property
    def for_family(self):
        return self.audience == FAMILY_SIGN_IN


class ExternalIdentity(db.Model):
    """This provider's subject is this user. Made at a staff member's first sign-in (by
    e-mail, or a new user where allowed), or when a family member's account is linked."""

    __tablename__ = "external_identities"
    __table_args__ = (UniqueConstraint("provider_id", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("identity_providers.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(500))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    provider: Mapped[IdentityProvider] = relationship()
    user: Mapped[User] = relationship()


class UsedSamlMessage(db.Model):
    """A SAML Response or Assertion id already accepted from this provider: a second use of
    it is a replay. Kept in the database, which every worker shares, until the message
    would have expired anyway."""

    __tablename__ = "used_saml_messages"
    __table_args__ = (UniqueConstraint("provider_id", "message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("identity_providers.id", ondelete="CASCADE"))
    message_id: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
