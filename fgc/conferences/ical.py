"""iCalendar for meetings (RFC 5545, iTIP RFC 5546). A pure builder: the mail
invitation, the download and the coordinator's feed use the same events.

Times are written in UTC, which every client converts to its own zone: no
VTIMEZONE to be read wrongly. Titles and descriptions come in translated and
carry no child's name and no case detail.
"""
from dataclasses import dataclass

from icalendar import Calendar, Event, vCalAddress, vText

PRODID = "-//fgc//family group conferences//EN"


@dataclass
class MeetingEvent:
    uid: str
    sequence: int
    start: object        # aware UTC datetime
    end: object
    summary: str
    location: str
    description: str
    url: str
    organizer_name: str
    organizer_email: str
    stamp: object        # aware UTC datetime
    cancelled: bool = False


def _event(meeting, attendee=None):
    event = Event()
    event.add("uid", meeting.uid)
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", meeting.stamp)
    event.add("dtstart", meeting.start)
    event.add("dtend", meeting.end)
    event.add("summary", meeting.summary)
    if meeting.location:
        event.add("location", meeting.location)
    event.add("description", meeting.description)
    event.add("url", meeting.url)
    organizer = vCalAddress(f"mailto:{meeting.organizer_email}")
    organizer.params["cn"] = vText(meeting.organizer_name)
    event["organizer"] = organizer
    if attendee:
        email, name = attendee
        address = vCalAddress(f"mailto:{email}")
        address.params["cn"] = vText(name)
        address.params["role"] = vText("REQ-PARTICIPANT")
        address.params["partstat"] = vText("NEEDS-ACTION")
        # Answers come back through the link in the mail, not by calendar reply.
        address.params["rsvp"] = vText("FALSE")
        event.add("attendee", address, encode=0)
    event.add("status", "CANCELLED" if meeting.cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def invitation(meeting, attendee_email, attendee_name):
    """A METHOD:REQUEST (or CANCEL) calendar with one event for one attendee."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if meeting.cancelled else "REQUEST")
    calendar.add_component(_event(meeting, (attendee_email, attendee_name)))
    return calendar.to_ical()


def feed(meetings, name):
    """A subscribable calendar of several meetings."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    for meeting in meetings:
        calendar.add_component(_event(meeting))
    return calendar.to_ical()
