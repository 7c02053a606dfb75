"""Door swings: the quarter arcs drawn on door layers or inside door blocks, whose
radius is a door's width. They tell what the units are when ``$INSUNITS`` lies
(:func:`floorcast_dxf.units.check_by_doors`)."""

from __future__ import annotations

import numpy as np

from core.plugin_api import CATEGORIES
from floorcast_dxf.blocks import Placements
from floorcast_dxf.raw import RawDrawing

#: a swing's sweep (degrees): a quarter circle, give or take
SWEEP = (80.0, 100.0)
DOOR = CATEGORIES.index("door")


def door_radii(raw: RawDrawing, placements: dict[int, Placements], door_layers: set[int], block_category) -> np.ndarray:
    """The radius of every door swing as placed, drawing units."""
    t = raw.table("arcs")
    if not len(t["r"]):
        return np.zeros(0)
    sweep = np.mod(t["a1"] - t["a0"], 360.0)
    quarter = (sweep >= SWEEP[0]) & (sweep <= SWEEP[1]) & ~t["closed"].astype(bool)
    on_door = np.isin(t["layer"], list(door_layers))
    out = [np.abs(t["r"][quarter & on_door & (t["owner"] == -1)])]
    # the quarter arcs of each block, grouped once
    rows = np.flatnonzero(quarter & (t["owner"] >= 0))
    rows = rows[np.argsort(t["owner"][rows], kind="stable")]
    owners, starts = np.unique(t["owner"][rows], return_index=True)
    for b, arcs in zip(owners.tolist(), np.split(rows, starts[1:]) if len(rows) else [], strict=True):
        pl = placements.get(b)
        if pl is None or not len(pl.matrices):
            continue
        door_block = (0 <= b < len(block_category) and block_category[b] == DOOR) or bool(
            ((pl.category == DOOR) | np.isin(pl.inherit, list(door_layers))).any()
        )
        if not door_block:
            arcs = arcs[on_door[arcs]]
            if not len(arcs):
                continue
        scale = float(np.median(np.sqrt(np.abs(np.linalg.det(pl.matrices[:, :2, :2])))))
        # each placement is a door
        out.append(np.repeat(np.abs(t["r"][arcs]) * scale, min(len(pl.matrices), 1000)))
    return np.concatenate(out)
