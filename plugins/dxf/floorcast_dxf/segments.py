"""The drawing's line segments with their layers, for judging what layers hold
and how thick walls are drawn: model space as drawn, block content at its
placements' (median) scale; drawing units."""

from __future__ import annotations

import numpy as np

from floorcast_dxf.blocks import Placements


def layer_segments(shapes, placements: dict[int, Placements]) -> tuple[np.ndarray, np.ndarray]:
    """(segments (N, 2, 2), layer of each); content of blocks never placed is left out."""
    # the scale of each owner: 1 for model space (index 0), 0 for blocks never placed
    owner_scale = np.zeros(int(shapes.owner.max(initial=-1)) + 2)
    owner_scale[0] = 1.0
    for b, pl in placements.items():
        if len(pl.matrices) and b + 1 < len(owner_scale):
            owner_scale[b + 1] = float(np.median(np.sqrt(np.abs(np.linalg.det(pl.matrices[:, :2, :2])))))
    shape_of_point = np.repeat(np.arange(len(shapes)), np.diff(shapes.offsets))
    same = shape_of_point[:-1] == shape_of_point[1:]
    first = shape_of_point[:-1][same]
    factor = owner_scale[shapes.owner + 1]
    segments = np.stack([shapes.points[:-1][same], shapes.points[1:][same]], axis=1) * factor[first][:, None, None]
    placed = factor[first] > 0
    return segments[placed], shapes.layer[first][placed]
