"""From a provider's verified answer to a signed-in user.

The protocol modules (SAML, OpenID Connect) check signatures, audiences, times and
replays, and turn what the provider said into an `Assertion`. Everything after that is
here, the same for every protocol: who the person is in fgc, what role they have, and
whether they may sign in at all.
"""
import re
from dataclasses import dataclass, field

from sqlalchemy import func, select

from fgc.auth.models import User
from fgc.core import audit
from fgc.core.errors import DomainError, check_version
from fgc.core.models import utcnow
from fgc.extensions import db
from fgc.i18n import lazy_gettext as _l
from fgc.security import STAFF
from fgc.sso.models import ASSURANCE_LEVELS, OIDC, SAML, ExternalIdentity, IdentityProvider


@dataclass
class Assertion:
    """What a provider vouched for, already verified by the protocol."""

    subject: str
    email: str = ""
    name: str = ""
    roles: tuple = ()
    assurance: str = ""
    attributes: dict = field(default_factory=dict)  # everything it said, for the protocol's own needs


class SignInRefused(DomainError):
    """The provider vouched for someone fgc will not sign in. `message` says why, plainly."""


class NotLinked(SignInRefused):
    """A family member's identity that no family account is linked to yet."""


def enabled_providers():
    """The sign-in buttons on the login page."""
    return db.session.scalars(select(IdentityProvider).where(IdentityProvider.enabled)
                              .order_by(IdentityProvider.name, IdentityProvider.id)).all()


def provider(provider_id, protocol=None):
    """An enabled provider, or None."""
    found = db.session.get(IdentityProvider, provider_id) if isinstance(provider_id, int) else None
    if found is None or not found.enabled or (protocol and found.protocol != protocol):
        return None
    return found


ROLE_LINE = re.compile(r"^\s*(?P<value>.*?)\s*=\s*(?P<role>[a-z]+)\s*$")


def parse_role_map(text):
    """Lines "value = role" as a list of (value, role); raises DomainError on a bad line."""
    pairs = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        match = ROLE_LINE.match(line)
        if not match or not match["value"] or match["role"] not in STAFF:
            raise DomainError(_l("Line %(number)s of the role mapping is not \"value = role\" with the role "
                                 "admin, coordinator or caseworker.", number=number))
        pairs.append((match["value"], match["role"]))
    return pairs


def mapped_role(provider, values):
    """The fgc role the provider's role values give: the first mapping line that matches,
    "*" matching anyone. None when no line matches."""
    values = set(values)
    for value, role in parse_role_map(provider.role_map):
        if value == "*" or value in values:
            return role
    return None


def assurance_met(provider, assurance):
    if not provider.minimum_assurance:
        return True
    level = (assurance or "").rstrip("/").rsplit("/", 1)[-1].lower()
    return level in ASSURANCE_LEVELS and \
        ASSURANCE_LEVELS.index(level) >= ASSURANCE_LEVELS.index(provider.minimum_assurance)


def user_for(provider, assertion):
    """The user the assertion signs in, made or updated as the organisation allows. Raises
    SignInRefused (NotLinked for a family member not yet linked); the caller rolls back."""
    if not assertion.subject:
        raise SignInRefused(_l("The sign-in service did not say who you are. Try again, or contact "
                               "your administrator."))
    if not assurance_met(provider, assertion.assurance):
        raise SignInRefused(_l("This sign-in was not made at the security level fgc requires. Sign in "
                               "again with MitID at the level \"Substantial\" or higher."))
    identity = db.session.scalar(select(ExternalIdentity).where(
        ExternalIdentity.provider_id == provider.id, ExternalIdentity.subject == assertion.subject))
    if provider.for_family:
        if identity is None:
            raise NotLinked(_l("Your MitID is not yet linked to a family account in fgc."))
        user = identity.user
        if not user.is_family:
            raise SignInRefused(_l("This sign-in is for family members."))
    else:
        user = identity.user if identity else _staff_by_email(provider, assertion)
        _give_role(provider, user, assertion)
        if identity is None:
            identity = link(provider, user, assertion.subject)
    if user.organisation_id != provider.organisation_id:
        raise SignInRefused(_l("Your account belongs to another organisation."))
    if not user.active:
        audit.record("user.sign_in_failed", subject=user, detail=f"{provider.protocol}:deactivated", refused=True)
        raise SignInRefused(_l("Your account is deactivated. Contact your administrator."))
    identity.last_used_at = utcnow()
    return user


def _staff_by_email(provider, assertion):
    """A staff member signing in through the provider for the first time: the known user
    with that e-mail, or a new one where the organisation allows it."""
    email = (assertion.email or "").strip().lower()
    user = db.session.scalar(select(User).where(func.lower(User.email) == email)) if email else None
    if user is not None:
        if user.is_family:
            raise SignInRefused(_l("This sign-in is for staff."))
        return user
    role = mapped_role(provider, assertion.roles)
    if not (provider.create_users and email and role):
        raise SignInRefused(_l("You have no account in fgc. Ask your administrator to create one."))
    user = User(organisation_id=provider.organisation_id, email=email, name=(assertion.name or email)[:200],
                role=role)
    db.session.add(user)
    db.session.flush()
    audit.record("user.created", subject=user, user=user, detail=provider.protocol)
    return user


def _give_role(provider, user, assertion):
    """The role follows the provider's roles where the mapping names one for them."""
    if not provider.role_map.strip():
        return
    role = mapped_role(provider, assertion.roles)
    if role is None:
        raise SignInRefused(_l("The sign-in service gives you no role in fgc. Ask your administrator."))
    if role != user.role:
        audit.record("user.role_changed", subject=user, user=user, detail=f"{user.role} → {role}")
        user.role = role


def link(provider, user, subject):
    """This provider's `subject` is `user` from now on."""
    identity = ExternalIdentity(provider_id=provider.id, subject=subject, user_id=user.id)
    identity.provider, identity.user = provider, user
    db.session.add(identity)
    audit.record("user.identity_linked", subject=user, detail=f"{provider.protocol}:{provider.id}")
    return identity


PROVIDER_FIELDS = ("name", "protocol", "audience", "enabled", "saml_metadata_url", "saml_entity_id",
                   "oidc_issuer", "oidc_client_id", "subject_attribute", "email_attribute", "name_attribute",
                   "roles_attribute", "role_map", "create_users", "assurance_attribute", "minimum_assurance")


def save_provider(provider, admin, form, metadata=b""):
    """A new or changed provider of the administrator's organisation, from `form`'s data;
    `metadata`: an uploaded SAML metadata file (empty keeps the saved one)."""
    if provider is None:
        provider = IdentityProvider(organisation_id=admin.organisation_id)
        db.session.add(provider)
    else:
        check_version(provider, form.version.data, _l(
            "Someone else changed this sign-in service while you were editing. Your changes are kept below: "
            "compare and save again."))
    issuer = provider.oidc_issuer
    for name in PROVIDER_FIELDS:
        value = getattr(form, name).data
        setattr(provider, name, value.strip() if isinstance(value, str) else value)
    if provider.protocol == OIDC and (provider.oidc_issuer != issuer or provider.id is None):
        from fgc.sso.oidc import check_issuer  # the protocol's own check; it needs the web client

        check_issuer(provider.oidc_issuer)
    if form.oidc_client_secret.data:
        provider.oidc_client_secret = form.oidc_client_secret.data.strip()
    uploaded = ""
    if metadata:
        try:
            uploaded = metadata.decode("utf-8")
        except UnicodeDecodeError:
            raise DomainError(_l("The metadata file is not an XML file in UTF-8.")) from None
    if provider.protocol == SAML:
        from fgc.sso import saml  # the protocol module builds on this one

        db.session.flush()  # the provider's id is in fgc's entity id
        provider.saml_metadata = saml.checked_metadata(provider, uploaded)
    elif uploaded:
        provider.saml_metadata = uploaded
    db.session.flush()
    audit.record("sso.provider_saved", subject=provider, user=admin)
    return provider
