from datetime import date

from wtforms import RadioField
from wtforms.validators import InputRequired, ValidationError

from fgc.core.forms import DateField, Form, NotInFuture, SelectField, VersionField
from fgc.i18n import lazy_gettext as _l
from fgc.reports.models import CHILD_LIVES


def yes_no(value):
    return None if value in (None, "", "None") else value in (True, "True")


YES_NO = [(True, _l("Yes")), (False, _l("No"))]
ANSWER = InputRequired(message=_l("Choose one of the options."))


class OutcomeForm(Form):
    child_lives = RadioField(_l("Where the child lives"), choices=list(CHILD_LIVES.items()), validate_choice=True,
                             validators=[ANSWER])
    new_notification = RadioField(_l("A new notification (underretning) since the last check-in"), choices=YES_NO,
                                  coerce=yes_no, validators=[ANSWER])
    placement = RadioField(_l("A placement decision or care proceedings"), choices=YES_NO, coerce=yes_no,
                           validators=[ANSWER])
    recorded_on = DateField(_l("Checked on"), default=date.today, validators=[
        InputRequired(message=_l("Enter the date.")), NotInFuture(_l("The date cannot be in the future."))])
    version = VersionField()

    def values(self):
        return {name: getattr(self, name).data for name in ("child_lives", "new_notification", "placement",
                                                            "recorded_on")}


class ReportForm(Form):
    """The period and the cases a report is about: from the query string."""

    class Meta:
        csrf = False

    start = DateField(_l("Referred from"), validators=[InputRequired(message=_l("Enter the date."))])
    end = DateField(_l("Referred until"), validators=[InputRequired(message=_l("Enter the date."))])
    coordinator = SelectField(_l("Coordinator"), validate_choice=True, default="")
    town = SelectField(_l("Town or settlement"), validate_choice=True, default="")

    def validate_end(self, field):
        if self.start.data and field.data and field.data < self.start.data:
            raise ValidationError(_l("The period ends before it starts."))
