"""The scene model, the geometry helpers and the GLB writer (DESIGN.md section 4)."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, box

from core.convert import geometry
from core.convert.scene import Material, Mesh, Node, Scene, transform_mesh
from core.gltf.glb import write_glb
from tests.dxf_factory import edge_use, footprint, read_glb
from tests.gltf_validator import validate

SHA = "ab" * 32


def signed_volume(mesh: Mesh) -> float:
    p = mesh.positions - mesh.positions.mean(axis=0)  # keeps float64 exact far from 0
    a, b, c = (p[mesh.indices[:, k]] for k in range(3))
    return float(np.einsum("ij,ij->i", a, np.cross(b, c)).sum() / 6)


def test_node_rejects_unknown_category():
    with pytest.raises(ValueError, match="category"):
        Node("x", "roof")


def test_mesh_rejects_out_of_range_indices():
    with pytest.raises(ValueError):
        Mesh(np.zeros((3, 3)), np.array([[0, 1, 3]]))


def test_material_defaults_blend_for_translucent_colours():
    assert Material("glass", (0.5, 0.5, 1.0, 0.4)).effective_alpha_mode == "BLEND"
    assert Material("wall", (0.5, 0.5, 0.5)).effective_alpha_mode == "OPAQUE"


@settings(max_examples=40, deadline=None)
@given(
    w=st.floats(0.5, 200),
    d=st.floats(0.5, 200),
    h=st.floats(0.05, 10),
    hole=st.floats(0.05, 0.45),
    x=st.floats(-1e5, 1e5),
    y=st.floats(-1e5, 1e5),
)
def test_extrude_is_closed_outward_solid(w, d, h, hole, x, y):
    poly = box(x, y, x + w, y + d).difference(box(x + w * hole, y + d * hole, x + w * (1 - hole), y + d * (1 - hole)))
    mesh = geometry.extrude(poly, 0.0, h)
    assert set(edge_use(mesh.indices)) == {2}
    # positive volume = every face winds outward
    # outlines snap to a 0.1 mm grid
    assert signed_volume(mesh) == pytest.approx(poly.area * h, abs=poly.length * 2e-4 * h)


def test_centre_line_walls_meet_with_mitred_corners():
    lines = [[(0, 0), (10, 0)], [(10, 0), (10, 5)], [(10, 5), (0, 5)], [(0, 5), (0, 0)]]
    fp = geometry.centreline_walls(lines, 0.2)
    ring = box(-0.1, -0.1, 10.1, 5.1).difference(box(0.1, 0.1, 9.9, 4.9))
    assert fp.symmetric_difference(ring).area < 1e-6


def test_double_lines_become_one_wall_of_their_spacing():
    fp, stats = geometry.walls_from_linework([[(0, 0), (10, 0)], [(0, 0.25), (10, 0.25)]], default_thickness=0.2)
    assert stats["double_line_pairs"] == 1
    assert fp.symmetric_difference(box(0, 0, 10, 0.25)).area < 1e-6


def test_merge_offsets_indices():
    a = geometry.extrude(box(0, 0, 1, 1), 0, 1)
    b = geometry.extrude(box(5, 5, 6, 6), 0, 1)
    m = geometry.merge_meshes([a, b])
    assert len(m.positions) == len(a.positions) + len(b.positions)
    assert signed_volume(m) == pytest.approx(2.0)
    assert set(edge_use(m.indices)) == {2}


def _scene() -> Scene:
    wall = geometry.extrude(box(1000, 2000, 1010, 2000.2), 0, 3)
    room = geometry.extrude(box(1000, 2001, 1004, 2004), 0, 0.02)
    upstairs = geometry.extrude(box(1000, 2000, 1002, 2002), 0, 3)
    return Scene(
        nodes=[
            Node("walls", "wall", "A-WALL", wall),
            Node("Hall 1", "room", "RM$", room, label="Hall 1", properties={"area_m2": 12}),
            Node("walls L1", "wall", "A-WALL", upstairs, level=1),
            Node("note", "annotation", "TEXT"),
        ],
        materials=[Material("custom", (1, 0, 0, 1))],
        units="mm",
        scale_to_m=0.001,
        units_source="$INSUNITS",
        elevations={1: 4.0},
        warnings=["something odd"],
    )


def test_glb_contract(tmp_path):
    out = tmp_path / "scene.glb"
    stats = write_glb(_scene(), out, source_sha256=SHA, format_name="test", converter_version="9.9")
    report = validate(out)
    assert report["numWarnings"] == 0, report["messages"]
    asset, nodes = read_glb(out)
    assert stats["bytes"] == out.stat().st_size
    assert stats["counts"] == {"room": 1, "wall": 2}
    assert asset["source_sha256"] == SHA and asset["format"] == "test"
    assert asset["converter_version"] == "9.9" and asset["units"] == "mm"
    assert asset["scale_to_m"] == 0.001 and asset["units_source"] == "$INSUNITS"
    assert asset["warnings"] == ["something odd"]
    origin = asset["origin"]
    assert origin == pytest.approx([1005.0, 2002.0])  # centre of the plan extent
    assert asset["extent_m"]["size"] == pytest.approx([10, 4, 7])

    by_name = {n.name: n for n in nodes}
    assert set(by_name) == {"walls", "walls L1", "Hall 1"}
    for n in nodes:
        assert n.extras["floorcast"]["category"] in {"wall", "room"}
        assert n.extras["floorcast"]["layer"]
    hall = by_name["Hall 1"]
    assert hall.extras["floorcast"]["label"] == "Hall 1"
    # axes: plan X -> +X, plan Y -> -Z, height -> +Y, floor at 0
    walls = by_name["walls"].positions
    assert walls[:, 1].min() == pytest.approx(0) and walls[:, 1].max() == pytest.approx(3)
    assert walls[:, 0].min() == pytest.approx(1000 - origin[0])
    assert walls[:, 2].max() == pytest.approx(-(2000 - origin[1]))
    assert walls[:, 2].min() == pytest.approx(-(2000.2 - origin[1]), abs=1e-4)
    seen = footprint(by_name["walls"], origin)
    assert seen.symmetric_difference(box(1000, 2000, 1010, 2000.2)).area < 1e-3
    # level 1 sits at its elevation
    upper = by_name["walls L1"].positions
    assert upper[:, 1].min() == pytest.approx(4) and upper[:, 1].max() == pytest.approx(7)
    assert set(edge_use(by_name["walls"].indices)) == {2}


def test_glb_merges_per_category_and_level(tmp_path):
    nodes = [Node(f"w{i}", "wall", f"L{i}", geometry.extrude(box(i * 2, 0, i * 2 + 1, 1), 0, 3)) for i in range(5)]
    out = tmp_path / "m.glb"
    stats = write_glb(Scene(nodes=nodes), out, source_sha256=SHA, format_name="t", converter_version="1")
    validate(out)
    _, glb_nodes = read_glb(out)
    assert len(glb_nodes) == 1 and stats["nodes"] == 1
    info = glb_nodes[0].extras["floorcast"]
    assert info["merged"] == 5 and info["layers"] == [f"L{i}" for i in range(5)]


def test_glb_refuses_empty_scene(tmp_path):
    with pytest.raises(ValueError):
        write_glb(Scene(), tmp_path / "x.glb", source_sha256=SHA, format_name="t", converter_version="1")


def test_wall_lines_with_tee_and_gap_stay_closed():
    lines = [LineString([(0, 0), (10, 0)]), LineString([(5, 0), (5, 4)]), LineString([(5, 5), (5, 8)])]
    fp, _ = geometry.walls_from_linework(lines, default_thickness=0.2)
    mesh = geometry.extrude(fp, 0, 3)
    assert set(edge_use(mesh.indices)) == {2}
    assert shapely.get_num_geometries(fp) == 2  # the gap at y 4..5 stays open


# -- instances -----------------------------------------------------------------

L_SHAPE = shapely.Polygon([(0, 0), (2, 0), (2, 0.5), (0.5, 0.5), (0.5, 1.5), (0, 1.5)])


def _instanced_scene() -> tuple[Scene, list[shapely.Polygon]]:
    """An L-shaped block placed four times: plain, rotated, mirrored in X, and
    mirrored + rotated + scaled non-uniformly; with its expected footprints."""
    mesh = geometry.extrude(L_SHAPE, 0, 0.8)
    placements = [(100, 50, 0, 1, 1), (110, 50, 90, 1, 1), (120, 50, 0, -1, 1), (130, 50, 30, 2, -0.5)]
    x, y, rot, sx, sy = (np.array(v, dtype=float) for v in zip(*placements, strict=True))
    matrices = Node.plan_transforms(x, y, rot, sx, sy)
    truth = [
        shapely.affinity.translate(
            shapely.affinity.rotate(shapely.affinity.scale(L_SHAPE, a, b, origin=(0, 0)), r, origin=(0, 0)), tx, ty
        )
        for tx, ty, r, a, b in placements
    ]
    node = Node("chairs", "furniture", "A-FURN", mesh, instances=matrices)
    walls = Node("walls", "wall", "A-WALL", geometry.extrude(box(95, 45, 135, 45.2), 0, 3))
    return Scene(nodes=[walls, node]), truth


def test_instances_flatten_with_outward_faces_and_exact_bounds():
    scene, truth = _instanced_scene()
    node = scene.nodes[1]
    assert node.instance_count == 4
    flat = node.flattened()
    assert set(edge_use(flat.indices)) == {2}
    # mirrored copies keep positive volume: their winding was reversed
    volumes = [signed_volume(transform_mesh(node.mesh, m)) for m in node.instances]
    expected = [L_SHAPE.area * 0.8 * abs(a * b) for a, b in ((1, 1), (1, 1), (-1, 1), (2, -0.5))]
    assert volumes == pytest.approx(expected)
    lo, hi = node.bounds()
    tb = shapely.union_all(truth).bounds
    assert lo[:2] == pytest.approx(tb[:2]) and hi[:2] == pytest.approx(tb[2:])
    lo, hi = scene.extent()
    assert lo[:2] == pytest.approx([95, 45]) and hi[:2] == pytest.approx([135, tb[3]])


def test_instances_reject_bad_matrices():
    mesh = geometry.extrude(box(0, 0, 1, 1), 0, 1)
    with pytest.raises(ValueError, match="affine"):
        Node("x", "furniture", mesh=mesh, instances=np.ones((2, 4, 4)))
    with pytest.raises(ValueError, match="singular"):
        Node("x", "furniture", mesh=mesh, instances=Node.plan_transforms(0, 0, 0, 0, 1))
    with pytest.raises(ValueError, match=r"\(N, 4, 4\)"):
        Node("x", "furniture", mesh=mesh, instances=np.eye(3))
    assert not Node("x", "furniture", mesh=mesh, instances=np.zeros((0, 4, 4))).has_geometry


def test_instanced_scene_writes_a_valid_glb_with_every_copy(tmp_path):
    scene, truth = _instanced_scene()
    out = tmp_path / "inst.glb"
    stats = write_glb(scene, out, source_sha256=SHA, format_name="t", converter_version="1")
    validate(out)
    assert stats["counts"] == {"furniture": 4, "wall": 1}
    asset, nodes = read_glb(out)
    furniture = [n for n in nodes if n.extras["floorcast"]["category"] == "furniture"]
    seen = shapely.union_all([footprint(n, asset["origin"]) for n in furniture])
    assert seen.symmetric_difference(shapely.union_all(truth)).area < 1e-3
