"""The PDF converter: ``convert(source, options, progress) -> Scene``.

Each page becomes one level, stacked ``storey_height`` apart (or only the page the
``page`` option picks). A page with drawing paths is read as vectors; a page that
is mostly one big image is a scan and goes to
:func:`floorcast_pdf.scanned.convert_page`. Every page gets its own scale.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from core.plugin_api import ConversionError, Progress, Scene
from floorcast_pdf import vector
from floorcast_pdf.build import add_level
from floorcast_pdf.clock import Laps
from floorcast_pdf.guards import check_page
from floorcast_pdf.mupdf_errors import from_mupdf
from floorcast_pdf.options import parse_options
from floorcast_pdf.pages import (
    choose_pages,
    classify,
    mupdf_warnings,
    open_document,
    page_texts,
    render_gray,
    unrotated,
)
from floorcast_pdf.paths import PageFrame
from floorcast_pdf.scale import POINT_M, Scale, find_scale

#: resolution scanned pages are rendered at for the detector
SCAN_DPI = 150


def _scanned():
    """The scanned-page path, imported when a page needs it (it loads the detector's
    runtime); a package without it fails such pages with a clear code."""
    try:
        from floorcast_pdf import scanned
    except ImportError as exc:
        raise ConversionError(
            "detector_unavailable",
            f"this page is a scanned image and the scanned-plan path is not installed ({exc})",
            stage="geometry",
        ) from None
    return scanned


def _segments(drawings: list[dict], limit: int = 200_000) -> np.ndarray:
    """Straight stroked segments of a page in points, (n, 2, 2): dimension lines."""
    out = []
    for d in drawings:
        if "s" not in (d.get("type") or ""):
            continue
        for item in d.get("items", ()):
            if item[0] == "l":
                out.append(((item[1].x, item[1].y), (item[2].x, item[2].y)))
        if len(out) >= limit:
            break
    return np.asarray(out, dtype=float).reshape(-1, 2, 2)


def _page(doc, index: int, level: int, scene: Scene, opts: dict, progress: Progress) -> dict:
    number = index + 1
    max_pixels = opts["max_megapixels"] * 1e6
    laps = Laps()
    try:
        page = doc[index]
        check_page(doc, page, max_pixels, number)
        laps.lap("guards")
        kind = classify(page)
        laps.lap("drawings")
    except ConversionError:
        raise
    except Exception as exc:
        if not from_mupdf(exc):  # a fault in our code, not in the page
            raise
        raise ConversionError(
            "corrupt_file",
            f"page {number} cannot be read: {' '.join(str(exc).split())[:300] or type(exc).__name__}",
            stage="parse",
            detail={"page": number},
        ) from None
    texts = page_texts(page)
    laps.lap("text")
    info: dict = {"page": number, "level": level, "kind": kind.kind, "paths": kind.paths, "texts": len(texts)}
    info["seconds"] = laps.seconds
    info["size_pt"] = [round(page.rect.width, 1), round(page.rect.height, 1)]
    if kind.kind == "empty":
        scene.warn(f"page {number} holds no drawing and was skipped")
        return info
    scale = find_scale(opts["scale"], texts, _segments(kind.drawings), (page.rect.width, page.rect.height))
    info["scale"] = scale.as_dict()
    laps.lap("scale")
    for warning in scale.warnings:
        scene.warn(f"page {number}: {warning}")
    progress("geometry", 0.0, f"page {number}: {kind.kind}, scale {scale.ratio} ({scale.source})")
    if kind.kind == "vector":
        rotation = page.rotation_matrix if page.rotation else None
        frame = PageFrame(page.rect.height, scale.metres_per_point, rotation)
        exclude = [scale.region] if scale.region else []
        sheet = unrotated(page)
        plan = vector.extract(kind.drawings, texts, frame, (sheet.width, sheet.height), opts, exclude)
        info["rotation"] = page.rotation
    else:
        image, points_per_pixel = render_gray(page, SCAN_DPI, max_pixels, number)
        metres_per_pixel = points_per_pixel * scale.metres_per_point
        info["render"] = {"pixels": [int(image.shape[1]), int(image.shape[0])], "dpi": round(72 / points_per_pixel)}
        found = _scanned().convert_page(image, metres_per_pixel=metres_per_pixel, options=opts, progress=progress)
        # pixel rows run down from the page's top edge; the last row may be partial
        plan = found.to_metres(metres_per_pixel, page.rect.height / points_per_pixel)
    laps.lap(kind.kind)
    for warning in plan.warnings:
        scene.warn(f"page {number}: {warning}")
    info["found"] = plan.report
    info["nodes"] = add_level(scene, plan, level, f"page {number}", opts)
    laps.lap("build")
    info["_scale"] = scale
    return info


def convert(source: Path, options: dict, progress: Progress) -> Scene:
    opts = parse_options(options)
    progress("parse", 0.02, "opening PDF")
    laps = Laps()
    doc, warnings = open_document(Path(source))
    laps.lap("open")
    scene = Scene(units="pt")
    with doc:
        numbers = choose_pages(doc, opts["page"], opts["max_pages"])
        pages = []
        for i, index in enumerate(numbers):
            level = opts["level"] if opts["page"] is not None else i
            progress("parse", (i + 0.5) / len(numbers), f"page {index + 1} of {doc.page_count}")
            pages.append(_page(doc, index, level, scene, opts, progress))
            scene.elevations[level] = level * opts["storey_height"]
        page_count = doc.page_count
    for warning in warnings + mupdf_warnings():
        scene.warn(warning)

    scales: list[Scale] = [p.pop("_scale") for p in pages if "_scale" in p]
    first = scales[0] if scales else Scale(0.0, "none")
    scene.scale_to_m = first.metres_per_point or POINT_M
    scene.units_source = first.source
    if scales:
        scene.scale = {**first.as_dict(), "pages": {str(p["page"]): p["scale"]["ratio"] for p in pages if "scale" in p}}
    scene.report = {
        "page_count": page_count,
        "pages": pages,
        "scale": scene.scale,
        "storey_height": opts["storey_height"],
        "seconds": laps.seconds,
        "rooms": sum(p.get("nodes", {}).get("room", 0) for p in pages),
        "warnings": list(scene.warnings),
    }
    if not any(p["kind"] != "empty" for p in pages):
        raise ConversionError("no_geometry", "no page of the PDF holds a drawing", stage="geometry")
    return scene
