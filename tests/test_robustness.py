"""No input a user can type yields a 500: every POST endpoint of the URL map,
fed odd values for the fields it names, by a user allowed to use it."""
import re

import pytest
from flask import url_for

from fgc.security import allowed_roles, is_public
from tests.url_args import rule_values

ODD_VALUES = ["", " ", "x" * 20_000, "-1", "0", "99999999999999999999", "2026-02-30",
              "abc", "<script>alert(1)</script>", "'; DROP TABLE cases; --", "\u0000", "ææøå ᐃᓄᒃᑎᑐᑦ"]


def field_names(html):
    return sorted(set(re.findall(r'name="([^"]+)"', html)) - {"csrf_token"})


def post_rules(app):
    return [r for r in app.url_map.iter_rules() if "POST" in r.methods and r.endpoint != "static"]


def user_for(view, world):
    if is_public(view):
        return None
    roles = allowed_roles(view)
    for role in ("coordinator", "caseworker", "admin", "family"):
        if role in roles:
            return world.users[role]
    raise AssertionError(f"no user may use {view}")


def test_every_post_endpoint_survives_odd_input(app, client, world, login_as):

    checked = []
    for rule in post_rules(app):
        view = app.view_functions[rule.endpoint]
        user = user_for(view, world)
        client.post("/logout")
        if user is not None:
            login_as(user)
        with app.test_request_context():
            url = url_for(rule.endpoint, **rule_values(rule, world.case, world))
        names = field_names(client.get(url).get_data(as_text=True)) if "GET" in rule.methods else []
        names = names or ["name", "email", "date", "state", "to_state", "version", "language"]
        for value in ODD_VALUES:
            response = client.post(url, data={name: value for name in names})
            assert response.status_code < 500, f"POST {rule.rule} with {value[:30]!r}: {response.status_code}"
        checked.append(rule.rule)
        if user is not None and not user.active:
            pytest.fail(f"{rule.rule} deactivated the test user")
    assert len(checked) >= 8
