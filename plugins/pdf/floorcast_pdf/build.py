"""A page's plan (plan metres) -> scene nodes on its level, by the rules every
format shares: solid walls, fixtures at their heights, rooms named by their
labels, a floor slab."""

from __future__ import annotations

import shapely
from shapely.geometry import Polygon

from core.plugin_api import (
    FIXTURES,
    FLOOR_SLAB,
    Material,
    Mesh,
    Node,
    PlanText,
    Scene,
    fill_holes,
    find_rooms,
    room_nodes,
)
from floorcast_pdf.plan import PagePlan

#: floor areas the sheet marks with a hatch or a tint
HATCHED = Material("floor marked", (0.80, 0.76, 0.68, 1.0))


def _union(geoms) -> object:
    geoms = [g for g in geoms if g is not None and not g.is_empty]
    return shapely.union_all(geoms) if geoms else Polygon()


def add_level(scene: Scene, plan: PagePlan, level: int, layer: str, opts: dict) -> dict:
    """Add the page's nodes to ``scene`` on ``level``; returns counts for the report."""
    height = opts["wall_height"]
    counts: dict[str, int] = {}
    walls = _union(plan.walls)
    if not walls.is_empty:
        mesh = Mesh.extrude(walls, 0.0, height)
        if not mesh.is_empty:
            props = {"thickness_default_m": opts["wall_thickness"], "area_m2": round(walls.area, 2)}
            scene.add(Node(f"walls {layer}".strip(), "wall", layer, mesh, properties=props, level=level))
            counts["wall"] = 1
    for category, geoms in (
        ("door", plan.doors),
        ("window", plan.windows),
        ("stair", plan.stairs),
        ("column", plan.columns),
    ):
        geom = _union(geoms)
        if geom.is_empty:
            continue
        bottom, top = FIXTURES[category][:2]
        mesh = Mesh.extrude(geom, bottom, height if top is None else top)
        if not mesh.is_empty:
            node = Node(f"{category} {layer}".strip(), category, layer, mesh, level=level)
            node.properties["count"] = len(geoms)
            scene.add(node)
            counts[category] = len(geoms)

    candidates = [(layer or "rooms", p) for p in plan.rooms if not p.is_empty]
    texts = [PlanText(lb.text, lb.x, lb.y, layer) for lb in plan.labels]
    openings = _union(plan.openings)
    rooms, outlines = find_rooms(candidates, texts, walls if not walls.is_empty else None, openings)
    for node in room_nodes(rooms, level):
        scene.add(node)
    counts["room"] = sum(1 for r in rooms if r.label)

    # the building's floor slab, and hatched or tinted floor areas as their own
    # slab in their own shade (terraces and courtyards outside the walls included)
    marked = _union(plan.floors)
    footprint = fill_holes(_union([walls, *outlines])) if opts["floor"] else Polygon()
    slabs = [("floor", footprint.difference(marked) if not marked.is_empty else footprint, None)]
    slabs.append(("floor marked", marked, HATCHED.name))
    for name, geom, material in slabs:
        mesh = Mesh.extrude(geom, -FLOOR_SLAB, 0.0) if not geom.is_empty else Mesh.empty()
        if mesh.is_empty:
            continue
        if material and scene.material(material) is None:
            scene.materials.append(HATCHED)
        scene.add(Node(f"{name} {layer}".strip(), "floor", layer, mesh, material=material, level=level))
        counts["floor"] = counts.get("floor", 0) + 1
    return counts
