from fgc.extensions import db
from fgc.network.models import MemberLink, NetworkMember

DEFAULTS = dict(relation="birth_parent", gender="female", side="maternal", sector="family",
                closeness="close", language="da")


def member(case, name="Ivalo Olsen", **values):
    person = NetworkMember(case_id=case.id, name=name, **{**DEFAULTS, **values})
    db.session.add(person)
    db.session.flush()
    return person


def link(case, first, kind, second):
    made = MemberLink(case_id=case.id, from_member_id=first.id, to_member_id=second.id, kind=kind)
    db.session.add(made)
    db.session.flush()
    return made
