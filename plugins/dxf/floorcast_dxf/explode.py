"""Blocks placed once, drawn into model space: a drawing kept in one block (a
sheet packed by its exporter, a bound XREF) is then seen entity by entity, so the
building can be told from the title block and the frame around it
(:mod:`floorcast_dxf.building`). Instancing a block placed once saves nothing."""

from __future__ import annotations

import numpy as np
import shapely
import shapely.affinity

from floorcast_dxf.blocks import Placements

#: a block with fewer shapes than this stays a block (a lone door, a symbol)
MIN_SHAPES = 50


def explode_single(shapes, placements: dict[int, Placements], texts, block_category, layer0: int) -> list[int]:
    """Move the content of every plain block placed once into model space, in
    place; returns the blocks moved. Blocks whose name gives a category keep it."""
    counts = np.bincount(shapes.owner[shapes.owner >= 0]) if (shapes.owner >= 0).any() else np.zeros(0)
    moved = []
    point_owner = np.repeat(shapes.owner, np.diff(shapes.offsets))
    for b, pl in list(placements.items()):
        if len(pl.matrices) != 1 or b >= len(counts) or counts[b] < MIN_SHAPES:
            continue
        if (0 <= b < len(block_category) and block_category[b] >= 0) or pl.category[0] >= 0:
            continue
        m = pl.matrices[0]
        at = point_owner == b
        shapes.points[at] = shapes.points[at] @ m[:2, :2].T + m[:2, 2]
        mine = shapes.owner == b
        shapes.width[mine] *= float(np.sqrt(abs(np.linalg.det(m[:2, :2]))))
        if pl.inherit[0] >= 0:
            shapes.layer[mine & (shapes.layer == layer0)] = int(pl.inherit[0])
        shapes.owner[mine] = -1
        affine = [m[0, 0], m[0, 1], m[1, 0], m[1, 1], m[0, 2], m[1, 2]]
        for k, (owner, layer, polygon) in enumerate(shapes.fills):
            if owner == b:
                inherit = int(pl.inherit[0]) if layer == layer0 and pl.inherit[0] >= 0 else layer
                shapes.fills[k] = (-1, inherit, shapely.affinity.affine_transform(polygon, affine))
        for t in texts:
            if t.owner == b and t.insert < 0:
                t.x, t.y = (m[:2, :2] @ (t.x, t.y) + m[:2, 2]).tolist()
                t.owner = -1
        del placements[b]
        moved.append(b)
    return moved
