
from wtforms import BooleanField, EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp, ValidationError

from fgc.core.forms import Form, SelectField, VersionField
from fgc.i18n import lazy_gettext as _l
from fgc.network.models import (CLOSENESS, GENDERS, LINK_KINDS, MEMBER_LANGUAGES, RELATIONS, SECTORS,
                                SIDES)

CHOOSE = _l("Choose one of the options.")


def choice(label, options, **kwargs):
    return SelectField(label, choices=list(options.items()), validate_choice=True,
                       validators=[DataRequired(message=CHOOSE)], **kwargs)


class MemberForm(Form):
    name = StringField(_l("Name"), validators=[
        DataRequired(message=_l("Enter the person's name.")),
        Length(max=200, message=_l("The name is too long."))])
    relation = choice(_l("Relation to the child"), RELATIONS)
    gender = choice(_l("Gender"), GENDERS, description=_l("Used for the kinship word and the genogram symbol."))
    side = choice(_l("Side of the family"), SIDES)
    sector = choice(_l("Sector"), SECTORS)
    closeness = choice(_l("Closeness to the child"), CLOSENESS)
    lives_with_child = BooleanField(_l("Lives with the child"))
    town = StringField(_l("Town or settlement"), validators=[
        Optional(), Length(max=120, message=_l("The name of the town is too long."))])
    phone = StringField(_l("Phone"), validators=[
        Optional(), Length(max=40, message=_l("The phone number is too long.")),
        Regexp(r"^[0-9+ ()-]*$", message=_l("Use only digits, spaces and + ( ) - in the phone number."))])
    email = EmailField(_l("E-mail"), validators=[
        Optional(), Length(max=320, message=_l("The e-mail address is too long.")),
        Email(message=_l("Enter an e-mail address like name@example.dk."))])
    address = StringField(_l("Address"), validators=[
        Optional(), Length(max=300, message=_l("The address is too long."))])
    language = choice(_l("Preferred language"), MEMBER_LANGUAGES)
    needs_interpreter = BooleanField(_l("Needs an interpreter"))
    deceased = BooleanField(_l("Deceased"))
    notes = TextAreaField(_l("Notes"), validators=[
        Optional(), Length(max=10_000, message=_l("The text is too long (at most 10,000 characters)."))])
    must_not_be_invited = BooleanField(_l("Must not be invited"))
    hide_contact_from_family = BooleanField(
        _l("Contact details and the child's address must not be shown to family members"))
    supervised_only = BooleanField(_l("May take part only under supervision"))
    restriction_reason = TextAreaField(_l("Reason for the restriction"), validators=[
        Optional(), Length(max=2_000, message=_l("The reason is too long (at most 2,000 characters)."))])
    version = VersionField()

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        restricted = self.must_not_be_invited.data or self.hide_contact_from_family.data or \
            self.supervised_only.data
        if restricted and not (self.restriction_reason.data or "").strip():
            self.restriction_reason.errors = [*self.restriction_reason.errors,
                                              _l("Give the reason for the restriction.")]
            valid = False
        return valid

    def values(self):
        return {name: (value.strip() if isinstance(value, str) else value)
                for name, value in self.data.items() if name not in ("csrf_token", "version")}


class LinkForm(Form):
    from_member_id = SelectField(_l("Person"), coerce=int, validate_choice=True)
    kind = choice(_l("Link"), LINK_KINDS)
    to_member_id = SelectField(_l("Other person"), coerce=int, validate_choice=True)

    def validate_to_member_id(self, field):
        if field.data == self.from_member_id.data:
            raise ValidationError(_l("Choose two different people."))


class NetworkFilterForm(Form):
    class Meta:
        csrf = False

    sector = SelectField(_l("Sector"), choices=[("", _l("All sectors"))] + list(SECTORS.items()),
                         validators=[Optional()])
    closeness = SelectField(_l("Closeness"), choices=[("", _l("All"))] + list(CLOSENESS.items()),
                            validators=[Optional()])
    sort = SelectField(_l("Sort by"), choices=[("name", _l("Name")), ("relation", _l("Relation")),
                                               ("sector", _l("Sector")), ("closeness", _l("Closeness"))],
                       validators=[Optional()])


