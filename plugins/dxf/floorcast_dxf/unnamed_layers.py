"""Layers whose names say nothing, classified by what they hold
(:func:`core.plugin_api.judge_layer`): when no layer is named like a wall layer,
the unnamed layers whose lines run in wall-thick parallel pairs are the walls,
not every line of the drawing (trees, paths and kerbs of a site plan)."""

from __future__ import annotations

import numpy as np

from core.plugin_api import judge_layer
from floorcast_dxf.blocks import Placements


def judge_unnamed(
    shapes, placements: dict[int, Placements], layers: list[int], texts_per_layer: np.ndarray, scale: float
) -> dict[int, tuple[str, str]]:
    """(category, why) for each of ``layers``, from their shapes in plan metres
    (block content at its placements' scale)."""
    owner_scale = {
        b: float(np.median(np.sqrt(np.abs(np.linalg.det(pl.matrices[:, :2, :2])))))
        for b, pl in placements.items()
        if len(pl.matrices)
    }
    shape_of_point = np.repeat(np.arange(len(shapes)), np.diff(shapes.offsets))
    same = shape_of_point[:-1] == shape_of_point[1:]
    first = shape_of_point[:-1][same]
    factor = np.array([scale if o == -1 else scale * owner_scale.get(int(o), 0.0) for o in shapes.owner.tolist()])
    segments = np.stack([shapes.points[:-1][same], shapes.points[1:][same]], axis=1) * factor[first][:, None, None]
    seg_layer = shapes.layer[first]
    placed = factor[first] > 0
    return {
        layer: judge_layer(segments[placed & (seg_layer == layer)], int(texts_per_layer[layer])) for layer in layers
    }
