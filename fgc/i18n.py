"""Languages: choosing the locale, rendering in a recipient's locale, dates and times.

Danish is the default. Greenlandic falls back to Danish (never English) for a
string that is missing. CLDR's Greenlandic data is thin (12-hour clock, Danish
fragments), so date and time formats are set here explicitly, following the
conventions in DOMAIN.md: numeric dates with the weekday name, 24-hour time
written "nal. 14.30".
"""
from contextlib import contextmanager
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel import support
from flask import current_app, g, has_app_context, has_request_context, request, session
from flask_babel import Domain, _get_current_context, force_locale, get_locale, get_translations
from flask_babel.speaklater import LazyString
from flask_login import current_user

LANGUAGE_NAMES = {"da": "Dansk", "kl": "Kalaallisut", "en": "English"}
FALLBACK = {"kl": "da"}

# Greenlandic weekday names (glossary in DOMAIN.md); CLDR's are unconfirmed.
KL_WEEKDAYS = (
    "ataasinngorneq", "marlunngorneq", "pingasunngorneq", "sisamanngorneq",
    "tallimanngorneq", "arfininngorneq", "sapaat",
)


def supported(locale):
    return locale if locale in current_app.config["LANGUAGES"] else None


def select_locale():
    """A link's own language (`?lang=`, carried by every link in a mail or letter: the
    recipient's), then the user's saved choice, then the session's, then the
    browser's, then Danish."""
    if not has_request_context():
        return None  # the default (Danish), e.g. in a command; mail uses in_locale()
    if lang := supported(request.args.get("lang")):
        return lang
    if current_user and current_user.is_authenticated and supported(current_user.locale):
        return current_user.locale
    if supported(session.get("locale")):
        return session["locale"]
    return _browser_language() or "da"


def _browser_language():
    """The browser's most wanted language that fgc speaks, by its primary tag: a phone
    set to "kl-GL, da" gets Greenlandic, where an exact match would prefer "da"."""
    for tag, _quality in request.accept_languages:
        if lang := supported(tag.split("-")[0].lower()):
            return lang
    return None


def current_language():
    locale = get_locale()
    return locale.language if locale else "da"


class FallbackDomain(Domain):
    """A message domain in which a language's missing strings come from its fallback.

    The catalogues are loaded once per process (Flask-Babel keeps them per locale); the
    one a request uses is looked up once and kept in Flask-Babel's own per-request slot
    for it (which `force_locale` and `refresh` empty and restore), since a page asks for
    it once for every string it shows."""

    def get_translations(self):
        ctx = _get_current_context()
        if ctx is None:
            return support.NullTranslations()
        translations = getattr(ctx, "babel_translations", None)
        if translations is None:
            translations = super().get_translations()
            locale = get_locale()
            fallback = FALLBACK.get(locale.language if locale else "da")
            if fallback and not getattr(translations, "fgc_fallback_added", False):
                for dirname in self.translation_directories:
                    translations.add_fallback(support.Translations.load(dirname, [fallback]))
                translations.fgc_fallback_added = True
            ctx.babel_translations = translations
        return translations


def _translations():
    """The catalogue in use, as Flask-Babel's `get_translations()` finds it, but without its
    walk through the context proxies when the request (or command) has it already: a page
    asks for it once for every string it shows."""
    if has_app_context():
        kept = getattr(getattr(g._get_current_object(), "_flask_babel", None), "babel_translations", None)
        if kept is not None:
            return kept
    return get_translations()


# What fgc's code and templates translate with: Flask-Babel's functions, by way of `_translations`.
def gettext(string, **variables):
    translated = _translations().ugettext(string)
    return translated % variables if variables else translated


def ngettext(singular, plural, num, **variables):
    variables.setdefault("num", num)
    return _translations().ungettext(singular, plural, num) % variables


def lazy_gettext(string, **variables):
    return LazyString(gettext, string, **variables)


def lazy_ngettext(singular, plural, num, **variables):
    return LazyString(ngettext, singular, plural, num, **variables)


@contextmanager
def in_locale(locale):
    """Render text (an e-mail, a letter) in someone else's language."""
    with force_locale(locale if locale in LANGUAGE_NAMES else "da"):
        yield


def to_zone(moment, zone):
    """An aware (or naive UTC) datetime as wall-clock time in an IANA zone."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(ZoneInfo(zone))


def format_date(value, style="long"):
    """A date in the active language: 'mandag 5. januar 2026', 'ataasinngorneq 05.01.2026'."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    lang = current_language()
    if style == "short":
        pattern = {"en": "d MMM y"}.get(lang, "dd.MM.y")
        return babel_dates.format_date(value, pattern, locale="en" if lang == "en" else "da")
    if lang == "kl":
        return f"{KL_WEEKDAYS[value.weekday()]} {value:%d.%m.%Y}"
    pattern = {"da": "EEEE d. MMMM y", "en": "EEEE d MMMM y"}[lang]
    return babel_dates.format_date(value, pattern, locale=lang)


def format_number(value):
    """A number as the language writes it: 12,5 in Danish and Greenlandic."""
    lang = current_language()
    return babel_numbers.format_decimal(value, locale="en" if lang == "en" else "da")


def format_percent(value):
    return f"{format_number(value)} %"


def format_time(value):
    """A wall-clock time: 'kl. 14.30', 'nal. 14.30', '14:30'."""
    lang = current_language()
    if lang == "en":
        return f"{value:%H:%M}"
    return f"{'nal.' if lang == 'kl' else 'kl.'} {value:%H.%M}"


def format_datetime(value, zone=None, style="long"):
    """A datetime stored in UTC, shown in `zone` (default: Copenhagen)."""
    if value is None:
        return ""
    local = to_zone(value, zone or current_app.config["DEFAULT_TIMEZONE"])
    return f"{format_date(local, style)} {format_time(local)}"


def today():
    return date.today()


def init_app(app):
    app.jinja_env.install_gettext_callables(
        gettext=lambda string: _translations().ugettext(string),
        ngettext=lambda singular, plural, num: _translations().ungettext(singular, plural, num),
        pgettext=lambda context, string: _translations().upgettext(context, string),
        npgettext=lambda context, singular, plural, num: _translations().unpgettext(context, singular, plural, num),
        newstyle=True)
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["time"] = format_time
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.filters["percent"] = format_percent

    @app.before_request
    def remember_link_language():
        # Before anything else (a sign-in page the link leads to first included): the
        # pages a link leads on to keep its language; the switch still changes it.
        if lang := supported(request.args.get("lang")):
            session["locale"] = lang

    @app.context_processor
    def language_context():
        return {
            "current_language": current_language(),
            "language_names": LANGUAGE_NAMES,
            "languages": app.config["LANGUAGES"],
        }


# Used by forms and choices in several domains.
LANGUAGE_CHOICES = (("da", lazy_gettext("Danish")), ("kl", lazy_gettext("Greenlandic")),
                    ("en", lazy_gettext("English")))
