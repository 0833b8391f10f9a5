"""`make bench`: the busiest pages served by gunicorn (2 workers) under wrk (2 threads,
8 connections), beside a bare Flask "hello" served the same way, with a municipality of
10 and of 10,000 cases, on SQLite and on PostgreSQL; then the report's time and queries
at both sizes. Both sizes and hello are served at once and each page is measured at one
size, then the other, then hello, three times; the medians are printed. It measures and prints, and marks each
goal as met or not; it asserts nothing (tests count queries, this counts time).

The large municipality is a History of 10,000 cases over two years (networks, meetings,
plans, commitments, reviews), its cases shared among coordinators and caseworkers of 40
cases each. The measured coordinator and caseworker hold the same caseload at both sizes:
10 of the History's cases, spread over its two years, and the bench case (150 people in
the network, a meeting with its participants, and an accepted plan). So "large against
small" compares the same pages in a larger municipality; the administrator of 10,000 is
compared with a coordinator of 40.

Two floors are measured beside the pages: fgc's health check (no session, two statements)
and a signed-in page that reads no case (the accessibility statement). No page that checks
access and audits its reading can be faster than the second."""
import os
import re
import statistics
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager
from datetime import date, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory

os.environ.setdefault("FGC_ENV", "testing")

from sqlalchemy import create_engine, event, text, update  # noqa: E402

from fgc import create_app  # noqa: E402
from fgc.auth.models import User  # noqa: E402
from fgc.cases.models import Case  # noqa: E402
from fgc.extensions import db  # noqa: E402
from fgc.reports.demo import History  # noqa: E402
from tests import factories  # noqa: E402
from tests.conftest import throwaway_database  # noqa: E402
from tests.gunicorn import Server, signed_in  # noqa: E402

SIZES = {"10 cases": 10, "10,000 cases": 10_000}
CASELOAD = 40  # cases per coordinator and per caseworker in the large municipality
MEASURED = 10  # the measured coordinator's and caseworker's History cases, at either size
MAP_PEOPLE = 150
COORDINATOR_OF_40 = "coordinator dashboard, 40 cases"
PG_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SECONDS = int(os.environ.get("BENCH_SECONDS", "4"))
ROUNDS = 3  # each page is measured at both sizes and hello in turn, this many times: a busy moment hits all


def seed(url, cases):
    """The municipality of `cases` cases and the bench case; returns the pages to measure."""
    from tests.conferences import factories as conferences
    from tests.network import factories as network
    from tests.plans import factories as plans

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.create_all()
        org = factories.organisation(country="GL")
        admin = factories.user(org, "admin", email="a@bench.dk")
        others = cases // CASELOAD  # pairs beside the measured one (pair 0)
        staff = [User(organisation=org, role=role, email=f"{role}{n}@bench.dk", name=f"{role} {n}", locale="da",
                      password_hash=admin.password_hash) for n in range(1 + others)
                 for role in ("coordinator", "caseworker")]
        db.session.add_all(staff)
        db.session.flush()
        coordinator, caseworker = staff[0], staff[1]
        History(org, (coordinator, caseworker), (coordinator, caseworker), cases=cases, every_days=730 / cases).make()
        db.session.flush()
        # Pair 0 keeps every step-th case from the first (at the same days of the two years as the
        # small municipality's), and the other pairs share the rest in turn.
        step, position = cases // MEASURED, Case.id - 1
        for n in range(1, 1 + others):
            db.session.execute(update(Case).where(
                position % step != 0, (position - position // step) % others == n % others).values(
                coordinator_id=staff[2 * n].id, caseworker_id=staff[2 * n + 1].id))
        case = factories.case(org, coordinator, caseworker, child_name="Bench Barn")
        people = [network.member(case, f"Person nummer {i} med et langt navn", sector=("family", "friends",
                  "school", "professional")[i % 4], closeness=("close", "medium", "distant")[i % 3])
                  for i in range(MAP_PEOPLE)]
        meeting = conferences.conference(case, coordinator)
        from fgc.conferences import services as conference_services
        for person in people[:25]:
            conference_services.add_member(case, meeting, person, "family", added_by=coordinator)
        plans.plan(case, caseworker, state="accepted", commitments=[
            plans.commitment(f"Opgave {i}", people=[people[i]], due=date.today() + timedelta(days=i - 5))
            for i in range(12)])
        db.session.commit()
        db.session.execute(text("ANALYZE"))  # as `fgc refresh-statistics` does in production
        db.session.commit()
        return {"organisation": org.id,
                "pages": [("floor: health check", None, "/healthz"),
                          ("floor: signed-in statement", "coordinator0@bench.dk", "/accessibility"),
                          ("coordinator dashboard", "coordinator0@bench.dk", "/"),
                          *([(COORDINATOR_OF_40, "coordinator1@bench.dk", "/")] if others else []),
                          ("administrator dashboard", "a@bench.dk", "/"),
                          ("caseworker overview", "caseworker0@bench.dk", "/commitments"),
                          ("plan page", "coordinator0@bench.dk", f"/cases/{case.id}/plan/"),
                          (f"network map, {MAP_PEOPLE} people", "coordinator0@bench.dk",
                           f"/cases/{case.id}/network/map"),
                          ("conference page", "coordinator0@bench.dk",
                           f"/cases/{case.id}/conferences/{meeting.id}")]}


def copy_database(source_url, target_url):
    """Every row of one database in another (an empty one), and its id sequences set past them:
    the large municipality is made once and measured on both databases."""
    source, target = create_engine(source_url), create_engine(target_url)
    db.metadata.create_all(target)
    with source.connect() as read, target.begin() as write:
        for table in db.metadata.sorted_tables:
            rows = [dict(row._mapping) for row in read.execute(table.select())]
            if rows:
                write.execute(table.insert(), rows)
            if target.dialect.name == "postgresql" and "id" in table.c and table.c.id.autoincrement:
                write.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                   f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table.name}), false)"))
        write.execute(text("ANALYZE"))
    source.dispose()
    target.dispose()


def wrk(url, cookie=None):
    """(requests per second, median latency in ms, failed requests) of `url` under wrk."""
    command = ["wrk", "-t2", "-c8", f"-d{SECONDS}s", "--latency", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    value, unit = re.search(r"\s50%\s+([\d.]+)(us|ms|s)\b", out).groups()
    median = float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    failed = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    return rate, median, failed


def session_cookie(url, email):
    """The session cookie of a real sign-in, for wrk to send."""
    jar = next(h.cookiejar for h in signed_in(url, email).handlers if hasattr(h, "cookiejar"))
    return "; ".join(f"{c.name}={c.value}" for c in jar)


@contextmanager
def served(tmp, database_url=None, app="wsgi:app"):
    server = Server(Path(tmp), database_url or "sqlite://", bench=True, app=app)
    try:
        server.wait_ready(timeout=120)
        yield server
    finally:
        server.stop()


def measure(tmp, urls, made):
    """({size: {page: (req/s, p50 ms, failed)}}, hello's req/s): both sizes and hello served at
    once, each page measured at one size, then the other, then hello, ROUNDS times, and the
    medians kept. Hello is measured beside every page, so that a busy moment moves both."""
    hellos = []
    with ExitStack() as stack:
        hello = stack.enter_context(served(tmp, app="tests.bench_hello:app")).url + "/"
        wrk(hello)  # warm
        servers = {size: stack.enter_context(served(tmp, urls[size])) for size in SIZES}
        cookies = {size: {} for size in SIZES}
        runs = {size: {} for size in SIZES}
        pages = {size: {name: (email, path) for name, email, path in made[size]["pages"]} for size in SIZES}
        for name in pages[list(SIZES)[-1]]:  # every page; the small municipality has no coordinator of 40
            targets = {}
            for size in SIZES:
                if name in pages[size]:
                    email, path = pages[size][name]
                    cookie = cookies[size].setdefault(email, email and session_cookie(servers[size].url, email))
                    targets[size] = (servers[size].url + path, cookie)
                    wrk(*targets[size])  # warm: translations, caches, connections
            for _ in range(ROUNDS):
                for size in targets:
                    runs[size].setdefault(name, []).append(wrk(*targets[size]))
                hellos.append(wrk(hello)[0])
    return ({size: {name: (statistics.median(r[0] for r in measured), statistics.median(r[1] for r in measured),
                           sum(r[2] for r in measured)) for name, measured in by_page.items()}
             for size, by_page in runs.items()}, statistics.median(hellos))


def report_times(url, organisation):
    """The report over two years: its median time and its queries."""
    from fgc.reports import figures

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        queries, times = [], []
        listener = lambda *a: queries.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        for _ in range(5):
            queries.clear()
            start = time.perf_counter()
            with app.test_request_context():
                figures.build(organisation, date.today() - timedelta(days=730), date.today())
            times.append((time.perf_counter() - start) * 1000)
        event.remove(db.engine, "before_cursor_execute", listener)
        db.engine.dispose()
        return statistics.median(times), len(queries)


def goals(hello, by_size):
    small, large = (by_size[size] for size in SIZES)

    def same(name):
        ratio = large[name][1] / small[name][1]
        return ratio, ratio <= 1.1

    def share(name, least):
        worst = min(small[name][0], large[name][0]) / hello
        return worst, worst >= least

    floor, _above = share("floor: signed-in statement", 0)

    yield "coordinator dashboard: large ≤ 1.1× small latency", *same("coordinator dashboard"), "×"
    yield "caseworker overview: large ≤ 1.1× small latency", *same("caseworker overview"), "×"
    yield "conference page: large ≤ 1.1× small latency", *same("conference page"), "×"
    yield f"plan page: ≥ 0.3× hello (the signed-in floor: {floor:.2f}×)", *share("plan page", 0.3), "× hello"
    yield (f"network map ({MAP_PEOPLE} people): ≥ 0.2× hello (the signed-in floor: {floor:.2f}×)",
           *share(f"network map, {MAP_PEOPLE} people", 0.2), "× hello")
    ratio = large["administrator dashboard"][1] / large[COORDINATOR_OF_40][1]
    yield "dashboard: administrator of 10,000 within 10 % of a coordinator of 40", ratio, 0.9 <= ratio <= 1.1, "×"


def main():
    with TemporaryDirectory() as tmp, ExitStack() as stack:
        made, urls = {}, {"SQLite": {}, "PostgreSQL": {}}
        for size, cases in SIZES.items():
            started = time.perf_counter()
            urls["SQLite"][size] = f"sqlite:///{tmp}/bench-{cases}.sqlite"
            made[size] = seed(urls["SQLite"][size], cases)
            urls["PostgreSQL"][size] = stack.enter_context(throwaway_database(PG_URL))
            copy_database(urls["SQLite"][size], urls["PostgreSQL"][size])
            print(f"{size}: made in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        for database, by_url in urls.items():
            by_size, hello = measure(tmp, by_url, made)
            reports = {size: report_times(by_url[size], made[size]["organisation"]) for size in SIZES}
            print(f"{database}: bare Flask hello under gunicorn -w 2, wrk -t2 -c8, beside the pages: "
                  f"{hello:,.0f} req/s (median)")
            print(f"{'page':<32}" + "".join(f"{size:>32}" for size in SIZES))
            print(f"{'':<32}" + f"{'req/s  × hello  p50 ms  failed':>32}" * len(SIZES))
            for name in by_size[list(SIZES)[-1]]:
                print(f"{name:<32}" + "".join(
                    f"{rate:>9.0f} {rate / hello:>7.2f}× {median:>7.1f} {failed:>7}"
                    if (rate, median, failed) != (None,) * 3 else f"{'–':>32}"
                    for rate, median, failed in (by_size[size].get(name, (None,) * 3) for size in SIZES)))
            print(f"{'report (in process)':<32}" + "".join(
                f"{'':>9} {'':>8} {ms:>7.0f} {f'{queries} q':>7}" for ms, queries in reports.values()))
            print("goals:")
            for goal, value, met, unit in goals(hello, by_size):
                print(f"  {'met    ' if met else 'NOT met'}  {goal}: {value:.2f}{unit}")
            print()


if __name__ == "__main__":
    main()
