"""Long names and Greenlandic labels wrap inside their boxes on both diagrams."""
import xml.etree.ElementTree as ET

import pytest

from fgc.extensions import db
from fgc.network import layout
from fgc.network.layout import chars_per_line, wrap
from tests.network import factories

SVG = "{http://www.w3.org/2000/svg}"
LONG_NAME = "Paninnguaq Kreutzmann-Berthelsen Lyberth"  # 40 characters
GREENLANDIC = ["Ilaqutariinni aqqutissioqatigiinneq", "Ataatap tungaa", "Ilinniarsimasut sullissisut"]


def unwrap(lines):
    """The text the lines were made from: a line ending in a hyphen runs on."""
    text = ""
    for line in lines:
        text += ("" if not text or text.endswith("-") else " ") + line
    return text


def test_a_line_holds_more_characters_in_a_wider_box_and_fewer_in_a_larger_or_bolder_font():
    assert chars_per_line(138, 13) > chars_per_line(100, 13)
    assert chars_per_line(138, 13) > chars_per_line(138, 16)
    assert chars_per_line(138, 13, bold=True) < chars_per_line(138, 13)
    assert chars_per_line(138, 13, bold=True) == 18
    assert chars_per_line(1, 40) >= 4  # never nothing


def test_short_text_stays_on_one_line_and_empty_text_takes_none():
    assert wrap("Ane Olsen", 138, 13) == ["Ane Olsen"]
    assert wrap("  Ane   Olsen ", 138, 13) == ["Ane Olsen"]
    assert wrap("", 138, 13) == [] and wrap("   ", 138, 13) == []


def test_lines_break_at_spaces_and_after_hyphens():
    assert wrap("Paninnguaq Kreutzmann-Berthelsen", 138, 13, bold=True) == [
        "Paninnguaq", "Kreutzmann-", "Berthelsen"]
    assert wrap("Ilaqutariinni aqqutissioqatigiinneq", 138, 12) == ["Ilaqutariinni", "aqqutissioqatigiinneq"]
    assert wrap("Ataatap tungaa", 138, 12) == ["Ataatap tungaa"]
    # Several short pieces share a line.
    assert wrap("Ane Kreutzmann-Olsen", 400, 13) == ["Ane Kreutzmann-Olsen"]


def test_a_word_longer_than_a_line_is_broken_with_a_hyphen():
    limit = chars_per_line(60, 12)
    lines = wrap("aqqutissioqatigiinneq", 60, 12)
    assert len(lines) > 1 and all(line.endswith("-") for line in lines[:-1])
    assert all(len(line) <= limit for line in lines)
    assert "".join(line[:-1] for line in lines[:-1]) + lines[-1] == "aqqutissioqatigiinneq"


def test_text_beyond_the_last_line_is_marked_as_cut():
    text = "Arnannguaq Kreutzmann-Berthelsen Olsen Lyberth Heilmann Kleist Frederiksen"
    lines = wrap(text, 138, 13, bold=True)
    assert len(lines) == 3 and lines[-1].endswith("…")
    assert wrap(text, 138, 13, bold=True, max_lines=2)[-1].endswith("…")
    assert len(wrap(text, 138, 13, bold=True, max_lines=5)) == 5


NAMES = [LONG_NAME, "Nivi Aaja Kristiansen-Heilmann Lyberth", "Arnannguaq Kreutzmann-Berthelsen Olsen", "Ane Olsen"]
LABELS = GREENLANDIC + ["Atuarfik, meeqqerivik imaluunniit suliffik", "aanaap imaluunniit aataap anaanaa",
                        "Peroriartortitsisoq (tigusaq)"]


@pytest.mark.parametrize("text,size,bold", [(n, layout.NAME_SIZE, True) for n in NAMES] +
                         [(label, layout.SMALL_SIZE, False) for label in LABELS])
@pytest.mark.parametrize("width", [layout.BOX_W - 2 * layout.PAD, layout.CELL_W - layout.GAP - 2 * layout.PAD])
def test_names_and_labels_fit_their_boxes_whole(text, size, bold, width):
    """Names in bold and relations in the small type, in a map box's and a genogram cell's width."""
    lines = wrap(text, width, size, bold=bold)
    assert 1 <= len(lines) <= 3
    assert all(len(line) <= chars_per_line(width, size, bold) for line in lines)
    assert unwrap(lines) == text


def svg_texts(group):
    """Each <text> of an SVG group as its lines."""
    return [[span.text for span in text.iter(f"{SVG}tspan")] for text in group.iter(f"{SVG}text")]


def test_long_names_and_greenlandic_labels_are_drawn_whole_in_boxes_that_never_overlap():
    nodes = [layout.Node(1, LONG_NAME, GREENLANDIC[0], "family", "close", generation=-1, side="paternal"),
             layout.Node(2, "Nivi Aaja Kristiansen-Heilmann Lyberth", GREENLANDIC[1], "family", "close",
                         generation=-1, side="paternal"),
             layout.Node(3, "Aqqaluartaaq Frederiksen", GREENLANDIC[2], "professional", "close"),
             layout.Node(4, "Ane Olsen", "aanaa (ataatap tungaatigut)", "family", "close", generation=-2)]
    drawing = layout.network_map(nodes, "Malik Olsen, Pipaluk Olsen",
                                 {"family": "Ilaqutariit", "friends": "Ikinngutit sanilillu",
                                  "school": "Atuarfik, meeqqerivik suliffillu",
                                  "professional": "Ilinniarsimasut sullissisut"})
    assert layout.no_overlaps(drawing.boxes.values())
    svg = ET.fromstring(layout.map_svg(nodes, drawing, title="Map", desc="Rings",
                                       ring_names={r: r for r in layout.RINGS}, restricted_label="restricted"))
    drawn = {g.find(f"{SVG}title").text: svg_texts(g) for g in svg.iter(f"{SVG}g")}
    for node in nodes:
        name_lines, relation_lines = drawn[f"{node.name}, {node.relation}"]
        assert unwrap(name_lines) == node.name and unwrap(relation_lines) == node.relation
        assert "…" not in "".join(name_lines + relation_lines)
        box = drawing.boxes[node.id]
        spans = [float(s.get("y")) for g in svg.iter(f"{SVG}g") if g.find(f"{SVG}title").text.startswith(node.name)
                 for s in g.iter(f"{SVG}tspan")]
        assert box.y < min(spans) - layout.NAME_SIZE + 2 and max(spans) + 4 <= box.y + box.h

    children = [(99, "Malik Olsen", "male")]
    tree = layout.genogram(nodes, children, [(1, 2, "partners")])
    assert layout.no_overlaps(tree.boxes.values())
    genogram = ET.fromstring(layout.genogram_svg(nodes, children, [(1, 2, "partners")], tree, title="Genogram",
                                                 desc="Rows", restricted_label="restricted"))
    drawn = {g.find(f"{SVG}title").text: svg_texts(g) for g in genogram.iter(f"{SVG}g")}
    for node in nodes[:2] + nodes[3:]:
        name_lines, relation_lines = drawn[f"{node.name}, {node.relation}"]
        assert unwrap(name_lines) == node.name and unwrap(relation_lines) == node.relation
    # The white grounds behind the labels stay within their own cells.
    grounds = [layout.Box(i, float(r.get("x")), float(r.get("y")), float(r.get("width")), float(r.get("height")))
               for i, r in enumerate(genogram.iter(f"{SVG}rect")) if r.get("x") and not r.get("stroke")]
    assert len(grounds) == 4 and layout.no_overlaps(grounds)


def test_a_long_name_and_a_greenlandic_label_reach_both_diagrams_whole(client, world, login_as):
    factories.member(world.case, LONG_NAME, relation="aunt_uncle", side="paternal", gender="female",
                     sector="family", closeness="close")
    factories.member(world.case, "Aqqaluartaaq Frederiksen-Kleist", relation="school_daycare", gender="male",
                     side="other", sector="school", closeness="medium")
    world.users["coordinator"].locale = "kl"
    db.session.commit()
    login_as(world.users["coordinator"])
    for page in ("map.svg", "genogram.svg"):
        svg = ET.fromstring(client.get(f"/cases/{world.case.id}/network/{page}").data)
        lines = [span.text for span in svg.iter(f"{SVG}tspan")]
        assert "…" not in "".join(lines), page
        for word in LONG_NAME.replace("-", "- ").split():
            assert word in lines or any(word in line.split() for line in lines), (page, word)
        if page == "map.svg":
            # school_daycare in Greenlandic: "Atuarfik, meeqqerivik imaluunniit suliffik"
            for word in ("Atuarfik,", "meeqqerivik", "imaluunniit", "suliffik"):
                assert any(word in line.split() for line in lines), word
            boxes = [layout.Box(i, *(float(r.get(a)) for a in ("x", "y", "width", "height")))
                     for i, r in enumerate(svg.iter(f"{SVG}rect")) if r.get("rx") == "6"]
            assert len(boxes) >= 2 and layout.no_overlaps(boxes)
        else:
            assert any("ataatap" in line for line in lines)  # the Greenlandic kinship word
