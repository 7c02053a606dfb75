"""core.gltf.axes: the plan -> glTF axis map and origin centring, and the writers
that use it (a model's GLB, its tiles' bounds) agree with it."""

from __future__ import annotations

import numpy as np
from shapely.geometry import box

from core.convert import geometry
from core.convert.scene import Node, Scene, plan_transforms
from core.gltf.axes import GROUND, PLAN_TO_GLTF, box_to_gltf, centred_origin, linear_to_gltf, to_gltf
from core.gltf.glb import write_glb
from core.gltf.tiles import write_tiles
from tests.dxf_factory import read_glb

KW = {"source_sha256": "ab" * 32, "format_name": "test", "converter_version": "1"}


def test_plan_x_is_gltf_x_plan_y_is_minus_z_height_and_elevation_are_y():
    east_north_up = np.array([[2.0, 0.0, 0.0], [0.0, 3.0, 0.0], [0.0, 0.0, 4.0]])
    assert to_gltf(east_north_up).tolist() == [[2, 0, 0], [0, 0, -3], [0, 4, 0]]
    moved = to_gltf(np.array([[12.0, 23.0, 1.0]]), origin=(10.0, 20.0), elevation=3.5)
    assert moved.tolist() == [[2.0, 4.5, -3.0]]
    assert np.array_equal(PLAN_TO_GLTF @ np.array([1.0, 2.0, 3.0]), to_gltf(np.array([[1.0, 2.0, 3.0]]))[0])
    assert GROUND == [0, 2]  # plan X/Y lie in glTF X/Z


def test_the_map_is_a_proper_rotation_so_faces_keep_their_winding():
    assert np.allclose(PLAN_TO_GLTF @ PLAN_TO_GLTF.T, np.eye(3)) and np.isclose(np.linalg.det(PLAN_TO_GLTF), 1.0)
    turned = plan_transforms(np.zeros(2), np.zeros(2), rotation_deg=[90.0, 0.0], sx=[1.0, -1.0])[:, :3, :3]
    gl = linear_to_gltf(turned)
    assert np.allclose(np.linalg.det(gl), np.linalg.det(turned))  # a mirrored copy stays mirrored
    # a quarter turn counter-clockwise on the plan (east -> north) is east -> -Z in glTF
    assert np.allclose(gl[0] @ [1.0, 0.0, 0.0], [0.0, 0.0, -1.0])


def test_origin_is_the_extent_centre_and_boxes_keep_min_below_max():
    lo, hi = np.array([10.0, 20.0, 0.0]), np.array([30.0, 60.0, 3.0])
    assert centred_origin(lo, hi).tolist() == [20.0, 40.0]
    gl_lo, gl_hi = box_to_gltf(lo, hi, (20.0, 40.0))
    assert gl_lo.tolist() == [-10.0, 0.0, -20.0] and gl_hi.tolist() == [10.0, 3.0, 20.0]


def test_the_glb_and_its_tiles_use_this_map(tmp_path):
    """A wall on level 1 (3 m up) of a plan 100 m east and 50 m north of its origin."""
    wall = geometry.extrude(box(100, 50, 104, 50.2), 0, 3)
    scene = Scene(nodes=[Node("w", "wall", "A-WALL", wall, level=1)], elevations={1: 3.0})
    stats = write_glb(scene, tmp_path / "m.glb", quantize=False, **KW)
    asset, nodes = read_glb(tmp_path / "m.glb")
    lo, hi = scene.extent()
    assert asset["origin"] == stats["origin"] == centred_origin(lo, hi).tolist()
    expected = to_gltf(wall.positions, asset["origin"], 3.0)
    got = nodes[0].positions
    assert np.allclose(got.min(axis=0), expected.min(axis=0), atol=1e-5)
    assert np.allclose(got.max(axis=0), expected.max(axis=0), atol=1e-5)
    manifest = write_tiles(scene, tmp_path / "tiles", max_bytes=1 << 20, **KW)
    gl_lo, gl_hi = box_to_gltf(lo, hi, manifest["origin"])
    bounds = manifest["tiles"][0]["bounds"]
    assert bounds == {"min": np.round(gl_lo, 4).tolist(), "max": np.round(gl_hi, 4).tolist()}
