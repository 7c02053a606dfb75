"""Big models as tiles: GLBs no larger than a set size, plus a manifest.

A model whose GLB would be larger than ``[model] tile_mb`` is cut on a grid in
plan X/Y (quadtree: a cell still too big is cut in four again). Every triangle
goes to the cell holding its centre, every instance to the cell holding its
placement, every labelled node (a room) whole to the cell holding its middle, so
no room is cut in two and nothing is drawn twice. The tiles share one origin:
loaded side by side they make the whole model, each one a complete GLB by the
contract of :mod:`core.gltf.glb` (its ``asset.extras.floorcast`` also holds
``tile: {"index", "bounds"}``). A cell that is still too big but narrower than
``2 * MIN_CELL_M`` (or :data:`MAX_DEPTH` cuts deep) stays one tile over the size.

The manifest (``manifest.json`` beside the tiles) is::

    {"type": "floorcast.tiles", "version": 1,
     "source_sha256": ..., "format": ..., "converter_version": ...,
     "origin": [x, y], "extent_m": {"min", "max", "size"}, "counts": {...},
     "max_bytes": N, "bytes": <all tiles>,
     "tiles": [{"file": "tile-000.glb", "sha256": ..., "size": ...,
                "bounds": {"min": [x, y, z], "max": [x, y, z]},
                "counts": {...}, "triangles": ..., "key": ...}, ...]}

``bounds`` are in the tiles' glTF frame (metres, +Y up, the shared origin), so a
viewer can place a loading box or cull before fetching. Tile files are named by
position; ``key`` is the blob key a tile is stored under, its ``sha256`` (blobs
are content-addressed), so the manifest is final as written here.

A job stores each tile and the manifest file as blobs (``stats.tiles`` of the asset);
the box serves the manifest at ``/api/v1/assets/<id>/tiles`` with a ``url`` per
tile and each tile at ``/api/v1/assets/<id>/tiles/<sha256>``
(:mod:`web.api.assets`); a kiosk's ``publish`` names the manifest in ``tiles``.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np

from core.convert.digest import file_sha256
from core.convert.scene import Mesh, Node, Scene
from core.gltf.axes import box_to_gltf, centred_origin
from core.gltf.glb import write_glb

MANIFEST = "manifest.json"
MAX_DEPTH = 8
#: a part is cut unwritten when its share of the whole's size, scaled by this,
#: is still over the limit (its share only guesses what it will weigh)
SURE = 0.8
#: cells are not cut below this width (metres): the cut would only scatter triangles
MIN_CELL_M = 4.0


def _centre_xy(node: Node) -> np.ndarray:
    lo, hi = node.bounds()
    return (lo[:2] + hi[:2]) / 2


def _weight(scene: Scene) -> float:
    """Roughly what ``scene`` adds to a GLB (vertices, indices, copies, rooms'
    JSON): parts of a model share its known size by this."""
    total = 0.0
    for node in scene.geometry_nodes():
        mesh = node.mesh
        total += 8 * len(mesh.positions) + 6 * len(mesh.indices) + (300 if node.label else 0)
        if node.instances is not None:
            total += 16 * len(node.instances)
    return total


def _cut(scene: Scene, lo: np.ndarray, hi: np.ndarray, mid: np.ndarray) -> list[tuple[Scene, np.ndarray, np.ndarray]]:
    """The scene split in four at ``mid`` (plan X/Y): (part, cell min, cell max)."""
    cells = [
        (np.array([x0, y0]), np.array([x1, y1]))
        for x0, x1 in ((lo[0], mid[0]), (mid[0], hi[0]))
        for y0, y1 in ((lo[1], mid[1]), (mid[1], hi[1]))
    ]
    parts: list[list[Node]] = [[] for _ in cells]

    def cell_of(xy: np.ndarray) -> np.ndarray:
        return (xy[..., 0] >= mid[0]).astype(int) * 2 + (xy[..., 1] >= mid[1]).astype(int)

    for node in scene.geometry_nodes():
        if node.label:
            parts[int(cell_of(_centre_xy(node)))].append(node)
        elif node.instances is not None:
            where = cell_of(node.instances[:, :2, 3])
            for k in np.unique(where):
                parts[k].append(replace(node, instances=node.instances[where == k]))
        else:
            mesh = node.mesh
            centres = mesh.positions[mesh.indices].mean(axis=1)[:, :2]
            where = cell_of(centres)
            for k in np.unique(where):
                tris = mesh.indices[where == k]
                used, inverse = np.unique(tris, return_inverse=True)
                sub = Mesh(mesh.positions[used], inverse.reshape(-1, 3))
                parts[k].append(replace(node, mesh=sub))
    return [
        (replace(scene, nodes=nodes), cell_lo, cell_hi)
        for nodes, (cell_lo, cell_hi) in zip(parts, cells, strict=True)
        if nodes
    ]


def write_tiles(
    scene: Scene,
    folder: str | Path,
    *,
    max_bytes: int,
    source_sha256: str,
    format_name: str,
    converter_version: str,
    quantize: bool = True,
    whole_bytes: int | None = None,
) -> dict:
    """Write ``scene`` as tiles of at most ``max_bytes`` (where one cell can still
    be cut) and ``manifest.json`` into ``folder``; return the manifest.
    ``whole_bytes``, the size of the whole model's GLB when already written,
    spares writing it again just to learn that it must be cut, and any part
    whose share of it (by :func:`_weight`) is sure to be too big."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for old in [*folder.glob("tile-*.glb"), folder / MANIFEST]:
        old.unlink(missing_ok=True)  # an earlier conversion's tiles
    lo, hi = scene.extent()  # type: ignore[misc]
    origin = tuple(centred_origin(lo, hi))
    common = {"source_sha256": source_sha256, "format_name": format_name, "converter_version": converter_version}
    tiles: list[dict] = []
    pending = [(scene, lo[:2].copy(), hi[:2].copy(), 0)]
    # bytes per unit of weight, when the whole GLB's size is known: a part sure
    # to be too big is cut without being written first
    per_weight = whole_bytes / max(_weight(scene), 1.0) if whole_bytes else None
    scratch = folder / ".tile.tmp"

    def split(part: Scene, cell_lo, cell_hi, depth: int) -> bool:
        """Cut ``part`` in four, depth first (tiles stay near each other);
        False when it does not come apart (or may not be cut any more)."""
        if depth >= MAX_DEPTH or (cell_hi - cell_lo).max() < 2 * MIN_CELL_M:
            return False
        pieces = _cut(part, cell_lo, cell_hi, (cell_lo + cell_hi) / 2)
        if len(pieces) < 2:
            return False
        pending[:0] = [(p, a, b, depth + 1) for p, a, b in pieces]
        return True

    while pending:
        part, cell_lo, cell_hi, depth = pending.pop(0)
        if per_weight is not None:
            guess = whole_bytes if part is scene else _weight(part) * per_weight * SURE
            if guess > max_bytes and split(part, cell_lo, cell_hi, depth):
                continue
        gl_lo, gl_hi = box_to_gltf(*part.extent(), origin)  # type: ignore[misc]
        bounds = {"min": [round(float(v), 4) for v in gl_lo], "max": [round(float(v), 4) for v in gl_hi]}
        info = {"tile": {"index": len(tiles), "bounds": bounds}}
        stats = write_glb(part, scratch, origin=origin, quantize=quantize, asset_info=info, **common)
        if stats["bytes"] > max_bytes and split(part, cell_lo, cell_hi, depth):
            continue
        name = f"tile-{len(tiles):03d}.glb"
        scratch.replace(folder / name)
        sha256 = file_sha256(folder / name)
        tiles.append(
            {
                "file": name,
                "sha256": sha256,
                "size": stats["bytes"],
                "bounds": bounds,
                "counts": stats["counts"],
                "triangles": stats["triangles"],
                "key": sha256,
            }
        )
    scratch.unlink(missing_ok=True)
    counts: dict = {}
    for node in scene.geometry_nodes():
        counts[node.category] = counts.get(node.category, 0) + node.instance_count
    manifest = {
        "type": "floorcast.tiles",
        "version": 1,
        **{"source_sha256": source_sha256, "format": format_name, "converter_version": converter_version},
        "origin": [float(origin[0]), float(origin[1])],
        "extent_m": {
            "min": [round(float(v), 4) for v in lo],
            "max": [round(float(v), 4) for v in hi],
            "size": [round(float(v), 4) for v in hi - lo],
        },
        "counts": dict(sorted(counts.items())),
        "max_bytes": int(max_bytes),
        "bytes": sum(t["size"] for t in tiles),
        "tiles": tiles,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1))
    return manifest
