from flask_babel import lazy_gettext as _l
from fgc.core.forms import Form
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from fgc.i18n import LANGUAGE_CHOICES

EMAIL_REQUIRED = DataRequired(message=_l("Enter your e-mail address."))
EMAIL_VALID = Email(message=_l("Enter an e-mail address like name@example.dk."))
EMAIL_LENGTH = Length(max=320, message=_l("The e-mail address is too long."))


class LoginForm(Form):
    # Family members without e-mail sign in with the user name from their letter.
    email = StringField(_l("E-mail or user name"), validators=[EMAIL_REQUIRED, EMAIL_LENGTH],
                        render_kw={"autocomplete": "username", "autocapitalize": "none"})
    password = PasswordField(_l("Password"), render_kw={"autocomplete": "current-password"}, validators=[
        DataRequired(message=_l("Enter your password.")),
        Length(max=200, message=_l("The password is too long.")),
    ])


class ForgotPasswordForm(Form):
    email = EmailField(_l("E-mail"), validators=[EMAIL_REQUIRED, EMAIL_VALID, EMAIL_LENGTH])


class SetPasswordForm(Form):
    password = PasswordField(_l("New password"), validators=[
        DataRequired(message=_l("Choose a password.")),
        Length(min=10, max=200, message=_l("The password must be between 10 and 200 characters.")),
    ])
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(message=_l("Repeat the password.")),
        EqualTo("password", message=_l("The two passwords are not the same.")),
    ])


class StaffUserForm(Form):
    name = StringField(_l("Name"), validators=[
        DataRequired(message=_l("Enter the person's name.")),
        Length(max=200, message=_l("The name is too long.")),
    ])
    email = EmailField(_l("E-mail"), validators=[EMAIL_REQUIRED, EMAIL_VALID, EMAIL_LENGTH])
    role = SelectField(_l("Role"), choices=[
        ("coordinator", _l("Coordinator")),
        ("caseworker", _l("Caseworker")),
        ("admin", _l("Administrator")),
    ], validate_choice=True)
    locale = SelectField(_l("Language"), choices=LANGUAGE_CHOICES, validate_choice=True)


class LanguageForm(Form):
    language = SelectField(choices=LANGUAGE_CHOICES, validate_choice=True)
