"""Plan data in metres -> scene nodes: walls, openings, fixtures, rooms, floor."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import shapely
from shapely.geometry import LineString, Polygon

from core.plugin_api import (
    FIXTURES,
    FLOOR_SLAB,
    Mesh,
    Node,
    PlanText,
    Progress,
    Scene,
    fill_holes,
    fill_outlines,
    find_rooms,
    room_nodes,
)
from floorcast_dxf.extract import Drawing2D, Shape

Item = tuple[Shape, np.ndarray]


def _polygon(pts: np.ndarray) -> list[Polygon]:
    if len(pts) < 3:
        return []
    return [p for p in _polys(shapely.make_valid(Polygon(pts))) if p.area > 1e-6]


def _polys(geom) -> list[Polygon]:
    return [g for g in shapely.get_parts(geom) if isinstance(g, Polygon)] if geom else []


def _walls(items: list[Item], opts: dict) -> tuple[object, dict]:
    rings = [p for s, pts in items if s.closed for p in _polygon(pts)]
    lines: list = [LineString(pts) for s, pts in items if not s.closed]
    solids, outline_lines = fill_outlines(rings, opts["max_wall_thickness"])
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


def _rooms(scene: Scene, drawing: Drawing2D, room_items: list[Item], scale: float, walls) -> list:
    """Room slabs named by the text inside them; returns the room outlines."""
    candidates = [(s.layer, p) for s, pts in room_items if s.closed for p in _polygon(pts)]
    texts = [PlanText(lb.text, lb.x * scale, lb.y * scale, lb.layer) for lb in drawing.labels]
    rooms, outlines = find_rooms(candidates, texts, walls)
    for node in room_nodes(rooms):
        scene.add(node)
    return outlines


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

    for category, (bottom, top, width, fill) in FIXTURES.items():
        for layer, items in sorted(by_cat.get(category, {}).items()):
            footprint = _fixture(items, width, fill)
            if not footprint.is_empty:
                mesh = Mesh.extrude(footprint, bottom, height if top is None else top)
                scene.add(Node(f"{category} {layer}", category, layer, mesh))
    progress("geometry", 0.7, "rooms")

    rooms = _rooms(scene, drawing, [i for its in by_cat.get("room", {}).values() for i in its], scale, walls)
    progress("geometry", 0.9, "floor")

    floors = [_fixture(items, 0.0, True) for items in by_cat.get("floor", {}).values()]
    floor = shapely.union_all(floors) if floors else Polygon()
    layer = next(iter(by_cat.get("floor", {})), "")
    if floor.is_empty and opts["floor"]:
        # the footprint of the building: walls and rooms with their holes filled
        floor = fill_holes(shapely.union_all([g for g in [walls, *rooms] if g is not None]))
    if not floor.is_empty:
        scene.add(Node("floor", "floor", layer, Mesh.extrude(floor, -FLOOR_SLAB, 0.0)))
    progress("geometry", 1.0, None)
    return wall_stats
