"""``floorcast convert`` as a script runs it: a preview beside the GLB, and the
conversion in the sandboxed child under the ``[jobs]`` limits (a limit hit is
``error: out_of_memory|timeout: ...``) unless ``--no-limits``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from tests import dxf_factory
from tests.conftest import CORPUS
from tests.gltf_validator import validate

FLOORCAST = str(Path(sys.executable).parent / "floorcast")
SMALL_PLAN = CORPUS / "Azure-Samples__am-creator-indoor-data-examples__contoso_v1_Ground.dxf"
BIG_PLAN = CORPUS / "Azure-Samples__am-creator-indoor-data-examples__contoso_v2_Ground.dxf"
needs_corpus = pytest.mark.skipif(not BIG_PLAN.exists(), reason=f"no corpus plans at {CORPUS}")


def floorcast(tmp_path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("FLOORCAST_")}
    return subprocess.run(
        [FLOORCAST, *args], capture_output=True, text=True, cwd=tmp_path, env={**environ, **env}, timeout=300
    )


def test_convert_writes_a_preview_beside_the_glb(tmp_path):
    plan = tmp_path / "building.dxf"
    dxf_factory.building_plan(plan)
    done = floorcast(tmp_path, "convert", "building.dxf", "-o", "out/model.glb", "--preview", "out/model.png")
    assert done.returncode == 0, done.stderr
    validate(tmp_path / "out" / "model.glb")
    image = Image.open(tmp_path / "out" / "model.png")
    assert image.format == "PNG" and image.size[0] == 1600
    assert "wrote out/model.png" in done.stderr


@needs_corpus
def test_convert_runs_under_the_jobs_limits_unless_told_not_to(tmp_path):
    tight = floorcast(tmp_path, "convert", str(SMALL_PLAN), "-o", "small.glb", FLOORCAST_JOBS__MEMORY_MB="128")
    assert tight.returncode != 0
    assert tight.stderr.startswith("error: out_of_memory: "), tight.stderr
    assert not (tmp_path / "small.glb").exists()

    free = floorcast(
        tmp_path, "convert", str(SMALL_PLAN), "-o", "small.glb", "--no-limits", "--preview", "small.png",
        FLOORCAST_JOBS__MEMORY_MB="128",
    )  # fmt: skip
    assert free.returncode == 0, free.stderr
    validate(tmp_path / "small.glb")
    assert Image.open(tmp_path / "small.png").format == "PNG"

    slow = floorcast(tmp_path, "convert", str(BIG_PLAN), "-o", "big.glb", FLOORCAST_JOBS__TIMEOUT_SECONDS="1")
    assert slow.returncode != 0
    assert slow.stderr.startswith("error: timeout: "), slow.stderr
