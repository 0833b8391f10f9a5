"""Wall-clock times in an IANA zone, public holidays and overlaps. Pure functions."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import holidays

# Danish and Greenlandic zones (DOMAIN.md, "Time").
ZONES = ("Europe/Copenhagen", "America/Nuuk", "America/Scoresbysund", "America/Thule",
         "America/Danmarkshavn")
ZONE_COUNTRY = {"Europe/Copenhagen": "DK"}  # the others are Greenland's
# Where a person lives tells their zone (DOMAIN.md, "Time"): Greenland's towns and
# settlements by name (Greenlandic, and the old Danish names still in use); every other
# place fgc knows is in Denmark. Names are compared in lower case.
GREENLAND_ZONES = {
    "America/Scoresbysund": ("ittoqqortoormiit", "scoresbysund"),
    "America/Thule": ("pituffik", "thule", "qaanaaq", "siorapaluk", "savissivik", "qeqertat"),
    "America/Danmarkshavn": ("danmarkshavn",),
    "America/Nuuk": (
        "nuuk", "godthåb", "sisimiut", "holsteinsborg", "ilulissat", "jakobshavn", "qaqortoq", "julianehåb",
        "aasiaat", "egedesminde", "maniitsoq", "sukkertoppen", "tasiilaq", "ammassalik", "paamiut",
        "frederikshåb", "narsaq", "nanortalik", "uummannaq", "upernavik", "qasigiannguit", "christianshåb",
        "qeqertarsuaq", "godhavn", "kangaatsiaq", "kangerlussuaq", "søndre strømfjord", "narsarsuaq",
        "kapisillit", "qeqertarsuatsiaat", "arsuk", "kulusuk", "kuummiit", "tiniteqilaaq", "sermiligaaq",
        "isortoq", "alluitsup paa", "qassiarsuk", "igaliku", "aappilattoq", "tasiusaq", "narsarmijit",
        "saattut", "ikerasak", "niaqornat", "illorsuit", "nuugaatsiaq", "kullorsuaq", "innaarsuit",
        "nuussuaq", "kangersuatsiaq", "ikerasaarsuk", "attu", "akunnaaq", "iginniarfik", "niaqornaarsuk",
        "kitsissuarsuit", "ilimanaq", "qeqertaq", "saqqaq", "oqaatsut", "sarfannguit", "itilleq",
        "kangaamiut", "atammik", "napasoq", "qaarsut", "ukkusissat", "ikamiut", "kangerluk",
        "aappilattoq (upernavik)", "naajaat", "tussaaq", "upernavik kujalleq"),
}
TOWN_ZONES = {town: zone for zone, towns in GREENLAND_ZONES.items() for town in towns}
DANISH_ZONE = "Europe/Copenhagen"


def zone_of_town(town):
    """The zone of a person who lives in `town`: Greenland's by name, Denmark's for any
    other place named; None when no town is known."""
    name = " ".join((town or "").split()).lower()
    if not name:
        return None
    return TOWN_ZONES.get(name, DANISH_ZONE)


# The holidays package does not list Greenland's national day.
EXTRA_HOLIDAYS = {"GL": {(6, 21): "Ullortuneq"}}


class NonexistentTime(ValueError):
    """The clocks jump over this time (spring forward)."""


class AmbiguousTime(ValueError):
    """This time happens twice (autumn); say which."""


def to_utc(day, clock, zone, fold=None):
    """A date and wall-clock time in `zone` as an aware UTC datetime.

    A time the clocks skip raises NonexistentTime. A time that happens twice
    raises AmbiguousTime unless `fold` says which: 0 the first (summer time),
    1 the second.
    """
    tz = ZoneInfo(zone)
    naive = datetime.combine(day, clock)
    first, second = naive.replace(tzinfo=tz, fold=0), naive.replace(tzinfo=tz, fold=1)
    if first.utcoffset() != second.utcoffset():
        # Either a gap or an overlap: a real time survives the round trip.
        real = [c for c in (first, second)
                if c.astimezone(timezone.utc).astimezone(tz).replace(tzinfo=None) == naive]
        if not real:
            raise NonexistentTime(naive)
        if len(real) == 2:
            if fold is None:
                raise AmbiguousTime(naive)
            return (second if fold else first).astimezone(timezone.utc)
    return first.astimezone(timezone.utc)


def fold_of(moment, zone):
    """For a moment in the hour that happens twice: 0 if it is the first time
    (summer time), 1 the second (winter time); None at any other time."""
    wall = local(moment, zone)
    try:
        to_utc(wall.date(), wall.time().replace(tzinfo=None), zone)
    except AmbiguousTime:
        return wall.fold
    return None


def local(moment, zone):
    return moment.astimezone(ZoneInfo(zone))


def holiday_name(day, zone, language=None):
    """The public holiday on `day` in the zone's country, or None."""
    country = ZONE_COUNTRY.get(zone, "GL")
    extra = EXTRA_HOLIDAYS.get(country, {}).get((day.month, day.day))
    if extra:
        return extra
    try:
        calendar = holidays.country_holidays(country, years=day.year, language=language)
    except (NotImplementedError, KeyError):
        calendar = holidays.country_holidays(country, years=day.year)
    return calendar.get(day)


def overlaps(meetings):
    """Pairs of (id, start, end) that overlap in time."""
    ordered = sorted(meetings, key=lambda m: m[1])
    pairs = []
    for i, (ident, start, end) in enumerate(ordered):
        for other, other_start, other_end in ordered[i + 1:]:
            if other_start >= end:
                break
            pairs.append((ident, other))
    return pairs


