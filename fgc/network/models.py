"""The people around the child, their safety restrictions, and the links
between them that feed the genogram."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fgc.core.models import UTCDateTime, utcnow
from fgc.extensions import db
from fgc.i18n import lazy_gettext as _l

# Relation to the child. Several parent-like relations may exist at once.
PARENT_KINDS = {"birth_parent": "birth", "adoptive_parent": "adoptive", "raising_parent": "raising",
                "foster_parent": "foster", "step_parent": "step"}
RELATIONS = {
    "birth_parent": _l("Birth parent"),
    "adoptive_parent": _l("Adoptive parent"),
    # Translators: a person who raises the child without a formal adoption (common in Greenland).
    "raising_parent": _l("Raising parent (informal adoption)"),
    "foster_parent": _l("Foster parent"),
    "step_parent": _l("Step-parent"),
    "grandparent": _l("Grandparent"),
    "great_grandparent": _l("Great-grandparent"),
    "sibling": _l("Sibling"),
    "half_sibling": _l("Half-sibling"),
    "aunt_uncle": _l("Aunt or uncle"),
    "cousin": _l("Cousin"),
    "other_relative": _l("Other relative"),
    "friend": _l("Friend"),
    "neighbour": _l("Neighbour"),
    "school_daycare": _l("School, daycare or work"),
    "professional": _l("Professional"),
}
GENERATION = {
    "great_grandparent": -3, "grandparent": -2, "birth_parent": -1, "adoptive_parent": -1,
    "raising_parent": -1, "foster_parent": -1, "step_parent": -1, "aunt_uncle": -1,
    "sibling": 0, "half_sibling": 0, "cousin": 0, "other_relative": 1,
}
DEFAULT_SECTOR = {"friend": "friends", "neighbour": "friends", "school_daycare": "school",
                  "professional": "professional"}

SECTORS = {
    "family": _l("Family"),
    "friends": _l("Friends and neighbours"),
    "school": _l("School, daycare and work"),
    "professional": _l("Professionals"),
}
CLOSENESS = {"close": _l("Close"), "medium": _l("Medium"), "distant": _l("Distant")}
SIDES = {"maternal": _l("Mother's side"), "paternal": _l("Father's side"), "other": _l("Other or both")}
GENDERS = {"female": _l("Female"), "male": _l("Male"), "other": _l("Other"), "unknown": _l("Not stated")}
MEMBER_LANGUAGES = {"da": _l("Danish"), "kl": _l("Greenlandic"), "other": _l("Other language")}

LINK_KINDS = {
    "partners": _l("are partners"),
    "separated": _l("are separated"),
    "parent_of": _l("is the parent of"),
    "siblings": _l("are siblings"),
}
# Whole sentences, so each language can order the words its own way.
LINK_SENTENCES = {
    "partners": _l("%(first)s and %(second)s are partners"),
    "separated": _l("%(first)s and %(second)s are separated"),
    "parent_of": _l("%(first)s is the parent of %(second)s"),
    "siblings": _l("%(first)s and %(second)s are siblings"),
}


class NetworkMember(db.Model):
    __tablename__ = "network_members"
    __table_args__ = (Index("ix_network_members_case_removed", "case_id", "removed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    relation: Mapped[str] = mapped_column(String(30))
    gender: Mapped[str] = mapped_column(String(10), default="unknown")
    side: Mapped[str] = mapped_column(String(10), default="other")
    sector: Mapped[str] = mapped_column(String(15), default="family")
    closeness: Mapped[str] = mapped_column(String(10), default="medium")
    lives_with_child: Mapped[bool] = mapped_column(default=False)
    town: Mapped[str] = mapped_column(String(120), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(320), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    language: Mapped[str] = mapped_column(String(5), default="da")
    needs_interpreter: Mapped[bool] = mapped_column(default=False)
    deceased: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[str] = mapped_column(Text, default="")
    # Safety restrictions, enforced where they matter; the reason is shown to staff.
    must_not_be_invited: Mapped[bool] = mapped_column(default=False)
    hide_contact_from_family: Mapped[bool] = mapped_column(default=False)
    supervised_only: Mapped[bool] = mapped_column(default=False)
    restriction_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Removal keeps the row (and the audit trail that names it); lists leave it out.
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_restricted(self):
        return self.must_not_be_invited or self.hide_contact_from_family or self.supervised_only

    @property
    def parent_kind(self):
        return PARENT_KINDS.get(self.relation)

    @property
    def generation(self):
        return GENERATION.get(self.relation) if self.sector == "family" else None

    @property
    def sector_label(self):
        return SECTORS[self.sector]

    @property
    def closeness_label(self):
        return CLOSENESS[self.closeness]


class MemberLink(db.Model):
    """Two members are partners, separated or siblings, or one is the other's parent."""

    __tablename__ = "member_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    from_member_id: Mapped[int] = mapped_column(ForeignKey("network_members.id", ondelete="CASCADE"))
    to_member_id: Mapped[int] = mapped_column(ForeignKey("network_members.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(15))

    from_member: Mapped[NetworkMember] = relationship(foreign_keys=[from_member_id])
    to_member: Mapped[NetworkMember] = relationship(foreign_keys=[to_member_id])

    @property
    def sentence(self):
        return str(LINK_SENTENCES[self.kind]) % {"first": self.from_member.name, "second": self.to_member.name}
