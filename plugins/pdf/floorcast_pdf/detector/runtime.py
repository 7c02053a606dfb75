"""Running a segmentation model with onnxruntime over a page, tile by tile.

The page is cut into square tiles that overlap by ``2 * margin`` pixels; each
tile keeps the class of its inner pixels only, so the network always sees
``margin`` pixels of context around what it decides. Tiles with no ink are not
run. Memory stays bounded by one tile's activations plus two bytes per page
pixel (class and confidence), whatever the page size.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

#: execution providers in order of preference; the first one present is used
PREFERRED_PROVIDERS = ("DmlExecutionProvider", "CUDAExecutionProvider", "CPUExecutionProvider")
#: a tile with fewer inked pixels than this is paper (specks at most) and is skipped
MIN_INK_PIXELS = 24


def available_providers() -> list[str]:
    import onnxruntime

    return list(onnxruntime.get_available_providers())


def best_providers(available: Iterable[str] | None = None) -> list[str]:
    """The preferred providers that are present, best first; CPU always last."""
    present = set(available_providers() if available is None else available)
    chosen = [p for p in PREFERRED_PROVIDERS if p in present and p != "CPUExecutionProvider"]
    return [*chosen, "CPUExecutionProvider"]


#: a pixel is ink when it is this much darker than the page's paper
INK_CONTRAST = 40


def _ink(window: np.ndarray, threshold: float) -> int:
    """Dark pixels with a dark neighbour to the right or below: lines, not lone specks."""
    dark = window < threshold
    pairs = (dark[:, :-1] & dark[:, 1:]).sum() + (dark[:-1] & dark[1:]).sum()
    return int(pairs)


def _positions(size: int, tile: int, margin: int) -> list[int]:
    """Tile starts along one side: every ``tile - 2 * margin``, the last flush with the end."""
    if size <= tile:
        return [0]
    step = tile - 2 * margin
    starts = list(range(0, size - tile, step))
    return [*starts, size - tile]


class TiledSegmenter:
    """An ONNX segmentation model: greyscale page in, class and confidence per pixel out.

    The model takes ``(1, 1, H, W)`` float32 ink (``1 - grey / 255``, H and W
    multiples of ``multiple``) and returns ``(1, C, H, W)`` class probabilities.
    """

    def __init__(
        self,
        model: Path,
        providers: Sequence[str],
        *,
        tile: int = 512,
        margin: int = 48,
        multiple: int = 16,
        threads: int | None = None,
    ):
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads or min(4, len(os.sched_getaffinity(0)))
        options.inter_op_num_threads = 1
        # do not spin idle threads: the box serves kiosks while it converts
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        self.session = onnxruntime.InferenceSession(str(model), options, providers=list(providers))
        self.provider = self.session.get_providers()[0]
        self.input = self.session.get_inputs()[0].name
        self.tile, self.margin, self.multiple = tile, margin, multiple
        #: tiles the last :meth:`segment` ran through the network and skipped as paper
        self.tiles_run = 0
        self.tiles_skipped = 0

    def _infer(self, tile: np.ndarray) -> np.ndarray:
        h, w = tile.shape
        ph, pw = -h % self.multiple, -w % self.multiple
        if ph or pw:
            tile = np.pad(tile, ((0, ph), (0, pw)), constant_values=255)
        x = (255.0 - tile.astype(np.float32))[None, None] * (1.0 / 255.0)
        return self.session.run(None, {self.input: x})[0][0, :, :h, :w]

    def segment(self, image: np.ndarray, progress=None) -> tuple[np.ndarray, np.ndarray]:
        """(classes uint8 (H, W), confidence uint8 (H, W) in 0..255) for a greyscale
        page; ``tiles_run`` and ``tiles_skipped`` count this page's tiles."""
        self.tiles_run = self.tiles_skipped = 0
        h, w = image.shape
        # tiles start on multiples of the network's stride, so each sees the page on
        # the same pixel grid as one pass over the whole page would
        ph, pw = -h % self.multiple, -w % self.multiple
        page = np.pad(image, ((0, ph), (0, pw)), constant_values=255) if ph or pw else image
        hp, wp = page.shape
        classes = np.zeros((hp, wp), dtype=np.uint8)
        confidence = np.full((hp, wp), 255, dtype=np.uint8)
        ys, xs = _positions(hp, self.tile, self.margin), _positions(wp, self.tile, self.margin)
        total, done = len(ys) * len(xs), 0
        # faded scans have grey ink on grey paper: measure ink against the paper
        threshold = max(float(np.median(image[::4, ::4])) - INK_CONTRAST, 1.0)
        for y0 in ys:
            for x0 in xs:
                y1, x1 = min(y0 + self.tile, hp), min(x0 + self.tile, wp)
                window = page[y0:y1, x0:x1]
                done += 1
                if _ink(window, threshold) < MIN_INK_PIXELS:
                    self.tiles_skipped += 1
                    continue
                probs = self._infer(window)
                self.tiles_run += 1
                # keep the inner part: the margin is context, except at the page's edges
                ky0 = 0 if y0 == 0 else self.margin
                kx0 = 0 if x0 == 0 else self.margin
                ky1 = y1 - y0 if y1 == hp else y1 - y0 - self.margin
                kx1 = x1 - x0 if x1 == wp else x1 - x0 - self.margin
                inner = probs[:, ky0:ky1, kx0:kx1]
                best = inner.argmax(axis=0)
                classes[y0 + ky0 : y0 + ky1, x0 + kx0 : x0 + kx1] = best
                conf = np.take_along_axis(inner, best[None], axis=0)[0]
                confidence[y0 + ky0 : y0 + ky1, x0 + kx0 : x0 + kx1] = (conf * 255 + 0.5).astype(np.uint8)
                if progress:
                    progress(done / total)
        return classes[:h, :w], confidence[:h, :w]
