"""Synthetic floor plans with known truth, drawn the way paper plans look.

:func:`make_sample` builds a random building (:mod:`.building`: outline, rooms,
walls of several thicknesses, doors with swing arcs, windows, stairs, furniture,
labels), draws it on a PDF page with PyMuPDF in one of several drafting styles
(:mod:`.draw`: with dimension lines, grid axes, a frame and a title block),
renders it at the scan resolution and passes the image through
:func:`plugins.pdf.training.scan.degrade` (blur, noise, skew, JPEG...).
It returns the image with the truth: a label map (one :data:`CLASSES` id per
pixel), the boxes of doors, windows and stairs in pixels, and the wall footprint
in plan metres.

Everything random comes from ``numpy.random.default_rng(seed)``: one seed, one page.
The data is ours (generated here), so a model trained on it carries no third-party
data licence.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pymupdf
from shapely import affinity
from shapely.geometry.base import BaseGeometry

from . import scan
from .building import Plan, make_plan
from .draw import MM, Pen, draw_plan, random_style, title_block

CLASSES = ("background", "wall", "door", "window", "stair")
#: paper sizes in millimetres (portrait)
PAGES = {"A4": (210, 297), "A3": (297, 420), "A2": (420, 594), "A1": (594, 841)}
SCALES = (50, 75, 100, 100, 100, 125, 150, 200, 200)


@dataclass
class Sample:
    """One synthetic page and its truth.

    ``image``: uint8 (H, W), 0 = ink. ``labels``: uint8 (H, W) class ids.
    ``boxes``: ``{"class", "x0", "y0", "x1", "y1"}`` in pixels. ``walls_m``: the wall
    footprint in plan metres; ``plan_to_px``: 2x3 affine taking plan metres to pixels.
    """

    image: np.ndarray
    labels: np.ndarray
    boxes: list[dict]
    walls_m: BaseGeometry
    plan_to_px: np.ndarray
    dpi: float
    scale: float
    skew_deg: float
    meta: dict = field(default_factory=dict)

    @property
    def metres_per_pixel(self) -> float:
        return self.scale * 0.0254 / self.dpi

    def walls_in_pixels(self) -> BaseGeometry:
        (a, b, c), (d, e, f) = self.plan_to_px
        return affinity.affine_transform(self.walls_m, (a, b, d, e, c, f))

    def walls_as_converted(self, metres_per_pixel: float, straightened_deg: float = 0.0) -> BaseGeometry:
        """The true walls where the scanned-page converter puts what it finds: the
        page's pixels turned by ``-straightened_deg`` about the page centre (its
        deskew), then ``metres_per_pixel`` with y up. With the converter's own scale,
        an unknown or wrong scale does not count against what it found."""
        h, w = self.image.shape
        px = affinity.rotate(self.walls_in_pixels(), -straightened_deg, origin=(w / 2, h / 2))
        k = metres_per_pixel
        return affinity.affine_transform(px, (k, 0, 0, -k, 0, h * k))

    def walls_as_reported(self, page: dict) -> BaseGeometry:
        """:meth:`walls_as_converted` with what a conversion report's ``page`` entry
        says the converter used: its scale, its render resolution, its deskew."""
        metres_per_pixel = page["scale"]["denominator"] * 0.0254 / page["render"]["dpi"]
        return self.walls_as_converted(metres_per_pixel, page["found"]["skew_deg"])


def _truth(plan: Plan, pen_args, size, matrix) -> tuple[np.ndarray, list[dict]]:
    """The label map, rendered without anti-aliasing from the same geometry."""
    doc = pymupdf.open()
    page = doc.new_page(width=size[0], height=size[1])
    # MuPDF without anti-aliasing fills pixel i when floor(edge) <= i: shift the
    # drawing half a device pixel so pixels are filled when their centre is inside
    k, ox, oy = pen_args
    inverse = ~matrix
    shift = pymupdf.Point(0.5, 0.5) * inverse - pymupdf.Point(0, 0) * inverse
    pen = Pen(page, k, ox + shift.x, oy + shift.y)
    regions = {
        "wall": [plan.walls],
        "stair": [r for r, _ in plan.stairs],
        "window": [o.region for o in plan.openings if o.kind == "window"],
        "door": [o.region for o in plan.openings if o.kind == "door"],
    }
    for name, geoms in regions.items():
        level = (255 - 50 * CLASSES.index(name)) / 255
        for g in geoms:
            pen.poly(g, width=0, color=None, fill=(level,))
    pen.shape.commit()
    aa = pymupdf.TOOLS.show_aa_level()
    pymupdf.TOOLS.set_aa_level(0)
    try:
        pix = page.get_pixmap(matrix=matrix, colorspace=pymupdf.csGRAY, alpha=False)
    finally:
        pymupdf.TOOLS.set_graphics_min_line_width(aa["graphics_min_line_width"])
        pymupdf.TOOLS.set_aa_level(aa["graphics"])
    grey = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.stride)[:, : pix.width]
    labels = np.clip(np.rint((255 - grey.astype(np.float32)) / 50), 0, len(CLASSES) - 1).astype(np.uint8)
    boxes = []
    exact = Pen(page, k, ox, oy)
    for name in ("door", "window", "stair"):
        for g in regions[name]:
            pts = np.array([(p * matrix) for p in exact.pts(np.asarray(g.envelope.exterior.coords))])
            pts = pts - (pix.x, pix.y)
            x0, y0 = np.clip(pts.min(axis=0), 0, None)
            x1, y1 = np.minimum(pts.max(axis=0), (pix.width, pix.height))
            boxes.append({"class": name, "x0": float(x0), "y0": float(y0), "x1": float(x1), "y1": float(y1)})
    return labels, boxes


def make_sample(
    seed: int,
    *,
    dpi: float = 150.0,
    page: str | None = None,
    scale: float | None = None,
    skew: bool = True,
    degrade: bool = True,
) -> Sample:
    """One synthetic scanned page (see the module docstring). ``page`` ("A4".."A1"),
    ``scale`` (the plan's 1:N) are random when None."""
    rng = np.random.default_rng(seed)
    page = page or str(rng.choice(("A4", "A3", "A3")))
    pw_mm, ph_mm = PAGES[page]
    if rng.random() < 0.75:
        pw_mm, ph_mm = ph_mm, pw_mm  # landscape
    scale = float(scale or rng.choice(SCALES))
    margin = 22.0 + (40.0 if rng.random() < 0.6 else 0.0)  # room for dimensions and a title block
    max_w = min(80.0, (pw_mm - 2 * margin) / 1000 * scale)
    max_h = min(60.0, (ph_mm - 2 * margin) / 1000 * scale)
    if max_w < 5 or max_h < 4:  # the scale is too large for the sheet: shrink the margin
        max_w, max_h = max(5.0, (pw_mm - 30) / 1000 * scale), max(4.0, (ph_mm - 30) / 1000 * scale)
    plan = make_plan(rng, max_w, max_h)
    style = random_style(rng)

    width_pt, height_pt = pw_mm * MM, ph_mm * MM
    k = 1000 / scale * MM  # points per plan metre
    x0, y0, x1, y1 = plan.outline.bounds
    slack_x = width_pt - (x1 - x0) * k
    slack_y = height_pt - (y1 - y0) * k
    ox = rng.uniform(0.35, 0.65) * slack_x - x0 * k
    oy = height_pt - rng.uniform(0.35, 0.65) * slack_y + y0 * k
    skew_deg = float(rng.normal(0, 0.7)) if skew and rng.random() < 0.7 else 0.0
    matrix = pymupdf.Matrix(dpi / 72, dpi / 72).prerotate(skew_deg)

    doc = pymupdf.open()
    pdf_page = doc.new_page(width=width_pt, height=height_pt)
    pen = Pen(pdf_page, k, ox, oy)
    draw_plan(plan, style, pen, rng)
    pen.shape.commit()
    title_block(pdf_page, scale, style, rng)
    pix = pdf_page.get_pixmap(matrix=matrix, colorspace=pymupdf.csGRAY, alpha=False)
    image = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.stride)[:, : pix.width].copy()
    labels, boxes = _truth(plan, (k, ox, oy), (width_pt, height_pt), matrix)
    if degrade:
        image = scan.degrade(image, rng)

    # plan metres -> pixels: page points (x = ox + kx, y = oy - ky), then the render matrix
    m = np.array([[matrix.a, matrix.c, matrix.e - pix.x], [matrix.b, matrix.d, matrix.f - pix.y]])
    to_page = np.array([[k, 0, ox], [0, -k, oy], [0, 0, 1]])
    plan_to_px = m @ to_page
    return Sample(
        image=image,
        labels=labels,
        boxes=boxes,
        walls_m=plan.walls,
        plan_to_px=plan_to_px,
        dpi=dpi,
        scale=scale,
        skew_deg=skew_deg,
        meta={"seed": seed, "page": page, "style": style.wall, "rooms": len(plan.rooms)},
    )


def _main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description="write a synthetic scanned plan and its labels as PNG")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="synth")
    parser.add_argument("--pdf", action="store_true", help="also write the scanned PDF")
    args = parser.parse_args()
    sample = make_sample(args.seed)
    scan.save_png(sample.image, f"{args.out}.png")
    scan.save_png((255 - sample.labels.astype(np.int32) * 50).astype(np.uint8), f"{args.out}-labels.png")
    if args.pdf:
        with open(f"{args.out}.pdf", "wb") as fh:
            fh.write(scan.scanned_pdf(sample.image, sample.dpi))
    print(sample.meta, sample.image.shape, len(sample.boxes), "boxes")


if __name__ == "__main__":
    _main()
