"""Conferences and follow-ups of a case: time and place, the preparation
checklist, participants with their invitations, answers and attendance."""
import secrets
import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, or_
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fgc.auth.models import User
from fgc.core import codes
from fgc.core.models import UTCDateTime, utcnow
from fgc.extensions import db
from fgc.i18n import lazy_gettext as _l
from fgc.network.models import NetworkMember
from fgc.network.services import may_reach

KINDS = {"conference": _l("Family group conference"), "follow_up": _l("Follow-up conference")}
STATES = {"planned": _l("Planned"), "invited": _l("Invitations sent"), "held": _l("Held"),
          "cancelled": _l("Cancelled")}
CHECKLIST = {
    "consent": _l("Consent recorded"),
    "questions": _l("Questions agreed"),
    "invitation_list": _l("Invitation list agreed with the family"),
    "invitees_contacted": _l("Each invitee contacted"),
    "venue": _l("Venue booked"),
    "food": _l("Food arranged"),
    "interpreter": _l("Interpreter arranged, or not needed"),
    "support_person": _l("Support person for the child"),
    "informants_briefed": _l("Information givers briefed"),
}
# A meeting's time is read with its place in words: "kl. 13.00 dansk tid".
# The zones a meeting can be in, as a person chooses them.
ZONE_LABELS = {
    "Europe/Copenhagen": _l("Denmark (Copenhagen)"),
    "America/Nuuk": _l("Greenland (Nuuk, most of Greenland)"),
    "America/Scoresbysund": _l("Greenland (Ittoqqortoormiit)"),
    "America/Thule": _l("Greenland (Pituffik and Qaanaaq area)"),
    "America/Danmarkshavn": _l("Greenland (Danmarkshavn)"),
}
ZONE_TIMES = {
    "Europe/Copenhagen": _l("Danish time"),
    # Translators: after a time of day, e.g. "nal. 13.00 Kalaallit Nunaanni".
    "America/Nuuk": _l("Greenland time"),
    "America/Scoresbysund": _l("Ittoqqortoormiit time"),
    "America/Thule": _l("Pituffik time"),
    "America/Danmarkshavn": _l("Danmarkshavn time"),
}
ROLES = {
    "family": _l("Family or network"),
    "child": _l("The child"),
    "support": _l("Support person"),
    # Translators: a professional who informs in part 1 only, then leaves.
    "informant": _l("Information giver (part 1 only)"),
    "caseworker": _l("Caseworker"),
    "coordinator": _l("Coordinator"),
    "interpreter": _l("Interpreter"),
}
# The invitation's first sentence, by what the person comes as: a teacher or the
# caseworker is not "close to" the child, and the child is invited about themself.
INVITATION_OPENINGS = {
    "family": _l("You are invited to a meeting about a child you mean something to."),
    "support": _l("You are invited to a meeting about a child you mean something to."),
    "child": _l("You are invited to a meeting about you and your family."),
    "informant": _l("You are invited to tell about your work with the child at the start of a meeting. "
                    "Time and place are below."),
}
PROFESSIONAL_OPENING = _l("You are invited to a meeting. Time and place are below.")
ANSWERS = {"not_sent": _l("Not sent"), "sent": _l("Invited"), "accepted": _l("Coming"),
           "declined": _l("Not coming"), "tentative": _l("Maybe")}
PARTS = {1: _l("Information"), 2: _l("Private family time"), 3: _l("Plan agreement")}
# How a person took part in one part of the meeting.
TOOK_PART = {"present": _l("There"), "remote": _l("By phone or video"), "absent": _l("Not there")}
# What the attendance step asks about the meeting itself, for its fidelity.
CHILD_TOOK_PART = {"present": _l("The child was there"), "views": _l("The child's views were presented"),
                   "no": _l("Neither")}
YES_NO_FACTS = {
    "private_time_held": _l("Was private family time held, without professionals?"),
    "child_support_person": _l("Did the child have a support person at the meeting?"),
    "interpreter_needed": _l("Was an interpreter needed?"),
    "interpreter_present": _l("Was an interpreter there?"),
}


def new_uid():
    return f"{uuid.uuid4()}@fgc"


class Conference(db.Model):
    __tablename__ = "conferences"
    __table_args__ = (Index("ix_conferences_case_starts", "case_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12), default="conference")
    state: Mapped[str] = mapped_column(String(12), default="planned")
    # The instant in UTC and the zone whose wall clock the meeting is held by.
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(40))
    town: Mapped[str] = mapped_column(String(120), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    room: Mapped[str] = mapped_column(String(120), default="")
    remote: Mapped[str] = mapped_column(String(300), default="")  # a link or a phone number
    languages: Mapped[str] = mapped_column(String(20), default="da")
    interpreter_booked: Mapped[bool] = mapped_column(default=False)
    food: Mapped[str] = mapped_column(String(300), default="")
    support_person: Mapped[str] = mapped_column(String(200), default="")
    # iTIP: one UID for the meeting's life, SEQUENCE raised on every change sent out.
    uid: Mapped[str] = mapped_column(String(80), unique=True, default=new_uid)
    sequence: Mapped[int] = mapped_column(default=0)
    cancel_reason: Mapped[str] = mapped_column(Text, default="")  # told to everyone invited
    # Facts recorded with the attendance, for the conference's fidelity (None: not recorded).
    private_time_held: Mapped[bool | None]  # the family and network alone, no professionals
    child_took_part: Mapped[str | None] = mapped_column(String(10))  # CHILD_TOOK_PART
    child_support_person: Mapped[bool | None]
    interpreter_needed: Mapped[bool | None]
    interpreter_present: Mapped[bool | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    checklist: Mapped[list["ChecklistItem"]] = relationship(
        order_by="ChecklistItem.position", cascade="all, delete-orphan")
    participants: Mapped[list["Participant"]] = relationship(
        back_populates="conference", order_by="Participant.id", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}

    @property
    def kind_label(self):
        return KINDS[self.kind]

    @property
    def state_label(self):
        return STATES[self.state]

    @property
    def progress(self):
        done = sum(1 for item in self.checklist if item.done)
        return done, len(self.checklist)

    @property
    def place(self):
        return ", ".join(part for part in (self.room, self.address, self.town) if part)

    @property
    def has_started(self):
        return self.starts_at <= utcnow()

    @property
    def is_open(self):
        return self.state in ("planned", "invited")


class ChecklistItem(db.Model):
    __tablename__ = "conference_checklist"
    __table_args__ = (UniqueConstraint("conference_id", "key", name="uq_conference_checklist_item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(30))
    position: Mapped[int]
    done: Mapped[bool] = mapped_column(default=False)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def label(self):
        return CHECKLIST[self.key]


def new_link_token():
    return secrets.token_urlsafe(24)


def new_answer_code():
    return codes.new_code()


class Participant(db.Model):
    """Someone invited: a network member or a member of staff."""

    __tablename__ = "participants"
    __table_args__ = (
        UniqueConstraint("conference_id", "member_id", name="uq_participants_member"),
        UniqueConstraint("conference_id", "user_id", name="uq_participants_user"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("network_members.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(15))
    answer: Mapped[str] = mapped_column(String(10), default="not_sent")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attended_part1: Mapped[bool | None]
    attended_part2: Mapped[bool | None]
    attended_part3: Mapped[bool | None]
    views: Mapped[str] = mapped_column(Text, default="")  # sent in by someone who cannot come
    # Per part, whether they took part by phone or video (then attended_partN is true too).
    remote_part1: Mapped[bool] = mapped_column(default=False)
    remote_part2: Mapped[bool] = mapped_column(default=False)
    remote_part3: Mapped[bool] = mapped_column(default=False)
    # The secret in the person's answer link and letter: random, kept here, replaced to
    # kill the link. (A signed id came back to life when SQLite reused the id.)
    link_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_link_token)
    # The same, short, to type from a letter at the short address (/r): replaced with it.
    answer_code: Mapped[str] = mapped_column(String(8), unique=True, default=new_answer_code)

    conference: Mapped[Conference] = relationship(back_populates="participants")
    member: Mapped[NetworkMember | None] = relationship(lazy="joined")
    user: Mapped[User | None] = relationship(lazy="joined")

    @property
    def name(self):
        return self.member.name if self.member else self.user.name

    def new_links(self):
        """Kill the answer link and code given so far (the person may no longer answer by them)."""
        self.link_token, self.answer_code = new_link_token(), new_answer_code()

    @hybrid_property
    def remote(self):
        """Took part in some part by phone or video."""
        return self.remote_part1 or self.remote_part2 or self.remote_part3

    @remote.inplace.expression
    @classmethod
    def _remote_expression(cls):
        return or_(cls.remote_part1, cls.remote_part2, cls.remote_part3)

    def took_part(self, part):
        """'present', 'remote' (by phone or video) or 'absent' in part 1, 2 or 3."""
        if getattr(self, f"remote_part{part}"):
            return "remote"
        return "present" if getattr(self, f"attended_part{part}") else "absent"

    @property
    def links_work(self):
        """Whether the person's answer link and code work: invited, and fgc may reach them."""
        return self.reachable and self.answer != "not_sent"

    @property
    def answer_code_shown(self):
        return codes.shown(self.answer_code)

    @property
    def reachable(self):
        """Whether fgc may reach this person now (the network's rule, for a member)."""
        return self.member is None or may_reach(self.member)

    @property
    def invitation_opening(self):
        return INVITATION_OPENINGS.get(self.role, PROFESSIONAL_OPENING)

    @property
    def email(self):
        return (self.member.email if self.member else self.user.email) or ""

    @property
    def language(self):
        if self.member:
            return self.member.language if self.member.language in ("da", "kl") else "da"
        return self.user.preferred_locale

    @property
    def role_label(self):
        return ROLES[self.role]

    @property
    def answer_label(self):
        return ANSWERS[self.answer]


class CalendarFeed(db.Model):
    """A coordinator's secret calendar address; a new one revokes the old."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
