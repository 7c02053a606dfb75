"""Plan geometry in bulk: unions, prisms, thinness and enclosed spaces of many
pieces at once give what the one-at-a-time shapely operations give."""

from __future__ import annotations

import time

import numpy as np
import pytest
import shapely
from shapely.geometry import GeometryCollection, LineString, MultiPolygon, Point, Polygon, box

from core.convert import geometry
from tests.dxf_factory import edge_use

L_SHAPE = Polygon([(0, 0), (2, 0), (2, 0.5), (0.5, 0.5), (0.5, 1.5), (0, 1.5)])
HOLED = box(0, 0, 10, 10).difference(box(2, 2, 4, 4)).difference(box(6, 6, 8, 8))


def _volume(mesh) -> float:
    p = mesh.positions[mesh.indices]
    return float(np.einsum("ij,ij->i", p[:, 0], np.cross(p[:, 1], p[:, 2])).sum() / 6)


def _pieces(seed: int, n: int = 300) -> list[Polygon]:
    rng = np.random.default_rng(seed)
    boxes = [box(x, y, x + w, y + h) for x, y, w, h in rng.uniform([0, 0, 0.1, 0.1], [40, 40, 3, 3], (n, 4))]
    discs = [Point(x, y).buffer(r, quad_segs=4) for x, y, r in rng.uniform([0, 0, 0.1], [40, 40, 1.5], (n // 3, 3))]
    return boxes + discs


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_union_of_many_pieces_is_their_union(seed):
    pieces = _pieces(seed)
    fast, slow = geometry.union_of(pieces), shapely.union_all(pieces)
    assert fast.is_valid
    assert fast.symmetric_difference(slow).area < 1e-6 * slow.area


def test_union_of_a_tiling_with_a_few_overlaps():
    tiles = [box(x, y, x + 1, y + 1) for x in range(40) for y in range(20) if (x + y) % 3]
    extra = [box(3.5, 3.5, 4.5, 6.2), Point(12, 5).buffer(0.7)]
    fast, slow = geometry.union_of(tiles + extra), shapely.union_all(tiles + extra)
    assert fast.is_valid and fast.symmetric_difference(slow).area < 1e-9


def test_union_of_a_coverage_and_of_one_geometry():
    tiles = [box(x, y, x + 1, y + 1) for x in range(10) for y in range(5)]
    assert geometry.union_of(tiles).equals(box(0, 0, 10, 5))
    assert geometry.union_of([HOLED]) is HOLED
    assert geometry.union_of([]).is_empty and geometry.union_of([Polygon(), None]).is_empty


@pytest.mark.parametrize("geom", [box(0, 0, 1, 1), L_SHAPE, HOLED, MultiPolygon([box(0, 0, 1, 1), box(2, 2, 3, 3)])])
def test_extrude_gives_closed_outward_solids(geom):
    mesh = geometry.extrude(geom, 0.5, 3.0)
    assert set(edge_use(mesh.indices).keys()) == {2}
    assert _volume(mesh) == pytest.approx(geom.area * 2.5)


def test_extrude_each_one_mesh_per_geometry():
    geoms = [box(0, 0, 1, 1), Polygon(), L_SHAPE, GeometryCollection([HOLED, LineString([(0, 0), (1, 1)])])]
    meshes = geometry.extrude_each(geoms, 0.0, 0.02)
    assert len(meshes) == 4 and meshes[1].is_empty
    for geom, mesh in zip(geoms, meshes, strict=True):
        if not geom.is_empty:
            assert set(edge_use(mesh.indices).keys()) == {2}
            assert _volume(mesh) == pytest.approx(geom.area * 0.02)
    # overlapping polygons are each closed by themselves
    both = geometry.extrude([box(0, 0, 2, 2), box(1, 1, 3, 3)], 0, 1)
    assert _volume(both) == pytest.approx(8.0)


def test_surface_each_faces_up():
    meshes = geometry.surface_each([L_SHAPE, HOLED, Polygon()], 0.02)
    for geom, mesh in zip([L_SHAPE, HOLED], meshes[:2], strict=True):
        p = mesh.positions[mesh.indices]
        cross = np.cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0])
        assert (cross[:, 2] > 0).all() and np.allclose(p[..., 2], 0.02)
        assert cross[:, 2].sum() / 2 == pytest.approx(geom.area)
    assert meshes[2].is_empty
    # fanned and earcut polygons mixed: each mesh holds its own triangles
    shapes = [L_SHAPE, box(0, 0, 1, 1), HOLED, box(5, 5, 6, 7), L_SHAPE]
    for geom, mesh in zip(shapes, geometry.surface_each(shapes, 0.0), strict=True):
        p = mesh.positions[mesh.indices]
        assert np.cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0])[:, 2].sum() / 2 == pytest.approx(geom.area)


def test_is_thin_agrees_with_an_inner_buffer():
    rng = np.random.default_rng(4)
    shapes = [box(0, 0, 0.6, 0.6), L_SHAPE, Point(0, 0).buffer(0.29), Point(0, 0).buffer(0.31), Polygon()]
    shapes += [Point(x, y).buffer(r) for x, y, r in rng.uniform(0, 1, (60, 3))]
    shapes += [
        shapely.affinity.rotate(box(0, 0, w, h), a)
        for w, h, a in zip(rng.uniform(0.3, 1, 120), rng.uniform(0.3, 3, 120), rng.uniform(0, 90, 120), strict=True)
    ]
    shapes += [p.difference(box(0.2, 0.2, 0.5, 0.5)) for p in shapes[-40:]]
    truth = shapely.is_empty(shapely.buffer(np.asarray(shapes, dtype=object), -0.3))
    assert (geometry.is_thin(shapes, 0.6) == truth).all()


def test_free_faces_between_walls_that_touch_at_corners():
    # four rooms of 4 x 4 m; wall pieces meet only at their corners, as paired
    # double lines leave them; a door gap in the middle wall closed by a strip
    t = 0.1
    walls = []
    for c in (0, 4, 8):
        walls += [box(c - t, t, c + t, 4 - t), box(c - t, 4 + t, c + t, 8 - t)]
        walls += [box(t, c - t, 4 - t, c + t), box(4 + t, c - t, 8 - t, c + t)]
    walls = [w for w in walls if not (w.bounds[1] == 4 - t and w.bounds[0] > 4)]
    walls += [box(4 + t, 4 - t, 5, 4 + t), box(6, 4 - t, 8 - t, 4 + t)]  # a door gap from x 5 to 6
    open_plan = geometry.free_faces(walls)
    rooms = open_plan[shapely.area(open_plan) > 1]
    assert sorted(np.round(shapely.area(rooms), 2).tolist()) == [14.44, 14.44, round(14.44 * 2 + 2 * t, 2)]
    strip = LineString([(5, 4), (6, 4)]).buffer(0.01, cap_style="square")
    closed = geometry.free_faces(walls, [strip])
    areas = sorted(np.round(shapely.area(closed[shapely.area(closed) > 1]), 2).tolist())
    assert areas == [14.44, 14.44, 14.53, 14.53]  # the two by the door reach into its gap


def test_free_faces_cut_from_a_frame_match_the_arrangement():
    rng = np.random.default_rng(5)
    walls = [box(x, y, x + 0.2, y + 6) for x, y in rng.uniform(0, 40, (60, 2))]
    walls += [box(x, y, x + 6, y + 0.2) for x, y in rng.uniform(0, 40, (60, 2))]
    strips = [LineString([(x, y), (x + 3, y + 1)]).buffer(0.01) for x, y in rng.uniform(0, 40, (20, 2))]
    fast = geometry.free_faces(walls, strips)
    parts = np.concatenate([geometry._snapped_parts(walls), geometry._snapped_parts(strips)])
    sure = geometry._free_faces_noded(parts)
    big = [f for f in fast if f.area > 0.01], [f for f in sure if f.area > 0.01]
    assert len(big[0]) == len(big[1]) > 5
    assert shapely.union_all(big[0]).symmetric_difference(shapely.union_all(big[1])).area < 1e-6


def _segments_of(rng, n: int, size: float, length: tuple[float, float], tilt_deg: float = 0.0) -> np.ndarray:
    """``n`` wall-like segments in a square of ``size``: mostly along the axes,
    tilted by up to ``tilt_deg``, a few at any angle."""
    start = rng.uniform(0, size, (n, 2))
    angle = rng.integers(0, 2, n) * np.pi / 2 + np.radians(rng.uniform(-tilt_deg, tilt_deg, n))
    loose = rng.random(n) < 0.1
    angle[loose] = rng.uniform(0, np.pi, loose.sum())
    d = np.column_stack([np.cos(angle), np.sin(angle)]) * rng.uniform(*length, n)[:, None]
    return np.stack([start, start + d], axis=1)


def _every_pair_in_reach(segs, u, length, min_gap, max_gap, angle_tol_deg):
    """The exhaustive candidates: every parallel pair within ``max_gap``, shorter first."""
    lines = shapely.linestrings(segs)
    i, j = shapely.STRtree(lines).query(lines, predicate="dwithin", distance=max_gap)
    keep = (i < j) & (np.abs(np.einsum("ij,ij->i", u[i], u[j])) > np.cos(np.radians(angle_tol_deg)))
    i, j = i[keep], j[keep]
    swap = length[j] < length[i]
    return np.where(swap, j, i), np.where(swap, i, j)


@pytest.mark.parametrize(("seed", "size", "tilt"), [(1, 30.0, 0.0), (2, 30.0, 3.0), (3, 3.0, 2.5), (4, 0.3, 3.0)])
def test_pair_parallel_finds_what_an_exhaustive_search_finds(monkeypatch, seed, size, tilt):
    """Searching along each segment's normal, nearest lines first, misses no pair an
    exhaustive search finds: on plans at full scale, dense ones and a sheet at
    paper scale, with lines tilted up to the tolerance."""
    rng = np.random.default_rng(seed)
    segs = _segments_of(rng, 1500, size, (0.01 * size, 0.2 * size), tilt)
    quads, used = geometry.pair_parallel(segs, 0.03, 0.6)
    monkeypatch.setattr(geometry, "_side_by_side", _every_pair_in_reach)
    sure_quads, sure_used = geometry.pair_parallel(segs, 0.03, 0.6)
    assert len(sure_quads) > 20
    assert (used == sure_used).all()
    assert sorted(shapely.to_wkb(shapely.normalize(quads))) == sorted(shapely.to_wkb(shapely.normalize(sure_quads)))


def test_crowded_pieces_are_told_from_tilings_and_scattered_ones():
    rng = np.random.default_rng(6)
    tiles = np.array([box(x, y, x + 1, y + 1) for x in range(30) for y in range(30)])
    scattered = np.array([Point(x, y).buffer(0.3) for x, y in rng.uniform(0, 100, (900, 2))])
    sheet = shapely.buffer(shapely.linestrings(_segments_of(rng, 900, 0.3, (0.003, 0.06))), 0.1, cap_style="flat")
    assert not geometry._crowded(tiles) and not geometry._crowded(scattered)
    assert geometry._crowded(sheet)
    fast, slow = geometry.union_of(sheet), shapely.union_all(sheet)
    assert fast.is_valid and fast.symmetric_difference(slow).area < 1e-9


def test_walls_of_a_sheet_drawn_at_paper_scale_are_quick():
    """A 1/100 sheet in millimetres read as metres is 0.4 m wide: every line lies
    within a wall's thickness of every other. Pairing and unions stay near linear."""
    rng = np.random.default_rng(7)
    segs = _segments_of(rng, 4000, 0.4, (0.001, 0.05))
    started = time.perf_counter()
    footprint, stats = geometry.walls_from_linework(list(segs), default_thickness=0.2)
    assert time.perf_counter() - started < 45  # 6 s here; 95 s when every pair in reach was examined
    assert footprint.is_valid and footprint.area > 0.1 and stats["double_line_pairs"] > 0
