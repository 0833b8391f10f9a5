from datetime import date, time, timedelta

from fgc.conferences import services
from fgc.extensions import db

FUTURE = date.today() + timedelta(days=30)


def conference(case, by, day=FUTURE, start=time(10), end=time(14), zone="America/Nuuk", **changes):
    values = dict(kind="conference", day=day, start=start, end=end, timezone=zone, fold=None,
                  town="Nuuk", address="Aqqusinersuaq 1", room="Mødelokale 2", remote="",
                  languages="da,kl", interpreter_booked=False, food="Kaffe og kage", support_person="")
    values.update(changes)
    made = services.schedule(case, values, scheduled_by=by)
    db.session.flush()
    return made
