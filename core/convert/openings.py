"""The openings walls leave, closed: where a door or a window is drawn as a gap
(no leaf, no swing, a window on a layer of its own, an R12 plan, a PDF), the
rooms on either side would leak into each other or into the outside and never
come out as rooms.

A wall's end is a short edge of the wall outline (a cap, no wider than a wall is
thick); two caps facing each other across an empty gap of door or window width
are bridged by the quadrilateral between them.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

#: a cap is an edge of the wall outline this long (m): as wide as a wall is thick
#: (grown by the corner gap, see :func:`core.convert.plan_rules.enclosed_spaces`)
CAP = (0.04, 1.0)
#: the gap (m) between two caps that is an opening: a door to a wide window
GAP = (0.3, 2.6)
#: how parallel two caps must be (|cos| of their angle), and how square to them the gap
PARALLEL = 0.9
SQUARE = 0.35


def _edges(walls: BaseGeometry) -> tuple[np.ndarray, np.ndarray]:
    """(starts, ends) of every edge of the walls' outlines, (N, 2) each."""
    polygons = shapely.get_parts(np.asarray([walls], dtype=object))
    polygons = polygons[shapely.get_type_id(polygons) == 3]
    if not len(polygons):
        return np.zeros((0, 2)), np.zeros((0, 2))
    polygons = shapely.simplify(polygons, 0.01)
    rings = np.concatenate([shapely.get_exterior_ring(polygons), *_interiors(polygons)])
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    same = ring_of[:-1] == ring_of[1:]
    return coords[:-1][same], coords[1:][same]


def _interiors(polygons: np.ndarray) -> list[np.ndarray]:
    counts = shapely.get_num_interior_rings(polygons)
    return [shapely.get_interior_ring(polygons[counts > k], k) for k in range(int(counts.max(initial=0)))]


def bridges(walls: BaseGeometry | None) -> list:
    """Quadrilaterals closing the openings between facing wall ends."""
    if walls is None or walls.is_empty:
        return []
    a, b = _edges(walls)
    length = np.hypot(*(b - a).T)
    cap = (length >= CAP[0]) & (length <= CAP[1])
    a, b, length = a[cap], b[cap], length[cap]
    if len(a) < 2:
        return []
    mid = (a + b) / 2
    along = (b - a) / length[:, None]
    tree = shapely.STRtree(shapely.points(mid))
    i, j = tree.query(shapely.points(mid), predicate="dwithin", distance=GAP[1])
    pair = i < j
    i, j = i[pair], j[pair]
    gap = mid[j] - mid[i]
    dist = np.hypot(*gap.T)
    ok = (dist >= GAP[0]) & (dist <= GAP[1])
    i, j, gap, dist = i[ok], j[ok], gap[ok], dist[ok]
    unit = gap / dist[:, None]
    facing = (np.abs((along[i] * along[j]).sum(axis=1)) >= PARALLEL) & (np.abs((unit * along[i]).sum(axis=1)) <= SQUARE)
    i, j, dist, unit = i[facing], j[facing], dist[facing], unit[facing]
    if not len(i):
        return []
    # the gap is empty: just past each cap, and halfway, there is no wall
    prepared = walls
    shapely.prepare(prepared)
    probes = np.concatenate([mid[i] + 0.05 * unit, mid[j] - 0.05 * unit, (mid[i] + mid[j]) / 2])
    inside = shapely.contains_xy(prepared, probes[:, 0], probes[:, 1]).reshape(3, -1).any(axis=0)
    i, j, dist = i[~inside], j[~inside], dist[~inside]
    # each cap bridges to its nearest partner only
    order = np.argsort(dist, kind="stable")
    used: set[int] = set()
    quads = []
    for k in order.tolist():
        p, q = int(i[k]), int(j[k])
        if p in used or q in used:
            continue
        used.update((p, q))
        quad = shapely.convex_hull(shapely.multipoints([a[p], b[p], a[q], b[q]]))
        if shapely.get_type_id(quad) == 3:
            quads.append(quad)
    return quads
