"""The rules of the family's plan. Functions flush, never commit, and raise DomainError."""
import secrets
from datetime import date, timedelta

from flask import url_for
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from fgc.auth.models import User, hasher
from fgc.auth.services import ACTIVATE, find_user_by_email, send_password_link, set_active
from fgc.cases import services as case_services
from fgc.cases.models import CLOSED, FOLLOWING_UP, OPEN_STATES, PLAN_AGREED, Case, FamilyAccess
from fgc.conferences.models import Conference, Participant
from fgc.core import audit
from fgc.core.errors import DomainError, check_version
from fgc.core.mail import enqueue, public_url, render_message
from fgc.core.models import next_number, utcnow
from fgc.extensions import db
from fgc.i18n import gettext as _, lazy_gettext as _l
from fgc.network.models import NetworkMember
from fgc.network.services import ensure_invitable, may_reach, on_unreachable
from fgc.plans import rules
from fgc.plans.models import (COMMITMENT_FIELDS, UNUSED_BY_SCHEDULE, CheckIn, Commitment, FamilyAccount,
                              FamilyPlan, OPEN_STATUSES, PlanAnswer, ReminderSent, ResourceRequest, Review,
                              ReviewItem)
from fgc.security import FAMILY

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
CODE_DAYS = 14
REMINDER_DAYS = 3


class PlanError(DomainError):
    pass


PLAN_OPTIONS = (selectinload(FamilyPlan.answers),
                selectinload(FamilyPlan.commitments).selectinload(Commitment.people),
                selectinload(FamilyPlan.commitments).selectinload(Commitment.check_ins),
                selectinload(FamilyPlan.resources), selectinload(FamilyPlan.monitor))


def plans_of(case):
    return db.session.scalars(select(FamilyPlan).where(FamilyPlan.case_id == case.id)
                              .options(*PLAN_OPTIONS).order_by(FamilyPlan.number)).all()


def plan_headers(case):
    """Every version's own row, oldest first, without its content: for lists of versions."""
    return db.session.scalars(select(FamilyPlan).where(FamilyPlan.case_id == case.id)
                              .order_by(FamilyPlan.number)).all()


def current_plan(case_id):
    """The newest version: what everyone works from."""
    return db.session.scalars(select(FamilyPlan).where(FamilyPlan.case_id == case_id)
                              .options(*PLAN_OPTIONS).order_by(FamilyPlan.number.desc()).limit(1)).first()


def _members(case, ids):
    if not ids:
        return []
    return db.session.scalars(select(NetworkMember).where(
        NetworkMember.case_id == case.id, NetworkMember.id.in_(ids), NetworkMember.removed_at.is_(None))).all()


def _fill(case, plan, values):
    plan.language, plan.contingency = values["language"], values["contingency"]
    plan.review_date, plan.conference_id = values["review_date"], values.get("conference_id")
    monitor = _members(case, [values["monitor_id"]]) if values.get("monitor_id") else []
    plan.monitor_id = monitor[0].id if monitor else None
    # Rows are kept and changed in place: saving what was there changes nothing.
    answers = {a.question_id: a for a in plan.answers}
    plan.answers = [answers.get(q.id) or PlanAnswer(question_id=q.id, question_text=q.text)
                    for q in case.questions[:len(values["answers"])]]
    for answer, text in zip(plan.answers, values["answers"]):
        answer.text = text
    # Updated in place, so a commitment keeps its id (and its check-ins) when reworded.
    for position, data in enumerate(values["commitments"]):
        if position < len(plan.commitments):
            commitment = plan.commitments[position]
        else:
            commitment = Commitment()
            plan.commitments.append(commitment)
        commitment.position = position
        for key, value in _commitment_fields(data).items():
            setattr(commitment, key, value)
        commitment.people = _members(case, data["people"])
    del plan.commitments[len(values["commitments"]):]
    resources = {r.text: r for r in plan.resources}  # a request keeps its decision while its text stays
    plan.resources = [resources.pop(line, None) or ResourceRequest(text=line) for line in values["resources"]]


def _commitment_fields(data):
    """The commitment's own fields from form data: what its schedule does not use is
    cleared; every other week is counted from its start (today when not given)."""
    fields = {key: data.get(key, default) for key, default in COMMITMENT_FIELDS.items()}
    fields["weekdays"] = sorted(set(fields["weekdays"] or []))
    for key in UNUSED_BY_SCHEDULE.get(fields["schedule"], ()):
        fields[key] = COMMITMENT_FIELDS[key]
    if fields["schedule"] == "fortnightly" and fields["starts_on"] is None:
        fields["starts_on"] = utcnow().date()
    return fields


def _next_plan_number(case):
    return next_number(db.session, select(Case.id).where(Case.id == case.id),
                       select(func.max(FamilyPlan.number)).where(FamilyPlan.case_id == case.id))


def record_plan(case, values, *, recorded_by):
    """The family's plan as they wrote it: a new version, a draft until decided."""
    number = _next_plan_number(case)
    plan = FamilyPlan(case_id=case.id, number=number, review_date=values["review_date"])
    _fill(case, plan, values)
    db.session.add(plan)
    db.session.flush()
    audit.record("plan.recorded", case=case, user=recorded_by, detail=f"plan:{plan.id}")
    return plan


def _check_version(plan, expected_version):
    check_version(plan, expected_version, _l(
        "Someone else changed this plan while you were editing it. Your text is "
        "kept below: compare it with the plan and save again."))


def update_plan(case, plan, values, *, expected_version, changed_by):
    _check_version(plan, expected_version)
    if not plan.is_draft:
        raise PlanError(_l("A decided plan is not changed: make a new version instead."))
    _fill(case, plan, values)
    db.session.flush()
    audit.record("plan.updated", case=case, user=changed_by, detail=f"plan:{plan.id}")
    return plan


def revise(case, plan, *, revised_by):
    """A new draft version with the same content; the old version stays as it is."""
    number = _next_plan_number(case)
    new = FamilyPlan(case_id=case.id, number=number, language=plan.language, contingency=plan.contingency,
                     monitor_id=plan.monitor_id, review_date=rules.proposed_review_date(utcnow().date()),
                     conference_id=plan.conference_id)
    new.answers = [PlanAnswer(question_id=a.question_id, question_text=a.question_text, text=a.text)
                   for a in plan.answers]
    new.commitments = [Commitment(
        position=c.position, status=c.status, people=list(c.people),
        **{key: list(c.weekdays) if key == "weekdays" else getattr(c, key) for key in COMMITMENT_FIELDS})
        for c in plan.commitments]
    new.resources = [ResourceRequest(text=r.text, decision=r.decision) for r in plan.resources]
    db.session.add(new)
    db.session.flush()
    audit.record("plan.revised", case=case, user=revised_by, detail=f"plan:{plan.id}->{new.id}")
    return new


def decide(case, plan, *, accepted, reason, resource_decisions, expected_version, decided_by):
    """The caseworker's decision. An accepted plan replaces the one before it and
    everyone invited to its conference is told, in their own language."""
    _check_version(plan, expected_version)
    if not plan.is_draft:
        raise PlanError(_l("This version is decided already."))
    if not accepted and not (reason or "").strip():
        raise PlanError(_l("Give the reason the plan is not accepted."))
    plan.state = "accepted" if accepted else "not_accepted"
    plan.decision_reason, plan.decided_at, plan.decided_by_id = (reason or "").strip(), utcnow(), decided_by.id
    for request in plan.resources:
        if resource_decisions.get(request.id) in ("approved", "declined"):
            request.decision = resource_decisions[request.id]
    if accepted:
        for older in db.session.scalars(select(FamilyPlan).where(
                FamilyPlan.case_id == case.id, FamilyPlan.state == "accepted", FamilyPlan.id != plan.id)):
            older.state = "superseded"
        case_services.follow_event(case, PLAN_AGREED, date.today(), changed_by=decided_by)
        _distribute(case, plan)
    db.session.flush()
    audit.record("plan.decided", case=case, user=decided_by, detail=f"plan:{plan.id}:{plan.state}")
    return plan


def plan_readers(plan):
    """(by mail, on paper): the reachable people invited to the plan's conference, split
    by whether they can open the plan in fgc (staff, or a family member with an active
    account of their own) and have an e-mail, or need a handout."""
    if plan.conference_id is None:
        return [], []
    participants = db.session.scalars(select(Participant).where(Participant.conference_id == plan.conference_id)
                                      .order_by(Participant.id)).all()
    reachable = [p for p in participants if p.reachable]
    with_account = set(db.session.scalars(
        select(FamilyAccount.member_id).join(User, User.id == FamilyAccount.user_id)
        .where(FamilyAccount.member_id.in_([p.member_id for p in reachable if p.member_id]), User.active)))
    mailed = [p for p in reachable if p.email and (p.user.active if p.user else p.member_id in with_account)]
    return mailed, [p for p in reachable if p not in mailed]


def _distribute(case, plan):
    """'The plan is ready', to those who can open it: no plan content in the mail, only a
    link. The others are on the plan's list of handouts to print."""
    mailed, _on_paper = plan_readers(plan)
    for participant in mailed:
        link = public_url(url_for("family.home", lang=participant.language) if participant.member else
                          url_for("plans.overview", case_id=case.id, lang=participant.language))
        msg = render_message("plan_ready", participant.email, participant.language,
                             _l("Your family's plan is ready"), name=participant.name, link=link)
        enqueue(msg, kind="plan_ready", case_id=case.id, organisation_id=case.organisation_id)


def check_in(case, commitment, *, status, note, by_name, by_user=None):
    commitment.status = status
    commitment.check_ins.append(CheckIn(on=utcnow().date(), by_name=by_name, by_user_id=getattr(by_user, "id", None),
                                        status=status, note=(note or "").strip()))
    db.session.flush()
    audit.record("commitment.check_in", case=case, user=by_user, detail=f"commitment:{commitment.id}:{status}")


def review(case, plan, *, conference_id, verdicts, notes, living_situation, next_step, note, reviewed_by):
    """A follow-up's review: each commitment judged, the child's living situation,
    and the next step. Revising makes a new version; the reviewed one stays intact."""
    if plan.state != "accepted":
        raise PlanError(_l("Only the accepted plan is reviewed."))
    record = Review(plan_id=plan.id, conference_id=conference_id, living_situation=living_situation,
                    next_step=next_step, note=(note or "").strip())
    for commitment in plan.commitments:
        verdict = verdicts.get(commitment.id)
        if verdict:
            record.items.append(ReviewItem(commitment_id=commitment.id, verdict=verdict,
                                           note=notes.get(commitment.id, "")))
    db.session.add(record)
    db.session.flush()
    audit.record("plan.reviewed", case=case, user=reviewed_by, detail=f"plan:{plan.id}:{next_step}")
    new = None
    if next_step == "revise":
        new = revise(case, plan, revised_by=reviewed_by)
        by_id = {c.position: c for c in new.commitments}
        for old in plan.commitments:
            verdict = verdicts.get(old.id)
            if verdict and old.position in by_id:
                by_id[old.position].status = {"kept": "done", "partly": "in_progress", "not_kept": "not_kept"}[verdict]
    elif next_step == "close":
        if case.state == PLAN_AGREED:
            case_services.change_state(case, FOLLOWING_UP, changed_by=reviewed_by)
        case_services.change_state(case, CLOSED, changed_by=reviewed_by, outcome=note,
                                   end_reason="placed" if living_situation == "placed" else "completed")
    elif case.state == PLAN_AGREED:
        case_services.change_state(case, FOLLOWING_UP, changed_by=reviewed_by)
    return record, new


def followed():
    """(commitment, case id) of what is followed up: the open commitments of accepted plans,
    until their case closes or consent is withdrawn."""
    return (select(Commitment, FamilyPlan.case_id).join(FamilyPlan, FamilyPlan.id == Commitment.plan_id)
            .join(Case, Case.id == FamilyPlan.case_id)
            .where(FamilyPlan.state == "accepted", Commitment.status.in_(OPEN_STATUSES), Case.state.in_(OPEN_STATES)))


def due_reminders(today):
    """Reminders to the people responsible for a followed commitment that falls due within
    three days. Each is sent once: the unique row is written with the mail, in one transaction."""
    window_end = today + timedelta(days=REMINDER_DAYS)
    commitments = db.session.execute(followed().options(selectinload(Commitment.people))).all()
    sent_keys = set(db.session.execute(select(ReminderSent.commitment_id, ReminderSent.member_id, ReminderSent.due)).all())
    count = 0
    for commitment, case_id in commitments:
        due = rules.next_due(commitment, today)
        if due is None or not today <= due <= window_end:
            continue
        for person in commitment.people:
            if not person.email or not may_reach(person) or (commitment.id, person.id, due) in sent_keys:
                continue
            db.session.add(ReminderSent(commitment_id=commitment.id, member_id=person.id, due=due))
            language = person.language if person.language in ("da", "kl") else "da"
            msg = render_message("reminder", person.email, language, _l("A reminder from fgc"),
                                 name=person.name, due=due, link=public_url(f"/family/?lang={language}"))
            enqueue(msg, kind="reminder", case_id=case_id)
            count += 1
    db.session.flush()
    return count


def family_account_of(user):
    return db.session.get(FamilyAccount, user.id)


def _username(member):
    base = "".join(ch for ch in member.name.lower().replace(" ", ".") if ch.isalnum() or ch == ".")[:30]
    return f"{base or 'familie'}.{secrets.randbelow(9000) + 1000}"


def create_family_account(case, member, *, created_by):
    """An account for a network member. With an e-mail: an activation link is
    mailed. Without: returns (user, code) for a printed letter; the code works
    once, for fourteen days."""
    if member.case_id != case.id:
        raise PlanError(_l("Choose a person of this network."))
    ensure_invitable(member)  # no account for someone fgc may not reach
    if db.session.scalar(select(FamilyAccount).where(FamilyAccount.member_id == member.id)):
        raise PlanError(_l("%(name)s has an account already.", name=member.name))
    email = (member.email or "").strip().lower()
    if email and find_user_by_email(email) is not None:
        raise PlanError(_l("A user with this e-mail address already exists."))
    user = User(organisation_id=case.organisation_id, name=member.name, email=email or _username(member),
                role=FAMILY, locale=member.language if member.language in ("da", "kl") else "da")
    db.session.add(user)
    db.session.flush()
    account = FamilyAccount(user_id=user.id, member_id=member.id)
    db.session.add_all([account, FamilyAccess(user_id=user.id, case_id=case.id)])
    code = None
    if email:
        send_password_link(user, ACTIVATE)
    else:
        code = _new_code(account)
    db.session.flush()
    audit.record("family_account.created", case=case, subject=member, user=created_by)
    return user, code


def _new_code(account):
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    account.code_hash = hasher.hash(code)
    account.code_expires_at = utcnow() + timedelta(days=CODE_DAYS)
    return code


def new_letter(case, account, *, by):
    """A new printed letter for an existing account: a fresh one-time code (the old one
    stops working), e.g. to link the member's MitID or to choose a new password."""
    if account.member.case_id != case.id or not account.user.active or not may_reach(account.member):
        raise PlanError(_l("%(name)s cannot get a new letter.", name=account.member.name))
    code = _new_code(account)
    db.session.flush()
    audit.record("family_account.new_code", case=case, subject=account.member, user=by)
    return code


def spend_letter_code(username, code):
    """The family member whose printed letter has this user name and one-time code, with
    the code spent; None when either is wrong or the code is too old."""
    user = find_user_by_email(username)
    account = family_account_of(user) if user else None
    if account is None or not account.code_hash or account.code_expires_at < utcnow() or not user.active \
            or not may_reach(account.member):
        return None
    try:
        hasher.verify(account.code_hash, code.strip().upper().replace(" ", ""))
    except Exception:  # argon2 raises several kinds of mismatch
        return None
    account.code_hash, account.code_expires_at = None, None  # spent
    return user


def activate_with_code(username, code, password):
    """Set the password with the printed code. Returns the user, or None."""
    user = spend_letter_code(username, code)
    if user is None:
        return None
    user.set_password(password)
    db.session.flush()
    audit.record("family_account.activated", subject=user, user=user)
    return user


def family_meetings(member_id):
    return db.session.scalars(select(Participant).join(Conference).where(
        Participant.member_id == member_id, Conference.state.in_(("invited", "held")),
        Participant.answer != "not_sent").order_by(Conference.starts_at)).all()


@on_unreachable
def _suspend_family_account(case, member, by):
    """Someone fgc may no longer reach: their family account is suspended (signed out,
    its code and links void). An administrator can reactivate it if that changes."""
    account = db.session.scalar(select(FamilyAccount).where(FamilyAccount.member_id == member.id))
    if account is None or not account.user.active:
        return []
    account.code_hash = account.code_expires_at = None
    set_active(account.user, False, changed_by=by)
    return [_("their family account is suspended")]


ATTENTION_ROWS = 50


def attention(case_ids, today, page):
    """The followed commitments in the cases `case_ids` (a select of ids) that need attention,
    overdue first, then those falling due this week: the page's overdue and this week's
    (case id, commitment) pairs, the number overdue and the number due this week. Overdue
    ones are counted and paged by the database; of the recurring ones, whose next date is
    worked out by `rules.next_due`, only those of the caseload's plans are read."""
    base = followed().where(FamilyPlan.case_id.in_(case_ids))
    overdue = base.where(Commitment.schedule == "date", Commitment.due_date < today)
    overdue_count = db.session.scalar(select(func.count()).select_from(overdue.subquery()))
    week_end = today + timedelta(days=6)
    this_week = sorted(((case_id, c) for c, case_id in db.session.execute(base.where(
        ((Commitment.schedule == "date") & Commitment.due_date.between(today, week_end))
        | ((Commitment.schedule != "date") & ((Commitment.starts_on.is_(None)) | (Commitment.starts_on <= week_end)))))
        if rules.is_due_this_week(c, today)),
        key=lambda pair: (rules.next_due(pair[1], today), pair[1].id))
    start = (page - 1) * ATTENTION_ROWS
    late = [(case_id, c) for c, case_id in db.session.execute(
        overdue.order_by(Commitment.due_date, Commitment.id).offset(start).limit(ATTENTION_ROWS))]
    after = max(start - overdue_count, 0)
    soon = this_week[after:after + ATTENTION_ROWS - len(late)]
    # The people of the page's commitments, in one query (they are in the session already).
    db.session.scalars(select(Commitment).where(Commitment.id.in_([c.id for _case, c in late + soon]))
                       .options(selectinload(Commitment.people))).all()
    return late, soon, overdue_count, len(this_week)


def commitment_counts(case_ids):
    """{case id: (commitments of its accepted plans, of those done)}, counted by the database."""
    return {case_id: (total, done) for case_id, total, done in db.session.execute(
        select(FamilyPlan.case_id, func.count(Commitment.id), func.count(Commitment.id).filter(
            Commitment.status == "done"))
        .join(Commitment, Commitment.plan_id == FamilyPlan.id)
        .where(FamilyPlan.case_id.in_(case_ids), FamilyPlan.state == "accepted").group_by(FamilyPlan.case_id))}


def latest_plans(case_ids):
    """{case id: (state, number) of its newest plan version}."""
    latest = {}
    for case_id, state, number in db.session.execute(
            select(FamilyPlan.case_id, FamilyPlan.state, FamilyPlan.number).where(FamilyPlan.case_id.in_(case_ids))):
        if case_id not in latest or number > latest[case_id][1]:
            latest[case_id] = (state, number)
    return latest
