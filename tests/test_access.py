"""Deny by default, walked over the whole URL map: endpoints added later are
covered without touching this file (their URL arguments go in url_args.py)."""
import pytest

from fgc.security import allowed_roles, is_public
from tests.conftest import login
from tests.url_args import is_case_scoped, rule_values

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint != "static"]


def calls(app, predicate=lambda rule, view: True):
    for rule in rules(app):
        view = app.view_functions[rule.endpoint]
        if predicate(rule, view):
            for method in sorted(set(rule.methods) & set(METHODS)):
                yield rule, view, method


def request(client, app, rule, method, case, world):
    with app.test_request_context():
        from flask import url_for
        url = url_for(rule.endpoint, **rule_values(rule, case, world))
    return client.open(url, method=method, data={})


def test_the_url_map_has_endpoints_to_walk(app):
    endpoints = {rule.endpoint for rule in rules(app)}
    assert {"cases.detail", "cases.edit", "auth.login", "healthz"} <= endpoints


def test_every_non_public_endpoint_refuses_an_anonymous_user(app, client, world):
    checked = 0
    for rule, view, method in calls(app, lambda rule, view: not is_public(view)):
        response = request(client, app, rule, method, world.case, world)
        if method == "GET":
            assert response.status_code == 302 and "/login" in response.location, rule.rule
        else:
            assert response.status_code == 401, f"{method} {rule.rule}: {response.status_code}"
        checked += 1
    assert checked > 5


def test_the_public_allowlist_is_short(app):
    public = sorted(rule.endpoint for rule, view, _m in calls(app, lambda r, v: is_public(v)))
    # A new public endpoint is a decision: add it here only for sign-in, token
    # links and the like.
    allowed = {"auth.login", "auth.login_code", "auth.forgot_password", "auth.accessibility", "auth.privacy",
               "auth.set_password", "auth.set_language",
               "healthz", "conferences.rsvp", "conferences.calendar_feed", "family.activate",
               "conferences.answer_by_code", "survey.enter", "survey.answer", "survey.thanks",
               "sso.start", "oidc.callback", "oidc.metadata",
               # SAML: what the identity provider calls, fgc's metadata, and the letter-code step
               # of a family member's first MitID sign-in.
               "saml.acs", "saml.single_logout", "saml.metadata", "saml.link_family"}
    assert set(public) <= allowed, set(public) - allowed


@pytest.mark.parametrize("outsider", [
    "other-org coordinator", "other-org caseworker", "other-org admin", "other-org family",
    "unassigned coordinator", "unassigned caseworker",
])
def test_case_scoped_endpoints_hide_the_case_from_outsiders(app, client, world, outsider):
    where, role = outsider.split(" ")
    user = world.outsiders[role] if where == "other-org" else world.unassigned[role]
    assert login(client, user).status_code == 302
    checked = 0
    for rule, view, method in calls(app, lambda rule, view: is_case_scoped(rule)):
        response = request(client, app, rule, method, world.case, world)
        if user.role in allowed_roles(view):
            assert response.status_code == 404, f"{outsider}: {method} {rule.rule} gave {response.status_code}"
        else:
            # Refused for the role alone, whatever the case: reveals nothing.
            assert response.status_code == 403, f"{outsider}: {method} {rule.rule} gave {response.status_code}"
        checked += 1
    assert checked >= 4


def test_assigned_staff_reach_the_case(app, client, world, login_as):
    for role in ("coordinator", "caseworker", "admin"):
        login_as(world.users[role])
        assert client.get(f"/cases/{world.case.id}").status_code == 200, role
        client.post("/logout")


def test_family_members_reach_no_staff_page(app, client, world, login_as):
    login_as(world.users["family"])
    for rule, view, method in calls(app, lambda r, v: method_is_get(r) and not is_public(v)):
        if "family" in allowed_roles(view):
            continue
        response = request(client, app, rule, method, world.case, world)
        assert response.status_code in (403, 404), f"{rule.rule}: {response.status_code}"


def method_is_get(rule):
    return "GET" in rule.methods


def test_an_organisation_never_sees_another_organisations_cases(client, world, login_as):
    login_as(world.outsiders["admin"])
    page = client.get("/cases").get_data(as_text=True)
    assert "Pipaluk Lyberth" not in page
    assert client.get(f"/cases/{world.case.id}").status_code == 404


def _mixed_rules(app):
    """Rules naming a case and an object of a case: the object must belong to that case."""
    return [(rule, view, method) for rule, view, method in calls(app)
            if "case_id" in rule.arguments and is_case_scoped_beyond_case(rule)]


def is_case_scoped_beyond_case(rule):
    from tests.url_args import CASE_SCOPED
    return any(name in CASE_SCOPED and name != "case_id" for name in rule.arguments)


@pytest.mark.parametrize("whose", ["another organisation's case", "another of the user's own cases"])
def test_an_object_of_another_case_is_not_found_under_the_users_case(app, client, world, login_as, whose):
    """/cases/<mine>/members/<someone else's member> is a 404, not a way round the case check."""
    from tests import factories
    from tests.url_args import rule_values as values_for

    if whose.startswith("another organisation"):
        foreign = factories.case(world.other_org, world.outsiders["coordinator"], world.outsiders["caseworker"])
    else:
        foreign = factories.case(world.org, world.users["coordinator"], world.users["caseworker"])
    checked = 0
    for rule, view, method in _mixed_rules(app):
        roles = allowed_roles(view)
        role = next(r for r in ("coordinator", "caseworker", "admin", "family") if r in roles)
        client.post("/logout")
        login_as(world.users[role])
        values = values_for(rule, foreign, world)
        values["case_id"] = world.case.id
        with app.test_request_context():
            from flask import url_for
            url = url_for(rule.endpoint, **values)
        response = client.open(url, method=method, data={})
        assert response.status_code == 404, f"{role}: {method} {url} gave {response.status_code}"
        checked += 1
    assert checked >= 4
