"""Drawing a :class:`~plugins.pdf.training.building.Plan` on a PDF page with PyMuPDF,
in one of several drafting styles: walls solid, grey, hollow or hatched, thin
linework for openings, stairs and furniture, labels, dimension lines, grid axes,
a frame and a title block."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pymupdf
import shapely
from shapely.geometry import LineString, MultiLineString, Polygon
from shapely.geometry.base import BaseGeometry

from .building import Plan

MM = 72 / 25.4  # points per millimetre


@dataclass
class Style:
    wall: str  # solid | hollow | hatch | grey
    wall_width: float  # outline stroke, points
    thin: float  # other linework, points
    grey: float
    hatch_mm: float
    text_pt: float
    dims: bool
    grid: bool
    title: bool
    frame: bool


def random_style(rng) -> Style:
    return Style(
        wall=str(rng.choice(("solid", "solid", "hollow", "hatch", "grey"))),
        wall_width=float(rng.uniform(0.3, 1.4)),
        thin=float(rng.uniform(0.15, 0.6)),
        grey=float(rng.uniform(0.35, 0.75)),
        hatch_mm=float(rng.uniform(0.6, 1.6)),
        text_pt=float(rng.uniform(5, 11)),
        dims=rng.random() < 0.6,
        grid=rng.random() < 0.3,
        title=rng.random() < 0.6,
        frame=rng.random() < 0.6,
    )


class Pen:
    """Plan metres -> page points (y down) on a PyMuPDF shape."""

    def __init__(self, page: pymupdf.Page, k: float, ox: float, oy: float):
        self.shape = page.new_shape()
        self.k, self.ox, self.oy = k, ox, oy

    def pts(self, coords) -> list[pymupdf.Point]:
        a = np.asarray(coords, dtype=float)
        return [pymupdf.Point(self.ox + x * self.k, self.oy - y * self.k) for x, y in a[:, :2]]

    def poly(self, geom: BaseGeometry, **finish) -> None:
        polys = [g for g in shapely.get_parts(geom) if isinstance(g, Polygon) and not g.is_empty]
        if not polys:
            return
        for p in polys:
            for ring in (p.exterior, *p.interiors):
                self.shape.draw_polyline(self.pts(ring.coords))
        self.shape.finish(even_odd=True, closePath=False, **finish)

    def lines(self, items, **finish) -> None:
        items = [np.asarray(it) for it in items if len(it) >= 2]
        if not items:
            return
        for it in items:
            self.shape.draw_polyline(self.pts(it))
        self.shape.finish(closePath=False, **finish)

    def text(self, x: float, y: float, s: str, size: float, rotate: int = 0) -> None:
        lines = s.split("\n")
        width = max(pymupdf.get_text_length(t, fontsize=size) for t in lines)
        p = self.pts([(x, y)])[0]
        if rotate:
            self.shape.insert_text(pymupdf.Point(p.x, p.y + width / 2), s, fontsize=size, rotate=90)
        else:
            self.shape.insert_text(pymupdf.Point(p.x - width / 2, p.y + size / 3), s, fontsize=size)


def _hatch(geom: BaseGeometry, spacing: float) -> list[np.ndarray]:
    x0, y0, x1, y1 = geom.bounds
    span = (x1 - x0) + (y1 - y0)
    offsets = np.arange(-span, span, spacing)
    lines = MultiLineString([[(x0 + o, y0), (x0 + o + span, y0 + span)] for o in offsets])
    cut = lines.intersection(geom)
    return [np.asarray(g.coords) for g in shapely.get_parts(cut) if isinstance(g, LineString) and g.length > 0]


def draw_plan(plan: Plan, style: Style, pen: Pen, rng) -> None:
    """The plan as a draftsman draws it (what the scanner sees)."""
    black = (0.0,)
    thin = {"width": style.thin, "color": black}
    if style.wall == "solid":
        pen.poly(plan.walls, width=style.wall_width * 0.3, color=black, fill=black)
    elif style.wall == "grey":
        pen.poly(plan.walls, width=style.wall_width, color=black, fill=(style.grey,))
    else:
        pen.poly(plan.walls, width=style.wall_width, color=black)
        if style.wall == "hatch":
            pen.lines(_hatch(plan.walls, style.hatch_mm / pen.k * MM), **thin)
    for o in plan.openings:
        pen.lines(o.lines, **thin)
    for _, lines in plan.stairs:
        pen.lines(lines, **thin)
    pen.lines(plan.furniture, width=style.thin * 0.8, color=(float(rng.uniform(0, 0.4)),))
    for x, y, s in plan.labels:
        pen.text(x, y, s, style.text_pt)
    x0, y0, x1, y1 = plan.outline.bounds
    if style.dims:
        _dimensions(pen, plan, style, rng)
    if style.grid:
        xs = sorted({round(float(x), 2) for x in rng.uniform(x0, x1, int(rng.integers(2, 6)))})
        r = 4.8 / pen.k
        for i, x in enumerate(xs):
            pen.lines([np.array([[x, y0 - 1.5], [x, y1 + 1.5]])], width=style.thin * 0.6, color=black,
                      dashes="[6 2 1 2] 0")  # fmt: skip
            pen.poly(shapely.Point(x, y1 + 1.5 + r).buffer(r, 8), width=style.thin, color=black)
            pen.text(x, y1 + 1.5 + r, chr(65 + i), style.text_pt)


def _dimensions(pen: Pen, plan: Plan, style: Style, rng) -> None:
    x0, y0, x1, y1 = plan.outline.bounds
    off = rng.uniform(0.8, 2.0)
    ticks_x = sorted(
        {x0, x1, *(float(ln.coords[0][0]) for ln in plan.wall_lines if ln.coords[0][0] == ln.coords[-1][0])}
    )
    ticks_y = sorted(
        {y0, y1, *(float(ln.coords[0][1]) for ln in plan.wall_lines if ln.coords[0][1] == ln.coords[-1][1])}
    )
    t = 0.15
    items = [np.array([[x0, y0 - off], [x1, y0 - off]]), np.array([[x0 - off, y0], [x0 - off, y1]])]
    for x in ticks_x:
        items.append(np.array([[x - t, y0 - off - t], [x + t, y0 - off + t]]))
    for y in ticks_y:
        items.append(np.array([[x0 - off - t, y - t], [x0 - off + t, y + t]]))
    pen.lines(items, width=style.thin * 0.7, color=(0.0,))
    size = style.text_pt * 0.8
    for a, b in zip(ticks_x, ticks_x[1:], strict=False):
        if b - a > 0.8:
            pen.text((a + b) / 2, y0 - off + 0.25, f"{(b - a) * 1000:.0f}", size)
    for a, b in zip(ticks_y, ticks_y[1:], strict=False):
        if b - a > 0.8:
            pen.text(x0 - off - 0.25, (a + b) / 2, f"{(b - a) * 1000:.0f}", size, rotate=90)


def title_block(page: pymupdf.Page, scale: float, style: Style, rng) -> None:
    shape = page.new_shape()
    pw, ph = page.rect.width, page.rect.height
    m = 8 * MM
    if style.frame:
        shape.draw_rect(pymupdf.Rect(m, m, pw - m, ph - m))
        shape.finish(width=style.wall_width, color=(0,))
    if style.title:
        w, h = 70 * MM, 24 * MM
        r = pymupdf.Rect(pw - m - w, ph - m - h, pw - m, ph - m)
        shape.draw_rect(r)
        shape.draw_line(pymupdf.Point(r.x0, r.y0 + h / 2), pymupdf.Point(r.x1, r.y0 + h / 2))
        shape.finish(width=style.thin, color=(0,))
        shape.insert_text(pymupdf.Point(r.x0 + 4, r.y0 + h / 2 - 4), f"FLOOR PLAN  LEVEL {int(rng.integers(0, 5))}",
                          fontsize=8)  # fmt: skip
        shape.insert_text(pymupdf.Point(r.x0 + 4, r.y1 - 4), f"SCALE 1:{scale:g}   DWG {int(rng.integers(100, 999))}",
                          fontsize=7)  # fmt: skip
    shape.commit()
