"""Plan geometry -> closed triangle meshes, shared by the format plugins.

Everything here works in plan metres with Z up and returns :class:`core.scene.Mesh`
solids whose triangles wind counter-clockwise seen from outside. Solids share
vertices along their edges (no per-face splitting) so each one is a closed
2-manifold: every edge belongs to exactly two triangles. The GLB writer leaves
normals out, so viewers shade them flat as glTF requires.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import mapbox_earcut
import numpy as np
import shapely
from shapely.geometry import LineString, MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from core.scene import Mesh

#: grid (metres) that linework and outlines snap to so that nearly-touching
#: endpoints from CAD drafting meet and unions stay robust
SNAP = 1e-4


def polygons_of(geom: BaseGeometry | None) -> list[Polygon]:
    """The non-empty polygons inside any geometry (collections flattened)."""
    if geom is None or geom.is_empty:
        return []
    parts = shapely.get_parts(geom)
    out: list[Polygon] = []
    for part in parts:
        if isinstance(part, Polygon):
            if part.area > 1e-9:
                out.append(part)
        elif isinstance(part, MultiPolygon) or part.geom_type == "GeometryCollection":
            out.extend(polygons_of(part))
    return out


def clean(geom: BaseGeometry) -> BaseGeometry:
    """Valid, snapped, without collinear vertices (they make sliver triangles)."""
    geom = shapely.make_valid(geom)
    geom = shapely.set_precision(geom, SNAP)
    return geom.simplify(0)


def triangulate(poly: Polygon) -> tuple[np.ndarray, np.ndarray, list[tuple[int, int]]]:
    """Earcut a polygon with holes: (vertices (N, 2), triangles (M, 3) CCW, rings).

    ``rings`` lists (start, count) of each ring in the vertex array; the exterior
    comes first and winds CCW, holes wind CW (shapely's orient sign 1).
    """
    poly = shapely.geometry.polygon.orient(poly, 1.0)
    rings = [np.asarray(poly.exterior.coords)[:-1, :2]]
    rings += [np.asarray(r.coords)[:-1, :2] for r in poly.interiors]
    rings = [r for r in rings if len(r) >= 3]
    verts = np.ascontiguousarray(np.concatenate(rings), dtype=np.float64)
    counts = [len(r) for r in rings]
    ends = np.cumsum(counts).astype(np.uint32)
    starts = ends - np.asarray(counts, dtype=np.uint32)
    tris = mapbox_earcut.triangulate_float64(verts, ends).astype(np.int64).reshape(-1, 3)
    if len(tris):
        # earcut's output winding is not part of its contract: make every triangle CCW
        a, b, c = verts[tris[:, 0]], verts[tris[:, 1]], verts[tris[:, 2]]
        area2 = (b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0])
        flip = area2 < 0
        tris[flip] = tris[flip][:, ::-1]
    return verts, tris, list(zip(starts.tolist(), counts, strict=True))


def extrude(geom: BaseGeometry, bottom: float, top: float) -> Mesh:
    """Closed prism(s) of every polygon in ``geom`` between heights bottom and top."""
    if top <= bottom:
        raise ValueError("extrude: top must be above bottom")
    meshes = []
    for poly in polygons_of(clean(geom)):
        verts, tris, rings = triangulate(poly)
        if not len(tris):
            continue  # earcut gave up on a degenerate outline: skip it rather than leak
        n = len(verts)
        positions = np.concatenate(
            [np.column_stack([verts, np.full(n, bottom)]), np.column_stack([verts, np.full(n, top)])]
        )
        sides = []
        for start, count in rings:
            i = start + np.arange(count)
            j = start + (np.arange(count) + 1) % count
            # exterior CCW / holes CW => (i, j, j') faces away from the material
            sides.append(np.column_stack([i, j, j + n]))
            sides.append(np.column_stack([i, j + n, i + n]))
        indices = np.concatenate([tris[:, ::-1], tris + n, *sides])
        meshes.append(Mesh(positions, indices))
    return merge_meshes(meshes)


def slab(geom: BaseGeometry, top: float, thickness: float) -> Mesh:
    """A floor slab whose upper face is at ``top`` (the walking surface)."""
    return extrude(geom, top - thickness, top)


def merge_meshes(meshes: Iterable[Mesh]) -> Mesh:
    """One mesh holding all triangles; indices shifted by each mesh's vertex offset."""
    meshes = [m for m in meshes if m is not None and not m.is_empty]
    if not meshes:
        return Mesh.empty()
    if len(meshes) == 1:
        return meshes[0]
    offsets = np.cumsum([0] + [len(m.positions) for m in meshes[:-1]])
    return Mesh(
        np.concatenate([m.positions for m in meshes]),
        np.concatenate([m.indices.astype(np.int64) + off for m, off in zip(meshes, offsets, strict=True)]),
    )


def fill_holes(geom: BaseGeometry) -> BaseGeometry:
    """The outline of each polygon without its holes (a building's footprint)."""
    return shapely.union_all([Polygon(p.exterior) for p in polygons_of(geom)])


# -- walls from linework ---------------------------------------------------------


def _as_lines(lines: Iterable[LineString | Sequence]) -> np.ndarray:
    geoms = [ln if isinstance(ln, BaseGeometry) else LineString(ln) for ln in lines]
    geoms = [g for g in geoms if not g.is_empty and g.length > 0]
    return shapely.set_precision(np.asarray(geoms, dtype=object), SNAP)


def centreline_walls(lines: Iterable[LineString | Sequence], thickness: float) -> BaseGeometry:
    """Footprint of walls drawn as centre lines: flat ends (door jambs stay where
    drawn), mitred corners where lines meet end to end."""
    geoms = _as_lines(lines)
    if not len(geoms):
        return Polygon()
    # node, then re-chain: separate LINEs meeting at a corner get a mitred corner
    merged = shapely.line_merge(shapely.union_all(geoms))
    parts = shapely.get_parts(merged)
    return shapely.union_all(shapely.buffer(parts, thickness / 2, cap_style="flat", join_style="mitre", mitre_limit=3))


def _segments(parts: np.ndarray) -> np.ndarray:
    coords, idx = shapely.get_coordinates(parts, return_index=True)
    same = idx[:-1] == idx[1:]
    return np.stack([coords[:-1][same], coords[1:][same]], axis=1)


def pair_parallel(
    segs: np.ndarray, min_gap: float, max_gap: float, angle_tol_deg: float = 3.0
) -> tuple[list[Polygon], np.ndarray]:
    """Walls drawn as two parallel lines: the quads between mutually nearest parallel
    segments ``min_gap..max_gap`` apart, and a mask of the segments used."""
    used = np.zeros(len(segs), dtype=bool)
    if len(segs) < 2:
        return [], used
    a, d = segs[:, 0], segs[:, 1] - segs[:, 0]
    length = np.hypot(d[:, 0], d[:, 1])
    u = d / np.maximum(length, 1e-12)[:, None]
    tree = shapely.STRtree(shapely.linestrings(segs))
    i, j = tree.query(shapely.linestrings(segs), predicate="dwithin", distance=max_gap)
    keep = i < j
    i, j = i[keep], j[keep]
    parallel = np.abs(np.einsum("ij,ij->i", u[i], u[j])) > np.cos(np.radians(angle_tol_deg))
    i, j = i[parallel], j[parallel]

    def cross(v, w):
        return v[:, 0] * w[:, 1] - v[:, 1] * w[:, 0]

    s0, s1 = cross(u[i], segs[j, 0] - a[i]), cross(u[i], segs[j, 1] - a[i])
    gap = (np.abs(s0) + np.abs(s1)) / 2
    t0 = np.einsum("ij,ij->i", u[i], segs[j, 0] - a[i])
    t1 = np.einsum("ij,ij->i", u[i], segs[j, 1] - a[i])
    lo = np.maximum(0, np.minimum(t0, t1))
    hi = np.minimum(length[i], np.maximum(t0, t1))
    ok = (
        (np.sign(s0) == np.sign(s1))
        & (gap >= min_gap)
        & (gap <= max_gap)
        & (hi - lo > 0.5 * np.minimum(length[i], length[j]))
    )
    i, j, s, gap, lo, hi = i[ok], j[ok], (s0[ok] + s1[ok]) / 2, gap[ok], lo[ok], hi[ok]
    if not len(i):
        return [], used
    # mutual nearest: a third parallel line further away must not pair too
    nearest = np.full(len(segs), np.inf)
    np.minimum.at(nearest, i, gap)
    np.minimum.at(nearest, j, gap)
    best = (gap <= nearest[i] + 1e-3) & (gap <= nearest[j] + 1e-3)
    i, u_i, a_i, s, lo, hi = i[best], u[i[best]], a[i[best]], s[best], lo[best], hi[best]
    normal = np.column_stack([-u_i[:, 1], u_i[:, 0]])
    p0, p1 = a_i + u_i * lo[:, None], a_i + u_i * hi[:, None]
    quads = np.stack([p0, p1, p1 + normal * s[:, None], p0 + normal * s[:, None]], axis=1)
    used[i] = True
    used[j[best]] = True
    return list(shapely.polygons(quads)), used


def walls_from_linework(
    lines: Iterable[LineString | Sequence],
    *,
    default_thickness: float,
    max_thickness: float = 0.6,
    min_thickness: float = 0.03,
) -> tuple[BaseGeometry, dict]:
    """Footprint of walls drawn as any mix of centre lines and double lines.

    1. Faces enclosed by the linework that are thin everywhere (narrower than
       ``max_thickness``) are wall bodies: double-line walls with closed ends.
    2. Leftover segments that run parallel ``min..max_thickness`` apart are paired
       into wall quads (double lines with open ends at door gaps).
    3. Whatever is left is a centre line of ``default_thickness``.
    Returns (footprint, counts of each kind).
    """
    geoms = _as_lines(lines)
    if not len(geoms):
        return Polygon(), {}
    parts = shapely.get_parts(shapely.union_all(geoms))  # noded at every crossing
    faces = shapely.get_parts(shapely.polygonize(parts))
    thin = faces[shapely.is_empty(shapely.buffer(faces, -max_thickness / 2))] if len(faces) else faces
    thin = thin[shapely.area(thin) > min_thickness**2] if len(thin) else thin
    thin_union = shapely.union_all(thin) if len(thin) else Polygon()
    segs = _segments(parts)
    if not thin_union.is_empty and len(segs):
        mids = shapely.points(segs.mean(axis=1))
        segs = segs[~shapely.dwithin(mids, thin_union, 10 * SNAP)]
    quads, used = pair_parallel(segs, min_thickness, max_thickness)
    rest = segs[~used]
    centre = centreline_walls(list(shapely.linestrings(rest)), default_thickness) if len(rest) else Polygon()
    footprint = shapely.union_all([thin_union, *quads, centre])
    stats = {"closed_faces": int(len(thin)), "double_line_pairs": len(quads), "centre_lines": int(len(rest))}
    return footprint, stats


# -- solid walls from outlines ---------------------------------------------------


def is_thin(geoms, max_thickness: float) -> np.ndarray:
    """For each geometry: whether it is narrower than ``max_thickness`` everywhere."""
    return shapely.is_empty(shapely.buffer(np.asarray(geoms, dtype=object), -max_thickness / 2))


def fill_outlines(rings: list[Polygon], max_thickness: float) -> tuple[list[Polygon], list[LineString]]:
    """Closed outlines drawn as walls, filled even-odd (an outline inside an outline
    is a hole): the building's outer and inner wall faces become one solid.

    Returns (solids, lines): thin filled regions are wall bodies; fat ones (a room
    outline drawn with the walls) give back their boundary as lines, for
    :func:`walls_from_linework` to treat like any other wall line.
    """
    if not rings:
        return [], []
    edges = shapely.union_all([r.boundary for r in rings])
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(edges)))
    if not len(faces):
        return [], []
    inside = shapely.STRtree(rings).query(shapely.point_on_surface(faces), predicate="within")
    hits = np.bincount(inside[0], minlength=len(faces))
    filled = polygons_of(shapely.union_all(faces[hits % 2 == 1]))
    if not filled:
        return [], []
    thin = is_thin(filled, max_thickness)
    solids = [p for p, t in zip(filled, thin, strict=True) if t]
    lines = [ln for p, t in zip(filled, thin, strict=True) if not t for ln in shapely.get_parts(p.boundary)]
    return solids, lines
