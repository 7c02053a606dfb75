"""Where the building is on the sheet: the drawing's clusters of geometry.

A sheet holds the floor plan and often more: elevations, sections, a roof plan,
a legend, the title block, a stray entity left at the origin of a georeferenced
plan. Each drawn item is given as a polyline (points in plan metres); items whose
ink comes within ``gap`` of each other belong to one cluster. The main cluster
is the heaviest (items weigh what their layer says about them: walls, doors and
windows count more than notes); clusters lying inside the main one's box
(furniture in a hall, a free-standing column) go with it. Everything else is left
out and reported.

Linear in the number of points: the ink is sampled into a grid of cells half
the ``gap`` wide and the occupied cells are labelled by their 8-neighbourhood.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.errors import ConversionError

#: at most this many samples along all items together: a huge stray is coarsened, not a blow-up
MAX_SAMPLES = 4_000_000


#: the help of the formats' ``cluster`` option
CHOICE_HELP = (
    "which drawing of the sheet to model: auto (the floor plan and what lies inside it),"
    " all (everything drawn), or N (the report's N-th cluster)"
)


def parse_choice(value) -> str:
    """A ``cluster`` option's value checked: "auto", "all" or a cluster's number.
    Raises ValueError."""
    choice = str(value if value is not None else "auto").strip().lower()
    if choice in ("auto", "all") or (choice.isdigit() and int(choice) > 0):
        return choice
    raise ValueError("cluster must be auto, all or a cluster's number (1, 2, ...)")


@dataclass
class Cluster:
    rank: int  # 1 = the heaviest
    items: np.ndarray  # indices of the items in it
    weight: float  # ink length times what its layers say, summed
    lo: np.ndarray  # (2,) plan metres
    hi: np.ndarray
    kind: float = 1.0  # what its layers say, per metre of ink (walls 3, notes 0.2)


@dataclass
class Clusters:
    clusters: list[Cluster]  # heaviest first
    label: np.ndarray  # (n,) rank of each item's cluster, 0 for an item without points
    kept: np.ndarray  # (n,) bool: in the building

    @property
    def main(self) -> Cluster | None:
        return self.clusters[0] if self.clusters else None


def _samples(points: np.ndarray, offsets: np.ndarray, step: float) -> tuple[np.ndarray, np.ndarray]:
    """Points along every polyline at most ``step`` apart, with the item of each."""
    n = len(offsets) - 1
    sizes = np.diff(offsets)
    item_of_point = np.repeat(np.arange(n), sizes)
    if len(points) < 2:
        return points, item_of_point
    a, b = points[:-1], points[1:]
    same = item_of_point[:-1] == item_of_point[1:]
    a, b, seg_item = a[same], b[same], item_of_point[:-1][same]
    length = np.hypot(*(b - a).T)
    pieces = np.ceil(length / step).astype(np.int64)
    total = int(pieces.sum())
    if total > MAX_SAMPLES:  # coarsen evenly rather than sample without bound
        pieces = np.ceil(pieces * (MAX_SAMPLES / total)).astype(np.int64)
    pieces = np.maximum(pieces, 1)
    seg = np.repeat(np.arange(len(a)), pieces)
    start = np.repeat(np.cumsum(pieces) - pieces, pieces)
    t = ((np.arange(len(seg)) - start) / pieces[seg])[:, None]
    inner = a[seg] + (b[seg] - a[seg]) * t
    return np.concatenate([points, inner]), np.concatenate([item_of_point, seg_item[seg]])


def _label_cells(cells: np.ndarray) -> np.ndarray:
    """Connected components of occupied grid cells (8-neighbourhood): a label per cell."""
    key = cells[:, 0] * (1 << 32) + cells[:, 1]
    order = np.argsort(key)
    key_sorted = key[order]
    label = np.arange(len(cells))
    neighbours = []
    for dx, dy in ((1, 0), (0, 1), (1, 1), (1, -1)):
        want = (cells[:, 0] + dx) * (1 << 32) + (cells[:, 1] + dy)
        pos = np.clip(np.searchsorted(key_sorted, want), 0, len(key_sorted) - 1)
        hit = key_sorted[pos] == want
        neighbours.append((np.flatnonzero(hit), order[pos[hit]]))
    while True:
        before = label.copy()
        for i, j in neighbours:
            low = np.minimum(label[i], label[j])
            np.minimum.at(label, i, low)
            np.minimum.at(label, j, low)
        label = label[label]  # pointer jumping: long chains settle in a few rounds
        if np.array_equal(label, before):
            return label


def find_clusters(
    points: np.ndarray, offsets: np.ndarray, weight: np.ndarray, gap: float, ink: np.ndarray | None = None
) -> Clusters:
    """Clusters of the items ``points[offsets[i]:offsets[i+1]]`` (plan metres,
    finite), each weighing ``weight`` (what its layer says) per metre of ``ink``
    (default: its polyline's length; at least 1 cm)."""
    n = len(offsets) - 1
    if n == 0 or not len(points):
        return Clusters([], np.zeros(n, dtype=np.int64), np.ones(n, dtype=bool))
    # cells half the gap wide: ink closer than half the gap always joins, ink
    # farther apart than 1.5 gaps never does
    cell = gap / 2
    samples, item = _samples(points, offsets, cell)
    cells = np.floor((samples - samples.min(axis=0)) / cell).astype(np.int64)
    unique, cell_of_sample = np.unique(cells, axis=0, return_inverse=True)
    cell_label = _label_cells(unique)
    sample_label = cell_label[cell_of_sample.ravel()]
    # an item belongs to the cluster of its first point (its samples are connected)
    first = np.full(n, -1, dtype=np.int64)
    first[item[::-1]] = sample_label[::-1]
    has = first >= 0
    if ink is None:
        step = np.hypot(*np.diff(points, axis=0).T)
        same = np.repeat(np.arange(n), np.diff(offsets))
        ink = np.bincount(same[1:][same[1:] == same[:-1]], weights=step[same[1:] == same[:-1]], minlength=n)
    ink = np.maximum(np.asarray(ink, dtype=float), 0.01)
    groups, group_of_item = np.unique(first[has], return_inverse=True)
    mass = np.bincount(group_of_item, weights=weight[has] * ink[has], minlength=len(groups))
    kind = mass / np.bincount(group_of_item, weights=ink[has], minlength=len(groups))
    lo = np.full((len(groups), 2), np.inf)
    hi = np.full((len(groups), 2), -np.inf)
    group_of_sample = np.searchsorted(groups, sample_label)
    valid = groups[np.clip(group_of_sample, 0, len(groups) - 1)] == sample_label
    for axis in (0, 1):
        np.minimum.at(lo[:, axis], group_of_sample[valid], samples[valid, axis])
        np.maximum.at(hi[:, axis], group_of_sample[valid], samples[valid, axis])
    by_mass = np.argsort(-mass, kind="stable")
    rank_of_group = np.empty(len(groups), dtype=np.int64)
    rank_of_group[by_mass] = np.arange(1, len(groups) + 1)
    label = np.zeros(n, dtype=np.int64)
    label[has] = rank_of_group[group_of_item]
    items = np.flatnonzero(has)
    order = np.argsort(group_of_item, kind="stable")
    bounds = np.searchsorted(group_of_item[order], np.arange(len(groups) + 1))
    members = [items[order[bounds[g] : bounds[g + 1]]] for g in range(len(groups))]
    clusters = [
        Cluster(int(rank_of_group[g]), members[g], float(mass[g]), lo[g], hi[g], float(kind[g])) for g in by_mass
    ]
    return Clusters(clusters, label, np.ones(n, dtype=bool))


def _gap_between(lo: np.ndarray, hi: np.ndarray, other_lo: np.ndarray, other_hi: np.ndarray) -> float:
    """The distance between two boxes (0 when they overlap)."""
    apart = np.maximum(0.0, np.maximum(lo - other_hi, other_lo - hi))
    return float(np.hypot(*apart))


def select(
    found: Clusters,
    choice: str | int = "auto",
    margin: float = 0.0,
    grow: float = 0.1,
    part_weight: float = 2.5,
    min_part: float = 2.0,
    part_reach: float = 10.0,
) -> Clusters:
    """Mark what is kept: "all", the cluster of rank ``choice``, or ("auto") the main
    cluster with the clusters that belong to it:

    - those lying inside its box, grown by ``margin`` plus ``grow`` times its size
      (furniture in a hall, a wall's outer face drawn apart; a sheet's frame, much
      bigger than the plan, is not inside);
    - pieces of the building drawn apart (a wing, a lone wall), one by one, each
      growing the building: no farther from it than ``part_reach`` times its size,
      at least ``min_part`` across, and drawn on the building's
      own layers (``part_weight`` or more per metre of ink: walls, doors, windows), unlike
      a legend's swatch, a scale bar, a note or a stray far away.
    """
    n = len(found.label)
    if choice == "all" or not found.clusters:
        found.kept = np.ones(n, dtype=bool)
        return found
    rank = int(choice) if choice != "auto" else 1
    if rank > len(found.clusters):
        raise ConversionError(
            "invalid_options",
            f"cluster={rank}, but the drawing has {len(found.clusters)} clusters (see the report)",
            stage="geometry",
        )
    main = found.clusters[rank - 1]
    size = float((main.hi - main.lo).max())
    reach = margin + grow * size
    lo, hi = main.lo - reach, main.hi + reach
    keep = {main.rank} | {c.rank for c in found.clusters if ((c.lo >= lo) & (c.hi <= hi)).all()}
    # pieces on the building's layers, big enough: each that comes near grows the building
    pieces = [
        c
        for c in found.clusters
        if c.rank not in keep and c.kind >= part_weight and min_part <= float(np.hypot(*(c.hi - c.lo)))
    ]
    building_lo, building_hi = main.lo.copy(), main.hi.copy()
    grew = True
    while grew and pieces:
        grew = False
        for c in list(pieces):
            size = float((building_hi - building_lo).max())
            if _gap_between(c.lo, c.hi, building_lo, building_hi) <= part_reach * size:
                keep.add(c.rank)
                pieces.remove(c)
                building_lo, building_hi = np.minimum(building_lo, c.lo), np.maximum(building_hi, c.hi)
                grew = True
    found.kept = np.isin(found.label, sorted(keep)) | (found.label == 0)
    return found
