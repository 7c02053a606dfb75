"""Read a Floorcast GLB back as plain triangles, whatever the writer used to make
it small: node transforms, ``KHR_mesh_quantization`` (normalized integer
positions) and ``EXT_mesh_gpu_instancing`` (copies baked back into triangles)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

DTYPES = {5120: np.int8, 5121: np.uint8, 5122: np.int16, 5123: np.uint16, 5125: np.uint32, 5126: np.float32}
WIDTHS = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4, "MAT4": 16}


@dataclass
class GlbNode:
    name: str
    extras: dict
    positions: object  # numpy (N, 3) float64, glTF axes, every transform applied
    indices: object  # numpy (M, 3) uint32
    instances: int = 1  # copies drawn (EXT_mesh_gpu_instancing), baked into the above


def accessor(gltf, blob: bytes, index: int) -> np.ndarray:
    """An accessor's values as float64 (normalized integers scaled back) or ints."""
    acc = gltf.accessors[index]
    view = gltf.bufferViews[acc.bufferView]
    dtype, width = np.dtype(DTYPES[acc.componentType]), WIDTHS[acc.type]
    stride = view.byteStride or dtype.itemsize * width
    start = view.byteOffset + (acc.byteOffset or 0)
    raw = np.frombuffer(blob, dtype=np.uint8, count=stride * (acc.count - 1) + dtype.itemsize * width, offset=start)
    rows = np.lib.stride_tricks.as_strided(raw, shape=(acc.count, dtype.itemsize * width), strides=(stride, 1))
    values = np.ascontiguousarray(rows).view(dtype).reshape(acc.count, width)
    if acc.normalized:
        return np.maximum(values / float(np.iinfo(dtype).max), -1.0)
    if dtype.kind == "f":
        return values.astype(np.float64)
    return values


def quat_matrix(q: np.ndarray) -> np.ndarray:
    """(N, 3, 3) rotation matrices of (N, 4) quaternions (x, y, z, w)."""
    q = q / np.linalg.norm(q, axis=1, keepdims=True)
    x, y, z, w = q.T
    return np.stack(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
            [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
            [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
        ]
    ).transpose(2, 0, 1)


def trs(translation, rotation, scale, count: int = 1) -> np.ndarray:
    """(N, 4, 4) matrices T @ R @ S (arguments (N, k) arrays or None)."""
    m = np.tile(np.eye(4), (count, 1, 1))
    rot = quat_matrix(np.asarray(rotation, dtype=float).reshape(-1, 4)) if rotation is not None else np.eye(3)
    s = np.asarray(scale, dtype=float).reshape(-1, 3) if scale is not None else np.ones((1, 3))
    m[:, :3, :3] = rot * s[:, None, :]
    if translation is not None:
        m[:, :3, 3] = np.asarray(translation, dtype=float).reshape(-1, 3)
    return m


def node_matrix(node) -> np.ndarray:
    if node.matrix:
        return np.asarray(node.matrix, dtype=float).reshape(4, 4).T  # column-major
    return trs(node.translation, node.rotation, node.scale)[0]


def read_glb(path: str | Path) -> tuple[dict, list[GlbNode]]:
    """(asset extras' ``floorcast``, nodes with their triangles in glTF axes)."""
    import pygltflib

    gltf = pygltflib.GLTF2.load_binary(str(path))
    blob = gltf.binary_blob()
    nodes: list[GlbNode] = []

    def visit(index: int, parent: np.ndarray) -> None:
        node = gltf.nodes[index]
        world = parent @ node_matrix(node)
        if node.mesh is not None:
            # big meshes come as several primitives (16-bit indices each): one array here
            local_parts, tri_parts, base = [], [], 0
            for prim in gltf.meshes[node.mesh].primitives:
                local_parts.append(accessor(gltf, blob, prim.attributes.POSITION))
                tri_parts.append(accessor(gltf, blob, prim.indices).astype(np.uint32).reshape(-1, 3) + base)
                base += len(local_parts[-1])
            local, tris = np.concatenate(local_parts), np.concatenate(tri_parts)
            used, inverse = np.unique(tris, return_inverse=True)
            if len(used) < len(local):  # a POSITION accessor shared with other meshes (rooms)
                local, tris = local[used], inverse.reshape(-1, 3).astype(np.uint32)
            copies = world[None]
            inst = (node.extensions or {}).get("EXT_mesh_gpu_instancing")
            if inst:
                attrs = {k: accessor(gltf, blob, v) for k, v in inst["attributes"].items()}
                count = len(next(iter(attrs.values())))
                copies = world @ trs(attrs.get("TRANSLATION"), attrs.get("ROTATION"), attrs.get("SCALE"), count)
            pts = np.einsum("nij,vj->nvi", copies[:, :3, :3], local) + copies[:, None, :3, 3]
            offsets = (np.arange(len(copies), dtype=np.uint32) * len(local))[:, None, None]
            flip = np.linalg.det(copies[:, :3, :3]) < 0
            all_tris = np.where(flip[:, None, None], tris[None, :, ::-1], tris[None]) + offsets
            nodes.append(
                GlbNode(node.name, node.extras or {}, pts.reshape(-1, 3), all_tris.reshape(-1, 3), len(copies))
            )
        for child in node.children or []:
            visit(child, world)

    for root in gltf.scenes[gltf.scene or 0].nodes:
        visit(root, np.eye(4))
    return (gltf.asset.extras or {}).get("floorcast", {}), nodes
