"""Plan shapes -> scene nodes: walls, windows, doors, fixtures, rooms, floor.

Model-space shapes and block content that has to merge with them (walls, rooms,
floors) are handled in plan metres; doors, windows, furniture and the other
fixtures in blocks are built once per block in the block's own coordinates and
drawn at every placement (``Node.instances``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import shapely
import shapely.affinity
from shapely.geometry import Polygon

from core.plugin_api import (
    CATEGORIES,
    FIXTURES,
    FLOOR_SLAB,
    Mesh,
    Node,
    PlanText,
    Scene,
    fill_holes,
    fill_outlines,
    find_rooms,
    room_nodes,
)
from floorcast_dxf.blocks import Placements
from floorcast_dxf.flatten import Shapes

#: block content in these categories is baked into the plan, the rest instanced
BAKED = {"wall", "room", "floor"}
#: window glass between these heights; wall below and above it
SILL, HEAD = FIXTURES["window"][0], FIXTURES["window"][1]


@dataclass
class Items:
    """Shapes of one category and layer, in plan metres (or a block's metres)."""

    points: list[np.ndarray] = field(default_factory=list)
    closed: list[bool] = field(default_factory=list)
    width: list[float] = field(default_factory=list)
    fills: list[Polygon] = field(default_factory=list)

    def add(self, pts: np.ndarray, closed: bool, width: float) -> None:
        self.points.append(pts)
        self.closed.append(closed)
        self.width.append(width)

    def geometry(self) -> tuple[list[Polygon], list, list]:
        """(closed outlines as polygons, open lines, thick polylines as polygons)."""
        if not self.points:
            return [], [], []
        sizes = np.array([len(p) for p in self.points])
        pts = np.concatenate(self.points)
        closed = np.asarray(self.closed, dtype=bool)
        width = np.asarray(self.width, dtype=float)
        index = np.repeat(np.arange(len(sizes)), sizes)
        good = np.isfinite(pts).all(axis=1)
        pts, index = pts[good], index[good]
        sizes = np.bincount(index, minlength=len(sizes))
        lo = np.full((len(sizes), 2), np.inf)
        hi = np.full((len(sizes), 2), -np.inf)
        np.minimum.at(lo, index, pts)
        np.maximum.at(hi, index, pts)
        real = (sizes >= 2) & ((hi - lo).max(axis=1) > 1e-6)
        kind = np.where(~real, 0, np.where(width > 0, 3, np.where(closed & (sizes >= 3), 2, 1)))
        keep = kind[index] > 0
        pts, index = pts[keep], index[keep]
        out: dict[int, list] = {1: [], 2: [], 3: []}
        for k in (1, 2, 3):
            sel = kind[index] == k
            if not sel.any():
                continue
            ids, inverse = np.unique(index[sel], return_inverse=True)
            if k == 2:
                geoms = shapely.polygons(shapely.linearrings(pts[sel], indices=inverse))
                geoms = shapely.make_valid(geoms)
                parts = shapely.get_parts(geoms)
                out[2] = [g for g in parts if isinstance(g, Polygon) and g.area > 1e-6]
                continue
            lines = shapely.linestrings(pts[sel], indices=inverse)
            if k == 1:
                out[1] = list(lines)
                continue
            ring = closed[ids]
            if ring.any():  # a closed thick polyline runs back to its start
                lines[ring] = [shapely.LineString(np.vstack([g.coords, g.coords[:1]])) for g in lines[ring]]
            out[3] = list(shapely.buffer(lines, width[ids] / 2, cap_style="flat", join_style="mitre", mitre_limit=3))
        return out[2], out[1], out[3]


def _polygon(pts: np.ndarray) -> list[Polygon]:
    if len(pts) < 3:
        return []
    geom = shapely.make_valid(Polygon(pts))
    return [g for g in shapely.get_parts(geom) if isinstance(g, Polygon) and g.area > 1e-6]


def wall_footprint(items: Items, opts: dict) -> tuple[object, dict]:
    """Solid walls from every drawing style: closed outlines filled even-odd, double
    lines paired, single lines given ``wall_thickness``, thick polylines as drawn,
    hatches and solids as filled (wider ones give their outline as wall lines)."""
    rings, lines, thick = items.geometry()
    solids, outline_lines = fill_outlines(rings, opts["max_wall_thickness"])
    fills = [p for p in items.fills if p.area > 1e-6]
    if fills:
        thin = shapely.is_empty(shapely.buffer(np.asarray(fills, dtype=object), -opts["max_wall_thickness"] / 2))
        solids += [p for p, t in zip(fills, thin, strict=True) if t]
        outline_lines += [ln for p, t in zip(fills, thin, strict=True) if not t for ln in shapely.get_parts(p.boundary)]
    footprint, stats = Mesh.wall_footprint(
        lines + outline_lines,
        default_thickness=opts["wall_thickness"],
        max_thickness=opts["max_wall_thickness"],
    )
    stats["filled_outlines"] = len(solids)
    stats["thick_polylines"] = len(thick)
    stats["fills"] = len(fills)
    return shapely.union_all([footprint, *solids, *thick]), stats


def prisms(polys: list[Polygon], bottom: float, top: float) -> Mesh:
    """Closed prisms of many small polygons at once (overlaps allowed: each prism
    is closed by itself). Convex outlines are fanned with numpy; the others, and
    polygons with holes, go through :meth:`Mesh.extrude` one by one."""
    polys = [p for p in polys if isinstance(p, Polygon) and not p.is_empty and p.area > 1e-6]
    if not polys:
        return Mesh.empty()
    plain = [p for p in polys if not p.interiors]
    holed = [p for p in polys if p.interiors]
    rings = shapely.get_exterior_ring(np.asarray(plain, dtype=object))
    coords, idx = shapely.get_coordinates(rings, return_index=True)
    sizes = np.bincount(idx, minlength=len(plain))
    last = np.cumsum(sizes) - 1
    keep = np.ones(len(coords), dtype=bool)
    keep[last] = False  # the closing vertex repeats the first
    coords, idx = coords[keep], idx[keep]
    n = sizes - 1
    start = np.cumsum(n) - n
    local = np.arange(len(coords)) - start[idx]
    nxt = np.where(local == n[idx] - 1, start[idx], np.arange(len(coords)) + 1)
    # signed area per ring: make every ring counter-clockwise
    cross = coords[:, 0] * coords[nxt, 1] - coords[nxt, 0] * coords[:, 1]
    area = np.bincount(idx, weights=cross, minlength=len(plain))
    prev = np.where(local == 0, start[idx] + n[idx] - 1, np.arange(len(coords)) - 1)
    e1, e2 = coords - coords[prev], coords[nxt] - coords
    turn = e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0]
    turn = turn * np.sign(area)[idx]
    concave = np.zeros(len(plain), dtype=bool)
    np.logical_or.at(concave, idx, turn < -1e-12)
    meshes = [Mesh.extrude(plain[i], bottom, top) for i in np.flatnonzero(concave | (n < 3)).tolist()]
    meshes += [Mesh.extrude(p, bottom, top) for p in holed]
    convex = ~concave & (n >= 3)
    sel = convex[idx]
    if sel.any():
        c, ci = coords[sel], idx[sel]
        flip = area[ci] < 0
        cn = n[ci]
        cstart = np.cumsum(np.bincount(ci, minlength=len(plain))[convex]) - n[convex]
        rank = np.cumsum(convex) - 1
        s0 = cstart[rank[ci]]
        loc = np.arange(len(c)) - s0
        # reverse clockwise rings in place
        loc = np.where(flip, cn - 1 - loc, loc)
        order = np.argsort(s0 + loc, kind="stable")
        c = c[order]
        count = len(c)
        positions = np.concatenate(
            [np.column_stack([c, np.full(count, bottom)]), np.column_stack([c, np.full(count, top)])]
        )
        ring_n = n[convex]
        ring_start = cstart
        fan_n = ring_n - 2
        k = np.arange(int(fan_n.sum())) - np.repeat(np.cumsum(fan_n) - fan_n, fan_n)
        a = np.repeat(ring_start, fan_n)
        tris = np.column_stack([a, a + k + 1, a + k + 2])
        i = np.arange(count)
        ring_of = np.repeat(np.arange(len(ring_n)), ring_n)
        j = np.where(i - ring_start[ring_of] == ring_n[ring_of] - 1, ring_start[ring_of], i + 1)
        sides = np.concatenate([np.column_stack([i, j, j + count]), np.column_stack([i, j + count, i + count])])
        meshes.append(Mesh(positions, np.concatenate([tris[:, ::-1], tris + count, sides])))
    return Mesh.merge(meshes)


def fixture_polygons(items: Items, line_width: float, fill_faces: bool) -> list[Polygon]:
    rings, lines, thick = items.geometry()
    polys = rings + thick + list(items.fills)
    if fill_faces and lines:
        polys += [
            p
            for p in shapely.get_parts(shapely.polygonize(shapely.get_parts(shapely.union_all(lines))))
            if isinstance(p, Polygon)
        ]
    if line_width and lines:
        polys += list(shapely.buffer(lines, line_width / 2, cap_style="flat"))
    return polys


def fixture_footprint(items: Items, line_width: float, fill_faces: bool):
    rings, lines, thick = items.geometry()
    polys = rings + thick + list(items.fills)
    if fill_faces and lines:
        polys += [
            p
            for p in shapely.get_parts(shapely.polygonize(shapely.get_parts(shapely.union_all(lines))))
            if isinstance(p, Polygon)
        ]
    if line_width and lines:
        polys += list(shapely.buffer(lines, line_width / 2, cap_style="flat"))
    return shapely.union_all(polys) if polys else Polygon()


def category_meshes(category: str, items: Items, opts: dict, footprints: list | None = None) -> list:
    """[(category, mesh, stats)] for one category's shapes: windows give wall below
    and above their glass. Wall and window footprints are also appended to
    ``footprints`` (rooms are the spaces they enclose)."""
    height = opts["wall_height"]
    if category in ("wall", "window"):
        fp, stats = wall_footprint(items, opts)
        if footprints is not None and not fp.is_empty:
            footprints.append(fp)
    if category == "wall":
        return [("wall", Mesh.extrude(fp, 0.0, height), stats)] if not fp.is_empty else []
    if category == "window":
        if fp.is_empty:
            return []
        out = [("window", Mesh.extrude(fp, SILL, min(HEAD, height)), stats)]
        solid = [Mesh.extrude(fp, 0.0, SILL)]
        if height > HEAD:
            solid.append(Mesh.extrude(fp, HEAD, height))
        out.append(("wall", Mesh.merge(solid), {}))
        return out
    if category in FIXTURES:
        bottom, top, width, fill = FIXTURES[category]
        polys = fixture_polygons(items, width, fill)
        if not polys:
            return []
        top = height if top is None else top
        if len(polys) > 50:  # many pieces (furniture drawn without blocks): no union
            return [(category, prisms(polys, bottom, top), {})]
        fp = shapely.union_all(polys)
        return [(category, Mesh.extrude(fp, bottom, top), {})] if not fp.is_empty else []
    return []


def _matrices4(m: np.ndarray, scale: float) -> np.ndarray:
    out = np.zeros((len(m), 4, 4))
    out[:, :2, :2] = m[:, :2, :2]
    out[:, :2, 3] = m[:, :2, 2] * scale
    out[:, 2, 2] = out[:, 3, 3] = 1.0
    return out


class Builder:
    def __init__(self, scene: Scene, raw, shapes: Shapes, placements: dict[int, Placements], layer_cat, scale, opts):
        self.scene, self.raw, self.shapes = scene, raw, shapes
        self.placements, self.layer_cat, self.scale, self.opts = placements, layer_cat, scale, opts
        self.world: dict[str, dict[str, Items]] = defaultdict(lambda: defaultdict(Items))
        self.hidden = raw.hidden_layers()
        self.layer0 = raw.layer_names.index("0") if "0" in raw.layer_names else -1
        self.openings: list = []
        self.instanced = 0
        self.other_is_wall = False
        self.explicit: list[bool] = []

    def name(self, lid: int) -> str:
        return self.raw.layer_names[lid] if 0 <= lid < len(self.raw.layer_names) else "0"

    def effective(self, lid: int, inherit: int, block_cat: int) -> tuple[int, str] | None:
        """(layer, category) of block content on ``lid`` at a placement; None if hidden."""
        if lid == self.layer0 and inherit >= 0:
            lid = inherit
        if lid in self.hidden:
            return None
        category = self.layer_cat[lid]
        if block_cat >= 0 and category not in ("annotation",) and not self.explicit[lid]:
            category = CATEGORIES[block_cat]
        return lid, category

    def by_owner(self) -> dict[int, np.ndarray]:
        owner = self.shapes.owner
        if not len(owner):
            return {}
        order = np.argsort(owner, kind="stable")
        uniq, starts = np.unique(owner[order], return_index=True)
        ends = np.append(starts[1:], len(order))
        return {int(o): order[a:b] for o, a, b in zip(uniq, starts, ends, strict=True)}

    def run(self, explicit: list[bool]) -> dict:
        self.explicit = explicit
        s = self.shapes
        groups = self.by_owner()
        fills: dict[int, list] = defaultdict(list)
        for owner, lid, poly in s.fills:
            fills[owner].append((lid, poly))
        # model space
        for i in groups.get(-1, np.zeros(0, dtype=np.int64)).tolist():
            lid = int(s.layer[i])
            if lid in self.hidden:
                continue
            self.world[self.layer_cat[lid]][self.name(lid)].add(
                s.get(i) * self.scale, bool(s.closed[i]), s.width[i] * self.scale
            )
        for lid, poly in fills.get(-1, []):
            if lid not in self.hidden:
                self.world[self.layer_cat[lid]][self.name(lid)].fills.append(
                    shapely.affinity.scale(poly, self.scale, self.scale, origin=(0, 0))
                )
        # blocks
        for b, pl in self.placements.items():
            rows = groups.get(b, np.zeros(0, dtype=np.int64))
            block_fills = fills.get(b, [])
            if not len(rows) and not block_fills:
                continue
            combos = np.unique(np.column_stack([pl.inherit, pl.category]), axis=0)
            for inherit, bcat in combos.tolist():
                sel = np.flatnonzero((pl.inherit == inherit) & (pl.category == bcat))
                mats = pl.matrices[sel]
                mats = mats[np.abs(np.linalg.det(mats[:, :2, :2])) > 1e-12]
                if not len(mats):
                    continue
                self.block_content(b, rows, block_fills, mats, inherit, bcat)
        return {}

    def block_content(self, b: int, rows, block_fills, mats, inherit: int, bcat: int) -> None:
        s, k = self.shapes, self.scale
        local: dict[tuple[str, str], Items] = defaultdict(Items)
        for i in rows.tolist():
            eff = self.effective(int(s.layer[i]), inherit, bcat)
            if eff is None:
                continue
            lid, category = eff
            local[(category, self.name(lid))].add(s.get(i), bool(s.closed[i]), float(s.width[i]))
        for lid0, poly in block_fills:
            eff = self.effective(lid0, inherit, bcat)
            if eff is not None:
                local[(eff[1], self.name(eff[0]))].fills.append(poly)
        block_name = self.raw.blocks[b].name
        for (category, layer), items in local.items():
            if category in BAKED or (category == "other" and self.other_is_wall):
                target = self.world["wall" if category == "other" else category][layer]
                for m in mats:
                    a, t = m[:2, :2], m[:2, 2]
                    for pts, closed, width in zip(items.points, items.closed, items.width, strict=True):
                        target.add((pts @ a.T + t) * k, closed, width * k * np.sqrt(abs(np.linalg.det(a))))
                    for poly in items.fills:
                        target.fills.append(
                            shapely.affinity.affine_transform(
                                poly, [a[0, 0] * k, a[0, 1] * k, a[1, 0] * k, a[1, 1] * k, t[0] * k, t[1] * k]
                            )
                        )
                continue
            if category not in FIXTURES and category != "window":
                continue
            if category == "door" and len(mats) <= 5000:
                for m in mats:
                    for pts in items.points:
                        self.openings.append(shapely.linestrings((pts @ m[:2, :2].T + m[:2, 2]) * k))
            scaled = Items([p * k for p in items.points], items.closed, [w * k for w in items.width])
            scaled.fills = [shapely.affinity.scale(p, k, k, origin=(0, 0)) for p in items.fills]
            for cat, mesh, _ in category_meshes(category, scaled, self.opts):
                if mesh.is_empty:
                    continue
                self.instanced += len(mats)
                self.scene.add(
                    Node(
                        f"{cat} {block_name}",
                        cat,
                        layer,
                        mesh,
                        properties={"block": block_name, "placements": len(mats)},
                        instances=_matrices4(mats, k),
                    )
                )

    def world_nodes(self, progress) -> dict:
        scene, opts = self.scene, self.opts
        wall_stats: dict = {}
        wall_fps = []
        for category in ("wall", "window", *[c for c in FIXTURES if c != "window"]):
            for layer, items in sorted(self.world.get(category, {}).items()):
                for cat, mesh, stats in category_meshes(category, items, opts, wall_fps):
                    if mesh.is_empty:
                        continue
                    if category == "wall":
                        wall_stats[layer] = stats
                    name = f"{'window ' if category == 'window' and cat == 'wall' else ''}{cat}s {layer}"
                    scene.add(Node(name, cat, layer, mesh))
                if category == "door":
                    rings, lines, thick = items.geometry()
                    self.openings += lines + [r.boundary for r in rings] + [t.boundary for t in thick]
            progress("geometry", 0.5 if category == "wall" else 0.6, category)
        return {"stats": wall_stats, "walls": shapely.union_all(wall_fps) if wall_fps else None}

    def rooms_and_floor(self, walls, texts: list[PlanText]) -> None:
        scene = self.scene
        candidates = []
        for layer, items in self.world.get("room", {}).items():
            rings, _, _ = items.geometry()
            candidates += [(layer, p) for p in rings + list(items.fills)]
        openings = shapely.union_all(self.openings) if self.openings and not candidates else None
        rooms, outlines = find_rooms(candidates, texts, walls, openings)
        for node in room_nodes(rooms):
            scene.add(node)
        floors = [fixture_footprint(items, 0.0, True) for items in self.world.get("floor", {}).values()]
        floor = shapely.union_all(floors) if floors else Polygon()
        layer = next(iter(self.world.get("floor", {})), "")
        if floor.is_empty and self.opts["floor"]:
            # the footprint of the building: walls and rooms with their holes filled
            floor = fill_holes(shapely.union_all([g for g in [walls, *outlines] if g is not None]))
        if not floor.is_empty:
            scene.add(Node("floor", "floor", layer, Mesh.extrude(floor, -FLOOR_SLAB, 0.0)))
