"""Plan shapes -> scene nodes: walls, windows, doors, fixtures, rooms, floor.

Model-space shapes and block content that has to merge with them (walls, rooms,
floors) are handled in plan metres; doors, windows, furniture and the other
fixtures in blocks are built once per block in the block's own coordinates and
drawn at every placement (``Node.instances``).
"""

from __future__ import annotations

import ctypes
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
    enclosed_spaces,
    fill_holes,
    fill_outlines,
    find_rooms,
    ragged_arange,
    room_nodes,
    union_of,
)
from floorcast_dxf.blocks import Placements
from floorcast_dxf.flatten import Shapes

#: block content in these categories is baked into the plan, the rest instanced
BAKED = {"wall", "room", "floor"}
#: window glass between these heights; wall below and above it
SILL, HEAD = FIXTURES["window"][0], FIXTURES["window"][1]
#: wall and window points above which walls and rooms are built cell by cell
CELL_POINTS = 150_000
#: how far (m) around its core a cell takes walls: spaces this wide are found whole
CELL_HALO = 100.0
#: texts in blocks placed more often than this do not name rooms (chairs, not rooms)
ROOM_TEXT_COPIES = 1000


def _clip(geom, box: tuple[float, float, float, float]) -> list:
    """The polygons of ``geom`` cut to ``box``: those inside it as they are."""
    parts = shapely.get_parts(geom)
    if not len(parts):
        return []
    b = shapely.bounds(parts)
    x0, y0, x1, y1 = box
    inside = (b[:, 0] >= x0) & (b[:, 1] >= y0) & (b[:, 2] <= x1) & (b[:, 3] <= y1)
    across = ~inside & (b[:, 0] < x1) & (b[:, 2] > x0) & (b[:, 1] < y1) & (b[:, 3] > y0)
    cut = shapely.intersection(parts[across], shapely.box(*box))
    return [*parts[inside], *(g for g in cut if not g.is_empty)]


def release_memory() -> None:
    """Hand memory freed by the last step back to the system: the C library keeps
    it otherwise, and the next step's peak lands on top of it."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


@dataclass
class Items:
    """Shapes of one category and layer, in plan metres (or a block's metres):
    polylines kept as chunks of (points, point count per shape, closed, width)."""

    chunks: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=list)
    fills: list[Polygon] = field(default_factory=list)
    # bounds of the shapes and of the fills, kept while no shape or fill is added
    # (a plan built in cells asks each cell for what reaches into it)
    _bounds: np.ndarray | None = field(default=None, repr=False)
    _fill_bounds: np.ndarray | None = field(default=None, repr=False)

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

    def bounds(self) -> np.ndarray:
        """(n, 4) min x, min y, max x, max y of each shape (its pen width included)."""
        pts, sizes, _, width = self.arrays()
        out = np.full((len(sizes), 4), np.nan)
        full = sizes > 0
        if full.any():
            starts = (np.cumsum(sizes) - sizes)[full]
            out[full, :2] = np.minimum.reduceat(pts, starts, axis=0)
            out[full, 2:] = np.maximum.reduceat(pts, starts, axis=0)
            out[:, :2] -= width[:, None] / 2
            out[:, 2:] += width[:, None] / 2
        return out

    def within(self, box: tuple[float, float, float, float]) -> Items:
        """The shapes and fills that reach into ``box`` (x0, y0, x1, y1)."""
        x0, y0, x1, y1 = box
        pts, sizes, closed, width = self.arrays()
        out = Items()
        if len(sizes):
            if self._bounds is None or len(self._bounds) != len(sizes):
                self._bounds = self.bounds()
            b = self._bounds
            keep = (b[:, 0] <= x1) & (b[:, 2] >= x0) & (b[:, 1] <= y1) & (b[:, 3] >= y0)
            out.add_many(pts[np.repeat(keep, sizes)], sizes[keep], closed[keep], width[keep])
        if self.fills:
            if self._fill_bounds is None or len(self._fill_bounds) != len(self.fills):
                self._fill_bounds = shapely.bounds(np.asarray(self.fills, dtype=object))
            fb = self._fill_bounds
            hit = (fb[:, 0] <= x1) & (fb[:, 2] >= x0) & (fb[:, 1] <= y1) & (fb[:, 3] >= y0)
            out.fills = [f for f, h in zip(self.fills, hit, strict=True) if h]
        return out

    def placed(self, mats: np.ndarray, k: float) -> Items:
        """The shapes at each placement (3x3 matrices, drawing units), times ``k``."""
        pts, sizes, closed, width = self.arrays()
        out = Items()
        step = max(1, 2_000_000 // max(len(pts), 1))
        for start in range(0, len(mats), step):
            m = mats[start : start + step]
            moved = (np.einsum("mij,nj->mni", m[:, :2, :2], pts) + m[:, None, :2, 2]) * k
            grow = np.sqrt(np.abs(_det2(m)))
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
    return union_of([footprint, *solids, *thick]), stats


def fixture_polygons(items: Items, line_width: float, fill_faces: bool) -> list[Polygon]:
    """The shapes of fixtures (or floors): outlines, fills, faces their lines
    enclose when ``fill_faces``, lines given ``line_width``."""
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


def category_meshes(category: str, items: Items, opts: dict, footprints: list | None = None) -> list:
    """[(category, mesh, stats)] for one category's shapes: windows give wall below
    and above their glass. Wall and window footprints are also appended to
    ``footprints`` (rooms are the spaces they enclose)."""
    height = opts["wall_height"]
    if category in ("wall", "window"):
        fp, stats = wall_footprint(items, opts)
        if footprints is not None and not fp.is_empty:
            footprints.append(fp)
        return footprint_meshes(category, fp, stats, height)
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


def footprint_meshes(category: str, fp, stats: dict, height: float) -> list:
    """[(category, mesh, stats)] of a wall or window footprint (a geometry or a
    list of pieces, each closed by itself): windows are glass between sill and
    head and wall below and above."""
    if isinstance(fp, list):
        fp = [g for g in fp if not g.is_empty]
    if not fp or getattr(fp, "is_empty", False):
        return []
    if category == "wall":
        return [("wall", Mesh.extrude(fp, 0.0, height), stats)]
    out = [("window", Mesh.extrude(fp, SILL, min(HEAD, height)), stats)]
    solid = [Mesh.extrude(fp, 0.0, SILL)]
    if height > HEAD:
        solid.append(Mesh.extrude(fp, HEAD, height))
    out.append(("wall", Mesh.merge(solid), {}))
    return out


def _det2(m: np.ndarray) -> np.ndarray:
    """Determinants of the 2x2 linear parts of (N, 3, 3) matrices."""
    return m[:, 0, 0] * m[:, 1, 1] - m[:, 0, 1] * m[:, 1, 0]


def _by_scale(mats: np.ndarray):
    """(placements, their uniform scale or None when uneven) groups of ``mats``."""
    if not len(mats):
        return
    sx = np.hypot(mats[:, 0, 0], mats[:, 1, 0])
    sy = np.hypot(mats[:, 0, 1], mats[:, 1, 1])
    even = np.abs(sx - sy) <= 0.01 * np.maximum(sx, sy)
    if (~even).any():
        yield mats[~even], None
    sizes = np.round(np.log(sx[even]), 3)
    for value in np.unique(sizes).tolist():
        yield mats[even][sizes == value], float(np.exp(value))


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
        # a plan built cell by cell: the spaces and floor footprint its cells found
        self.cell_spaces: list | None = None
        self.cell_floor: list = []
        self._floor = None

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
            at = np.repeat(s.offsets[mine], n) + ragged_arange(n)
            self.world[self.layer_cat[lid]][self.name(lid)].add_many(
                s.points[at] * self.scale, n, s.closed[mine], s.width[mine] * self.scale
            )
        model_fills = [(lid, poly) for lid, poly in fills.get(-1, []) if lid not in self.hidden]
        if model_fills:
            k = self.scale
            scaled = shapely.transform(np.asarray([p for _, p in model_fills], dtype=object), lambda c: c * k)
            for (lid, _), poly in zip(model_fills, scaled, strict=True):
                self.world[self.layer_cat[lid]][self.name(lid)].fills.append(poly)
        # blocks
        for b, pl in self.placements.items():
            rows = groups.get(b, np.zeros(0, dtype=np.int64))
            block_fills = fills.get(b, [])
            if not len(rows) and not block_fills:
                continue
            # one build per (layer "0" content takes, category names give) pair
            key = pl.inherit.astype(np.int64) * (len(CATEGORIES) + 1) + pl.category + 1
            keys, which = np.unique(key, return_inverse=True)
            for n, k in enumerate(keys.tolist()):
                inherit, bcat = k // (len(CATEGORIES) + 1), k % (len(CATEGORIES) + 1) - 1
                sel = np.flatnonzero(which == n)
                mats = pl.matrices[sel]
                mats = mats[np.abs(_det2(mats)) > 1e-12]
                for group, size in _by_scale(mats):
                    self.block_content(b, rows, block_fills, group, inherit, bcat, size)
            if len(pl.matrices) > ROOM_TEXT_COPIES:  # built, and its texts name no rooms
                self.placements[b] = None
        return {}

    def block_content(self, b: int, rows, block_fills, mats, inherit: int, bcat: int, size: float | None) -> None:
        """Build block ``b``'s content for its placements ``mats``: instanced, its
        meshes made at the placements' uniform scale ``size`` (a wall's thickness,
        a window's depth are metres wherever the block is scaled), or with ``size``
        None (scaled unevenly) baked into the plan at each placement."""
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
            walls_too = category == "other" and self.other_is_wall
            built = category in FIXTURES or category == "window"
            if category in BAKED or walls_too or (size is None and built):
                target = self.world["wall" if walls_too else category][layer]
                placed = items.placed(mats, k)  # a baked door's lines close rooms from the world
                target.chunks += placed.chunks
                target.fills += placed.fills
                continue
            if not built:
                continue
            if category == "door":  # door leaves and swings close the rooms on either side
                self.openings += list(items.lines_at(mats, k))
            # rotation, mirror and translation in the instances: the scale is in the mesh
            turned = mats @ np.diag([1 / size, 1 / size, 1.0])
            scaled = items.placed(np.eye(3)[None], k * size)
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
                        instances=_matrices4(turned, k),
                    )
                )

    def world_nodes(self, progress) -> dict:
        opts = self.opts
        for items in self.world.get("door", {}).values():
            rings, lines, thick = items.geometry()
            self.openings += lines + [r.boundary for r in rings] + [t.boundary for t in thick]
        cells = self.cells()
        if cells:
            stats, walls = self.walls_by_cell(cells, progress), None
            categories = [c for c in FIXTURES if c != "window"]
        else:
            stats, walls, categories = {}, [], ["wall", "window", *[c for c in FIXTURES if c != "window"]]
        for category in categories:
            for layer, items in sorted(self.world.get(category, {}).items()):
                try:
                    meshes = category_meshes(category, items, opts, walls)
                except Exception as exc:
                    exc.add_note(f"building the {category} category of layer {layer}")  # for the error message
                    raise
                for cat, mesh, cat_stats in meshes:
                    if category == "wall":
                        stats[layer] = cat_stats
                    self.add_world_node(category, cat, layer, mesh)
            progress("geometry", 0.5 if category == "wall" else 0.6, category)
        if walls is not None:
            walls = union_of(walls) if walls else None
        return {"stats": stats, "walls": walls}

    def add_world_node(self, category: str, cat: str, layer: str, mesh: Mesh) -> None:
        if not mesh.is_empty:
            name = f"{'window ' if category == 'window' and cat == 'wall' else ''}{cat}s {layer}"
            self.scene.add(Node(name, cat, layer, mesh))

    def cells(self) -> list[tuple[tuple, tuple]]:
        """(core, reach) boxes when the walls are too many to build at once (the
        memory a plan needs then grows with its cells, not with the plan): each
        cell builds the walls reaching into its reach and keeps what lies in its
        core, and the rooms wholly inside its reach that start in its core. []
        for a plan built in one go."""
        boxes, points = [], 0
        for category in ("wall", "window"):
            for items in self.world.get(category, {}).values():
                pts, sizes, _, _ = items.arrays()
                points += len(pts) + 5 * len(items.fills)
                if len(pts):
                    boxes.append([*pts.min(axis=0), *pts.max(axis=0)])
                if items.fills:
                    boxes.append(shapely.total_bounds(np.asarray(items.fills, dtype=object)))
        if self.openings:
            points += int(shapely.get_num_coordinates(np.asarray(self.openings, dtype=object)).sum())
        if points <= CELL_POINTS or not boxes:
            return []
        b = np.asarray(boxes)
        x0, y0 = b[:, 0].min() - 1.0, b[:, 1].min() - 1.0
        x1, y1 = b[:, 2].max() + 1.0, b[:, 3].max() + 1.0
        count = int(np.ceil(points / CELL_POINTS))
        cols = max(1, int(round(np.sqrt(count * (x1 - x0) / max(y1 - y0, 1e-9)))))
        rows = max(1, int(np.ceil(count / cols)))
        xs, ys = np.linspace(x0, x1, cols + 1), np.linspace(y0, y1, rows + 1)
        halo = CELL_HALO
        return [
            ((xs[i], ys[j], xs[i + 1], ys[j + 1]), (xs[i] - halo, ys[j] - halo, xs[i + 1] + halo, ys[j + 1] + halo))
            for j in range(rows)
            for i in range(cols)
        ]

    def walls_by_cell(self, cells, progress) -> dict:
        """Walls and windows cell by cell (see :meth:`cells`); the spaces the walls
        enclose and the building's footprint too, for :meth:`rooms_and_floor`."""
        opts = self.opts
        layers = [(c, layer, items) for c in ("wall", "window") for layer, items in sorted(self.world[c].items())]
        pieces: dict[tuple[str, str], list] = defaultdict(list)
        stats: dict[str, dict] = {}
        drawn_rooms = self.room_candidates()
        need_floor = self.opts["floor"] and self.floor_footprint().is_empty
        openings = np.asarray(self.openings, dtype=object) if self.openings and not drawn_rooms else None
        open_tree = shapely.STRtree(openings) if openings is not None else None
        outline_tree = shapely.STRtree([p for _, p in drawn_rooms]) if drawn_rooms and need_floor else None
        self.cell_spaces, self.cell_floor = [], []
        for n, (core, reach) in enumerate(cells):
            core_box, reach_box = shapely.box(*core), shapely.box(*reach)
            fps = []
            for category, layer, items in layers:
                sub = items.within(reach)
                if not len(sub) and not sub.fills:
                    continue
                try:
                    fp, fp_stats = wall_footprint(sub, opts)
                except Exception as exc:
                    exc.add_note(f"building the {category}s of layer {layer} in cell {n + 1} of {len(cells)}")
                    raise
                if fp.is_empty:
                    continue
                fps.append(fp)
                pieces[(category, layer)] += _clip(fp, core)
                if category == "wall":
                    total = stats.setdefault(layer, {})
                    for key, value in fp_stats.items():
                        total[key] = total.get(key, 0) + value
            walls = union_of(fps) if fps else None
            found = []
            if walls is not None and not drawn_rooms:
                near = None
                if openings is not None:
                    near = shapely.geometrycollections(openings[open_tree.query(reach_box)])
                found = enclosed_spaces(walls, near, within=reach_box)
                if found:
                    corner = shapely.bounds(np.asarray(found, dtype=object))[:, :2]
                    mine = (corner >= core[:2]).all(axis=1) & (corner < core[2:]).all(axis=1)
                    self.cell_spaces += [p for p, m in zip(found, mine, strict=True) if m]
            if need_floor and walls is not None:
                outlines = found + ([drawn_rooms[i][1] for i in outline_tree.query(reach_box)] if outline_tree else [])
                footprint = shapely.intersection(fill_holes(union_of([walls, *outlines])), core_box)
                if not footprint.is_empty:
                    self.cell_floor.append(footprint)
            del fps, walls, found
            release_memory()
            progress("geometry", 0.4 + 0.2 * (n + 1) / len(cells), f"walls and rooms, cell {n + 1} of {len(cells)}")
        height = opts["wall_height"]
        for category, layer, _ in layers:
            for cat, mesh, _ in footprint_meshes(category, pieces.get((category, layer), []), {}, height):
                self.add_world_node(category, cat, layer, mesh)
        for layer_stats in stats.values():
            layer_stats["cells"] = len(cells)
        return stats

    def room_candidates(self) -> list[tuple[str, Polygon]]:
        """(layer, outline) of the rooms drawn as such (closed outlines, fills)."""
        candidates = []
        for layer, items in self.world.get("room", {}).items():
            rings, _, _ = items.geometry()
            candidates += [(layer, p) for p in rings + list(items.fills)]
        return candidates

    def floor_footprint(self):
        """The floors drawn on floor layers, merged."""
        if self._floor is None:
            self._floor = union_of(
                [union_of(fixture_polygons(items, 0.0, True)) for items in self.world.get("floor", {}).values()]
            )
        return self._floor

    def rooms_and_floor(self, walls, texts: list[PlanText]) -> None:
        scene = self.scene
        candidates = self.room_candidates()
        in_cells = self.cell_spaces is not None
        if in_cells and not candidates:
            candidates = [("", p) for p in self.cell_spaces]
        # door leaves and swings close the openings (no need to merge them first)
        openings = shapely.geometrycollections(self.openings) if self.openings and not candidates else None
        rooms, outlines = find_rooms(candidates, texts, walls, openings)
        for node in room_nodes(rooms):
            scene.add(node)
        floor = self.floor_footprint()
        layer = next(iter(self.world.get("floor", {})), "")
        if floor.is_empty and self.opts["floor"]:
            # the footprint of the building: walls and rooms with their holes filled
            if in_cells:
                floor = self.cell_floor
            else:
                floor = fill_holes(union_of([g for g in [walls, *outlines] if g is not None]))
        if len(floor) if isinstance(floor, list) else not floor.is_empty:
            scene.add(Node("floor", "floor", layer, Mesh.extrude(floor, -FLOOR_SLAB, 0.0)))
        # the plan's shapes are in the scene now
        self.world, self.openings, self.cell_spaces, self.cell_floor = {}, [], None, []
