"""The plan rules every format shares, so a DXF and a PDF of the same building
give the same model: how high doors, windows and fixtures stand, the floor slab,
and rooms — outlines drawn as rooms, or else the spaces the walls enclose, each
named by the text that falls inside it.

Plugins reach this through :mod:`core.plugin_api`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from core.convert.geometry import free_faces, is_thin, surface_each, union_of
from core.convert.labels import clean, names_a_room
from core.convert.layers import label_rank
from core.convert.openings import bridges
from core.convert.scene import Node

#: rooms are a coloured carpet 2 cm above the floor slab: one upward face (a
#: slab's sides and underside would quadruple the triangles of a venue's rooms,
#: the bulk of its model, and nobody sees them from a kiosk looking down)
ROOM_SLAB = 0.02
#: how far (m) a room's carpet may stray from its outline: door swings and leaves
#: that closed a room leave arcs and notches of many vertices nobody sees
ROOM_TOLERANCE = 0.05
#: the floor slab under a level, its top at the level's floor
FLOOR_SLAB = 0.10
#: category -> (bottom, top or None for the wall height, width given to a single
#: line, fill the faces its lines enclose). Doors and stairs are floor markers: the
#: opening in the wall itself stays open.
FIXTURES = {
    "door": (0.0, 0.03, 0.05, False),
    "window": (0.9, 2.1, 0.05, False),
    "stair": (0.0, 0.05, 0.05, False),
    "elevator": (0.0, 0.05, 0.05, False),
    "column": (0.0, None, 0.05, True),
    "furniture": (0.0, 0.75, 0.0, True),
}
#: an enclosed space narrower than this everywhere is a wall cavity or a shaft, not a room
MIN_ROOM_WIDTH = 1.5
#: smallest enclosed space (m²) taken for a room
MIN_ROOM_AREA = 1.0
#: at most this many texts make a room's label (a stamp: name, number, a second line)
STAMP_TEXTS = 3
#: walls this far (m) from meeting still close a room's corner
CORNER_GAP = 0.15
#: half the width of the strip that closes a door opening between two rooms
OPENING_HALF_WIDTH = 0.01


@dataclass(frozen=True)
class PlanText:
    """A text on the plan: its string, its anchor in plan metres, its source layer."""

    text: str
    x: float
    y: float
    layer: str = ""


@dataclass
class Room:
    """A room's floor outline (plan metres), source layer and label (None: unnamed)."""

    polygon: Polygon
    layer: str
    label: str | None = None


def enclosed_spaces(
    walls: BaseGeometry | None, openings: BaseGeometry | None = None, within: Polygon | None = None
) -> list[Polygon]:
    """The spaces the walls enclose, wide enough to be rooms.

    ``openings`` (lines or thin shapes across door openings, e.g. a door leaf in its
    closed position) close the gaps the walls leave at doors, so the rooms on
    either side of a door come out as two rooms; gaps between facing wall ends
    (:func:`core.convert.openings.bridges`) and walls that miss each other at a
    corner by up to :data:`CORNER_GAP` are closed as well. ``within`` (a box)
    keeps the spaces wholly inside it: one tile of a plan too big to take at once."""
    if walls is None or walls.is_empty:
        return []
    strips = []
    if openings is not None and not openings.is_empty:
        lines = np.asarray([openings], dtype=object)
        while (shapely.get_type_id(lines) == 7).any():  # a collection: each member by itself
            lines = shapely.get_parts(lines)
        strips = list(shapely.buffer(lines, OPENING_HALF_WIDTH, cap_style="square", join_style="mitre"))
    # walls that nearly meet at a corner close it: the rooms are found between the
    # walls grown by CORNER_GAP, then given that margin back
    grown = shapely.buffer(walls, CORNER_GAP, join_style="mitre")
    # openings drawn as gaps between wall ends are closed too
    strips += bridges(grown)
    # walls meeting within the snap grid touch
    rings = free_faces(grown, strips, within)
    rings = rings[shapely.area(rings) > MIN_ROOM_AREA / 2]
    if not len(rings):
        return []
    rings = shapely.buffer(rings, CORNER_GAP, join_style="mitre")
    rings = rings[shapely.area(rings) > MIN_ROOM_AREA]
    return [p for p, thin in zip(rings, is_thin(rings, MIN_ROOM_WIDTH), strict=True) if not thin]


def find_rooms(
    candidates: list[tuple[str, Polygon]],
    texts: list[PlanText],
    walls: BaseGeometry | None,
    openings: BaseGeometry | None = None,
) -> tuple[list[Room], list[Polygon]]:
    """Rooms from ``candidates`` ((layer, outline) drawn as rooms) or, when there are
    none, from the spaces ``walls`` enclose (door ``openings`` closed).

    Texts are cleaned of formatting codes and areas, and numbering or dimensions
    are no names (:mod:`core.convert.labels`). Each text names the smallest
    candidate it falls in; of the texts in one room, those on the layers that name
    rooms best (:func:`core.convert.layers.label_rank`: room names before plain
    text, notes, dimensions), at most :data:`STAMP_TEXTS` of them nearest its
    middle, are joined top to bottom, left to right. Unnamed candidates stay as
    unnamed rooms: outlines from a room layer (minus any named room they overlap)
    and spaces the walls enclose with no text inside (a room is a room before
    anyone names it). Returns (rooms, every candidate outline) — the outlines also
    shape the building's floor.
    """
    if not candidates:
        candidates = [("", p) for p in enclosed_spaces(walls, openings)]
    if not candidates:
        return [], []
    polys = [p for _, p in candidates]
    names: dict[int, list[PlanText]] = defaultdict(list)
    texts = [PlanText(label, t.x, t.y, t.layer) for t in texts if names_a_room(label := clean(t.text))]
    if texts:
        points = shapely.points([(t.x, t.y) for t in texts])
        ti, ci = shapely.STRtree(polys).query(points, predicate="within")
        areas = shapely.area(np.asarray(polys, dtype=object))
        best: dict[int, int] = {}
        for text_i, cand_i in zip(ti.tolist(), ci.tolist(), strict=True):
            if text_i not in best or areas[cand_i] < areas[best[text_i]]:
                best[text_i] = cand_i
        for text_i, cand_i in best.items():
            names[cand_i].append(texts[text_i])
    ranks = {layer: label_rank(layer) for layer in {t.layer for t in texts}}
    rooms, labelled = [], []
    for i, (layer, poly) in enumerate(candidates):
        if i not in names:
            continue
        best_rank = min(ranks[t.layer] for t in names[i])
        inside = [t for t in names[i] if ranks[t.layer] == best_rank]
        numbers = [t for t in inside if not any(c.isalpha() for c in t.text)]
        if len(numbers) > 2 and len(numbers) < len(inside):  # a note's numbering, not a room number
            inside = [t for t in inside if t not in numbers]
        if len(inside) > STAMP_TEXTS:  # tags strewn over the room: its stamp sits in the middle
            centre = poly.representative_point()
            inside = sorted(inside, key=lambda t: (t.x - centre.x) ** 2 + (t.y - centre.y) ** 2)[:STAMP_TEXTS]
        inside = sorted(inside, key=lambda t: (-round(t.y, 1), t.x))
        label = " ".join(dict.fromkeys(t.text for t in inside))[:120]
        rooms.append(Room(poly, layer or inside[0].layer, label))
        labelled.append(poly)
    unnamed = [i for i, (layer, _) in enumerate(candidates) if i not in names]
    tree = shapely.STRtree(labelled) if labelled and unnamed else None
    for i in unnamed:
        layer, poly = candidates[i]
        free = poly
        if tree is not None and layer:  # enclosed spaces do not overlap each other
            near = tree.query(poly, predicate="intersects")
            if len(near):
                free = poly.difference(union_of([labelled[k] for k in near.tolist()]))
        if free.area > 0.5:
            rooms.append(Room(free, layer))
    return rooms, polys


def room_nodes(rooms: list[Room], level: int = 0) -> list[Node]:
    """A carpet node per named room (named by its label), one for the unnamed ones."""
    nodes = []
    # every room's carpet at once: thousands of rooms cost about as much as one
    polygons = np.asarray([room.polygon for room in rooms], dtype=object)
    areas = shapely.area(polygons)
    meshes = surface_each(shapely.simplify(polygons, ROOM_TOLERANCE, preserve_topology=True), ROOM_SLAB)
    for room, mesh, area in zip(rooms, meshes, areas, strict=True):
        if mesh.is_empty:
            continue
        if room.label:
            nodes.append(
                Node(
                    room.label,
                    "room",
                    room.layer,
                    mesh,
                    properties={"area_m2": round(float(area), 2)},
                    level=level,
                    label=room.label,
                )
            )
        else:
            nodes.append(Node("rooms", "room", room.layer, mesh, level=level))
    return nodes
