"""Where each block is drawn: the world transform of every placement.

INSERTs nest (a desk set holding chairs, a floor holding desk sets), rotate,
scale non-uniformly, mirror (negative scale or an extrusion of -Z) and repeat
(MINSERT arrays). Each block ends up with all its placements as 3x3 affine
matrices in drawing units, so its content is built once and drawn at each of them
(an instanced mesh), or baked into the plan where it has to merge with the rest
(walls). A placement also carries the layer that content on layer "0" takes (the
INSERT's, as CAD programs draw it) and the category the block names along the
way give (a chair in a block named "DESK SET").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from floorcast_dxf.raw import RawDrawing
from floorcast_dxf.scan import ocs_matrix

MAX_DEPTH = 8
#: placements kept in all (a runaway MINSERT nest would otherwise eat the memory)
MAX_PLACEMENTS = 4_000_000


@dataclass
class Placements:
    matrices: np.ndarray  # (N, 3, 3) block coordinates -> plan, drawing units
    inherit: np.ndarray  # (N,) layer id content on layer "0" takes; -1: none
    category: np.ndarray  # (N,) index into CATEGORIES given by block names; -1: none


#: INSERT copies turned into matrices at a time (bounds the temporaries)
STEP = 100_000


def insert_matrices(ins: dict[str, np.ndarray], rows: np.ndarray, bases: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(matrices (M, 3, 3), the insert row of each) for INSERT rows, MINSERT copies
    expanded; ``bases``: the base point of each block."""
    if not len(rows):
        return np.zeros((0, 3, 3)), np.zeros(0, dtype=np.int64)
    copies = np.clip(ins["cols"][rows], 1, None) * np.clip(ins["rows"][rows], 1, None)
    rep = np.repeat(rows, copies)
    k = np.arange(len(rep)) - np.repeat(np.cumsum(copies) - copies, copies)
    m = np.empty((len(rep), 3, 3))
    for start in range(0, len(rep), STEP):
        m[start : start + STEP] = _matrices(ins, rep[start : start + STEP], k[start : start + STEP], bases)
    return m, rep


def _matrices(ins: dict[str, np.ndarray], rep: np.ndarray, k: np.ndarray, bases: np.ndarray) -> np.ndarray:
    """The matrices of INSERT rows ``rep``, copy ``k`` of each (MINSERT arrays)."""
    ncols = np.clip(ins["cols"][rep], 1, None)
    ox = (k % ncols) * ins["col_spacing"][rep]
    oy = (k // ncols) * ins["row_spacing"][rep]
    rot = np.radians(ins["rotation"][rep])
    c, s = np.cos(rot), np.sin(rot)
    sx, sy = ins["sx"][rep], ins["sy"][rep]
    bx, by = bases[ins["block"][rep], 0], bases[ins["block"][rep], 1]
    # T(insert) . R(rotation) . T(array offset) . S(sx, sy) . T(-base)
    tx = ox - sx * bx
    ty = oy - sy * by
    m = np.zeros((len(rep), 3, 3))
    m[:, 0, 0], m[:, 0, 1] = c * sx, -s * sy
    m[:, 1, 0], m[:, 1, 1] = s * sx, c * sy
    m[:, 0, 2] = ins["x"][rep] + c * tx - s * ty
    m[:, 1, 2] = ins["y"][rep] + s * tx + c * ty
    m[:, 2, 2] = 1.0
    ext = np.column_stack([ins["ex"][rep], ins["ey"][rep], ins["ez"][rep]])
    odd = np.flatnonzero((np.abs(ext[:, 0]) > 1e-12) | (np.abs(ext[:, 1]) > 1e-12) | (ext[:, 2] <= 0))
    for i in odd.tolist():  # the insertion point and the block's axes are in OCS
        o = np.eye(3)
        o[:2, :2] = ocs_matrix(ext[i])
        m[i] = o @ m[i]
    return m


def place(
    raw: RawDrawing, frozen: set[int], block_category: list[int], layer0: int, warnings: list[str]
) -> dict[int, Placements]:
    """Placements of every block drawn from model space.

    ``frozen``: layer ids whose INSERTs are not drawn; ``block_category``: per block
    id the category index its name gives (-1 none); ``layer0``: id of layer "0"."""
    ins = raw.table("inserts")
    if not len(ins["x"]):
        return {}
    # per block: its base point, whether an INSERT of it draws anything
    bases = np.array([b.base for b in raw.blocks], dtype=float).reshape(-1, 2)
    drawable = np.array([b.defined and b.xref is None and not b.layout for b in raw.blocks], dtype=bool)
    block = ins["block"]
    usable = (block >= 0) & drawable[np.maximum(block, 0)] if len(drawable) else np.zeros(len(block), dtype=bool)
    missing = sorted(
        {raw.blocks[b].name for b in np.unique(block[~usable]).tolist() if b >= 0 and not raw.blocks[b].defined}
    )
    if missing:
        warnings.append(f"INSERTs of undefined blocks were skipped: {', '.join(missing[:10])}")
    usable &= ~np.isin(ins["layer"], list(frozen)) if frozen else usable
    owner = ins["owner"]
    rows_of: dict[int, np.ndarray] = {}
    for o in np.unique(owner[usable]).tolist():
        rows_of[o] = np.flatnonzero(usable & (owner == o))

    out: dict[int, list[Placements]] = {}
    total = 0
    # level 0: model space; then each level places the blocks nested one deeper
    parent = {-1: Placements(np.eye(3)[None], np.array([-1]), np.array([-1]))}
    for depth in range(MAX_DEPTH + 1):
        nxt: dict[int, list[Placements]] = {}
        for owner_id, pl in parent.items():
            rows = rows_of.get(owner_id)
            if rows is None or not len(rows):
                continue
            local, rep = insert_matrices(ins, rows, bases)
            if depth == MAX_DEPTH:
                warnings.append(f"blocks nested deeper than {MAX_DEPTH} levels were left out")
                break
            n_parent = len(pl.matrices)
            if total + n_parent * len(local) > MAX_PLACEMENTS:
                warnings.append(f"more than {MAX_PLACEMENTS} block placements: the rest were left out")
                continue
            total += n_parent * len(local)
            child_blocks = ins["block"][rep]
            layer = ins["layer"][rep]
            for b in np.unique(child_blocks).tolist():
                sel = np.flatnonzero(child_blocks == b)
                m = np.einsum("pij,cjk->pcik", pl.matrices, local[sel]).reshape(-1, 3, 3)
                lay = np.broadcast_to(layer[sel][None, :], (n_parent, len(sel))).ravel()
                inh = np.repeat(pl.inherit, len(sel))
                inherit = np.where(lay == layer0, inh, lay)
                cat = np.repeat(pl.category, len(sel))
                own = block_category[b] if b < len(block_category) else -1
                category = np.where(own >= 0, own, cat) if own >= 0 else cat
                nxt.setdefault(b, []).append(Placements(m, inherit, category))
        if not nxt:
            break
        parent = {}
        for b, parts in nxt.items():
            merged = _joined(parts)
            out.setdefault(b, []).append(merged)
            parent[b] = merged
    return {b: _joined(parts) for b, parts in out.items()}


def _joined(parts: list[Placements]) -> Placements:
    if len(parts) == 1:
        return parts[0]
    return Placements(
        np.concatenate([p.matrices for p in parts]),
        np.concatenate([p.inherit for p in parts]),
        np.concatenate([p.category for p in parts]),
    )
