"""The PDF plugin's registration, sniff and page dispatch."""

from __future__ import annotations

import numpy as np
import pymupdf
import pytest
import shapely
from floorcast_pdf.plugin import floorcast_register_formats, sniff

from core.convert.formats import choose_format
from core.convert.pipeline import convert_file
from core.errors import PERMANENT_CODES, ConversionError
from core.plugins.manager import Plugins
from tests.dxf_factory import read_glb
from tests.gltf_validator import validate

FORMATS = floorcast_register_formats()


@pytest.mark.parametrize(
    ("head", "accepted"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", True),
        (b"\xef\xbb\xbf%PDF-1.4\n", True),
        (b"junk before the header\r\n%PDF-2.0\n", True),
        (b"  0\nSECTION\n", False),
        (b"%!PS-Adobe-3.0\n", False),
        (b"", False),
    ],
)
def test_sniff(head, accepted):
    assert sniff(head) is accepted


def test_registered_through_the_entry_point():
    plugins = Plugins()
    assert "pdf" in [f.name for f in plugins.formats()]
    info = next(i for i in plugins.infos if i.name == "pdf")
    assert info.dist == "floorcast-pdf" and info.error is None
    assert choose_format(plugins.formats(), b"%PDF-1.7\n").name == "pdf"


def _scan(path, width=842, height=595) -> None:
    """A page that is one big greyscale image (a wall drawn in it), no paths."""
    doc = pymupdf.open()
    page = doc.new_page(width=width, height=height)
    pixels = np.full((300, 420), 255, dtype=np.uint8)
    pixels[50:60, 20:400] = 0
    page.insert_image(page.rect, pixmap=pymupdf.Pixmap(pymupdf.csGRAY, 420, 300, pixels.tobytes(), False))
    doc.save(path)


def test_scanned_page_goes_to_convert_page(tmp_path, monkeypatch):
    """A scanned page is rendered and handed to ``scanned.convert_page``; the plan it
    returns in pixels lands in plan metres at the page's scale."""
    from floorcast_pdf import scanned
    from floorcast_pdf.plan import Label, PagePlan

    calls = []

    def fake(image, *, metres_per_pixel, options, progress):
        calls.append((image.dtype, image.shape, metres_per_pixel, options["scale"]))
        h, w = image.shape
        plan = PagePlan(labels=[Label("Hall", w / 2, h / 2)])
        plan.walls.append(shapely.box(0, 0, w, h).difference(shapely.box(20, 20, w - 20, h - 20)))
        plan.doors.append(shapely.box(100, h - 20, 160, h))
        return plan

    monkeypatch.setattr(scanned, "convert_page", fake)
    src = tmp_path / "scan.pdf"
    _scan(src)
    out = tmp_path / "scan.glb"
    result = convert_file(FORMATS, src, out, options={"scale": "1:200"}, progress=lambda *a: None)
    validate(out)
    ((dtype, (h, w), mpp, scale),) = calls
    assert dtype == np.uint8 and (w, h) == pytest.approx((842 * 150 / 72, 595 * 150 / 72), abs=1)
    assert mpp == pytest.approx(200 * 0.0254 / 150)
    assert result.stats["extent_m"]["size"][:2] == pytest.approx([w * mpp, h * mpp], rel=1e-3)
    assert result.report["pages"][0]["kind"] == "scanned"
    asset, nodes = read_glb(out)
    assert {n.extras["floorcast"]["category"] for n in nodes} >= {"wall", "door", "room"}
    assert [n.name for n in nodes if n.extras["floorcast"]["category"] == "room"] == ["Hall"]


def test_scanned_page_without_a_detector(tmp_path, monkeypatch):
    """Until a detector answers, a scanned page fails with a clear, permanent code."""
    from floorcast_pdf import scanned

    def unavailable(image, **kwargs):
        raise ConversionError("detector_unavailable", "no detector installed", stage="geometry")

    monkeypatch.setattr(scanned, "convert_page", unavailable)
    src = tmp_path / "scan.pdf"
    _scan(src)
    with pytest.raises(ConversionError) as info:
        convert_file(FORMATS, src, tmp_path / "x.glb", options={}, progress=lambda *a: None)
    assert info.value.code == "detector_unavailable" and info.value.code in PERMANENT_CODES


def test_scanned_page_when_the_scanned_path_is_not_installed(tmp_path, monkeypatch):
    import sys

    import floorcast_pdf

    monkeypatch.delattr(floorcast_pdf, "scanned", raising=False)
    monkeypatch.setitem(sys.modules, "floorcast_pdf.scanned", None)
    src = tmp_path / "scan.pdf"
    _scan(src)
    with pytest.raises(ConversionError) as info:
        convert_file(FORMATS, src, tmp_path / "x.glb", options={}, progress=lambda *a: None)
    assert (info.value.code, info.value.stage) == ("detector_unavailable", "geometry")
