from datetime import date

from wtforms import BooleanField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from fgc.conferences.models import KINDS, ROLES, ZONE_LABELS
from fgc.conferences.timing import ZONES
from fgc.core.forms import DateField, Form, NotBefore, SelectField, VersionField
from fgc.i18n import lazy_gettext as _l

MEETING_LANGUAGES = [("da", _l("Danish")), ("kl", _l("Greenlandic")), ("da,kl", _l("Danish and Greenlandic"))]
SHORT = lambda n: Length(max=n, message=_l("The text is too long (at most %(max)d characters).", max=n))  # noqa: E731


class ConferenceForm(Form):
    kind = SelectField(_l("Kind of meeting"), choices=list(KINDS.items()), validate_choice=True)
    day = DateField(_l("Date"), validators=[
        InputRequired(message=_l("Enter the date of the meeting.")),
        NotBefore(date(2020, 1, 1), _l("Check the date: it is too long ago."))])
    start = TimeField(_l("Starts at"), validators=[InputRequired(message=_l("Enter when the meeting starts."))])
    end = TimeField(_l("Ends at"), validators=[InputRequired(message=_l("Enter when the meeting ends."))])
    timezone = SelectField(_l("Time zone"), choices=[(z, ZONE_LABELS[z]) for z in ZONES], validate_choice=True)
    fold = SelectField(_l("On the night the clocks are put back"), choices=[
        ("", _l("Not relevant")), ("0", _l("The first time (summer time)")),
        ("1", _l("The second time (winter time)"))], validate_choice=True,
        description=_l("Only needed for a meeting in the hour that happens twice in autumn."))
    town = StringField(_l("Town or settlement"), validators=[Optional(), SHORT(120)])
    address = StringField(_l("Address"), validators=[Optional(), SHORT(300)])
    room = StringField(_l("Room"), validators=[Optional(), SHORT(120)])
    remote = StringField(_l("Joining by video or phone"), validators=[Optional(), SHORT(300)],
                         description=_l("A link or a phone number, for people who join from elsewhere."))
    languages = SelectField(_l("Language of the meeting"), choices=MEETING_LANGUAGES, validate_choice=True)
    interpreter_booked = BooleanField(_l("Interpreter booked"))
    food = StringField(_l("Food"), validators=[Optional(), SHORT(300)])
    support_person = StringField(_l("The child's support person"), validators=[Optional(), SHORT(200)])
    version = VersionField()

    def values(self):
        data = {k: (v.strip() if isinstance(v, str) else v) for k, v in self.data.items()
                if k not in ("csrf_token", "version")}
        data["fold"] = int(data["fold"]) if data["fold"] in ("0", "1") else None
        return data


class ParticipantForm(Form):
    who = SelectField(_l("Who"), validate_choice=True,
                      validators=[DataRequired(message=_l("Choose one of the options."))])
    role = SelectField(_l("Role at the meeting"), choices=list(ROLES.items()), validate_choice=True)


class AnswerForm(Form):
    answer = SelectField(choices=[("accepted", ""), ("declined", ""), ("tentative", "")],
                         validate_choice=True)


class AnswerCodeForm(Form):
    code = StringField(_l("The code in your letter"), validators=[
        InputRequired(message=_l("Type the code from your letter.")), Length(max=40, message=_l("The code is too long."))],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"})


class CancelForm(Form):
    reason = TextAreaField(_l("Why (optional)"), validators=[Optional(), SHORT(1000)],
                           description=_l("Everyone invited is told, by e-mail in their own language. "
                                          "Write nothing about the child or the case."))
