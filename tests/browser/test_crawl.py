"""Every page, every role, every language.

From each demo role's start page (and the signed-out pages), follow every link on
this site, in Danish, Greenlandic and English, and check each page: no server
error, no axe-core violation, no Nu HTML checker error, the right <html lang>,
no English catalogue text on a Danish or Greenlandic page, no Python repr, raw
code, internal code or time zone id in the visible text, no horizontal overflow
at 375 px. A screenshot of each page is saved under artifacts/screenshots/.
New pages are crawled as soon as a link leads to them; a GET endpoint that no
demo role reaches fails the test (or is exempted below, with its reason).
"""
import json
import re
import subprocess
from collections import Counter, defaultdict
from urllib.parse import urldefrag, urlparse

from babel.messages.pofile import read_po
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from fgc.cli import TRANSLATIONS
from fgc.config import ROOT
from fgc.extensions import db
from tests.browser.conftest import ARTIFACTS, DEMO_USERS, choose_language, new_context, run_axe, sign_in

LANGS = ("da", "kl", "en")
PER_ENDPOINT = 2  # pages of one endpoint checked per role and language (other ids look the same)
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

# GET endpoints no link leads to, and why each is checked elsewhere.
NOT_CRAWLED = {
    "static": "files, not pages",
    "healthz": "JSON for monitoring; tests/test_security.py",
    "auth.set_password": "needs a token from an e-mail; tests/test_auth.py and the language test",
    "conferences.rsvp": "needs a token from an invitation; tests/browser/test_conference_journey.py",
    "conferences.calendar_feed": "a calendar file at a secret address; tests/conferences/test_scheduling.py",
    "auth.login_code": "the step after the password of an account with two-factor sign-in, which no link "
                       "leads to; tests/browser/test_two_factor_journey.py (axe) and tests/test_i18n.py",
    "auth.organisation_logo": "a picture on letters, not a page; tests/conferences/test_letters.py",
    "sso.start": "a sign-in button, shown only for a sign-in service in use (the demo has none: it would need a "
                 "running identity provider); tests/browser/test_oidc_journey.py, tests/browser/test_saml_journey.py",
    "oidc.callback": "only an OpenID Connect provider sends the browser there; tests/sso/test_oidc.py and "
                     "tests/browser/test_oidc_journey.py",
    "oidc.metadata": "JSON for the IT department, linked from an OpenID Connect provider's page (the demo has none); "
                     "tests/sso/test_oidc.py",
    "saml.metadata": "fgc's SAML metadata (XML) for an identity provider; the demo has no SAML provider, "
                     "which needs a running identity provider; tests/sso/test_saml.py",
    "saml.single_logout": "only an identity provider sends people here; tests/sso/test_saml.py",
    "saml.link_family": "reached only after a MitID sign-in; tests/browser/test_saml_journey.py (axe, 375 px)",
    "plans.handout": "linked from a plan of a held conference, which the demo's first plans reached are not; "
                     "tests/browser/test_letter_journey.py (axe, print) and tests/test_i18n.py",
}


def english_phrases(lang):
    """English source strings whose translation differs, without placeholders, and
    not used as words in the language's own texts (a loanword such as "Link")."""
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
        catalogue = read_po(f, locale=lang)
    own_text = "\n".join(m.string for m in catalogue if m.id and isinstance(m.string, str))
    patterns = []
    for message in catalogue:
        if not message.id or not isinstance(message.id, str) or "%(" in message.id:
            continue
        if message.string.strip() == message.id.strip() or len(message.id) < 4:
            continue
        pattern = re.compile(r"(?<![\w-])" + re.escape(message.id) + r"(?![\w-])")
        if not pattern.search(own_text):
            patterns.append(pattern)
    return patterns


# What a person must never read: the program's own words instead of theirs.
INTERNALS = {
    "a Python repr": re.compile(r"\[?<[A-Z][A-Za-z]+ \d+>\]?"),
    "a raw code (snake_case)": re.compile(r"(?<![\w@./-])[a-z]+(?:_[a-z0-9]+)+(?![\w@./-])"),
    # Audit codes ("case.read") and record ids ("conference:2"); not a user name such as jens.olsen.1234.
    "an internal code": re.compile(r"(?<![\w@./-])(?:case|commitment|conference|conferences|family_account|member|"
                                   r"participant|password|plan|plans|user|network|auth)[.:][a-z0-9_]+\b"),
    "a raw time zone id": re.compile(r"\b(?:America|Europe)/[A-Z][a-z]+"),
}


def internals_in(text):
    return sorted({f"{what}: {match.group(0)}" for what, pattern in INTERNALS.items()
                   for match in pattern.finditer(text)})


def links_on(page, base):
    """(url, is_download) for each link to this site."""
    found = page.eval_on_selector_all("a[href]", "els => els.map(e => [e.href, e.hasAttribute('download')])")
    result = []
    for href, download in found:
        href, _fragment = urldefrag(href)
        if href.startswith(base) and "/static/" not in href:
            result.append((href, download))
    return result


def endpoint_of(app, url):
    parsed = urlparse(url)
    try:
        endpoint, _args = app.url_map.bind("127.0.0.1").match(parsed.path, method="GET")
    except HTTPException:
        return None
    return endpoint


class Findings:
    def __init__(self):
        self.problems = []
        self.visited = set()
        self.html_files = {}
        self.count = 0

    def add(self, where, what):
        self.problems.append(f"{where}: {what}")


def check_page(page, response, url, label, lang, english, findings, shot_dir, html_dir):
    where = f"[{label} {lang}] {urlparse(url).path}{'?' + urlparse(url).query if urlparse(url).query else ''}"
    if response is None or response.status >= 500:
        findings.add(where, f"status {response.status if response else 'none'}")
        return
    if response.headers.get("content-type", "").split(";")[0] != "text/html":
        return
    findings.count += 1
    html_lang = page.get_attribute("html", "lang")
    if html_lang != lang:
        findings.add(where, f'<html lang="{html_lang}">, expected "{lang}"')
    for violation in run_axe(page):
        findings.add(where, f"axe {violation['id']} ({violation['impact']}): {violation['help']} at {violation['nodes']}")
    if english:
        # Text marked as another language (a language's own name in the menu) is not checked.
        text = page.evaluate("""(lang) => {
            const body = document.body.cloneNode(true);
            body.querySelectorAll('[lang]:not([lang="' + lang + '"]), script, style').forEach(e => e.remove());
            return body.textContent;
        }""", lang)
        leaked = sorted({p.pattern for p in english if p.search(text)})
        if leaked:
            findings.add(where, f"English catalogue text on a {lang} page: {leaked[:5]}")
    shown = internals_in(page.inner_text("body"))
    if shown:
        findings.add(where, f"visible text shows {shown[:5]}")
    slug = re.sub(r"[^a-zA-Z0-9]+", "-", urlparse(url).path + "-" + urlparse(url).query).strip("-") or "home"
    name = f"{label}-{lang}-{slug}"
    page.screenshot(path=str(shot_dir / f"{name}.png"), full_page=True)
    page.set_viewport_size({"width": 375, "height": 800})
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    if overflow > 0:
        findings.add(where, f"{overflow}px of horizontal overflow at 375px width")
    page.set_viewport_size({"width": 1280, "height": 900})
    html_path = html_dir / f"{name}.html"
    html_path.write_text(response.text())
    findings.html_files[str(html_path)] = where


def survey_pages(app):
    """The pages a family member reaches from paper without signing in: the survey's short
    address on a card, a card's code for an adult and for a child (the answer pages), the
    thank-you, and the short address on an invitation letter."""
    from fgc.conferences.models import Conference
    from fgc.reports import survey

    with app.app_context():
        meeting = db.session.scalar(select(Conference).where(Conference.state == "held").limit(1))
        assert meeting is not None, "the demo data has a held meeting"
        [adult], [child] = survey.cards(meeting, 1), survey.cards(meeting, 1, for_child=True)
        db.session.commit()
    return ["/s", f"/s/{adult}", f"/s/{child}", "/s/thanks", "/r"]


def plan_pages(app, who):
    """The plan pages of the demo's own cases the user may see (not its year of history):
    their drafts, versions and decisions are what the lists' first links, which lead to the
    oldest overdue commitments of the history, do not reach."""
    from fgc.auth.models import User
    from fgc.cases.models import Case
    from fgc.cases.permissions import visible_cases
    from fgc.plans.models import FamilyPlan

    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == DEMO_USERS[who]))
        if not user.is_staff:
            return []
        ids = db.session.scalars(visible_cases(user).with_only_columns(Case.id).where(
            ~Case.reference.startswith("H-"), Case.id.in_(select(FamilyPlan.case_id)))).all()
    return [f"/cases/{case_id}/plan/" for case_id in ids]


def crawl(browser, live_server, label, who, findings, shot_dir, html_dir, also=()):
    base = live_server.url
    app = live_server.app
    context = new_context(browser)
    page = context.new_page()
    try:
        if who:
            sign_in(page, base, who)
            start = f"{base}/"
        else:
            page.goto(f"{base}/login")
            start = f"{base}/login"
        for lang in LANGS:
            choose_language(page, lang)
            english = english_phrases(lang) if lang != "en" else None
            queue, seen, per_endpoint = [(start, False)], set(), Counter()
            if not who:
                queue.append((f"{base}/password/forgot", False))
            queue.extend((f"{base}{path}", False) for path in also)
            while queue:
                url, download = queue.pop(0)
                if url in seen:
                    continue
                seen.add(url)
                endpoint = endpoint_of(app, url)
                if endpoint is None or per_endpoint[endpoint] >= PER_ENDPOINT:
                    continue
                per_endpoint[endpoint] += 1
                findings.visited.add(endpoint)
                if download:  # a file to save, not a page: fetched with the same session
                    response = page.request.get(url)
                    if response.status >= 400:
                        findings.add(f"[{label} {lang}] {url}", f"download gave {response.status}")
                    continue
                response = page.goto(url)
                check_page(page, response, url, label, lang, english, findings, shot_dir, html_dir)
                queue.extend(link for link in links_on(page, base) if link[0] not in seen)
        choose_language(page, "da")  # the language is saved on the user: leave it as found
    finally:
        context.close()


def nu_checker_errors(files):
    """One Nu HTML checker run over every saved page (--errors-only)."""
    result = subprocess.run(["java", "-jar", str(VNU), "--errors-only", "--format", "json", *files],
                            capture_output=True, text=True, timeout=600)
    report = json.loads(result.stderr or result.stdout or '{"messages": []}')
    errors = defaultdict(list)
    for message in report.get("messages", []):
        if message.get("type") == "error":
            path = urlparse(message.get("url", "")).path
            errors[path].append(f"line {message.get('lastLine')}: {message.get('message')}")
    return errors


def test_every_page_in_every_language_passes_the_quality_gates(browser, live_server):
    shot_dir = ARTIFACTS / "screenshots"
    html_dir = ARTIFACTS / "html"
    for folder in (shot_dir, html_dir):
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.iterdir():
            old.unlink()
    findings = Findings()
    crawl(browser, live_server, "anonymous", None, findings, shot_dir, html_dir, also=survey_pages(live_server.app))
    for role in DEMO_USERS:
        crawl(browser, live_server, role, role, findings, shot_dir, html_dir, also=plan_pages(live_server.app, role))

    for path, errors in nu_checker_errors(sorted(findings.html_files)).items():
        where = findings.html_files.get(path, path)
        for error in errors[:5]:
            findings.add(where, f"Nu HTML checker: {error}")

    assert findings.count > 20, f"only {findings.count} pages were checked"
    assert not findings.problems, "\n" + "\n".join(findings.problems[:80]) + (
        f"\n… and {len(findings.problems) - 80} more" if len(findings.problems) > 80 else "")

    get_endpoints = {rule.endpoint for rule in live_server.app.url_map.iter_rules()
                     if "GET" in rule.methods}
    never = sorted(get_endpoints - findings.visited - set(NOT_CRAWLED))
    assert not never, (f"GET endpoints no demo role reached by following links: {never}. "
                       "Link to them from a page, or add them to NOT_CRAWLED with the reason.")
