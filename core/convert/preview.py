"""A PNG top view of a converted plan: the asset's ``preview`` and
``floorcast convert --preview``.

Each category in its own colour (walls dark, rooms light, each room its own
tint, named at its room when the name fits), the strays the converter left out
(``Scene.report["dropped"]``: ``{"layer", "count", "box": [[x0, y0], [x1, y1]]}``
in plan metres) dashed in red, a scale bar in metres and a legend. Levels (a
PDF's pages) lie side by side at one scale. At most :data:`LONG_SIDE` pixels on
the long side; the same scene gives the same picture.

Drawn from the upward faces only (:mod:`core.convert.preview_shapes`), the
small ones filled in bulk (:mod:`core.convert.preview_raster`): big plans draw
in a fraction of a second.
"""

from __future__ import annotations

import math
import os
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from core.convert.preview_raster import fill
from core.convert.preview_shapes import Shapes, label_anchor, node_shapes
from core.convert.preview_text import Fonts
from core.convert.scene import Scene

LONG_SIDE = 1600
#: the short side never below this, so the legend has room
SHORT_SIDE_MIN = 640
MARGIN = 24
#: the band under the plan holding the scale bar and the legend
BAND = 64
LABEL_SIZES = (14, 11)

BACKGROUND = (255, 255, 255)
INK = (32, 32, 36)
DROPPED = (220, 30, 30)
#: category -> fill; rooms take :data:`ROOM_TINTS` instead
COLOURS = {
    "floor": (232, 232, 226),
    "annotation": (205, 205, 205),
    "other": (180, 180, 180),
    "furniture": (150, 162, 150),
    "stair": (150, 110, 200),
    "elevator": (90, 120, 210),
    "column": (70, 70, 76),
    "wall": (40, 40, 48),
    "window": (70, 170, 235),
    "door": (225, 120, 30),
}
#: light tints, one per room in turn: neighbours mostly differ
ROOM_TINTS = (
    (255, 226, 196),
    (204, 232, 255),
    (214, 245, 206),
    (250, 214, 232),
    (255, 246, 191),
    (224, 214, 252),
    (200, 240, 236),
    (242, 224, 206),
)
#: back to front: walls over rooms over the floor, openings over walls
DRAW_ORDER = (
    "floor",
    "room",
    "annotation",
    "other",
    "furniture",
    "stair",
    "elevator",
    "column",
    "wall",
    "window",
    "door",
)


@dataclass(frozen=True)
class PreviewStats:
    """What a preview drew: its size, labels shown and those no font here could draw."""

    width: int
    height: int
    labels: int
    labels_without_font: int
    seconds: float


@dataclass(frozen=True)
class _Frame:
    """Plan metres -> pixels: ``x_px = (x - x0) * scale + left``, Y flipped."""

    x0: float
    y1: float
    scale: float
    left: float
    top: float

    def px(self, xy: np.ndarray) -> np.ndarray:
        out = np.empty_like(xy, dtype=np.float64)
        out[..., 0] = (xy[..., 0] - self.x0) * self.scale + self.left
        out[..., 1] = (self.y1 - xy[..., 1]) * self.scale + self.top
        return out


def _level_offsets(extents: dict[int, tuple[np.ndarray, np.ndarray]]) -> dict[int, np.ndarray]:
    """Where each level's drawing is moved so the levels lie in a grid, in level order."""
    levels = sorted(extents)
    if len(levels) == 1:
        return {levels[0]: np.zeros(2)}
    size = np.max([hi - lo for lo, hi in extents.values()], axis=0)
    gap = 0.12 * float(size.max())
    cols = math.ceil(math.sqrt(len(levels)))
    offsets = {}
    for i, level in enumerate(levels):
        row, col = divmod(i, cols)
        corner = np.array([col * (size[0] + gap), -row * (size[1] + gap)])
        offsets[level] = corner - extents[level][0]
    return offsets


def _dropped(scene: Scene) -> list[dict]:
    """The report's dropped strays that carry a box (level 0 unless said)."""
    items = (scene.report or {}).get("dropped") or []
    out = []
    for item in items if isinstance(items, list) else []:
        try:
            box = np.asarray(item["box"], dtype=np.float64).reshape(2, 2)
        except (KeyError, TypeError, ValueError):
            continue
        if np.isfinite(box).all():
            out.append(dict(item, box=np.sort(box, axis=0)))
    return out


def _extents(shapes: list[Shapes]) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Each level's (lo, hi) in plan metres."""
    extents: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for shape in shapes:
        flat = shape.polygons.reshape(-1, 2)
        lo, hi = flat.min(axis=0), flat.max(axis=0)
        old = extents.get(shape.node.level)
        extents[shape.node.level] = (lo, hi) if old is None else (np.minimum(old[0], lo), np.maximum(old[1], hi))
    return extents


def _beside(dropped: list[dict], extents: dict) -> list[tuple[int, np.ndarray]]:
    """(level, box) of the strays near enough to draw beside their level, whose
    extent grows to hold them; one farther away (a stray at a georeferenced
    origin) would shrink the plan to a dot, and is only counted in the legend."""
    near = []
    for item in dropped:
        level = int(item.get("level") or 0)
        if level not in extents:
            continue
        lo, hi = extents[level]
        reach = 2 * float((hi - lo).max())
        box = item["box"]
        if (box[0] > lo - reach).all() and (box[1] < hi + reach).all():
            near.append((level, box))
            extents[level] = (np.minimum(lo, box[0]), np.maximum(hi, box[1]))
    return near


def _frame(lo: np.ndarray, hi: np.ndarray) -> tuple[_Frame, int, int]:
    """The frame fitting ``lo``..``hi`` in :data:`LONG_SIDE` pixels, and the image size."""
    size = np.maximum(hi - lo, 1e-3)
    room_w, room_h = LONG_SIDE - 2 * MARGIN, LONG_SIDE - 2 * MARGIN - BAND
    scale = min(room_w / size[0], room_h / size[1])
    width = max(SHORT_SIDE_MIN, min(LONG_SIDE, math.ceil(size[0] * scale) + 2 * MARGIN))
    height = max(SHORT_SIDE_MIN, min(LONG_SIDE, math.ceil(size[1] * scale) + 2 * MARGIN + BAND))
    left = (width - size[0] * scale) / 2
    top = MARGIN + (height - BAND - 2 * MARGIN - size[1] * scale) / 2
    return _Frame(float(lo[0]), float(hi[1]), float(scale), left, top), int(width), int(height)


def _dashed_box(draw: ImageDraw.ImageDraw, lo: np.ndarray, hi: np.ndarray, dash: float = 8, gap: float = 5) -> None:
    corners = [(lo[0], lo[1]), (hi[0], lo[1]), (hi[0], hi[1]), (lo[0], hi[1]), (lo[0], lo[1])]
    for (x0, y0), (x1, y1) in zip(corners, corners[1:], strict=False):
        length = math.hypot(x1 - x0, y1 - y0)
        steps = max(1, int(length // (dash + gap)) + 1)
        for i in range(steps):
            a, b = i * (dash + gap) / max(length, 1e-9), min(1.0, (i * (dash + gap) + dash) / max(length, 1e-9))
            if a >= 1.0:
                break
            draw.line([(x0 + (x1 - x0) * a, y0 + (y1 - y0) * a), (x0 + (x1 - x0) * b, y0 + (y1 - y0) * b)], DROPPED, 2)


def _nice_length(metres: float) -> float:
    """1, 2 or 5 times a power of ten, at most ``metres``."""
    power = 10 ** math.floor(math.log10(metres))
    return next(k * power for k in (5, 2, 1) if k * power <= metres)


def _scale_bar(draw: ImageDraw.ImageDraw, frame: _Frame, x: float, y: float, font) -> float:
    """A bar of a round length near 160 pixels at (x, y); returns where it ends."""
    length = _nice_length(160 / frame.scale)
    pixels = length * frame.scale
    for i in range(4):
        colour = INK if i % 2 == 0 else BACKGROUND
        draw.rectangle([x + i * pixels / 4, y, x + (i + 1) * pixels / 4, y + 6], fill=colour, outline=INK)
    text = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    draw.text((x, y + 10), "0", fill=INK, font=font)
    draw.text((x + pixels, y + 10), text, fill=INK, font=font, anchor="ma")
    return x + pixels + draw.textlength(text, font=font) / 2


def _legend(draw: ImageDraw.ImageDraw, entries: list[tuple[str, object]], x: float, y: float, right: float, font):
    """Swatches and names from (x, y), wrapping before ``right``."""
    cx, cy = x, y
    for name, colour in entries:
        width = 18 + draw.textlength(name, font=font) + 16
        if cx + width > right and cx > x:
            cx, cy = x, cy + 20
        if colour == "dropped":
            _dashed_box(draw, np.array([cx, cy]), np.array([cx + 13, cy + 13]), dash=4, gap=3)
        else:
            draw.rectangle([cx, cy, cx + 13, cy + 13], fill=colour, outline=INK)
        draw.text((cx + 18, cy + 7), name, fill=INK, font=font, anchor="lm")
        cx += width


def _draw_labels(draw, fonts_by_size, rooms: list[tuple[str, np.ndarray]], frame: _Frame) -> tuple[int, int]:
    """Each room's name at its room, in the largest size that fits inside it;
    returns (labels drawn, labels no font could draw)."""
    drawn = without_font = 0
    smallest = min(fonts.size for fonts in fonts_by_size)
    for label, polygons in rooms:
        flat = polygons.reshape(-1, 2)
        room_w, room_h = (flat.max(axis=0) - flat.min(axis=0)) * frame.scale
        if room_h < smallest * 1.2 or room_w < smallest * 0.6 * len(label):
            continue  # too small at preview size for any label
        point = label_anchor(polygons)
        if point is None:
            continue
        for fonts in fonts_by_size:
            if room_h < fonts.size * 1.2 or room_w < fonts.size * 0.6 * len(label):
                continue  # cannot fit at this size, whatever the font
            font = fonts.for_text(label)
            if font is None:
                without_font += 1
                break
            if draw.textlength(label, font=font) > room_w * 0.95:
                continue
            x, y = frame.px(point)
            draw.text((x, y), label, fill=INK, font=font, anchor="mm")
            drawn += 1
            break
    return drawn, without_font


def render_preview(scene: Scene) -> tuple[Image.Image, PreviewStats]:
    """The top view of ``scene`` as an RGB image. Raises ValueError for a scene
    with nothing to draw."""
    started = time.perf_counter()
    shapes = [s for s in (node_shapes(n) for n in scene.nodes) if s is not None]
    if not shapes:
        raise ValueError("the scene has nothing seen from above")
    extents = _extents(shapes)
    dropped = _dropped(scene)
    near = _beside(dropped, extents)
    offsets = _level_offsets(extents)
    lo = np.min([lo + offsets[k] for k, (lo, _) in extents.items()], axis=0)
    hi = np.max([hi + offsets[k] for k, (_, hi) in extents.items()], axis=0)

    frame, width, height = _frame(lo, hi)
    image = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    by_category: dict[str, list[Shapes]] = {}
    for s in shapes:
        by_category.setdefault(s.node.category, []).append(s)

    rooms: list[tuple[str, np.ndarray]] = []
    for category in DRAW_ORDER:
        layers: dict[tuple, list[np.ndarray]] = {}  # (colour, corners): filled in one go
        for i, s in enumerate(by_category.get(category, [])):
            moved = s.polygons + offsets[s.node.level]
            colour = ROOM_TINTS[i % len(ROOM_TINTS)] if category == "room" else COLOURS[category]
            layers.setdefault((colour, moved.shape[1]), []).append(moved)
            if category == "room" and s.node.label:
                rooms.append((str(s.node.label).strip(), moved))
        for (colour, _), parts in sorted(layers.items()):
            fill(image, frame.px(np.concatenate(parts)), colour)

    fonts_by_size = [Fonts(size) for size in LABEL_SIZES]
    labels, without_font = _draw_labels(draw, fonts_by_size, [r for r in rooms if r[0]], frame)
    for level, box in near:
        a, b = frame.px(box[0] + offsets[level]), frame.px(box[1] + offsets[level])
        _dashed_box(draw, np.minimum(a, b), np.maximum(a, b))
    font = fonts_by_size[-1].main
    if len(offsets) > 1:
        for level, (level_lo, level_hi) in sorted(extents.items()):
            corner = frame.px(np.array([level_lo[0], level_hi[1]]) + offsets[level])
            draw.text((corner[0], corner[1] - 4), f"level {level}", fill=INK, font=font, anchor="ld")

    band_top = height - MARGIN - BAND + 16
    end = _scale_bar(draw, frame, MARGIN, band_top, font)
    entries: list[tuple[str, object]] = [
        (c, ROOM_TINTS[0] if c == "room" else COLOURS[c]) for c in reversed(DRAW_ORDER) if c in by_category
    ]
    if dropped:
        far = len(dropped) - len(near)
        entries.append((f"dropped ({far} far away)" if far else "dropped", "dropped"))
    _legend(draw, entries, end + 32, band_top, width - MARGIN, font)
    stats = PreviewStats(width, height, labels, without_font, round(time.perf_counter() - started, 3))
    return image, stats


def write_preview(scene: Scene, path: Path) -> PreviewStats:
    """Render ``scene`` (:func:`render_preview`) and write it to ``path`` as PNG,
    atomically."""
    image, stats = render_preview(scene)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".floorcast-", suffix=".png.tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            image.save(fh, format="PNG")
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return stats


def draw_preview(scene: Scene, path: Path) -> tuple[Path | None, dict | None, list[str]]:
    """:func:`write_preview`, never failing the conversion it pictures: returns
    (``path`` or None, what it drew, warnings)."""
    try:
        stats = write_preview(scene, path)
    except MemoryError:
        return None, None, ["the preview was not drawn: not enough memory left"]
    except Exception as exc:  # a picture of the model is never a reason to lose the model
        return None, None, [f"the preview could not be drawn: {type(exc).__name__}: {exc}"]
    warnings = []
    if stats.labels_without_font:
        warnings.append(
            f"the preview leaves out {stats.labels_without_font} room labels: no font on this box has their characters"
        )
    return path, asdict(stats), warnings
