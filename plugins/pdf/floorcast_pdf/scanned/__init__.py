"""Scanned pages: a rendered page image -> a :class:`~floorcast_pdf.plan.PagePlan`.

The vector path (:mod:`floorcast_pdf.convert`) calls :func:`convert_page` for every
page it classifies as scanned (mostly one big image, few drawing paths). It runs
the highest-weight detector that finds walls (``core.plugin_api.detectors()``; the
plugin ships :mod:`floorcast_pdf.detector`, a venue may install a better one),
turns its wall mask into polygons, straightens a skewed scan, and hands back walls,
doors, windows and stairs in pixels.
"""

from __future__ import annotations

import inspect
import time
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import Polygon

from core.plugin_api import ConversionError, DetectorSpec, Progress, detectors
from floorcast_pdf.plan import PagePlan
from floorcast_pdf.scanned import vectorise

#: walls smaller than this (square metres) are specks, letters or hatching, not walls
MIN_WALL_AREA_M2 = 0.04
#: the same in square pixels when the page's scale is not known
MIN_WALL_AREA_PX = 80.0
#: walls are at least this thick (metres); thinner ink is lines: dimensions, text
MIN_WALL_THICKNESS_M = 0.04
#: ... and at least this many pixels thick whatever the scale
MIN_WALL_THICKNESS_PX = 2.0
#: a wall at least this long (pixels; 3 mm at 150 dpi): shorter blobs are letters
MIN_WALL_LENGTH_PX = 18.0
#: the sheet's frame lies within this share of the page's size from its edges
FRAME_BAND = 0.08
#: simplification tolerance of wall outlines, pixels
SIMPLIFY_PX = 1.0
#: a scan straighter than this (degrees) is left as it is
MIN_SKEW_DEG = 0.05
BOX_CLASSES = ("door", "window", "stair")
#: doors and windows sit in walls: farther than this (metres) from one, a box is noise
OPENING_REACH_M = 0.3
#: the same in pixels when the scale is not known
OPENING_REACH_PX = 15.0
#: a flight of stairs covers at least this much (square metres)
MIN_STAIR_M2 = 1.0


def choose_detector() -> DetectorSpec:
    """The highest-weight detector that finds walls."""
    for spec in detectors():
        if "wall" in spec.classes:
            return spec
    raise ConversionError(
        "detector_unavailable",
        "this page is a scanned image and no detector for scanned plans is installed",
        stage="geometry",
    )


def _load(spec: DetectorSpec):
    from floorcast_pdf.detector.runtime import best_providers

    providers = best_providers()
    try:
        detector = spec.load(providers)
    except Exception as exc:
        raise ConversionError(
            "detector_failed",
            f"detector {spec.name} could not be loaded: {type(exc).__name__}: {exc}",
            stage="geometry",
        ) from exc
    return detector, str(getattr(detector, "provider", None) or providers[0])


def _wall_mask(result: dict, shape: tuple[int, int], name: str) -> np.ndarray:
    walls = np.asarray(result.get("walls") if isinstance(result, dict) else None)
    if walls.shape != shape:
        raise ConversionError(
            "detector_failed",
            f"detector {name} returned a wall mask of shape {walls.shape} for a page of {shape}",
            stage="geometry",
        )
    return walls >= 0.5 if walls.dtype.kind == "f" else walls > 0


def _boxes(result: dict, shape: tuple[int, int]) -> dict[str, list]:
    h, w = shape
    out: dict[str, list] = {name: [] for name in BOX_CLASSES}
    for item in result.get("boxes") or ():
        try:
            name = str(item["class"])
            x0, y0, x1, y1 = (float(item[k]) for k in ("x0", "y0", "x1", "y1"))
        except (KeyError, TypeError, ValueError):
            continue
        x0, x1 = max(0.0, min(x0, x1)), min(float(w), max(x0, x1))
        y0, y1 = max(0.0, min(y0, y1)), min(float(h), max(y0, y1))
        if name in out and x1 > x0 and y1 > y0:
            out[name].append(shapely.box(x0, y0, x1, y1))
    return out


def erase_frame(walls: list, shape: tuple[int, int]) -> tuple[list, int]:
    """Cut the sheet's frame out of the walls: a piece reaching into all four
    margins of the page (``FRAME_BAND`` of its size) loses what lies in them, and a
    piece lying in the margins only (a frame line, a scanner's dark edge) goes. A
    building drawn right up to the edges of its sheet would lose its margins too;
    scanned sheets keep a margin. Returns the walls and how many were cut."""
    h, w = shape
    bx, by = FRAME_BAND * w, FRAME_BAND * h
    inside = shapely.box(bx, by, w - bx, h - by)
    out, cut = [], 0
    for poly in walls:
        x0, y0, x1, y1 = poly.bounds
        if not poly.intersects(inside):  # all in the margin: a scanner's shadow, the frame
            cut += 1
        elif x0 < bx and y0 < by and x1 > w - bx and y1 > h - by:
            cut += 1
            out.extend(p for p in shapely.get_parts(poly.intersection(inside)) if isinstance(p, Polygon))
        else:
            out.append(poly)
    return out, cut


def clean_walls(walls: list, metres_per_pixel: float) -> tuple[list, dict]:
    """Drop what a detector calls wall but is not: letters (short) and drawn lines
    (thin: dimension lines, grid axes, hatching). Returns the kept walls and counts
    of what was dropped."""
    min_thickness = max(MIN_WALL_THICKNESS_PX, MIN_WALL_THICKNESS_M / metres_per_pixel if metres_per_pixel > 0 else 0)
    kept, dropped = [], {"short": 0, "thin": 0}
    for poly in walls:
        x0, y0, x1, y1 = poly.bounds
        thickness = 2 * poly.area / max(poly.length, 1e-9)  # a band's area over half its outline
        if max(x1 - x0, y1 - y0) < MIN_WALL_LENGTH_PX:
            dropped["short"] += 1
        elif thickness < min_thickness:
            dropped["thin"] += 1
        else:
            kept.append(poly)
    return kept, dropped


def keep_boxes(boxes: dict[str, list], walls: list, metres_per_pixel: float) -> tuple[dict[str, list], int]:
    """Doors and windows next to a wall, stairs of a plausible size; returns the
    boxes kept and how many were dropped."""
    known = metres_per_pixel > 0
    reach = OPENING_REACH_M / metres_per_pixel if known else OPENING_REACH_PX
    tree = shapely.STRtree(walls) if walls else None
    kept: dict[str, list] = {}
    dropped = 0
    for name, items in boxes.items():
        if name in ("door", "window"):
            near = [b for b in items if tree is not None and len(tree.query(b, predicate="dwithin", distance=reach))]
        elif name == "stair" and known:
            near = [b for b in items if b.area * metres_per_pixel**2 >= MIN_STAIR_M2]
        else:
            near = list(items)
        dropped += len(items) - len(near)
        kept[name] = near
    return kept, dropped


@dataclass
class Traced:
    """What the converter makes of a detector's result, in pixels of the page turned
    straight: ``walls`` (polygons), ``boxes`` (``door``, ``window``, ``stair``: lists
    of boxes), the skew straightened (degrees; 0 when under ``MIN_SKEW_DEG``) and
    counts of what was dropped (``short``, ``thin``, ``frame`` walls, ``boxes``)."""

    walls: list
    boxes: dict[str, list]
    skew_deg: float
    dropped: dict


def straighten(geoms: list, skew_deg: float, shape: tuple[int, int]) -> list:
    """``geoms`` (pixels of a page of ``shape``) turned by ``-skew_deg`` about the
    page's centre: where :func:`trace` puts what it finds on a page skewed so."""
    if not skew_deg:
        return list(geoms)
    return vectorise.rotate(geoms, -skew_deg, (shape[1] / 2, shape[0] / 2))


def trace(result: dict, shape: tuple[int, int], metres_per_pixel: float, *, name: str = "detector") -> Traced:
    """A detector's result (see :mod:`floorcast_pdf.detector`) for a page of
    ``shape`` pixels -> walls traced from its mask (specks, the sheet's frame,
    letters and thin lines dropped), the doors, windows and stairs that fit those
    walls, all straightened by the drawing's skew. ``metres_per_pixel`` is 0 when
    the scale is unknown; ``name`` names the detector in errors. Raises
    :class:`ConversionError` (``detector_failed``) for a wall mask of another shape."""
    walls_mask = _wall_mask(result, shape, name)
    boxes = _boxes(result, shape)
    min_area = MIN_WALL_AREA_M2 / metres_per_pixel**2 if metres_per_pixel > 0 else MIN_WALL_AREA_PX
    walls = vectorise.polygons(walls_mask, min_area=min_area, simplify=SIMPLIFY_PX)
    walls, frame = erase_frame(walls, shape)
    walls, dropped = clean_walls(walls, metres_per_pixel)
    dropped["frame"] = frame
    boxes, dropped["boxes"] = keep_boxes(boxes, walls, metres_per_pixel)
    # the skew of the drawing, not of a frame or a scanner's edge shadow
    by, bx = int(FRAME_BAND * shape[0]), int(FRAME_BAND * shape[1])
    skew = vectorise.skew(walls_mask[by : shape[0] - by, bx : shape[1] - bx])
    if abs(skew) < MIN_SKEW_DEG:
        skew = 0.0
    if skew:
        walls = straighten(walls, skew, shape)
        boxes = {k: [g.envelope for g in straighten(v, skew, shape)] for k, v in boxes.items()}
    return Traced(walls=walls, boxes=boxes, skew_deg=skew, dropped=dropped)


def convert_page(
    image: np.ndarray,
    *,
    metres_per_pixel: float,
    options: dict,
    progress: Progress,
) -> PagePlan:
    """Find walls, doors, windows and stairs on a scanned page.

    ``image``: the page rendered in greyscale, numpy ``uint8`` of shape (H, W),
    0 = black ink, 255 = paper; already within the pixel budget.
    ``metres_per_pixel``: real-world size of one pixel at the plan's scale (from
    the sheet, the ``scale`` option or the documented default); 0 when unknown.
    ``options``: the conversion options (validated plugin options, see
    :data:`floorcast_pdf.options.OPTIONS`).
    ``progress``: ``progress("geometry", fraction, message)`` as it goes.

    Returns a :class:`PagePlan` in PIXEL coordinates of ``image`` (x = column,
    y = row, origin top-left): ``walls`` as solid footprint polygons, ``doors``,
    ``windows``, ``stairs`` as boxes (polygons). Its ``report`` names the
    detector, the onnxruntime provider it ran on and the skew straightened.
    Raises :class:`ConversionError` (code ``detector_unavailable`` when no
    detector is installed, ``detector_failed`` when it breaks).
    """
    image = np.asarray(image, dtype=np.uint8)
    spec = choose_detector()
    progress("geometry", 0.02, f"detector {spec.name}")
    detector, provider = _load(spec)
    started = time.monotonic()
    try:
        if "progress" in inspect.signature(detector.run).parameters:
            result = detector.run(image, progress=lambda f: progress("geometry", 0.05 + 0.75 * f, None))
        else:  # a detector whose run() takes the image only
            result = detector.run(image)
    except ConversionError:
        raise
    except MemoryError:
        raise
    except Exception as exc:
        raise ConversionError(
            "detector_failed", f"detector {spec.name} failed: {type(exc).__name__}: {exc}", stage="geometry"
        ) from exc
    inference_s = time.monotonic() - started
    progress("geometry", 0.85, "tracing walls")
    traced = trace(result, image.shape, metres_per_pixel, name=spec.name)
    walls, boxes = traced.walls, traced.boxes
    plan = PagePlan(walls=walls, doors=boxes["door"], windows=boxes["window"], stairs=boxes["stair"])
    detector_info = {
        "name": spec.name,
        "version": spec.version,
        "weight": spec.weight,
        "provider": provider,
        "inference_s": round(inference_s, 3),
    }
    if isinstance(result.get("tiles"), dict):
        detector_info["tiles"] = result["tiles"]
    plan.report = {
        "detector": detector_info,
        "skew_deg": round(traced.skew_deg, 3),
        "walls": len(walls),
        "not_walls": traced.dropped,
        **{f"{k}s": len(v) for k, v in boxes.items()},
    }
    if not walls:
        plan.warnings.append(f"detector {spec.name} found no walls on this scanned page")
    progress("geometry", 0.95, None)
    return plan
