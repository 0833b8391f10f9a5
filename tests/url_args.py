"""Real values for the arguments of every URL rule, so tests can call every endpoint.

A rule is case-scoped when one of its arguments is in CASE_SCOPED: the value
names an object that belongs to the given case. A domain that adds a URL
argument adds an entry here; a rule with an argument missing from both tables
fails the URL-map tests, so no endpoint escapes them.
"""
from fgc.extensions import db
from tests.network import factories as network


def _link(case):
    first = network.member(case, "Aviaja", gender="female")
    second = network.member(case, "Hans", gender="male", side="paternal")
    return network.link(case, first, "partners", second).id


# name -> function(case) -> value for an object of that case
CASE_SCOPED = {
    "case_id": lambda case: case.id,
    "member_id": lambda case: network.member(case).id,
    "link_id": _link,
}

# name -> function(world) -> value, for arguments that are not about a case
OTHER = {
    "user_id": lambda world: world.users["coordinator"].id,
    "purpose": lambda world: "reset-password",
    "token": lambda world: "not-a-valid-token",
    "filename": lambda world: "css/app.css",
}


def rule_values(rule, case, world):
    values = {}
    for name in rule.arguments:
        if name in CASE_SCOPED:
            values[name] = CASE_SCOPED[name](case)
        elif name in OTHER:
            values[name] = OTHER[name](world)
        else:
            raise AssertionError(
                f"No test value for URL argument {name!r} of {rule.rule}: add it to tests/url_args.py")
    db.session.commit()
    return values


def is_case_scoped(rule):
    return any(name in CASE_SCOPED for name in rule.arguments)
