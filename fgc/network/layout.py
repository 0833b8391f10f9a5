"""Network map and genogram: geometry and SVG, from plain data.

Pure functions (no Flask, no database): views pass in `Node`s with already
translated labels. Boxes never overlap: every placement is checked against the
boxes already placed, and a map that runs out of room grows its rings.
"""
import math
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

SECTORS = ("family", "friends", "school", "professional")
RINGS = ("close", "medium", "distant")
BOX_W, BOX_H, GAP = 132, 38, 6
LABEL_CHARS = 19


@dataclass
class Node:
    id: int
    name: str
    relation: str = ""          # translated kinship word or relation
    sector: str = "family"
    closeness: str = "medium"
    gender: str = "unknown"     # female, male, other, unknown
    deceased: bool = False
    restricted: bool = False
    generation: int | None = None   # -2 grandparents … 0 the child's generation; None: not in the genogram
    side: str = "other"         # paternal, maternal, other
    parent_kind: str | None = None  # birth, adoptive, raising, foster, step: a parent-like relation to the child


@dataclass
class Box:
    id: int | str
    x: float
    y: float
    w: float
    h: float

    def overlaps(self, other, gap=0):
        return not (self.x + self.w + gap <= other.x or other.x + other.w + gap <= self.x or
                    self.y + self.h + gap <= other.y or other.y + other.h + gap <= self.y)


@dataclass
class Layout:
    width: float
    height: float
    boxes: dict = field(default_factory=dict)     # node id -> Box
    extra: dict = field(default_factory=dict)     # drawing details


def short(text, limit=LABEL_CHARS):
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def no_overlaps(boxes):
    items = list(boxes)
    return all(not a.overlaps(b) for i, a in enumerate(items) for b in items[i + 1:])


# --- Network map ---------------------------------------------------------------

SECTOR_START = {"family": 180.0, "friends": 270.0, "school": 0.0, "professional": 90.0}
# Angles in degrees, counter-clockwise from the positive x axis (SVG y points down,
# so 180..270 is the upper-left quadrant): family upper left, friends upper right,
# school/work lower right, professionals lower left, as on easyNWK's map.


def _slots(cx, cy, inner, outer, start, box_w, box_h):
    """Candidate box positions in one sector of one ring, inside out."""
    margin = 4.0
    r = inner + box_h
    while r + box_h / 2 <= outer:
        step = math.degrees((box_w + GAP) / r)
        angle = start + margin + step / 2
        while angle <= start + 90 - margin - step / 2 + 1e-9:
            rad = math.radians(angle)
            x, y = cx + r * math.cos(rad), cy + r * math.sin(rad)
            yield Box(None, x - box_w / 2, y - box_h / 2, box_w, box_h)
            angle += step
        r += box_h + GAP


def network_map(nodes, centre_label):
    """Place each node in its sector and ring. Each ring is as deep as its fullest
    sector needs, so a large network stays as compact as it can be."""
    centre = Box("centre", 0, 0, 170, 56)
    radii = [100.0]
    placed_rel = {}  # node id -> (dx, dy) from the centre
    fixed = [Box("centre", -centre.w / 2, -centre.h / 2, centre.w, centre.h)]
    for ring_index, ring in enumerate(RINGS):
        depth = BOX_H + 3 * GAP
        while True:
            inner, outer = radii[-1], radii[-1] + depth
            attempt, ok = {}, True
            taken = list(fixed)
            for sector in SECTORS:
                members = [n for n in nodes if n.sector == sector and n.closeness == ring]
                slots = _slots(0, 0, inner, outer, SECTOR_START[sector], BOX_W, BOX_H)
                for node in members:
                    for slot in slots:
                        if not any(slot.overlaps(b, GAP) for b in taken):
                            slot.id = node.id
                            attempt[node.id] = slot
                            taken.append(slot)
                            break
                    else:
                        ok = False
                        break
                if not ok:
                    break
            if ok:
                break
            depth += BOX_H + GAP
            if depth > 20_000:
                raise ValueError("the network is too large to draw")
        radii.append(outer)
        fixed = taken
        placed_rel.update(attempt)
    size = 2 * radii[-1] + 2 * GAP
    cx = cy = size / 2
    boxes = {"centre": Box("centre", cx - centre.w / 2, cy - centre.h / 2, centre.w, centre.h)}
    for ident, box in placed_rel.items():
        boxes[ident] = Box(ident, box.x + cx, box.y + cy, box.w, box.h)
    return Layout(size, size, boxes, {"cx": cx, "cy": cy, "radii": radii, "centre_label": centre_label})


# Presentation attributes, not CSS: a strict Content-Security-Policy allows them
# when the SVG is inline in a page, and the downloaded file draws the same.
BOX = 'fill="#fff" stroke="#1a1a1a" stroke-width="1.5"'
BOX_RESTRICTED = 'fill="#fff" stroke="#b0000f" stroke-width="3" stroke-dasharray="6 3"'
BOX_DECEASED = 'fill="#eeeeee" stroke="#1a1a1a" stroke-width="1.5"'
RING = 'fill="none" stroke="#8a9399" stroke-width="1"'
SECTOR_TEXT = 'font-size="15" font-weight="700" fill="#1a1a1a"'
SMALL_TEXT = 'font-size="12" fill="#3d3d3d"'
LINE = 'fill="none" stroke="#1a1a1a" stroke-width="1.5"'
DASHED = LINE + ' stroke-dasharray="7 5"'
SYMBOL_ATTRS = 'fill="#fff" stroke="#1a1a1a" stroke-width="2"'
SYMBOL_RESTRICTED = 'fill="#fff" stroke="#b0000f" stroke-width="3"'
SYMBOL_INDEX = 'fill="#fff" stroke="#1a1a1a" stroke-width="4"'


def _svg_open(width, height, title, desc, ident):
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'role="img" aria-labelledby="{ident}-title {ident}-desc" '
        f'font-family="IBM Plex Sans, Arial, sans-serif" font-size="13">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(desc)}</desc>',
    ]


def map_svg(nodes, layout, *, title, desc, sector_names, ring_names, restricted_label):
    """The map as SVG text. Names and labels come in translated."""
    cx, cy, radii = layout.extra["cx"], layout.extra["cy"], layout.extra["radii"]
    out = _svg_open(layout.width, layout.height, title, desc, "map")
    out.append(f'<rect width="{layout.width:.0f}" height="{layout.height:.0f}" fill="#fff"/>')
    for r in radii[1:]:
        out.append(f'<circle {RING} cx="{cx:.1f}" cy="{cy:.1f}" r="{r:.1f}"/>')
    outer = radii[-1]
    out.append(f'<line {RING} x1="{cx - outer:.1f}" y1="{cy:.1f}" x2="{cx + outer:.1f}" y2="{cy:.1f}"/>')
    out.append(f'<line {RING} x1="{cx:.1f}" y1="{cy - outer:.1f}" x2="{cx:.1f}" y2="{cy + outer:.1f}"/>')
    corners = {"family": (0.06, 0.04, "start"), "friends": (0.94, 0.04, "end"),
               "school": (0.94, 0.98, "end"), "professional": (0.06, 0.98, "start")}
    for sector, (fx, fy, anchor) in corners.items():
        out.append(f'<text {SECTOR_TEXT} x="{layout.width * fx:.0f}" y="{layout.height * fy:.0f}" '
                   f'text-anchor="{anchor}">{escape(str(sector_names[sector]))}</text>')
    for index, ring in enumerate(RINGS):
        out.append(f'<text {SMALL_TEXT} x="{cx + 6:.1f}" y="{cy - radii[index + 1] + 16:.1f}">'
                   f'{escape(str(ring_names[ring]))}</text>')
    centre = layout.boxes["centre"]
    out.append(f'<g><rect {SYMBOL_INDEX} x="{centre.x:.1f}" y="{centre.y:.1f}" width="{centre.w}" '
               f'height="{centre.h}" rx="28"/><text x="{cx:.1f}" y="{cy + 5:.1f}" '
               f'text-anchor="middle" font-weight="700">{escape(short(layout.extra["centre_label"], 24))}</text></g>')
    for node in nodes:
        box = layout.boxes[node.id]
        attrs = BOX_RESTRICTED if node.restricted else BOX_DECEASED if node.deceased else BOX
        full = f"{node.name}, {node.relation}" + (f" ({restricted_label})" if node.restricted else "")
        mark = "⚠ " if node.restricted else ""
        cross = " †" if node.deceased else ""
        out.append(
            f'<g><title>{escape(full)}</title>'
            f'<rect {attrs} x="{box.x:.1f}" y="{box.y:.1f}" width="{box.w}" height="{box.h}" rx="6"/>'
            f'<text x="{box.x + box.w / 2:.1f}" y="{box.y + 16:.1f}" text-anchor="middle" font-weight="600">'
            f'{escape(mark + short(node.name) + cross)}</text>'
            f'<text {SMALL_TEXT} x="{box.x + box.w / 2:.1f}" y="{box.y + 32:.1f}" text-anchor="middle">'
            f'{escape(short(node.relation))}</text></g>')
    out.append("</svg>")
    return "\n".join(out)


# --- Genogram ------------------------------------------------------------------

SYMBOL = 36
CELL_W, ROW_H = 160, 130
PER_ROW = 10
SIDE_ORDER = {"paternal": 0, "other": 1, "maternal": 2}


def genogram(nodes, children, links):
    """Generations in rows; paternal side left, maternal right; partners side by side.

    `children` are the case's children: (id, label, gender) placed in generation 0
    as index persons. `links` are (from_id, to_id, kind) between nodes: partners,
    separated, parent_of, siblings.
    """
    family = [n for n in nodes if n.generation is not None]
    rows = {}
    for n in family:
        rows.setdefault(n.generation, []).append(n)
    rows.setdefault(0, [])
    partners = {}
    for a, b, kind in links:
        if kind in ("partners", "separated"):
            partners.setdefault(a, b)
            partners.setdefault(b, a)
    boxes, order = {}, []
    y = 40.0
    generations = sorted(rows)
    for gen in generations:
        members = sorted(rows[gen], key=lambda n: (SIDE_ORDER.get(n.side, 1), n.name))
        # Keep partners next to each other.
        ordered, done = [], set()
        for n in members:
            if n.id in done:
                continue
            ordered.append(n)
            done.add(n.id)
            mate = partners.get(n.id)
            mate_node = next((m for m in members if m.id == mate and m.id not in done), None)
            if mate_node:
                ordered.append(mate_node)
                done.add(mate_node.id)
        cells = [("child", c) for c in children] if gen == 0 else []
        cells = ([("node", n) for n in ordered if n.side == "paternal"] + cells +
                 [("node", n) for n in ordered if n.side != "paternal"]) if gen == 0 else \
            [("node", n) for n in ordered]
        for start in range(0, max(len(cells), 1), PER_ROW):
            for i, (kind, item) in enumerate(cells[start:start + PER_ROW]):
                ident = f"child-{item[0]}" if kind == "child" else item.id
                boxes[ident] = Box(ident, 20 + i * CELL_W, y, CELL_W - GAP, ROW_H - GAP - 30)
                order.append((gen, ident))
            y += ROW_H
    width = 40 + CELL_W * max(1, min(PER_ROW, max((len(r) + (len(children) if g == 0 else 0))
                                                  for g, r in rows.items())))
    return Layout(width, y + 20, boxes, {"generations": generations})


def _symbol(cx, cy, gender, attrs):
    s = SYMBOL / 2
    if gender == "male":
        return f'<rect {attrs} x="{cx - s:.1f}" y="{cy - s:.1f}" width="{SYMBOL}" height="{SYMBOL}"/>'
    if gender == "female":
        return f'<circle {attrs} cx="{cx:.1f}" cy="{cy:.1f}" r="{s:.1f}"/>'
    return (f'<polygon {attrs} points="{cx:.1f},{cy - s - 2:.1f} {cx + s + 2:.1f},{cy:.1f} '
            f'{cx:.1f},{cy + s + 2:.1f} {cx - s - 2:.1f},{cy:.1f}"/>')


def genogram_svg(nodes, children, links, layout, *, title, desc, restricted_label):
    by_id = {n.id: n for n in nodes}
    out = _svg_open(layout.width, layout.height, title, desc, "genogram")
    out.append(f'<rect width="{layout.width:.0f}" height="{layout.height:.0f}" fill="#fff"/>')

    def centre(ident):
        box = layout.boxes[ident]
        return box.x + box.w / 2, box.y + SYMBOL / 2 + 4

    drawn_couples = {}
    for a, b, kind in links:
        if kind in ("partners", "separated") and a in layout.boxes and b in layout.boxes:
            (x1, y1), (x2, y2) = centre(a), centre(b)
            yline = max(y1, y2) + SYMBOL / 2 + 8
            out.append(f'<path {LINE} d="M{x1:.1f},{y1 + SYMBOL / 2:.1f} V{yline:.1f} '
                       f'H{x2:.1f} V{y2 + SYMBOL / 2:.1f}"/>')
            mid = ((x1 + x2) / 2, yline)
            drawn_couples[frozenset((a, b))] = mid
            if kind == "separated":
                mx, my = mid
                out.append(f'<path {LINE} d="M{mx - 8:.1f},{my + 9:.1f} L{mx - 2:.1f},{my - 9:.1f} '
                           f'M{mx + 2:.1f},{my + 9:.1f} L{mx + 8:.1f},{my - 9:.1f}"/>')
        elif kind == "siblings" and a in layout.boxes and b in layout.boxes:
            (x1, y1), (x2, y2) = centre(a), centre(b)
            ytop = min(y1, y2) - SYMBOL / 2 - 10
            out.append(f'<path {LINE} d="M{x1:.1f},{y1 - SYMBOL / 2:.1f} V{ytop:.1f} '
                       f'H{x2:.1f} V{y2 - SYMBOL / 2:.1f}"/>')

    def parent_anchor(parent_id, partner_ids):
        for other in partner_ids:
            mid = drawn_couples.get(frozenset((parent_id, other)))
            if mid:
                return mid
        x, y = centre(parent_id)
        return x, y + SYMBOL / 2

    parents_of = {}
    for a, b, kind in links:
        if kind == "parent_of" and a in layout.boxes and b in layout.boxes:
            parents_of.setdefault(b, []).append(a)
    child_ids = [f"child-{c[0]}" for c in children]
    for n in nodes:
        if n.parent_kind and n.id in layout.boxes:
            for child in child_ids:
                parents_of.setdefault(child, []).append(n.id)
    for child, parents in parents_of.items():
        cx, cy = centre(child)
        seen = set()
        for parent in parents:
            px, py = parent_anchor(parent, parents)
            key = (round(px), round(py))
            if key in seen:
                continue
            seen.add(key)
            kind = by_id[parent].parent_kind if parent in by_id else "birth"
            attrs = DASHED if kind not in (None, "birth") else LINE
            mid_y = (py + cy - SYMBOL / 2) / 2
            out.append(f'<path {attrs} d="M{px:.1f},{py:.1f} V{mid_y:.1f} H{cx:.1f} '
                       f'V{cy - SYMBOL / 2 - 2:.1f}"/>')

    for ident, box in layout.boxes.items():
        x, y = centre(ident)
        if isinstance(ident, str) and ident.startswith("child-"):
            child = next(c for c in children if f"child-{c[0]}" == ident)
            label, relation, gender, deceased, restricted = child[1], "", child[2], False, False
            attrs = SYMBOL_INDEX
        else:
            n = by_id[ident]
            label, relation, gender, deceased, restricted = n.name, n.relation, n.gender, n.deceased, n.restricted
            attrs = SYMBOL_RESTRICTED if restricted else SYMBOL_ATTRS
        full = f"{label}, {relation}".strip(", ") + (f" ({restricted_label})" if restricted else "")
        out.append(f'<g><title>{escape(full)}</title>{_symbol(x, y, gender, attrs)}')
        if deceased:
            s = SYMBOL / 2 + 4
            out.append(f'<path {LINE} d="M{x - s:.1f},{y - s:.1f} L{x + s:.1f},{y + s:.1f} '
                       f'M{x + s:.1f},{y - s:.1f} L{x - s:.1f},{y + s:.1f}"/>')
        out.append(f'<text x="{x:.1f}" y="{y + SYMBOL / 2 + 30:.1f}" text-anchor="middle" font-weight="600">'
                   f'{escape(("⚠ " if restricted else "") + short(label, 20))}</text>'
                   f'<text {SMALL_TEXT} x="{x:.1f}" y="{y + SYMBOL / 2 + 46:.1f}" text-anchor="middle">'
                   f'{escape(short(relation, 22))}</text></g>')
    out.append("</svg>")
    return "\n".join(out)
