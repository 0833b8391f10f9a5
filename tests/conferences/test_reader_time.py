"""Every surface an invited person reads names the meeting's zone in words, and their
own time where their clock shows another: a Copenhagen meeting read in Nuuk, a Nuuk
meeting read in Aarhus. A person's zone follows their town or settlement."""
import re
from datetime import date, time, timedelta
from email import message_from_bytes, policy

import pytest
from icalendar import Calendar
from sqlalchemy import select

from fgc.conferences import services
from fgc.conferences.mail import when_text
from fgc.conferences.timing import zone_of_town
from fgc.core.mail import OutboxMessage
from fgc.extensions import db
from fgc.i18n import in_locale
from fgc.plans.models import FamilyAccount
from tests import factories as base
from tests.conferences import factories
from tests.network import factories as network

DAY = date(2027, 1, 14)  # winter: Copenhagen UTC+1, Nuuk UTC-2


def test_a_town_or_settlement_tells_the_zone():
    assert zone_of_town("Nuuk") == zone_of_town("  kapisillit ") == zone_of_town("Godthåb") == "America/Nuuk"
    assert zone_of_town("Ittoqqortoormiit") == "America/Scoresbysund"
    assert zone_of_town("Qaanaaq") == zone_of_town("Pituffik") == "America/Thule"
    assert zone_of_town("Aarhus") == zone_of_town("Silkeborg") == "Europe/Copenhagen"
    assert zone_of_town("") is None and zone_of_town(None) is None


def surfaces(client, world, login_as, meeting, reader):
    """The mail (text and HTML), its .ics description, the answer page, the letter and the
    family member's home page, as `reader` sees them."""
    login_as(world.users["coordinator"])
    assert client.post(f"/cases/{world.case.id}/conferences/{meeting.id}/invite").status_code == 302
    participant = next(p for p in meeting.participants if p.member_id == reader.id)
    letter = client.get(f"/cases/{world.case.id}/conferences/{meeting.id}/participants/{participant.id}/letter")
    client.post("/logout")
    raw = db.session.scalars(select(OutboxMessage.raw).where(OutboxMessage.recipient == reader.email)).one()
    mail = message_from_bytes(raw, policy=policy.default)
    calendar = next(p for p in mail.walk() if p.get_content_type() == "text/calendar").get_content()
    [event] = Calendar.from_ical(calendar).walk("VEVENT")
    found = {"mail text": mail.get_body(("plain",)).get_content(),
             "mail html": mail.get_body(("html",)).get_content(),
             "calendar": str(event["DESCRIPTION"]),
             "answer page": client.get(re.search(r"http://\S+?(/rsvp/\S+)", text_of(mail)).group(1))
             .get_data(as_text=True),
             "letter": letter.get_data(as_text=True)}
    family = base.user(world.org, "family", email=f"home-{reader.id}@example.gl", locale=reader.language)
    db.session.add(FamilyAccount(user_id=family.id, member_id=reader.id))
    base.family_access(family, world.case)
    db.session.commit()
    login_as(family)
    found["family home"] = client.get("/family/").get_data(as_text=True)
    return found


def text_of(mail):
    return mail.get_body(("plain",)).get_content()


@pytest.mark.parametrize("zone, town, language, in_words, own", [
    ("Europe/Copenhagen", "Nuuk", "kl", "Danmarkimi", "Nuuk: nal. 10.00"),
    ("America/Nuuk", "Aarhus", "da", "grønlandsk tid", "kl. 16.00 i Aarhus"),
])
def test_the_reader_sees_the_zone_in_words_and_their_own_time(client, world, login_as, zone, town, language,
                                                               in_words, own):
    meeting = factories.conference(world.case, world.users["coordinator"], day=DAY, start=time(13), end=time(15),
                                   zone=zone)
    reader = network.member(world.case, "Aviaja Lynge", email="aviaja@example.gl", town=town, language=language)
    home = "Aarhus" if zone == "Europe/Copenhagen" else "Nuuk"  # where the meeting's clock is
    neighbour = network.member(world.case, "Karen Holm", email="karen@example.dk", town=home, language="da")
    for person in (reader, neighbour):
        services.add_member(world.case, meeting, person, "family", added_by=world.users["coordinator"])
    db.session.commit()
    for where, text in surfaces(client, world, login_as, meeting, reader).items():
        text = text.replace("&#34;", '"')
        assert in_words in text, where
        assert own in text, where
    # Someone in the meeting's own zone is not told the same time twice.
    raw = db.session.scalars(select(OutboxMessage.raw).where(OutboxMessage.recipient == neighbour.email)).one()
    text = message_from_bytes(raw, policy=policy.default).get_body(("plain",)).get_content()
    assert " i Nuuk" not in text and " i Aarhus" not in text and "(kl." not in text


def test_the_day_is_said_when_it_differs(world):
    meeting = factories.conference(world.case, world.users["coordinator"], day=DAY, start=time(1), end=time(2),
                                   zone="Europe/Copenhagen")
    with in_locale("da"):
        text = when_text(meeting, ("America/Nuuk", "Nuuk"))
    assert f"({(DAY - timedelta(days=1)):%d.%m.%Y} kl. 22.00 i Nuuk)" in text
