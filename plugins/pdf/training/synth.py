"""Synthetic floor plans with known truth, drawn the way paper plans look.

:func:`make_sample` builds a random building (outline, rooms, walls of several
thicknesses, doors with swing arcs, windows, stairs, furniture, labels, dimension
lines, grid axes, a title block), draws it on a PDF page with PyMuPDF in one of
several drafting styles, renders it at the scan resolution and passes the image
through :func:`plugins.pdf.training.scan.degrade` (blur, noise, skew, JPEG...).
It returns the image with the truth: a label map (one :data:`CLASSES` id per
pixel), the boxes of doors, windows and stairs in pixels, and the wall footprint
in plan metres.

Everything random comes from ``numpy.random.default_rng(seed)``: one seed, one page.
The data is ours (generated here), so a model trained on it carries no third-party
data licence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pymupdf
import shapely
from shapely import affinity
from shapely.geometry import LineString, MultiLineString, Polygon, box
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

from . import scan

CLASSES = ("background", "wall", "door", "window", "stair")
#: paper sizes in millimetres (portrait)
PAGES = {"A4": (210, 297), "A3": (297, 420), "A2": (420, 594), "A1": (594, 841)}
SCALES = (50, 75, 100, 100, 100, 125, 150, 200, 200)
MM = 72 / 25.4  # points per millimetre
WORDS = (
    "OFFICE", "MEETING", "STORE", "WC", "HALL", "LOBBY", "KITCHEN", "CAFE", "EXHIBIT", "ROOM", "CORRIDOR",
    "STAFF", "PLANT", "SHOP", "GALLERY", "FOYER", "TOILETS", "CLOAK", "STAGE", "BAR", "CLINIC", "WARD",
    "LAB", "CLASS", "LIBRARY", "SECURITY", "TICKETS", "INFO", "ARCHIVE", "SERVER", "BOOTH",
)  # fmt: skip


@dataclass
class Opening:
    """A door or window: the gap in the wall, the drawn symbol, the truth region."""

    kind: str
    gap: Polygon
    lines: list[np.ndarray] = field(default_factory=list)
    region: BaseGeometry = field(default_factory=Polygon)


@dataclass
class Plan:
    """A building in plan metres (y up)."""

    outline: Polygon
    walls: BaseGeometry
    rooms: list[Polygon]
    openings: list[Opening]
    stairs: list[tuple[Polygon, list[np.ndarray]]]
    furniture: list[np.ndarray]
    labels: list[tuple[float, float, str]]
    wall_lines: list[tuple[LineString, float]]


@dataclass
class Sample:
    """One synthetic page and its truth.

    ``image``: uint8 (H, W), 0 = ink. ``labels``: uint8 (H, W) class ids.
    ``boxes``: ``{"class", "x0", "y0", "x1", "y1"}`` in pixels. ``walls_m``: the wall
    footprint in plan metres; ``plan_to_px``: 2x3 affine taking plan metres to pixels.
    """

    image: np.ndarray
    labels: np.ndarray
    boxes: list[dict]
    walls_m: BaseGeometry
    plan_to_px: np.ndarray
    dpi: float
    scale: float
    skew_deg: float
    meta: dict = field(default_factory=dict)

    @property
    def metres_per_pixel(self) -> float:
        return self.scale * 0.0254 / self.dpi

    def walls_in_pixels(self) -> BaseGeometry:
        (a, b, c), (d, e, f) = self.plan_to_px
        return affinity.affine_transform(self.walls_m, (a, b, d, e, c, f))

    def walls_as_converted(self, metres_per_pixel: float, straightened_deg: float = 0.0) -> BaseGeometry:
        """The true walls where the scanned-page converter puts what it finds: the
        page's pixels turned by ``-straightened_deg`` about the page centre (its
        deskew), then ``metres_per_pixel`` with y up. With the converter's own scale,
        an unknown or wrong scale does not count against what it found."""
        h, w = self.image.shape
        px = affinity.rotate(self.walls_in_pixels(), -straightened_deg, origin=(w / 2, h / 2))
        k = metres_per_pixel
        return affinity.affine_transform(px, (k, 0, 0, -k, 0, h * k))


# -- the building ------------------------------------------------------------------


def _outline(rng: np.random.Generator, w: float, h: float) -> Polygon:
    poly = box(0, 0, w, h)
    r = rng.random()
    corner = int(rng.integers(4))
    if r < 0.3:  # L-shape
        cw, ch = rng.uniform(0.25, 0.5) * w, rng.uniform(0.25, 0.5) * h
        cx = 0 if corner in (0, 3) else w - cw
        cy = 0 if corner in (0, 1) else h - ch
        poly = poly.difference(box(cx, cy, cx + cw, cy + ch))
    elif r < 0.45:  # chamfered corner: a diagonal wall
        c = rng.uniform(0.15, 0.35) * min(w, h)
        x, y = (0 if corner in (0, 3) else w), (0 if corner in (0, 1) else h)
        sx, sy = (1 if x == 0 else -1), (1 if y == 0 else -1)
        poly = poly.difference(Polygon([(x, y), (x + sx * c, y), (x, y + sy * c)]))
    return orient(poly, 1.0)


def _split(rng, region, min_room: float, lines: list, depth: int = 0) -> None:
    x0, y0, x1, y1 = region
    w, h = x1 - x0, y1 - y0
    if max(w, h) < 2 * min_room or (depth > 1 and rng.random() < 0.2):
        return
    vertical = w > h if abs(w - h) > 1.0 else rng.random() < 0.5
    if vertical and w >= 2 * min_room:
        s = rng.uniform(x0 + min_room, x1 - min_room)
        lines.append(LineString([(s, y0), (s, y1)]))
        _split(rng, (x0, y0, s, y1), min_room, lines, depth + 1)
        _split(rng, (s, y0, x1, y1), min_room, lines, depth + 1)
    elif h >= 2 * min_room:
        s = rng.uniform(y0 + min_room, y1 - min_room)
        lines.append(LineString([(x0, s), (x1, s)]))
        _split(rng, (x0, y0, x1, s), min_room, lines, depth + 1)
        _split(rng, (x0, s, x1, y1), min_room, lines, depth + 1)


def _rect(c, u, n, w: float, a: float, b: float) -> Polygon:
    """A rectangle ``w`` long along ``u`` centred on ``c``, from ``a`` to ``b`` along ``n``."""
    return Polygon([c - u * w / 2 + n * a, c + u * w / 2 + n * a, c + u * w / 2 + n * b, c - u * w / 2 + n * b])


def _arc(centre, d0, d1, radius: float, steps: int = 16) -> np.ndarray:
    theta = np.linspace(0, math.pi / 2, steps)[:, None]
    return centre + radius * (np.cos(theta) * d0 + np.sin(theta) * d1)


def _door(rng, c, u, n, w: float, a: float, b: float, swing_side: float) -> Opening:
    gap = _rect(c, u, n, w, a - 0.02, b + 0.02)
    face = c + n * (b if swing_side > 0 else a)
    leaves = [(w, float(rng.choice((-1.0, 1.0))))] if rng.random() < 0.85 or w < 1.4 else [(w / 2, -1.0), (w / 2, 1.0)]
    lines, sectors = [], []
    for leaf, hinge_side in leaves:
        hinge = face + u * hinge_side * w / 2
        d0, d1 = n * swing_side, -u * hinge_side
        arc = _arc(hinge, d0, d1, leaf)
        lines.append(np.array([hinge, hinge + d0 * leaf]))
        if rng.random() < 0.9:
            lines.append(arc)
        sectors.append(Polygon(np.vstack([hinge[None], arc])))
    return Opening("door", gap, lines, shapely.union_all([gap, *sectors]))


def _window(rng, c, u, n, w: float, a: float, b: float) -> Opening:
    gap = _rect(c, u, n, w, a - 0.02, b + 0.02)
    body = _rect(c, u, n, w, a, b)
    lines = [np.asarray(body.exterior.coords)]
    for f in (0.5,) if rng.random() < 0.5 else (0.35, 0.65):
        off = a + (b - a) * f
        lines.append(np.array([c - u * w / 2 + n * off, c + u * w / 2 + n * off]))
    if rng.random() < 0.3:  # a sill drawn outside
        lines.append(np.array([c - u * (w / 2 + 0.05) + n * (a - 0.06), c + u * (w / 2 + 0.05) + n * (a - 0.06)]))
    return Opening("window", gap, lines, body)


def _free(probe: BaseGeometry, taken: list[BaseGeometry]) -> bool:
    return not any(probe.intersects(t) for t in taken)


def make_plan(rng: np.random.Generator, max_w: float, max_h: float) -> Plan:
    """A random building no larger than ``max_w`` x ``max_h`` metres."""
    w = rng.uniform(max(5.0, 0.45 * max_w), max_w)
    h = rng.uniform(max(4.0, 0.45 * max_h), max_h)
    outline = _outline(rng, w, h)
    t_ext = rng.uniform(0.15, 0.45)
    t_int = rng.uniform(0.07, min(0.25, t_ext))
    inner = outline.buffer(-t_ext, join_style="mitre")
    exterior = outline.difference(inner)

    split_lines: list[LineString] = []
    _split(rng, (0, 0, w, h), rng.uniform(2.5, 5.0), split_lines)
    interior = []
    for line in split_lines:
        for part in shapely.get_parts(line.intersection(inner)):
            if isinstance(part, LineString) and part.length > 0.8:
                interior.append(part)
    bodies = [ln.buffer(t_int / 2, cap_style="flat") for ln in interior]
    walls_full = shapely.union_all([exterior, *bodies]).intersection(outline)
    rooms = [p for p in shapely.get_parts(shapely.polygonize(shapely.get_parts(inner.boundary.union(
        shapely.union_all(interior) if interior else Polygon()))))]  # fmt: skip
    rooms = [r for r in rooms if r.area > 1.0 and inner.contains(r.representative_point())]

    openings: list[Opening] = []
    taken: list[BaseGeometry] = []

    # doors in interior walls
    for i, line in enumerate(interior):
        if rng.random() > 0.8 or line.length < 1.8:
            continue
        others = shapely.union_all([exterior, *(b for j, b in enumerate(bodies) if j != i)])
        width = rng.uniform(0.75, min(1.0, line.length - 0.8)) if rng.random() < 0.85 else rng.uniform(1.4, 1.8)
        if width > line.length - 0.8:
            continue
        (x0, y0), (x1, y1) = line.coords[0], line.coords[-1]
        u = np.array([x1 - x0, y1 - y0]) / line.length
        n = np.array([-u[1], u[0]])
        for _ in range(6):
            s = rng.uniform(width / 2 + 0.3, line.length - width / 2 - 0.3)
            c = np.array([x0, y0]) + u * s
            door = _door(rng, c, u, n, width, -t_int / 2, t_int / 2, float(rng.choice((-1.0, 1.0))))
            if _free(door.gap.buffer(0.1), [others]) and _free(door.region, taken):
                openings.append(door)
                taken.append(door.region.buffer(0.05))
                break

    # doors and windows in exterior walls (the outline runs CCW: inside is on the left)
    ring = np.asarray(outline.exterior.coords)
    inner_walls = shapely.union_all(bodies) if bodies else Polygon()
    n_doors = int(rng.integers(1, 3))
    edges = list(range(len(ring) - 1))
    for k in rng.permutation(edges):
        p, q = ring[k], ring[k + 1]
        length = float(np.hypot(*(q - p)))
        if length < 2.0:
            continue
        u = (q - p) / length
        n = np.array([-u[1], u[0]])
        pos = t_ext + 0.4
        while pos < length - t_ext - 1.2:
            is_door = n_doors > 0 and rng.random() < 0.3
            width = rng.uniform(0.9, 1.8) if is_door else rng.uniform(0.8, 2.6)
            if pos + width > length - t_ext - 0.4:
                break
            c = p + u * (pos + width / 2)
            if is_door:
                item = _door(rng, c, u, n, width, 0.0, t_ext, 1.0)
            else:
                item = _window(rng, c, u, n, width, 0.0, t_ext)
            if _free(item.gap.buffer(0.15), [inner_walls, *taken]) and _free(item.region, taken):
                openings.append(item)
                taken.append(item.region.buffer(0.05))
                n_doors -= item.kind == "door"
            pos += width + rng.uniform(0.6, 4.0)

    walls = walls_full.difference(shapely.union_all([o.gap for o in openings])) if openings else walls_full
    walls = walls.intersection(walls_full)

    stairs = []
    for room in rng.permutation(np.arange(len(rooms))):
        if len(stairs) >= (1 if rng.random() < 0.7 else 2) or rng.random() < 0.35:
            break
        inset = rooms[room].buffer(-0.05 - t_int / 2)
        sw, sl = rng.uniform(0.9, 1.6), rng.uniform(2.2, 4.5)
        if rng.random() < 0.5:
            sw, sl = sl, sw
        bx0, by0, bx1, by1 = inset.bounds
        if bx1 - bx0 < sw or by1 - by0 < sl:
            continue
        for _ in range(8):
            x, y = rng.uniform(bx0, bx1 - sw), rng.uniform(by0, by1 - sl)
            rect = box(x, y, x + sw, y + sl)
            if inset.contains(rect) and _free(rect.buffer(0.1), taken):
                stairs.append((rect, _stair_lines(rng, rect)))
                taken.append(rect.buffer(0.1))
                break

    furniture, labels = [], []
    for room in rooms:
        _furnish(rng, room.buffer(-0.1 - t_int / 2), furniture, taken)
        pt = room.representative_point()
        labels.append((pt.x, pt.y, _label(rng, room)))
    wall_lines = [(ln, t_int) for ln in interior]
    return Plan(outline, walls, rooms, openings, stairs, furniture, labels, wall_lines)


def _stair_lines(rng, rect: Polygon) -> list[np.ndarray]:
    x0, y0, x1, y1 = rect.bounds
    along_y = (y1 - y0) >= (x1 - x0)
    tread = rng.uniform(0.25, 0.32)
    lines = [np.asarray(rect.exterior.coords)]
    if along_y:
        lines += [np.array([[x0, y], [x1, y]]) for y in np.arange(y0 + tread, y1 - 1e-6, tread)]
        xm = (x0 + x1) / 2
        arrow = np.array([[xm, y0 + 0.2], [xm, y1 - 0.2]])
        head = np.array([[xm - 0.15, y1 - 0.45], [xm, y1 - 0.2], [xm + 0.15, y1 - 0.45]])
    else:
        lines += [np.array([[x, y0], [x, y1]]) for x in np.arange(x0 + tread, x1 - 1e-6, tread)]
        ym = (y0 + y1) / 2
        arrow = np.array([[x0 + 0.2, ym], [x1 - 0.2, ym]])
        head = np.array([[x1 - 0.45, ym - 0.15], [x1 - 0.2, ym], [x1 - 0.45, ym + 0.15]])
    if rng.random() < 0.7:
        lines += [arrow, head]
    return lines


def _furnish(rng, inset: BaseGeometry, out: list[np.ndarray], taken: list[BaseGeometry]) -> None:
    if inset.is_empty or inset.area < 2.0:
        return
    x0, y0, x1, y1 = inset.bounds
    for _ in range(int(rng.integers(0, 7))):
        kind = rng.random()
        cx, cy = rng.uniform(x0, x1), rng.uniform(y0, y1)
        if kind < 0.35:  # table with chairs
            tw, th = rng.uniform(0.6, 2.2), rng.uniform(0.6, 1.2)
            shapes = [box(cx - tw / 2, cy - th / 2, cx + tw / 2, cy + th / 2)]
            for sx in np.arange(cx - tw / 2 + 0.3, cx + tw / 2 - 0.2, 0.6):
                shapes += [box(sx - 0.2, cy + th / 2 + 0.1, sx + 0.2, cy + th / 2 + 0.5)]
                shapes += [box(sx - 0.2, cy - th / 2 - 0.5, sx + 0.2, cy - th / 2 - 0.1)]
        elif kind < 0.5:  # round table
            r = rng.uniform(0.4, 0.9)
            shapes = [shapely.Point(cx, cy).buffer(r, quad_segs=8)]
            shapes += [shapely.Point(cx + (r + 0.3) * math.cos(a), cy + (r + 0.3) * math.sin(a)).buffer(0.2, 4)
                       for a in np.linspace(0, 2 * math.pi, int(rng.integers(3, 8)), endpoint=False)]  # fmt: skip
        elif kind < 0.65:  # bed / sofa
            bw, bh = rng.uniform(0.9, 1.8), rng.uniform(1.9, 2.1)
            shapes = [box(cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2),
                      box(cx - bw / 2 + 0.1, cy + bh / 2 - 0.5, cx + bw / 2 - 0.1, cy + bh / 2 - 0.1)]  # fmt: skip
        elif kind < 0.8:  # counter / shelving: long thin boxes (look like thin walls)
            lw, lh = (rng.uniform(1.5, 5.0), rng.uniform(0.3, 0.7))
            if rng.random() < 0.5:
                lw, lh = lh, lw
            shapes = [box(cx - lw / 2, cy - lh / 2, cx + lw / 2, cy + lh / 2)]
        elif kind < 0.9:  # wc / basin
            shapes = [affinity.scale(shapely.Point(cx, cy).buffer(0.25, 8), 0.75, 1.0),
                      box(cx - 0.25, cy + 0.2, cx + 0.25, cy + 0.4)]  # fmt: skip
        else:  # column-free plant or display stand: circle with cross
            r = rng.uniform(0.2, 0.5)
            shapes = [shapely.Point(cx, cy).buffer(r, 8)]
            out.append(np.array([[cx - r, cy], [cx + r, cy]]))
        group = shapely.union_all(shapes)
        if not inset.contains(group) or not _free(group, taken):
            continue
        taken.append(group.buffer(0.1))
        out.extend(np.asarray(s.exterior.coords) for s in shapes)


def _label(rng, room: Polygon) -> str:
    name = str(rng.choice(WORDS))
    if rng.random() < 0.5:
        name += f" {int(rng.integers(1, 40))}"
    if rng.random() < 0.4:
        name += f"\n{room.area:.1f} m2"
    return name


# -- drawing ------------------------------------------------------------------------


@dataclass
class Style:
    wall: str  # solid | hollow | hatch | grey
    wall_width: float  # outline stroke, points
    thin: float  # other linework, points
    grey: float
    hatch_mm: float
    text_pt: float
    dims: bool
    grid: bool
    title: bool
    frame: bool


def random_style(rng) -> Style:
    return Style(
        wall=str(rng.choice(("solid", "solid", "hollow", "hatch", "grey"))),
        wall_width=float(rng.uniform(0.3, 1.4)),
        thin=float(rng.uniform(0.15, 0.6)),
        grey=float(rng.uniform(0.35, 0.75)),
        hatch_mm=float(rng.uniform(0.6, 1.6)),
        text_pt=float(rng.uniform(5, 11)),
        dims=rng.random() < 0.6,
        grid=rng.random() < 0.3,
        title=rng.random() < 0.6,
        frame=rng.random() < 0.6,
    )


class _Pen:
    """Plan metres -> page points (y down) on a PyMuPDF shape."""

    def __init__(self, page: pymupdf.Page, k: float, ox: float, oy: float):
        self.shape = page.new_shape()
        self.k, self.ox, self.oy = k, ox, oy

    def pts(self, coords) -> list[pymupdf.Point]:
        a = np.asarray(coords, dtype=float)
        return [pymupdf.Point(self.ox + x * self.k, self.oy - y * self.k) for x, y in a[:, :2]]

    def poly(self, geom: BaseGeometry, **finish) -> None:
        polys = [g for g in shapely.get_parts(geom) if isinstance(g, Polygon) and not g.is_empty]
        if not polys:
            return
        for p in polys:
            for ring in (p.exterior, *p.interiors):
                self.shape.draw_polyline(self.pts(ring.coords))
        self.shape.finish(even_odd=True, closePath=False, **finish)

    def lines(self, items, **finish) -> None:
        items = [np.asarray(it) for it in items if len(it) >= 2]
        if not items:
            return
        for it in items:
            self.shape.draw_polyline(self.pts(it))
        self.shape.finish(closePath=False, **finish)

    def text(self, x: float, y: float, s: str, size: float, rotate: int = 0) -> None:
        lines = s.split("\n")
        width = max(pymupdf.get_text_length(t, fontsize=size) for t in lines)
        p = self.pts([(x, y)])[0]
        if rotate:
            self.shape.insert_text(pymupdf.Point(p.x, p.y + width / 2), s, fontsize=size, rotate=90)
        else:
            self.shape.insert_text(pymupdf.Point(p.x - width / 2, p.y + size / 3), s, fontsize=size)


def _hatch(geom: BaseGeometry, spacing: float) -> list[np.ndarray]:
    x0, y0, x1, y1 = geom.bounds
    span = (x1 - x0) + (y1 - y0)
    offsets = np.arange(-span, span, spacing)
    lines = MultiLineString([[(x0 + o, y0), (x0 + o + span, y0 + span)] for o in offsets])
    cut = lines.intersection(geom)
    return [np.asarray(g.coords) for g in shapely.get_parts(cut) if isinstance(g, LineString) and g.length > 0]


def draw_plan(page: pymupdf.Page, plan: Plan, style: Style, pen: _Pen, rng) -> None:
    """The plan as a draftsman draws it (what the scanner sees)."""
    black = (0.0,)
    thin = {"width": style.thin, "color": black}
    if style.wall == "solid":
        pen.poly(plan.walls, width=style.wall_width * 0.3, color=black, fill=black)
    elif style.wall == "grey":
        pen.poly(plan.walls, width=style.wall_width, color=black, fill=(style.grey,))
    else:
        pen.poly(plan.walls, width=style.wall_width, color=black)
        if style.wall == "hatch":
            pen.lines(_hatch(plan.walls, style.hatch_mm / pen.k * MM), **thin)
    for o in plan.openings:
        pen.lines(o.lines, **thin)
    for _, lines in plan.stairs:
        pen.lines(lines, **thin)
    pen.lines(plan.furniture, width=style.thin * 0.8, color=(float(rng.uniform(0, 0.4)),))
    for x, y, s in plan.labels:
        pen.text(x, y, s, style.text_pt)
    x0, y0, x1, y1 = plan.outline.bounds
    if style.dims:
        _dimensions(pen, plan, style, rng)
    if style.grid:
        xs = sorted({round(float(x), 2) for x in rng.uniform(x0, x1, int(rng.integers(2, 6)))})
        r = 4 * MM / pen.k / MM * 1.2
        for i, x in enumerate(xs):
            pen.lines([np.array([[x, y0 - 1.5], [x, y1 + 1.5]])], width=style.thin * 0.6, color=black,
                      dashes="[6 2 1 2] 0")  # fmt: skip
            pen.poly(shapely.Point(x, y1 + 1.5 + r).buffer(r, 8), width=style.thin, color=black)
            pen.text(x, y1 + 1.5 + r, chr(65 + i), style.text_pt)


def _dimensions(pen: _Pen, plan: Plan, style: Style, rng) -> None:
    x0, y0, x1, y1 = plan.outline.bounds
    off = rng.uniform(0.8, 2.0)
    ticks_x = sorted(
        {x0, x1, *(float(ln.coords[0][0]) for ln, _ in plan.wall_lines if ln.coords[0][0] == ln.coords[-1][0])}
    )
    ticks_y = sorted(
        {y0, y1, *(float(ln.coords[0][1]) for ln, _ in plan.wall_lines if ln.coords[0][1] == ln.coords[-1][1])}
    )
    t = 0.15
    items = [np.array([[x0, y0 - off], [x1, y0 - off]]), np.array([[x0 - off, y0], [x0 - off, y1]])]
    for x in ticks_x:
        items.append(np.array([[x - t, y0 - off - t], [x + t, y0 - off + t]]))
    for y in ticks_y:
        items.append(np.array([[x0 - off - t, y - t], [x0 - off + t, y + t]]))
    pen.lines(items, width=style.thin * 0.7, color=(0.0,))
    size = style.text_pt * 0.8
    for a, b in zip(ticks_x, ticks_x[1:], strict=False):
        if b - a > 0.8:
            pen.text((a + b) / 2, y0 - off + 0.25, f"{(b - a) * 1000:.0f}", size)
    for a, b in zip(ticks_y, ticks_y[1:], strict=False):
        if b - a > 0.8:
            pen.text(x0 - off - 0.25, (a + b) / 2, f"{(b - a) * 1000:.0f}", size, rotate=90)


def _title(page: pymupdf.Page, scale: float, style: Style, rng) -> None:
    shape = page.new_shape()
    pw, ph = page.rect.width, page.rect.height
    m = 8 * MM
    if style.frame:
        shape.draw_rect(pymupdf.Rect(m, m, pw - m, ph - m))
        shape.finish(width=style.wall_width, color=(0,))
    if style.title:
        w, h = 70 * MM, 24 * MM
        r = pymupdf.Rect(pw - m - w, ph - m - h, pw - m, ph - m)
        shape.draw_rect(r)
        shape.draw_line(pymupdf.Point(r.x0, r.y0 + h / 2), pymupdf.Point(r.x1, r.y0 + h / 2))
        shape.finish(width=style.thin, color=(0,))
        shape.insert_text(pymupdf.Point(r.x0 + 4, r.y0 + h / 2 - 4), f"FLOOR PLAN  LEVEL {int(rng.integers(0, 5))}",
                          fontsize=8)  # fmt: skip
        shape.insert_text(pymupdf.Point(r.x0 + 4, r.y1 - 4), f"SCALE 1:{scale:g}   DWG {int(rng.integers(100, 999))}",
                          fontsize=7)  # fmt: skip
    shape.commit()


def _truth(plan: Plan, pen_args, size, matrix) -> tuple[np.ndarray, list[dict]]:
    """The label map, rendered without anti-aliasing from the same geometry."""
    doc = pymupdf.open()
    page = doc.new_page(width=size[0], height=size[1])
    # MuPDF without anti-aliasing fills pixel i when floor(edge) <= i: shift the
    # drawing half a device pixel so pixels are filled when their centre is inside
    k, ox, oy = pen_args
    inverse = ~matrix
    shift = pymupdf.Point(0.5, 0.5) * inverse - pymupdf.Point(0, 0) * inverse
    pen = _Pen(page, k, ox + shift.x, oy + shift.y)
    regions = {
        "wall": [plan.walls],
        "stair": [r for r, _ in plan.stairs],
        "window": [o.region for o in plan.openings if o.kind == "window"],
        "door": [o.region for o in plan.openings if o.kind == "door"],
    }
    for name, geoms in regions.items():
        level = (255 - 50 * CLASSES.index(name)) / 255
        for g in geoms:
            pen.poly(g, width=0, color=None, fill=(level,))
    pen.shape.commit()
    aa = pymupdf.TOOLS.show_aa_level()
    pymupdf.TOOLS.set_aa_level(0)
    try:
        pix = page.get_pixmap(matrix=matrix, colorspace=pymupdf.csGRAY, alpha=False)
    finally:
        pymupdf.TOOLS.set_graphics_min_line_width(aa["graphics_min_line_width"])
        pymupdf.TOOLS.set_aa_level(aa["graphics"])
    grey = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.stride)[:, : pix.width]
    labels = np.clip(np.rint((255 - grey.astype(np.float32)) / 50), 0, len(CLASSES) - 1).astype(np.uint8)
    boxes = []
    exact = _Pen(page, k, ox, oy)
    for name in ("door", "window", "stair"):
        for g in regions[name]:
            pts = np.array([(p * matrix) for p in exact.pts(np.asarray(g.envelope.exterior.coords))])
            pts = pts - (pix.x, pix.y)
            x0, y0 = np.clip(pts.min(axis=0), 0, None)
            x1, y1 = np.minimum(pts.max(axis=0), (pix.width, pix.height))
            boxes.append({"class": name, "x0": float(x0), "y0": float(y0), "x1": float(x1), "y1": float(y1)})
    return labels, boxes


def make_sample(
    seed: int,
    *,
    dpi: float = 150.0,
    page: str | None = None,
    scale: float | None = None,
    skew: bool = True,
    degrade: bool = True,
) -> Sample:
    """One synthetic scanned page (see the module docstring). ``page`` ("A4".."A1"),
    ``scale`` (the plan's 1:N) are random when None."""
    rng = np.random.default_rng(seed)
    page = page or str(rng.choice(("A4", "A3", "A3")))
    pw_mm, ph_mm = PAGES[page]
    if rng.random() < 0.75:
        pw_mm, ph_mm = ph_mm, pw_mm  # landscape
    scale = float(scale or rng.choice(SCALES))
    margin = 22.0 + (40.0 if rng.random() < 0.6 else 0.0)  # room for dimensions and a title block
    max_w = min(80.0, (pw_mm - 2 * margin) / 1000 * scale)
    max_h = min(60.0, (ph_mm - 2 * margin) / 1000 * scale)
    if max_w < 5 or max_h < 4:  # the scale is too large for the sheet: shrink the margin
        max_w, max_h = max(5.0, (pw_mm - 30) / 1000 * scale), max(4.0, (ph_mm - 30) / 1000 * scale)
    plan = make_plan(rng, max_w, max_h)
    style = random_style(rng)

    width_pt, height_pt = pw_mm * MM, ph_mm * MM
    k = 1000 / scale * MM  # points per plan metre
    x0, y0, x1, y1 = plan.outline.bounds
    slack_x = width_pt - (x1 - x0) * k
    slack_y = height_pt - (y1 - y0) * k
    ox = rng.uniform(0.35, 0.65) * slack_x - x0 * k
    oy = height_pt - rng.uniform(0.35, 0.65) * slack_y + y0 * k
    skew_deg = float(rng.normal(0, 0.7)) if skew and rng.random() < 0.7 else 0.0
    matrix = pymupdf.Matrix(dpi / 72, dpi / 72).prerotate(skew_deg)

    doc = pymupdf.open()
    pdf_page = doc.new_page(width=width_pt, height=height_pt)
    pen = _Pen(pdf_page, k, ox, oy)
    draw_plan(pdf_page, plan, style, pen, rng)
    pen.shape.commit()
    _title(pdf_page, scale, style, rng)
    pix = pdf_page.get_pixmap(matrix=matrix, colorspace=pymupdf.csGRAY, alpha=False)
    image = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.stride)[:, : pix.width].copy()
    labels, boxes = _truth(plan, (k, ox, oy), (width_pt, height_pt), matrix)
    if degrade:
        image = scan.degrade(image, rng)

    # plan metres -> pixels: page points (x = ox + kx, y = oy - ky), then the render matrix
    m = np.array([[matrix.a, matrix.c, matrix.e - pix.x], [matrix.b, matrix.d, matrix.f - pix.y]])
    to_page = np.array([[k, 0, ox], [0, -k, oy], [0, 0, 1]])
    plan_to_px = m @ to_page
    return Sample(
        image=image,
        labels=labels,
        boxes=boxes,
        walls_m=plan.walls,
        plan_to_px=plan_to_px,
        dpi=dpi,
        scale=scale,
        skew_deg=skew_deg,
        meta={"seed": seed, "page": page, "style": style.wall, "rooms": len(plan.rooms)},
    )


def _main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description="write a synthetic scanned plan and its labels as PNG")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="synth")
    parser.add_argument("--pdf", action="store_true", help="also write the scanned PDF")
    args = parser.parse_args()
    sample = make_sample(args.seed)
    scan.save_png(sample.image, f"{args.out}.png")
    scan.save_png((255 - sample.labels.astype(np.int32) * 50).astype(np.uint8), f"{args.out}-labels.png")
    if args.pdf:
        with open(f"{args.out}.pdf", "wb") as fh:
            fh.write(scan.scanned_pdf(sample.image, sample.dpi))
    print(sample.meta, sample.image.shape, len(sample.boxes), "boxes")


if __name__ == "__main__":
    _main()
