"""The PDF converter: ``convert(source, options, progress) -> Scene``.

Each page becomes one level (or only the page the ``page`` option picks). A page
with drawing paths is read as vectors; a page that is mostly one big image is a
scan and goes to :func:`floorcast_pdf.scanned.convert_page`.
"""

from __future__ import annotations

from pathlib import Path

from core.plugin_api import ConversionError, Progress, Scene
from floorcast_pdf import scanned
from floorcast_pdf.guards import check_page
from floorcast_pdf.options import parse_options
from floorcast_pdf.pages import choose_pages, classify, mupdf_warnings, open_document, render_gray

#: resolution scanned pages are rendered at for the detector
SCAN_DPI = 150


def convert(source: Path, options: dict, progress: Progress) -> Scene:
    opts = parse_options(options)
    progress("parse", 0.02, "opening PDF")
    doc, warnings = open_document(Path(source))
    with doc:
        numbers = choose_pages(doc, opts["page"], opts["max_pages"])
        scene = Scene(units="pt", scale_to_m=0.0254 / 72 * 100, units_source="default")
        max_pixels = opts["max_megapixels"] * 1e6
        pages = []
        for level, index in enumerate(numbers):
            page = doc[index]
            check_page(doc, page, max_pixels, index + 1)
            kind = classify(page)
            if kind.kind == "scanned":
                image, _ = render_gray(page, SCAN_DPI, max_pixels, index + 1)
                scanned.convert_page(image, metres_per_pixel=0.0, options=opts, progress=progress)
            pages.append({"page": index + 1, "kind": kind.kind, "paths": kind.paths, "level": level})
        for warning in warnings + mupdf_warnings():
            scene.warn(warning)
        scene.report = {"pages": pages, "page_count": doc.page_count}
    if not any(p["kind"] == "vector" for p in pages):
        raise ConversionError("no_geometry", "no page of the PDF holds a drawing", stage="geometry")
    return scene
