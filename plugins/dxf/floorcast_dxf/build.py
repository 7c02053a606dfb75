"""Plan data in metres -> scene nodes: walls, openings, fixtures, rooms, floor."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import shapely
from shapely.geometry import LineString, Polygon

from core.plugin_api import Mesh, Node, Progress, Scene
from floorcast_dxf.extract import Drawing2D, Shape

ROOM_SLAB = 0.02  # rooms are a 2 cm coloured carpet on the floor slab
FLOOR_SLAB = 0.10

# category -> (bottom, top or None for wall height, width of a single line,
#              fill faces enclosed by lines)
SOLIDS = {
    "door": (0.0, 0.03, 0.05, False),  # floor marker: the opening itself stays open
    "window": (0.9, 2.1, 0.05, False),
    "stair": (0.0, 0.05, 0.05, False),
    "elevator": (0.0, 0.05, 0.05, False),
    "column": (0.0, None, 0.05, True),
    "furniture": (0.0, 0.75, 0.0, True),
}

Item = tuple[Shape, np.ndarray]


def _polygon(pts: np.ndarray) -> list[Polygon]:
    if len(pts) < 3:
        return []
    return [p for p in _polys(shapely.make_valid(Polygon(pts))) if p.area > 1e-6]


def _polys(geom) -> list[Polygon]:
    return [g for g in shapely.get_parts(geom) if isinstance(g, Polygon)] if geom else []


def _is_thin(geoms, max_thickness: float) -> np.ndarray:
    return shapely.is_empty(shapely.buffer(np.asarray(geoms, dtype=object), -max_thickness / 2))


def even_odd(rings: list[Polygon], max_thickness: float) -> tuple[list[Polygon], list]:
    """Closed outlines on a wall layer, filled even-odd (a ring inside a ring is a
    hole). Thin regions are wall bodies; fat ones (a room outline drawn on the wall
    layer) give back their boundary as centre lines."""
    if not rings:
        return [], []
    edges = shapely.union_all([r.boundary for r in rings])
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(edges)))
    if not len(faces):
        return [], []
    inside = shapely.STRtree(rings).query(shapely.point_on_surface(faces), predicate="within")
    hits = np.bincount(inside[0], minlength=len(faces))
    filled = _polys(shapely.union_all(faces[hits % 2 == 1]))
    if not filled:
        return [], []
    thin = _is_thin(filled, max_thickness)
    solids = [p for p, t in zip(filled, thin, strict=True) if t]
    lines = [ln for p, t in zip(filled, thin, strict=True) if not t for ln in shapely.get_parts(p.boundary)]
    return solids, lines


def _walls(items: list[Item], opts: dict) -> tuple[object, dict]:
    rings = [p for s, pts in items if s.closed for p in _polygon(pts)]
    lines: list = [LineString(pts) for s, pts in items if not s.closed]
    solids, outline_lines = even_odd(rings, opts["max_wall_thickness"])
    footprint, stats = Mesh.wall_footprint(
        lines + outline_lines,
        default_thickness=opts["wall_thickness"],
        max_thickness=opts["max_wall_thickness"],
    )
    stats["filled_outlines"] = len(solids)
    return shapely.union_all([footprint, *solids]), stats


def _fixture(items: list[Item], line_width: float, fill_faces: bool):
    polys = [p for s, pts in items if s.closed for p in _polygon(pts)]
    lines = [LineString(pts) for s, pts in items if not s.closed]
    if fill_faces and lines:
        faces = shapely.polygonize(shapely.get_parts(shapely.union_all(lines)))
        polys += _polys(faces)
    if line_width and lines:
        polys += list(shapely.buffer(lines, line_width / 2, cap_style="flat"))
    return shapely.union_all(polys) if polys else Polygon()


def _rooms(scene: Scene, drawing: Drawing2D, room_items: list[Item], scale: float, walls, opts: dict) -> list:
    """Room slabs named by the text inside them; returns the room polygons."""
    candidates = [(s.layer, p) for s, pts in room_items if s.closed for p in _polygon(pts)]
    if not candidates and walls is not None and not walls.is_empty:
        # no room layer: the spaces the walls enclose
        rings = shapely.get_parts(
            shapely.polygonize(shapely.get_parts(shapely.union_all([g.boundary for g in _polys(walls)])))
        )
        fat = [f.difference(walls) for f, t in zip(rings, _is_thin(rings, 1.5), strict=True) if not t]
        candidates = [("", p) for f in fat for p in _polys(f) if p.area > 1.0]
    if not candidates:
        return []
    polys = [p for _, p in candidates]
    labels = [lb for lb in drawing.labels if lb.text]
    names: dict[int, list] = defaultdict(list)
    if labels:
        pts = shapely.points([(lb.x * scale, lb.y * scale) for lb in labels])
        li, ci = shapely.STRtree(polys).query(pts, predicate="within")
        areas = shapely.area(np.asarray(polys, dtype=object))
        best: dict[int, int] = {}
        for label_i, cand_i in zip(li.tolist(), ci.tolist(), strict=True):
            if label_i not in best or areas[cand_i] < areas[best[label_i]]:
                best[label_i] = cand_i
        for label_i, cand_i in best.items():
            names[cand_i].append(labels[label_i])
    labelled = []
    for i, (layer, poly) in enumerate(candidates):
        if i not in names:
            continue
        texts = sorted(names[i], key=lambda lb: (-round(lb.y * scale, 1), lb.x))
        label = " ".join(dict.fromkeys(lb.text for lb in texts))[:120]
        scene.add(
            Node(
                label,
                "room",
                layer or texts[0].layer,
                Mesh.extrude(poly, 0.0, ROOM_SLAB),
                properties={"area_m2": round(poly.area, 2)},
                label=label,
            )
        )
        labelled.append(poly)
    taken = shapely.union_all(labelled) if labelled else Polygon()
    rest = [(layer, p) for i, (layer, p) in enumerate(candidates) if i not in names and layer]
    for layer, poly in rest:  # unlabelled rooms on room layers, minus labelled overlaps
        free = poly.difference(taken) if labelled else poly
        if free.area > 0.5:
            scene.add(Node("rooms", "room", layer, Mesh.extrude(free, 0.0, ROOM_SLAB)))
    return polys


def build(
    scene: Scene, drawing: Drawing2D, categories: dict[str, str], scale: float, opts: dict, progress: Progress
) -> dict:
    """Fill ``scene`` with nodes; returns wall statistics for the report."""
    tolerance = 0.01 / scale  # curves flattened to 1 cm chords
    by_cat: dict[str, dict[str, list[Item]]] = defaultdict(lambda: defaultdict(list))
    for shape in drawing.shapes:
        try:
            pts = shape.flatten(tolerance) * scale
        except Exception as exc:  # a broken spline is skipped, not fatal
            scene.warn(f"entity #{shape.handle} on layer {shape.layer} skipped: {exc}")
            continue
        pts = pts[np.isfinite(pts).all(axis=1)]
        if len(pts) >= 2 and np.ptp(pts, axis=0).max() > 1e-6:
            by_cat[categories.get(shape.layer, "other")][shape.layer].append((shape, pts))
    if not by_cat.get("wall") and by_cat.get("other"):
        scene.warn(
            "no layer is named like a wall layer; linework on unclassified layers"
            " is used as walls (set the layers option to classify them)"
        )
        by_cat["wall"] = by_cat.pop("other")
    progress("geometry", 0.1, "walls")

    height = opts["wall_height"]
    wall_stats: dict = {}
    wall_fps = []
    for layer, items in sorted(by_cat.get("wall", {}).items()):
        footprint, stats = _walls(items, opts)
        wall_stats[layer] = stats
        if not footprint.is_empty:
            wall_fps.append(footprint)
            scene.add(
                Node(
                    f"walls {layer}",
                    "wall",
                    layer,
                    Mesh.extrude(footprint, 0.0, height),
                    properties={"thickness_default_m": opts["wall_thickness"]},
                )
            )
    walls = shapely.union_all(wall_fps) if wall_fps else None
    progress("geometry", 0.5, "doors, windows, fixtures")

    for category, (bottom, top, width, fill) in SOLIDS.items():
        for layer, items in sorted(by_cat.get(category, {}).items()):
            footprint = _fixture(items, width, fill)
            if not footprint.is_empty:
                mesh = Mesh.extrude(footprint, bottom, height if top is None else top)
                scene.add(Node(f"{category} {layer}", category, layer, mesh))
    progress("geometry", 0.7, "rooms")

    rooms = _rooms(scene, drawing, [i for its in by_cat.get("room", {}).values() for i in its], scale, walls, opts)
    progress("geometry", 0.9, "floor")

    floors = [_fixture(items, 0.0, True) for items in by_cat.get("floor", {}).values()]
    floor = shapely.union_all(floors) if floors else Polygon()
    layer = next(iter(by_cat.get("floor", {})), "")
    if floor.is_empty and opts["floor"]:
        # the footprint of the building: walls and rooms with their holes filled
        parts = [p for g in [walls, *rooms] if g is not None for p in _polys(g)]
        floor = shapely.union_all([Polygon(p.exterior) for p in parts]) if parts else Polygon()
    if not floor.is_empty:
        scene.add(Node("floor", "floor", layer, Mesh.extrude(floor, -FLOOR_SLAB, 0.0)))
    progress("geometry", 1.0, None)
    return wall_stats
