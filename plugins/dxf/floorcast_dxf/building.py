"""The building on the sheet: what the DXF converter models and what it leaves out.

Model-space entities (flattened shapes and fills) and block placements (the box of
the block's content where it is placed) are the items; :func:`core.plugin_api.find_clusters`
groups them. The converter keeps the main cluster (or the one the ``cluster``
option names, or all with ``cluster=all``) and drops the rest with a warning.
Entities with absurd coordinates (beyond any place on Earth) are dropped first:
one such stray must not turn the extent, the units guess or the model into noise.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from core.plugin_api import find_clusters, select_clusters
from floorcast_dxf.blocks import Placements

#: metres: ink closer than this belongs to one drawing
GAP_M = 2.0
#: metres from the plan's origin: beyond this a coordinate is no place on Earth
ABSURD_M = 1e8
#: how much an item's layer says it is part of a floor plan
WEIGHTS = {"wall": 3.0, "door": 3.0, "window": 3.0, "column": 2.0, "stair": 2.0, "annotation": 0.2}


@dataclass
class Located:
    keep_shapes: np.ndarray  # (len(shapes),) bool
    keep_fills: list[bool]
    placements: dict[int, Placements]
    report: list[dict] = field(default_factory=list)  # the clusters, heaviest first
    dropped: list[dict] = field(default_factory=list)  # what was left out, plan metres
    warnings: list[str] = field(default_factory=list)


def _block_boxes(shapes) -> dict[int, tuple[np.ndarray, np.ndarray, float]]:
    """(lo, hi, length of its lines) of each block's content, block units."""
    out = {}
    if not len(shapes) or not (shapes.owner >= 0).any():
        return out
    owner_of_point = np.repeat(shapes.owner, np.diff(shapes.offsets))
    shape_of_point = np.repeat(np.arange(len(shapes)), np.diff(shapes.offsets))
    ok = np.isfinite(shapes.points).all(axis=1) & (owner_of_point >= 0)
    step = np.hypot(*np.diff(shapes.points, axis=0).T)
    joined = (shape_of_point[1:] == shape_of_point[:-1]) & ok[1:] & ok[:-1]
    ink = np.bincount(owner_of_point[1:][joined], weights=step[joined]) if joined.any() else np.zeros(0)
    blocks = int(shapes.owner.max()) + 1
    lo, hi = np.full((blocks, 2), np.inf), np.full((blocks, 2), -np.inf)
    for axis in (0, 1):  # every block's box in one pass over the points
        np.minimum.at(lo[:, axis], owner_of_point[ok], shapes.points[ok, axis])
        np.maximum.at(hi[:, axis], owner_of_point[ok], shapes.points[ok, axis])
    ink = np.concatenate([ink, np.zeros(max(0, blocks - len(ink)))])
    for b in np.flatnonzero(np.isfinite(lo[:, 0])).tolist():
        out[b] = (lo[b], hi[b], float(ink[b]))
    return out


#: item kinds
SHAPE, FILL, PLACEMENT = 0, 1, 2


def _items(shapes, placements, layer_cat, scale):
    """Ragged polylines (plan metres) and per item: kind, index (shape, fill or
    block), copy (the placement's row), layer and weight."""
    pieces, sizes, kinds, index, copy, layers, weights, inks = [], [], [], [], [], [], [], []

    def weigh(layer: np.ndarray) -> np.ndarray:
        cats = np.array([WEIGHTS.get(c, 1.0) for c in layer_cat] + [1.0])
        return cats[np.where((layer >= 0) & (layer < len(layer_cat)), layer, len(layer_cat))]

    mine = shapes.owner == -1
    if mine.any():
        sizes_all = np.diff(shapes.offsets)
        pieces.append(shapes.points[np.repeat(mine, sizes_all)] * scale)
        sizes.append(sizes_all[mine])
        rows = np.flatnonzero(mine)
        kinds.append(np.full(len(rows), SHAPE))
        index.append(rows)
        copy.append(np.zeros(len(rows), dtype=np.int64))
        layers.append(shapes.layer[rows])
        weights.append(weigh(shapes.layer[rows]))
    for i, (owner, layer, polygon) in enumerate(shapes.fills):
        if owner != -1 or polygon.is_empty:
            continue
        ring = np.asarray(polygon.exterior.coords, dtype=float)[:, :2] * scale
        pieces.append(ring)
        sizes.append(np.array([len(ring)]))
        kinds.append(np.array([FILL]))
        index.append(np.array([i]))
        copy.append(np.zeros(1, dtype=np.int64))
        layers.append(np.array([layer]))
        weights.append(weigh(np.array([layer])))
    for b, (lo, hi, length) in _block_boxes(shapes).items():
        pl = placements.get(b)
        if pl is None or not len(pl.matrices):
            continue
        corners = np.array(
            [[lo[0], lo[1], 1], [hi[0], lo[1], 1], [hi[0], hi[1], 1], [lo[0], hi[1], 1], [lo[0], lo[1], 1]]
        )
        placed = np.einsum("nij,cj->nci", pl.matrices, corners)[..., :2] * scale  # (N, 5, 2)
        pieces.append(placed.reshape(-1, 2))
        sizes.append(np.full(len(placed), 5))
        kinds.append(np.full(len(placed), PLACEMENT))
        index.append(np.full(len(placed), b))
        copy.append(np.arange(len(placed)))
        layers.append(pl.inherit)
        weights.append(weigh(pl.inherit))
        inks.append((length * scale) * np.sqrt(np.abs(np.linalg.det(pl.matrices[:, :2, :2]))))
    if not pieces:
        empty = np.zeros(0, dtype=np.int64)
        return np.zeros((0, 2)), np.zeros(1, dtype=np.int64), empty, empty, empty, empty, np.zeros(0), np.zeros(0)
    points = np.concatenate(pieces)
    sizes = np.concatenate(sizes)
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    kinds = np.concatenate(kinds).astype(np.int64)
    # the ink of shapes and fills is their outline; a placement's is its block's lines
    item = np.repeat(np.arange(len(sizes)), sizes)
    step = np.hypot(*np.diff(points, axis=0).T)
    joined = item[1:] == item[:-1]
    ink = np.bincount(item[1:][joined], weights=step[joined], minlength=len(sizes))
    if inks:
        ink[kinds == PLACEMENT] = np.concatenate(inks)
    return (
        points,
        offsets,
        kinds,
        *(np.concatenate(x).astype(np.int64) for x in (index, copy, layers)),
        np.concatenate(weights).astype(float),
        ink,
    )


def locate(shapes, placements: dict[int, Placements], layer_cat, layer_names, scale: float, choice) -> Located:
    """Which shapes, fills and placements make the building (see the module's docs)."""
    points, offsets, kinds, index, copy, layers, weights, ink = _items(shapes, placements, layer_cat, scale)
    n = len(kinds)
    sizes = np.diff(offsets)
    located = Located(np.ones(len(shapes), dtype=bool), [True] * len(shapes.fills), dict(placements))

    def names_of(items: np.ndarray) -> list[str]:
        counts = np.bincount(layers[items][layers[items] >= 0], minlength=len(layer_names))
        return [layer_names[x] for x in np.argsort(-counts, kind="stable")[:5].tolist() if counts[x]]

    point_bad = ~(np.isfinite(points).all(axis=1) & (np.abs(points) < ABSURD_M).all(axis=1))
    item_ok = np.bincount(np.repeat(np.arange(n), sizes), weights=point_bad.astype(float), minlength=n) == 0
    if not item_ok.all():
        located.warnings.append(
            f"{int((~item_ok).sum())} entities with coordinates beyond {ABSURD_M:.0e} m were left out"
            f" (layers: {', '.join(names_of(np.flatnonzero(~item_ok))) or '?'})"
        )
    ok_rows = np.flatnonzero(item_ok)
    found = find_clusters(
        points[np.repeat(item_ok, sizes)],
        np.concatenate([[0], np.cumsum(sizes[item_ok])]).astype(np.int64),
        weights[item_ok],
        GAP_M,
        ink[item_ok],
    )
    select_clusters(found, choice, margin=GAP_M)
    kept = np.zeros(n, dtype=bool)
    kept[ok_rows] = found.kept
    for cluster in found.clusters[:50]:
        members = ok_rows[cluster.items]
        box = [[round(float(v), 3) for v in cluster.lo], [round(float(v), 3) for v in cluster.hi]]
        top = names_of(members)
        located.report.append(
            {
                "rank": cluster.rank,
                "entities": int(len(members)),
                "weight": round(cluster.weight, 1),
                "box": box,
                "layers": top,
                "kept": bool(kept[members].all()),
            }
        )
        if not kept[members].any():
            located.dropped.append({"layer": ", ".join(top[:3]), "count": int(len(members)), "box": box})
    drop = ~kept
    if not drop.any():
        return located
    located.keep_shapes[index[drop & (kinds == SHAPE)]] = False
    for i in index[drop & (kinds == FILL)].tolist():
        located.keep_fills[i] = False
    gone = np.flatnonzero(drop & (kinds == PLACEMENT))
    gone = gone[np.argsort(index[gone], kind="stable")]
    blocks, starts = np.unique(index[gone], return_index=True)
    for b, rows in zip(blocks.tolist(), np.split(gone, starts[1:]) if len(gone) else [], strict=True):
        pl = placements[b]
        near = np.ones(len(pl.matrices), dtype=bool)
        near[copy[rows]] = False
        located.placements[b] = Placements(pl.matrices[near], pl.inherit[near], pl.category[near])
    if not (drop & item_ok).any():
        return located
    main = found.main
    centre = (main.lo + main.hi) / 2 if main is not None else np.zeros(2)
    where = "; ".join(
        f"{d['count']} on {d['layer'] or '?'} {_distance(d['box'], centre)} from the building"
        for d in located.dropped[:5]
    )
    located.warnings.append(
        f"{int((drop & item_ok).sum())} entities apart from the building were left out"
        + (f" ({where})" if where else "")
        + "; the option cluster picks another drawing of the sheet, cluster=all keeps everything"
    )
    return located


def _distance(box, centre: np.ndarray) -> str:
    mid = (np.asarray(box[0]) + np.asarray(box[1])) / 2
    d = float(np.hypot(*(mid - centre)))
    return f"{d / 1000:.1f} km" if d >= 1000 else f"{d:.0f} m"
