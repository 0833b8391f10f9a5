def test_health_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_a_coordinator_signs_in_and_sees_their_case(client, org, users, login_as):
    from tests import factories
    from fgc.extensions import db

    factories.case(org, users["coordinator"], users["caseworker"], child_name="Aputsiaq")
    db.session.commit()
    login_as(users["coordinator"])
    page = client.get("/cases")
    assert page.status_code == 200
    assert "Aputsiaq" in page.get_data(as_text=True)
