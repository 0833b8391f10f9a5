"""Every form that edits what a person entered, walked over the whole URL map: opened
by its rightful user and saved back exactly as it was filled in, it changes nothing,
down to the last child row. An edit form added later is covered by adding its URL
arguments to url_args.py."""
from html.parser import HTMLParser

from flask import url_for
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from fgc.core.audit import AuditEntry
from fgc.extensions import db
from tests.conftest import login
from tests.url_args import is_case_scoped, rule_values

MUST_HAVE_FORMS = {"cases.edit", "network.edit", "conferences.edit", "plans.edit"}
NOT_RECORDS = {AuditEntry.__table__.name}  # reading and saving are audited: that is the point


class FormFields(HTMLParser):
    """The fields of one form as a browser would send them, submit buttons left out."""

    def __init__(self, action, own_action_only=False):
        super().__init__(convert_charrefs=True)
        self.action, self.inside, self.found, self.fields = action, False, False, []
        self.targets = {action} if own_action_only else {"", action}  # "": a form sent to its own page
        self.select = self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("method", "").lower() == "post" and attrs.get("action", "") in self.targets:
            self.inside = self.found = True
        if not self.inside:
            return
        if tag == "input" and attrs.get("name") and attrs.get("type", "text") not in ("submit", "button"):
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                self.fields.append((attrs["name"], attrs.get("value", "on" if attrs.get("type") else "")))
        elif tag == "select":
            self.select = {"name": attrs.get("name"), "multiple": "multiple" in attrs, "first": None, "chosen": []}
        elif tag == "option" and self.select is not None:
            value = attrs.get("value", "")
            self.select["first"] = value if self.select["first"] is None else self.select["first"]
            if "selected" in attrs:
                self.select["chosen"].append(value)
        elif tag == "textarea":
            self.textarea = [attrs.get("name"), ""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select is not None:
            chosen = self.select["chosen"] or ([] if self.select["multiple"] else [self.select["first"] or ""])
            self.fields += [(self.select["name"], value) for value in chosen]
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            name, text = self.textarea
            self.fields.append((name, text[1:] if text.startswith("\n") else text))  # as HTML parses it
            self.textarea = None


def form_fields(html, action, own_action_only=False):
    """The form's fields, or None where the page shows no form (nothing to edit yet).
    `own_action_only`: only the form sent to `action`, not one sent to its own page."""
    parser = FormFields(action, own_action_only)
    parser.feed(html)
    return parser.fields if parser.found else None


def everything():
    """Every row of every table but the audit log, as plain values."""
    return {table.name: sorted(tuple(str(v) for v in row) for row in db.session.execute(select(table)).all())
            for table in db.metadata.sorted_tables if table.name not in NOT_RECORDS}


# Pages that ask before doing something that cannot be undone: sent, they act.
ACTIONS = {"conferences.cancel"}


def edit_rules(app):
    """Forms opened on something that exists: a case's edit page, or a URL naming an
    object of the case (a member, a meeting, a plan)."""
    return [rule for rule in app.url_map.iter_rules()
            if {"GET", "POST"} <= rule.methods and is_case_scoped(rule) and rule.endpoint not in ACTIONS
            and (rule.rule.endswith("/edit") or set(rule.arguments) - {"case_id"})]


def test_every_edit_form_saved_unchanged_changes_nothing(app, client, world):
    rules = edit_rules(app)
    assert MUST_HAVE_FORMS <= {r.endpoint for r in rules}
    walked = []
    for rule in rules:
        values = rule_values(rule, world.case, world)
        with app.test_request_context():
            url = url_for(rule.endpoint, **values)
        for role in ("coordinator", "caseworker"):
            client.post("/logout")
            login(client, world.users[role])
            page = client.get(url)
            if page.status_code == 200:
                break
        assert page.status_code == 200, f"{rule.endpoint}: nobody of the case may open it"
        fields = form_fields(page.get_data(as_text=True), url)
        assert fields or rule.endpoint not in MUST_HAVE_FORMS, f"{rule.endpoint}: no form found"
        before = everything()
        response = client.post(url, data=MultiDict(fields or []))
        assert response.status_code < 500, rule.endpoint
        if rule.endpoint in MUST_HAVE_FORMS:  # really saved, not refused as invalid
            assert response.status_code == 302, f"{rule.endpoint}: {response.status_code}"
        db.session.expire_all()
        after = everything()
        changed = {t: (sorted(set(before[t]) - set(after[t])), sorted(set(after[t]) - set(before[t])))
                   for t in before if before[t] != after[t]}
        assert not changed, f"{rule.endpoint} changed {changed}"
        walked.append(rule.endpoint)
    assert len(walked) == len(rules)


def test_the_edit_forms_open_with_the_real_text_never_a_repr(app, client, world):
    for rule in edit_rules(app):
        with app.test_request_context():
            url = url_for(rule.endpoint, **rule_values(rule, world.case, world))
        login(client, world.users["coordinator"])
        html = client.get(url).get_data(as_text=True)
        assert "&lt;" not in html and "[<" not in html, rule.endpoint


# Forms that edit what is not a case's: (who, the page, the address its form is sent to,
# "" for the page itself).
SETTINGS_FORMS = [
    ("admin", "/admin/organisation", ""),  # the letterhead
    ("admin", "/admin/organisation", "/admin/organisation/settings"),  # two-factor, statements
    ("coordinator", "/account/password", "/account/phone"),
]


def test_every_settings_form_saved_unchanged_changes_nothing(client, world):
    world.org.accessibility_statement = "Vi vil gerne høre fra dig.\n\nSkriv til <b>os</b>."
    world.users["coordinator"].phone = "+299 32 10 00"
    db.session.commit()
    for who, page, action in SETTINGS_FORMS:
        client.post("/logout")
        login(client, world.users[who])
        fields = form_fields(client.get(page).get_data(as_text=True), action, own_action_only=True)
        assert fields, f"{page}: no form sent to {action}"
        before = everything()
        assert client.post(action or page, data=MultiDict(fields)).status_code == 302, action or page
        db.session.expire_all()
        after = everything()
        assert before == after, f"{action or page} changed {[t for t in before if before[t] != after[t]]}"
