"""Vector PDF floor plans generated in code with PyMuPDF, each with its truth.

The main plan is a 20 x 12 m building on an A3 landscape sheet at 1:100 (by
default), the same rooms as the DXF factory's plan, with four doors:

- exterior walls 0.3 m thick with the entrance (x 3..4) in the bottom wall and
  two windows (top wall x 14..16, left wall y 2..4), each three thin lines;
- a 0.2 m wall at x = 8 (door y 4..5), a 0.15 m wall at y = 6 (door x 12..13), a
  0.2 m wall at y = 8 (door x 5..6);
- each door a thin leaf line and a quarter-circle swing of 1 m radius;
- room names as real text at the room centres, desks and chairs in thin lines,
  a hatched lobby, a sheet frame and a title block with the scale note.

Walls are drawn in one of three styles: ``fill`` (grey poché with a black
outline, one even-odd path), ``stroke`` (thick strokes along the centre lines),
``pen`` (outlines in a heavier pen than the rest). Truth is in plan metres as the
converter places them: x to the right from the page's left edge, y up from its
bottom edge, at the plan's scale.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import pymupdf
import shapely
from shapely import affinity
from shapely.geometry import Polygon, box

A3 = (1190.55, 841.89)  # landscape, points
POINT_M = 0.0254 / 72
ORIGIN = (6.0, 9.0)  # where the building's corner sits on the sheet, metres at 1:100

# wall centre lines: (polyline in building metres, thickness)
EXTERIOR = [
    [(4, 0.15), (19.85, 0.15), (19.85, 11.85), (16, 11.85)],
    [(14, 11.85), (0.15, 11.85), (0.15, 4)],
    [(0.15, 2), (0.15, 0.15), (3, 0.15)],
]
# windows: three thin lines across a gap in the exterior wall
WINDOWS = [box(14, 11.7, 16, 12), box(0, 2, 0.3, 4)]
INTERIOR = [
    ([(8, 0.3), (8, 4)], 0.2),
    ([(8, 5), (8, 11.7)], 0.2),
    ([(8.1, 6), (12, 6)], 0.15),
    ([(13, 6), (19.7, 6)], 0.15),
    ([(0.3, 8), (5, 8)], 0.2),
    ([(6, 8), (7.9, 8)], 0.2),
]
# doors: hinge, open leaf end, closed leaf end (the arc runs from leaf end to closed end)
DOORS = [
    ((3, 0.3), (3, 1.3), (4, 0.3)),
    ((8.1, 4), (9.1, 4), (8.1, 5)),
    ((12, 6.075), (12, 7.075), (13, 6.075)),
    ((5, 8.1), (5, 9.1), (6, 8.1)),
]
ROOMS = {
    "Lobby": box(0.3, 0.3, 7.9, 7.9),
    "Office 101": box(8.1, 0.3, 19.7, 5.925),
    "Hall": box(8.1, 6.075, 19.7, 11.7),
    "Storage": box(0.3, 8.1, 7.9, 11.7),
}


@dataclass
class Truth:
    """What a plan holds, in plan metres of the converter (see the module doc)."""

    walls: Polygon
    windows: list = field(default_factory=list)
    rooms: dict[str, Polygon] = field(default_factory=dict)
    doors: list = field(default_factory=list)  # hinge points
    hatch: Polygon | None = None
    scale: float = 100.0


def truth_walls() -> Polygon:
    """The walls of the building, in building metres."""
    exterior = box(0, 0, 20, 12).difference(box(0.3, 0.3, 19.7, 11.7)).difference(box(3, -1, 4, 1))
    parts = [
        exterior.difference(shapely.union_all(WINDOWS)),
        box(7.9, 0.3, 8.1, 4),
        box(7.9, 5, 8.1, 11.7),
        box(8.1, 5.925, 12, 6.075),
        box(13, 5.925, 19.7, 6.075),
        box(0.3, 7.9, 5, 8.1),
        box(6, 7.9, 7.9, 8.1),
    ]
    return shapely.union_all(parts)


class Sheet:
    """Building metres -> page points at a scale, on a page of the document."""

    def __init__(self, page: pymupdf.Page, scale: float, origin=ORIGIN):
        self.page = page
        self.k = 1 / (scale * POINT_M)  # points per metre
        # the building keeps its place on the sheet whatever the scale
        self.ox, self.oy = origin[0] * 100 / scale, origin[1] * 100 / scale
        self.height = page.rect.height

    def pt(self, x: float, y: float) -> pymupdf.Point:
        return pymupdf.Point((self.ox + x) * self.k, self.height - (self.oy + y) * self.k)

    def plan(self, geom):
        """Building metres -> the converter's plan metres."""
        return affinity.translate(geom, self.ox, self.oy)

    def text(self, x: float, y: float, text: str, size: float = 10, rotate: int = 0) -> None:
        """Text centred on a building point."""
        p = self.pt(x, y)
        width = pymupdf.get_text_length(text, fontsize=size)
        if rotate == 90:
            self.page.insert_text((p.x + size * 0.35, p.y + width / 2), text, fontsize=size, rotate=90)
        else:
            self.page.insert_text((p.x - width / 2, p.y + size * 0.35), text, fontsize=size)


def _walls(sheet: Sheet, style: str, oc: int = 0) -> None:
    shape = sheet.page.new_shape()
    walls = truth_walls()
    if style == "fill":
        for poly in shapely.get_parts(walls):
            for ring in [poly.exterior, *poly.interiors]:
                shape.draw_polyline([sheet.pt(x, y) for x, y in ring.coords])
        shape.finish(fill=(0.45, 0.45, 0.45), color=(0, 0, 0), width=0.5, even_odd=True, closePath=True, oc=oc)
    elif style == "stroke":
        for piece in EXTERIOR:
            shape.draw_polyline([sheet.pt(x, y) for x, y in piece])
            shape.finish(color=(0, 0, 0), width=0.3 * sheet.k, closePath=False, lineCap=0, lineJoin=0, oc=oc)
        for line, thickness in INTERIOR:
            shape.draw_polyline([sheet.pt(x, y) for x, y in line])
            shape.finish(color=(0, 0, 0), width=thickness * sheet.k, closePath=False, lineCap=0, oc=oc)
    elif style in ("pen", "layer"):
        width = 1.4 if style == "pen" else 0.3
        for poly in shapely.get_parts(walls):
            for ring in [poly.exterior, *poly.interiors]:
                shape.draw_polyline([sheet.pt(x, y) for x, y in ring.coords])
                shape.finish(color=(0, 0, 0), width=width, closePath=True, oc=oc)
    else:
        raise ValueError(style)
    shape.commit()


def _windows(sheet: Sheet, oc: int = 0) -> None:
    shape = sheet.page.new_shape()
    for window in WINDOWS:
        x0, y0, x1, y1 = window.bounds
        for f in (0.0, 0.5, 1.0):  # along the wall: outer face, glass, inner face
            if x1 - x0 > y1 - y0:
                y = y0 + f * (y1 - y0)
                shape.draw_line(sheet.pt(x0, y), sheet.pt(x1, y))
            else:
                x = x0 + f * (x1 - x0)
                shape.draw_line(sheet.pt(x, y0), sheet.pt(x, y1))
    shape.finish(color=(0, 0, 0), width=0.25, oc=oc)
    shape.commit()


def _doors(sheet: Sheet, oc: int = 0) -> None:
    shape = sheet.page.new_shape()
    for hinge, leaf, closed in DOORS:
        shape.draw_line(sheet.pt(*hinge), sheet.pt(*leaf))
        # the swing from the open leaf's end to the closed position, a quarter circle
        a0 = math.atan2(leaf[1] - hinge[1], leaf[0] - hinge[0])
        a1 = math.atan2(closed[1] - hinge[1], closed[0] - hinge[0])
        sweep = (a1 - a0 + math.pi) % (2 * math.pi) - math.pi
        shape.draw_sector(sheet.pt(*hinge), sheet.pt(*leaf), math.degrees(sweep), fullSector=False)
    shape.finish(color=(0, 0, 0), width=0.35, closePath=False, oc=oc)
    shape.commit()


def _furniture(sheet: Sheet) -> None:
    shape = sheet.page.new_shape()
    for x in (10, 13, 16):
        for y in (1.5, 3.5):
            shape.draw_rect(pymupdf.Rect(sheet.pt(x, y + 0.8), sheet.pt(x + 1.6, y)))
            shape.draw_circle(sheet.pt(x + 0.8, y - 0.4), 0.25 * sheet.k)
    for y in (9, 10, 11):  # shelves in the storage room
        shape.draw_rect(pymupdf.Rect(sheet.pt(1, y + 0.5), sheet.pt(6, y)))
    shape.finish(color=(0.2, 0.2, 0.2), width=0.25)
    shape.commit()


def _hatch(sheet: Sheet, region: Polygon) -> Polygon:
    """45° lines 0.4 m apart clipped to ``region``, one path as CAD writes a hatch."""
    shape = sheet.page.new_shape()
    x0, y0, x1, y1 = region.bounds
    lines = []
    c = x0 - (y1 - y0)
    while c < x1:
        seg = region.intersection(shapely.LineString([(c, y0), (c + (y1 - y0), y1)]))
        if not seg.is_empty and seg.length > 0.05:
            lines.append(seg)
            shape.draw_line(sheet.pt(*seg.coords[0]), sheet.pt(*seg.coords[-1]))
        c += 0.4 * math.sqrt(2)
    shape.finish(color=(0.4, 0.4, 0.4), width=0.2)
    shape.commit()
    return shapely.convex_hull(shapely.union_all(lines))


def _frame(page: pymupdf.Page, note: str | None) -> None:
    w, h = page.rect.width, page.rect.height
    shape = page.new_shape()
    shape.draw_rect(pymupdf.Rect(20, 20, w - 20, h - 20))
    shape.finish(color=(0, 0, 0), width=1.5)
    shape.draw_rect(pymupdf.Rect(w - 260, h - 90, w - 20, h - 20))
    shape.finish(color=(0, 0, 0), width=0.7)
    shape.commit()
    page.insert_text((w - 250, h - 65), "FLOORCAST TEST VENUE - GROUND FLOOR", fontsize=9)
    if note:
        page.insert_text((w - 250, h - 40), note, fontsize=9)


def _dimensions(sheet: Sheet) -> None:
    """A horizontal (20000) and a vertical (12000) dimension, ticks and extension lines."""
    shape = sheet.page.new_shape()
    for a, b, text, rotate in (((0, -1.5), (20, -1.5), "20000", 0), ((-1.5, 0), (-1.5, 12), "12000", 90)):
        shape.draw_line(sheet.pt(*a), sheet.pt(*b))
        for p in (a, b):
            tick = 0.25
            shape.draw_line(sheet.pt(p[0] - tick, p[1] - tick), sheet.pt(p[0] + tick, p[1] + tick))
        mid = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
        offset = (0, 0.35) if rotate == 0 else (-0.35, 0)
        sheet.text(mid[0] + offset[0], mid[1] + offset[1], text, size=8, rotate=rotate)
    for x in (0, 20):
        shape.draw_line(sheet.pt(x, -0.3), sheet.pt(x, -1.8))
    for y in (0, 12):
        shape.draw_line(sheet.pt(-0.3, y), sheet.pt(-1.8, y))
    shape.finish(color=(0, 0, 0), width=0.25)
    shape.commit()


def _scale_bar(sheet: Sheet) -> None:
    """0-2-4-6-8-10 m, alternate black boxes under the tick labels, left of the building."""
    shape = sheet.page.new_shape()
    x0, y0 = 0.0, -4.0
    for i in range(5):
        r = pymupdf.Rect(sheet.pt(x0 + 2 * i, y0 + 0.25), sheet.pt(x0 + 2 * i + 2, y0))
        shape.draw_rect(r)
        shape.finish(color=(0, 0, 0), width=0.3, fill=(0, 0, 0) if i % 2 == 0 else (1, 1, 1))
    shape.commit()
    for i in range(6):
        sheet.text(x0 + 2 * i, y0 + 0.7, str(2 * i), size=8)
    sheet.text(x0 + 10.9, y0 + 0.7, "m", size=8)


def _labels(sheet: Sheet) -> None:
    for name, poly in ROOMS.items():
        c = poly.centroid
        sheet.text(c.x, c.y, name)


def draw_plan(
    page: pymupdf.Page,
    *,
    style: str = "fill",
    scale: float = 100,
    note: str | None = "SCALE 1:100",
    dimensions: bool = False,
    scale_bar: bool = False,
    furniture: bool = True,
    hatch: bool = True,
    layers: bool = False,
    origin: tuple[float, float] = ORIGIN,
) -> Truth:
    """Draw the building on ``page`` (its corner ``origin`` metres from the sheet's
    bottom-left corner at 1:100); return its truth."""
    sheet = Sheet(page, scale, origin)
    _frame(page, note)
    oc_wall = oc_door = 0
    if layers:
        oc_wall = page.parent.add_ocg("A-WALL")
        oc_door = page.parent.add_ocg("A-DOOR")
    _walls(sheet, "layer" if layers else style, oc_wall)
    _windows(sheet, page.parent.add_ocg("A-GLAZ") if layers else 0)
    _doors(sheet, oc_door)
    if furniture:
        _furniture(sheet)
    hatched = _hatch(sheet, ROOMS["Lobby"].buffer(-0.5)) if hatch else None
    if dimensions:
        _dimensions(sheet)
    if scale_bar:
        _scale_bar(sheet)
    _labels(sheet)
    return Truth(
        walls=sheet.plan(truth_walls()),
        windows=[sheet.plan(w) for w in WINDOWS],
        rooms={name: sheet.plan(poly) for name, poly in ROOMS.items()},
        doors=[sheet.plan(shapely.Point(h)) for h, _, _ in DOORS],
        hatch=sheet.plan(hatched) if hatched is not None else None,
        scale=scale,
    )


def building_plan(path: Path, *, pages: int = 1, size=A3, **kwargs) -> Truth:
    """Write the plan to ``path`` (``pages`` copies, one per level); return its truth."""
    doc = pymupdf.open()
    truth = None
    for _ in range(pages):
        page = doc.new_page(width=size[0], height=size[1])
        truth = draw_plan(page, **kwargs)
    doc.save(path, garbage=3, deflate=True)
    return truth


def page_with_text(path: Path, text: str) -> None:
    """A page holding only a text: nothing to build."""
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), text)
    doc.save(path)


# -- hostile files -------------------------------------------------------------------


def raw_pdf(objects: list[bytes], root: int = 1, trailer_extra: bytes = b"") -> bytes:
    """A PDF from numbered object bodies (object i + 1 is ``objects[i]``), with a
    correct cross-reference table, for files PyMuPDF would refuse to write."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root %d 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        root,
        trailer_extra,
        xref,
    )
    return bytes(out)


def stream(data: bytes, extra: bytes = b"", compress: bool = False) -> bytes:
    import zlib

    if compress:
        data = zlib.compress(data, 9)
        extra += b" /Filter /FlateDecode"
    return b"<< /Length %d%s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def one_page(media_box: bytes, content: bytes, resources: bytes = b"<< >>", extra_objects=()) -> bytes:
    """Catalog, page tree, one page with ``content`` (an already built stream object)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [%s] /Contents 4 0 R /Resources %s >>" % (media_box, resources),
        content,
        *extra_objects,
    ]
    return raw_pdf(objects)


def huge_page(path: Path, side: float = 3_000_000) -> None:
    """A page kilometres wide on paper, holding one line."""
    path.write_bytes(one_page(b"0 0 %d %d" % (side, side), stream(b"10 w 0 0 m 1000 1000 l S")))


def giant_scan(path: Path, side: float = 100_000) -> None:
    """A page of 1,400 inches a side that is one image: rendering it would take
    gigapixels."""
    image = stream(
        b"\x00\xff\xff\x00",
        b" /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent 8",
    )
    content = stream(b"q %d 0 0 %d 0 0 cm /Im0 Do Q" % (side, side))
    path.write_bytes(one_page(b"0 0 %d %d" % (side, side), content, b"<< /XObject << /Im0 5 0 R >> >>", [image]))


def image_bomb(path: Path) -> None:
    """An image claiming 100,000 x 100,000 pixels (a few bytes of Flate)."""
    import zlib

    data = zlib.compress(b"\x00" * 1000)
    image = (
        b"<< /Type /XObject /Subtype /Image /Width 100000 /Height 100000 /ColorSpace /DeviceGray"
        b" /BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"
    )
    content = stream(b"q 842 0 0 595 0 0 cm /Im0 Do Q")
    path.write_bytes(one_page(b"0 0 842 595", content, b"<< /XObject << /Im0 5 0 R >> >>", [image]))


def content_bomb(path: Path, megabytes: int = 300, form: bool = False, hex_layer: bool = False) -> None:
    """A page whose drawing instructions inflate to ``megabytes`` of blanks from a
    few hundred kilobytes of Flate, in the page's content or in a form it draws,
    optionally behind an ASCIIHex layer."""
    import zlib

    packer = zlib.compressobj(9)
    chunk = b" " * (1024 * 1024)
    data = b"".join(packer.compress(chunk) for _ in range(megabytes)) + packer.flush()
    filters = b"/FlateDecode"
    if hex_layer:
        data, filters = data.hex().encode() + b">", b"[/ASCIIHexDecode /FlateDecode]"
    bomb = (
        b"<< /Length %d /Filter %s%s >>\nstream\n"
        % (
            len(data),
            filters,
            b" /Type /XObject /Subtype /Form /BBox [0 0 842 595]" if form else b"",
        )
        + data
        + b"\nendstream"
    )
    if form:
        content = stream(b"/Fm0 Do")
        path.write_bytes(one_page(b"0 0 842 595", content, b"<< /XObject << /Fm0 5 0 R >> >>", [bomb]))
    else:
        path.write_bytes(one_page(b"0 0 842 595", bomb))


def many_pages(path: Path, count: int = 5000) -> None:
    """A page tree of ``count`` pages, each a line."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    kids = []
    content = len(objects) + 1
    objects.append(stream(b"20 w 100 100 m 700 100 l S"))
    for _ in range(count):
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 842 595] /Contents %d 0 R >>" % content)
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), count)
    path.write_bytes(raw_pdf(objects))


def broken_xref(src: Path, path: Path) -> None:
    """``src`` with its cross-reference table overwritten and startxref pointing
    nowhere, as a bad transfer or a careless tool leaves it."""
    data = bytearray(src.read_bytes())
    xref = data.rfind(b"xref")
    start = data.rfind(b"startxref")
    data[xref : xref + 200] = b"x" * min(200, start - xref)
    data[start:] = b"startxref\n999999999\n%%EOF\n"
    path.write_bytes(bytes(data))
