"""The rules of a case. Functions flush, never commit, and raise DomainError."""
from datetime import date

from sqlalchemy import Integer, cast, func, select

from fgc.auth.models import Organisation

from fgc.cases.models import (CLOSED, END_REASONS, OPEN_STATES, PREPARING, REFERRED, TRANSITIONS, WITHDRAWN, BottomLine, Case,
                              Child, Question, StateChange)
from fgc.core import audit
from fgc.core.errors import InvalidTransition, check_version
from fgc.core.models import next_number, utcnow
from fgc.extensions import db
from fgc.i18n import lazy_gettext as _l

CASE_FIELDS = ("concern", "resources_offered", "if_no_plan", "child_views", "professionals",
               "consent_given_by", "consent_date", "coordinator_id", "caseworker_id")


def _next_reference(organisation_id):
    """'2026-0042': the year and the next number of the organisation's cases that year."""
    year = utcnow().year
    number = next_number(db.session, select(Organisation.id).where(Organisation.id == organisation_id),
                         select(func.max(cast(func.substr(Case.reference, 6), Integer)))
                         .where(Case.organisation_id == organisation_id, Case.reference.like(f"{year}-%")))
    return f"{year}-{number:04d}"


def _sync(rows, texts, make):
    """Update a positioned list in place, so an item keeps its id when reworded."""
    for position, text in enumerate(texts):
        if position < len(rows):
            rows[position].text, rows[position].position = text, position
        else:
            rows.append(make(position=position, text=text))
    del rows[len(texts):]


def _sync_children(case, children):
    for index, data in enumerate(children):
        if index < len(case.children):
            for key, value in data.items():
                setattr(case.children[index], key, value)
        else:
            case.children.append(Child(**data))
    del case.children[len(children):]


def open_case(organisation_id, *, opened_by, children, bottom_lines, questions, **fields):
    """A referral becomes a case in state 'referred'."""
    case = Case(organisation_id=organisation_id, reference=_next_reference(organisation_id), state=REFERRED,
                **{key: fields[key] for key in CASE_FIELDS})
    _sync_children(case, children)
    _sync(case.bottom_lines, bottom_lines, BottomLine)
    _sync(case.questions, questions, Question)
    case.state_changes.append(StateChange(to_state=case.state, changed_by_id=opened_by.id))
    db.session.add(case)
    db.session.flush()
    audit.record("case.created", case=case, user=opened_by)
    return case


def _check_version(case, expected_version):
    check_version(case, expected_version, _l(
        "Someone else changed this case while you were editing it. "
        "Your text is kept below: compare it with the case and save again."))


def update_case(case, *, expected_version, changed_by, children, bottom_lines, questions, **fields):
    """Change a referral's details. A stale form, or one without a version, raises EditConflict."""
    _check_version(case, expected_version)
    changed = [key for key in CASE_FIELDS if getattr(case, key) != fields[key]]
    for key in changed:
        setattr(case, key, fields[key])
    _sync_children(case, children)
    _sync(case.bottom_lines, bottom_lines, BottomLine)
    _sync(case.questions, questions, Question)
    db.session.flush()
    audit.record("case.updated", case=case, user=changed_by, detail=",".join(changed) or None)
    return case


def change_state(case, to_state, *, changed_by, effective_on=None, expected_version=None, outcome=None,
                 end_reason=None):
    """Move a case one step along its process, dated by the day it really moved
    (`effective_on`, by default today; never in the future). A form passes the version
    it showed; other services moving the case along pass none."""
    if expected_version is not None:
        _check_version(case, expected_version)
    if to_state not in TRANSITIONS[case.state]:
        raise InvalidTransition(_l("A case in this state cannot move there."))
    effective_on = effective_on or date.today()
    if effective_on > date.today():
        raise InvalidTransition(_l("The date of the change cannot be in the future."))
    if to_state == CLOSED:
        if not (outcome or "").strip():
            raise InvalidTransition(_l("Record the outcome before closing the case."))
        if end_reason not in END_REASONS:
            raise InvalidTransition(_l("Choose why the case closes."))
        case.outcome, case.end_reason = outcome.strip(), end_reason
    case.state_changes.append(StateChange(from_state=case.state, to_state=to_state, effective_on=effective_on,
                                          changed_by_id=changed_by.id))
    case.state = to_state
    db.session.flush()
    audit.record("case.state", case=case, user=changed_by, detail=to_state)
    return case


def follow_event(case, to_state, on, *, changed_by):
    """An event of the process (a conference held, a plan accepted, a follow-up
    scheduled) moves the case to `to_state`, dated by the event's own day, when that
    is the case's next step, or the step after "preparing". Otherwise it stays."""
    path = [to_state] if to_state in TRANSITIONS[case.state] else \
        [PREPARING, to_state] if PREPARING in TRANSITIONS[case.state] and to_state in TRANSITIONS[PREPARING] else []
    for state in path:
        change_state(case, state, changed_by=changed_by, effective_on=min(on, date.today()))
    return case


def withdraw_consent(case, *, withdrawn_on, changed_by):
    """Consent can be withdrawn at any time; the process then stops."""
    if case.state not in OPEN_STATES:
        raise InvalidTransition(_l("The case is no longer open."))
    if withdrawn_on < case.consent_date:
        raise InvalidTransition(_l("Consent cannot be withdrawn before it was given."))
    case.consent_withdrawn_on = withdrawn_on
    case.state_changes.append(StateChange(from_state=case.state, to_state=WITHDRAWN,
                                          effective_on=min(withdrawn_on, date.today()), changed_by_id=changed_by.id))
    case.state = WITHDRAWN
    db.session.flush()
    audit.record("case.consent_withdrawn", case=case, user=changed_by)
    return case
