"""Write a :class:`core.scene.Scene` as a glTF 2.0 binary (the GLB contract).

Axes: plan X -> glTF +X, plan Y -> glTF -Z, plan Z (+ the level's elevation) ->
glTF +Y. That map is a proper rotation, so triangle winding (and with it the
outward faces) survives. Models are moved so the plan extent's centre sits at the
origin (float32 keeps millimetres for a kilometre-wide campus); ``origin`` in the
asset extras says where it was. Normals are left out: glTF then asks viewers for
flat normals, which is what extruded plans want, and vertices stay shared.
"""

from __future__ import annotations

import json
import struct
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pygltflib

from core.geometry import merge_meshes
from core.scene import Material, Node, Scene

ARRAY_BUFFER = 34962
ELEMENT_ARRAY_BUFFER = 34963
FLOAT = 5126
UNSIGNED_INT = 5125

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


def _groups(scene: Scene) -> list[list[Node]]:
    """Nodes merged per (category, level, material); labelled nodes (rooms) stay
    one node each so kiosks can find them by name."""
    merged: dict[tuple, list[Node]] = defaultdict(list)
    singles: list[list[Node]] = []
    for node in scene.geometry_nodes():
        if node.label:
            singles.append([node])
        else:
            merged[(node.category, node.level, node.material)].append(node)
    return list(merged.values()) + singles


def _node_extras(group: list[Node]) -> dict:
    first = group[0]
    layers = list(dict.fromkeys(n.layer for n in group))
    info: dict = {"category": first.category, "layer": layers[0] or "", "level": first.level}
    if len(layers) > 1:
        info["layers"] = layers
    if len(group) > 1:
        info["merged"] = len(group)
    if first.label:
        info["label"] = first.label
    if len(group) == 1 and first.properties:
        info["properties"] = first.properties
    return {"floorcast": info}


class _Blob:
    """The GLB's binary chunk, built as bufferViews aligned to 4 bytes."""

    def __init__(self, gltf: pygltflib.GLTF2):
        self.gltf = gltf
        self.chunks: list[bytes] = []
        self.size = 0

    def add(self, data: np.ndarray, target: int) -> int:
        raw = data.tobytes()
        self.gltf.bufferViews.append(
            pygltflib.BufferView(buffer=0, byteOffset=self.size, byteLength=len(raw), target=target)
        )
        pad = (-len(raw)) % 4
        self.chunks.append(raw + b"\x00" * pad)
        self.size += len(raw) + pad
        return len(self.gltf.bufferViews) - 1


def write_glb(
    scene: Scene,
    path: str | Path,
    *,
    source_sha256: str,
    format_name: str,
    converter_version: str,
) -> dict:
    """Write ``scene`` to ``path`` as GLB; return stats (counts, extent, triangles, bytes).

    Raises ValueError when the scene holds no geometry (the pipeline checks first).
    """
    extent = scene.extent()
    if extent is None:
        raise ValueError("the scene has no geometry to write")
    lo, hi = extent
    origin = np.array([(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2])

    gltf = pygltflib.GLTF2(
        asset=pygltflib.Asset(version="2.0", generator=f"Floorcast {converter_version}"),
        scene=0,
        scenes=[pygltflib.Scene(name="floorplan", nodes=[])],
    )
    blob = _Blob(gltf)
    material_index: dict[str, int] = {}

    def material_for(node: Node) -> int:
        mat = (scene.material(node.material) if node.material else None) or DEFAULT_MATERIALS[node.category]
        if mat.name not in material_index:
            mode = mat.effective_alpha_mode
            gltf.materials.append(
                pygltflib.Material(
                    name=mat.name,
                    pbrMetallicRoughness=pygltflib.PbrMetallicRoughness(
                        baseColorFactor=list(mat.color),
                        metallicFactor=mat.metallic,
                        roughnessFactor=mat.roughness,
                    ),
                    alphaMode=mode,
                    doubleSided=mode == "BLEND",  # see glass from both sides
                )
            )
            material_index[mat.name] = len(gltf.materials) - 1
        return material_index[mat.name]

    triangles = vertices = 0
    node_extras: list[dict] = []
    for group in _groups(scene):
        first = group[0]
        mesh = merge_meshes(n.flattened() for n in group)
        p = mesh.positions
        elevation = scene.elevation(first.level)
        gl = np.column_stack([p[:, 0] - origin[0], p[:, 2] + elevation, -(p[:, 1] - origin[1])])
        gl = gl.astype(np.float32)
        indices = mesh.indices.astype(np.uint32).ravel()
        pos_view = blob.add(gl, ARRAY_BUFFER)
        idx_view = blob.add(indices, ELEMENT_ARRAY_BUFFER)
        gltf.accessors.append(
            pygltflib.Accessor(
                bufferView=pos_view,
                componentType=FLOAT,
                count=len(gl),
                type="VEC3",
                min=gl.min(axis=0).tolist(),
                max=gl.max(axis=0).tolist(),
            )
        )
        gltf.accessors.append(
            pygltflib.Accessor(
                bufferView=idx_view,
                componentType=UNSIGNED_INT,
                count=len(indices),
                type="SCALAR",
                min=[int(indices.min())],
                max=[int(indices.max())],
            )
        )
        name = first.label or first.name
        gltf.meshes.append(
            pygltflib.Mesh(
                name=name,
                primitives=[
                    pygltflib.Primitive(
                        attributes=pygltflib.Attributes(POSITION=len(gltf.accessors) - 2),
                        indices=len(gltf.accessors) - 1,
                        material=material_for(first),
                    )
                ],
            )
        )
        gltf.nodes.append(pygltflib.Node(name=name, mesh=len(gltf.meshes) - 1))
        node_extras.append(_node_extras(group))
        gltf.scenes[0].nodes.append(len(gltf.nodes) - 1)
        triangles += mesh.triangle_count
        vertices += len(gl)

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
        }
    }
    gltf.buffers.append(pygltflib.Buffer(byteLength=blob.size))
    # pygltflib's serialiser drops empty strings, lists and dicts everywhere, extras
    # included: put ours back so "warnings": [] and "layer": "" stay in the contract
    doc = json.loads(gltf.to_json())
    doc["asset"]["extras"] = asset_extras
    for node, extras in zip(doc["nodes"], node_extras, strict=True):
        node["extras"] = extras
    path = Path(path)
    _save_glb(path, doc, b"".join(blob.chunks))
    return {
        "nodes": len(gltf.nodes),
        "counts": counts,
        "triangles": triangles,
        "vertices": vertices,
        "extent_m": extent_info,
        "origin": [float(origin[0]), float(origin[1])],
        "bytes": path.stat().st_size,
    }


def _json_value(value):
    """numpy scalars and arrays in plugin properties become plain JSON values."""
    if isinstance(value, np.generic | np.ndarray):
        return value.tolist()
    return str(value)


def _save_glb(path: Path, doc: dict, binary: bytes) -> None:
    """The GLB container: 12-byte header, JSON chunk (space-padded), BIN chunk."""
    text = json.dumps(doc, ensure_ascii=False, allow_nan=False, separators=(",", ":"), default=_json_value)
    js = text.encode("utf-8")
    js += b" " * ((-len(js)) % 4)
    binary += b"\x00" * ((-len(binary)) % 4)
    total = 12 + 8 + len(js) + 8 + len(binary)
    with open(path, "wb") as fh:
        fh.write(struct.pack("<4sII", b"glTF", 2, total))
        fh.write(struct.pack("<I4s", len(js), b"JSON"))
        fh.write(js)
        fh.write(struct.pack("<I4s", len(binary), b"BIN\x00"))
        fh.write(binary)
