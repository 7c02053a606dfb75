"""Write a :class:`core.convert.scene.Scene` as a glTF 2.0 binary (the GLB contract).

Axes and origin are :mod:`core.gltf.axes`' (plan Y is glTF -Z, elevation +Y, the
plan extent's centre at the origin); ``origin`` in the asset extras says where
that centre was. Normals are left out: glTF then asks viewers for flat normals,
which is what extruded plans want, and vertices stay shared.

Size (kiosks download every model):

- Nodes are merged per (category, level, material): one mesh for all walls of a
  floor, not one per segment. ``extras.floorcast.layers`` lists the merged
  layers. Labelled nodes (rooms) stay one glTF node each, named by their label,
  children of a node ``labels`` per level and 400 m square of the plan whose
  transform dequantizes them all; they share POSITION accessors (up to 65,536
  vertices each), so a room's own JSON is its node, mesh and index accessor.
- Instanced scene nodes (a block placed many times) become one mesh drawn per
  instance with ``EXT_mesh_gpu_instancing`` (translation, rotation, scale per
  copy). That extension cannot mirror a copy (a negative scale would turn its
  faces inside out), so mirrored copies share a second, mirrored mesh with
  reversed winding: a node named ``<name> (mirrored)``. Copies sharing one
  orientation (chairs turned 180 degrees) draw a mesh posed that way with a
  translation each, when that saves bytes. Copies that shear, and
  instanced nodes beyond :data:`MAX_INSTANCED` per merge group (the fewest
  bytes saved first), are baked into the merged mesh.
- With ``quantize`` (the default) positions are normalized 16-bit integers
  (``KHR_mesh_quantization``) in each mesh's own box; the node's translation and
  scale (for instances: each copy's transform) turn them back into metres. A mesh
  whose grid step would exceed :data:`QUANTIZE_MAX_STEP` (wider than ~650 m) keeps
  float32. Indices are 16-bit when the mesh has fewer than 65,536 vertices.

Both extensions are in ``extensionsRequired``: a viewer without them would draw a
wrong model, not a smaller one. three.js's GLTFLoader supports both.
"""

from __future__ import annotations

import json
import struct
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from core.convert.geometry import merge_meshes
from core.convert.scene import Material, Mesh, Node, Scene
from core.gltf.axes import GROUND, centred_origin, linear_to_gltf, to_gltf

ARRAY_BUFFER = 34962
ELEMENT_ARRAY_BUFFER = 34963
FLOAT = 5126
SHORT = 5122
UNSIGNED_SHORT = 5123
UNSIGNED_INT = 5125

INSTANCING = "EXT_mesh_gpu_instancing"
QUANTIZATION = "KHR_mesh_quantization"
#: fewer copies than this are baked into the merged mesh
MIN_INSTANCES = 2
#: instanced meshes per (category, level, material) at most: bounds the draw calls
MAX_INSTANCED = 64
#: orientations (rotation and scale) of one block that get a mesh posed that way
MAX_POSES = 8
#: rooms share a quantization frame per square of the plan this wide (metres),
#: well inside the widest mesh :data:`QUANTIZE_MAX_STEP` allows
LABEL_CELL_M = 400.0
#: the coarsest quantization grid (metres) a mesh may get: error at most half of it
QUANTIZE_MAX_STEP = 0.01
_Q = 32767.0
_MIRROR = np.diag([-1.0, 1.0, 1.0])  # mirrored copies: the mesh flipped in glTF X

#: the look of each category when the scene does not name a material of its own
DEFAULT_MATERIALS = {
    "wall": Material("wall", (0.82, 0.82, 0.80, 1.0)),
    "door": Material("door", (0.55, 0.35, 0.20, 1.0)),
    "window": Material("window", (0.45, 0.70, 0.95, 0.45), roughness=0.1),
    "floor": Material("floor", (0.93, 0.91, 0.86, 1.0)),
    "room": Material("room", (0.88, 0.93, 0.97, 1.0)),
    "stair": Material("stair", (0.70, 0.66, 0.60, 1.0)),
    "elevator": Material("elevator", (0.60, 0.62, 0.68, 1.0), metallic=0.5),
    "column": Material("column", (0.65, 0.65, 0.65, 1.0)),
    "furniture": Material("furniture", (0.75, 0.62, 0.45, 1.0)),
    "annotation": Material("annotation", (0.20, 0.20, 0.20, 1.0)),
    "other": Material("other", (0.70, 0.70, 0.70, 1.0)),
}


def _node_extras(nodes: list[Node], **more) -> dict:
    first = nodes[0]
    layers = list(dict.fromkeys(n.layer for n in nodes))
    info: dict = {"category": first.category, "layer": layers[0] or "", "level": first.level}
    if len(layers) > 1:
        info["layers"] = layers
    if len(nodes) > 1:
        info["merged"] = len(nodes)
    if first.label:
        info["label"] = first.label
    if len(nodes) == 1 and first.properties:
        info["properties"] = first.properties
    info.update(more)
    return {"floorcast": info}


def _decompose(linear: np.ndarray, tolerance: float = 1e-5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rotation matrices, scales, ok) of (N, 3, 3) matrices with positive
    determinant: linear = R @ diag(s). ``ok`` is False where the matrix shears."""
    scales = np.linalg.norm(linear, axis=1)  # column lengths
    rot = linear / scales[:, None, :]
    err = np.abs(np.einsum("nji,njk->nik", rot, rot) - np.eye(3)).max(axis=(1, 2))
    return rot, scales, err < tolerance


def _quaternions(rot: np.ndarray) -> np.ndarray:
    """(N, 4) unit quaternions (x, y, z, w) of proper rotation matrices (N, 3, 3)."""
    m = rot
    trace = m[:, 0, 0] + m[:, 1, 1] + m[:, 2, 2]
    q = np.empty((len(m), 4))
    # Shepperd: branch on the largest of w, x, y, z for accuracy
    cands = np.stack([trace, m[:, 0, 0], m[:, 1, 1], m[:, 2, 2]], axis=1)
    k = cands.argmax(axis=1)
    for case in range(4):
        sel = k == case
        if not sel.any():
            continue
        r = m[sel]
        if case == 0:
            t = np.sqrt(1.0 + trace[sel]) * 2
            q[sel] = np.stack(
                [(r[:, 2, 1] - r[:, 1, 2]) / t, (r[:, 0, 2] - r[:, 2, 0]) / t, (r[:, 1, 0] - r[:, 0, 1]) / t, t / 4],
                axis=1,
            )
        elif case == 1:
            t = np.sqrt(1.0 + r[:, 0, 0] - r[:, 1, 1] - r[:, 2, 2]) * 2
            q[sel] = np.stack(
                [t / 4, (r[:, 0, 1] + r[:, 1, 0]) / t, (r[:, 0, 2] + r[:, 2, 0]) / t, (r[:, 2, 1] - r[:, 1, 2]) / t],
                axis=1,
            )
        elif case == 2:
            t = np.sqrt(1.0 + r[:, 1, 1] - r[:, 0, 0] - r[:, 2, 2]) * 2
            q[sel] = np.stack(
                [(r[:, 0, 1] + r[:, 1, 0]) / t, t / 4, (r[:, 1, 2] + r[:, 2, 1]) / t, (r[:, 0, 2] - r[:, 2, 0]) / t],
                axis=1,
            )
        else:
            t = np.sqrt(1.0 + r[:, 2, 2] - r[:, 0, 0] - r[:, 1, 1]) * 2
            q[sel] = np.stack(
                [(r[:, 0, 2] + r[:, 2, 0]) / t, (r[:, 1, 2] + r[:, 2, 1]) / t, t / 4, (r[:, 1, 0] - r[:, 0, 1]) / t],
                axis=1,
            )
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    q[q[:, 3] < 0] *= -1  # one sign: the w >= 0 half
    return q


class _Instanced:
    """A scene node drawn per copy: its copies in glTF axes, split by handedness."""

    def __init__(self, node: Node, rot: np.ndarray, scales: np.ndarray, trans: np.ndarray, mirrored: np.ndarray):
        self.node = node
        self.rot, self.scales, self.trans, self.mirrored = rot, scales, trans, mirrored

    @property
    def saved(self) -> int:
        """Roughly the bytes instancing saves over baking every copy."""
        mesh = self.node.mesh
        return (len(self.rot) - 1) * (8 * len(mesh.positions) + 6 * len(mesh.indices)) - 32 * len(self.rot)


def _plan(scene: Scene, origin: np.ndarray) -> tuple[dict[tuple, list[tuple[Node, Mesh]]], list, list]:
    """Sort the scene's geometry into merge groups (baked triangles), single
    labelled nodes and instanced nodes."""
    merged: dict[tuple, list[tuple[Node, Mesh]]] = defaultdict(list)
    singles: list[tuple[Node, Mesh | None, _Instanced | None]] = []
    instanced: dict[tuple, list[_Instanced]] = defaultdict(list)
    for node in scene.geometry_nodes():
        key = (node.category, node.level, node.material)
        inst = None
        if node.instances is not None and len(node.instances) >= MIN_INSTANCES:
            m = node.instances
            linear = linear_to_gltf(m[:, :3, :3])
            trans = to_gltf(m[:, :3, 3], origin, scene.elevation(node.level))
            mirrored = np.linalg.det(linear) < 0
            proper = linear.copy()
            proper[mirrored] = proper[mirrored] @ _MIRROR
            rot, scales, ok = _decompose(proper)
            if not ok.all():  # shearing copies: baked
                sheared = Node(node.name, node.category, node.layer, node.mesh, instances=m[~ok])
                merged[key].append((node, sheared.flattened()))
            if ok.any():
                inst = _Instanced(node, rot[ok], scales[ok], trans[ok], mirrored[ok])
        if node.label:
            singles.append((node, None if inst else node.flattened(), inst))
        elif inst is not None:
            instanced[key].append(inst)
        else:
            merged[key].append((node, node.flattened()))
    kept: list[_Instanced] = []
    for key, items in instanced.items():
        items.sort(key=lambda i: i.saved, reverse=True)
        for i, item in enumerate(items):
            if i < MAX_INSTANCED and item.saved > 0:
                kept.append(item)
            else:
                merged[key].append((item.node, item.node.flattened()))
    return merged, singles, kept


class _Writer:
    """Accumulates the glTF document and its binary chunk."""

    def __init__(self, scene: Scene, doc: dict, quantize: bool):
        self.scene = scene
        self.doc = doc
        self.blob = _Blob(doc)
        self.quantize = quantize
        self.material_index: dict[str, int] = {}
        self.extras: list[dict] = []
        self.used: set[str] = set()
        self.triangles = self.vertices = 0

    def material(self, node: Node) -> int:
        scene, materials = self.scene, self.doc["materials"]
        mat = (scene.material(node.material) if node.material else None) or DEFAULT_MATERIALS[node.category]
        if mat.name not in self.material_index:
            mode = mat.effective_alpha_mode
            materials.append(
                {
                    "name": mat.name,
                    "pbrMetallicRoughness": {
                        "baseColorFactor": list(mat.color),
                        "metallicFactor": mat.metallic,
                        "roughnessFactor": mat.roughness,
                    },
                    "alphaMode": mode,
                    "doubleSided": mode == "BLEND",  # see glass from both sides
                }
            )
            self.material_index[mat.name] = len(materials) - 1
        return self.material_index[mat.name]

    def accessor(self, data: np.ndarray, component: int, kind: str, target: int | None, **kw) -> int:
        stride = kw.pop("stride", None)
        acc = {"componentType": component, "type": kind, **kw}
        self.blob.add(acc, data, target, stride)
        self.doc["accessors"].append(acc)
        return len(self.doc["accessors"]) - 1

    def quantized_positions(self, pts: np.ndarray, centre: np.ndarray, half: np.ndarray) -> int:
        """A POSITION accessor of ``pts`` as normalized 16-bit integers in the box
        (``centre``, ``half``), padded to 8 bytes a vertex (4-byte aligned)."""
        q = np.zeros((len(pts), 4), dtype=np.int16)
        q[:, :3] = np.clip(np.rint((pts - centre) / half * _Q), -_Q, _Q)
        self.used.add(QUANTIZATION)
        return self.accessor(
            q, SHORT, "VEC3", ARRAY_BUFFER, stride=8, normalized=True, count=len(q),
            min=q[:, :3].min(axis=0).tolist(), max=q[:, :3].max(axis=0).tolist(),
        )  # fmt: skip

    def mesh(
        self, gl: np.ndarray, indices: np.ndarray, material: int, quantize: bool, frame: tuple | None = None
    ) -> tuple[int, np.ndarray, np.ndarray]:
        """A glTF mesh of positions ``gl`` (glTF axes, metres, float64); returns
        (mesh index, centre, half size): the transform that gives back metres,
        ``frame`` when given (meshes sharing one, under one parent node).
        Over 65,535 vertices the triangles are split into primitives that each
        fit 16-bit indices (all share the positions' dequantization)."""
        if frame is not None:
            centre, half = frame
        else:
            # the box's faces stay exact (a sill at 0.9 m reads 0.9), the inside on the grid
            centre, half = _frame(gl)
        quantize = quantize and self.quantize and (half / _Q).max() <= QUANTIZE_MAX_STEP
        if not quantize:
            centre, half = np.zeros(3), np.ones(3)
        primitives = []
        chunks = _chunks(indices)
        for chunk in chunks:
            if len(chunks) == 1:
                pts, local = gl, chunk
            else:
                used, local = np.unique(chunk, return_inverse=True)
                pts = gl[used]
            if quantize:
                pos = self.quantized_positions(pts, centre, half)
            else:
                f = pts.astype(np.float32)
                pos = self.accessor(
                    f, FLOAT, "VEC3", ARRAY_BUFFER, stride=12, count=len(f),
                    min=f.min(axis=0).tolist(), max=f.max(axis=0).tolist(),
                )  # fmt: skip
            flat = local.reshape(-1).astype(np.uint16 if len(pts) <= 65536 else np.uint32)
            kind = UNSIGNED_SHORT if flat.dtype == np.uint16 else UNSIGNED_INT
            idx = self.accessor(flat, kind, "SCALAR", ELEMENT_ARRAY_BUFFER, count=len(flat))
            primitives.append({"attributes": {"POSITION": pos}, "indices": idx, "material": material})
            self.vertices += len(pts)
        self.doc["meshes"].append({"primitives": primitives})
        self.triangles += len(indices)
        return len(self.doc["meshes"]) - 1, centre, half

    def add_node(self, node: dict, extras: dict) -> None:
        node["extras"] = extras
        self.doc["nodes"].append(node)
        self.extras.append(extras)
        self.doc["scenes"][0]["nodes"].append(len(self.doc["nodes"]) - 1)

    def gl(self, mesh: Mesh, level: int, origin: np.ndarray) -> np.ndarray:
        return to_gltf(mesh.positions, origin, self.scene.elevation(level))

    def labelled(self, items: list[tuple[Node, Mesh]], origin: np.ndarray) -> None:
        """Labelled nodes (rooms) of one level: one node each, quantized in one
        frame per cell of the plan (:data:`LABEL_CELL_M`) that their parent node
        ``labels`` turns back into metres, so each room spends no JSON on a
        transform of its own (thousands in a venue)."""
        if len(items) < 2 or not self.quantize:
            for node, mesh in items:
                self.plain([node], mesh, node.label or node.name, origin)
            return
        gls = [self.gl(mesh, node.level, origin) for node, mesh in items]
        boxes = np.array([[g.min(axis=0), g.max(axis=0)] for g in gls])
        centres = boxes.mean(axis=1)[:, GROUND]
        cells = np.floor((centres - centres.min(axis=0)) / LABEL_CELL_M).astype(np.int64)
        order = np.lexsort((cells[:, 1], cells[:, 0]))
        breaks = np.flatnonzero((np.diff(cells[order], axis=0) != 0).any(axis=1)) + 1
        for members in np.split(order, breaks):
            members = np.sort(members)  # the rooms in the order they came
            self.labelled_cell([items[k] for k in members], [gls[k] for k in members], boxes[members], origin)

    def labelled_cell(self, items: list[tuple[Node, Mesh]], gls: list[np.ndarray], boxes: np.ndarray, origin) -> None:
        centre, half = _frame(boxes.reshape(-1, 3))
        if len(items) < 2 or (half / _Q).max() > QUANTIZE_MAX_STEP:
            for node, mesh in items:
                self.plain([node], mesh, node.label or node.name, origin)
            return
        parent = {"name": "labels", "translation": centre.tolist(), "scale": half.tolist(), "children": []}
        self.doc["nodes"].append(parent)
        self.doc["scenes"][0]["nodes"].append(len(self.doc["nodes"]) - 1)
        for group in _vertex_groups([len(g) for g in gls]):
            if len(group) == 1 and len(gls[group[0]]) > 65536:  # a room too big to share 16-bit indices
                node, mesh = items[group[0]]
                index, _, _ = self.mesh(gls[group[0]], mesh.indices, self.material(node), True, frame=(centre, half))
                self.labelled_node(parent, node, index)
                continue
            # the group's rooms share one POSITION accessor: each spends JSON on its indices only
            pts = np.concatenate([gls[k] for k in group])
            pos = self.quantized_positions(pts, centre, half)
            self.vertices += len(pts)
            start = 0
            for k in group:
                node, mesh = items[k]
                flat = (mesh.indices.reshape(-1) + start).astype(np.uint16)
                start += len(gls[k])
                idx = self.accessor(flat, UNSIGNED_SHORT, "SCALAR", ELEMENT_ARRAY_BUFFER, count=len(flat))
                material = self.material(node)
                self.doc["meshes"].append(
                    {"primitives": [{"attributes": {"POSITION": pos}, "indices": idx, "material": material}]}
                )
                self.triangles += len(mesh.indices)
                self.labelled_node(parent, node, len(self.doc["meshes"]) - 1)

    def labelled_node(self, parent: dict, node: Node, mesh: int) -> None:
        extras = _node_extras([node])
        self.doc["nodes"].append({"name": node.label or node.name, "mesh": mesh, "extras": extras})
        self.extras.append(extras)
        parent["children"].append(len(self.doc["nodes"]) - 1)

    def plain(self, nodes: list[Node], mesh: Mesh, name: str, origin: np.ndarray) -> None:
        first = nodes[0]
        gl = self.gl(mesh, first.level, origin)
        index, centre, half = self.mesh(gl, mesh.indices, self.material(first), True)
        node: dict = {"name": name, "mesh": index}
        if not np.array_equal(half, np.ones(3)) or centre.any():
            node["translation"], node["scale"] = centre.tolist(), half.tolist()
        self.add_node(node, _node_extras(nodes))

    def instanced(self, item: _Instanced, name: str) -> None:
        """The copies of one scene node: per handedness, copies sharing a
        rotation and scale used often enough get a mesh posed that way and only a
        TRANSLATION each (12 bytes, not 32); the rest share the plain mesh with
        rotation and scale per copy."""
        node, mesh = item.node, item.node.mesh
        gl = to_gltf(mesh.positions)
        mesh_bytes = 12 * len(gl) + 6 * len(mesh.indices) + 400  # float positions, indices, JSON
        for mirrored in (False, True):
            sel = np.flatnonzero(item.mirrored == mirrored)
            if not len(sel):
                continue
            local, tris = (gl @ _MIRROR, mesh.indices[:, ::-1]) if mirrored else (gl, mesh.indices)
            label = f"{name} (mirrored)" if mirrored else name
            linear = item.rot[sel] * item.scales[sel][:, None, :]
            poses, which, counts = _unique_rows(np.round(linear.reshape(-1, 9), 6))
            mats = poses.reshape(-1, 3, 3)
            # what a copy drawn posed saves: the rotation (and scale) the others carry
            turned = not np.allclose(item.rot[sel], np.eye(3), atol=1e-7)
            scaled = not np.allclose(item.scales[sel], 1.0, atol=1e-7)
            saved = 8 * turned + 12 * scaled
            rest = np.ones(len(sel), dtype=bool)
            for k in np.argsort(-counts, kind="stable")[:MAX_POSES]:
                if counts[k] * saved <= mesh_bytes:
                    break
                members = which == k
                rest &= ~members
                self._copies(node, label, local @ mats[k].T, tris, sel[members], item, mirrored, posed=True)
            if rest.any():
                self._copies(node, label, local, tris, sel[rest], item, mirrored, posed=False)

    def _copies(self, node, label, local, tris, sel, item: _Instanced, mirrored: bool, posed: bool) -> None:
        # float positions: a block's few vertices cost less than a scale per copy
        index, _, _ = self.mesh(local, tris, self.material(node), False)
        attrs = {"TRANSLATION": self.accessor(item.trans[sel].astype(np.float32), FLOAT, "VEC3", None, count=len(sel))}
        if not posed:
            rot, scales = item.rot[sel], item.scales[sel]
            quats = _quaternions(rot)
            if not np.allclose(quats, [0, 0, 0, 1], atol=1e-7):
                q = np.rint(quats * _Q).astype(np.int16)
                attrs["ROTATION"] = self.accessor(q, SHORT, "VEC4", None, normalized=True, count=len(q))
            if not np.allclose(scales, 1.0, atol=1e-7):
                attrs["SCALE"] = self.accessor(scales.astype(np.float32), FLOAT, "VEC3", None, count=len(scales))
        self.used.add(INSTANCING)
        extras = _node_extras([node], instances=len(sel), **({"mirrored": True} if mirrored else {}))
        self.add_node({"name": label, "mesh": index, "extensions": {INSTANCING: {"attributes": attrs}}}, extras)
        self.vertices += len(local) * (len(sel) - 1)
        self.triangles += len(tris) * (len(sel) - 1)


class _Blob:
    """The GLB's binary chunk. Data of one kind (quantized positions, float
    positions, 16-bit indices, ...) share one bufferView, each accessor at its
    own offset: a venue with thousands of rooms would otherwise spend more bytes
    on bufferView JSON than on triangles."""

    def __init__(self, doc: dict):
        self.doc = doc
        self.pools: dict[tuple, list[bytes]] = {}
        self.sizes: dict[tuple, int] = {}
        self.pending: list[tuple[dict, tuple]] = []
        self.size = 0

    def add(self, accessor: dict, data: np.ndarray, target: int | None, stride: int | None) -> None:
        """Queue ``data`` for ``accessor`` (its bufferView is set by :meth:`finish`)."""
        key = (target, stride, np.dtype(data.dtype).itemsize)
        raw = np.ascontiguousarray(data).tobytes()
        pool = self.pools.setdefault(key, [])
        offset = accessor["byteOffset"] = self.sizes.get(key, 0)
        pool.append(raw + b"\x00" * ((-len(raw)) % 4))
        self.sizes[key] = offset + len(pool[-1])
        self.pending.append((accessor, key))

    def finish(self) -> list[bytes]:
        """One bufferView per pool; returns the binary chunk's pieces (written one
        after the other: joining them would hold the chunk twice)."""
        chunks, views = [], {}
        for key, pool in self.pools.items():
            target, stride, _ = key
            views[key] = len(self.doc["bufferViews"])
            view = {"buffer": 0, "byteOffset": self.size, "byteLength": self.sizes[key]}
            if stride:
                view["byteStride"] = stride
            if target:
                view["target"] = target
            self.doc["bufferViews"].append(view)
            chunks.extend(pool)
            self.size += self.sizes[key]
        for accessor, key in self.pending:
            accessor["bufferView"] = views[key]
        return chunks


def write_glb(
    scene: Scene,
    path: str | Path,
    *,
    source_sha256: str,
    format_name: str,
    converter_version: str,
    quantize: bool = True,
    origin: tuple[float, float] | None = None,
    asset_info: dict | None = None,
) -> dict:
    """Write ``scene`` to ``path`` as GLB; return stats (counts, extent, triangles, bytes).

    ``origin`` (plan metres) overrides the extent's centre (tiles of one model
    share it); ``asset_info`` is added to ``asset.extras.floorcast``. Raises
    ValueError when the scene holds no geometry (the pipeline checks first).
    """
    extent = scene.extent()
    if extent is None:
        raise ValueError("the scene has no geometry to write")
    lo, hi = extent
    origin = np.array(origin, dtype=np.float64) if origin is not None else centred_origin(lo, hi)

    doc: dict = {
        "asset": {"version": "2.0", "generator": f"Floorcast {converter_version}"},
        "scene": 0,
        "scenes": [{"name": "floorplan", "nodes": []}],
        "nodes": [],
        "meshes": [],
        "materials": [],
        "accessors": [],
        "bufferViews": [],
        "buffers": [],
    }
    writer = _Writer(scene, doc, quantize)
    merged, singles, instanced = _plan(scene, origin)
    for parts in merged.values():
        nodes = _unique(n for n, _ in parts)
        writer.plain(nodes, merge_meshes(m for _, m in parts), nodes[0].name, origin)
    for item in instanced:
        writer.instanced(item, item.node.name)
    labelled: dict[int, list[tuple[Node, Mesh]]] = defaultdict(list)
    for node, mesh, inst in singles:
        if inst is not None:
            writer.instanced(inst, node.label or node.name)
        else:
            labelled[node.level].append((node, mesh))
    for items in labelled.values():
        writer.labelled(items, origin)

    counts: Counter = Counter()
    for node in scene.geometry_nodes():
        counts[node.category] += node.instance_count
    counts = dict(sorted(counts.items()))
    extent_info = {
        "min": [round(float(v), 4) for v in lo],
        "max": [round(float(v), 4) for v in hi],
        "size": [round(float(v), 4) for v in hi - lo],
    }
    asset_extras = {
        "floorcast": {
            "source_sha256": source_sha256,
            "format": format_name,
            "converter_version": converter_version,
            "units": scene.units,
            "scale_to_m": scene.scale_to_m,
            "units_source": scene.units_source,
            **({"scale": scene.scale} if scene.scale else {}),
            "extent_m": extent_info,
            "origin": [float(origin[0]), float(origin[1])],
            "counts": counts,
            "warnings": list(scene.warnings),
            **(asset_info or {}),
        }
    }
    binary = writer.blob.finish()
    doc["buffers"].append({"byteLength": writer.blob.size})
    doc["asset"]["extras"] = asset_extras
    if writer.used:
        doc["extensionsUsed"] = doc["extensionsRequired"] = sorted(writer.used)
    path = Path(path)
    _save_glb(path, doc, binary, writer.blob.size)
    return {
        "nodes": len(doc["nodes"]),
        "counts": counts,
        "triangles": writer.triangles,
        "vertices": writer.vertices,
        "instanced_nodes": sum(1 for e in writer.extras if "instances" in e["floorcast"]),
        "extensions": sorted(writer.used),
        "extent_m": extent_info,
        "origin": [float(origin[0]), float(origin[1])],
        "bytes": path.stat().st_size,
    }


def _frame(gl: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(centre, half size) of the box of points ``gl``: the quantization frame."""
    lo, hi = gl.min(axis=0), gl.max(axis=0)
    return (lo + hi) / 2, np.maximum((hi - lo) / 2, 1e-6)


def _chunks(indices: np.ndarray, limit: int = 65536) -> list[np.ndarray]:
    """Consecutive runs of triangles each using at most ``limit`` vertices."""
    if indices.size == 0 or int(indices.max()) < limit:
        return [indices]
    out, start, step = [], 0, limit // 3
    while start < len(indices):
        step = max(1, step)
        chunk = indices[start : start + step]
        if len(np.unique(chunk)) > limit:
            step //= 2
            continue
        out.append(chunk)
        start += len(chunk)
        step = limit // 3
    return out


def _unique_rows(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(distinct rows, which one each row is, how many of each) of a float array:
    rows hashed to one integer and sorted once, far faster than ``np.unique(axis=0)``
    on a hundred thousand copies; checked, so a hash collision cannot merge two."""
    rows = np.ascontiguousarray(rows, dtype=np.float64) + 0.0  # -0.0 is 0.0
    keys = rows.view(np.uint64)
    hashed = np.zeros(len(keys), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for column in keys.T:  # splitmix64 of each value, folded in turn
            z = column ^ (column >> np.uint64(30))
            z = (z * np.uint64(0xBF58476D1CE4E5B9)) ^ ((z * np.uint64(0xBF58476D1CE4E5B9)) >> np.uint64(27))
            z = (z * np.uint64(0x94D049BB133111EB)) ^ ((z * np.uint64(0x94D049BB133111EB)) >> np.uint64(31))
            hashed = hashed * np.uint64(0x100000001B3) + z
    _, first, which, counts = np.unique(hashed, return_index=True, return_inverse=True, return_counts=True)
    if not np.array_equal(keys, keys[first][which]):
        distinct, which, counts = np.unique(rows, axis=0, return_inverse=True, return_counts=True)
        return distinct, which.reshape(-1), counts
    return rows[first], which.reshape(-1), counts


def _vertex_groups(sizes: list[int], limit: int = 65536) -> list[list[int]]:
    """Consecutive runs of meshes (by vertex count) that together fit 16-bit indices."""
    groups: list[list[int]] = []
    total = limit + 1
    for k, size in enumerate(sizes):
        if total + size > limit:
            groups.append([])
            total = 0
        groups[-1].append(k)
        total += size
    return groups


def _unique(nodes) -> list[Node]:
    """Nodes in first-seen order, each once (a node may give several parts)."""
    seen: dict[int, Node] = {}
    for node in nodes:
        seen.setdefault(id(node), node)
    return list(seen.values())


def _json_value(value):
    """numpy scalars and arrays in plugin properties become plain JSON values."""
    if isinstance(value, np.generic | np.ndarray):
        return value.tolist()
    return str(value)


def _save_glb(path: Path, doc: dict, pieces: list[bytes], size: int) -> None:
    """The GLB container: 12-byte header, JSON chunk (space-padded), BIN chunk
    (``pieces``, ``size`` bytes in all, each piece 4-byte aligned)."""
    text = json.dumps(doc, ensure_ascii=False, allow_nan=False, separators=(",", ":"), default=_json_value)
    js = text.encode("utf-8")
    js += b" " * ((-len(js)) % 4)
    total = 12 + 8 + len(js) + 8 + size
    with open(path, "wb") as fh:
        fh.write(struct.pack("<4sII", b"glTF", 2, total))
        fh.write(struct.pack("<I4s", len(js), b"JSON"))
        fh.write(js)
        fh.write(struct.pack("<I4s", size, b"BIN\x00"))
        for piece in pieces:
            fh.write(piece)
