"""Random buildings for the synthetic plans, in plan metres (y up).

:func:`make_plan` draws an outline (a rectangle, an L, a chamfered corner), splits
it into rooms, and places walls of two thicknesses, doors with swing arcs and
windows in them, stairs, furniture and room labels; each opening carries the
lines a draftsman would draw and the region that is its truth.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely import affinity
from shapely.geometry import LineString, Polygon, box
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

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
    wall_lines: list[LineString]


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
    return Plan(outline, walls, rooms, openings, stairs, furniture, labels, list(interior))


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
