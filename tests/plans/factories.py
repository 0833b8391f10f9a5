from datetime import date, timedelta

from fgc.extensions import db
from fgc.plans import services
from tests.network import factories as network


def commitment(what="Hente Malik i skole hver mandag", people=(), due=None, weekdays=(), **extra):
    return dict(what=what, people=[p.id for p in people], service=extra.get("service", ""),
                schedule="weekly" if weekdays else "date", due_date=due, weekdays=list(weekdays), at_time=None,
                how_we_know=extra.get("how_we_know", ""), checked_by=extra.get("checked_by", ""))


def plan(case, by, commitments=None, state="draft", **values):
    if commitments is None:
        person = network.member(case, "Birthe Jensen", email="birthe@example.dk")
        commitments = [commitment(people=[person], due=date.today() + timedelta(days=2))]
    data = dict(language="da", contingency="Så træder mormor til.", monitor_id=None,
                review_date=date.today() + timedelta(days=90), answers=["Mormor henter."] * len(case.questions),
                resources=["Weekendaflastning"], commitments=commitments, conference_id=None)
    data.update(values)
    made = services.record_plan(case, data, recorded_by=by)
    if state == "accepted":
        made.state = "accepted"
    db.session.flush()
    return made
