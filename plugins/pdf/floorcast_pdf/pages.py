"""Opening a PDF, choosing its pages, telling vector pages from scanned ones, and
rendering a page within the pixel budget."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pymupdf

from core.plugin_api import ConversionError
from floorcast_pdf.mupdf_errors import from_mupdf

#: a page is scanned when images cover this share of it and it has few paths
SCANNED_IMAGE_COVER = 0.5
SCANNED_MAX_PATHS = 200

pymupdf.TOOLS.mupdf_display_errors(False)  # MuPDF's repairs go to the report, not stderr
pymupdf.TOOLS.mupdf_display_warnings(False)


def open_document(path: Path) -> tuple[pymupdf.Document, list[str]]:
    """The document and MuPDF's warnings (repairs of a broken xref, ...)."""
    pymupdf.TOOLS.reset_mupdf_warnings()
    try:
        doc = pymupdf.open(Path(path), filetype="pdf")
    except Exception as exc:  # FileDataError, RuntimeError from MuPDF on garbage
        message = _mupdf_message(exc).replace(str(path), Path(path).name)
        raise ConversionError("corrupt_file", f"the PDF cannot be opened: {message}", stage="parse") from None
    if doc.needs_pass:
        doc.close()
        raise ConversionError(
            "password_protected", "the PDF is encrypted with a password; upload an unprotected copy", stage="parse"
        )
    try:
        count = doc.page_count
    except Exception as exc:
        raise ConversionError(
            "corrupt_file", f"the PDF's page tree is broken: {_mupdf_message(exc)}", stage="parse"
        ) from None
    if count == 0:
        raise ConversionError("no_geometry", "the PDF has no pages", stage="parse")
    warnings = []
    if doc.is_repaired:
        if not _ends_with_eof(Path(path)):
            doc.close()
            raise ConversionError(
                "corrupt_file",
                "the PDF is truncated: it ends before its %%EOF marker (an incomplete upload or copy?)",
                stage="parse",
            )
        warnings.append("the PDF was damaged (broken cross-reference table) and repaired on reading")
    return doc, warnings


def _ends_with_eof(path: Path) -> bool:
    """Whether the file's last bytes hold the ``%%EOF`` marker (writers may add a
    little trash after it). MuPDF repairs a truncated file into part of a
    building, which must not be published as the whole."""
    with open(path, "rb") as fh:
        fh.seek(max(0, path.stat().st_size - 4096))
        return b"%%EOF" in fh.read()


def mupdf_warnings() -> list[str]:
    text = pymupdf.TOOLS.mupdf_warnings(reset=True) or ""
    lines = dict.fromkeys(line.strip() for line in text.splitlines() if line.strip())
    return [f"PDF reader: {line}" for line in lines][:20]


def _mupdf_message(exc: Exception) -> str:
    return " ".join(str(exc).split())[:300] or type(exc).__name__


def choose_pages(doc: pymupdf.Document, page: int | None, max_pages: int) -> list[int]:
    """0-based page numbers to convert: the chosen one, or all within the limit."""
    count = doc.page_count
    if page is not None:
        if page > count:
            raise ConversionError(
                "invalid_options", f"page {page} was asked for but the PDF has {count} page(s)", stage="parse"
            )
        return [page - 1]
    if count > max_pages:
        raise ConversionError(
            "too_many_pages",
            f"the PDF has {count} pages, more than the limit of {max_pages}; choose one with the page option",
            stage="parse",
            detail={"pages": count, "limit": max_pages},
        )
    return list(range(count))


def unrotated(page: pymupdf.Page) -> pymupdf.Rect:
    """The page before its ``/Rotate``: the space drawings, text and images are in."""
    return pymupdf.Rect(0, 0, page.cropbox.width, page.cropbox.height)


@dataclass
class PageKind:
    """How a page is drawn: ``vector``, ``scanned`` or ``empty``."""

    kind: str
    paths: int
    image_cover: float
    drawings: list = field(default_factory=list, repr=False)


def classify(page: pymupdf.Page) -> PageKind:
    """Vector when it has drawing paths; scanned when mostly one big image with few paths."""
    drawings = page.get_drawings()
    sheet = unrotated(page)
    area = max(sheet.width * sheet.height, 1e-9)
    cover = 0.0
    for info in page.get_image_info():
        box = pymupdf.Rect(info["bbox"]) & sheet
        if not box.is_empty:
            cover = max(cover, box.width * box.height / area)
    if cover >= SCANNED_IMAGE_COVER and len(drawings) <= SCANNED_MAX_PATHS:
        return PageKind("scanned", len(drawings), cover)
    if not drawings:
        return PageKind("empty", 0, cover)
    return PageKind("vector", len(drawings), cover, drawings)


def render_gray(page: pymupdf.Page, dpi: float, max_pixels: float, number: int) -> tuple[np.ndarray, float]:
    """The page in greyscale (uint8, H x W, 0 = ink) and the points per pixel.

    The resolution is lowered to fit the pixel budget; a page that would need less
    than 50 dpi to fit is refused with ``page_too_large``."""
    width_in, height_in = page.rect.width / 72, page.rect.height / 72
    fit_dpi = (max_pixels / max(width_in * height_in, 1e-9)) ** 0.5
    if fit_dpi < 50:
        raise ConversionError(
            "page_too_large",
            f"page {number} ({width_in:.0f} x {height_in:.0f} in) would render to"
            f" {width_in * height_in * dpi * dpi / 1e6:.0f} megapixels at {dpi:.0f} dpi, beyond the pixel budget of"
            f" {max_pixels / 1e6:.0f}",
            stage="parse",
            detail={"page": number},
        )
    dpi = min(dpi, fit_dpi)
    pix = page.get_pixmap(matrix=pymupdf.Matrix(dpi / 72, dpi / 72), colorspace=pymupdf.csGRAY, alpha=False)
    image = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.stride)[:, : pix.width]
    return image.copy(), 72 / dpi


@dataclass
class SheetText:
    """A line of text on the page (page points, y down): string, box, font size and
    writing direction (``dx, dy``: (1, 0) for normal text)."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    size: float
    dx: float = 1.0
    dy: float = 0.0

    @property
    def centre(self) -> tuple[float, float]:
        return (self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2


def page_texts(page: pymupdf.Page, limit: int = 20000) -> list[SheetText]:
    """The page's text lines (real text, not text drawn as paths), at most ``limit``."""
    out: list[SheetText] = []
    try:
        data = page.get_text("dict", flags=pymupdf.TEXT_PRESERVE_WHITESPACE)
    except Exception as exc:  # a broken font or content stream: the drawing may still be fine
        if not from_mupdf(exc):
            raise
        return out
    for block in data.get("blocks", ()):
        for line in block.get("lines", ()):
            text = " ".join("".join(span.get("text", "") for span in line.get("spans", ())).split())
            if not text:
                continue
            size = max((span.get("size", 0.0) for span in line["spans"]), default=0.0)
            x0, y0, x1, y1 = line["bbox"]
            dx, dy = line.get("dir", (1.0, 0.0))
            out.append(SheetText(text, x0, y0, x1, y1, float(size), float(dx), float(dy)))
            if len(out) >= limit:
                return out
    return out
