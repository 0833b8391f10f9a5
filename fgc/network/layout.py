"""Network map and genogram: geometry and SVG, from plain data.

Pure functions (no Flask, no database): views pass in `Node`s with already
translated labels. Boxes never overlap: on the map every box lies wholly in its
sector and ring and is checked against those already placed there, and a ring is
made as deep as its people need. Names and labels wrap onto up to three lines,
and each box (each genogram row) is as tall as its lines.
"""
import math
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

SECTORS = ("family", "friends", "school", "professional")
RINGS = ("close", "medium", "distant")
BOX_W, BOX_H, GAP = 150, 38, 6
MAX_LINES = 3
# Average glyph width as a share of the font size: measured on IBM Plex Sans and
# Arial (Liberation Sans) with Danish and Greenlandic names, rounded up so a line
# of ordinary text stays inside its box in either font.
CHAR_EM = {False: 0.54, True: 0.58}
NAME_SIZE, NAME_LINE = 13, 16      # names: font size and line height, px
SMALL_SIZE, SMALL_LINE = 12, 15    # relations and ring names
SECTOR_SIZE, SECTOR_LINE = 15, 19  # the map's sector names
PAD = 6                            # inside a box, around its text


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


def chars_per_line(width, font_size, bold=False):
    """How many characters of text fit on one line `width` px wide."""
    return max(4, int(width / (font_size * CHAR_EM[bool(bold)])))


def wrap(text, width, font_size, *, bold=False, max_lines=MAX_LINES):
    """The lines `text` takes in a box `width` px wide at `font_size` px.

    Lines break at spaces and after hyphens; a word longer than a line is broken
    with a hyphen. Text that needs more than `max_lines` lines ends its last line
    with "…" (the diagram's tooltip and the table beside it hold the whole text).
    """
    limit = chars_per_line(width, font_size, bold)
    lines, line = [], ""
    for word in str(text).split():
        pieces = [part + "-" for part in word.split("-")[:-1]] + [word.split("-")[-1]]
        for index, piece in enumerate(p for p in pieces if p):
            joint = " " if index == 0 and line else ""
            if len(line) + len(joint) + len(piece) <= limit:
                line += joint + piece
                continue
            if line:
                lines.append(line)
            while len(piece) > limit:
                lines.append(piece[:limit - 1] + "-")
                piece = piece[limit - 1:]
            line = piece
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        lines = lines[:max_lines - 1] + [last[:limit - 1].rstrip(" -") + "…"]
    return lines


def _tspans(lines, x, y, line_height):
    """One escaped <tspan> per line, the first on baseline `y`."""
    return "".join(f'<tspan x="{x:.1f}" y="{y + i * line_height:.1f}">{escape(line)}</tspan>'
                   for i, line in enumerate(lines))


def no_overlaps(boxes):
    items = list(boxes)
    return all(not a.overlaps(b) for i, a in enumerate(items) for b in items[i + 1:])


# --- Network map ---------------------------------------------------------------

SECTOR_START = {"family": 180.0, "friends": 270.0, "school": 0.0, "professional": 90.0}
# Angles in degrees, counter-clockwise from the positive x axis (SVG y points down,
# so 180..270 is the upper-left quadrant): family upper left, friends upper right,
# school/work lower right, professionals lower left, as on easyNWK's map.


def _centres(inner, outer, start, box_h):
    """Candidate box centres in one sector between two circles: along arcs two
    gaps apart, inside out, each from the sector's first edge to its last."""
    r = inner + box_h / 2 + GAP
    while r + box_h / 2 + GAP <= outer:
        step = math.degrees(2 * GAP / r)
        angle = start + step / 2
        while angle < start + 90:
            rad = math.radians(angle)
            yield r * math.cos(rad), r * math.sin(rad)
            angle += step
        r += 2 * GAP


def _place(members, heights, sector, inner, outer):
    """Boxes for one sector's people of one ring between the two circles, or None
    when they do not all fit."""
    slot_h = max(heights[n.id] for n in members)
    centres, taken = _centres(inner, outer, SECTOR_START[sector], slot_h), []
    for node in members:
        h = heights[node.id]
        for x, y in centres:
            box = Box(node.id, x - BOX_W / 2, y - h / 2, BOX_W, h)
            if _inside(box, inner, outer, sector) and not any(box.overlaps(b, GAP) for b in reversed(taken)):
                taken.append(box)
                break
        else:
            return None
    return taken


def _group_boxes(members, heights, sector, inner):
    """The people of one sector and ring in as shallow a ring as they fit in: the
    outer circle is doubled out until they fit, then narrowed down again."""
    low = inner + max(heights[n.id] for n in members) + 2 * GAP
    step, high = 64.0, None
    while high is None:
        if _place(members, heights, sector, inner, low + step) is not None:
            high = low + step
        else:
            low, step = low + step, step * 2
            if step > 40_000:
                raise ValueError("the network is too large to draw")
    while high - low > 2 * GAP:
        middle = (low + high) / 2
        if _place(members, heights, sector, inner, middle) is not None:
            high = middle
        else:
            low = middle
    return _place(members, heights, sector, inner, high), high


# The quadrant of each sector, as the signs of x and y (SVG y points down).
QUADRANT = {"family": (-1, -1), "friends": (1, -1), "school": (1, 1), "professional": (-1, 1)}


def _corners(box):
    return [math.hypot(x, y) for x in (box.x, box.x + box.w) for y in (box.y, box.y + box.h)]


def _inside(box, inner, outer, sector):
    """Whether a box (relative to the centre) lies wholly in its sector's quadrant and
    between its ring's circles, so the reader sees at once where it belongs."""
    sx, sy = QUADRANT[sector]
    if min(box.x * sx, (box.x + box.w) * sx) < GAP or min(box.y * sy, (box.y + box.h) * sy) < GAP:
        return False
    # Off the axes, a box's nearest point to the centre is a corner.
    distances = _corners(box)
    return min(distances) >= inner + GAP and max(distances) <= outer - GAP


def map_label(node):
    """A map box's text: (name lines, relation lines)."""
    name = ("⚠ " if node.restricted else "") + node.name + (" †" if node.deceased else "")
    return (wrap(name, BOX_W - 2 * PAD, NAME_SIZE, bold=True),
            wrap(node.relation, BOX_W - 2 * PAD, SMALL_SIZE) if node.relation else [])


def _map_box_height(node):
    names, relations = map_label(node)
    return max(BOX_H, 2 * PAD + 2 + len(names) * NAME_LINE + len(relations) * SMALL_LINE)


CENTRE_W = 180


def centre_label(text):
    return wrap(text, CENTRE_W - 44, NAME_SIZE, bold=True)


def network_map(nodes, centre_text, sector_names=None):
    """Place each node in its sector and ring. Each ring is as deep as its fullest
    sector needs, so a large network stays as compact as it can be. A box is as
    tall as its wrapped name and relation; the sector names sit in bands above
    and below the rings, clear of every box."""
    heights = {n.id: _map_box_height(n) for n in nodes}
    centre_h = max(56, len(centre_label(centre_text)) * NAME_LINE + 28)
    radii = [math.hypot(CENTRE_W / 2, centre_h / 2) + 2 * GAP]
    placed_rel = {}  # node id -> box relative to the centre
    for ring in RINGS:
        inner = radii[-1]
        outer = inner + max((heights[n.id] for n in nodes if n.closeness == ring), default=BOX_H) + 3 * GAP
        for sector in SECTORS:
            # A box lies wholly in its quadrant and ring: it can only meet those of its own group.
            members = [n for n in nodes if n.sector == sector and n.closeness == ring]
            if members:
                boxes, needed = _group_boxes(members, heights, sector, inner)
                placed_rel.update((box.id, box) for box in boxes)
                outer = max(outer, needed)
        radii.append(outer)
    half = radii[-1] + GAP
    width = 2 * half
    names = sector_names or {s: s for s in SECTORS}
    sector_lines = {s: wrap(names[s], width / 2 - 3 * GAP, SECTOR_SIZE, bold=True) for s in SECTORS}
    top = max(len(sector_lines["family"]), len(sector_lines["friends"])) * SECTOR_LINE + 2 * GAP
    bottom = max(len(sector_lines["professional"]), len(sector_lines["school"])) * SECTOR_LINE + 2 * GAP
    cx, cy = half, top + half
    boxes = {"centre": Box("centre", cx - CENTRE_W / 2, cy - centre_h / 2, CENTRE_W, centre_h)}
    for ident, box in placed_rel.items():
        boxes[ident] = Box(ident, box.x + cx, box.y + cy, box.w, box.h)
    return Layout(width, top + 2 * half + bottom, boxes,
                  {"cx": cx, "cy": cy, "radii": radii, "centre_label": centre_text,
                   "sector_lines": sector_lines, "bands": (top, bottom)})


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
LABEL_BACK = 'fill="#fff"'


def _svg_open(width, height, title, desc, ident):
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'role="img" aria-labelledby="{ident}-title {ident}-desc" '
        f'font-family="IBM Plex Sans, Arial, sans-serif" font-size="13">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(desc)}</desc>',
    ]


def map_svg(nodes, layout, *, title, desc, ring_names, restricted_label):
    """The map as SVG text. Names and labels come in translated (the sector names
    through `network_map`, which sizes the map to them)."""
    cx, cy, radii = layout.extra["cx"], layout.extra["cy"], layout.extra["radii"]
    out = _svg_open(layout.width, layout.height, title, desc, "map")
    out.append(f'<rect width="{layout.width:.0f}" height="{layout.height:.0f}" fill="#fff"/>')
    for r in radii[1:]:
        out.append(f'<circle {RING} cx="{cx:.1f}" cy="{cy:.1f}" r="{r:.1f}"/>')
    outer = radii[-1]
    out.append(f'<line {RING} x1="{cx - outer:.1f}" y1="{cy:.1f}" x2="{cx + outer:.1f}" y2="{cy:.1f}"/>')
    out.append(f'<line {RING} x1="{cx:.1f}" y1="{cy - outer:.1f}" x2="{cx:.1f}" y2="{cy + outer:.1f}"/>')
    # Family upper left, friends upper right, school lower right, professionals lower left.
    top, bottom = layout.extra["bands"]
    left, right = 2 * GAP, layout.width - 2 * GAP
    for sector, x, anchor, below in (("family", left, "start", False), ("friends", right, "end", False),
                                     ("professional", left, "start", True), ("school", right, "end", True)):
        lines = layout.extra["sector_lines"][sector]
        first = (layout.height - bottom + GAP + SECTOR_SIZE) if below else (GAP + SECTOR_SIZE)
        out.append(f'<text {SECTOR_TEXT} text-anchor="{anchor}">{_tspans(lines, x, first, SECTOR_LINE)}</text>')
    for index, ring in enumerate(RINGS):
        out.append(f'<text {SMALL_TEXT} x="{cx + 6:.1f}" y="{cy - radii[index + 1] + 16:.1f}">'
                   f'{escape(str(ring_names[ring]))}</text>')
    centre = layout.boxes["centre"]
    lines = centre_label(layout.extra["centre_label"])
    first = cy - (len(lines) - 1) * NAME_LINE / 2 + 5
    out.append(f'<g><title>{escape(str(layout.extra["centre_label"]))}</title>'
               f'<rect {SYMBOL_INDEX} x="{centre.x:.1f}" y="{centre.y:.1f}" width="{centre.w}" '
               f'height="{centre.h}" rx="28"/><text text-anchor="middle" font-weight="700">'
               f'{_tspans(lines, cx, first, NAME_LINE)}</text></g>')
    for node in nodes:
        box = layout.boxes[node.id]
        attrs = BOX_RESTRICTED if node.restricted else BOX_DECEASED if node.deceased else BOX
        full = f"{node.name}, {node.relation}" + (f" ({restricted_label})" if node.restricted else "")
        names, relations = map_label(node)
        x = box.x + box.w / 2
        # The lines centred in the box, whatever its height.
        text_h = len(names) * NAME_LINE + len(relations) * SMALL_LINE
        first = box.y + (box.h - text_h) / 2 + NAME_SIZE
        out.append(
            f'<g><title>{escape(full)}</title>'
            f'<rect {attrs} x="{box.x:.1f}" y="{box.y:.1f}" width="{box.w}" height="{box.h}" rx="6"/>'
            f'<text text-anchor="middle" font-weight="600">{_tspans(names, x, first, NAME_LINE)}</text>'
            + (f'<text {SMALL_TEXT} text-anchor="middle">'
               f'{_tspans(relations, x, first + len(names) * NAME_LINE - 1, SMALL_LINE)}</text>'
               if relations else "") + '</g>')
    out.append("</svg>")
    return "\n".join(out)


# --- Genogram ------------------------------------------------------------------

SYMBOL = 36
CELL_W, ROW_H = 160, 130
PER_ROW = 10
SIDE_ORDER = {"paternal": 0, "other": 1, "maternal": 2}
LABEL_TOP = SYMBOL + 22   # from a row's top to the top of its first line of text
ROW_GAP = GAP + 30        # below the tallest label of a row: room for the lines to the next


def genogram_label(name, relation, restricted=False):
    """A genogram person's text: (name lines, relation lines), within their cell."""
    width = CELL_W - GAP - 2 * PAD
    return (wrap(("⚠ " if restricted else "") + name, width, NAME_SIZE, bold=True),
            wrap(relation, width, SMALL_SIZE) if relation else [])


def _cell_label(kind, item):
    if kind == "child":
        return genogram_label(item[1], "")
    return genogram_label(item.name, item.relation, item.restricted)


def genogram(nodes, children, links):
    """Generations in rows; paternal side left, maternal right; partners side by side.

    `children` are the case's children: (id, label, gender) placed in generation 0
    as index persons. `links` are (from_id, to_id, kind) between nodes: partners,
    separated, parent_of, siblings. A row is as tall as its longest label.
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
            tallest = ROW_H - ROW_GAP
            for i, (kind, item) in enumerate(cells[start:start + PER_ROW]):
                ident = f"child-{item[0]}" if kind == "child" else item.id
                names, relations = _cell_label(kind, item)
                h = LABEL_TOP + len(names) * NAME_LINE + len(relations) * SMALL_LINE + 4
                boxes[ident] = Box(ident, 20 + i * CELL_W, y, CELL_W - GAP, h)
                order.append((gen, ident))
                tallest = max(tallest, h)
            y += tallest + ROW_GAP
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
            # Across the gap above the child's row, clear of the labels of the row above;
            # a parent drawn in the child's own row meets the line halfway.
            row_top = cy - SYMBOL / 2 - 4
            bus = row_top - ROW_GAP / 2 + 4
            mid_y = bus if py < bus else (py + cy - SYMBOL / 2) / 2
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
        names, relations = genogram_label(label, relation, restricted)
        # A white ground behind the text: a line from a parent above passes behind it.
        text_w = min(box.w, max([len(t) * NAME_SIZE * CHAR_EM[True] for t in names] +
                                [len(t) * SMALL_SIZE * CHAR_EM[False] for t in relations]) + 2 * PAD)
        text_h = len(names) * NAME_LINE + len(relations) * SMALL_LINE + 4
        out.append(f'<rect {LABEL_BACK} x="{x - text_w / 2:.1f}" y="{box.y + LABEL_TOP - 1:.1f}" '
                   f'width="{text_w:.1f}" height="{text_h:.1f}"/>')
        first = box.y + LABEL_TOP + NAME_SIZE
        out.append(f'<text text-anchor="middle" font-weight="600">{_tspans(names, x, first, NAME_LINE)}</text>')
        if relations:
            out.append(f'<text {SMALL_TEXT} text-anchor="middle">'
                       f'{_tspans(relations, x, first + len(names) * NAME_LINE - 1, SMALL_LINE)}</text>')
        out.append('</g>')
    out.append("</svg>")
    return "\n".join(out)
