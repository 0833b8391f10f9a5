from wtforms import BooleanField, FileField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, URL, ValidationError

from fgc.core.errors import DomainError
from fgc.core.forms import Form, SelectField, VersionField
from fgc.i18n import lazy_gettext as _l
from fgc.sso import services
from fgc.sso.models import FAMILY_SIGN_IN, OIDC, SAML, STAFF_SIGN_IN


def _length(limit):
    return Length(max=limit, message=_l("At most %(max)d characters.", max=limit))


def _url(limit):
    return [Optional(), URL(require_tld=False, message=_l("Enter a web address beginning with https://.")),
            _length(limit)]


class RoleMap:
    def __call__(self, form, field):
        try:
            services.parse_role_map(field.data)
        except DomainError as error:
            raise ValidationError(error.message) from None


class ProviderForm(Form):
    """An identity provider: what the municipality's IT tells the administrator."""

    name = StringField(_l("Name on the sign-in button"), validators=[
        DataRequired(message=_l("Enter a name, e.g. \"Aarhus Kommune (medarbejdere)\".")), _length(100)])
    protocol = SelectField(_l("Protocol"), choices=[(SAML, _l("SAML 2.0 (KOMBIT, NemLog-in)")),
                                                    (OIDC, _l("OpenID Connect (e.g. Microsoft Entra ID)"))],
                           validate_choice=True)
    audience = SelectField(_l("Who signs in"), choices=[(STAFF_SIGN_IN, _l("Staff")),
                                                        (FAMILY_SIGN_IN, _l("Family members (MitID)"))],
                           validate_choice=True)
    enabled = BooleanField(_l("In use: show it on the sign-in page"))
    saml_metadata_file = FileField(_l("The identity provider's metadata (XML file)"))
    saml_metadata_url = StringField(_l("…or the address of its metadata"), validators=_url(500))
    saml_entity_id = StringField(_l("The identity provider's entity id"), validators=[Optional(), _length(500)])
    oidc_issuer = StringField(_l("Issuer"), validators=_url(500))
    oidc_client_id = StringField(_l("Client id"), validators=[Optional(), _length(200)])
    oidc_client_secret = StringField(_l("Client secret"), validators=[Optional(), _length(500)],
                                     description=_l("Leave empty to keep the saved secret."))
    subject_attribute = StringField(_l("Attribute or claim that identifies the person"),
                                    validators=[Optional(), _length(200)],
                                    description=_l("Empty: the SAML NameID, or the OpenID Connect \"sub\"."))
    email_attribute = StringField(_l("Attribute or claim with the e-mail address"),
                                  validators=[Optional(), _length(200)])
    name_attribute = StringField(_l("Attribute or claim with the name"), validators=[Optional(), _length(200)])
    roles_attribute = StringField(_l("Attribute or claim with the roles"), validators=[Optional(), _length(200)])
    role_map = TextAreaField(_l("Roles"), validators=[Optional(), _length(2000), RoleMap()], description=_l(
        "One line per role the provider sends: \"value = role\", the role being admin, coordinator or "
        "caseworker. \"* = caseworker\" gives everyone else that role. Empty: the roles set in fgc are kept."))
    create_users = BooleanField(_l("Create an account at the first sign-in of a staff member fgc does not "
                                   "know (needs a role from the mapping)"))
    assurance_attribute = StringField(_l("Attribute with the assurance level"),
                                      validators=[Optional(), _length(200)])
    minimum_assurance = SelectField(_l("Lowest assurance level accepted"), choices=[
        ("", _l("Any")), ("low", _l("Low")), ("substantial", _l("Substantial")), ("high", _l("High"))],
        validate_choice=True)
    version = VersionField()

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.protocol.data == OIDC:
            for field in (self.oidc_issuer, self.oidc_client_id):
                if not (field.data or "").strip():
                    field.errors.append(_l("OpenID Connect needs this."))
                    valid = False
        return valid


class LinkFamilyForm(Form):
    """A family member's first MitID sign-in: the user name and code from their letter."""

    username = StringField(_l("User name"), validators=[
        DataRequired(message=_l("Enter the user name from the letter.")), _length(200)])
    code = StringField(_l("Code"), validators=[DataRequired(message=_l("Enter the code from the letter.")),
                                               _length(50)])
