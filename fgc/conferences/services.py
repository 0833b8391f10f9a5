"""The rules of conferences. Functions flush, never commit, and raise DomainError."""
from datetime import date

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import selectinload

from fgc.cases import services as case_services
from fgc.cases.models import CONFERENCE_HELD, FOLLOWING_UP, Case
from fgc.conferences import timing
from fgc.conferences.mail import send_invitation
from fgc.conferences.models import CHECKLIST, YES_NO_FACTS, ZONE_LABELS, ChecklistItem, Conference, Participant
from fgc.core import audit
from fgc.core.errors import DomainError, check_version
from fgc.core.mail import PENDING, OutboxMessage
from fgc.core.models import utcnow
from fgc.extensions import db
from fgc.i18n import gettext as _, lazy_gettext as _l, ngettext, to_zone
from fgc.network.services import ensure_invitable, on_unreachable

PLACE_FIELDS = ("town", "address", "room", "remote")
DETAIL_FIELDS = PLACE_FIELDS + ("kind", "languages", "interpreter_booked", "food", "support_person")


class SchedulingError(DomainError):
    pass


def times(day, start, end, zone, fold=None):
    """(starts_at, ends_at) in UTC from wall-clock times, with clear refusals."""
    if zone not in timing.ZONES:
        raise SchedulingError(_l("Choose one of the time zones offered."))
    try:
        starts_at = timing.to_utc(day, start, zone, fold)
        ends_at = timing.to_utc(day, end, zone, fold)
    except timing.NonexistentTime:
        raise SchedulingError(_l("That time does not exist in %(zone)s: the clocks are put forward "
                                 "that night. Choose another time.", zone=ZONE_LABELS[zone])) from None
    except timing.AmbiguousTime:
        raise SchedulingError(_l("That time happens twice in %(zone)s: the clocks are put back that "
                                 "night. Say whether you mean summer time or winter time.",
                                 zone=ZONE_LABELS[zone])) from None
    except OverflowError:  # the last evening of year 9999 is in year 10000 in UTC
        raise SchedulingError(_l("Check the date: it is too far ahead.")) from None
    if ends_at <= starts_at:
        raise SchedulingError(_l("The meeting must end after it starts."))
    return starts_at, ends_at


def schedule(case, values, *, scheduled_by):
    starts_at, ends_at = times(values["day"], values["start"], values["end"], values["timezone"],
                               values.get("fold"))
    conference = Conference(case_id=case.id, starts_at=starts_at, ends_at=ends_at,
                            timezone=values["timezone"], **{k: values[k] for k in DETAIL_FIELDS})
    conference.checklist = [ChecklistItem(key=key, position=i) for i, key in enumerate(CHECKLIST)]
    db.session.add(conference)
    db.session.flush()
    audit.record("conference.scheduled", case=case, user=scheduled_by, detail=f"conference:{conference.id}")
    if conference.kind == "follow_up":
        case_services.follow_event(case, FOLLOWING_UP, date.today(), changed_by=scheduled_by)
    return conference


def _coordinator(case, fallback):
    return case.coordinator or fallback


def _notify_invited(case, conference, by, asked_again=False):
    for participant in conference.participants:
        if participant.answer != "not_sent" and participant.email and participant.reachable:
            send_invitation(conference, participant, _coordinator(case, by), asked_again=asked_again)


def reschedule(case, conference, values, *, expected_version, changed_by):
    """Change time, place or details. Once invitations are out, a change of time
    or place is sent to everyone invited, with a higher SEQUENCE."""
    check_version(conference, expected_version, _l(
        "Someone else changed this meeting while you were editing. "
        "Your text is kept below: compare and save again."))
    if not conference.is_open:
        raise SchedulingError(_l("A meeting that is held or cancelled cannot be changed."))
    starts_at, ends_at = times(values["day"], values["start"], values["end"], values["timezone"],
                               values.get("fold"))
    retimed = (starts_at, ends_at) != (conference.starts_at, conference.ends_at)
    moved = retimed or any(getattr(conference, key) != values[key] for key in PLACE_FIELDS)
    conference.starts_at, conference.ends_at, conference.timezone = starts_at, ends_at, values["timezone"]
    for key in DETAIL_FIELDS:
        setattr(conference, key, values[key])
    if moved and conference.state == "invited":
        conference.sequence += 1
        # "I'm coming" was said to the old time: everyone is asked again, and told so.
        asked_again = retimed and _ask_again(conference)
        _notify_invited(case, conference, changed_by, asked_again=asked_again)
    db.session.flush()
    audit.record("conference.changed", case=case, user=changed_by,
                 detail=f"conference:{conference.id}" + (":moved" if moved else ""))
    return conference


def _ask_again(conference):
    """Answers given to a time that has changed no longer hold."""
    answered = [p for p in conference.participants if p.answer in ("accepted", "declined", "tentative")]
    for participant in answered:
        participant.answer, participant.answered_at = "sent", None
    return bool(answered)


def cancel(case, conference, *, reason="", cancelled_by):
    """Cancel the meeting; everyone invited is told, with the reason if one is given."""
    if not conference.is_open:
        raise SchedulingError(_l("A meeting that is held or cancelled cannot be changed."))
    was_invited = conference.state == "invited"
    conference.state, conference.cancel_reason = "cancelled", reason
    if was_invited:
        conference.sequence += 1
        _notify_invited(case, conference, cancelled_by)
    db.session.flush()
    audit.record("conference.cancelled", case=case, user=cancelled_by, detail=f"conference:{conference.id}")


def set_checklist(case, conference, done_keys, *, changed_by):
    for item in conference.checklist:
        done = item.key in done_keys
        if done != item.done:
            item.done, item.done_at = done, utcnow() if done else None
    db.session.flush()
    audit.record("conference.checklist", case=case, user=changed_by, detail=f"conference:{conference.id}")


def add_member(case, conference, member, role, *, added_by):
    """Invite a network member. A restricted member is refused, with the reason."""
    ensure_invitable(member)
    if any(p.member_id == member.id for p in conference.participants):
        raise DomainError(_l("%(name)s is on the list already.", name=member.name))
    participant = Participant(member_id=member.id, role=role)
    participant.member = member
    conference.participants.append(participant)
    db.session.flush()
    audit.record("participant.added", case=case, subject=member, user=added_by,
                 detail=f"conference:{conference.id}")
    return participant


def add_staff(case, conference, user, role, *, added_by):
    if user.organisation_id != case.organisation_id or not user.is_staff:
        raise DomainError(_l("Choose a member of staff of the municipality."))
    if any(p.user_id == user.id for p in conference.participants):
        raise DomainError(_l("%(name)s is on the list already.", name=user.name))
    participant = Participant(user_id=user.id, role=role)
    participant.user = user
    conference.participants.append(participant)
    db.session.flush()
    audit.record("participant.added", case=case, subject=user, user=added_by,
                 detail=f"conference:{conference.id}")
    return participant


def remove_participant(case, conference, participant, *, removed_by):
    conference.participants.remove(participant)
    db.session.flush()
    audit.record("participant.removed", case=case, user=removed_by, detail=f"conference:{conference.id}")


def send_invitations(case, conference, *, sent_by):
    """Mail everyone not yet invited who has an address; the others get a letter.
    Returns (mailed, letters, refused names)."""
    if not conference.is_open:
        raise SchedulingError(_l("A meeting that is held or cancelled cannot be changed."))
    mailed, letters, refused = 0, 0, []
    for participant in conference.participants:
        if participant.answer != "not_sent":
            continue
        if not participant.reachable:  # restricted, deceased or removed since being added
            refused.append(participant.name)
            continue
        participant.answer = "sent"
        if participant.email:
            send_invitation(conference, participant, _coordinator(case, sent_by))
            mailed += 1
        else:
            letters += 1
    conference.state = "invited"
    db.session.flush()
    audit.record("conference.invited", case=case, user=sent_by, detail=f"conference:{conference.id}")
    return mailed, letters, refused


def may_answer(participant):
    """An answer is taken only to an invitation that was sent, to a meeting still ahead,
    from someone fgc may reach."""
    conference = participant.conference
    return participant.answer != "not_sent" and conference.is_open and not conference.has_started \
        and participant.reachable


def answer(participant, reply):
    if not may_answer(participant):
        raise DomainError(_l("This invitation cannot be answered any more."))
    participant.answer, participant.answered_at = reply, utcnow()
    db.session.flush()
    audit.record("participant.answered", case=db.session.get(Case, participant.conference.case_id),
                 detail=f"conference:{participant.conference_id}:{reply}")


# What the attendance step records about the meeting itself (for its fidelity).
MEETING_FACTS = (*YES_NO_FACTS, "child_took_part")
# What other parts of fgc do when a meeting is held (attendance recorded the first
# time): functions (case, conference) -> [what was done, in words], registered by
# those parts (a higher domain, which conferences may not import: the survey).
_WHEN_HELD = []


def on_held(hook):
    if hook not in _WHEN_HELD:
        _WHEN_HELD.append(hook)
    return hook


def record_attendance(case, conference, attendance, views, *, recorded_by, facts=None):
    """`attendance`: participant id -> {part: "present" or "remote"} (absent from the
    parts left out); `views`: id -> text; `facts`: MEETING_FACTS.
    Only for a meeting that has started: recorded earlier, it would show as held.
    Returns what the hooks of a meeting held for the first time did, in words."""
    if not conference.has_started:
        raise SchedulingError(_l("Attendance can be recorded once the meeting has started."))
    first_time = conference.state != "held"
    for participant in conference.participants:
        parts = attendance.get(participant.id, {})
        for part in (1, 2, 3):
            setattr(participant, f"attended_part{part}", part in parts)
            setattr(participant, f"remote_part{part}", parts.get(part) == "remote")
        if participant.id in views:
            participant.views = views[participant.id]
    if facts is not None:
        for key in MEETING_FACTS:
            setattr(conference, key, facts.get(key))
    conference.state = "held"
    db.session.flush()
    audit.record("conference.held", case=case, user=recorded_by, detail=f"conference:{conference.id}")
    if conference.kind == "conference":  # the case moves on the day the meeting was held
        case_services.follow_event(case, CONFERENCE_HELD, to_zone(conference.starts_at, conference.timezone).date(),
                                   changed_by=recorded_by)
    if not first_time:
        return []
    return [str(text) for hook in _WHEN_HELD for text in hook(case, conference)]


def coordinator_meetings(user, since=None):
    """The coordinator's meetings from `since` on, with their cases, in one query."""
    query = (select(Conference).join(Case, Conference.case_id == Case.id)
             .where(Case.coordinator_id == user.id, Case.organisation_id == user.organisation_id,
                    Conference.state != "cancelled")
             .options(selectinload(Conference.checklist))
             .order_by(Conference.starts_at))
    if since is not None:
        query = query.where(Conference.ends_at >= since)
    return db.session.scalars(query).all()


def overlaps_another(user, conference):
    """Whether another meeting of the user's cases (not cancelled) overlaps this one: one
    question to the database, however full the calendar."""
    return db.session.scalar(select(exists().where(
        Conference.case_id == Case.id, Case.coordinator_id == user.id, Case.organisation_id == user.organisation_id,
        Conference.state != "cancelled", Conference.id != conference.id,
        Conference.starts_at < conference.ends_at, Conference.ends_at > conference.starts_at)))


def overlapping_ids(meetings):
    pairs = timing.overlaps([(m.id, m.starts_at, m.ends_at) for m in meetings])
    return {ident for pair in pairs for ident in pair}




@on_unreachable
def _withdraw_invitations(case, member, by):
    """Someone fgc may no longer reach: their unsent mail leaves the outbox and their
    answer links and letters stop working."""
    withdrawn = []
    if member.email:
        unsent = db.session.execute(delete(OutboxMessage).where(
            OutboxMessage.case_id == case.id, OutboxMessage.status == PENDING,
            OutboxMessage.recipient == member.email.strip())).rowcount
        if unsent:
            withdrawn.append(ngettext("%(num)d unsent mail is withdrawn", "%(num)d unsent mails are withdrawn",
                                      unsent))
    links = db.session.scalars(select(Participant).where(Participant.member_id == member.id)).all()
    for participant in links:
        participant.new_links()
    if links:
        withdrawn.append(_("their answer links and letters no longer work"))
    db.session.flush()
    return withdrawn
