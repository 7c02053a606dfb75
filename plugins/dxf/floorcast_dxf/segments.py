"""The drawing's line segments with their layers, for judging what layers hold
and how thick walls are drawn: model space as drawn, block content at its
placements' (median) scale; drawing units."""

from __future__ import annotations

import numpy as np

from floorcast_dxf.blocks import Placements


def layer_segments(shapes, placements: dict[int, Placements]) -> tuple[np.ndarray, np.ndarray]:
    """(segments (N, 2, 2), layer of each); content of blocks never placed is left out."""
    owner_scale = {
        b: float(np.median(np.sqrt(np.abs(np.linalg.det(pl.matrices[:, :2, :2])))))
        for b, pl in placements.items()
        if len(pl.matrices)
    }
    shape_of_point = np.repeat(np.arange(len(shapes)), np.diff(shapes.offsets))
    same = shape_of_point[:-1] == shape_of_point[1:]
    first = shape_of_point[:-1][same]
    factor = np.array([1.0 if o == -1 else owner_scale.get(int(o), 0.0) for o in shapes.owner.tolist()])
    segments = np.stack([shapes.points[:-1][same], shapes.points[1:][same]], axis=1) * factor[first][:, None, None]
    placed = factor[first] > 0
    return segments[placed], shapes.layer[first][placed]
