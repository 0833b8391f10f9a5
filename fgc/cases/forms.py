from datetime import date

from wtforms import FieldList, FormField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from fgc.cases.models import END_REASONS
from fgc.core.forms import (DateField, Form, NotBefore, NotInFuture, SelectField, SubForm, VersionField,
                            optional_int)
from fgc.i18n import lazy_gettext as _l

LONG_TEXT = 10_000
TOO_LONG = _l("The text is too long (at most 10,000 characters).")


def long_text(label, required_message=None, description=None):
    validators = [DataRequired(message=required_message)] if required_message else [Optional()]
    validators.append(Length(max=LONG_TEXT, message=TOO_LONG))
    return TextAreaField(label, validators=validators, description=description)


class ChildForm(SubForm):
    """One child; rows left entirely blank are ignored."""

    name = StringField(_l("Name"), validators=[
        Optional(), Length(max=200, message=_l("The name is too long."))])
    birth_date = DateField(_l("Date of birth"), validators=[
        Optional(),
        NotInFuture(_l("The date of birth cannot be in the future.")),
        NotBefore(date(1990, 1, 1), _l("Check the date of birth: it is too long ago.")),
    ])
    town = StringField(_l("Town or settlement"), validators=[
        Optional(), Length(max=120, message=_l("The name of the town is too long."))])

    def is_blank(self):
        return not (self.name.data or self.birth_date.data or self.town.data
                    or self.birth_date.raw_data and self.birth_date.raw_data[0])


class CaseForm(Form):
    children = FieldList(FormField(ChildForm), min_entries=1, max_entries=8)
    add_child = SubmitField(_l("Add another child"))
    concern = long_text(_l("The concern"), _l("Describe the concern."))
    bottom_lines = long_text(_l("Bottom lines"), description=_l(
        "What the plan must respect, one per line. For example: the child may not live with X."))
    questions = long_text(_l("Questions for the family"), description=_l(
        "The questions the family's plan is to answer, one per line."))
    resources_offered = long_text(_l("Resources the municipality offers"))
    if_no_plan = long_text(_l("What happens if no plan is agreed"))
    child_views = long_text(_l("The child's own views"))
    professionals = long_text(_l("Professionals involved"))
    consent_given_by = StringField(_l("Consent given by"), validators=[
        DataRequired(message=_l("Enter who gave consent.")),
        Length(max=200, message=_l("The name is too long."))])
    consent_date = DateField(_l("Date of consent"), validators=[
        InputRequired(message=_l("Enter the date of consent.")),
        NotInFuture(_l("The date of consent cannot be in the future.")),
        NotBefore(date(2000, 1, 1), _l("Check the date of consent: it is too long ago.")),
    ])
    coordinator_id = SelectField(_l("Coordinator"), coerce=optional_int, validate_choice=True)
    caseworker_id = SelectField(_l("Caseworker"), coerce=optional_int, validate_choice=True,
                                validators=[DataRequired(message=_l("Choose the caseworker."))])
    version = VersionField()

    def validate_children(self, field):
        filled = [entry for entry in field.entries if not entry.form.is_blank()]
        if not filled:
            raise ValidationError(_l("Enter at least one child."))
        for entry in filled:
            if not entry.form.name.data:
                entry.form.name.errors.append(_l("Enter the child's name."))
            if not entry.form.birth_date.data and not entry.form.birth_date.errors:
                entry.form.birth_date.errors.append(_l("Enter the child's date of birth."))
        if any(entry.form.name.errors or entry.form.birth_date.errors for entry in filled):
            raise ValidationError(_l("Check the children's details."))

    def children_data(self):
        return [
            {"name": e.form.name.data.strip(), "birth_date": e.form.birth_date.data,
             "town": (e.form.town.data or "").strip()}
            for e in self.children.entries if not e.form.is_blank()
        ]


class WithdrawConsentForm(Form):
    withdrawn_on = DateField(_l("Consent withdrawn on"), validators=[
        InputRequired(message=_l("Enter the date consent was withdrawn.")),
        NotInFuture(_l("The date cannot be in the future.")),
    ])


class StateForm(Form):
    to_state = SelectField(_l("Move the case to"), validate_choice=True)
    effective_on = DateField(_l("On which day"), default=date.today, validators=[
        InputRequired(message=_l("Enter the day the case moved.")),
        NotInFuture(_l("The date of the change cannot be in the future."))],
        description=_l("The day it really happened, e.g. the day of the meeting."))
    outcome = TextAreaField(_l("Outcome (when closing the case)"), validators=[
        Optional(), Length(max=LONG_TEXT, message=TOO_LONG)])
    end_reason = SelectField(_l("Why the case closes"), validate_choice=True, default="",
                             choices=[("", _l("Choose when closing the case"))] + list(END_REASONS.items()))
    version = VersionField()


class CaseFilterForm(Form):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100, message=_l("The search is too long."))])
    state = SelectField(_l("State"), validators=[Optional()], validate_choice=False)
