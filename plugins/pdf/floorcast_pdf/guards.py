"""Limits that keep a hostile PDF from taking the converter down with it.

PDF streams are compressed: a few kilobytes of Flate can inflate to gigabytes, and
an image header can claim a billion pixels. Before MuPDF interprets a page, the
page's content streams are inflated here with a byte cap, and its images'
declared sizes are checked against the pixel budget. What slips past these (a
bomb inside an object stream, a pathological font) still meets the converter
sandbox's memory, CPU and wall-clock limits.
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib

import pymupdf

from core.plugin_api import ConversionError
from floorcast_pdf.mupdf_errors import from_mupdf

#: page content (all content streams and forms of one page, inflated) beyond which
#: a page is refused; a dense A0 CAD export holds a few tens of MB
MAX_CONTENT_BYTES = 256 * 1024 * 1024
#: longest PDF page side in points MuPDF is asked to handle (200 inches: the PDF
#: specification's own limit without UserUnit)
MAX_PAGE_POINTS = 14400.0
_CHUNK = 1024 * 1024


def _filters(doc: pymupdf.Document, xref: int) -> list[str]:
    kind, value = doc.xref_get_key(xref, "Filter")
    if kind == "null" or not value:
        return []
    return re.findall(r"/(\w+)", value)


_ASCII = {"ASCIIHexDecode": "hex", "AHx": "hex", "ASCII85Decode": "a85", "A85": "a85"}


def _ascii_decode(data: bytes, kind: str) -> bytes:
    """ASCII layers shrink their data: decoding them costs no more than the raw size."""
    if kind == "hex":
        digits = bytes(c for c in data.split(b">", 1)[0] if chr(c) in "0123456789abcdefABCDEF")
        return binascii.a2b_hex(digits + b"0" * (len(digits) % 2))
    body = data.strip()
    body = body[2:] if body.startswith(b"<~") else body
    return base64.a85decode(body.split(b"~>", 1)[0], ignorechars=b" \t\r\n\x00\x0c")


def inflated_size(doc: pymupdf.Document, xref: int, cap: int) -> int:
    """Bytes the stream ``xref`` inflates to, counted without holding them, stopping
    just past ``cap``. ASCII layers in front of a Flate are decoded first; streams
    with other filters are measured by their raw size (MuPDF decodes those; the
    sandbox's limits remain)."""
    try:
        raw = doc.xref_stream_raw(xref) or b""
        filters = _filters(doc, xref)
    except Exception as exc:  # a dangling reference in a repaired file: MuPDF draws nothing for it
        if not from_mupdf(exc):
            raise
        return 0
    while filters and filters[0] in _ASCII:
        try:
            raw = _ascii_decode(raw, _ASCII[filters.pop(0)])
        except (ValueError, binascii.Error):
            return len(raw)
    if filters not in (["FlateDecode"], ["Fl"]):
        return len(raw)
    inflater = zlib.decompressobj()
    total, data = 0, raw
    while data and total <= cap:
        try:
            out = inflater.decompress(data, _CHUNK)
        except zlib.error:
            return total  # damaged: MuPDF decodes what it can, no bigger than this
        total += len(out)
        data = inflater.unconsumed_tail
        if not out and not data:
            break
    return total


def _content_xrefs(doc: pymupdf.Document, page: pymupdf.Page) -> list[int]:
    xrefs = list(page.get_contents())
    seen = set(xrefs)
    for item in page.get_xobjects():  # forms drawn by the page (one level is what CAD writes)
        if item[0] not in seen:
            seen.add(item[0])
            xrefs.append(item[0])
    return xrefs


def check_page(doc: pymupdf.Document, page: pymupdf.Page, max_pixels: float, number: int) -> None:
    """Refuse a page that is absurdly large, or whose content or images would
    inflate beyond the limits. ``number`` is 1-based, for messages."""
    width, height = page.rect.width, page.rect.height
    if not (0 < width <= MAX_PAGE_POINTS * 10 and 0 < height <= MAX_PAGE_POINTS * 10):
        raise ConversionError(
            "page_too_large",
            f"page {number} is {width:.0f} x {height:.0f} points, beyond the {MAX_PAGE_POINTS * 10:.0f}-point limit",
            stage="parse",
            detail={"page": number, "width_pt": round(width, 1), "height_pt": round(height, 1)},
        )
    total = 0
    for xref in _content_xrefs(doc, page):
        total += inflated_size(doc, xref, MAX_CONTENT_BYTES - total)
        if total > MAX_CONTENT_BYTES:
            raise ConversionError(
                "too_large",
                f"page {number}'s drawing instructions inflate to more than"
                f" {MAX_CONTENT_BYTES // (1024 * 1024)} MB (stream {xref}): a decompression bomb or a"
                " plan too dense to convert",
                stage="parse",
                detail={"page": number, "xref": xref},
            )
    for image in page.get_images(full=True):
        xref, width, height = image[0], image[2], image[3]
        if width * height > max_pixels * 4:
            raise ConversionError(
                "page_too_large",
                f"page {number} holds an image of {width} x {height} pixels, beyond the pixel budget of"
                f" {max_pixels / 1e6:.0f} megapixels",
                stage="parse",
                detail={"page": number, "xref": xref},
            )
