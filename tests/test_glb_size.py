"""What keeps models small and viewable (DESIGN.md section 4): instances of
repeated blocks, quantized positions, meshes merged per category and level."""

from __future__ import annotations

import json

import numpy as np
import pygltflib
import pytest
import shapely
from shapely.geometry import box

from core.convert import geometry
from core.convert.scene import Mesh, Node, Scene
from core.gltf.glb import INSTANCING, MAX_INSTANCED, MAX_POSES, QUANTIZATION, write_glb
from tests.dxf_factory import edge_use, footprint, read_glb
from tests.gltf_validator import validate

SHA = "cd" * 32


def chair() -> Mesh:
    """Seat, back and four legs: 6 boxes, 48 vertices, not symmetric in x or y."""
    parts = [
        geometry.extrude(box(0, 0, 0.45, 0.45), 0.42, 0.47),
        geometry.extrude(box(0, 0.40, 0.45, 0.45), 0.47, 0.9),
        *(geometry.extrude(box(x, y, x + 0.04, y + 0.04), 0, 0.42) for x in (0, 0.41) for y in (0, 0.41)),
    ]
    return geometry.merge_meshes(parts)


def seating(n: int, mirrored_every: int = 0, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(0, 80, n), rng.uniform(0, 40, n)
    rot = rng.choice([0, 90, 180, 270, 33.5], n)
    sx = np.where((np.arange(n) % mirrored_every == 0) if mirrored_every else False, -1.0, 1.0)
    return Node.plan_transforms(x, y, rot, sx, 1.0)


def write(scene: Scene, path, **kw) -> dict:
    return write_glb(scene, path, source_sha256=SHA, format_name="test", converter_version="1", **kw)


def gltf_json(path) -> dict:
    return json.loads(pygltflib.GLTF2.load_binary(str(path)).to_json())


def signed_volume(positions, indices) -> float:
    p = positions - positions.mean(axis=0)
    a, b, c = (p[indices[:, k]] for k in range(3))
    return float(np.einsum("ij,ij->i", a, np.cross(b, c)).sum() / 6)


def check_instancing_rules(doc: dict) -> int:
    """EXT_mesh_gpu_instancing as its spec says (the glTF-Validator does not know
    it): declared, TRANSLATION/SCALE float VEC3, ROTATION float or normalized
    (u)byte/short VEC4, one count for all; returns the number of instanced nodes."""
    assert INSTANCING in doc["extensionsUsed"]
    found = 0
    for node in doc["nodes"]:
        ext = node.get("extensions", {}).get(INSTANCING)
        if not ext:
            continue
        found += 1
        assert "mesh" in node
        counts = set()
        for name, index in ext["attributes"].items():
            acc = doc["accessors"][index]
            counts.add(acc["count"])
            view = doc["bufferViews"][acc["bufferView"]]
            assert "target" not in view, "instance data is not a vertex attribute"
            if name in ("TRANSLATION", "SCALE"):
                assert acc["type"] == "VEC3" and acc["componentType"] == 5126
            elif name == "ROTATION":
                assert acc["type"] == "VEC4"
                assert acc["componentType"] == 5126 or (acc["componentType"] in (5120, 5122) and acc["normalized"])
            else:
                pytest.fail(f"unexpected instance attribute {name}")
        assert len(counts) == 1
    return found


def test_repeated_blocks_become_instances_far_smaller_than_flattened(tmp_path):
    mesh, placements = chair(), seating(2000, mirrored_every=7)
    walls = Node("walls", "wall", "A-WALL", geometry.extrude(box(-1, -1, 81, -0.8), 0, 3))
    inst = Scene(nodes=[walls, Node("chairs", "furniture", "A-FURN-CHAIR", mesh, instances=placements)])
    flat = Scene(
        nodes=[
            walls,
            Node(
                "chairs", "furniture", "A-FURN-CHAIR", Node("c", "other", mesh=mesh, instances=placements).flattened()
            ),
        ]
    )
    a, b = tmp_path / "instanced.glb", tmp_path / "flat.glb"
    stats = write(inst, a)
    flat_stats = write(flat, b, quantize=False)
    for path in (a, b):
        validate(path)
    assert stats["counts"] == {"furniture": 2000, "wall": 1}
    # upright and mirrored copies; frequent orientations posed in their own mesh
    assert 2 <= stats["instanced_nodes"] <= 2 * (MAX_POSES + 1)
    assert stats["bytes"] * 10 < flat_stats["bytes"], (stats["bytes"], flat_stats["bytes"])
    doc = gltf_json(a)
    assert check_instancing_rules(doc) == stats["instanced_nodes"]
    translation_only = [
        n
        for n in doc["nodes"]
        if set(n.get("extensions", {}).get(INSTANCING, {}).get("attributes", {})) == {"TRANSLATION"}
    ]
    assert translation_only  # 12 bytes a copy
    assert set(doc["extensionsRequired"]) == {INSTANCING, QUANTIZATION}
    # the same triangles, once the copies are drawn
    asset, nodes = read_glb(a)
    chairs = [n for n in nodes if n.extras["floorcast"]["category"] == "furniture"]
    assert sum(n.instances for n in chairs) == 2000
    assert {n.extras["floorcast"].get("mirrored", False) for n in chairs} == {False, True}
    _, flat_nodes = read_glb(b)
    flat_chairs = next(n for n in flat_nodes if n.extras["floorcast"]["category"] == "furniture")
    seen = np.concatenate([n.positions for n in chairs])
    assert seen.min(axis=0) == pytest.approx(flat_chairs.positions.min(axis=0), abs=2e-3)
    assert seen.max(axis=0) == pytest.approx(flat_chairs.positions.max(axis=0), abs=2e-3)
    assert asset["extent_m"]["size"] == pytest.approx(gltf_json(b)["asset"]["extras"]["floorcast"]["extent_m"]["size"])


def test_mirrored_copies_keep_outward_faces_and_their_place(tmp_path):
    mesh = chair()
    x = np.array([0.0, 5.0, 10.0, 15.0])
    placements = Node.plan_transforms(x, 2.0, [0, 0, 90, 45], [1, -1, -1, 1], [1, 1, 1, -1])
    scene = Scene(nodes=[Node("chairs", "furniture", "A-FURN", mesh, instances=placements)])
    out = tmp_path / "m.glb"
    write(scene, out)
    validate(out)
    asset, nodes = read_glb(out)
    assert sorted(n.instances for n in nodes) == [1, 3]
    for node in nodes:
        # every copy is a closed solid with outward faces: positive volume each
        per = len(node.positions) // node.instances
        per_tris = len(node.indices) // node.instances
        for k in range(node.instances):
            tris = node.indices[k * per_tris : (k + 1) * per_tris] - k * per
            vol = signed_volume(node.positions[k * per : (k + 1) * per], tris.astype(np.int64))
            assert vol > 0
        assert set(edge_use(node.indices)) == {2}
    # footprints where the plan put them (mirrored in x, and in y for the last)
    seen = shapely.union_all([footprint(n, asset["origin"]) for n in nodes])
    expected = shapely.union_all(
        [
            shapely.affinity.translate(
                shapely.affinity.rotate(
                    shapely.affinity.scale(box(0, 0, 0.45, 0.45), sx, sy, origin=(0, 0)), r, origin=(0, 0)
                ),
                tx,
                2.0,
            )
            for tx, r, sx, sy in zip(x, [0, 0, 90, 45], [1, -1, -1, 1], [1, 1, 1, -1], strict=True)
        ]
    )
    assert seen.symmetric_difference(expected).area < 0.01 * expected.area


def test_quantized_positions_stay_within_half_a_grid_step(tmp_path):
    rng = np.random.default_rng(3)
    nodes = [
        Node(f"w{i}", "wall", "A-WALL", geometry.extrude(box(x, y, x + rng.uniform(1, 9), y + 0.2), 0, 3))
        for i, (x, y) in enumerate(rng.uniform(0, 200, (60, 2)))
    ]
    nodes.append(Node("chairs", "furniture", "F", chair(), instances=seating(50)))
    scene = Scene(nodes=nodes)
    q, f = tmp_path / "q.glb", tmp_path / "f.glb"
    sq, sf = write(scene, q), write(scene, f, quantize=False)
    validate(q)
    validate(f)
    assert sq["bytes"] < sf["bytes"]
    doc = gltf_json(q)
    for node in doc["nodes"]:
        acc = doc["accessors"][doc["meshes"][node["mesh"]]["primitives"][0]["attributes"]["POSITION"]]
        if "extensions" in node:  # a block's few vertices stay float: no scale per copy then
            assert acc["componentType"] == 5126 and INSTANCING in node["extensions"]
            assert "SCALE" not in node["extensions"][INSTANCING]["attributes"]
        else:
            assert acc["componentType"] == 5122 and acc["normalized"]  # 8 bytes a vertex, not 12
    assert QUANTIZATION in gltf_json(q)["extensionsRequired"]
    assert "extensionsUsed" not in gltf_json(f) or QUANTIZATION not in gltf_json(f)["extensionsUsed"]
    _, nq = read_glb(q)
    _, nf = read_glb(f)
    for a, b in zip(nq, nf, strict=True):
        assert a.name == b.name
        extent = b.positions.max(axis=0) - b.positions.min(axis=0)
        step = extent / 65534
        err = np.abs(a.positions - b.positions).max(axis=0)
        assert (err <= step / 2 + 1e-4).all(), (a.name, err, step)
        np.testing.assert_array_equal(a.indices, b.indices)


def test_meshes_merge_per_category_and_level_rooms_stay_named(tmp_path):
    nodes = []
    for i in range(300):  # one wall node per segment, on three layers and two levels
        nodes.append(
            Node(f"w{i}", "wall", f"A-WALL-{i % 3}", geometry.extrude(box(i, 0, i + 0.8, 0.2), 0, 3), level=i % 2)
        )
    for i in range(40):
        nodes.append(Node(f"d{i}", "door", "A-DOOR", geometry.extrude(box(i, 1, i + 0.9, 1.05), 0, 2.1)))
    for i in range(12):
        nodes.append(
            Node(f"room {i}", "room", "RM$", geometry.extrude(box(i * 5, 5, i * 5 + 4, 9), 0, 0.02), label=f"Room {i}")
        )
    # many distinct blocks, each used a few times: instanced meshes are capped
    for i in range(MAX_INSTANCED + 30):
        m = geometry.extrude(box(0, 0, 0.3 + i * 0.01, 0.3), 0, 0.5)
        nodes.append(Node(f"block {i}", "furniture", "A-FURN", m, instances=seating(3 + i % 5, seed=i)))
    out = tmp_path / "merged.glb"
    stats = write(Scene(nodes=nodes, elevations={1: 4.0}), out)
    validate(out)
    _, glb_nodes = read_glb(out)
    per_category: dict = {}
    for n in glb_nodes:
        per_category.setdefault(n.extras["floorcast"]["category"], []).append(n)
    assert len(per_category["wall"]) == 2  # one per level
    assert len(per_category["door"]) == 1
    assert sorted(n.name for n in per_category["room"]) == sorted(f"Room {i}" for i in range(12))
    assert all(n.extras["floorcast"]["label"] == n.name for n in per_category["room"])
    # one transform for all rooms of the level: their parent's
    doc = gltf_json(out)
    parents = [n for n in doc["nodes"] if n.get("name") == "labels"]
    assert len(parents) == 1 and "mesh" not in parents[0] and "extras" not in parents[0]
    rooms = [doc["nodes"][i] for i in parents[0]["children"]]
    assert sorted(r["name"] for r in rooms) == sorted(f"Room {i}" for i in range(12))
    assert all("translation" not in r and "scale" not in r for r in rooms)
    assert len(per_category["furniture"]) <= 2 * MAX_INSTANCED + 1
    walls0 = next(n for n in per_category["wall"] if n.extras["floorcast"]["level"] == 0)
    assert walls0.extras["floorcast"]["layers"] == ["A-WALL-0", "A-WALL-2", "A-WALL-1"]
    assert walls0.extras["floorcast"]["merged"] == 150
    assert stats["counts"]["furniture"] == sum(3 + i % 5 for i in range(MAX_INSTANCED + 30))
    # every copy is there: baked and instanced ones together
    drawn = sum(len(n.indices) for n in per_category["furniture"])
    assert drawn == sum((3 + i % 5) * 12 for i in range(MAX_INSTANCED + 30))


def test_rooms_of_a_campus_share_a_frame_per_square_and_their_positions(tmp_path):
    # three buildings 1 km apart: too wide for one 16-bit frame, each its own
    nodes, truth = [], {}
    for b, x0 in enumerate((0.0, 1000.0, 2000.0)):
        for i in range(20):
            outline = box(x0 + i * 6, 0, x0 + i * 6 + 5, 7.5)
            name = f"B{b} room {i}"
            truth[name] = outline
            nodes.append(Node(name, "room", "RM$", geometry.surface_each([outline], 0.02)[0], label=name))
    nodes.append(Node("walls", "wall", "A-WALL", geometry.extrude(box(0, -1, 2120, -0.8), 0, 3)))
    out = tmp_path / "campus.glb"
    write(Scene(nodes=nodes), out)
    validate(out)
    asset, glb_nodes = read_glb(out)
    rooms = {n.name: n for n in glb_nodes if n.extras["floorcast"]["category"] == "room"}
    assert set(rooms) == set(truth)
    for name, outline in truth.items():  # each room where it was, to the quantization grid
        assert footprint(rooms[name], asset["origin"]).symmetric_difference(outline).area < 0.05, name
    doc = gltf_json(out)
    parents = [n for n in doc["nodes"] if n.get("name") == "labels"]
    assert len(parents) == 3
    assert all(len(p["children"]) == 20 for p in parents)
    positions = {
        doc["meshes"][doc["nodes"][c]["mesh"]]["primitives"][0]["attributes"]["POSITION"]
        for p in parents
        for c in p["children"]
    }
    assert len(positions) == 3  # one accessor per square: each room adds only its indices
    assert QUANTIZATION in doc["extensionsUsed"]


def test_shearing_copies_are_baked(tmp_path):
    shear = np.eye(4)
    shear[0, 1] = 0.5
    placements = np.concatenate([Node.plan_transforms([0, 3, 6], 0), shear[None]])
    scene = Scene(
        nodes=[Node("racks", "furniture", "F", geometry.extrude(box(0, 0, 1, 1), 0, 1), instances=placements)]
    )
    out = tmp_path / "s.glb"
    stats = write(scene, out)
    validate(out)
    asset, nodes = read_glb(out)
    assert stats["counts"] == {"furniture": 4}
    assert sorted(n.instances for n in nodes) == [1, 3]
    seen = shapely.union_all([footprint(n, asset["origin"]) for n in nodes])
    sheared = shapely.Polygon([(0, 0), (1, 0), (1.5, 1), (0.5, 1)])
    expected = shapely.union_all([box(0, 0, 1, 1), box(3, 0, 4, 1), box(6, 0, 7, 1), sheared])
    assert seen.symmetric_difference(expected).area < 1e-3


def test_big_meshes_split_into_primitives_with_16_bit_indices(tmp_path):
    rng = np.random.default_rng(5)
    walls = [geometry.extrude(box(x, y, x + 3, y + 0.2), 0, 3) for x, y in rng.uniform(0, 300, (10000, 2))]
    scene = Scene(nodes=[Node("walls", "wall", "A-WALL", geometry.merge_meshes(walls))])
    out = tmp_path / "big.glb"
    stats = write(scene, out)
    validate(out)
    doc = gltf_json(out)
    primitives = doc["meshes"][0]["primitives"]
    assert len(primitives) >= 2 and stats["vertices"] >= 80_000
    for prim in primitives:
        assert doc["accessors"][prim["indices"]]["componentType"] == 5123
        assert doc["accessors"][prim["attributes"]["POSITION"]]["count"] <= 65536
    assert len(doc["bufferViews"]) == 2  # positions and indices pooled
    _, nodes = read_glb(out)
    assert len(nodes[0].indices) == stats["triangles"] == sum(len(w.indices) for w in walls)
    corners = np.array([[0, 0, 0], [3, 3, 0.2]]) + [[0, 0, 0], [300, 0, 300]]
    assert (nodes[0].positions.max(axis=0) - nodes[0].positions.min(axis=0) <= corners[1] - corners[0] + 1e-3).all()


def test_rooms_are_one_upward_face_each(tmp_path):
    from core.convert.plan_rules import ROOM_SLAB, Room, room_nodes

    hall = box(0, 0, 12, 8).difference(box(5, 3, 6, 4))  # a column in the middle
    node = room_nodes([Room(hall, "RM$", "Hall")])[0]
    p, t = node.mesh.positions, node.mesh.indices
    assert np.allclose(p[:, 2], ROOM_SLAB)
    a, b, c = (p[t[:, k]] for k in range(3))
    up = np.cross(b - a, c - a)[:, 2]
    assert (up > 0).all() and up.sum() / 2 == pytest.approx(hall.area)
    assert len(t) == len(p) + 2 * 1 - 2  # earcut: n + 2 holes - 2 triangles
    out = tmp_path / "room.glb"
    write(Scene(nodes=[node]), out)
    validate(out)
    _, nodes = read_glb(out)
    assert nodes[0].name == "Hall" and footprint(nodes[0], [6, 4]).area == pytest.approx(hall.area, rel=1e-3)
