"""The base form: WTForms' own messages go through our catalogue.

WTForms ships no Greenlandic messages, so its built-in texts are listed here to
be extracted and translated like every other string. Still, every validator in
a form should carry its own message saying what to do.
"""
from datetime import date

from flask_babel import get_translations
import wtforms
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from sqlalchemy import inspect
from wtforms import DateField as _DateField
from wtforms import HiddenField, IntegerField, widgets
from wtforms.widgets import CheckboxInput, ListWidget
from wtforms.fields.core import UnboundField
from wtforms.validators import ValidationError

from fgc.i18n import gettext, lazy_gettext as _l, lazy_ngettext

BUILTIN_MESSAGES = (
    _l("This field is required."),
    _l("Not a valid choice."),
    _l("Not a valid date value."),
    _l("Not a valid datetime value."),
    _l("Not a valid time value."),
    _l("Not a valid integer value."),
    _l("Not a valid decimal value."),
    _l("Invalid input."),
    _l("Invalid email address."),
    _l("The CSRF token is missing."),
    _l("The CSRF token is invalid."),
    _l("The CSRF token has expired."),
    _l("The CSRF tokens do not match."),
    _l("The form has expired. Reload the page and try again."),
    lazy_ngettext("'%(value)s' is not a valid choice for this field.",
                  "'%(value)s' are not valid choices for this field.", 1),
)


# WTForms texts said better by one of ours (a person cannot act on "could not coerce").
ALIASES = {
    "Invalid Choice: could not coerce.": "Not a valid choice.",
    "Invalid Choice(s): one or more data inputs could not be coerced.": "Not a valid choice.",
}


class CatalogueTranslations:
    """Lookups only: WTForms fills in its own placeholders."""

    def gettext(self, string):
        return get_translations().ugettext(ALIASES.get(string, string))

    def ngettext(self, singular, plural, n):
        return get_translations().ungettext(singular, plural, n)


def drop_nul(value):
    # No text a person means contains NUL, and PostgreSQL refuses to store it.
    return value.replace("\x00", "") if isinstance(value, str) else value


class FormMeta:
    def get_translations(self, form):
        return CatalogueTranslations()

    def bind_field(self, form, unbound_field, options):
        if issubclass(unbound_field.field_class, (wtforms.FieldList, wtforms.FormField)):
            return unbound_field.bind(form=form, **options)  # their own fields are filtered
        filters = [*unbound_field.kwargs.get("filters", ()), drop_nul]
        return unbound_field.bind(form=form, filters=filters, **options)


NUL_MESSAGE = _l("The text holds an invisible control character (NUL), perhaps from a copy: "
                 "type it again or remove that character.")


def holds_nul(*values):
    return any("\x00" in value for value in values if isinstance(value, str))


class RefusesNul:
    """A field whose text held NUL is refused with a message beside it (its data has
    the NUL dropped, so nothing reaches a database that cannot store it)."""

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        for field in self:
            if holds_nul(*(field.raw_data or ())):
                field.errors = [*field.errors, str(NUL_MESSAGE)]
                valid = False
        return valid


class Form(RefusesNul, FlaskForm):
    """The base of every page form."""

    Meta = type("Meta", (FormMeta,), {})


class SubForm(RefusesNul, wtforms.Form):
    """The base of forms nested in a page form (FormField), e.g. one child of several."""

    Meta = type("Meta", (FormMeta,), {})


class DateField(_DateField):
    """A date with a translated parse error."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(gettext("Enter a date like 2026-05-31.")) from None


class NotInFuture:
    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        if field.data and field.data > date.today():
            raise ValidationError(str(self.message))


class NotBefore:
    def __init__(self, earliest, message):
        self.earliest, self.message = earliest, message

    def __call__(self, form, field):
        if field.data and field.data < self.earliest:
            raise ValidationError(str(self.message))


class Select(widgets.Select):
    """WTForms' select, with each plain option written directly: its general attribute writer
    takes about 16 µs an option, and a network of 150 people makes lists of 150 options."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw or isinstance(choice.value, bool):
            return super().render_option(choice, **kwargs)
        selected, label = "selected " if choice.selected else "", escape(choice.label or choice.value)
        return Markup(f'<option {selected}value="{escape(choice.value)}">{label}</option>')


class SelectField(wtforms.SelectField):
    widget = Select()


class SelectMultipleField(wtforms.SelectMultipleField):
    widget = Select(multiple=True)


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes: easier on a phone than a multiple select."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class VersionField(HiddenField):
    """The version a form was opened at, for detecting conflicting edits. Empty in a
    form that creates something; anything but a number is refused (a service that
    changes a record must then refuse a missing version)."""

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0]:
            try:
                self.data = int(valuelist[0])
            except ValueError:
                raise ValueError(gettext("The form has expired. Reload the page and try again.")) from None


def optional_int(value):
    if value in (None, "", "None"):
        return None
    return int(value)


def lines(text):
    """A textarea of one item per line, as a list without blanks."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


__all__ = ["Form", "SubForm", "DateField", "IntegerField", "NotInFuture", "NotBefore", "VersionField",
           "optional_int", "lines"]


def record_data(form_class, record, **data):
    """What an edit form opens with: the record's column values for the form's fields
    of the same name (the version included), then `data` for what is not a column
    (children, lines of text, ids of people). Edit forms are built as
    `Form(data=record_data(Form, record, ...))`, never `Form(obj=record)`: WTForms
    would take a relationship from `obj` over the keyword and show its repr, and
    saving that form unchanged would destroy the text."""
    fields = {name for name in dir(form_class) if isinstance(getattr(form_class, name), UnboundField)}
    columns = {attr.key for attr in inspect(record).mapper.column_attrs}
    return {**{name: getattr(record, name) for name in fields & columns}, **data}
