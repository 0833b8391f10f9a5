"""The network's rules. Functions flush, never commit, and raise DomainError."""
from sqlalchemy import select

from fgc.core import audit
from fgc.core.errors import DomainError, check_version
from fgc.core.models import utcnow
from fgc.extensions import db
from fgc.i18n import lazy_gettext as _l
from fgc.network.models import CLOSENESS, SECTORS, MemberLink, NetworkMember

FIELDS = ("name", "relation", "gender", "side", "sector", "closeness", "lives_with_child", "town",
          "phone", "email", "address", "language", "needs_interpreter", "deceased", "notes",
          "must_not_be_invited", "hide_contact_from_family", "supervised_only", "restriction_reason")


class RestrictedPerson(DomainError):
    """The person may not be invited; the message says why."""


class InvalidLink(DomainError):
    pass


def members_of(case, sector=None, closeness=None, order="name"):
    """A case's current members (removed ones left out), filtered and sorted."""
    query = select(NetworkMember).where(NetworkMember.case_id == case.id, NetworkMember.removed_at.is_(None))
    if sector in SECTORS:
        query = query.where(NetworkMember.sector == sector)
    if closeness in CLOSENESS:
        query = query.where(NetworkMember.closeness == closeness)
    columns = {"name": (NetworkMember.name,), "relation": (NetworkMember.relation, NetworkMember.name),
               "sector": (NetworkMember.sector, NetworkMember.name),
               "closeness": (NetworkMember.closeness, NetworkMember.name)}
    return db.session.scalars(query.order_by(*columns.get(order, columns["name"]))).all()


def links_of(case):
    """Links between the case's current members, both ends loaded in the same query."""
    from sqlalchemy.orm import aliased, contains_eager

    a, b = aliased(NetworkMember), aliased(NetworkMember)
    return db.session.scalars(
        select(MemberLink).join(a, MemberLink.from_member).join(b, MemberLink.to_member)
        .where(MemberLink.case_id == case.id, a.removed_at.is_(None), b.removed_at.is_(None))
        .options(contains_eager(MemberLink.from_member.of_type(a)),
                 contains_eager(MemberLink.to_member.of_type(b)))
        .order_by(MemberLink.id)).all()


def get_member(case, member_id):
    member = db.session.get(NetworkMember, member_id)
    if member is None or member.case_id != case.id or member.removed_at is not None:
        return None
    return member


def _clean(values):
    values = {key: values[key] for key in FIELDS}
    if not (values["must_not_be_invited"] or values["hide_contact_from_family"] or values["supervised_only"]):
        values["restriction_reason"] = ""
    return values


def add_member(case, values, *, added_by):
    member = NetworkMember(case_id=case.id, **_clean(values))
    db.session.add(member)
    db.session.flush()
    audit.record("member.added", case=case, subject=member, user=added_by)
    return member


def update_member(case, member, values, *, expected_version, changed_by):
    """Returns what was withdrawn (in words) because the member can no longer be reached."""
    check_version(member, expected_version, _l(
        "Someone else changed this person while you were editing. "
        "Your text is kept below: compare and save again."))
    values = _clean(values)
    was_reachable = may_reach(member)
    changed = [key for key, value in values.items() if getattr(member, key) != value]
    for key in changed:
        setattr(member, key, values[key])
    db.session.flush()
    audit.record("member.updated", case=case, subject=member, user=changed_by,
                 detail=",".join(changed) or None)
    return _withdraw_if_now_unreachable(case, member, was_reachable, changed_by)


def remove_member(case, member, *, removed_by):
    """The member leaves the network; the record and its audit trail stay. Returns
    what was withdrawn (in words)."""
    was_reachable = may_reach(member)
    member.removed_at = utcnow()
    db.session.flush()
    audit.record("member.removed", case=case, subject=member, user=removed_by)
    return _withdraw_if_now_unreachable(case, member, was_reachable, removed_by)


def add_link(case, from_id, kind, to_id, *, added_by):
    first, second = get_member(case, from_id), get_member(case, to_id)
    if first is None or second is None or first.id == second.id:
        raise InvalidLink(_l("Choose two different people of this network."))
    pair = {first.id, second.id}
    for link in links_of(case):
        if {link.from_member_id, link.to_member_id} == pair and link.kind == kind:
            raise InvalidLink(_l("These two are linked like that already."))
    link = MemberLink(case_id=case.id, from_member_id=first.id, to_member_id=second.id, kind=kind)
    db.session.add(link)
    db.session.flush()
    audit.record("member.linked", case=case, subject=first, user=added_by, detail=f"{kind}:{second.id}")
    return link


def remove_link(case, link, *, removed_by):
    audit.record("member.unlinked", case=case, subject=link.from_member, user=removed_by,
                 detail=f"{link.kind}:{link.to_member_id}")
    db.session.delete(link)
    db.session.flush()


def may_reach(member):
    """The one reachability rule. fgc reaches a network member (invitations, updates,
    cancellations, letters, plan and reminder mails, answer links, a family account
    and its pages) only while they may be invited, are alive and are in the network.
    Every channel asks it when it sends or serves, not only when someone is added."""
    return not (member.must_not_be_invited or member.deceased or member.removed_at is not None)


# What other parts of fgc hold for a member (unsent mail, links, an account), taken
# back the moment the member can no longer be reached: functions
# (case, member, by) -> [what was withdrawn, in words], registered by those parts.
_WITHDRAWALS = []


def on_unreachable(withdraw):
    _WITHDRAWALS.append(withdraw)
    return withdraw


def _withdraw_if_now_unreachable(case, member, was_reachable, by):
    if not was_reachable or may_reach(member):
        return []
    return [str(text) for withdraw in _WITHDRAWALS for text in withdraw(case, member, by)]


def ensure_invitable(member):
    """Raise RestrictedPerson, with the reason, for someone who must not be invited."""
    if member.removed_at is not None:
        raise RestrictedPerson(_l("%(name)s is no longer in the network.", name=member.name))
    if member.must_not_be_invited:
        raise RestrictedPerson(_l("%(name)s must not be invited: %(reason)s",
                                  name=member.name, reason=member.restriction_reason))
    if member.deceased:
        raise RestrictedPerson(_l("%(name)s is recorded as deceased.", name=member.name))
