"""Reading a page's drawing paths: PyMuPDF's items in page points -> subpaths in
plan metres, Béziers flattened and circular arcs recognised (door swings)."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import numpy as np

_EPS = 1e-3  # points: subpath continuity


def luminance(color) -> float | None:
    if color is None or len(color) == 0:
        return None
    if len(color) == 1:
        return float(color[0])
    if len(color) == 4:  # CMYK
        c, m, y, k = color
        r, g, b = (1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k)
    else:
        r, g, b = color[:3]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@dataclass
class Arc:
    """A circular arc made of Bézier pieces (plan metres)."""

    centre: np.ndarray
    radius: float
    sweep: float  # degrees
    points: list = field(default_factory=list)


@dataclass
class Path:
    """One drawing path in plan metres: subpaths, style, and what it contains."""

    subpaths: list[np.ndarray]
    closed: list[bool]
    fill: float | None  # luminance, None = not filled
    stroke: float | None  # luminance, None = not stroked
    width_pt: float
    width_m: float
    even_odd: bool
    cap: int
    layer: str
    seqno: int
    arcs: list[Arc] = field(default_factory=list)
    lines: list[np.ndarray] = field(default_factory=list)  # straight pieces, for hatches
    bbox: tuple = (0.0, 0.0, 0.0, 0.0)  # page points


class PageFrame:
    """Page points (y down) -> plan metres (y up) at the page's scale.

    PyMuPDF gives drawings and text in the page's unrotated coordinates; a page
    with ``/Rotate`` passes its ``rotation_matrix`` so the model comes out the way
    the sheet is shown. ``height_pt`` is the height of the page as shown."""

    def __init__(self, height_pt: float, metres_per_point: float, rotation=None):
        self.height = height_pt
        self.k = metres_per_point
        self.m = tuple(rotation) if rotation is not None else None

    def points(self, pts) -> np.ndarray:
        pts = np.asarray(pts, dtype=float).reshape(-1, 2)
        x, y = pts[:, 0], pts[:, 1]
        if self.m is not None:
            a, b, c, d, e, f = self.m
            x, y = a * x + c * y + e, b * x + d * y + f
        return np.column_stack([x * self.k, (self.height - y) * self.k])

    def point(self, x: float, y: float) -> tuple[float, float]:
        if self.m is not None:
            a, b, c, d, e, f = self.m
            x, y = a * x + c * y + e, b * x + d * y + f
        return x * self.k, (self.height - y) * self.k


@functools.lru_cache(maxsize=32)
def _basis(n: int) -> np.ndarray:
    """Bernstein weights of a cubic at n + 1 evenly spaced parameters, (n + 1, 4)."""
    t = np.linspace(0.0, 1.0, n + 1)
    return np.column_stack([(1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t**2, t**3])


def _bezier(ctrl, n: int) -> np.ndarray:
    return _basis(n) @ np.asarray(ctrl, dtype=float)


def _arc_of(ctrl) -> tuple[tuple[float, float], float, float] | None:
    """(centre, radius, sweep in degrees) when the Bézier is a circular arc.

    The centre is where the normals at both ends meet; a circular arc's handles
    are (4/3) tan(sweep/4) r long and its midpoint lies on the circle. Plain floats:
    this runs for every curve on the page."""
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = ctrl
    ax, ay, bx, by = x1 - x0, y1 - y0, x3 - x2, y3 - y2
    la, lb = math.hypot(ax, ay), math.hypot(bx, by)
    if la < 1e-9 or lb < 1e-9:
        return None
    det = ay * bx - ax * by  # normals (-ay, ax) and (-by, bx)
    if abs(det) < 1e-12 * la * lb:
        return None
    s = -((x3 - x0) * bx + (y3 - y0) * by) / det
    cx, cy = x0 - s * ay, y0 + s * ax
    r0, r3 = math.hypot(x0 - cx, y0 - cy), math.hypot(x3 - cx, y3 - cy)
    if r0 < 1e-9 or abs(r0 - r3) > 0.03 * r0:
        return None
    cos = ((x0 - cx) * (x3 - cx) + (y0 - cy) * (y3 - cy)) / (r0 * r3)
    sweep = math.degrees(math.acos(max(-1.0, min(1.0, cos))))
    handle = 4 / 3 * math.tan(math.radians(sweep) / 4) * r0
    mx = 0.125 * x0 + 0.375 * x1 + 0.375 * x2 + 0.125 * x3
    my = 0.125 * y0 + 0.375 * y1 + 0.375 * y2 + 0.125 * y3
    if abs(la - handle) > 0.1 * r0 or abs(math.hypot(mx - cx, my - cy) - r0) > 0.03 * r0:
        return None
    return (cx, cy), r0, sweep


def _visible(opacity) -> bool:
    return opacity is None or opacity > 0


class _Chain:
    """Joins a path's items into subpaths: an item continues the current subpath
    when it starts where the last one ended."""

    def __init__(self) -> None:
        self.subpaths: list[np.ndarray] = []
        self.closed: list[bool] = []
        self.current: list = []

    def flush(self) -> None:
        if len(self.current) >= 2:
            self.subpaths.append(np.asarray(self.current, dtype=float))
            self.closed.append(False)
        self.current = []

    def extend(self, pts) -> None:
        cur = self.current
        if cur and abs(cur[-1][0] - pts[0][0]) + abs(cur[-1][1] - pts[0][1]) <= _EPS:
            cur.extend(pts[1:])
        else:
            self.flush()
            self.current = list(pts)

    def closed_shape(self, pts) -> None:
        self.flush()
        self.subpaths.append(np.asarray(pts + pts[:1], dtype=float))
        self.closed.append(True)

    def done(self) -> tuple[list[np.ndarray], list[bool]]:
        self.flush()
        return self.subpaths, self.closed


def read_paths(drawings: list[dict], frame: PageFrame) -> list[Path]:
    """The page's drawing paths in plan metres, Béziers flattened, arcs recognised."""
    out = []
    for d in drawings:
        kind = d.get("type") or ""
        fill = luminance(d.get("fill")) if "f" in kind and _visible(d.get("fill_opacity")) else None
        stroke = luminance(d.get("color")) if "s" in kind and _visible(d.get("stroke_opacity")) else None
        if fill is None and stroke is None:
            continue
        width = float(d.get("width") or 0.0)
        chain = _Chain()
        arcs: list[Arc] = []
        lines: list[tuple] = []
        for item in d.get("items", ()):
            op = item[0]
            if op == "l":
                p, q = (item[1].x, item[1].y), (item[2].x, item[2].y)
                chain.extend([p, q])
                lines.append((p, q))
            elif op == "c":
                ctrl = [(pt.x, pt.y) for pt in item[1:5]]
                size = max(abs(ctrl[0][0] - ctrl[3][0]), abs(ctrl[0][1] - ctrl[3][1]), 1e-6) * frame.k
                pts = _bezier(ctrl, min(24, max(4, math.ceil(size / 0.05))))
                chain.extend(pts.tolist())
                arc = _arc_of(ctrl)
                if arc is not None:
                    centre, radius, sweep = arc
                    _add_arc(arcs, np.array(frame.point(*centre)), radius * frame.k, sweep, frame.points(pts))
            elif op in ("re", "qu"):
                if op == "re":
                    r = item[1]
                    pts = [(r.x0, r.y0), (r.x1, r.y0), (r.x1, r.y1), (r.x0, r.y1)]
                else:
                    q = item[1]
                    pts = [(q.ul.x, q.ul.y), (q.ur.x, q.ur.y), (q.lr.x, q.lr.y), (q.ll.x, q.ll.y)]
                chain.closed_shape(pts)
        subpaths, closed = chain.done()
        for i, sub in enumerate(subpaths):
            if not closed[i] and len(sub) >= 3 and np.abs(sub[0] - sub[-1]).sum() <= _EPS:
                closed[i] = True
        if d.get("closePath") and subpaths:
            closed[-1] = True
        if fill is not None:
            closed = [True] * len(closed)  # a fill closes every subpath
        rect = d.get("rect")
        out.append(
            Path(
                [frame.points(s) for s in subpaths],
                closed,
                fill,
                stroke,
                width,
                width * frame.k,
                bool(d.get("even_odd")),
                int((d.get("lineCap") or (0,))[0] or 0),
                d.get("layer") or "",
                int(d.get("seqno") or 0),
                arcs,
                list(frame.points(lines).reshape(-1, 2, 2)) if lines else [],
                (rect.x0, rect.y0, rect.x1, rect.y1) if rect is not None else (0, 0, 0, 0),
            )
        )
    return out


def _add_arc(arcs: list[Arc], centre: np.ndarray, radius: float, sweep: float, pts: np.ndarray) -> None:
    """Join a Bézier piece to the previous arc when they share centre and radius."""
    if arcs:
        last = arcs[-1]
        if np.hypot(*(last.centre - centre)) < 0.02 * radius and abs(last.radius - radius) < 0.02 * radius:
            last.sweep += sweep
            last.points.extend(pts.tolist())
            return
    arcs.append(Arc(centre, radius, sweep, pts.tolist()))
