"""Was the conference held as the model asks? Each part from facts recorded during
the work (attendance) or computed from the case, and a score: the parts met of those
that apply. One set of queries for any number of conferences."""
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from fgc.cases.models import BottomLine, Question
from fgc.conferences.models import ChecklistItem, Participant
from fgc.core.models import utcnow
from fgc.extensions import db
from fgc.i18n import lazy_gettext as _l
from fgc.plans.models import FamilyPlan

PLAN_WITHIN = timedelta(hours=48)
PARTS = {
    "private_time": (_l("Private family time held"),
                     _l("The family and network were alone, without professionals or the coordinator.")),
    "child": (_l("The child took part"), _l("The child was there, or their views were presented.")),
    "support_person": (_l("Support person for the child"),
                       _l("The child had a support person at the meeting (counted when the child was there).")),
    "interpreter": (_l("Interpreter present"),
                    _l("An interpreter was there (counted when one was needed).")),
    "plan_sent": (_l("Plan sent within 48 hours"),
                  _l("A plan from this conference was accepted and sent to the participants within 48 hours "
                     "of the meeting's end.")),
    "review_date": (_l("Review date set"), _l("A plan from this conference has a date for its review.")),
    "prepared": (_l("Questions and bottom lines ready"),
                 _l("The case had questions and bottom lines, and the questions were agreed before the meeting.")),
}


@dataclass
class Part:
    key: str
    met: bool | None  # None: does not apply (or cannot be known yet)

    @property
    def label(self):
        return PARTS[self.key][0]

    @property
    def definition(self):
        return PARTS[self.key][1]


@dataclass
class Fidelity:
    parts: list
    remote: int  # people who took part by phone or video

    @property
    def met(self):
        return sum(1 for part in self.parts if part.met)

    @property
    def applies(self):
        return sum(1 for part in self.parts if part.met is not None)

    @property
    def share(self):
        return self.met / self.applies if self.applies else None


def fidelity_of(conferences):
    """{conference id: Fidelity} for held conferences (not follow-ups), in five queries."""
    conferences = [c for c in conferences if c.kind == "conference" and c.state == "held"]
    ids, case_ids = [c.id for c in conferences], {c.case_id for c in conferences}
    if not ids:
        return {}
    plans = {}
    for conference_id, decided, has_review in db.session.execute(
            select(FamilyPlan.conference_id,
                   func.min(FamilyPlan.decided_at).filter(FamilyPlan.state.in_(("accepted", "superseded"))),
                   func.count(FamilyPlan.review_date))
            .where(FamilyPlan.conference_id.in_(ids)).group_by(FamilyPlan.conference_id)):
        plans[conference_id] = (decided, has_review)
    remote = dict(db.session.execute(select(Participant.conference_id, func.count()).where(
        Participant.conference_id.in_(ids), Participant.remote).group_by(Participant.conference_id)).all())
    agreed = dict(db.session.execute(select(ChecklistItem.conference_id, ChecklistItem.done_at).where(
        ChecklistItem.conference_id.in_(ids), ChecklistItem.key == "questions", ChecklistItem.done)).all())
    questions = dict(db.session.execute(select(Question.case_id, func.count()).where(
        Question.case_id.in_(case_ids)).group_by(Question.case_id)).all())
    bottom_lines = dict(db.session.execute(select(BottomLine.case_id, func.count()).where(
        BottomLine.case_id.in_(case_ids)).group_by(BottomLine.case_id)).all())
    now = utcnow()
    result = {}
    for c in conferences:
        decided, has_review = plans.get(c.id, (None, 0))
        if decided is not None:
            plan_sent = decided - c.ends_at <= PLAN_WITHIN
        else:
            plan_sent = False if now - c.ends_at > PLAN_WITHIN else None
        agreed_at = agreed.get(c.id)
        result[c.id] = Fidelity(parts=[
            Part("private_time", bool(c.private_time_held)),
            Part("child", c.child_took_part in ("present", "views")),
            Part("support_person", bool(c.child_support_person) if c.child_took_part == "present" else None),
            Part("interpreter", bool(c.interpreter_present) if c.interpreter_needed else None),
            Part("plan_sent", plan_sent),
            Part("review_date", bool(has_review)),
            Part("prepared", bool(questions.get(c.case_id) and bottom_lines.get(c.case_id) and agreed_at
                                  and agreed_at <= c.starts_at)),
        ], remote=remote.get(c.id, 0))
    return result


def fidelity(conference):
    return fidelity_of([conference]).get(conference.id)
