"""The map and the genogram are laid out once for a network's content: the page, its
print view and the download of an unchanged network cost a look-up; any change draws
anew, in each language."""
from fgc.extensions import db
from fgc.network import layout
from fgc.network import views as network_views
from tests.network import factories as network


def test_an_unchanged_network_is_drawn_once_and_a_change_draws_it_again(client, world, login_as, monkeypatch):
    drawn = []
    for name in ("network_map", "genogram"):
        original = getattr(layout, name)
        monkeypatch.setattr(layout, name, lambda *a, _o=original, _n=name, **k: drawn.append(_n) or _o(*a, **k))
    network_views._DRAWINGS.clear()
    person = network.member(world.case, "Aviaja Kreutzmann-Berthelsen")
    db.session.commit()
    login_as(world.users["coordinator"])
    base = f"/cases/{world.case.id}/network"
    for path in ("/map", "/map.svg", "/map/print", "/map", "/genogram", "/genogram.svg", "/genogram/print"):
        assert client.get(base + path).status_code == 200, path
    assert drawn == ["network_map", "genogram"]

    person.name = "Aviaja Lynge"
    db.session.commit()
    page = client.get(base + "/map").get_data(as_text=True)
    assert drawn == ["network_map", "genogram", "network_map"] and "Aviaja Lynge" in page
    client.post("/language", data={"language": "kl"})
    client.get(base + "/map")
    assert drawn[-1] == "network_map" and len(drawn) == 4  # each language its own drawing
