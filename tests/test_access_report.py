"""A citizen's request for access: an administrator lists, for one child or one person
in a network, who used their data and when, as a page and as a CSV file."""
import csv
import io
import re
from datetime import timedelta

from sqlalchemy import select

from fgc.core.audit import AuditEntry
from fgc.extensions import db
from tests.network.factories import member


def report(client, kind, person, **args):
    return client.get(f"/admin/audit/people/{kind}/{person.id}", query_string=args)


def test_an_administrator_finds_a_child_and_sees_who_read_the_case(client, world, login_as):
    login_as(world.users["caseworker"])
    client.get(f"/cases/{world.case.id}")
    client.post("/logout")

    login_as(world.users["admin"])
    found = client.get("/admin/audit/people", query_string={"q": "pipaluk"}).get_data(as_text=True)
    child = world.case.children[0]
    assert f"/admin/audit/people/child/{child.id}" in found and world.case.reference in found
    page = report(client, "child", child).get_data(as_text=True)
    assert world.users["caseworker"].name in page and "Sagsbehandler" in page and "Læste sagen" in page
    assert "case.read" not in page

    download = report(client, "child", child, format="csv")
    assert download.mimetype == "text/csv" and "attachment" in download.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(download.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["Hvornår", "Hvem", "Rolle", "Hvad", "Del af sagen"]
    assert [world.users["caseworker"].name, "Sagsbehandler", "Læste sagen"] in [row[1:4] for row in rows[1:]]

    # Producing the report is itself a use of the child's data, and is logged.
    logged = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "audit.person_report")).all()
    assert [(e.subject_type, e.subject_id, e.user_id) for e in logged] == \
        [("Child", child.id, world.users["admin"].id)] * 2


def test_a_network_member_sees_the_reads_since_they_were_added_and_what_was_done_to_them(
        client, world, login_as):
    login_as(world.users["caseworker"])
    client.get(f"/cases/{world.case.id}")  # before the aunt was in the network
    aunt = member(world.case, name="<b>Moster</b>")
    world.users["coordinator"].name = '=HYPERLINK("http://evil.example")'  # a formula, to a spreadsheet
    aunt.created_at = db.session.scalar(select(AuditEntry.at).order_by(AuditEntry.id.desc())) + timedelta(seconds=1)
    db.session.commit()
    db.session.add(AuditEntry(action="case.read", case_id=world.case.id, user_id=world.users["coordinator"].id,
                              organisation_id=world.org.id, detail="network.map", at=aunt.created_at + timedelta(minutes=1)))
    db.session.add(AuditEntry(action="member.updated", case_id=world.case.id, subject_type="NetworkMember",
                              subject_id=aunt.id, user_id=world.users["coordinator"].id, organisation_id=world.org.id,
                              at=aunt.created_at + timedelta(minutes=2)))
    db.session.commit()
    client.post("/logout")

    login_as(world.users["admin"])
    page = report(client, "member", aunt).get_data(as_text=True)
    assert "Ændrede en person i netværket" in page and "Netværket" in page
    assert world.users["caseworker"].name not in page  # read the case before the aunt was in it
    assert "&lt;b&gt;Moster&lt;/b&gt;" in page and "<b>" not in page
    rows = list(csv.reader(io.StringIO(report(client, "member", aunt, format="csv").get_data(as_text=True))))
    # Newest first (the change and the read are dated minutes after the aunt was added).
    assert [row[1] for row in rows[1:]] == ["'" + world.users["coordinator"].name] * 2 + [world.users["admin"].name]
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_only_the_organisations_administrators_produce_it(client, world, login_as):
    child = world.case.children[0]
    login_as(world.users["coordinator"])
    assert report(client, "child", child).status_code == 403
    assert client.get("/admin/audit/people", query_string={"q": "Pipaluk"}).status_code == 403
    client.post("/logout")
    login_as(world.outsiders["admin"])
    assert report(client, "child", child).status_code == 404
    assert world.case.reference not in client.get(
        "/admin/audit/people", query_string={"q": "Pipaluk"}).get_data(as_text=True)
    assert report(client, "nobody", child).status_code == 404


def test_the_report_shows_50_uses_a_page_with_the_same_queries_and_the_csv_holds_them_all(
        client, world, login_as):
    from tests.conftest import count_queries

    child = world.case.children[0]

    def reads(n):
        for _ in range(n):
            db.session.add(AuditEntry(action="case.read", case_id=world.case.id, organisation_id=world.org.id,
                                      user_id=world.users["caseworker"].id, detail="cases.detail"))
        db.session.commit()

    reads(3)
    login_as(world.users["admin"])
    report(client, "child", child)
    with count_queries() as few:
        report(client, "child", child)
    reads(117)
    with count_queries() as many:
        first = report(client, "child", child).get_data(as_text=True)
    assert many() == few()
    assert first.count("<tr>") == 51 and "Side 1 / 3" in first
    last = report(client, "child", child, page=3).get_data(as_text=True)
    total = int(re.search(r"Poster i loggen: (\d+)", last).group(1))
    assert total > 120 and last.count("<tr>") == 1 + total - 100
    rows = list(csv.reader(io.StringIO(report(client, "child", child, format="csv").get_data(as_text=True))))
    assert len(rows) - 1 >= total
