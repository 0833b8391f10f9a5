"""`make bench`: how fast the busiest pages answer with a large municipality's
data (120 cases, 30 network members and 40 commitments each), and how fast the
report answers for a municipality of 100 and of 10,000 cases. It measures and
prints; it asserts nothing (tests count queries, this counts milliseconds)."""
import os
import statistics
import time
from datetime import date, timedelta

os.environ.setdefault("FGC_ENV", "testing")

from sqlalchemy import event  # noqa: E402

from fgc import create_app  # noqa: E402
from fgc.extensions import db  # noqa: E402
from fgc.network.models import NetworkMember  # noqa: E402
from fgc.plans.models import Commitment, FamilyPlan  # noqa: E402
from tests import factories  # noqa: E402

CASES, MEMBERS, COMMITMENTS, ROUNDS = 120, 30, 40, 15


def seed():
    org = factories.organisation()
    coordinator = factories.user(org, "coordinator", email="c@bench.dk")
    caseworker = factories.user(org, "caseworker", email="w@bench.dk")
    first = None
    for n in range(CASES):
        case = factories.case(org, coordinator, caseworker, child_name=f"Barn {n}")
        people = [NetworkMember(case_id=case.id, name=f"Person {n}-{i}", relation="friend", sector="friends",
                                closeness=("close", "medium", "distant")[i % 3]) for i in range(MEMBERS)]
        db.session.add_all(people)
        plan = FamilyPlan(case_id=case.id, state="accepted", review_date=date.today() + timedelta(days=90))
        plan.commitments = [Commitment(what=f"Opgave {i}", position=i, people=[people[i % MEMBERS]],
                                       due_date=date.today() + timedelta(days=i % 14 - 4)) for i in range(COMMITMENTS)]
        db.session.add(plan)
        first = first or case
    db.session.commit()
    return first


def main():
    app = create_app({"SQLALCHEMY_DATABASE_URI": os.environ.get("BENCH_DATABASE_URL", "sqlite://"),
                      "WTF_CSRF_ENABLED": False})
    with app.app_context():
        db.create_all()
        case = seed()
        client = app.test_client()
        pages = {"coordinator": ["/", "/cases", f"/cases/{case.id}", f"/cases/{case.id}/network/",
                                 f"/cases/{case.id}/network/map", f"/cases/{case.id}/network/genogram",
                                 f"/cases/{case.id}/plan/"],
                 "caseworker": ["/commitments"]}
        queries = []
        event.listen(db.engine, "before_cursor_execute", lambda *a: queries.append(1))
        print(f"{'page':<40} {'median ms':>10} {'p90 ms':>8} {'queries':>8}")
        for who, paths in pages.items():
            client.post("/login", data={"email": f"{who[0]}@bench.dk", "password": factories.PASSWORD})
            for path in paths:
                times = []
                for _ in range(ROUNDS):
                    queries.clear()
                    start = time.perf_counter()
                    assert client.get(path).status_code == 200, path
                    times.append((time.perf_counter() - start) * 1000)
                times.sort()
                print(f"{path:<40} {statistics.median(times):>10.1f} {times[int(len(times) * 0.9)]:>8.1f} "
                      f"{len(queries):>8}")
            client.post("/logout")
        report_bench(app)


def report_bench(app):
    """The report over two years for 100 and for 10,000 cases: the same number of queries."""
    from fgc.reports import figures
    from fgc.reports.demo import History

    print(f"\n{'report':<40} {'median ms':>10} {'p90 ms':>8} {'queries':>8}")
    today = date.today()
    for size in (100, 10_000):
        org = factories.organisation(country="GL")
        staff = [factories.user(org, "coordinator"), factories.user(org, "caseworker")]
        History(org, staff, staff, cases=size, every_days=730 / size).make()
        db.session.commit()
        queries, times = [], []
        listener = lambda *a: queries.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        for _ in range(5):
            queries.clear()
            start = time.perf_counter()
            with app.test_request_context():
                figures.build(org.id, today - timedelta(days=730), today)
            times.append((time.perf_counter() - start) * 1000)
        event.remove(db.engine, "before_cursor_execute", listener)
        times.sort()
        print(f"{f'{size:,} cases':<40} {statistics.median(times):>10.1f} {times[-1]:>8.1f} {len(queries):>8}")


if __name__ == "__main__":
    main()
