from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fgc.core.models import UTCDateTime, utcnow
from fgc.extensions import db
from fgc.i18n import lazy_gettext as _l

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


# The participant survey after a conference or follow-up: five statements on a scale
# of 1 (disagree) to 5 (agree), and for the child a smiley scale of 1 to 5.
SURVEY_QUESTIONS = {
    "heard": _l("I was heard"),
    "ours": _l("The plan is ours"),
    "realistic": _l("The plan is realistic"),
    "know": _l("I know what I must do"),
    "recommend": _l("I would recommend a family group conference to others"),
}
AGREEMENT = {1: _l("Disagree completely"), 2: _l("Disagree"), 3: _l("Neither agree nor disagree"), 4: _l("Agree"),
             5: _l("Agree completely")}
SMILEYS = {1: _l("Very bad"), 2: _l("Bad"), 3: _l("So-so"), 4: _l("Good"), 5: _l("Very good")}


class SurveyLink(db.Model):
    """One answer's worth of survey: the secret in a mailed link or on a printed card.
    Whose it is is not kept, and the answer does not point back to it."""

    __tablename__ = "survey_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    for_child: Mapped[bool] = mapped_column(default=False)
    used: Mapped[bool] = mapped_column(default=False)


class SurveyAnswer(db.Model):
    """An anonymous answer: the meeting it is about and the marks, nothing else."""

    __tablename__ = "survey_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"), index=True)
    for_child: Mapped[bool] = mapped_column(default=False)
    heard: Mapped[int | None]
    ours: Mapped[int | None]
    realistic: Mapped[int | None]
    know: Mapped[int | None]
    recommend: Mapped[int | None]
    smiley: Mapped[int | None]
