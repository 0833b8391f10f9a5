"""The participant survey after a conference or follow-up. Functions flush, never
commit, and raise DomainError.

Each answer's worth of survey is a short random code (in a mailed link, or on a
printed card), kept only as a hash. Whose code it is, is not stored: a link is made
for each person who took part, mailed, and forgotten. The answer keeps the meeting
and the marks, and nothing that leads back to the code, the person or the time.
"""
import hashlib

from flask import url_for
from sqlalchemy import false, func, select, update

from fgc.conferences.services import on_held
from fgc.core import codes
from fgc.core.errors import DomainError
from fgc.core.mail import enqueue, public_url, render_message
from fgc.extensions import db
from fgc.i18n import gettext as _, lazy_gettext as _l
from fgc.reports.models import SURVEY_QUESTIONS, SurveyAnswer, SurveyLink

# Who is asked: the family and network, the child, the child's support person.
# (Professionals are not: the survey asks whether the plan is the family's own.)
SURVEY_ROLES = ("family", "child", "support")
MAX_CARDS = 50
QUESTION_KEYS = tuple(SURVEY_QUESTIONS)
CHILD_KEYS = ("smiley",)


class SurveyError(DomainError):
    pass


class UnknownCode(SurveyError):
    pass


class UsedCode(SurveyError):
    pass


def new_code():
    """A code as it is shown: 'ABCD-EFGH'."""
    return codes.shown(codes.new_code())


def code_hash(code):
    plain = codes.normalise(code)
    return hashlib.sha256(plain.encode()).hexdigest() if plain else None


def _make_link(conference, for_child):
    while True:
        code = new_code()
        digest = code_hash(code)
        # 31^8 codes: a clash is all but impossible, and is simply drawn again.
        if db.session.scalar(select(SurveyLink.id).where(SurveyLink.code_hash == digest)) is None:
            break
    db.session.add(SurveyLink(conference_id=conference.id, code_hash=digest, for_child=for_child))
    return code


def find(code):
    """The survey link of a code, or None for a code that is malformed or not known."""
    digest = code_hash(code)
    if digest is None:
        return None
    return db.session.scalar(select(SurveyLink).where(SurveyLink.code_hash == digest))


def asked(conference):
    """The people a survey goes to: took part (in any part, or by phone or video), as
    family, network, the child or the child's support person, and still reachable."""
    return [p for p in conference.participants
            if p.role in SURVEY_ROLES and p.reachable
            and (p.remote or p.attended_part1 or p.attended_part2 or p.attended_part3)]


def invite(case, conference):
    """A survey link by mail, in their own language, to each person asked who has an
    e-mail address. The mail names no one and says nothing of the case. Returns
    (mailed, without e-mail): those without e-mail can be given a printed card."""
    mailed = without_email = 0
    for participant in asked(conference):
        if not participant.email:
            without_email += 1
            continue
        code = _make_link(conference, for_child=participant.role == "child")
        link = public_url(url_for("survey.answer", code=code, lang=participant.language))
        msg = render_message("survey", participant.email, participant.language, _l("How was the meeting?"),
                             link=link, for_child=participant.role == "child")
        enqueue(msg, kind="survey", case_id=case.id, organisation_id=case.organisation_id)
        mailed += 1
    db.session.flush()
    return mailed, without_email


@on_held
def _invite_when_held(case, conference):
    mailed, without_email = invite(case, conference)
    done = [_("Survey mails sent: %(num)d", num=mailed)] if mailed else []
    if without_email:
        done.append(_("Took part without e-mail: %(num)d. Print survey cards for them on the meeting's page.",
                      num=without_email))
    return done


def languages_without_email(conference):
    """The languages of those asked who have no e-mail, one per person: the cards a
    coordinator will want to print."""
    return [participant.language for participant in asked(conference) if not participant.email]


def cards(conference, count, for_child=False):
    """`count` new codes for printed cards. Earlier cards keep working."""
    if conference.state != "held":
        raise SurveyError(_l("Survey cards are made once the meeting is held."))
    if not isinstance(count, int) or not 1 <= count <= MAX_CARDS:
        raise SurveyError(_l("Choose between 1 and %(max)d cards.", max=MAX_CARDS))
    made = [_make_link(conference, for_child) for _ in range(count)]
    db.session.flush()
    return made


def answer(code, values):
    """Store an answer: `values` maps the questions (for a child's code: `smiley`)
    to 1–5 or None. The code is used up; the answer does not point to it."""
    link = find(code)
    if link is None:
        raise UnknownCode(_l("This code is not known. Check that it is typed as on the card or in the mail."))
    if link.used:
        raise UsedCode(_l("This survey has been answered already."))
    keys = CHILD_KEYS if link.for_child else QUESTION_KEYS
    marks = {}
    for key in keys:
        value = values.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            raise SurveyError(_l("Choose one of the five answers."))
        marks[key] = value
    if not marks:
        raise SurveyError(_l("Answer at least one question."))
    # Checked and used up in one statement: two submissions at once store one answer.
    used = db.session.execute(
        update(SurveyLink).where(SurveyLink.id == link.id, SurveyLink.used == false())
        .values(used=True).execution_options(synchronize_session=False)).rowcount
    if not used:
        raise UsedCode(_l("This survey has been answered already."))
    db.session.add(SurveyAnswer(conference_id=link.conference_id, for_child=link.for_child, **marks))
    db.session.flush()


def answer_count(conference):
    return db.session.scalar(select(func.count(SurveyAnswer.id))
                             .where(SurveyAnswer.conference_id == conference.id))
