"""Layers whose names say nothing, classified by what they hold
(:func:`core.plugin_api.judge_layer`): when no layer is named like a wall layer,
the unnamed layers whose lines run in wall-thick parallel pairs are the walls,
not every line of the drawing (trees, paths and kerbs of a site plan)."""

from __future__ import annotations

import numpy as np

from core.plugin_api import judge_layer
from floorcast_dxf.blocks import Placements
from floorcast_dxf.segments import layer_segments


def judge_unnamed(
    shapes, placements: dict[int, Placements], layers: list[int], texts_per_layer: np.ndarray, scale: float
) -> dict[int, tuple[str, str]]:
    """(category, why) for each of ``layers``, from their shapes in plan metres."""
    segments, seg_layer = layer_segments(shapes, placements)
    segments = segments * scale
    return {layer: judge_layer(segments[seg_layer == layer], int(texts_per_layer[layer])) for layer in layers}
