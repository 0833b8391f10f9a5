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


PLACEHOLDER = 2147483646  # an id no test record has


@pytest.mark.parametrize("huge", ["9" * 20, str(2**31), str(2**31 - 1)])
def test_an_id_no_table_can_hold_or_has_is_a_404_on_every_route(app, client, world, login_as, huge):
    checked = 0
    for rule in app.url_map.iter_rules():
        ids = [name for name, converter in rule._converters.items() if converter.regex == r"\d+"]
        if not ids or rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        client.post("/logout")
        if user_for(view, world) is not None:
            login_as(user_for(view, world))
        values = rule_values(rule, world.case, world)
        for name in ids:
            with app.test_request_context():
                url = url_for(rule.endpoint, **{**values, name: PLACEHOLDER})
            url = url.replace(f"/{PLACEHOLDER}", f"/{huge}")
            for method in sorted(rule.methods & {"GET", "POST"}):
                response = client.open(url, method=method, data={})
                assert response.status_code == 404, f"{method} {url}: {response.status_code}"
                checked += 1
    assert checked >= 20


def test_ids_too_large_in_query_strings_and_fields_are_refused_without_an_error(app, client, world, login_as):
    from tests.conferences import factories as conferences

    meeting = conferences.conference(world.case, world.users["coordinator"])
    from fgc.extensions import db
    db.session.commit()
    login_as(world.users["admin"])
    for query in ("case=99999999999999999999", "user=99999999999999999999", "subject=Child:99999999999999999999"):
        assert client.get(f"/admin/audit/?{query}").status_code in (200, 404), query
    client.post("/logout")
    login_as(world.users["coordinator"])
    for who in ("m:99999999999999999999", "u:99999999999999999999", "m:٣"):
        response = client.post(f"/cases/{world.case.id}/conferences/{meeting.id}/participants",
                               data={"who": who, "role": "family"}, follow_redirects=True)
        assert response.status_code == 200 and "Vælg en af mulighederne" in response.get_data(as_text=True)
