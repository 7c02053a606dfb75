"""The detector hook: the default detector registers through it, a heavier one
from another plugin wins, and a detector that breaks fails the page cleanly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import shapely
from floorcast_pdf.scanned.vectorise import polygons

from core.errors import ConversionError
from core.plugin_api import DetectorSpec, hookimpl
from core.plugins.manager import Plugins
from plugins.pdf.training import scan
from tests.dxf_factory import iou, read_glb, walls_of
from tests.gltf_validator import validate

ROOT = Path(__file__).resolve().parent.parent
DPI = 150
SCALE = 100
M_PER_PX = SCALE * 0.0254 / DPI


def ring_image() -> tuple[np.ndarray, shapely.Polygon]:
    """A page holding one thick rectangular ring (12 px walls) and an inner wall,
    and its walls in pixels."""
    h, w = 700, 1000
    image = np.full((h, w), 250, dtype=np.uint8)
    outer, inner, mid = (100, 100, 900, 600), (112, 112, 888, 588), (500, 112, 510, 588)
    image[outer[1] : outer[3], outer[0] : outer[2]] = 20
    image[inner[1] : inner[3], inner[0] : inner[2]] = 250
    image[mid[1] : mid[3], mid[0] : mid[2]] = 20
    return image, shapely.box(*outer).difference(shapely.box(*inner)).union(shapely.box(*mid))


def ring_scan(path: Path) -> shapely.Polygon:
    """:func:`ring_image` as a scanned page; returns the truth footprint in plan
    metres (y up)."""
    image, px = ring_image()
    path.write_bytes(scan.scanned_pdf(image, DPI))
    h = image.shape[0]
    return shapely.affinity.affine_transform(px, (M_PER_PX, 0, 0, -M_PER_PX, 0, h * M_PER_PX))


def iou_aligned(a, b) -> float:
    """IoU after moving ``a``'s extent centre onto ``b``'s (the GLB is re-centred)."""
    (ax0, ay0, ax1, ay1), (bx0, by0, bx1, by1) = a.bounds, b.bounds
    a = shapely.affinity.translate(a, (bx0 + bx1 - ax0 - ax1) / 2, (by0 + by1 - ay0 - ay1) / 2)
    return a.intersection(b).area / a.union(b).area


def test_the_default_detector_registers_through_the_hook():
    specs = Plugins().detectors()
    default = next(s for s in specs if s.name == "floorcast-plan-seg")
    assert {"wall", "door", "window", "stair"} <= set(default.classes)
    assert default.input_size == (512, 512) and default.weight == 100
    detector = default.load(["CPUExecutionProvider"])
    assert detector.provider == "CPUExecutionProvider"
    result = detector.run(np.full((100, 130), 255, dtype=np.uint8))
    assert result["walls"].shape == (100, 130) and result["walls"].dtype == np.uint8
    assert not result["walls"].any() and result["boxes"] == []
    assert result["tiles"] == {"run": 0, "skipped": 1}
    # a page with ink goes through the network, and its walls are found
    image, truth = ring_image()
    for _ in range(2):  # the tile counts are the page's, not summed over pages
        result = detector.run(image)
        assert result["tiles"]["run"] >= 1
        assert result["tiles"]["run"] + result["tiles"]["skipped"] == 6
    walls = result["walls"].astype(bool)
    assert walls.shape == image.shape
    drawn = shapely.union_all(polygons(walls))
    assert iou(drawn, truth) > 0.8


@pytest.mark.parametrize(
    "available, expected",
    [
        (["CPUExecutionProvider"], ["CPUExecutionProvider"]),
        (["AzureExecutionProvider", "CPUExecutionProvider"], ["CPUExecutionProvider"]),
        (["CUDAExecutionProvider", "CPUExecutionProvider"], ["CUDAExecutionProvider", "CPUExecutionProvider"]),
        (["CPUExecutionProvider", "CUDAExecutionProvider", "DmlExecutionProvider"],
         ["DmlExecutionProvider", "CUDAExecutionProvider", "CPUExecutionProvider"]),
        ([], ["CPUExecutionProvider"]),
    ],
)  # fmt: skip
def test_best_provider_first(available, expected):
    from floorcast_pdf.detector.runtime import best_providers

    assert best_providers(available) == expected


def test_a_heavier_detector_plugin_wins(tmp_path, plugin_env):
    """The test plugin's detector (weight 1000) outweighs the default (100): the
    CLI's report names it and its provider, and its walls are the model's."""
    src, out = tmp_path / "ring.pdf", tmp_path / "ring.glb"
    truth = ring_scan(src)
    command = ["convert", str(src), "-o", str(out), "--set", "scale=1:100", "--report"]
    proc = subprocess.run(
        [sys.executable, "-m", "core.cli.entry", *command],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, **plugin_env}, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout)["pages"][0]["found"]
    assert found["detector"]["name"] == "test-ink"
    assert found["detector"]["provider"] == "TestInkProvider"
    assert found["doors"] == 1
    validate(out)
    asset, nodes = read_glb(out)
    assert iou_aligned(walls_of(asset, nodes), truth) > 0.95


class _Registering:
    def __init__(self, *specs):
        self.specs = list(specs)

    @hookimpl
    def floorcast_register_detectors(self):
        return self.specs


def _only(*specs) -> Plugins:
    """A plugin set holding just these detectors (active while :func:`_convert_page` runs)."""
    plugins = Plugins(safe_mode=True)
    plugins.register(_Registering(*specs), "test-detectors")
    return plugins


def _convert_page(image, plugins: Plugins):
    """The scanned-page converter as a converter of ``plugins`` runs: with their detectors."""
    from floorcast_pdf.scanned import convert_page

    with plugins.active():
        return convert_page(image, metres_per_pixel=M_PER_PX, options={}, progress=lambda *a: None)


def test_no_detector_is_a_clear_error():
    plugins = _only()
    with pytest.raises(ConversionError) as info:
        _convert_page(np.full((64, 64), 255, dtype=np.uint8), plugins)
    assert info.value.code == "detector_unavailable"


def test_a_detector_without_walls_is_not_chosen():
    class Doors:
        provider = "X"

        def run(self, image):
            return {"walls": np.ones(image.shape, np.uint8), "boxes": []}

    plugins = _only(DetectorSpec("doors-only", ("door",), (64, 64), lambda p: Doors(), weight=5000))
    with pytest.raises(ConversionError) as info:
        _convert_page(np.full((64, 64), 255, dtype=np.uint8), plugins)
    assert info.value.code == "detector_unavailable"


@pytest.mark.parametrize(
    "load, fragment",
    [
        (lambda providers: 1 / 0, "could not be loaded: ZeroDivisionError"),
        (lambda providers: type("D", (), {"run": lambda self, image: {"walls": np.zeros((3, 3))}})(), "shape (3, 3)"),
        (lambda providers: type("D", (), {"run": lambda self, image: None})(), "wall mask"),
        (lambda providers: type("D", (), {"run": lambda self, image: [][1]})(), "IndexError"),
    ],
)
def test_a_broken_detector_fails_the_page_cleanly(load, fragment):
    plugins = _only(DetectorSpec("broken", ("wall",), (64, 64), load))
    with pytest.raises(ConversionError) as info:
        _convert_page(np.full((64, 64), 255, dtype=np.uint8), plugins)
    assert info.value.code == "detector_failed" and fragment in info.value.message
    assert info.value.stage == "geometry"


def test_boxes_clipped_to_the_page_openings_kept_by_walls_unknown_classes_ignored():
    class Boxes:
        def run(self, image):
            walls = np.zeros(image.shape, np.uint8)
            walls[10:20, 5:60] = 1
            boxes = [
                {"class": "window", "x0": -5, "y0": 22, "x1": 10, "y1": 70, "score": 0.9},
                {"class": "door", "x0": 40, "y0": 50, "x1": 60, "y1": 64, "score": 0.9},  # far from a wall
                {"class": "elephant", "x0": 1, "y0": 1, "x1": 5, "y1": 5, "score": 0.9},
                {"class": "stair", "x0": 30, "y0": 30, "x1": 30, "y1": 40, "score": 0.9},  # empty
                {"class": "door"},  # malformed
            ]
            return {"walls": walls, "boxes": boxes}

    plugins = _only(DetectorSpec("boxes", ("wall", "window"), (64, 64), lambda p: Boxes()))
    plan = _convert_page(np.full((64, 64), 255, dtype=np.uint8), plugins)
    assert [w.bounds for w in plan.windows] == [(0.0, 22.0, 10.0, 64.0)]
    assert plan.doors == [] and plan.stairs == []
    assert shapely.union_all(plan.walls).area == pytest.approx(550)
    assert plan.report["detector"]["name"] == "boxes"
    assert plan.report["detector"]["provider"] == "CPUExecutionProvider"  # what it was offered
