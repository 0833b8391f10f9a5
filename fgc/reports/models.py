from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fgc.core.models import UTCDateTime, utcnow
from fgc.extensions import db

# Months after the first conference (after the referral when none was held).
CHECK_IN_MONTHS = (3, 6, 12)
CHILD_LIVES = {"home": _l("At home"), "network": _l("With family or network"),
               "placed": _l("Placed outside the network"), "other": _l("Other")}


class OutcomeCheckIn(db.Model):
    """Where the child lives, and whether the authorities had to step in again, at 3,
    6 and 12 months: what a council and a funder ask of family group conferences."""

    __tablename__ = "outcome_check_ins"
    __table_args__ = (UniqueConstraint("case_id", "months", name="uq_outcome_check_ins_case_months"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    months: Mapped[int]
    child_lives: Mapped[str] = mapped_column(String(10))
    new_notification: Mapped[bool]  # a new underretning since the last check-in
    placement: Mapped[bool]  # a placement decision or care proceedings
    recorded_on: Mapped[date]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    @property
    def lives_label(self):
        return CHILD_LIVES[self.child_lives]


class OutcomeReminderSent(db.Model):
    """One reminder to the caseworker per due check-in: safe to run reminders again."""

    __tablename__ = "outcome_reminders_sent"
    __table_args__ = (UniqueConstraint("case_id", "months", name="uq_outcome_reminders_sent_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    months: Mapped[int]
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
