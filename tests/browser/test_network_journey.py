"""A coordinator maps a child's network in a real browser."""
from tests.browser.conftest import sign_in


def add_person(page, base, case_id, name, relation, gender, side, sector, closeness, restricted_reason=None):
    page.goto(f"{base}/cases/{case_id}/network/new")
    page.fill("#name", name)
    page.select_option("#relation", relation)
    page.select_option("#gender", gender)
    page.select_option("#side", side)
    page.select_option("#sector", sector)
    page.select_option("#closeness", closeness)
    if restricted_reason:
        page.check("#must_not_be_invited")
        page.fill("#restriction_reason", restricted_reason)
    with page.expect_navigation():
        page.click("main form button.button-primary")
    assert f"{name} er tilføjet netværket." in page.inner_text("main")


def test_a_coordinator_maps_the_network_and_sees_it_on_the_map_and_genogram(page, live_server):
    base = live_server.url
    sign_in(page, base, "coordinator")
    case_id = 2  # Freja Hansen's case: no network yet in the demo data
    page.goto(f"{base}/cases/{case_id}")
    page.click(".case-tabs >> text=Netværk")
    assert "Ingen er registreret endnu" in page.inner_text("main")
    add_person(page, base, case_id, "Peter Hansen", "birth_parent", "male", "paternal", "family", "close")
    add_person(page, base, case_id, "Maria Hansen", "birth_parent", "female", "maternal", "family", "medium",
               restricted_reason="Må ikke kende Frejas adresse")
    add_person(page, base, case_id, "Karen Holm", "grandparent", "female", "maternal", "family", "close")
    add_person(page, base, case_id, "Sara Nielsen", "friend", "female", "other", "friends", "close")
    add_person(page, base, case_id, "Jens Lærer", "school_daycare", "male", "other", "school", "medium")

    page.click("text=Forbindelser mellem personer")
    page.select_option("#from_member_id", label="Peter Hansen")
    page.select_option("#kind", "separated")
    page.select_option("#to_member_id", label="Maria Hansen")
    with page.expect_navigation():
        page.click("main form button.button-primary")
    assert "Peter Hansen og Maria Hansen er gået fra hinanden" in page.inner_text("main")

    page.click("text=Netværkskort")
    figure = page.locator("figure.diagram-frame svg")
    for name in ("Peter Hansen", "Maria Hansen", "Karen Holm", "Sara Nielsen", "Jens Lærer"):
        assert name in figure.inner_html()
    assert "⚠ Maria Hansen" in figure.inner_html()  # the restricted person is marked
    assert figure.get_attribute("role") == "img"

    page.click("text=Genogram")
    genogram = page.locator("figure.diagram-frame svg").inner_html()
    assert "Peter Hansen" in genogram and "Maria Hansen" in genogram and "Karen Holm" in genogram
    assert "Sara Nielsen" not in genogram  # friends are on the map, not in the family tree
    assert "farfar" not in genogram and "mormor" in genogram
