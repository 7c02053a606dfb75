"""Scanned PDFs end to end: synthetic scans with known truth -> GLB -> compared.

The pages come from the detector's own generator (``plugins/pdf/training/synth``)
with seeds from the held-out range the model never saw in training.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely
from floorcast_pdf.scanned import vectorise

from core.convert.pipeline import convert_file
from core.plugins.manager import Plugins
from plugins.pdf.training import scan, synth
from plugins.pdf.training.train import HELD_OUT_SEED
from tests.dxf_factory import edge_use, iou, of, read_glb, walls_of
from tests.gltf_validator import validate


def convert(sample: synth.Sample, tmp: Path, **options) -> tuple[dict, dict, list]:
    src, out = tmp / "scan.pdf", tmp / "scan.glb"
    src.write_bytes(scan.scanned_pdf(sample.image, sample.dpi))
    plugins = Plugins()
    result = convert_file(plugins.formats(), src, out, options=options, progress=lambda *a: None, filename=src.name)
    validate(out)
    asset, nodes = read_glb(out)
    return result, asset, nodes


@pytest.fixture(scope="module")
def skewed(tmp_path_factory):
    """An A4 scan at 1:100, skewed, JPEG-compressed: converted with the scale given."""
    sample = synth.make_sample(HELD_OUT_SEED + 2, page="A4", scale=100)
    assert abs(sample.skew_deg) > 0.3
    return sample, *convert(sample, tmp_path_factory.mktemp("skewed"), scale="1:100")


def test_wall_footprint_matches_truth(skewed):
    sample, result, asset, nodes = skewed
    assert iou(walls_of(asset, nodes), sample.walls_as_reported(result.report["pages"][0])) >= 0.75
    # with the scale given, that is the truth in metres: only the position differs
    (x0, y0, x1, y1), (tx0, ty0, tx1, ty1) = walls_of(asset, nodes).bounds, sample.walls_m.bounds
    assert (x1 - x0, y1 - y0) == pytest.approx((tx1 - tx0, ty1 - ty0), abs=0.5)


def test_walls_are_closed_solids(skewed):
    _, _, _, nodes = skewed
    for node in of(nodes, "wall"):
        # a big mesh comes as several primitives: weld their shared vertices first;
        # then no edge may be open (used once): 4 is two solids touching at a corner
        _, same = np.unique(np.round(node.positions, 4), axis=0, return_inverse=True)
        assert set(edge_use(same.reshape(-1)[node.indices])) <= {2, 4}, node.name


def test_the_report_names_detector_provider_and_skew(skewed):
    sample, result, asset, _ = skewed
    page = result.report["pages"][0]
    assert page["kind"] == "scanned"
    found = page["found"]
    assert found["detector"]["name"] == "floorcast-plan-seg"
    assert found["detector"]["provider"] == "CPUExecutionProvider"
    assert found["detector"]["tiles"]["run"] >= 1
    # the page was straightened: the scan's skew is found to a tenth of a degree
    assert found["skew_deg"] == pytest.approx(sample.skew_deg, abs=0.1)
    assert asset["scale"]["ratio"] == "1:100"


def test_openings_found(skewed):
    sample, result, _, nodes = skewed
    found = result.report["pages"][0]["found"]
    truth = {k: sum(1 for b in sample.boxes if b["class"] == k) for k in ("door", "window")}
    assert found["doors"] >= truth["door"] // 2 and found["windows"] >= truth["window"] // 2
    assert of(nodes, "door") and of(nodes, "window")


def test_unknown_scale_is_said_and_the_plan_still_matches(tmp_path):
    """A scan holds no readable scale note: without the option the default is used
    and said; what was found still matches the truth at that scale."""
    sample = synth.make_sample(HELD_OUT_SEED + 5, page="A4", scale=50)
    result, asset, nodes = convert(sample, tmp_path)
    page = result.report["pages"][0]
    assert page["scale"]["source"] == "default" and page["scale"]["denominator"] == 100
    assert any("1:100" in w for w in result.warnings)
    assert iou(walls_of(asset, nodes), sample.walls_as_reported(result.report["pages"][0])) >= 0.75


def test_blank_scan_has_no_geometry(tmp_path):
    from core.errors import ConversionError

    src = tmp_path / "blank.pdf"
    src.write_bytes(scan.scanned_pdf(np.full((400, 300), 245, dtype=np.uint8), 150))
    with pytest.raises(ConversionError) as info:
        convert_file(Plugins().formats(), src, tmp_path / "blank.glb", options={}, progress=lambda *a: None)
    assert info.value.code == "no_geometry"


# -- pieces ---------------------------------------------------------------------------


def test_tiles_agree_with_one_big_tile():
    """Tiling with overlap gives (nearly) what one pass over the whole image gives."""
    from floorcast_pdf.detector import MODEL, PlanDetector

    sample = synth.make_sample(HELD_OUT_SEED + 3, page="A4", scale=100, skew=False)
    image = sample.image[300:1000, 200:1100]
    tiled = PlanDetector(MODEL, ["CPUExecutionProvider"], tile=512).run(image)["walls"]
    whole = PlanDetector(MODEL, ["CPUExecutionProvider"], tile=1024).run(image)["walls"]
    assert tiled.shape == whole.shape == image.shape
    assert (tiled == whole).mean() > 0.995


def test_mask_to_polygons_keeps_area_and_holes():
    mask = np.zeros((60, 80), dtype=bool)
    mask[5:55, 5:75] = True
    mask[15:45, 15:65] = False  # a ring
    mask[0:3, 0:3] = True  # a speck
    rects = vectorise.rectangles(mask)
    assert sum((x1 - x0) * (y1 - y0) for x0, y0, x1, y1 in rects) == mask.sum()
    polys = vectorise.polygons(mask, min_area=20)
    assert len(polys) == 1 and len(polys[0].interiors) == 1
    assert polys[0].area == mask.sum() - 9


@pytest.mark.parametrize("degrees", [1.3, -2.0, 0.0])
def test_skew_of_a_rotated_frame(degrees):
    yy, xx = np.mgrid[0:500, 0:700].astype(float)
    t = np.radians(degrees)
    # pixel coordinates of a frame turned by ``degrees``: turn them back to test
    u = (xx - 350) * np.cos(t) + (yy - 250) * np.sin(t)
    v = (yy - 250) * np.cos(t) - (xx - 350) * np.sin(t)
    outer = (np.abs(u) < 300) & (np.abs(v) < 200)
    inner = (np.abs(u) < 290) & (np.abs(v) < 190)
    assert vectorise.skew(outer & ~inner) == pytest.approx(degrees, abs=0.03)
    assert vectorise.skew(np.zeros((50, 50), bool)) == 0.0  # too little to tell


def test_synthetic_pages_are_reproducible():
    a, b = synth.make_sample(7, page="A4"), synth.make_sample(7, page="A4")
    assert np.array_equal(a.image, b.image) and np.array_equal(a.labels, b.labels) and a.boxes == b.boxes
    assert set(np.unique(a.labels)) <= set(range(len(synth.CLASSES)))
    # the label map is the truth footprint rasterised
    px = a.walls_in_pixels()
    seen = shapely.union_all(vectorise.polygons(a.labels == 1))
    assert seen.intersection(px).area / seen.union(px).area > 0.85


def test_the_sheet_frame_and_edge_shadows_are_not_walls():
    from floorcast_pdf.scanned import erase_frame

    h, w = 1000, 1400
    frame = shapely.box(40, 40, w - 40, h - 40).difference(shapely.box(50, 50, w - 50, h - 50))
    title = shapely.box(1000, 850, w - 50, 860)  # a title block line joined to the frame
    building = shapely.box(400, 300, 900, 700).difference(shapely.box(410, 310, 890, 690))
    shadow = shapely.box(0, 0, w, 25)  # a scanner's dark top edge
    kept, cut = erase_frame([frame.union(title), building, shadow], (h, w))
    assert cut == 2
    assert shapely.union_all(kept).covers(building)
    assert shapely.union_all(kept).intersection(shapely.box(0, 0, w, 100)).is_empty  # no frame left at the top
