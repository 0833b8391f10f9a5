"""Real values for the arguments of every URL rule, so tests can call every endpoint.

A rule is case-scoped when one of its arguments is in CASE_SCOPED: the value
names an object that belongs to the given case. A domain that adds a URL
argument adds an entry here; a rule with an argument missing from both tables
fails the URL-map tests, so no endpoint escapes them.
"""
from fgc.extensions import db
from tests.conferences import factories as conferences
from tests.network import factories as network
from tests.plans import factories as plans


def _link(case, made):
    first = network.member(case, "Aviaja", gender="female")
    second = network.member(case, "Hans", gender="male", side="paternal")
    return network.link(case, first, "partners", second).id


def _conference(case, made):
    if "conference" not in made:
        made["conference"] = conferences.conference(case, case.coordinator)
    return made["conference"].id


def _plan(case, made):
    if "plan" not in made:
        # The plan of a held conference, whose participants a handout is for.
        made["plan"] = plans.plan(case, case.caseworker, conference_id=_conference(case, made))
        made["conference"].state = "held"
    return made["plan"]


def _participant(case, made):
    from fgc.conferences import services

    _conference(case, made)
    return services.add_member(case, made["conference"], network.member(case, "Ane", email="ane@example.gl"),
                               "family", added_by=case.coordinator).id


def _refused_mail(kind="invitation", **where):
    from fgc.core.mail import enqueue, new_message

    msg = new_message("nobody@example.dk", "x")
    msg.set_content("x")
    entry = enqueue(msg, kind=kind, **where)
    entry.status = "failed"
    db.session.flush()
    return entry.id


# name -> function(case, made) -> value for an object of that case; `made` is shared
# by the arguments of one URL, so a participant belongs to that URL's conference.
CASE_SCOPED = {
    "case_id": lambda case, made: case.id,
    "member_id": lambda case, made: network.member(case).id,
    "link_id": _link,
    "conference_id": _conference,
    "participant_id": _participant,
    "plan_id": lambda case, made: _plan(case, made).id,
    "commitment_id": lambda case, made: _plan(case, made).commitments[0].id,
    "message_id": lambda case, made: _refused_mail(case_id=case.id, organisation_id=case.organisation_id),
}

# name -> function(world) -> value, for arguments that are not about a case
OTHER = {
    "user_id": lambda world: world.users["coordinator"].id,
    "purpose": lambda world: "reset-password",
    "token": lambda world: "not-a-valid-token",
    "filename": lambda world: "css/app.css",
    "account_mail_id": lambda world: _refused_mail(organisation_id=world.org.id, kind="reset-password"),
    "kind": lambda world: "child",
    "months": lambda world: 3,
    "person_id": lambda world: world.case.children[0].id,
    "code": lambda world: "ABCD-EFGH",  # a survey code no one was given
    "provider_id": lambda world: _provider(world),
}


def _provider(world):
    """A sign-in service that is not in use: its administrator's pages open, no sign-in starts."""
    from tests.sso.factories import provider

    return provider(world.org, enabled=False).id


def rule_values(rule, case, world):
    values, made = {}, {}
    for name in sorted(rule.arguments, key=lambda n: n != "conference_id"):
        if name in CASE_SCOPED:
            values[name] = CASE_SCOPED[name](case, made)
        elif name in OTHER:
            values[name] = OTHER[name](world)
        else:
            raise AssertionError(
                f"No test value for URL argument {name!r} of {rule.rule}: add it to tests/url_args.py")
    db.session.commit()
    return values


def is_case_scoped(rule):
    return any(name in CASE_SCOPED for name in rule.arguments)
