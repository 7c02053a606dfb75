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
    union_of,
)
from floorcast_dxf.blocks import Placements
from floorcast_dxf.flatten import Shapes

#: block content in these categories is baked into the plan, the rest instanced
BAKED = {"wall", "room", "floor"}
#: window glass between these heights; wall below and above it
SILL, HEAD = FIXTURES["window"][0], FIXTURES["window"][1]


@dataclass
class Items:
    """Shapes of one category and layer, in plan metres (or a block's metres):
    polylines kept as chunks of (points, point count per shape, closed, width)."""

    chunks: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=list)
    fills: list[Polygon] = field(default_factory=list)

    def add(self, pts: np.ndarray, closed: bool, width: float) -> None:
        self.chunks.append((pts, np.array([len(pts)]), np.array([closed], dtype=bool), np.array([float(width)])))

    def add_many(self, pts: np.ndarray, sizes: np.ndarray, closed: np.ndarray, width: np.ndarray) -> None:
        if len(sizes):
            self.chunks.append((pts, sizes, np.asarray(closed, dtype=bool), np.asarray(width, dtype=float)))

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(points, point count per shape, closed, width) of every shape."""
        if not self.chunks:
            return np.zeros((0, 2)), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool), np.zeros(0)
        if len(self.chunks) > 1:
            self.chunks = [tuple(np.concatenate(c) for c in zip(*self.chunks, strict=True))]
        return self.chunks[0]

    def __len__(self) -> int:
        return sum(len(c[1]) for c in self.chunks)

    def placed(self, mats: np.ndarray, k: float) -> Items:
        """The shapes at each placement (3x3 matrices, drawing units), times ``k``."""
        pts, sizes, closed, width = self.arrays()
        out = Items()
        step = max(1, 2_000_000 // max(len(pts), 1))
        for start in range(0, len(mats), step):
            m = mats[start : start + step]
            moved = (np.einsum("mij,nj->mni", m[:, :2, :2], pts) + m[:, None, :2, 2]) * k
            grow = np.sqrt(np.abs(np.linalg.det(m[:, :2, :2])))
            out.add_many(
                moved.reshape(-1, 2),
                np.tile(sizes, len(m)),
                np.tile(closed, len(m)),
                (width[None, :] * grow[:, None]).ravel() * k,
            )
        for a, t in ((m[:2, :2], m[:2, 2]) for m in mats):
            for poly in self.fills:
                out.fills.append(
                    shapely.affinity.affine_transform(
                        poly, [a[0, 0] * k, a[0, 1] * k, a[1, 0] * k, a[1, 1] * k, t[0] * k, t[1] * k]
                    )
                )
        return out

    def lines_at(self, mats: np.ndarray, k: float) -> np.ndarray:
        """The shapes as lines at each placement (one multi-line string per
        placement), times ``k``."""
        pts, sizes, _, _ = self.arrays()
        if not len(pts) or not len(mats):
            return np.zeros(0, dtype=object)
        moved = (np.einsum("mij,nj->mni", mats[:, :2, :2], pts) + mats[:, None, :2, 2]) * k
        index = np.repeat(np.arange(len(sizes) * len(mats)), np.tile(sizes, len(mats)))
        lines = shapely.linestrings(moved.reshape(-1, 2), indices=index)
        return shapely.multilinestrings(lines, indices=np.repeat(np.arange(len(mats)), len(sizes)))

    def geometry(self) -> tuple[list[Polygon], list, list]:
        """(closed outlines as polygons, open lines, thick polylines as polygons)."""
        pts, sizes, closed, width = self.arrays()
        if not len(sizes):
            return [], [], []
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
    return (union_of([footprint, *solids, *thick]) if solids or thick else footprint), stats


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
    return union_of(polys)


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
            return [(category, Mesh.extrude(polys, bottom, top), {})]
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
        # model space, a layer at a time
        rows = groups.get(-1, np.zeros(0, dtype=np.int64))
        sizes = np.diff(s.offsets)
        for lid in np.unique(s.layer[rows]).tolist():
            if lid in self.hidden:
                continue
            mine = rows[s.layer[rows] == lid]
            n = sizes[mine]
            at = np.repeat(s.offsets[mine], n) + np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
            self.world[self.layer_cat[lid]][self.name(lid)].add_many(
                s.points[at] * self.scale, n, s.closed[mine], s.width[mine] * self.scale
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
                placed = items.placed(mats, k)
                target.chunks += placed.chunks
                target.fills += placed.fills
                continue
            if category not in FIXTURES and category != "window":
                continue
            if category == "door" and len(mats) <= 50_000:
                self.openings += list(items.lines_at(mats, k))
            scaled = items.placed(np.eye(3)[None], k)
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
        walls = (wall_fps[0] if len(wall_fps) == 1 else union_of(wall_fps)) if wall_fps else None
        return {"stats": wall_stats, "walls": walls}

    def rooms_and_floor(self, walls, texts: list[PlanText]) -> None:
        scene = self.scene
        candidates = []
        for layer, items in self.world.get("room", {}).items():
            rings, _, _ = items.geometry()
            candidates += [(layer, p) for p in rings + list(items.fills)]
        # door leaves and swings close the openings (no need to merge them first)
        openings = shapely.geometrycollections(self.openings) if self.openings and not candidates else None
        rooms, outlines = find_rooms(candidates, texts, walls, openings)
        for node in room_nodes(rooms):
            scene.add(node)
        floors = [fixture_footprint(items, 0.0, True) for items in self.world.get("floor", {}).values()]
        floor = union_of(floors)
        layer = next(iter(self.world.get("floor", {})), "")
        if floor.is_empty and self.opts["floor"]:
            # the footprint of the building: walls and rooms with their holes filled
            floor = fill_holes(union_of([g for g in [walls, *outlines] if g is not None]))
        if not floor.is_empty:
            scene.add(Node("floor", "floor", layer, Mesh.extrude(floor, -FLOOR_SLAB, 0.0)))
