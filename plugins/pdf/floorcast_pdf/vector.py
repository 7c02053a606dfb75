"""Vector pages: PyMuPDF's drawing paths -> a :class:`PagePlan` in plan metres.

What a CAD export draws, and what it becomes:

- dark filled regions (wall poché, solid hatches) -> solid walls;
- strokes at least :data:`THICK_STROKE_M` wide in the building -> walls that thick;
- outlines in a heavier pen than most of the sheet -> wall linework, made solid by
  the rules every format shares (closed thin outlines filled, parallel lines paired,
  single lines given the default thickness);
- among the thin strokes (:mod:`floorcast_pdf.fixtures`): door swings -> doors,
  lines bridging wall gaps -> windows, hatches -> floors; light fills -> floors;
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
from floorcast_pdf.building import locate
from floorcast_pdf.clock import Laps
from floorcast_pdf.fixtures import doors_of, hatches_of, windows_of
from floorcast_pdf.paths import PageFrame, Path, read_paths
from floorcast_pdf.plan import Label, PagePlan
from floorcast_pdf.scale import is_dimension_text, is_scale_text

#: a stroke at least this wide in the building (metres) is a wall of that thickness
THICK_STROKE_M = 0.07
#: a pen this much heavier than the lightest pen the sheet uses a lot draws walls
WALL_PEN_RATIO = 1.8
#: and at least this heavy on paper (points; 0.35 mm)
WALL_PEN_MIN_PT = 1.0
#: dark fills (luminance below) are walls, light ones (below PAPER) floors
DARK = 0.6
PAPER = 0.97
#: the sheet border: a path spanning this share of the page, or a line that long
#: within this margin of an edge
FRAME_SPAN = 0.85
FRAME_MARGIN = 0.06


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
    """The sheet's border: a path around the page, or a line along one of its edges
    (a building filling the sheet is not one)."""
    x0, y0, x1, y1 = path.bbox
    wide, tall = (x1 - x0) >= FRAME_SPAN * page_w, (y1 - y0) >= FRAME_SPAN * page_h
    if wide and tall:
        return True
    mx, my = FRAME_MARGIN * page_w, FRAME_MARGIN * page_h
    if wide:
        return y1 <= my or y0 >= page_h - my
    if tall:
        return x1 <= mx or x0 >= page_w - mx
    return False


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
                    sectors, openings = doors_of([p], walls)
                    parts += sectors
                    plan.openings.extend(openings)
            geom = shapely.union_all(parts) if parts else Polygon()
            found = [g for g in shapely.get_parts(geom) if isinstance(g, Polygon) and g.area > 1e-4]
            targets[category].extend(found)
            if category == "window":
                plan.openings.extend(found)


def extract(
    drawings: list[dict], texts, frame: PageFrame, page_size: tuple[float, float], opts: dict, exclude=()
) -> PagePlan:
    """A vector page's plan (plan metres, y up). Paths inside an ``exclude`` box
    (page points: the scale bar) are not part of the building."""
    plan = PagePlan()
    laps = Laps()
    paths, clusters, dropped, warnings = locate(read_paths(drawings, frame), opts["cluster"])
    plan.warnings += warnings
    plan.report.update({"clusters": clusters, "dropped": dropped})
    laps.lap("read")
    layers = {p.layer for p in paths if p.layer}
    layer_mode = any(classify_layer(name) == "wall" for name in layers)
    s = sort_paths(paths, frame, page_size[0], page_size[1], layer_mode, exclude)
    laps.lap("sort")
    _walls(s, opts, plan)
    laps.lap("walls")
    if layer_mode:
        _by_layer(s, plan, plan.walls[0] if plan.walls else None)
    else:
        plan.doors, plan.openings = doors_of(s.thin, plan.walls[0] if plan.walls else None)
    laps.lap("doors")
    hatches, hatch_paths = hatches_of(s.thin)
    plan.floors.extend(hatches)
    if not layer_mode:
        rest = [p for p in s.thin if id(p) not in hatch_paths]
        plan.windows = windows_of(rest, plan.walls[0] if plan.walls else None, opts["max_wall_thickness"])
        plan.openings.extend(plan.windows)  # a window closes its room like a wall
    laps.lap("windows")
    plan.floors.extend(g for p in s.floors for g in shapely.get_parts(filled_region(p)) if g.area > 1.0)
    plan.labels = _texts(texts, frame)
    laps.lap("floors, labels")
    plan.report["seconds"] = laps.seconds
    plan.report.update(
        {
            "paths": len(paths),
            "layers": {name: classify_layer(name) for name in sorted(layers)[:200]} if layers else {},
            "by_layers": layer_mode,
            "doors": len(plan.doors),
            "windows": len(plan.windows),
            "floors": len(plan.floors),
            "labels": len(plan.labels),
            "frame_paths": s.stats.get("frame", 0) + sum(d["count"] for d in dropped if d["frame"]),
            "excluded_paths": s.stats.get("excluded", 0),
            "wall_pen_pt": round(float(s.stats["wall_pen_pt"]), 3) if np.isfinite(s.stats["wall_pen_pt"]) else None,
        }
    )
    return plan
