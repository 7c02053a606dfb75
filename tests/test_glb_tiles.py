"""A model over the configured size splits into tiles plus a manifest (core.gltf.tiles)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import shapely
from shapely.geometry import box

from core.convert import geometry
from core.convert.pipeline import convert_file, tiles_dir
from core.convert.scene import Node, Scene
from core.gltf.glb import write_glb
from core.gltf.tiles import MANIFEST, write_tiles
from core.plugins.specs import FormatSpec
from tests.conftest import slowplan
from tests.dxf_factory import footprint, read_glb
from tests.gltf_validator import validate
from tests.test_glb_size import chair, seating

ROOT = Path(__file__).resolve().parent.parent
SHA = "ef" * 32
KW = {"source_sha256": SHA, "format_name": "test", "converter_version": "1"}


def venue() -> Scene:
    """A 100 x 50 m hall: wall segments everywhere, rooms, 3,000 chairs."""
    rng = np.random.default_rng(7)
    nodes = [
        Node(f"w{i}", "wall", "A-WALL", geometry.extrude(box(x, y, x + 4, y + 0.2), 0, 3))
        for i, (x, y) in enumerate(rng.uniform(0, [96, 50], (400, 2)))
    ]
    for i in range(10):
        nodes.append(
            Node(f"r{i}", "room", "RM$", geometry.extrude(box(i * 10, 0, i * 10 + 9, 9), 0, 0.02), label=f"Hall {i}")
        )
    placements = seating(3000, mirrored_every=5)
    placements[:, 0, 3] *= 100 / 80
    nodes.append(Node("chairs", "furniture", "A-FURN", chair(), instances=placements))
    return Scene(nodes=nodes)


def test_small_limit_forces_tiles_each_valid_and_together_the_whole(tmp_path):
    scene = venue()
    whole = tmp_path / "whole.glb"
    full = write_glb(scene, whole, **KW)
    limit = full["bytes"] // 5
    manifest = write_tiles(scene, tmp_path / "tiles", max_bytes=limit, **KW)
    assert manifest == json.loads((tmp_path / "tiles" / MANIFEST).read_text())
    assert manifest["type"] == "floorcast.tiles" and manifest["version"] == 1
    tiles = manifest["tiles"]
    assert len(tiles) >= 5
    assert manifest["counts"] == full["counts"] and manifest["origin"] == full["origin"]
    total: dict = {}
    seen_walls, rooms = [], []
    for index, tile in enumerate(tiles):
        path = tmp_path / "tiles" / tile["file"]
        assert tile["size"] == path.stat().st_size <= limit
        assert tile["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        validate(path)
        asset, nodes = read_glb(path)
        assert asset["origin"] == manifest["origin"]  # tiles line up without moving them
        assert asset["tile"]["index"] == index and asset["tile"]["bounds"] == tile["bounds"]
        for category, n in tile["counts"].items():
            total[category] = total.get(category, 0) + n
        lo, hi = np.array(tile["bounds"]["min"]), np.array(tile["bounds"]["max"])
        for node in nodes:
            assert (node.positions.min(axis=0) >= lo - 0.01).all() and (node.positions.max(axis=0) <= hi + 0.01).all()
            category = node.extras["floorcast"]["category"]
            if category == "wall":
                seen_walls.append(footprint(node, asset["origin"]))
            if category == "room":
                rooms.append(node.name)
    # nothing twice, nothing lost (a wall cut by a tile edge counts in both tiles)
    assert sum(t["triangles"] for t in tiles) == full["triangles"]
    assert total["furniture"] == full["counts"]["furniture"] and total["room"] == full["counts"]["room"]
    assert sorted(rooms) == sorted(f"Hall {i}" for i in range(10))  # rooms whole, once
    truth = shapely.union_all(
        [footprint(n, full["origin"]) for n in read_glb(whole)[1] if n.extras["floorcast"]["category"] == "wall"]
    )
    # each tile has its own quantization grid: edges may move by half a step (< 1 mm here)
    assert shapely.union_all(seen_walls).symmetric_difference(truth).area < 1e-3 * truth.length


VENUE = FormatSpec("venue", (".venue",), lambda head: head.startswith(b"VENUE"), lambda *a: venue(), version="1")


def test_pipeline_writes_tiles_only_over_the_limit(tmp_path):
    src = tmp_path / "plan.venue"
    src.write_bytes(b"VENUE")
    small = convert_file([VENUE], src, tmp_path / "a.glb", options={"glb_tile_mb": 32}, progress=lambda *a: None)
    assert small.tiles is None and not tiles_dir(tmp_path / "a.glb").exists()
    limit_mb = small.glb_size / 3 / 1024 / 1024
    out = tmp_path / "b.glb"
    big = convert_file([VENUE], src, out, options={"glb_tile_mb": limit_mb}, progress=lambda *a: None)
    assert big.glb_size == small.glb_size  # the whole model is still there
    manifest = json.loads((tiles_dir(out) / MANIFEST).read_text())
    assert big.tiles.manifest == manifest and big.stats["tiles"] == len(manifest["tiles"]) > 1
    assert big.tiles.manifest_path == str(tiles_dir(out) / MANIFEST) and big.glb_path == str(out)
    assert [path for _, path in big.tiles.files()] == [tiles_dir(out) / t["file"] for t in manifest["tiles"]]
    for tile in manifest["tiles"]:
        validate(tiles_dir(out) / tile["file"])
    unquantized = convert_file([VENUE], src, tmp_path / "c.glb", options={"glb_quantize": "false"}, progress=print)
    assert unquantized.stats["extensions"] == ["EXT_mesh_gpu_instancing"]


def test_cli_names_the_tiles(tmp_path, plugin_env):
    src = tmp_path / "plan.slow"
    src.write_bytes(slowplan(0.1))
    proc = subprocess.run(
        [sys.executable, "-m", "core.cli.entry", "convert", str(src), "-o", str(tmp_path / "p.glb")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**plugin_env, "FLOORCAST_MODEL__TILE_MB": "0.0001", "PATH": "/usr/bin:/bin"},
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    manifest = json.loads((tmp_path / "p.tiles" / MANIFEST).read_text())
    assert f"wrote {len(manifest['tiles'])} tiles ({manifest['bytes']} bytes) and manifest.json" in proc.stderr
    for tile in manifest["tiles"]:
        validate(tmp_path / "p.tiles" / tile["file"])


@pytest.mark.parametrize("quantize", [True, False])
def test_one_cell_that_cannot_be_cut_stays_one_tile(tmp_path, quantize):
    scene = Scene(nodes=[Node("w", "wall", "A", geometry.extrude(box(0, 0, 1, 1), 0, 3))])
    manifest = write_tiles(scene, tmp_path, max_bytes=100, quantize=quantize, **KW)
    assert len(manifest["tiles"]) == 1
    validate(tmp_path / manifest["tiles"][0]["file"])


def test_job_stores_tiles_and_manifest_as_blobs(server_factory, plugin_env, tmp_path):
    server = server_factory(env={**plugin_env, "FLOORCAST_MODEL__TILE_MB": "0.0001"})
    src = tmp_path / "plan.slow"
    src.write_bytes(slowplan(0.1))
    upload = server.upload(src)
    assert upload.status_code == 202, upload.text
    job = server.wait_job(upload.json()["job"]["id"])
    assert job["status"] == "succeeded", job
    blobs = {p.name: p for p in (server.data_dir / "blobs").rglob("*") if p.is_file() and len(p.name) == 64}
    manifests = [json.loads(p.read_text()) for p in blobs.values() if p.read_bytes().startswith(b"{")]
    assert len(manifests) == 1 and manifests[0]["type"] == "floorcast.tiles"
    for tile in manifests[0]["tiles"]:
        assert tile["key"] == tile["sha256"] and tile["sha256"] in blobs
        validate(blobs[tile["sha256"]])
    assert job["asset"]["sha256"] in blobs  # the whole model stays the asset
    assert not list((server.data_dir / "tmp").glob("*.tiles"))  # cleaned up


def test_known_whole_size_cuts_parts_sure_to_be_too_big_unwritten(tmp_path, monkeypatch):
    import core.gltf.tiles

    scene = venue()
    full = write_glb(scene, tmp_path / "whole.glb", **KW)
    limit = full["bytes"] // 16
    written: list[int] = []

    def counted(*args, **kwargs):
        stats = write_glb(*args, **kwargs)
        written.append(stats["bytes"])
        return stats

    monkeypatch.setattr(core.gltf.tiles, "write_glb", counted)
    plain = write_tiles(scene, tmp_path / "a", max_bytes=limit, **KW)
    plain_writes, written[:] = len(written), []
    known = write_tiles(scene, tmp_path / "b", max_bytes=limit, whole_bytes=full["bytes"], **KW)
    # the same tiles, without writing the parts that had to be cut again
    assert [t["sha256"] for t in known["tiles"]] == [t["sha256"] for t in plain["tiles"]]
    assert len(written) < plain_writes - 1
    assert len(written) >= len(known["tiles"])
