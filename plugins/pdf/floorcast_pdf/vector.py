"""Vector pages: PyMuPDF's drawing paths -> a :class:`PagePlan` in plan metres.

What a CAD export draws, and what it becomes:

- dark filled regions (wall poché, solid hatches) -> solid walls;
- strokes at least :data:`THICK_STROKE_M` wide in the building -> walls that thick;
- outlines in a heavier pen than most of the sheet -> wall linework, made solid by
  the rules every format shares (closed thin outlines filled, parallel lines paired,
  single lines given the default thickness);
- thin quarter-circle arcs (door swings) -> doors, their sector as a floor marker;
- hatches (runs of thin parallel lines) and light fills -> floors;
- text -> labels that name the rooms the walls enclose.

When the PDF keeps its CAD layers as optional content groups and one of them is
named like a wall layer, the layer names decide instead, as for a DXF.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry import LinearRing, LineString, Polygon

from core.plugin_api import FIXTURES, classify_layer, fill_outlines, walls_from_linework
from floorcast_pdf.plan import Label, PagePlan
from floorcast_pdf.scale import is_dimension_text, is_scale_text

#: a stroke at least this wide in the building (metres) is a wall of that thickness
THICK_STROKE_M = 0.07
#: a pen this much heavier than the sheet's most used pen draws walls
WALL_PEN_RATIO = 1.8
#: and at least this heavy on paper (points; 0.35 mm)
WALL_PEN_MIN_PT = 1.0
#: dark fills (luminance below) are walls, light ones (below PAPER) floors
DARK = 0.6
PAPER = 0.97
#: door swings: radius range (metres) and sweep (degrees)
DOOR_RADIUS_M = (0.45, 2.2)
DOOR_SWEEP_DEG = (75.0, 105.0)
#: a hatch is at least this many parallel strokes
HATCH_MIN_LINES = 6
#: the sheet border: a path spanning this share of the page
FRAME_SPAN = 0.85
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
    """Page points (y down) -> plan metres (y up) at the page's scale."""

    def __init__(self, height_pt: float, metres_per_point: float):
        self.height = height_pt
        self.k = metres_per_point

    def points(self, pts) -> np.ndarray:
        pts = np.asarray(pts, dtype=float).reshape(-1, 2)
        return np.column_stack([pts[:, 0] * self.k, (self.height - pts[:, 1]) * self.k])

    def point(self, x: float, y: float) -> tuple[float, float]:
        return x * self.k, (self.height - y) * self.k


def _bezier(p0, p1, p2, p3, n: int) -> np.ndarray:
    t = np.linspace(0.0, 1.0, n + 1)[:, None]
    a, b, c, d = (np.asarray(p, dtype=float) for p in (p0, p1, p2, p3))
    return (1 - t) ** 3 * a + 3 * (1 - t) ** 2 * t * b + 3 * (1 - t) * t**2 * c + t**3 * d


def _arc_of(p0, p1, p2, p3) -> tuple[np.ndarray, float, float] | None:
    """(centre, radius, sweep in degrees) when the Bézier is a circular arc."""
    p0, p1, p2, p3 = (np.asarray(p, dtype=float) for p in (p0, p1, p2, p3))
    t0, t1 = p1 - p0, p3 - p2
    if np.hypot(*t0) < 1e-9 or np.hypot(*t1) < 1e-9:
        return None
    n0, n1 = np.array([-t0[1], t0[0]]), np.array([-t1[1], t1[0]])
    det = n0[0] * -n1[1] - n0[1] * -n1[0]
    if abs(det) < 1e-12:
        return None
    rhs = p3 - p0
    s = (rhs[0] * -n1[1] - rhs[1] * -n1[0]) / det
    centre = p0 + s * n0
    r0, r3 = np.hypot(*(p0 - centre)), np.hypot(*(p3 - centre))
    if r0 < 1e-9 or abs(r0 - r3) > 0.03 * r0:
        return None
    v0, v3 = (p0 - centre) / r0, (p3 - centre) / r3
    sweep = np.degrees(np.arccos(np.clip(v0 @ v3, -1, 1)))
    # a circular arc's handles are (4/3) tan(sweep/4) r long
    handle = 4 / 3 * np.tan(np.radians(sweep) / 4) * r0
    mid = _bezier(p0, p1, p2, p3, 2)[1]
    if abs(np.hypot(*t0) - handle) > 0.1 * r0 or abs(np.hypot(*(mid - centre)) - r0) > 0.03 * r0:
        return None
    return centre, float(r0), float(sweep)


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
        lines: list[np.ndarray] = []
        for item in d.get("items", ()):
            op = item[0]
            if op == "l":
                p, q = (item[1].x, item[1].y), (item[2].x, item[2].y)
                chain.extend([p, q])
                lines.append(np.array([p, q]))
            elif op == "c":
                ctrl = [(pt.x, pt.y) for pt in item[1:5]]
                size = max(abs(ctrl[0][0] - ctrl[3][0]), abs(ctrl[0][1] - ctrl[3][1]), 1e-6) * frame.k
                n = int(np.clip(np.ceil(size / 0.05), 4, 24))
                pts = _bezier(*ctrl, n)
                chain.extend([tuple(p) for p in pts])
                arc = _arc_of(*ctrl)
                if arc is not None:
                    centre, radius, sweep = arc
                    _add_arc(arcs, frame.points(centre)[0], radius * frame.k, sweep, frame.points(pts))
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
                [frame.points(ln) for ln in lines],
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


# -- regions ------------------------------------------------------------------------


def _rings(path: Path) -> list[Polygon]:
    rings = []
    for sub, is_closed in zip(path.subpaths, path.closed, strict=True):
        if is_closed and len(sub) >= 3:
            poly = Polygon(sub)
            if poly.is_valid and poly.area > 1e-8:
                rings.append(poly)
            elif poly.area > 1e-8 or not poly.is_valid:
                rings.extend(p for p in shapely.get_parts(shapely.make_valid(poly)) if isinstance(p, Polygon))
    return rings


def filled_region(path: Path):
    """The area a fill paints: even-odd or non-zero winding over its subpaths."""
    rings = _rings(path)
    if not rings:
        return Polygon()
    if len(rings) == 1:
        return rings[0]
    edges = shapely.union_all([r.boundary for r in rings])
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(edges)))
    if not len(faces):
        return Polygon()
    probes = shapely.point_on_surface(faces)
    tree = shapely.STRtree(rings)
    face_i, ring_i = tree.query(probes, predicate="within")
    if path.even_odd:
        score = np.bincount(face_i, minlength=len(faces)) % 2
    else:
        sign = np.array([1 if LinearRing(r.exterior.coords).is_ccw else -1 for r in rings])
        score = np.zeros(len(faces), dtype=int)
        np.add.at(score, face_i, sign[ring_i])
    return shapely.union_all(faces[score != 0])


def _stroke_footprints(paths: list[Path]):
    """What thick strokes cover: each subpath buffered by half its pen, with the
    pen's caps (butt, round, square) and mitred joins; closed subpaths as rings."""
    groups: dict[tuple, list] = defaultdict(list)
    for p in paths:
        cap = {0: "flat", 1: "round", 2: "square"}.get(p.cap, "flat")
        for sub, is_closed in zip(p.subpaths, p.closed, strict=True):
            if is_closed and len(sub) >= 4:
                groups[(p.width_m, "ring")].append(LinearRing(sub))
            elif len(sub) >= 2:
                groups[(p.width_m, cap)].append(LineString(sub))
    parts = []
    for (width, cap), geoms in groups.items():
        arr = np.asarray(geoms, dtype=object)
        style = {"cap_style": "flat" if cap == "ring" else cap, "join_style": "mitre", "mitre_limit": 3}
        parts.extend(shapely.buffer(arr, width / 2, **style))
    return shapely.union_all(parts) if parts else Polygon()


# -- the page -----------------------------------------------------------------------


@dataclass
class Sorted:
    """Paths sorted into what they draw."""

    wall_fills: list = field(default_factory=list)
    wall_strokes: list = field(default_factory=list)  # thick: footprint is the stroke
    wall_lines: list = field(default_factory=list)  # linework for the shared wall rules
    wall_rings: list = field(default_factory=list)
    floors: list = field(default_factory=list)
    thin: list = field(default_factory=list)  # doors, hatches, furniture, text as paths
    by_layer: dict = field(default_factory=lambda: defaultdict(list))
    stats: dict = field(default_factory=lambda: defaultdict(int))


def _is_frame(path: Path, page_w: float, page_h: float) -> bool:
    x0, y0, x1, y1 = path.bbox
    return (x1 - x0) >= FRAME_SPAN * page_w or (y1 - y0) >= FRAME_SPAN * page_h


def _wall_pen(paths: list[Path], metres_per_point: float) -> float:
    """The lightest pen that draws walls (points): clearly heavier than the lightest
    pen the sheet uses a lot (hatches, furniture, text). A sheet drawn with one pen
    only has walls in it when that pen is as thick as a wall."""
    lengths: dict[float, float] = defaultdict(float)
    for p in paths:
        if p.stroke is not None and p.stroke < DARK + 0.2:
            for sub in p.subpaths:
                lengths[round(p.width_pt, 2)] += float(np.hypot(*np.diff(sub, axis=0).T).sum())
    total = sum(lengths.values())
    common = [w for w, length in lengths.items() if length >= 0.1 * total]
    if not common:
        return np.inf
    lightest = min(common)
    if len(common) == 1 and lightest * metres_per_point >= THICK_STROKE_M:
        return lightest
    return max(lightest * WALL_PEN_RATIO, WALL_PEN_MIN_PT)


def _inside(bbox: tuple, region: tuple) -> bool:
    return bbox[0] >= region[0] and bbox[1] >= region[1] and bbox[2] <= region[2] and bbox[3] <= region[3]


def sort_paths(
    paths: list[Path], frame: PageFrame, page_w: float, page_h: float, layer_mode: bool, exclude=()
) -> Sorted:
    out = Sorted()
    pen = _wall_pen(paths, frame.k)
    out.stats["wall_pen_pt"] = pen
    for p in paths:
        if any(_inside(p.bbox, region) for region in exclude):
            out.stats["excluded"] += 1
            continue
        if layer_mode and p.layer:
            category = classify_layer(p.layer)
            if category != "wall":
                out.by_layer[category].append(p)
                continue
        elif layer_mode:
            out.thin.append(p)
            continue
        if _is_frame(p, page_w, page_h):
            out.stats["frame"] += 1
            continue
        if p.fill is not None:
            if p.fill < DARK or (layer_mode and p.fill < PAPER):
                out.wall_fills.append(p)
            elif p.fill < PAPER:
                out.floors.append(p)
        if p.stroke is None or (p.stroke >= DARK + 0.2 and not layer_mode):
            continue
        if p.width_m >= THICK_STROKE_M and (layer_mode or p.width_pt >= pen):
            out.wall_strokes.append(p)
        elif layer_mode or p.width_pt >= pen:
            _add_linework(out, p)
        elif p.fill is None:
            out.thin.append(p)
    return out


def _add_linework(out: Sorted, p: Path) -> None:
    for sub, is_closed in zip(p.subpaths, p.closed, strict=True):
        if is_closed and len(sub) >= 4:
            out.wall_rings.append(Polygon(sub))
        elif len(sub) >= 2:
            out.wall_lines.append(LineString(sub))


def _by_pen(paths: list[Path]) -> list[list[Path]]:
    groups: dict[float, list[Path]] = defaultdict(list)
    for p in paths:
        groups[round(p.width_pt, 2)].append(p)
    return list(groups.values())


def _draws_outlines(group: list[Path], opts: dict) -> bool:
    """Whether thick strokes of one pen outline walls (closed thin outlines, parallel
    pairs a wall's thickness apart) rather than being the walls themselves."""
    probe = Sorted()
    for p in group:
        _add_linework(probe, p)
    rings = [r for r in probe.wall_rings if r.is_valid and r.area > 1e-6]
    solids, ring_lines = fill_outlines(rings, opts["max_wall_thickness"])
    lines = probe.wall_lines + ring_lines
    pieces = sum(len(ln.coords) - 1 for ln in lines)
    if not pieces:
        return bool(solids)
    _, stats = walls_from_linework(
        lines, default_thickness=opts["wall_thickness"], max_thickness=opts["max_wall_thickness"]
    )
    return stats.get("centre_lines", pieces) < 0.5 * pieces or (bool(solids) and not probe.wall_lines)


def _walls(s: Sorted, opts: dict, plan: PagePlan) -> None:
    solids = []
    for p in s.wall_fills:
        region = filled_region(p)
        if region.is_empty or region.area < 0.005:
            continue
        if len(p.subpaths) == 1 and len(p.subpaths[0]) <= 4 and region.area < 0.05:
            continue  # a triangle: an arrowhead of a dimension or a north sign
        solids.append(region)
    thick = []
    for group in _by_pen(s.wall_strokes):
        if _draws_outlines(group, opts):
            # a heavy pen at a small scale: the wall outlines, not walls this thick
            for p in group:
                _add_linework(s, p)
        else:
            thick.extend(group)
    strokes = [_stroke_footprints(thick)] if thick else []
    rings = [r for r in s.wall_rings if r.is_valid and r.area > 1e-6]
    outline_solids, outline_lines = fill_outlines(rings, opts["max_wall_thickness"])
    lines = s.wall_lines + outline_lines
    linework, stats = (
        walls_from_linework(lines, default_thickness=opts["wall_thickness"], max_thickness=opts["max_wall_thickness"])
        if lines
        else (Polygon(), {})
    )
    walls = shapely.union_all([*solids, *strokes, *outline_solids, linework])
    if not walls.is_empty:
        plan.walls.append(walls)
    plan.report["walls"] = {
        "filled": len(solids),
        "thick_strokes": len(thick),
        "outlines": len(outline_solids),
        **{k: v for k, v in stats.items() if v},
    }


def _doors(paths: list[Path], walls) -> tuple[list[Polygon], list[LineString]]:
    """Door swings: (the sectors they sweep, the lines across their openings). The
    opening runs from the hinge to whichever end of the swing lies on a wall."""
    doors, openings = [], []
    for p in paths:
        for arc in p.arcs:
            if not (
                DOOR_RADIUS_M[0] <= arc.radius <= DOOR_RADIUS_M[1]
                and DOOR_SWEEP_DEG[0] <= arc.sweep <= DOOR_SWEEP_DEG[1]
            ):
                continue
            sector = shapely.make_valid(Polygon([tuple(arc.centre), *map(tuple, arc.points)]))
            if sector.is_empty or sector.area < 0.05:
                continue
            doors.append(sector)
            ends = [arc.points[0], arc.points[-1]]
            if walls is not None and not walls.is_empty:
                ends.sort(key=lambda e: walls.distance(shapely.Point(e)))
            openings.append(LineString([tuple(arc.centre), tuple(ends[0])]))
    return doors, openings


def _hatches(paths: list[Path]) -> list[Polygon]:
    """Runs of thin parallel straight strokes, in drawing order, not joined end to
    end: a hatch pattern. Its region is the hull of the strokes."""
    runs: list[list[np.ndarray]] = []
    key = None
    for p in paths:
        if p.arcs or not p.lines or len(p.lines) != sum(len(s) - 1 for s in p.subpaths):
            key = None
            continue
        for seg in p.lines:
            d = seg[1] - seg[0]
            length = float(np.hypot(*d))
            if length < 1e-6:
                continue
            angle = round(float(np.degrees(np.arctan2(d[1], d[0]))) % 180, 0) % 180
            style = (round(p.width_pt, 2), p.stroke, angle)
            joined = runs and key == style and np.abs(runs[-1][-1][1] - seg[0]).sum() < 1e-6
            if key == style and not joined:
                runs[-1].append(seg)
            else:
                runs.append([seg])
                key = style
    hatches = []
    for run in runs:
        if len(run) < HATCH_MIN_LINES:
            continue
        pts = np.concatenate(run)
        hull = shapely.convex_hull(shapely.multipoints(pts))
        if isinstance(hull, Polygon) and hull.area > 1.0:
            hatches.append(hull)
    return hatches


def _texts(texts, frame: PageFrame) -> list[Label]:
    out = []
    for t in texts:
        if is_scale_text(t.text) or is_dimension_text(t.text):
            continue
        x, y = frame.point(*t.centre)
        out.append(Label(t.text, x, y, t.size * frame.k))
    return out


def _by_layer(s: Sorted, plan: PagePlan, walls) -> None:
    """Doors, windows, stairs, columns, rooms and floors from layers named so."""
    targets = {"door": plan.doors, "window": plan.windows, "stair": plan.stairs, "elevator": plan.stairs}
    targets |= {"column": plan.columns, "floor": plan.floors, "room": plan.rooms}
    for category, paths in s.by_layer.items():
        if category not in targets:
            continue
        width = FIXTURES.get(category, (0, 0, 0.05, True))[2] or 0.05
        for p in paths:
            region = filled_region(p) if p.fill is not None else Polygon()
            parts = [region] if not region.is_empty else []
            if category in ("room", "floor", "column"):
                parts += _rings(p)
            else:
                parts += [LineString(sub).buffer(width / 2, cap_style="flat") for sub in p.subpaths if len(sub) >= 2]
                if category == "door":
                    sectors, openings = _doors([p], walls)
                    parts += sectors
                    plan.openings.extend(openings)
            geom = shapely.union_all(parts) if parts else Polygon()
            targets[category].extend(g for g in shapely.get_parts(geom) if isinstance(g, Polygon) and g.area > 1e-4)


def extract(
    drawings: list[dict], texts, frame: PageFrame, page_size: tuple[float, float], opts: dict, exclude=()
) -> PagePlan:
    """A vector page's plan (plan metres, y up). Paths inside an ``exclude`` box
    (page points: the scale bar) are not part of the building."""
    plan = PagePlan()
    paths = read_paths(drawings, frame)
    layers = {p.layer for p in paths if p.layer}
    layer_mode = any(classify_layer(name) == "wall" for name in layers)
    s = sort_paths(paths, frame, page_size[0], page_size[1], layer_mode, exclude)
    _walls(s, opts, plan)
    if layer_mode:
        _by_layer(s, plan, plan.walls[0] if plan.walls else None)
    else:
        plan.doors, plan.openings = _doors(s.thin, plan.walls[0] if plan.walls else None)
    plan.floors.extend(_hatches(s.thin))
    plan.floors.extend(g for p in s.floors for g in shapely.get_parts(filled_region(p)) if g.area > 1.0)
    plan.labels = _texts(texts, frame)
    plan.report.update(
        {
            "paths": len(paths),
            "layers": {name: classify_layer(name) for name in sorted(layers)[:200]} if layers else {},
            "by_layers": layer_mode,
            "doors": len(plan.doors),
            "floors": len(plan.floors),
            "labels": len(plan.labels),
            "frame_paths": s.stats.get("frame", 0),
            "excluded_paths": s.stats.get("excluded", 0),
            "wall_pen_pt": round(float(s.stats["wall_pen_pt"]), 3) if np.isfinite(s.stats["wall_pen_pt"]) else None,
        }
    )
    return plan
