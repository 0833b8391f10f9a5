"""The family's plan, in their own words, its versions, commitments and how
they are followed, the caseworker's decision, follow-up reviews, and the
family's own accounts."""
from datetime import date, datetime, time

from sqlalchemy import JSON, Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fgc.auth.models import User
from fgc.core.models import UTCDateTime, utcnow
from fgc.extensions import db
from fgc.i18n import format_date, format_time, gettext as _, lazy_gettext as _l
from fgc.network.models import NetworkMember

PLAN_STATES = {"draft": _l("Draft"), "accepted": _l("Accepted"), "not_accepted": _l("Not accepted"),
               "superseded": _l("Replaced by a newer version")}
PLAN_LANGUAGES = {"da": _l("Danish"), "kl": _l("Greenlandic"), "other": _l("Other language")}
COMMITMENT_STATES = {"not_started": _l("Not started"), "in_progress": _l("In progress"),
                     "done": _l("Done"), "not_kept": _l("Not kept")}
OPEN_STATUSES = ("not_started", "in_progress")  # a commitment still to be kept
VERDICTS = {"kept": _l("Kept"), "partly": _l("Partly kept"), "not_kept": _l("Not kept")}
LIVING = {"home": _l("At home"), "network": _l("Within the network"), "placed": _l("Placed outside the home")}
NEXT_STEPS = {"revise": _l("Revise the plan"), "follow_up": _l("Another follow-up"),
              "close": _l("Close the case")}
RESOURCE_DECISIONS = {"pending": _l("Awaiting decision"), "approved": _l("Approved"), "declined": _l("Declined")}
WEEKDAYS = (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"), _l("Saturday"),
            _l("Sunday"))
SCHEDULES = {"date": _l("By a date"), "weekly": _l("Every week"), "fortnightly": _l("Every other week"),
             "monthly": _l("Every month"), "when": _l("When something happens")}
# A commitment's fields as a plan form and a new version carry them, with their defaults.
COMMITMENT_FIELDS = {"what": "", "service": "", "schedule": "date", "due_date": None, "weekdays": [],
                     "month_day": None, "starts_on": None, "trigger": "", "at_time": None, "how_we_know": "",
                     "checked_by": ""}
# What each schedule does not use, cleared on save so a commitment says one thing.
UNUSED_BY_SCHEDULE = {
    "date": ("weekdays", "month_day", "starts_on", "trigger"),
    "weekly": ("due_date", "month_day", "trigger"),
    "fortnightly": ("due_date", "month_day", "trigger"),
    "monthly": ("due_date", "weekdays", "trigger"),
    "when": ("due_date", "weekdays", "month_day", "starts_on", "at_time"),
}
# Whole phrases, not "every %(day)s": Greenlandic puts the weekday itself in the plural.
EVERY_WEEKDAY = (_l("every Monday"), _l("every Tuesday"), _l("every Wednesday"), _l("every Thursday"),
                 _l("every Friday"), _l("every Saturday"), _l("every Sunday"))

commitment_people = Table(
    "commitment_people", db.metadata,
    Column("commitment_id", ForeignKey("commitments.id", ondelete="CASCADE"), primary_key=True),
    Column("member_id", ForeignKey("network_members.id", ondelete="CASCADE"), primary_key=True),
)


class FamilyPlan(db.Model):
    """One version of a case's plan. A revision is a new row; old ones stay."""

    __tablename__ = "family_plans"
    __table_args__ = (UniqueConstraint("case_id", "number", name="uq_family_plans_case_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(default=1)
    state: Mapped[str] = mapped_column(String(15), default="draft")
    language: Mapped[str] = mapped_column(String(5), default="da")
    contingency: Mapped[str] = mapped_column(Text, default="")
    monitor_id: Mapped[int | None] = mapped_column(ForeignKey("network_members.id"))
    review_date: Mapped[date]
    conference_id: Mapped[int | None] = mapped_column(ForeignKey("conferences.id"))
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    answers: Mapped[list["PlanAnswer"]] = relationship(cascade="all, delete-orphan", order_by="PlanAnswer.id")
    commitments: Mapped[list["Commitment"]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="Commitment.position")
    resources: Mapped[list["ResourceRequest"]] = relationship(cascade="all, delete-orphan",
                                                              order_by="ResourceRequest.id")
    monitor: Mapped[NetworkMember | None] = relationship()
    decided_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def state_label(self):
        return PLAN_STATES[self.state]

    @property
    def is_draft(self):
        return self.state == "draft"


class PlanAnswer(db.Model):
    __tablename__ = "plan_answers"
    version_parent = "plan_id"  # a change here moves the version of the whole record

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("family_plans.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id", ondelete="SET NULL"))
    question_text: Mapped[str] = mapped_column(Text)  # as asked, kept with the version
    text: Mapped[str] = mapped_column(Text, default="")


class Commitment(db.Model):
    """What will be done, by whom, by when, and how we will know."""

    __tablename__ = "commitments"
    version_parent = "plan_id"  # a change here moves the version of the whole record
    __table_args__ = (Index("ix_commitments_plan_status", "plan_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("family_plans.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    what: Mapped[str] = mapped_column(Text)
    service: Mapped[str] = mapped_column(String(200), default="")  # a service, when not (only) people
    # How it falls due (SCHEDULES): by a date; on weekdays every week or every other
    # week (counted from starts_on); on a day of every month; or when something happens.
    schedule: Mapped[str] = mapped_column(String(12), default="date")
    due_date: Mapped[date | None] = mapped_column(index=True)
    weekdays: Mapped[list[int]] = mapped_column(JSON, default=list)  # 0 Monday … 6 Sunday
    month_day: Mapped[int | None]
    starts_on: Mapped[date | None]
    trigger: Mapped[str] = mapped_column(Text, default="")
    at_time: Mapped[time | None]
    how_we_know: Mapped[str] = mapped_column(Text, default="")
    checked_by: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(12), default="not_started")

    plan: Mapped[FamilyPlan] = relationship(back_populates="commitments")
    people: Mapped[list[NetworkMember]] = relationship(secondary=commitment_people, order_by=NetworkMember.name)
    check_ins: Mapped[list["CheckIn"]] = relationship(cascade="all, delete-orphan", order_by="CheckIn.id")

    @property
    def status_label(self):
        return COMMITMENT_STATES[self.status]

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES

    @property
    def when_text(self):
        """The schedule in words, in the active language."""
        if self.schedule == "when":
            return _("when it happens: %(trigger)s", trigger=self.trigger)
        if self.schedule == "monthly":
            text = _("every month on day %(day)s", day=self.month_day)
        elif self.schedule in ("weekly", "fortnightly"):
            days = sorted(self.weekdays or [])
            if self.schedule == "weekly" and len(days) == 1:
                text = str(EVERY_WEEKDAY[days[0]])
            else:
                names = [str(WEEKDAYS[d]) for d in days]
                listed = names[0] if len(names) < 2 else _("%(items)s and %(last)s", items=", ".join(names[:-1]),
                                                            last=names[-1])
                text = (_("every week: %(days)s", days=listed) if self.schedule == "weekly"
                        else _("every other week: %(days)s", days=listed))
        else:
            text = format_date(self.due_date) if self.due_date else ""
        return f"{text} {format_time(self.at_time)}" if self.at_time and text else text

    @property
    def who(self):
        names = [p.name for p in self.people] + ([self.service] if self.service else [])
        return ", ".join(names)


class CheckIn(db.Model):
    __tablename__ = "check_ins"

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id", ondelete="CASCADE"), index=True)
    on: Mapped[date]
    by_name: Mapped[str] = mapped_column(String(200))
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(12))
    note: Mapped[str] = mapped_column(Text, default="")

    @property
    def status_label(self):
        return COMMITMENT_STATES[self.status]


class ResourceRequest(db.Model):
    __tablename__ = "resource_requests"
    version_parent = "plan_id"  # a change here moves the version of the whole record

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("family_plans.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    decision: Mapped[str] = mapped_column(String(10), default="pending")

    @property
    def decision_label(self):
        return RESOURCE_DECISIONS[self.decision]


class Review(db.Model):
    """A follow-up conference's review of a plan version."""

    __tablename__ = "plan_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("family_plans.id", ondelete="CASCADE"), index=True)
    conference_id: Mapped[int | None] = mapped_column(ForeignKey("conferences.id"))
    living_situation: Mapped[str] = mapped_column(String(10))
    next_step: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text, default="")
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    items: Mapped[list["ReviewItem"]] = relationship(cascade="all, delete-orphan", order_by="ReviewItem.id")


class ReviewItem(db.Model):
    __tablename__ = "plan_review_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("plan_reviews.id", ondelete="CASCADE"), index=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id", ondelete="CASCADE"))
    verdict: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text, default="")


class ReminderSent(db.Model):
    """One row per reminder: the unique key makes `send-reminders` safe to repeat."""

    __tablename__ = "reminders_sent"
    __table_args__ = (UniqueConstraint("commitment_id", "due", "member_id", name="uq_reminders_sent_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("network_members.id", ondelete="CASCADE"))
    due: Mapped[date]
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FamilyAccount(db.Model):
    """A family member's account: which network member it is, and its one-time code."""

    __tablename__ = "family_accounts"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("network_members.id", ondelete="CASCADE"), unique=True)
    code_hash: Mapped[str | None] = mapped_column(String(200))
    code_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
    member: Mapped[NetworkMember] = relationship()
