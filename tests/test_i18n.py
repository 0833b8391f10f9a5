import re
import subprocess
from datetime import date, datetime, timezone

import pytest
from babel.messages.pofile import read_po
from flask import url_for

from fgc.cli import POT, TRANSLATIONS, extract_catalogue
from fgc.extensions import db
from fgc.i18n import FallbackDomain, format_date, format_datetime
from fgc.security import allowed_roles, is_public
from tests import factories
from tests.url_args import rule_values

LANGS = ("da", "kl", "en")


def get_rules(app):
    return [r for r in app.url_map.iter_rules()
            if "GET" in r.methods and r.endpoint not in ("static", "healthz")]


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_renders_in_each_language_with_the_right_lang(app, client, world, login_as, lang):
    for user in world.users.values():
        user.locale = lang
    db.session.commit()
    rendered = 0
    for rule in get_rules(app):
        view = app.view_functions[rule.endpoint]
        client.post("/logout")
        if is_public(view):
            client.post("/language", data={"language": lang})
            if rule.endpoint == "auth.login_code":  # the step after the password, for two-factor sign-in
                client.post("/login", data={"email": world.users["admin"].email, "password": factories.PASSWORD})
        else:
            role = next(r for r in ("coordinator", "caseworker", "admin", "family")
                        if r in allowed_roles(view))
            login_as(world.users[role])
        with app.test_request_context():
            url = url_for(rule.endpoint, **rule_values(rule, world.case, world))
        response = client.get(url)
        # A public page may be a token link that the test cannot make (404 or 410).
        assert response.status_code == 200 or (is_public(view) and response.status_code in (404, 410)), \
            f"{url}: {response.status_code}"
        if response.mimetype == "text/html":
            assert f'<html lang="{lang}">' in response.get_data(as_text=True), url
            rendered += 1
    assert rendered >= 8


@pytest.mark.parametrize("lang", ("da", "kl"))
def test_the_catalogue_has_no_untranslated_or_fuzzy_entry(lang):
    path = TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"
    with open(path, "rb") as f:
        catalogue = read_po(f, locale=lang)
    untranslated = [m.id for m in catalogue if m.id and not (m.string if isinstance(m.string, str)
                                                             else all(m.string))]
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert not untranslated, f"untranslated in {lang}: {untranslated[:10]}"
    assert not fuzzy, f"fuzzy in {lang}: {fuzzy[:10]}"
    check = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


@pytest.mark.parametrize("lang", ("da", "kl"))
def test_the_catalogue_matches_the_template(lang):
    with open(POT, "rb") as f:
        wanted = {m.id for m in read_po(f) if m.id}
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
        present = {m.id for m in read_po(f) if m.id}
    assert wanted == present, f"run flask fgc translate update: missing {wanted - present}, obsolete {present - wanted}"


def test_messages_pot_is_up_to_date(tmp_path):
    fresh = tmp_path / "messages.pot"
    extract_catalogue(fresh)
    assert fresh.read_text() == POT.read_text(), "messages.pot is stale: run flask fgc translate extract"


def test_a_missing_greenlandic_string_falls_back_to_danish_not_english(app, tmp_path):
    for lang, entries in {"da": {"Hello": "Hej", "Only Danish": "Kun dansk"}, "kl": {"Hello": "Aluu"}}.items():
        folder = tmp_path / lang / "LC_MESSAGES"
        folder.mkdir(parents=True)
        po = "".join(f'msgid "{k}"\nmsgstr "{v}"\n\n' for k, v in entries.items())
        (folder / "messages.po").write_text('msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n' + po)
        subprocess.run(["msgfmt", "-o", str(folder / "messages.mo"), str(folder / "messages.po")], check=True)
    domain = FallbackDomain(translation_directories=[str(tmp_path)])
    with app.test_request_context(headers={"Accept-Language": "kl"}):
        assert domain.gettext("Hello") == "Aluu"
        assert domain.gettext("Only Danish") == "Kun dansk"


def test_the_language_follows_user_then_session_then_browser(client, users, login_as):
    lang = lambda r: re.search(r'<html lang="(\w+)"', r.get_data(as_text=True)).group(1)  # noqa: E731
    assert lang(client.get("/login")) == "da"
    assert lang(client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"})) == "en"
    # A Greenlandic phone names its region: "kl-GL" is Greenlandic, not a miss that falls to "da".
    assert lang(client.get("/login", headers={"Accept-Language": "kl-GL,da;q=0.8"})) == "kl"
    assert lang(client.get("/login", headers={"Accept-Language": "fr-FR,da-DK;q=0.5,en;q=0.4"})) == "da"
    client.post("/language", data={"language": "kl"})
    assert lang(client.get("/login", headers={"Accept-Language": "en"})) == "kl"
    users["coordinator"].locale = "en"
    login_as(users["coordinator"])
    assert lang(client.get("/")) == "en"
    client.post("/language", data={"language": "da"})
    db.session.refresh(users["coordinator"])
    assert users["coordinator"].locale == "da"  # saved on the profile


@pytest.mark.parametrize("lang,expected_date,expected_time", [
    ("da", "torsdag 15. januar 2026", "kl. 13.30"),
    ("kl", "sisamanngorneq 15.01.2026", "nal. 10.30"),  # Nuuk is UTC-2 in winter
    ("en", "Thursday 15 January 2026", "13:30"),
])
def test_dates_and_times_follow_each_languages_conventions(app, lang, expected_date, expected_time):
    moment = datetime(2026, 1, 15, 12, 30, tzinfo=timezone.utc)
    zone = "America/Nuuk" if lang == "kl" else "Europe/Copenhagen"
    with app.test_request_context(headers={"Accept-Language": lang}):
        assert format_date(date(2026, 1, 15)) == expected_date
        assert format_datetime(moment, zone) == f"{expected_date} {expected_time}"


def test_a_page_looks_its_catalogue_up_once_however_many_strings_it_shows(client, world, login_as, monkeypatch):
    import flask_babel

    looked_up = []
    original = flask_babel.Domain.get_translations
    monkeypatch.setattr(flask_babel.Domain, "get_translations",
                        lambda self: looked_up.append(1) or original(self))
    login_as(world.users["coordinator"])
    looked_up.clear()
    page = client.get(f"/cases/{world.case.id}")
    assert page.status_code == 200 and page.get_data(as_text=True).count("</") > 100  # many strings
    assert len(looked_up) == 1
