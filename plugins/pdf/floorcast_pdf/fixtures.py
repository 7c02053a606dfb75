"""What the thin strokes of a vector page draw besides clutter: door swings,
windows bridging the gaps in the walls, and hatched floors (plan metres)."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import shapely
from shapely.geometry import LineString, Polygon

from floorcast_pdf.paths import Path

#: door swings: radius range (metres) and sweep (degrees)
DOOR_RADIUS_M = (0.45, 2.2)
DOOR_SWEEP_DEG = (75.0, 105.0)
#: windows: length (metres) of the lines that bridge a gap in the walls
WINDOW_M = (0.3, 6.0)
#: a hatch is at least this many parallel strokes
HATCH_MIN_LINES = 6


def doors_of(paths: list[Path], walls) -> tuple[list[Polygon], list[LineString]]:
    """Door swings: (the sectors they sweep, the lines across their openings). The
    opening runs from the hinge to whichever end of the swing lies on a wall."""
    doors, openings = [], []
    for p in paths:
        for arc in p.arcs:
            if not (
                DOOR_RADIUS_M[0] <= arc.radius <= DOOR_RADIUS_M[1]
                and DOOR_SWEEP_DEG[0] <= arc.sweep <= DOOR_SWEEP_DEG[1]
            ):
                continue
            sector = shapely.make_valid(Polygon([tuple(arc.centre), *map(tuple, arc.points)]))
            if sector.is_empty or sector.area < 0.05:
                continue
            doors.append(sector)
            ends = [arc.points[0], arc.points[-1]]
            if walls is not None and not walls.is_empty:
                ends.sort(key=lambda e: walls.distance(shapely.Point(e)))
            openings.append(LineString([tuple(arc.centre), tuple(ends[0])]))
    return doors, openings


def hatches_of(paths: list[Path]) -> tuple[list[Polygon], set[int]]:
    """Runs of thin parallel straight strokes, in drawing order, not joined end to
    end: a hatch pattern. Its region is the hull of the strokes. Returns the
    regions and the ids of the paths in them."""
    runs: list[tuple[list[np.ndarray], set[int]]] = []
    key = None
    for p in paths:
        if p.arcs or not p.lines or len(p.lines) != sum(len(s) - 1 for s in p.subpaths):
            key = None
            continue
        for seg in p.lines:
            d = seg[1] - seg[0]
            length = float(np.hypot(*d))
            if length < 1e-6:
                continue
            angle = round(float(np.degrees(np.arctan2(d[1], d[0]))) % 180, 0) % 180
            style = (round(p.width_pt, 2), p.stroke, angle)
            joined = runs and key == style and np.abs(runs[-1][0][-1][1] - seg[0]).sum() < 1e-6
            if key == style and not joined:
                runs[-1][0].append(seg)
                runs[-1][1].add(id(p))
            else:
                runs.append(([seg], {id(p)}))
                key = style
    hatches, used = [], set()
    for run, ids in runs:
        if len(run) < HATCH_MIN_LINES:
            continue
        hull = shapely.convex_hull(shapely.multipoints(np.concatenate(run)))
        if isinstance(hull, Polygon) and hull.area > 1.0:
            hatches.append(hull)
            used |= ids
    return hatches, used


def windows_of(paths: list[Path], walls, max_thickness: float) -> list[Polygon]:
    """Windows: thin straight lines bridging a gap in the walls (both ends on a wall,
    the middle clear of it), the parallel ones across one gap taken together as
    the window's box."""
    if walls is None or walls.is_empty:
        return []
    segs = [seg for p in paths if not p.arcs for seg in p.lines]
    if not segs:
        return []
    arr = np.asarray(segs, dtype=float).reshape(-1, 2, 2)
    span = np.hypot(*(arr[:, 1] - arr[:, 0]).T)
    arr = arr[(span >= WINDOW_M[0]) & (span <= WINDOW_M[1])]
    if not len(arr):
        return []
    shapely.prepare(walls)
    near = shapely.buffer(walls, 0.03)
    shapely.prepare(near)
    # cheapest tests first: both ends on a wall, then the middle clear of it
    arr = arr[
        shapely.contains_xy(near, arr[:, 0, 0], arr[:, 0, 1]) & shapely.contains_xy(near, arr[:, 1, 0], arr[:, 1, 1])
    ]
    lines = shapely.linestrings(arr) if len(arr) else np.empty(0, dtype=object)
    if len(arr):
        length = shapely.length(lines)
        clear = shapely.distance(walls, shapely.points(arr.mean(axis=1))) >= 0.25 * length
        arr, lines, length = arr[clear], lines[clear], length[clear]
    if len(arr):
        inside = shapely.length(shapely.intersection(lines, walls)) / np.maximum(length, 1e-9)
        arr, lines = arr[inside < 0.2], lines[inside < 0.2]
    if not len(arr):
        return []
    # parallel lines across the same gap: one window
    u = (arr[:, 1] - arr[:, 0]) / shapely.length(lines)[:, None]
    a, b = shapely.STRtree(lines).query(lines, predicate="dwithin", distance=max_thickness)
    same = np.abs(u[a, 0] * u[b, 1] - u[a, 1] * u[b, 0]) < 0.05
    parent = list(range(len(arr)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in zip(a[same].tolist(), b[same].tolist(), strict=True):
        parent[root(i)] = root(j)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(arr)):
        groups[root(i)].append(i)
    windows = []
    for members in groups.values():
        box = shapely.minimum_rotated_rectangle(shapely.multipoints(arr[members].reshape(-1, 2)))
        if not isinstance(box, Polygon) or box.area < 0.01:
            box = shapely.union_all(shapely.buffer(lines[members], 0.05, cap_style="flat"))
        windows.extend(g for g in shapely.get_parts(box) if isinstance(g, Polygon))
    return windows
