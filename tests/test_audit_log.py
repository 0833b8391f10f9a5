"""Every use of a person's data is logged, as Danish logging practice asks: sign-in,
failures, lock-outs and sign-out; refused access; the family's own reads; answer-link
views and calendar fetches. Entries are kept at least six months, then pruned."""
from datetime import timedelta

from sqlalchemy import select

from fgc.conferences import services as conferences
from fgc.conferences.models import CalendarFeed
from fgc.core import audit
from fgc.core.audit import AuditEntry
from fgc.core.models import utcnow
from fgc.extensions import db
from tests.conferences import factories as meetings
from tests.conftest import count_queries, login


def logged(action):
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)
                              .order_by(AuditEntry.id)).all()


def test_sign_in_failure_lock_out_and_sign_out_are_logged(client, users):
    coordinator = users["coordinator"]
    login(client, coordinator)
    client.post("/logout")
    for _ in range(6):  # the sixth wrong password in a minute is blocked
        response = client.post("/login", data={"email": coordinator.email, "password": "wrong password 1"})
    assert response.status_code == 429
    assert [e.subject_id for e in logged("user.signed_in")] == [coordinator.id]
    assert [e.subject_id for e in logged("user.signed_out")] == [coordinator.id]
    assert [e.subject_id for e in logged("user.sign_in_failed")] == [coordinator.id] * 5
    assert [e.subject_id for e in logged("user.locked_out")] == [coordinator.id]
    client.post("/login", data={"email": "nobody@example.dk", "password": "x"})
    assert logged("user.sign_in_failed")[-1].subject_id is None


def test_refused_access_is_logged_with_the_case(client, world, login_as):
    login_as(world.unassigned["coordinator"])
    assert client.get(f"/cases/{world.case.id}").status_code == 404
    assert client.post(f"/cases/{world.case.id}/edit").status_code == 404
    client.post("/logout")
    login_as(world.users["family"])
    assert client.get("/admin/audit/").status_code == 403
    refused = logged("access.refused")
    assert [(e.case_id, e.user_id) for e in refused[:2]] == [(world.case.id, world.unassigned["coordinator"].id)] * 2
    assert refused[2].user_id == world.users["family"].id


def test_the_familys_reads_answer_link_views_and_calendar_fetches_are_logged(client, world, login_as):
    coordinator = world.users["coordinator"]
    meeting = meetings.conference(world.case, coordinator)
    participant = conferences.add_member(world.case, meeting, world.family_member, "family", added_by=coordinator)
    participant.answer = "sent"
    feed = CalendarFeed(user_id=coordinator.id, token="secret-feed-token")
    db.session.add(feed)
    db.session.commit()
    login_as(world.users["family"])
    assert client.get("/family/").status_code == 200
    client.post("/logout")
    assert client.get(f"/rsvp/{participant.link_token}").status_code == 200
    assert client.get("/calendar/secret-feed-token.ics").status_code == 200
    [family_read] = [e for e in logged("case.read") if e.user_id == world.users["family"].id]
    assert family_read.case_id == world.case.id and family_read.detail == "family.home"
    [opened] = logged("participant.link_opened")
    assert (opened.case_id, opened.subject_id, opened.user_id) == (world.case.id, world.family_member.id, None)
    [fetched] = logged("calendar.fetched")
    assert fetched.subject_id == coordinator.id and fetched.organisation_id == world.org.id

    login_as(world.users["admin"])
    page = client.get("/admin/audit/").get_data(as_text=True)
    assert "Åbnede svarlinket" in page and "En kalender hentede møderne" in page and "Loggede ind" in page


def test_entries_are_kept_at_least_six_months_then_pruned(app, world):
    old, kept = utcnow() - timedelta(days=200), utcnow() - timedelta(days=150)
    db.session.add_all([AuditEntry(action="case.read", at=old), AuditEntry(action="case.read", at=kept)])
    db.session.commit()
    app.config["AUDIT_RETENTION_DAYS"] = 30  # too short: six months are kept whatever is set
    try:
        assert audit.prune() == 1
    finally:
        app.config["AUDIT_RETENTION_DAYS"] = 730
    db.session.commit()
    assert [e.at.date() for e in db.session.scalars(select(AuditEntry))
            if e.at < utcnow() - timedelta(days=100)] == [kept.date()]
    result = app.test_cli_runner().invoke(args=["fgc", "prune-audit"])
    assert "deleted 0 audit entries" in result.output


def test_the_log_shows_fifty_entries_a_page_newest_first_and_leads_to_the_older_ones(client, world, login_as):
    for n in range(120):
        audit.record("case.read", case=world.case, user=world.users["caseworker"], detail=f"n{n}")
    db.session.commit()
    login_as(world.users["admin"])
    first = client.get(f"/admin/audit/?case={world.case.id}").get_data(as_text=True)
    assert first.count("<tr>") - 1 == 50 and "Næste" in first
    with count_queries() as first_page:
        client.get(f"/admin/audit/?case={world.case.id}")
    with count_queries() as last_page:
        last = client.get(f"/admin/audit/?case={world.case.id}&page=3").get_data(as_text=True)
    assert f"case={world.case.id}" in last and "Forrige" in last and "Næste" not in last
    assert first_page() == last_page()
