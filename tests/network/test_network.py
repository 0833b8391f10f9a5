import random
import xml.etree.ElementTree as ET

import pytest
from flask import url_for
from sqlalchemy import select

from fgc.core.audit import AuditEntry
from fgc.extensions import db
from fgc.network import layout
from fgc.network.kinship import kinship_word
from fgc.network.models import RELATIONS, NetworkMember
from fgc.network.services import RestrictedPerson, ensure_invitable
from fgc.security import allowed_roles, is_public
from tests.conftest import count_queries
from tests import factories as case_factories
from tests.network import factories
from tests.url_args import rule_values

SVG = "{http://www.w3.org/2000/svg}"


def member_form(**changes):
    data = {"name": "Naja Lyberth", "relation": "grandparent", "gender": "female", "side": "maternal",
            "sector": "family", "closeness": "close", "town": "Sisimiut", "phone": "+299 86 12 34",
            "email": "naja@example.gl", "address": "", "language": "kl", "notes": "",
            "restriction_reason": ""}
    data.update(changes)
    return data


def current_members(case):
    """The case's members, less the one the test world's family account belongs to."""
    return db.session.scalars(select(NetworkMember).where(
        NetworkMember.case_id == case.id, NetworkMember.removed_at.is_(None),
        NetworkMember.name != "Birthe Mormor")).all()


@pytest.mark.parametrize("relation", RELATIONS)
def test_a_coordinator_adds_a_member_of_every_relation_kind(client, world, login_as, relation):
    login_as(world.users["coordinator"])
    response = client.post(f"/cases/{world.case.id}/network/new", data=member_form(relation=relation))
    assert response.status_code == 302
    [person] = current_members(world.case)
    assert person.relation == relation
    page = client.get(f"/cases/{world.case.id}/network/").get_data(as_text=True)
    assert "Naja Lyberth" in page


@pytest.mark.parametrize("restriction", ["must_not_be_invited", "hide_contact_from_family", "supervised_only"])
def test_every_restriction_needs_a_reason_and_shows_to_staff(client, world, login_as, restriction):
    login_as(world.users["coordinator"])
    url = f"/cases/{world.case.id}/network/new"
    refused = client.post(url, data=member_form(**{restriction: "y"}))
    assert refused.status_code == 200 and "Angiv årsagen til begrænsningen." in refused.get_data(as_text=True)
    assert current_members(world.case) == []
    assert client.post(url, data=member_form(**{restriction: "y", "restriction_reason": "Tilhold"})).status_code == 302
    [person] = current_members(world.case)
    assert getattr(person, restriction) and person.is_restricted
    page = client.get(f"/cases/{world.case.id}/network/").get_data(as_text=True)
    assert "Begrænset" in page and "Tilhold" in page


@pytest.mark.parametrize("changes,message", [
    ({"name": ""}, "Angiv personens navn."),
    ({"name": "x" * 201}, "Navnet er for langt."),
    ({"phone": "call me maybe"}, "Brug kun cifre"),
    ({"email": "not-an-address"}, "Skriv en e-mailadresse som"),
    ({"relation": "wizard"}, "Ikke et gyldigt valg."),
    ({"notes": "x" * 10_001}, "Teksten er for lang"),
])
def test_bad_member_input_is_refused_and_nothing_saved(client, world, login_as, changes, message):
    login_as(world.users["coordinator"])
    response = client.post(f"/cases/{world.case.id}/network/new", data=member_form(**changes))
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert current_members(world.case) == []


def test_a_child_can_have_several_parent_like_people_at_once(client, world, login_as):
    login_as(world.users["coordinator"])
    for name, relation, gender in [("Ivalo", "birth_parent", "female"), ("Kunuk", "birth_parent", "male"),
                                   ("Ane", "raising_parent", "female"), ("Hans", "foster_parent", "male"),
                                   ("Karen", "adoptive_parent", "female"), ("Peter", "step_parent", "male")]:
        assert client.post(f"/cases/{world.case.id}/network/new",
                           data=member_form(name=name, relation=relation, gender=gender)).status_code == 302
    people = current_members(world.case)
    assert sorted(p.parent_kind for p in people) == ["adoptive", "birth", "birth", "foster", "raising", "step"]
    genogram = client.get(f"/cases/{world.case.id}/network/genogram").get_data(as_text=True)
    for name in ("Ivalo", "Kunuk", "Ane", "Hans", "Karen", "Peter"):
        assert name in genogram
    assert genogram.count('stroke-dasharray="7 5"') >= 4  # adoptive, raising, foster, step are dashed


@pytest.mark.parametrize("relation,side,gender,danish", [
    ("grandparent", "maternal", "female", "mormor"), ("grandparent", "paternal", "male", "farfar"),
    ("aunt_uncle", "paternal", "male", "farbror"), ("aunt_uncle", "maternal", "female", "moster"),
    ("cousin", "other", "male", "fætter"), ("half_sibling", "other", "female", "halvsøster"),
    ("step_parent", "other", "male", "papfar"), ("foster_parent", "other", "female", "plejemor"),
])
def test_kinship_words_are_exact_in_danish(app, relation, side, gender, danish):
    # A fresh app context each: the locale is cached per context.
    with app.app_context(), app.test_request_context(headers={"Accept-Language": "da"}):
        assert str(kinship_word(relation, side, gender)) == danish
    with app.app_context(), app.test_request_context(headers={"Accept-Language": "en"}):
        assert str(kinship_word(relation, side, gender)) != danish


def test_a_restricted_person_cannot_be_invited_and_the_reason_is_given(world):
    person = factories.member(world.case, "Thomas Berg", must_not_be_invited=True,
                              restriction_reason="Polititilhold")
    with pytest.raises(RestrictedPerson) as refused:
        ensure_invitable(person)
    assert "Polititilhold" in str(refused.value.message)
    ensure_invitable(factories.member(world.case, "Birthe Jensen"))


def test_a_restricted_persons_contact_details_never_reach_a_family_member(app, client, world, login_as):
    factories.member(world.case, "Thomas Berg", phone="+45 99 88 77 66", email="secret.berg@example.dk",
                     address="Hemmelig Vej 1", hide_contact_from_family=True, restriction_reason="Tilhold")
    world.case.children[0].address = "Barnets Vej 2"
    db.session.commit()
    login_as(world.users["family"])
    opened = 0
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if "GET" not in rule.methods or rule.endpoint == "static" or is_public(view):
            continue
        with app.test_request_context():
            url = url_for(rule.endpoint, **rule_values(rule, world.case, world))
        response = client.get(url, follow_redirects=True)
        if response.status_code == 200:
            opened += 1
            body = response.get_data(as_text=True)
            for secret in ("99 88 77 66", "secret.berg@example.dk", "Hemmelig Vej", "Barnets Vej"):
                assert secret not in body, f"{secret} on {url}"
        elif "family" in allowed_roles(view):
            pytest.fail(f"a family page failed: {url} {response.status_code}")
    assert opened >= 1


def test_removal_keeps_the_record_and_the_audit_trail(client, world, login_as):
    person = factories.member(world.case, "Sanne Jensen")
    db.session.commit()
    login_as(world.users["caseworker"])
    assert client.post(f"/cases/{world.case.id}/network/{person.id}/remove").status_code == 302
    assert current_members(world.case) == []
    assert db.session.get(NetworkMember, person.id).removed_at is not None
    actions = db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.subject_type == "NetworkMember", AuditEntry.subject_id == person.id)).all()
    assert "member.removed" in actions
    assert client.get(f"/cases/{world.case.id}/network/{person.id}/edit").status_code == 404


def test_links_join_two_different_people_of_the_same_network(client, world, login_as):
    mother = factories.member(world.case, "Louise", gender="female")
    father = factories.member(world.case, "Thomas", gender="male", side="paternal")
    other_case = case_factories.case(world.other_org, world.outsiders["coordinator"],
                                     world.outsiders["caseworker"])
    stranger = factories.member(other_case, "Stranger")
    db.session.commit()
    login_as(world.users["coordinator"])
    url = f"/cases/{world.case.id}/network/links"
    assert client.post(url, data={"from_member_id": mother.id, "kind": "separated",
                                  "to_member_id": father.id}).status_code == 302
    same = client.post(url, data={"from_member_id": mother.id, "kind": "partners", "to_member_id": mother.id})
    assert "Vælg to forskellige personer." in same.get_data(as_text=True)
    other = client.post(url, data={"from_member_id": mother.id, "kind": "partners", "to_member_id": stranger.id})
    assert other.status_code == 200
    genogram = client.get(f"/cases/{world.case.id}/network/genogram").get_data(as_text=True)
    assert "Louise" in genogram and "Thomas" in genogram


def test_an_edit_that_collides_with_another_is_detected(client, world, login_as):
    person = factories.member(world.case, "Birthe")
    db.session.commit()
    stale = person.version
    login_as(world.users["coordinator"])
    url = f"/cases/{world.case.id}/network/{person.id}/edit"
    assert client.post(url, data=member_form(name="Birthe A", version=stale)).status_code == 302
    response = client.post(url, data=member_form(name="Birthe B", notes="my careful notes", version=stale))
    assert response.status_code == 409 and "my careful notes" in response.get_data(as_text=True)
    db.session.refresh(person)
    assert person.name == "Birthe A"


def random_nodes(n, seed=7):
    rng = random.Random(seed)
    return [layout.Node(i, f"Person number {i} with a long name", "relation word",
                        rng.choice(layout.SECTORS), rng.choice(layout.RINGS),
                        gender=rng.choice(["female", "male", "other"]), restricted=i % 7 == 0,
                        deceased=i % 11 == 0, generation=rng.choice([-2, -1, 0, None]),
                        side=rng.choice(["maternal", "paternal", "other"])) for i in range(n)]


@pytest.mark.parametrize("size", [1, 10, 50, 150])
def test_diagrams_parse_are_named_and_never_overlap(size):
    nodes = random_nodes(size)
    drawing = layout.network_map(nodes, "Emma", {s: s for s in layout.SECTORS})
    assert layout.no_overlaps(drawing.boxes.values()) and len(drawing.boxes) == size + 1
    svg = layout.map_svg(nodes, drawing, title="Network map", desc="Sectors and rings",
                         ring_names={r: r for r in layout.RINGS},
                         restricted_label="restricted")
    tree = ET.fromstring(svg)
    assert tree.get("role") == "img"
    for ident in tree.get("aria-labelledby").split():
        assert tree.find(f".//*[@id='{ident}']").text
    assert len(tree.findall(f".//{SVG}g/{SVG}title")) >= size
    links = [(0, 1, "partners")] if size > 1 else []
    tree_layout = layout.genogram(nodes, [(99, "Emma", "female")], links)
    assert layout.no_overlaps(tree_layout.boxes.values())
    genogram = layout.genogram_svg(nodes, [(99, "Emma", "female")], links, tree_layout,
                                   title="Genogram", desc="Generations", restricted_label="restricted")
    assert ET.fromstring(genogram).get("role") == "img"


def test_svg_downloads_are_standalone_files(client, world, login_as):
    factories.member(world.case, "Louise")
    db.session.commit()
    login_as(world.users["coordinator"])
    for path in ("map.svg", "genogram.svg"):
        response = client.get(f"/cases/{world.case.id}/network/{path}")
        assert response.mimetype == "image/svg+xml"
        assert "attachment" in response.headers["Content-Disposition"]
        ET.fromstring(response.data)


@pytest.mark.parametrize("page", ["", "map", "genogram", "links"])
def test_network_pages_use_the_same_queries_for_5_and_150_members(client, world, login_as, page):
    def grow(n):
        people = [factories.member(world.case, f"Person {len(current_members(world.case)) + i}",
                                   relation=random.choice(list(RELATIONS)))
                  for i in range(n)]
        factories.link(world.case, people[0], "partners", people[1])
        db.session.commit()

    login_as(world.users["coordinator"])
    url = f"/cases/{world.case.id}/network/{page}"
    grow(5)
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    grow(145)
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert many() == few()
