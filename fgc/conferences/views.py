import secrets
from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from markupsafe import Markup
from sqlalchemy.orm.exc import StaleDataError

from fgc.auth.models import User
from fgc.cases.models import Case
from fgc.cases.permissions import get_case_or_404
from fgc.cases.views import register_case_tab, register_dashboard_panel
from fgc.conferences import ical, services, timing
from fgc.conferences.forms import AnswerCodeForm, AnswerForm, CancelForm, ConferenceForm, ParticipantForm
from fgc.conferences.mail import meeting_event, reader_of, rsvp_link, when_text, zone_time
from fgc.conferences.models import (CHECKLIST, CHILD_TOOK_PART, PARTS, ROLES, TOOK_PART, YES_NO_FACTS,
                                    CalendarFeed, Conference, Participant)
from fgc.core import audit, codes
from fgc.core import mail as outbox
from fgc.core.errors import DomainError, EditConflict
from fgc.core.forms import NUL_MESSAGE, holds_nul, record_data
from fgc.core.mail import OutboxMessage, printed_address, public_url
from fgc.core.models import as_id, utcnow
from fgc.core.qr import qr_svg
from fgc.extensions import db, limiter
from fgc.i18n import current_language, gettext as _, in_locale, lazy_gettext as _l, to_zone
from fgc.network.services import get_member, members_of
from fgc.security import COORDINATOR, public, roles, secret_limit

bp = Blueprint("conferences", __name__)
register_case_tab("conferences.conferences", _l("Conferences"))
PREFIX = "/cases/<int:case_id>/conferences"
# Sections of a meeting's page added by higher domains: functions (case, conference)
# -> (template, context) or None.
CONFERENCE_PANELS = []


def register_conference_panel(function):
    if function not in CONFERENCE_PANELS:
        CONFERENCE_PANELS.append(function)
    return function


@register_dashboard_panel
def upcoming_meetings(user):
    if not user.is_coordinator:
        return None
    meetings = services.coordinator_meetings(user, since=utcnow())
    return "conferences/_dashboard_panel.html", {
        "meetings": meetings, "overlapping": services.overlapping_ids(meetings)}


def _conference_or_404(case, conference_id):
    conference = db.session.get(Conference, conference_id, options=[
        selectinload(Conference.checklist), selectinload(Conference.participants)])
    if conference is None or conference.case_id != case.id:
        abort(404)
    return conference


def _participant_or_404(conference, participant_id):
    participant = next((p for p in conference.participants if p.id == participant_id), None)
    if participant is None:
        abort(404)
    return participant


def _warnings(conference):
    local = to_zone(conference.starts_at, conference.timezone)
    notes = []
    holiday = timing.holiday_name(local.date(), conference.timezone, current_language())
    if holiday:
        notes.append(_("The meeting is on a public holiday: %(holiday)s.", holiday=holiday))
    if conference.is_open and services.overlaps_another(current_user, conference):
        notes.append(_("The meeting overlaps another of your meetings."))
    return notes


@bp.route(PREFIX + "/")
def conferences(case_id):
    case = get_case_or_404(case_id)
    meetings = db.session.scalars(select(Conference).where(Conference.case_id == case.id)
                                  .options(selectinload(Conference.checklist))
                                  .order_by(Conference.starts_at)).all()
    undelivered = outbox.undelivered(OutboxMessage.case_id == case.id)
    return render_template("conferences/list.html", case=case, meetings=meetings, undelivered=undelivered)


@bp.route(PREFIX + "/mail/<int:message_id>/send-again", methods=["POST"])
def send_mail_again(case_id, message_id):
    """A refused or delayed mail of the case, sent again, to a corrected address if one is given."""
    case = get_case_or_404(case_id, for_edit=True)
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.case_id != case.id or message.status == "sent":
        abort(404)
    try:
        outbox.send_again(message, request.form.get("address"))
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        audit.record("mail.sent_again", case=case, user=current_user, detail=f"outbox:{message.id}")
        db.session.commit()
        flash(_("The mail is sent again."), "success")
    return redirect(url_for("conferences.conferences", case_id=case.id))


def _form_for(conference):
    local_start = to_zone(conference.starts_at, conference.timezone)
    local_end = to_zone(conference.ends_at, conference.timezone)
    fold = timing.fold_of(conference.starts_at, conference.timezone)  # kept: the autumn hour's choice
    return ConferenceForm(data=record_data(
        ConferenceForm, conference, day=local_start.date(), start=local_start.time(), end=local_end.time(),
        fold="" if fold is None else str(fold)))


def _schedule_form_error(form, error):
    form.form_errors.append(error.message)


@bp.route(PREFIX + "/new", methods=["GET", "POST"])
def schedule(case_id):
    case = get_case_or_404(case_id, for_edit=True)
    form = ConferenceForm()
    if request.method == "GET":
        form.timezone.data = current_user.organisation.timezone
        form.languages.data = "kl" if current_user.organisation.country == "GL" else "da"
        form.kind.data = "follow_up" if request.args.get("kind") == "follow_up" else "conference"
    if form.validate_on_submit():
        try:
            conference = services.schedule(case, form.values(), scheduled_by=current_user)
            db.session.commit()
            flash(_("The meeting is scheduled. Add the participants, then send the invitations."), "success")
            return redirect(url_for("conferences.detail", case_id=case.id, conference_id=conference.id))
        except DomainError as error:
            db.session.rollback()
            _schedule_form_error(form, error)
    return render_template("conferences/form.html", case=case, form=form, conference=None)


@bp.route(PREFIX + "/<int:conference_id>")
def detail(case_id, conference_id):
    case = get_case_or_404(case_id)
    conference = _conference_or_404(case, conference_id)
    invited_members = {p.member_id for p in conference.participants}
    invited_users = {p.user_id for p in conference.participants}
    form = ParticipantForm()
    # Staff on the list are the case's own coordinator and caseworker: a large municipality's
    # every colleague would make a list no one can choose from (and a page that grows with it).
    staff = [user for user in (case.coordinator, case.caseworker) if user is not None and user.active]
    form.who.choices = [("", _("Choose"))] + [
        (f"m:{m.id}", _("%(name)s (must not be invited)", name=m.name) if m.must_not_be_invited else m.name)
        for m in members_of(case) if m.id not in invited_members] + [
        (f"u:{u.id}", u.name) for u in staff if u.id not in invited_users]
    viewer_zone = current_user.organisation.timezone
    return render_template("conferences/detail.html", case=case, conference=conference, form=form,
                           warnings=_warnings(conference), checklist=CHECKLIST, viewer_zone=viewer_zone, zone_time=zone_time,
                           when=when_text(conference),
                           panels=[panel for panel in (f(case, conference) for f in CONFERENCE_PANELS) if panel])


@bp.route(PREFIX + "/<int:conference_id>/edit", methods=["GET", "POST"])
def edit(case_id, conference_id):
    case = get_case_or_404(case_id, for_edit=True)
    conference = _conference_or_404(case, conference_id)
    form = _form_for(conference) if request.method == "GET" else ConferenceForm()
    if form.validate_on_submit():
        try:
            services.reschedule(case, conference, form.values(), expected_version=form.version.data,
                                changed_by=current_user)
            db.session.commit()
            flash(_("The meeting is changed. Everyone invited is sent the change."), "success")
            return redirect(url_for("conferences.detail", case_id=case.id, conference_id=conference.id))
        except (EditConflict, StaleDataError) as error:
            db.session.rollback()
            form.form_errors.append(getattr(error, "message", None) or _(
                "Someone else changed this meeting while you were editing. Your text is kept below: "
                "compare and save again."))
            form.version.data = _conference_or_404(case, conference_id).version
            return render_template("conferences/form.html", case=case, form=form, conference=conference), 409
        except DomainError as error:
            db.session.rollback()
            _schedule_form_error(form, error)
    return render_template("conferences/form.html", case=case, form=form, conference=conference)


def _action(case_id, conference_id, do, done_message):
    """A POST that changes the meeting: run it, commit, flash, back to the meeting."""
    case = get_case_or_404(case_id, for_edit=True)
    conference = _conference_or_404(case, conference_id)
    try:
        message = do(case, conference) or done_message
        db.session.commit()
        flash(message, "success")
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    return redirect(url_for("conferences.detail", case_id=case_id, conference_id=conference_id))


@bp.route(PREFIX + "/<int:conference_id>/cancel", methods=["GET", "POST"])
def cancel(case_id, conference_id):
    """Asks first: cancelling cannot be undone, and everyone invited is told."""
    form = CancelForm()
    if form.validate_on_submit():
        reason = (form.reason.data or "").strip()
        return _action(case_id, conference_id,
                       lambda case, c: services.cancel(case, c, reason=reason, cancelled_by=current_user),
                       _("The meeting is cancelled. Everyone invited is told."))
    case = get_case_or_404(case_id, for_edit=True)
    conference = _conference_or_404(case, conference_id)
    return render_template("conferences/cancel.html", case=case, conference=conference, form=form,
                           when=when_text(conference))


@bp.route(PREFIX + "/<int:conference_id>/checklist", methods=["POST"])
def checklist(case_id, conference_id):
    done = set(request.form.getlist("done")) & set(CHECKLIST)
    return _action(case_id, conference_id,
                   lambda case, c: services.set_checklist(case, c, done, changed_by=current_user),
                   _("The checklist is saved."))


@bp.route(PREFIX + "/<int:conference_id>/participants", methods=["POST"])
def add_participant(case_id, conference_id):
    def do(case, conference):
        kind, _sep, ident = (request.form.get("who") or "").partition(":")
        role = request.form.get("role")
        if role not in ROLES:
            raise DomainError(_l("Choose one of the options."))
        if kind == "m" and as_id(ident):
            member = get_member(case, as_id(ident))
            if member is None:
                raise DomainError(_l("Choose one of the options."))
            participant = services.add_member(case, conference, member, role, added_by=current_user)
        elif kind == "u" and as_id(ident):
            user = db.session.get(User, as_id(ident))
            if user is None:
                raise DomainError(_l("Choose one of the options."))
            participant = services.add_staff(case, conference, user, role, added_by=current_user)
        else:
            raise DomainError(_l("Choose one of the options."))
        return _("%(name)s is on the list.", name=participant.name)
    return _action(case_id, conference_id, do, "")


@bp.route(PREFIX + "/<int:conference_id>/participants/<int:participant_id>/remove", methods=["POST"])
def remove_participant(case_id, conference_id, participant_id):
    def do(case, conference):
        participant = _participant_or_404(conference, participant_id)
        services.remove_participant(case, conference, participant, removed_by=current_user)
    return _action(case_id, conference_id, do, _("The person is taken off the list."))


@bp.route(PREFIX + "/<int:conference_id>/invite", methods=["POST"])
def invite(case_id, conference_id):
    def do(case, conference):
        mailed, letters, refused = services.send_invitations(case, conference, sent_by=current_user)
        message = _("Invitations by e-mail: %(mailed)s. Letters to print: %(letters)s.",
                    mailed=mailed, letters=letters)
        if refused:
            message += " " + _("Not invited because of a restriction: %(names)s.", names=", ".join(refused))
        return message
    return _action(case_id, conference_id, do, "")


@bp.route(PREFIX + "/<int:conference_id>/attendance", methods=["GET", "POST"])
def attendance(case_id, conference_id):
    case = get_case_or_404(case_id, for_edit=True)
    conference = _conference_or_404(case, conference_id)
    errors = []
    if request.method == "POST":
        attended, views = {}, {}
        facts = {key: {"yes": True, "no": False}.get(request.form.get(key)) for key in YES_NO_FACTS}
        facts["child_took_part"] = request.form.get("child_took_part") \
            if request.form.get("child_took_part") in CHILD_TOOK_PART else None
        for participant in conference.participants:
            attended[participant.id] = {
                part: how for part in PARTS
                if (how := request.form.get(f"part-{participant.id}-{part}")) in ("present", "remote")}
            text = (request.form.get(f"views-{participant.id}") or "").strip()
            if len(text) > 10_000:
                errors.append(_("The text is too long (at most 10,000 characters)."))
            if holds_nul(text):
                errors.append(str(NUL_MESSAGE))
            views[participant.id] = text
        if not errors and conference.state != "cancelled":
            try:
                done = services.record_attendance(case, conference, attended, views, recorded_by=current_user,
                                                  facts=facts)
                db.session.commit()
                flash(_("Attendance is recorded."), "success")
                for text in done:
                    flash(text, "success")
                return redirect(url_for("conferences.detail", case_id=case.id, conference_id=conference.id))
            except DomainError as error:
                db.session.rollback()
                errors.append(error.message)
        if conference.state == "cancelled":
            errors.append(_("A meeting that is held or cancelled cannot be changed."))
    return render_template("conferences/attendance.html", case=case, conference=conference, parts=PARTS,
                           errors=errors, yes_no_facts=YES_NO_FACTS, child_took_part=CHILD_TOOK_PART,
                           took_part=TOOK_PART)


@bp.route(PREFIX + "/<int:conference_id>/participants/<int:participant_id>/letter")
def letter(case_id, conference_id, participant_id):
    """A printable invitation, in the participant's language, for people without e-mail."""
    case = get_case_or_404(case_id)
    conference = _conference_or_404(case, conference_id)
    participant = _participant_or_404(conference, participant_id)
    if not participant.reachable:
        flash(_("No letter for %(name)s: fgc may not reach them (a restriction, deceased, or no longer "
                "in the network).", name=participant.name), "error")
        return redirect(url_for("conferences.detail", case_id=case.id, conference_id=conference.id))
    with in_locale(participant.language):
        link = rsvp_link(participant)
        letter_html = render_template(
            "conferences/_letter.html", conference=conference, participant=participant, link=link,
            coordinator=case.coordinator or current_user, organisation=current_user.organisation,
            when=when_text(conference, reader_of(participant)), today=date.today(),
            short_address=printed_address(url_for("conferences.answer_by_code")),
            qr=qr_svg(link, _("QR code: the answer page")))
    return render_template("conferences/letter.html", case=case, conference=conference,
                           participant=participant, letter_html=Markup(letter_html))


@bp.route("/r", methods=["GET", "POST"])
@public
@limiter.limit(secret_limit, methods=["POST"])
def answer_by_code():
    """The short address on a letter: type the code printed beside it, answer on the next page."""
    form = AnswerCodeForm()
    if form.validate_on_submit():
        code = codes.normalise(form.code.data)
        participant = db.session.scalar(select(Participant).where(Participant.answer_code == code)) if code else None
        if participant is not None and participant.links_work:
            return redirect(url_for("conferences.rsvp", token=participant.link_token))
        form.code.errors.append(_("This code is not known. Check it against the letter and try again."))
    return render_template("conferences/answer_code.html", form=form), 200 if not form.errors else 404


@bp.route("/rsvp/<token>", methods=["GET", "POST"])
@public
@limiter.limit(secret_limit)
def rsvp(token):
    """The answer to an invitation, by the secret link in the mail or letter: no sign-in.
    The link works only while fgc may reach the person and the invitation was sent."""
    participant = db.session.scalar(select(Participant).where(Participant.link_token == token))
    if participant is None or not participant.links_work:
        return render_template("auth/link_expired.html"), 410
    conference = participant.conference
    case = db.session.get(Case, conference.case_id)
    if request.method == "GET":
        audit.record("participant.link_opened", case=case, subject=participant.member or participant.user,
                     detail=f"conference:{conference.id}")
    form = AnswerForm()
    if services.may_answer(participant) and form.validate_on_submit():
        services.answer(participant, form.answer.data)
        db.session.commit()
        flash(_("Thank you. Your answer is saved."), "success")
        return redirect(url_for("conferences.rsvp", token=token))
    return render_template("conferences/rsvp.html", participant=participant, conference=conference,
                           when=when_text(conference, reader_of(participant)), coordinator=case.coordinator,
                           may_answer=services.may_answer(participant))


@bp.route("/calendar", methods=["GET", "POST"])
@roles(COORDINATOR)
def my_calendar():
    """The coordinator's meetings, overlaps marked, and their secret calendar address."""
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == current_user.id))
    if request.method == "POST":
        if feed is None:
            feed = CalendarFeed(user_id=current_user.id)
            db.session.add(feed)
        feed.token, feed.created_at = secrets.token_urlsafe(32), utcnow()  # the old address stops working
        db.session.commit()
        flash(_("Your calendar has a new address. The old one no longer works."), "success")
        return redirect(url_for("conferences.my_calendar"))
    meetings = services.coordinator_meetings(current_user, since=utcnow())
    url = public_url(url_for("conferences.calendar_feed", token=feed.token)) if feed else None
    return render_template("conferences/calendar.html", meetings=meetings, feed_url=url,
                           overlapping=services.overlapping_ids(meetings))


@bp.route("/calendar/<token>.ics")
@public
@limiter.limit(secret_limit)
def calendar_feed(token):
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.token == token))
    if feed is None:
        abort(404)
    user = db.session.get(User, feed.user_id)
    if user is None or not user.active:
        abort(404)
    audit.record("calendar.fetched", subject=user, user=user, detail="feed")
    meetings = services.coordinator_meetings(user)
    with in_locale(user.preferred_locale):
        events = [meeting_event(m, user, public_url(url_for("conferences.detail", case_id=m.case_id,
                                                            conference_id=m.id))) for m in meetings]
        body = ical.feed(events, _("fgc meetings"))
    return Response(body, mimetype="text/calendar")

