from datetime import date

from wtforms import FieldList, FormField, IntegerField, RadioField, StringField, SubmitField, TextAreaField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from fgc.auth.forms import NewPasswordForm
from fgc.core.forms import (CheckboxesField, DateField, Form, NotBefore, SelectField, SelectMultipleField, SubForm,
                            VersionField, optional_int)
from fgc.i18n import lazy_gettext as _l
from fgc.plans.models import (COMMITMENT_STATES, LIVING, NEXT_STEPS, PLAN_LANGUAGES, SCHEDULES, VERDICTS,
                              WEEKDAYS)

TEXT = Length(max=10_000, message=_l("The text is too long (at most 10,000 characters)."))
SHORT = Length(max=200, message=_l("The text is too long (at most 200 characters)."))


class CommitmentForm(SubForm):
    what = TextAreaField(_l("What will be done"), validators=[Optional(), TEXT])
    people = SelectMultipleField(_l("Who (from the network)"), coerce=int, validate_choice=True,
                                 description=_l("Hold Ctrl (or Cmd) to choose several."))
    service = StringField(_l("Or a service"), validators=[Optional(), SHORT])
    schedule = RadioField(_l("When"), choices=list(SCHEDULES.items()), default="date", validate_choice=True)
    due_date = DateField(_l("By when (a date)"), validators=[Optional()])
    weekdays = CheckboxesField(_l("On which weekdays"), coerce=int, validate_choice=True,
                               choices=list(enumerate(WEEKDAYS)))
    month_day = IntegerField(_l("Day of the month"), validators=[Optional(), NumberRange(
        1, 31, message=_l("Give a day of the month from 1 to 31."))])
    starts_on = DateField(_l("From (a date)"), validators=[Optional()],
                          description=_l("Every other week is counted from this week."))
    trigger = StringField(_l("When what happens"), validators=[Optional(), SHORT],
                          description=_l("For example: when the child is ill."))
    at_time = TimeField(_l("At"), validators=[Optional()])
    how_we_know = TextAreaField(_l("How we will know"), validators=[Optional(), TEXT])
    checked_by = StringField(_l("Who checks"), validators=[Optional(), SHORT])

    def is_blank(self):
        """Nothing filled in (the schedule always has a choice): an unused row, left out."""
        return not any((field.data.strip() if isinstance(field.data, str) else field.data)
                       for name, field in self._fields.items() if name != "schedule")


class PlanForm(Form):
    language = SelectField(_l("The language the plan is written in"), choices=list(PLAN_LANGUAGES.items()),
                           validate_choice=True)
    answers = FieldList(TextAreaField(validators=[Optional(), TEXT]))
    commitments = FieldList(FormField(CommitmentForm), min_entries=1, max_entries=40)
    add_commitment = SubmitField(_l("Add another commitment"))
    contingency = TextAreaField(_l("If it does not work, then…"), validators=[Optional(), TEXT])
    monitor_id = SelectField(_l("The family member who watches over the plan"), coerce=optional_int,
                             validate_choice=True)
    resources = TextAreaField(_l("Resources asked of the municipality"), validators=[Optional(), TEXT],
                              description=_l("One per line."))
    review_date = DateField(_l("Review date (follow-up)"), validators=[
        InputRequired(message=_l("Choose the review date.")),
        NotBefore(date(2020, 1, 1), _l("Check the date: it is too long ago."))])
    version = VersionField()

    def validate_commitments(self, field):
        filled = [e.form for e in field.entries if not e.form.is_blank()]
        if not filled:
            raise ValidationError(_l("Write at least one commitment."))
        for entry in filled:
            if not (entry.what.data or "").strip():
                entry.what.errors = [*entry.what.errors, _l("Describe what will be done.")]
            if not entry.people.data and not (entry.service.data or "").strip():
                entry.people.errors = [*entry.people.errors, _l("Say who will do it.")]
            missing = {
                "date": (entry.due_date, entry.due_date.data is None, _l("Give the date.")),
                "weekly": (entry.weekdays, not entry.weekdays.data, _l("Choose at least one weekday.")),
                "fortnightly": (entry.weekdays, not entry.weekdays.data, _l("Choose at least one weekday.")),
                "monthly": (entry.month_day, entry.month_day.data is None, _l("Give a day of the month from 1 to 31.")),
                "when": (entry.trigger, not (entry.trigger.data or "").strip(), _l("Say what has to happen.")),
            }.get(entry.schedule.data)
            if missing and missing[1] and not missing[0].errors:
                missing[0].errors = [*missing[0].errors, missing[2]]
        if any(e.what.errors or e.people.errors or e.due_date.errors or e.weekdays.errors or e.month_day.errors or e.trigger.errors
               for e in filled):
            raise ValidationError(_l("Check the commitments."))


class DecisionForm(Form):
    decision = RadioField(_l("The caseworker's decision"), choices=[
        ("accepted", _l("The plan is accepted")), ("not_accepted", _l("The plan is not accepted"))],
        validators=[InputRequired(message=_l("Choose accepted or not accepted."))])
    reason = TextAreaField(_l("Reason"), validators=[Optional(), TEXT],
                           description=_l("Required when the plan is not accepted."))
    version = VersionField()

    def validate_reason(self, field):
        if self.decision.data == "not_accepted" and not (field.data or "").strip():
            raise ValidationError(_l("Give the reason the plan is not accepted."))


class CheckInForm(Form):
    status = SelectField(_l("Status"), choices=list(COMMITMENT_STATES.items()), validate_choice=True)
    note = TextAreaField(_l("Note"), validators=[Optional(), TEXT])


class ReviewForm(Form):
    living_situation = RadioField(_l("Where the child lives now"), choices=list(LIVING.items()),
                                  validators=[InputRequired(message=_l("Choose where the child lives now."))])
    next_step = RadioField(_l("Next step"), choices=list(NEXT_STEPS.items()),
                           validators=[InputRequired(message=_l("Choose the next step."))])
    note = TextAreaField(_l("Note (the outcome, when closing the case)"), validators=[Optional(), TEXT])

    def validate_note(self, field):
        if self.next_step.data == "close" and not (field.data or "").strip():
            raise ValidationError(_l("Record the outcome before closing the case."))


class FamilyAccountForm(Form):
    member_id = SelectField(_l("Person"), coerce=int, validate_choice=True)


class ActivateForm(NewPasswordForm):
    username = StringField(_l("User name"), validators=[
        DataRequired(message=_l("Enter the user name from the letter.")), SHORT])
    code = StringField(_l("Code"), validators=[DataRequired(message=_l("Enter the code from the letter.")), SHORT])


VERDICT_CHOICES = list(VERDICTS.items())
