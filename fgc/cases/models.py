"""A referral becomes a case: the child or siblings, the concern, bottom lines
and questions, consent, and the case's explicit, dated states."""
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fgc.auth.models import User
from fgc.core.models import UTCDateTime, utcnow
from fgc.extensions import db
from fgc.i18n import lazy_gettext as _l

REFERRED, PREPARING, CONFERENCE_HELD = "referred", "preparing", "conference_held"
PLAN_AGREED, FOLLOWING_UP, CLOSED, WITHDRAWN = "plan_agreed", "following_up", "closed", "withdrawn"

STATES = (REFERRED, PREPARING, CONFERENCE_HELD, PLAN_AGREED, FOLLOWING_UP, CLOSED, WITHDRAWN)
STATE_LABELS = {
    REFERRED: _l("Referred"),
    PREPARING: _l("Preparing"),
    CONFERENCE_HELD: _l("Conference held"),
    PLAN_AGREED: _l("Plan agreed"),
    FOLLOWING_UP: _l("Following up"),
    CLOSED: _l("Closed"),
    WITHDRAWN: _l("Withdrawn"),
}
# Why a case left the process before or at its end: a closed case's reason, as reports count them
# (a withdrawn case left because consent was withdrawn).
END_REASONS = {
    "completed": _l("The plan was carried through"),
    "declined": _l("The family declined"),
    "safety": _l("Safety: a conference could not be held safely"),
    "placed": _l("The child was placed outside the network"),
    "other": _l("Other reason"),
}
OPEN_STATES = (REFERRED, PREPARING, CONFERENCE_HELD, PLAN_AGREED, FOLLOWING_UP)
# The process moves forward; a follow-up may lead back to a revised plan. A case may
# close early (the family declined, safety, the child was placed), with its reason.
# Withdrawing consent stops the case from any open state.
TRANSITIONS = {
    REFERRED: (PREPARING, CLOSED),
    PREPARING: (CONFERENCE_HELD, CLOSED),
    CONFERENCE_HELD: (PLAN_AGREED, PREPARING, CLOSED),
    PLAN_AGREED: (FOLLOWING_UP, CLOSED),
    FOLLOWING_UP: (PLAN_AGREED, CLOSED),
    CLOSED: (),
    WITHDRAWN: (),
}


class Case(db.Model):
    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("organisation_id", "reference", name="uq_cases_organisation_reference"),
        Index("ix_cases_organisation_state", "organisation_id", "state"),
        Index("ix_cases_organisation_created", "organisation_id", "created_at"),  # the report's cohort
        Index("ix_cases_organisation_updated", "organisation_id", "updated_at"),  # lists, newest first
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    reference: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20), default=REFERRED)
    concern: Mapped[str] = mapped_column(Text)
    resources_offered: Mapped[str] = mapped_column(Text, default="")
    if_no_plan: Mapped[str] = mapped_column(Text, default="")
    child_views: Mapped[str] = mapped_column(Text, default="")
    professionals: Mapped[str] = mapped_column(Text, default="")
    consent_given_by: Mapped[str] = mapped_column(String(200))
    consent_date: Mapped[date]
    consent_withdrawn_on: Mapped[date | None]
    outcome: Mapped[str | None] = mapped_column(Text)
    end_reason: Mapped[str | None] = mapped_column(String(12))  # END_REASONS, for a closed case
    coordinator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    caseworker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Optimistic locking: an edit made from a stale form is detected, not lost.
    version: Mapped[int] = mapped_column(default=1)

    coordinator: Mapped[User | None] = relationship(foreign_keys=[coordinator_id])
    caseworker: Mapped[User | None] = relationship(foreign_keys=[caseworker_id])
    children: Mapped[list["Child"]] = relationship(
        back_populates="case", order_by="Child.birth_date", cascade="all, delete-orphan")
    bottom_lines: Mapped[list["BottomLine"]] = relationship(
        order_by="BottomLine.position", cascade="all, delete-orphan")
    questions: Mapped[list["Question"]] = relationship(
        order_by="Question.position", cascade="all, delete-orphan")
    state_changes: Mapped[list["StateChange"]] = relationship(
        order_by="[StateChange.effective_on, StateChange.id]", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}

    @property
    def state_label(self):
        return STATE_LABELS[self.state]

    @property
    def is_open(self):
        return self.state in OPEN_STATES

    @property
    def end_reason_label(self):
        return END_REASONS.get(self.end_reason, "")

    @property
    def next_states(self):
        return TRANSITIONS[self.state]

    @property
    def children_names(self):
        return ", ".join(child.name for child in self.children)


class Child(db.Model):
    __tablename__ = "children"
    version_parent = "case_id"  # a change here moves the version of the whole record

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    birth_date: Mapped[date]
    town: Mapped[str] = mapped_column(String(120), default="")
    address: Mapped[str] = mapped_column(String(300), default="")

    case: Mapped[Case] = relationship(back_populates="children")


class BottomLine(db.Model):
    """A non-negotiable the family's plan must respect."""

    __tablename__ = "bottom_lines"
    version_parent = "case_id"  # a change here moves the version of the whole record

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    text: Mapped[str] = mapped_column(Text)


class Question(db.Model):
    """A question the family answers in its plan."""

    __tablename__ = "questions"
    version_parent = "case_id"  # a change here moves the version of the whole record

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    text: Mapped[str] = mapped_column(Text)


class StateChange(db.Model):
    """Each move of a case, dated, so day counts can be reported."""

    __tablename__ = "case_state_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # when it was recorded
    # The day the case really moved: the meeting's, the decision's; what reports count from.
    effective_on: Mapped[date] = mapped_column(default=date.today)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @property
    def to_label(self):
        return STATE_LABELS[self.to_state]


class FamilyAccess(db.Model):
    """Which case a family member's account belongs to (one case per account)."""

    __tablename__ = "family_access"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
