"""Raster masks -> shapely polygons, in pixel coordinates (x = column, y = row).

A mask is run-length encoded row by row; runs that repeat unchanged on the next
row are stacked into one rectangle, so an axis-aligned wall becomes a handful of
rectangles whatever its length, and GEOS unions those. Simplifying afterwards
takes the pixel staircase off slanted edges. Numpy and shapely only.
"""

from __future__ import annotations

import math

import numpy as np
import shapely
from shapely import affinity
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry


def runs(mask: np.ndarray) -> np.ndarray:
    """Horizontal runs of True as rows ``(y, x0, x1)`` (x1 exclusive), row-major."""
    m = np.ascontiguousarray(mask, dtype=bool)
    h, w = m.shape
    padded = np.zeros((h, w + 2), dtype=np.int8)
    padded[:, 1:-1] = m
    d = np.diff(padded, axis=1)
    ys, x0 = np.nonzero(d == 1)
    _, x1 = np.nonzero(d == -1)
    return np.column_stack([ys, x0, x1]).astype(np.int64)


def rectangles(mask: np.ndarray) -> np.ndarray:
    """The mask as disjoint rectangles ``(x0, y0, x1, y1)``: runs stacked over rows."""
    r = runs(mask)
    if not len(r):
        return np.zeros((0, 4), dtype=np.int64)
    order = np.lexsort((r[:, 0], r[:, 2], r[:, 1]))  # by x0, then x1, then y
    r = r[order]
    same = (r[1:, 1] == r[:-1, 1]) & (r[1:, 2] == r[:-1, 2]) & (r[1:, 0] == r[:-1, 0] + 1)
    starts = np.concatenate([[True], ~same])
    group = np.cumsum(starts) - 1
    first = np.nonzero(starts)[0]
    last = np.concatenate([first[1:] - 1, [len(r) - 1]])
    del group
    return np.column_stack([r[first, 1], r[first, 0], r[first, 2], r[last, 0] + 1])


def polygons(mask: np.ndarray, *, min_area: float = 0.0, simplify: float = 0.0) -> list[Polygon]:
    """Connected regions of ``mask`` as polygons (holes kept), at least ``min_area``
    square pixels, simplified to ``simplify`` pixels."""
    rects = rectangles(mask)
    if not len(rects):
        return []
    union = shapely.union_all(shapely.box(rects[:, 0], rects[:, 1], rects[:, 2], rects[:, 3]))
    parts = [p for p in shapely.get_parts(union) if isinstance(p, Polygon) and p.area >= max(min_area, 1.0)]
    if simplify > 0 and parts:
        simplified = shapely.simplify(np.asarray(parts, dtype=object), simplify, preserve_topology=True)
        parts = [p for p in simplified if not p.is_empty and p.area > 0]
    return parts


def _sharpness(xs: np.ndarray, ys: np.ndarray, degrees: float) -> float:
    """How crisply the points stack into rows and columns once turned by -degrees."""
    t = math.radians(degrees)
    c, s = math.cos(t), math.sin(t)
    xr, yr = xs * c + ys * s, ys * c - xs * s
    rows = np.bincount((yr - yr.min()).astype(np.int64))
    cols = np.bincount((xr - xr.min()).astype(np.int64))
    return float((rows.astype(np.float64) ** 2).sum() + (cols.astype(np.float64) ** 2).sum())


def skew(mask: np.ndarray, *, max_deg: float = 3.0, samples: int = 40_000) -> float:
    """The page's skew in degrees (the direction of its walls in pixel coordinates,
    against the nearest axis), by projection profiles: walls run mostly along two
    axes, so their pixels stack into the sharpest row and column histograms when
    turned back by the skew. 0 when the mask holds too little."""
    ys, xs = np.nonzero(mask)
    if len(xs) < 500:
        return 0.0
    if len(xs) > samples:
        pick = np.random.default_rng(0).choice(len(xs), samples, replace=False)
        xs, ys = xs[pick], ys[pick]
    xs = xs.astype(np.float64) - xs.mean()
    ys = ys.astype(np.float64) - ys.mean()
    best = max(np.arange(-max_deg, max_deg + 1e-9, 0.1), key=lambda d: _sharpness(xs, ys, d))
    fine = np.arange(best - 0.1, best + 0.1 + 1e-9, 0.01)
    return round(float(max(fine, key=lambda d: _sharpness(xs, ys, d))), 3)


def rotate(geoms: list[BaseGeometry], degrees: float, origin: tuple[float, float]) -> list[BaseGeometry]:
    if not degrees or math.isclose(degrees, 0.0, abs_tol=1e-9):
        return list(geoms)
    return [affinity.rotate(g, degrees, origin=origin) for g in geoms]
