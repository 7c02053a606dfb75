"""Filling many small convex polygons at once (triangles, blocks' outlines).

Pillow fills a polygon in about 2 us, which is 2 s for a million chairs' and
walls' triangles. Most of a big plan's polygons cover a few pixels at preview
size: those are filled here in bulk with numpy (the pixel centres in each one's
box tested against its edges, plus its corners and centre so a sliver still
shows), and only the bigger ones go to Pillow one by one.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

#: polygons spanning fewer pixels than this are filled in bulk
SMALL = 6
#: numbers held at once by the bulk test (polygons x samples)
CHUNK = 3_000_000


def fill(image: Image.Image, polygons: np.ndarray, colour) -> None:
    """Fill convex ``polygons`` (count, k, 2), given in pixels, with ``colour``."""
    if not len(polygons):
        return
    lo, hi = corner_bounds(polygons)
    small = (hi - lo).max(axis=1) < SMALL
    if small.any():
        mask = small_mask(polygons[small], image.size)
        image.paste(colour, mask=Image.fromarray(mask))
    big = polygons[~small]
    draw = ImageDraw.Draw(image)
    for flat in big.reshape(len(big), 2 * polygons.shape[1]).tolist():
        draw.polygon(flat, fill=colour)


def corner_bounds(polygons: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(count, 2) lowest and highest corner coordinates of each polygon: a loop
    over the few corners, since numpy reduces a short axis slowly."""
    lo, hi = polygons[:, 0].copy(), polygons[:, 0].copy()
    for i in range(1, polygons.shape[1]):
        np.minimum(lo, polygons[:, i], out=lo)
        np.maximum(hi, polygons[:, i], out=hi)
    return lo, hi


def small_mask(polygons: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """The pixels (height, width) that small convex ``polygons`` cover; pixel
    centres are at whole coordinates, as Pillow draws them."""
    width, height = size
    mask = np.zeros((height, width), dtype=bool)

    def mark(points: np.ndarray) -> None:
        cells = np.rint(points.reshape(-1, 2)).astype(np.int64)
        ok = (cells[:, 0] >= 0) & (cells[:, 0] < width) & (cells[:, 1] >= 0) & (cells[:, 1] < height)
        mask[cells[ok, 1], cells[ok, 0]] = True

    low, high = corner_bounds(polygons)
    mark((low + high) / 2)
    mark(polygons)
    lo = np.floor(low)
    side = (np.ceil(high) - lo).max(axis=1).astype(np.int64) + 1
    corners = polygons.shape[1]
    for n in np.unique(side):
        if n <= 1:
            continue
        gx, gy = (g.ravel().astype(np.float32) for g in np.meshgrid(np.arange(n), np.arange(n)))
        chosen = side == n
        these, base = polygons[chosen].astype(np.float32), lo[chosen].astype(np.float32)
        step = max(1, CHUNK // len(gx))
        for start in range(0, len(these), step):
            poly, at = these[start : start + step], base[start : start + step]
            ex, ey = (np.roll(poly, -1, axis=1) - poly).transpose(2, 0, 1)  # (m, k) each
            # a sample p is left of edge a->a+e when ex * (py - ay) - ey * (px - ax) > 0;
            # samples are the box corner plus the grid: the corner's part is per edge
            offset = ex * (at[:, 1, None] - poly[:, :, 1]) - ey * (at[:, 0, None] - poly[:, :, 0])  # (m, k)
            left = right = None
            for j in range(corners):  # inside: on one side of every edge, either winding
                cross = offset[:, j, None] + ex[:, j, None] * gy - ey[:, j, None] * gx  # (m, g)
                left = cross >= 0 if left is None else left & (cross >= 0)
                right = cross <= 0 if right is None else right & (cross <= 0)
            m, g = np.nonzero(left | right)
            mark(np.stack([at[m, 0] + gx[g], at[m, 1] + gy[g]], axis=-1))
    return mask
