"""The DXF converter: ``convert(source, options, progress) -> Scene``.

parse: the streaming scanner reads ASCII files; binary DXF, damaged files and
anything the scanner declines go through ezdxf (strict, then recover mode).
geometry: units, block placements, curves flattened, layers classified, then
walls, windows, doors, fixtures, rooms and the floor. The preflight report (units,
layers with their category and state, counts, XREFs, warnings, seconds per step)
goes into ``Scene.report``.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from core.plugin_api import CATEGORIES, PlanText, Progress, Scene
from floorcast_dxf.blocks import Placements, place
from floorcast_dxf.build import ROOM_TEXT_COPIES, Builder, release_memory
from floorcast_dxf.building import locate
from floorcast_dxf.door_swings import door_radii
from floorcast_dxf.explode import explode_single
from floorcast_dxf.ezread import from_document
from floorcast_dxf.flatten import flatten
from floorcast_dxf.layers import BLOCK_CATEGORIES, Classifier
from floorcast_dxf.markers import require_eof
from floorcast_dxf.options import parse_options
from floorcast_dxf.raw import RawDrawing
from floorcast_dxf.reader import read_document
from floorcast_dxf.scan import ScanError, ocs_points, scan
from floorcast_dxf.units import check_by_doors, detect_units, sheet_scale
from floorcast_dxf.unnamed_layers import judge_unnamed

#: a text inside a fixture (a desk number, a door tag) does not name a room
FIXTURE_CATEGORIES = set(BLOCK_CATEGORIES)
CHORD_M = 0.01  # curves flattened to 1 cm chords


def read(path: Path, reader: str = "auto") -> RawDrawing:
    """The plan data of a DXF file: the scanner first, ezdxf when it declines."""
    require_eof(path)
    declined = "reader option"
    if reader == "auto":
        try:
            return scan(path)
        except ScanError as exc:
            declined = str(exc)
    doc, warnings = read_document(path)
    raw = from_document(doc)
    raw.reader = "ezdxf-recover" if warnings else "ezdxf"
    raw.warnings = warnings + raw.warnings
    raw.declined = declined  # type: ignore[attr-defined]
    return raw


def _sample_points(raw: RawDrawing) -> tuple[np.ndarray, np.ndarray]:
    """(points (N, 2), owner of each): a few points of every entity, drawing units."""
    pts, owners = [], []
    t = raw.table("lines")
    pts += [np.column_stack([t["x1"], t["y1"]]), np.column_stack([t["x2"], t["y2"]])]
    owners += [t["owner"], t["owner"]]
    pl, vt = raw.table("polylines"), raw.table("verts")
    if len(pl["start"]):
        pts.append(np.column_stack([vt["x"], vt["y"]]))
        owners.append(np.repeat(pl["owner"], pl["count"]) if pl["count"].sum() == len(vt["x"]) else np.zeros(0))
        if len(owners[-1]) != len(pts[-1]):  # vertices out of order: first vertex only
            pts[-1] = np.column_stack([vt["x"][pl["start"]], vt["y"][pl["start"]]])
            owners[-1] = pl["owner"]
    for name, (x, y) in (("arcs", ("cx", "cy")), ("ellipses", ("cx", "cy")), ("solids", ("x0", "y0"))):
        t = raw.table(name)
        pts.append(np.column_stack([t[x], t[y]]))
        owners.append(t["owner"])
    starts = [(h.owner, xy) for h in raw.hatches if (xy := _hatch_start(h)) is not None]
    pts.append(np.array([xy for _, xy in starts], dtype=float).reshape(-1, 2))
    owners.append(np.array([owner for owner, _ in starts], dtype=np.int64))
    p = np.concatenate(pts) if pts else np.zeros((0, 2))
    o = np.concatenate(owners).astype(np.int64) if owners else np.zeros(0, dtype=np.int64)
    ok = np.isfinite(p).all(axis=1)
    return p[ok], o[ok]


def _hatch_start(hatch) -> tuple[float, float] | None:
    """A point of a hatch's boundary in plan (drawing units), None when it has none.
    Its edges are tuples of different shapes (:class:`floorcast_dxf.raw.Hatch`)."""
    for loop in hatch.loops:
        for edge in loop:
            kind = edge[0]
            if kind == "poly":
                xy = edge[1][:1, :2]
            elif kind == "spline":  # control points, else fit points
                xy = (edge[2] if len(edge[2]) else edge[5])[:1]
            else:  # a line's start, an arc's or an ellipse's centre
                xy = np.array([[edge[1], edge[2]]], dtype=float)
            if len(xy):
                if tuple(hatch.extrusion) != (0.0, 0.0, 1.0):
                    xy = ocs_points(xy, hatch.extrusion)
                return float(xy[0, 0]), float(xy[0, 1])
    return None


def _extent_points(raw: RawDrawing, placements: dict[int, Placements]) -> np.ndarray:
    """Points in plan (drawing units) spanning everything drawn: model space and
    the corners of each block's content at each of its placements."""
    pts, owners = _sample_points(raw)
    out = [pts[owners == -1]]
    for b, pl in placements.items():
        mine = pts[owners == b]
        if not len(mine):
            continue
        lo, hi = mine.min(axis=0), mine.max(axis=0)
        corners = np.array([[lo[0], lo[1], 1], [hi[0], lo[1], 1], [hi[0], hi[1], 1], [lo[0], hi[1], 1]])
        step = 250_000
        for s in range(0, len(pl.matrices), step):
            placed = np.einsum("nij,cj->nci", pl.matrices[s : s + step], corners)[..., :2].reshape(-1, 2)
            # only the extremes matter for the extent; keep the cloud small
            out.append(placed if len(placed) <= 4000 else placed[np.random.default_rng(0).choice(len(placed), 4000)])
            out.append(np.array([placed.min(axis=0), placed.max(axis=0)]))
    allpts = np.concatenate(out) if out else np.zeros((0, 2))
    return allpts[np.isfinite(allpts).all(axis=1)]


def _inlier_box(points: np.ndarray, factor: float = 4.0) -> tuple[np.ndarray, np.ndarray] | None:
    """The box holding the drawing without far-away strays (a detail sheet or a
    stray entity at the origin of a georeferenced plan would shrink the building
    to a dot); None when nothing is far."""
    if len(points) < 20:
        return None
    med = np.median(points, axis=0)
    dist = np.abs(points - med).max(axis=1)
    reach = factor * max(float(np.percentile(dist, 90)), 1e-9)
    near = dist <= reach
    if near.all():
        return None
    return points[near].min(axis=0), points[near].max(axis=0)


def convert(source: Path, options: dict, progress: Progress) -> Scene:
    opts = parse_options(options)
    clock = time.perf_counter()
    seconds: dict[str, float] = {}
    progress("parse", 0.05, "reading DXF")
    raw = read(Path(source), opts["reader"])
    release_memory()  # the scanner's chunks: back to the system before the blocks are placed
    seconds["parse"] = time.perf_counter() - clock
    progress("parse", 1.0, f"{sum(raw.entity_counts.values())} entities ({raw.reader})")

    clock = time.perf_counter()
    classifier: Classifier = opts["classifier"]
    warnings: list[str] = list(raw.warnings)
    layer0 = raw.layer_names.index("0") if "0" in raw.layer_names else -1
    frozen = {i for i, n in enumerate(raw.layer_names) if n in raw.layers and raw.layers[n].frozen}
    block_category = [CATEGORIES.index(c) if (c := classifier.block(b.name)) else -1 for b in raw.blocks]
    placements = place(raw, frozen, block_category, layer0, warnings)
    blocks_report = {
        "defined": sum(1 for b in raw.blocks if b.defined and not b.layout),
        "placed": len(placements),
        "placements": int(sum(len(p.matrices) for p in placements.values())),
    }
    ins = raw.table("inserts")  # the rest of it went into the placements
    raw.tables["inserts"] = {c: ins[c] for c in ("block", "layer", "owner")}
    del ins

    points = _extent_points(raw, placements)
    box = _inlier_box(points)
    if box is not None:
        points = points[((points >= box[0]) & (points <= box[1])).all(axis=1)]
    lo, hi = (points.min(axis=0), points.max(axis=0)) if len(points) else (np.zeros(2), np.zeros(2))
    size = float((hi - lo).max()) if len(points) else 0.0
    units, scale, units_source, unit_warnings = detect_units(raw.insunits, size, opts["units"])
    layer_info = [classifier.layer(name) for name in raw.layer_names]
    door_layers = {i for i, (category, _, _) in enumerate(layer_info) if category == "door"}
    by_doors = check_by_doors(door_radii(raw, placements, door_layers, block_category), units, scale, units_source)
    if by_doors is not None:
        units, scale, units_source, unit_warnings = by_doors
    on_sheet = sheet_scale(opts["scale"], size, units, scale, units_source)
    if on_sheet is not None:
        units, scale, units_source, more = on_sheet
        unit_warnings = [w for w in unit_warnings if "guessed" not in w] + more
    scene = Scene(units=units, scale_to_m=scale, units_source=units_source)

    tolerance = CHORD_M / scale
    block_scale = {b: float(np.abs(pl.matrices[:, :2, :2]).sum(axis=1).max()) for b, pl in placements.items()}

    def tol_of_owner(owners: np.ndarray) -> np.ndarray:
        owners = np.asarray(owners)
        if not len(owners):
            return np.zeros(0)
        factors = np.ones(len(owners))
        for b in np.unique(owners[owners >= 0]).tolist():
            factors[owners == b] = max(block_scale.get(b, 1.0), 1e-9)
        return tolerance / factors

    shapes = flatten(raw, tol_of_owner)
    explode_single(shapes, placements, raw.texts, block_category, layer0)
    warnings += [w for w in raw.warnings if w not in warnings]
    located = locate(shapes, placements, [c for c, _, _ in layer_info], raw.layer_names, scale, opts["cluster"])
    warnings += located.warnings
    if not located.keep_shapes.all():
        _keep_shapes(shapes, located.keep_shapes)
    shapes.fills = [f for f, keep in zip(shapes.fills, located.keep_fills, strict=True) if keep]
    placements = located.placements
    kept = [c for c in located.report if c["kept"]]
    if kept:  # the extent the report gives is the building's
        lo = np.min([c["box"][0] for c in kept], axis=0) / scale
        hi = np.max([c["box"][1] for c in kept], axis=0) / scale
    progress("geometry", 0.1, "classifying layers")

    layer_cat = [c for c, _, _ in layer_info]
    explicit = [src != "name" for _, src, _ in layer_info]
    used = set(shapes.layer.tolist()) | {lid for _, lid, _ in shapes.fills}
    used |= {int(x) for pl in placements.values() for x in np.unique(pl.inherit).tolist() if x >= 0}
    builder = Builder(scene, raw, shapes, placements, layer_cat, scale, opts)
    unnamed = sorted(i for i in used if layer_cat[i] == "other")
    if not any(layer_cat[i] == "wall" for i in used) and unnamed:
        texts_per_layer = np.bincount([t.layer for t in raw.texts], minlength=len(raw.layer_names))
        judged = judge_unnamed(shapes, placements, unnamed, texts_per_layer, scale)
        walls = [raw.layer_names[i] for i, (category, _) in judged.items() if category == "wall"]
        if walls:
            for i, (category, why) in judged.items():
                layer_cat[i], layer_info[i] = category, (category, "content", why)
            warnings.append(
                f"no layer is named like a wall layer; by what they hold, {', '.join(walls[:10])} are walls"
                " (set the layers option to classify them)"
            )
        else:
            warnings.append(
                "no layer is named like a wall layer and none holds walls' parallel lines; linework on"
                " unclassified layers is used as walls (set the layers option to classify them)"
            )
            builder.other_is_wall = True
            layer_cat = ["wall" if c == "other" else c for c in layer_cat]
        builder.layer_cat = layer_cat
    builder.run(explicit)
    texts = _room_texts(raw, placements, layer_cat, builder, scale)
    counts = np.bincount(shapes.layer[shapes.owner == -1], minlength=len(raw.layer_names))
    ins = raw.table("inserts")
    counts += np.bincount(ins["layer"][ins["owner"] == -1], minlength=len(raw.layer_names))[: len(counts)]
    # what the blocks and shapes were read into is built now: let it go before the walls
    del ins, shapes, placements
    builder.shapes = builder.placements = None
    raw.tables, raw.hatches, raw.splines = {}, [], []
    release_memory()
    progress("geometry", 0.4, "walls")
    result = builder.world_nodes(progress)
    progress("geometry", 0.8, "rooms")
    builder.rooms_and_floor(result["walls"], texts)
    release_memory()
    progress("geometry", 1.0, None)
    seconds["geometry"] = time.perf_counter() - clock

    for warning in warnings + unit_warnings:
        scene.warn(warning)
    hidden = raw.hidden_layers()
    scene.report = {
        "dxf_version": raw.version,
        "reader": raw.reader,
        **({"reader_note": raw.declined} if hasattr(raw, "declined") else {}),
        "units": {"name": units, "scale_to_m": scale, "source": units_source, "insunits": raw.insunits},
        "extent_drawing_units": [lo.tolist(), hi.tolist()] if len(points) else None,
        "clusters": located.report,
        "dropped": located.dropped,
        "layers": {
            name: {
                "category": layer_cat[i],
                "source": layer_info[i][1],
                "why": layer_info[i][2],
                "state": _state(raw, name),
                "entities": int(counts[i]),
            }
            for i, name in sorted(enumerate(raw.layer_names), key=lambda x: x[1])[:1000]
            if name in raw.layers or counts[i] or i in hidden
        },
        "entities": dict(raw.entity_counts.most_common()),
        "block_entities": dict(raw.block_entity_counts.most_common()),
        "blocks": {**blocks_report, "instanced": builder.instanced},
        "xrefs": raw.xrefs(),
        "skipped": dict(raw.skipped.most_common()),
        "walls": result["stats"],
        "labels": len(texts),
        "rooms": sum(1 for n in scene.nodes if n.category == "room" and n.label),
        "seconds": {k: round(v, 3) for k, v in seconds.items()},
        "warnings": list(scene.warnings),
    }
    if raw.xrefs():
        scene.warn(
            f"{len(raw.xrefs())} external references (XREFs) are not included: "
            + ", ".join(x["path"] or x["block"] for x in raw.xrefs()[:5])
        )
        scene.report["warnings"] = list(scene.warnings)
    return scene


def _state(raw: RawDrawing, name: str) -> str:
    layer = raw.layers.get(name)
    if layer is None:
        return "on"
    return "frozen" if layer.frozen else "off" if layer.off else "on"


def _keep_shapes(shapes, keep: np.ndarray) -> None:
    sizes = np.diff(shapes.offsets)
    point_keep = np.repeat(keep, sizes)
    shapes.points = shapes.points[point_keep]
    shapes.offsets = np.concatenate([[0], np.cumsum(sizes[keep])]).astype(np.int64)
    shapes.closed, shapes.width = shapes.closed[keep], shapes.width[keep]
    shapes.layer, shapes.owner = shapes.layer[keep], shapes.owner[keep]


def _room_texts(raw: RawDrawing, placements, layer_cat, builder, scale: float) -> list[PlanText]:
    """Texts that may name a room, in plan metres: not inside doors, furniture..."""
    hidden = raw.hidden_layers()
    ins = raw.table("inserts")
    out = []
    for t in raw.texts:
        if t.layer in hidden or layer_cat[t.layer] in FIXTURE_CATEGORIES:
            continue
        if t.insert >= 0:
            b = int(ins["block"][t.insert])
            block = raw.blocks[b] if b >= 0 else None
            if (
                block is None
                or builder.opts["classifier"].block(block.name)
                or layer_cat[int(ins["layer"][t.insert])] in FIXTURE_CATEGORIES
            ):
                continue
        if t.owner == -1 or t.insert >= 0:
            if t.owner == -1:
                out.append(PlanText(t.text, t.x * scale, t.y * scale, raw.layer_names[t.layer]))
            continue
        pl = placements.get(t.owner)
        if pl is None or len(pl.matrices) > ROOM_TEXT_COPIES:
            continue
        for m, cat in zip(pl.matrices, pl.category, strict=True):
            if cat >= 0:
                continue
            x, y = m[:2, :2] @ (t.x, t.y) + m[:2, 2]
            out.append(PlanText(t.text, float(x) * scale, float(y) * scale, raw.layer_names[t.layer]))
    return out
