"""The conversion's typed result (core.convert.result), the child that sends it
with the format its parent chose, and a job that chooses its format once."""

from __future__ import annotations

import json

import pytest
from shapely.geometry import box

from core.appliance import create_appliance
from core.config import load_settings
from core.convert import geometry
from core.convert.digest import file_sha256
from core.convert.pipeline import convert_as
from core.convert.result import ConversionResult
from core.convert.scene import Node, Scene
from core.data.models import Job
from core.errors import ConversionError
from core.gltf.tiles import MANIFEST
from core.jobs.intake import store_plan
from core.jobs.runner import run_job
from core.jobs.sandbox import Limits, run_in_child
from core.plugins.specs import FormatSpec
from tests import dxf_factory

LIMITS = Limits(memory_mb=2048, cpu_seconds=120, wall_seconds=120, max_output_mb=256)


def _never_sniffed(head: bytes) -> bool:
    raise AssertionError("a chosen format is not sniffed again")


def _halls(path, options, progress) -> Scene:
    walls = [Node(f"w{i}", "wall", "A-WALL", geometry.extrude(box(i * 5, 0, i * 5 + 4, 0.2), 0, 3)) for i in range(40)]
    return Scene(nodes=walls)


HALLS = FormatSpec("halls", (".halls",), _never_sniffed, _halls, version="3")


def test_convert_as_runs_the_given_format_and_names_every_file(tmp_path):
    src, out, tiles = tmp_path / "plan.halls", tmp_path / "out" / "m.glb", tmp_path / "elsewhere"
    src.write_bytes(b"anything")
    result = convert_as(HALLS, src, out, options={"glb_tile_mb": 0.001}, progress=lambda *a: None, tile_folder=tiles)
    assert (result.format, result.converter_version) == ("halls", "3")
    assert (
        result.glb_path == str(out) and result.glb_sha256 == file_sha256(out) and result.glb_size == out.stat().st_size
    )
    assert result.tiles is not None and result.tiles.dir == str(tiles)
    assert result.tiles.manifest_path == str(tiles / MANIFEST)
    assert json.loads((tiles / MANIFEST).read_text()) == result.tiles.manifest
    for tile, path in result.tiles.files():
        assert path.parent == tiles and tile["key"] == tile["sha256"] == file_sha256(path)


def test_the_record_survives_json_and_refuses_what_is_not_one(tmp_path):
    src = tmp_path / "plan.halls"
    src.write_bytes(b"anything")
    for tile_mb in (0, 0.001):
        result = convert_as(
            HALLS, src, tmp_path / f"m{tile_mb}.glb", options={"glb_tile_mb": tile_mb}, progress=lambda *a: None
        )
        assert ConversionResult.from_dict(json.loads(json.dumps(result.to_dict()))) == result
    data = result.to_dict()
    with pytest.raises(ValueError):
        ConversionResult.from_dict({k: v for k, v in data.items() if k != "glb_path"})
    with pytest.raises(ValueError):
        ConversionResult.from_dict(dict(data, tiles={"dir": "x"}))
    with pytest.raises(ValueError):
        ConversionResult.from_dict(["not", "a", "record"])  # type: ignore[arg-type]


def test_the_child_runs_the_named_format_and_reports_the_paths_it_was_given(tmp_path):
    src = tmp_path / "plan.dxf"
    dxf_factory.building_plan(src)
    request = {
        "source": str(src),
        "output": str(tmp_path / "m.glb"),
        "tiles_dir": str(tmp_path / "t"),
        "options": {"glb_tile_mb": 0.0001},
        "format": "dxf",
    }
    result = run_in_child(request, LIMITS, lambda *a: None)
    assert isinstance(result, ConversionResult) and result.format == "dxf"
    assert result.glb_path == request["output"] and result.tiles is not None
    assert result.tiles.dir == request["tiles_dir"] and len(result.tiles.manifest["tiles"]) >= 1
    with pytest.raises(ConversionError) as err:
        run_in_child(dict(request, format="nosuch"), LIMITS, lambda *a: None)
    assert err.value.code == "unsupported_format"


def _job(appliance, tmp_path, fmt: str) -> Job:
    src = tmp_path / "plan.dxf"
    dxf_factory.building_plan(src)
    with open(src, "rb") as fh:
        plan = store_plan(appliance, fh, src.name, None)
    return Job.create(plan=plan, options_hash=fmt, format=fmt)


def test_a_job_runs_the_format_recorded_on_it(settings_env, tmp_path):
    appliance = create_appliance(load_settings(None, env=settings_env), with_queue=False)
    job = _job(appliance, tmp_path, "dxf")
    run_job(appliance, job.id)
    job = Job.get_by_id(job.id)
    assert job.status == "succeeded", (job.error_code, job.error_message)
    assert job.format == "dxf" and job.asset.format == "dxf"


def test_a_recorded_format_is_not_chosen_again(settings_env, tmp_path):
    """The plan sniffs as DXF, but the job says another format: that one runs
    (here: one not installed, so the job fails at sniff)."""
    appliance = create_appliance(load_settings(None, env=settings_env), with_queue=False)
    job = _job(appliance, tmp_path, "nosuch")
    run_job(appliance, job.id)
    job = Job.get_by_id(job.id)
    assert (job.status, job.error_code, job.error_stage) == ("failed", "unsupported_format", "sniff")
