from flask_login import current_user
from wtforms import BooleanField, EmailField, FileField, PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError
from zxcvbn import zxcvbn

from fgc.core.forms import Form, SelectField, VersionField
from fgc.i18n import LANGUAGE_CHOICES, lazy_gettext as _l

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


class StrongPassword:
    """zxcvbn, a well-kept strength estimator, must rate the password 3 of 4 or better
    (1234567890, a name with a year or a keyboard row are refused)."""

    def __call__(self, form, field):
        known = [getattr(form, name).data for name in ("username", "email") if hasattr(form, name)]
        if current_user.is_authenticated:
            known += [current_user.name, current_user.email]
        # zxcvbn reads at most 72 characters; a longer password is rated by its start.
        if field.data and zxcvbn(field.data[:72], user_inputs=[k for k in known if k])["score"] < 3:
            raise ValidationError(str(_l(
                "This password is too easy to guess: it is, or is close to, a common word, a name, a date "
                "or a pattern such as 1234567890. Put together a few words that do not belong together.")))


class NewPasswordForm(Form):
    """A new password, typed twice: the base of every form that sets one."""

    password = PasswordField(_l("New password"), render_kw={"autocomplete": "new-password"}, validators=[
        DataRequired(message=_l("Choose a password.")),
        Length(min=10, max=200, message=_l("The password must be between 10 and 200 characters.")),
        StrongPassword(),
    ])
    confirm = PasswordField(_l("Repeat the new password"), render_kw={"autocomplete": "new-password"}, validators=[
        DataRequired(message=_l("Repeat the password.")),
        EqualTo("password", message=_l("The two passwords are not the same.")),
    ])


class SetPasswordForm(NewPasswordForm):
    pass


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(_l("Your present password"), render_kw={"autocomplete": "current-password"},
                            validators=[DataRequired(message=_l("Enter your password.")),
                                        Length(max=200, message=_l("The password is too long."))])


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


PHONE = Length(max=40, message=_l("The phone number is too long."))


class LetterheadForm(Form):
    """What the municipality's letters and handouts carry at the top."""

    address = TextAreaField(_l("Address"), validators=[Length(max=300, message=_l("The address is too long."))],
                            description=_l("As it should stand on letters, e.g. street, postcode and town."))
    phone = StringField(_l("Phone"), validators=[PHONE])
    email = EmailField(_l("E-mail"), validators=[Optional(), EMAIL_VALID, EMAIL_LENGTH])
    logo = FileField(_l("Logo (PNG or JPEG, at most 200 KB)"))
    remove_logo = BooleanField(_l("Remove the logo"))
    version = VersionField()


class PhoneForm(Form):
    phone = StringField(_l("Your phone number, as it stands on the letters you send"), validators=[PHONE])


class CodeForm(Form):
    """A code from the authenticator app (or, when signing in, a recovery code)."""

    code = StringField(_l("Code"), validators=[
        DataRequired(message=_l("Enter the code.")),
        Length(max=40, message=_l("The code is too long.")),
    ], render_kw={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"})


STATEMENT_LENGTH = Length(max=20000, message=_l("The text is too long (at most 20,000 characters)."))


class OrganisationSettingsForm(Form):
    require_two_factor = BooleanField(
        _l("Require two-factor sign-in for coordinators and caseworkers"),
        description=_l("Administrators always sign in with a code from an authenticator app. "
                       "Family members never need one."))
    accessibility_statement = TextAreaField(
        _l("Accessibility statement"), validators=[STATEMENT_LENGTH], render_kw={"rows": 12},
        description=_l("Plain text; a blank line starts a new paragraph. Leave it empty to show the "
                       "standard statement."))
    privacy_notice = TextAreaField(
        _l("Privacy notice"), validators=[STATEMENT_LENGTH], render_kw={"rows": 12},
        description=_l("Plain text; a blank line starts a new paragraph. Leave it empty to show the "
                       "standard notice."))
    version = VersionField()
