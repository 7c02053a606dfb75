"""What a top view of a scene draws: each node's upward faces as 2D polygons.

A plugin's meshes are footprints extruded (earcut caps on top, walls around), so
the upward-facing triangles are the footprint itself and the rest adds nothing
seen from above: a third of the triangles, none of the walls' sides. Repeated
blocks (chairs, desks) are drawn copy by copy when that stays small, else as the
outline (convex hull) of the block moved to each copy: 100,000 chairs are a dot
each at preview size either way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.convert.scene import Node

#: copies x block triangles above which a repeated block is drawn by its outline
INSTANCE_TRIANGLES = 200_000


@dataclass
class Shapes:
    """Polygons of one node seen from above, in plan metres: ``polygons`` (count, k, 2)
    of ``k`` corners each (3 for triangles)."""

    node: Node
    polygons: np.ndarray


def upward_triangles(positions: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """(T, 3, 2) plan X/Y of the triangles facing up (counter-clockwise from above);
    all flat-lying ones when none faces up (a mesh drawn one-sided, facing down)."""
    tri = positions[indices][:, :, :2]
    if not len(tri):
        return np.zeros((0, 3, 2))
    e1, e2 = tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]
    area = e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0]
    up = area > 1e-12
    if not up.any():
        up = np.abs(area) > 1e-12
    return tri[up]


def _hull(points: np.ndarray) -> np.ndarray:
    """Convex hull (k, 2) of 2D points, counter-clockwise (monotone chain)."""
    pts = np.unique(points, axis=0)
    if len(pts) < 3:
        return pts

    def turn(o, a, b) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    def half(seq):
        out: list = []
        for p in seq:
            while len(out) >= 2 and turn(out[-2], out[-1], p) <= 0:
                out.pop()
            out.append(p)
        return out[:-1]

    return np.array(half(pts) + half(pts[::-1]))


def _moved(polygons: np.ndarray, instances: np.ndarray) -> np.ndarray:
    """``polygons`` (count, k, 2) placed by each instance matrix: (N * count, k, 2)."""
    linear, move = instances[:, :2, :2], instances[:, :2, 3]
    flat = polygons.reshape(-1, 2)
    placed = np.einsum("nij,pj->npi", linear, flat) + move[:, None, :]
    return placed.reshape(len(instances) * len(polygons), polygons.shape[1], 2)


def node_shapes(node: Node) -> Shapes | None:
    """The node's top view, or None when it draws nothing."""
    if not node.has_geometry:
        return None
    tris = upward_triangles(node.mesh.positions, node.mesh.indices)
    if node.instances is None or not len(tris):
        return Shapes(node, tris) if len(tris) else None
    if len(tris) * len(node.instances) <= INSTANCE_TRIANGLES:
        return Shapes(node, _moved(tris, node.instances))
    hull = _hull(tris.reshape(-1, 2))
    if len(hull) < 3:
        return None
    return Shapes(node, _moved(hull[None], node.instances))


def label_anchor(polygons: np.ndarray) -> np.ndarray | None:
    """Where a room's label goes, in plan metres: the area-weighted centre of its
    triangles when it lies inside the room (not in an L's elbow), else the centre
    of its largest triangle."""
    if polygons.shape[1] != 3 or not len(polygons):
        return None
    a, b, c = polygons[:, 0], polygons[:, 1], polygons[:, 2]
    area = np.abs((b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0])) / 2
    if area.sum() <= 0:
        return None
    centres = polygons.mean(axis=1)
    point = (centres * area[:, None]).sum(axis=0) / area.sum()
    return point if _inside_any(point, polygons) else centres[int(np.argmax(area))]


def _inside_any(point: np.ndarray, tris: np.ndarray) -> bool:
    a, b, c = tris[:, 0], tris[:, 1], tris[:, 2]

    def side(p, q):
        return (q[:, 0] - p[:, 0]) * (point[1] - p[:, 1]) - (q[:, 1] - p[:, 1]) * (point[0] - p[:, 0])

    d1, d2, d3 = side(a, b), side(b, c), side(c, a)
    neg = (d1 < 0) | (d2 < 0) | (d3 < 0)
    pos = (d1 > 0) | (d2 > 0) | (d3 > 0)
    return bool((~(neg & pos)).any())
