"""The PDF plugin's registration, sniff and page dispatch."""

from __future__ import annotations

import numpy as np
import pymupdf
import pytest
from floorcast_pdf.plugin import floorcast_register_formats, sniff

from core.errors import PERMANENT_CODES, ConversionError
from core.formats import choose_format
from core.pipeline import convert_file
from core.plugins import Plugins

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


def test_scanned_page_goes_to_convert_page(tmp_path, monkeypatch):
    """A page that is one big image is rendered and handed to the scanned path."""
    from floorcast_pdf import scanned

    calls = []

    def fake(image, *, metres_per_pixel, options, progress):
        calls.append((image.dtype, image.ndim, metres_per_pixel))
        raise ConversionError("detector_unavailable", "no detector", stage="geometry")

    monkeypatch.setattr(scanned, "convert_page", fake)
    doc = pymupdf.open()
    page = doc.new_page(width=842, height=595)
    pixels = np.full((300, 420), 255, dtype=np.uint8)
    pixels[50:60, 20:400] = 0
    page.insert_image(page.rect, pixmap=pymupdf.Pixmap(pymupdf.csGRAY, 420, 300, pixels.tobytes(), False))
    src = tmp_path / "scan.pdf"
    doc.save(src)
    with pytest.raises(ConversionError) as info:
        convert_file(FORMATS, src, tmp_path / "x.glb", options={}, progress=lambda *a: None)
    assert info.value.code == "detector_unavailable" and info.value.code in PERMANENT_CODES
    assert calls and calls[0][:2] == (np.uint8, 2)
