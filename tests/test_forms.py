"""Every form of the foundation refuses bad input (empty, too long, wrong dates,
wrong types) with a message in the user's language, and saves nothing.

The user reads Greenlandic: each message shown must be a msgstr of the kl
catalogue (or of the Danish one it falls back to), never an English msgid.
"Saves nothing" is checked on every table except the audit log (a refused
edit still records that the case was read)."""
import html
import re
from datetime import date, timedelta

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from fgc.auth import services as auth_services
from fgc.cli import TRANSLATIONS
from fgc.extensions import db
from tests.test_cases import referral

TOO_LONG = "x" * 10_001
TOMORROW = str(date.today() + timedelta(days=1))


def _catalogue(lang):
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=lang)


def _pattern(text):
    # A msgstr with placeholders matches any value in their place.
    parts = re.split(r"%\(\w+\)[sd]", text)
    return re.compile("^" + ".+".join(re.escape(p) for p in parts) + "$", re.S)


@pytest.fixture(scope="module")
def translated():
    strings = [m.string for lang in ("kl", "da") for m in _catalogue(lang) if m.id and isinstance(m.string, str)]
    return [_pattern(s.strip()) for s in strings if s.strip()]


def shown_errors(page):
    """The error messages on the page: under fields and in error flashes."""
    found = re.findall(r'<p class="form-error-message"[^>]*>(.*?)</p>', page, re.S)
    messages = [m for block in found for m in re.findall(r"<span>(.*?)</span>", block, re.S)]
    messages += re.findall(r'<div class="alert alert-error"[^>]*>([^<]*)</div>', page)
    # The summary: form-wide messages, and "Label: message" linked to a field.
    for summary in re.findall(r'class="alert alert-error error-summary".*?</ul>', page, re.S):
        messages += re.findall(r"<li>([^<]+)</li>", summary)
        messages += [text.split(": ", 1)[-1] for text in re.findall(r'<li><a href="#[^"]*">([^<]+)</a>', summary)]
    return [html.unescape(m).strip() for m in messages if m.strip()]


def fingerprint():
    """Every row of every table but the audit log."""
    tables = [t for t in db.metadata.sorted_tables if t.name != "audit_entries"]
    with db.engine.connect() as conn:
        return {t.name: sorted(map(repr, conn.execute(select(t)).all())) for t in tables}


def _case_form(world, **changes):
    return referral(world, version=str(world.case.version), **changes)


def _set_password_url(world):
    token = auth_services.make_token(world.unassigned["caseworker"], "reset-password")
    db.session.commit()
    return f"/password/reset-password/{token}"


# name -> (role that fills it in, url(world), valid data(world), {problem: changes})
FORMS = {
    "login": (None, lambda w: "/login",
              lambda w: {"email": w.users["coordinator"].email, "password": "correct horse battery"}, {
                  "empty": {"email": "", "password": ""},
                  "too long": {"email": "a" * 400 + "@example.dk"},
                  "wrong password": {"password": "wrong"},
              }),
    "forgot password": (None, lambda w: "/password/forgot",
                        lambda w: {"email": w.users["coordinator"].email}, {
                            "empty": {"email": ""},
                            "not an e-mail address": {"email": "no-at-sign"},
                            "too long": {"email": "a" * 400 + "@example.dk"},
                        }),
    "set password": (None, _set_password_url,
                     lambda w: {"password": "a long new secret", "confirm": "a long new secret"}, {
                         "empty": {"password": "", "confirm": ""},
                         "too short": {"password": "short", "confirm": "short"},
                         "too long": {"password": "x" * 201, "confirm": "x" * 201},
                         "not repeated": {"confirm": "something else"},
                     }),
    "new staff user": ("admin", lambda w: "/admin/users/new",
                       lambda w: {"name": "Ny Medarbejder", "email": "ny@example.dk",
                                  "role": "caseworker", "locale": "da"}, {
                           "empty": {"name": "", "email": ""},
                           "name too long": {"name": "x" * 201},
                           "not an e-mail address": {"email": "ny.example.dk"},
                           "e-mail taken": {"email": "__taken__"},
                           "unknown role": {"role": "superuser"},
                           "role of family member": {"role": "family"},
                           "unknown language": {"locale": "xx"},
                       }),
    "new case": ("caseworker", lambda w: "/cases/new", referral, {
        "empty": {"concern": "", "consent_given_by": "", "consent_date": "", "caseworker_id": "",
         "children-0-name": "", "children-0-birth_date": "", "children-1-name": "",
         "children-1-birth_date": ""},
        "text too long": {"professionals": TOO_LONG},
        "impossible date": {"consent_date": "2026-02-30"},
        "date in the future": {"children-0-birth_date": TOMORROW},
        "date not a date": {"consent_date": "yesterday"},
        "coordinator not a number": {"coordinator_id": "1.5"},
        "caseworker of the family role": {"caseworker_id": "__family__"},
    }),
    "edit case": ("coordinator", lambda w: f"/cases/{w.case.id}/edit", _case_form, {
        "empty": {"concern": "", "consent_date": ""},
        "text too long": {"bottom_lines": TOO_LONG},
        "date too long ago": {"consent_date": "1899-12-31"},
        "version not a number": {"version": "abc"},
        "version missing": {"version": ""},
    }),
    "change state": ("coordinator", lambda w: f"/cases/{w.case.id}/state",
                     lambda w: {"to_state": "preparing", "version": str(w.case.version),
                                "effective_on": str(date.today())}, {
                         "empty": {"to_state": ""},
                         "a day ahead": {"effective_on": str(date.today() + timedelta(days=1))},
                         "not a date": {"effective_on": "2026-02-30"},
                         "unknown state": {"to_state": "nonsense"},
                         "skipping a step": {"to_state": "closed"},
                         "outcome too long": {"outcome": TOO_LONG},
                         "version not a number": {"version": "x"},
                     }),
    "withdraw consent": ("caseworker", lambda w: f"/cases/{w.case.id}/withdraw",
                         lambda w: {"withdrawn_on": str(date.today())}, {
                             "empty": {"withdrawn_on": ""},
                             "date in the future": {"withdrawn_on": TOMORROW},
                             "date not a date": {"withdrawn_on": "2026-13-01"},
                             "too long": {"withdrawn_on": "2" * 5000},
                         }),
}

CASES = [(form, problem) for form, (_r, _u, _d, problems) in FORMS.items() for problem in problems]


def _fill(value, world):
    return {"__taken__": world.users["caseworker"].email,
            "__family__": str(world.users["family"].id)}.get(value, value)


@pytest.mark.parametrize("form,problem", CASES, ids=[f"{f}: {p}" for f, p in CASES])
def test_bad_input_is_refused_with_a_translated_message_and_nothing_is_saved(
        app, client, world, login_as, translated, form, problem):
    role, url, valid, problems = FORMS[form]
    for user in (*world.users.values(), *world.unassigned.values()):
        user.locale = "kl"
    db.session.commit()
    client.post("/language", data={"language": "kl"})
    if role:
        login_as(world.users[role])
    target = url(world)
    data = valid(world)
    data.update({key: _fill(value, world) for key, value in problems[problem].items()})
    before = fingerprint()
    response = client.post(target, data=data, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code in (200, 409), response.status_code
    errors = shown_errors(page)
    assert errors, f"{form} / {problem}: no error message shown"
    for message in errors:
        assert any(p.match(message) for p in translated), f"{form} / {problem}: not translated: {message!r}"
    assert fingerprint() == before, f"{form} / {problem}: something was saved"


@pytest.mark.parametrize("form", FORMS)
def test_the_valid_input_of_each_form_is_accepted(app, client, world, login_as, form):
    """The baseline of the table above: only the named problem makes a form fail."""
    role, url, valid, _problems = FORMS[form]
    if role:
        login_as(world.users[role])
    response = client.post(url(world), data=valid(world))
    assert response.status_code == 302, f"{form}: {response.status_code}"
    assert not shown_errors(client.get(response.location).get_data(as_text=True))


def test_fgc_s_select_writes_exactly_what_wtforms_writes(app):
    """The quicker select draws every kind of option as WTForms' own would."""
    import wtforms

    from fgc.core.forms import SelectField, SelectMultipleField
    from fgc.i18n import lazy_gettext

    choices = [(None, "Ingen"), ("", lazy_gettext("Choose")), (1, "Én"), ("m:2", "<b>Ole & 'Åse\"</b>"),
               ("m:3", "Ane", {"disabled": True}), (True, "Ja")]
    for ours_class, theirs_class, default in ((SelectField, wtforms.SelectField, None),
                                              (SelectField, wtforms.SelectField, "m:2"),
                                              (SelectField, wtforms.SelectField, 1),
                                              (SelectMultipleField, wtforms.SelectMultipleField, ["m:2", 1])):
        class Ours(wtforms.Form):
            who = ours_class(choices=choices, default=default)

        class Theirs(wtforms.Form):
            who = theirs_class(choices=choices, default=default)

        with app.test_request_context():
            ours, theirs = str(Ours().who()), str(Theirs().who())
        assert ours == theirs and "&lt;b&gt;Ole &amp; &#39;Åse&#34;&lt;/b&gt;" in ours
