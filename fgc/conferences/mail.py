"""Invitations by e-mail: one per participant, in that person's language, with
an iTIP invitation inside multipart/alternative and the .ics attached.
Nothing about the child or the case: date, place, coordinator and a link."""
from flask import current_app, render_template, url_for

from fgc.conferences import ical, timing
from fgc.conferences.models import ZONE_TIMES
from fgc.core.mail import enqueue, new_message, public_url
from fgc.core.models import utcnow
from fgc.i18n import format_date, format_time, gettext as _, in_locale, to_zone

def rsvp_link(participant):
    return public_url(url_for("conferences.rsvp", token=participant.link_token, lang=participant.language))


def meeting_event(conference, coordinator, link, when=None):
    """The neutral calendar event, in the active language; `when`: the time in words for
    its reader (calendar programs show the time in their own zone, the description says
    it in words)."""
    return ical.MeetingEvent(
        uid=conference.uid, sequence=conference.sequence, start=conference.starts_at,
        end=conference.ends_at, summary=_("Meeting"),
        location=", ".join(p for p in (conference.place, conference.remote) if p),
        description=_("Meeting with %(coordinator)s, %(when)s. Answer and see the details here: %(link)s",
                      coordinator=coordinator.name, when=when or when_text(conference), link=link),
        url=link, organizer_name=coordinator.name,
        organizer_email=_sender_address(), stamp=utcnow(), cancelled=conference.state == "cancelled")


def _sender_address():
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    return sender.split("<")[-1].rstrip(">").strip()


def when_text(conference, reader=None):
    """Date and time in the meeting's zone, the zone in words; in the autumn hour that
    happens twice, also which of the two (the two meetings would otherwise read the same).
    `reader`: (zone, place or None) of the person reading; where their clock shows
    another time, that too: "kl. 10.00 i Nuuk"."""
    start, end = to_zone(conference.starts_at, conference.timezone), to_zone(conference.ends_at, conference.timezone)
    text = f"{format_date(start)} {format_time(start)}–{format_time(end).split(' ')[-1]} {zone_time(conference.timezone)}"
    fold = timing.fold_of(conference.starts_at, conference.timezone)
    if fold is not None:
        text += " " + (_("(winter time)") if fold else _("(summer time)"))
    zone, place = reader or (None, None)
    if zone and zone != conference.timezone:
        own = to_zone(conference.starts_at, zone)
        if own.utcoffset() != start.utcoffset():
            clock = format_time(own) if own.date() == start.date() else f"{format_date(own, 'short')} {format_time(own)}"
            text += " (" + (_("%(time)s in %(place)s", time=clock, place=place) if place
                            else f"{clock} {zone_time(zone)}") + ")"
    return text


def reader_of(participant):
    """(zone, place) of an invited person: a network member's from their town, a member
    of staff's from their organisation; (None, None) when not known."""
    if participant.member is not None:
        town = participant.member.town.strip()
        zone = timing.zone_of_town(town)
        return (zone, town) if zone else (None, None)
    return participant.user.organisation.timezone, None


def zone_time(zone):
    """The zone in words, as said after a time: "dansk tid"."""
    return str(ZONE_TIMES.get(zone, ""))


def invitation_message(conference, participant, coordinator, asked_again=False):
    """The invitation (or its update or cancellation) for one participant. `asked_again`:
    the time changed, and the answers given before no longer hold."""
    cancelled = conference.state == "cancelled"
    with in_locale(participant.language):
        link = rsvp_link(participant)
        start = to_zone(conference.starts_at, conference.timezone)
        if cancelled:
            subject = _("Cancelled: meeting %(date)s", date=format_date(start, "short"))
        elif conference.sequence:
            subject = _("Changed: meeting %(date)s", date=format_date(start, "short"))
        else:
            subject = _("Invitation: meeting %(date)s", date=format_date(start, "short"))
        context = dict(conference=conference, participant=participant, coordinator=coordinator,
                       link=link, when=when_text(conference, reader_of(participant)),
                       cancelled=cancelled, changed=conference.sequence > 0, asked_again=asked_again)
        text = render_template("email/invitation.txt", **context)
        html = render_template("email/invitation.html", **context)
        calendar = ical.invitation(meeting_event(conference, coordinator, link, context["when"]), participant.email,
                                   participant.name)
    msg = new_message(participant.email, subject)
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    method = "CANCEL" if cancelled else "REQUEST"
    msg.add_alternative(calendar.decode("utf-8"), subtype="calendar", params={"method": method})
    msg.add_attachment(calendar, maintype="application", subtype="ics", filename="invitation.ics")
    return msg


def send_invitation(conference, participant, coordinator, asked_again=False):
    enqueue(invitation_message(conference, participant, coordinator, asked_again), kind="invitation",
            case_id=conference.case_id, organisation_id=coordinator.organisation_id)
