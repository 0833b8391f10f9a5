"""Every question the busiest pages ask the database is answered by an index, never by
reading a whole table (or a whole index): what one case or one caseload shows costs the same
in a municipality of 10 cases and of 10,000. SQLite without statistics assumes large tables,
and PostgreSQL is told not to read tables whole where it can help it: a whole read that is
left is one no index can serve."""
import re
from datetime import date, timedelta

from sqlalchemy import event, text

from fgc.extensions import db
from tests.conferences import factories as conferences
from tests.network import factories as network
from tests.plans import factories as plans

# Tables that hold a handful of rows per municipality, read whole by design.
SMALL = {"organisations", "identity_providers"}


def whole_reads(statements):
    """{statement: what its plan reads whole}."""
    found = {}
    with db.engine.connect() as connection:
        postgres = connection.dialect.name == "postgresql"
        if postgres:
            connection.execute(text("SET enable_seqscan = off"))
        else:  # statistics another test left (of a few rows) would let SQLite read small tables whole
            connection.execute(text("DROP TABLE IF EXISTS sqlite_stat1"))
            connection.execute(text("ANALYZE sqlite_schema"))  # the planner forgets what it had read
        for statement, parameters in statements:
            rows = connection.exec_driver_sql(f"EXPLAIN {'' if postgres else 'QUERY PLAN '}{statement}", parameters)
            plan = [row[0] if postgres else row[-1] for row in rows]
            pattern = r"Seq Scan on (\w+)" if postgres else r"^SCAN (\w+)"
            read = {m.group(1) for line in plan if (m := re.search(pattern, line.strip()))}
            tables = read & set(db.metadata.tables) - SMALL  # not a subquery's own rows
            if tables:
                found[statement] = (tables, plan)
    return found


def test_the_busiest_pages_read_no_table_whole(client, world, login_as):
    case, coordinator = world.case, world.users["coordinator"]
    people = [network.member(case, f"Person {n}") for n in range(3)]
    meeting = conferences.conference(case, coordinator)
    plan = plans.plan(case, world.users["caseworker"], state="accepted", commitments=[
        plans.commitment("Opgave", people=[people[0]], due=date.today() - timedelta(days=1))])
    db.session.commit()
    pages = {"coordinator": ["/", "/cases", f"/cases/{case.id}", f"/cases/{case.id}/network/",
                             f"/cases/{case.id}/network/map", f"/cases/{case.id}/network/genogram",
                             f"/cases/{case.id}/conferences/", f"/cases/{case.id}/conferences/{meeting.id}",
                             f"/cases/{case.id}/plan/", f"/cases/{case.id}/plan/{plan.id}",
                             f"/cases/{case.id}/plan/{plan.id}/edit", "/commitments"],
             "caseworker": ["/", "/commitments"],
             "admin": ["/", "/cases", "/admin/audit/"]}
    statements = []

    def keep(connection, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and not executemany:
            statements.append((statement, parameters))

    for role, paths in pages.items():
        login_as(world.users[role])
        event.listen(db.engine, "before_cursor_execute", keep)
        try:
            for path in paths:
                assert client.get(path).status_code == 200, path
        finally:
            event.remove(db.engine, "before_cursor_execute", keep)
        client.post("/logout")
    assert len(statements) > 50
    found = whole_reads(statements)
    assert not found, "\n\n".join(f"{sorted(tables)}:\n{statement}\n" + "\n".join(plan)
                                  for statement, (tables, plan) in found.items())
