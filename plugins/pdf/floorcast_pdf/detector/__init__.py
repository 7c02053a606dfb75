"""The default detector for scanned plans: a small segmentation network (ONNX).

Registered through the ``floorcast_register_detectors`` hook as
:data:`NAME`. Its :func:`load` returns a :class:`PlanDetector`; every detector the
PDF plugin uses follows the same contract:

``load(providers)``
    ``providers`` is the list of onnxruntime execution providers to try, best
    first (DirectML, CUDA, CPU: whichever are present). Returns an object with
    ``run(image) -> dict`` and, optionally, a ``provider`` attribute naming the
    provider it actually runs on.

``run(image)``
    ``image``: the page in greyscale, numpy ``uint8`` (H, W), 0 = ink, 255 =
    paper, rendered at 150 dpi. Returns::

        {
            "walls": (H, W) array, uint8 0/1 or float 0..1 (wall where >= 0.5),
            "boxes": [{"class": "door" | "window" | "stair" | ...,
                       "x0", "y0", "x1", "y1": pixels (x = column, y = row),
                       "score": 0..1}, ...],
        }

    Classes in ``boxes`` that the PDF plugin does not know are ignored.

The network was trained on the project's own synthetic plans
(``plugins/pdf/training``); the model card is in the plugin's README.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import shapely

from core.plugin_api import DetectorSpec
from floorcast_pdf import __version__
from floorcast_pdf.detector.runtime import TiledSegmenter, best_providers
from floorcast_pdf.scanned.vectorise import polygons

NAME = "floorcast-plan-seg"
MODEL = Path(__file__).with_name("model.onnx")
#: the network's output channels, in order
CLASSES = ("background", "wall", "door", "window", "stair")
#: smallest door / window / stair worth a box, in square pixels at 150 dpi
MIN_BOX_AREA = 60.0
#: parts of one class closer than this (pixels) form one box: a door's leaf and arc
JOIN = 3.0
TILE = 512


class PlanDetector:
    """Walls as a mask, doors, windows and stairs as boxes (see the module docstring)."""

    def __init__(self, model: Path, providers, *, tile: int = TILE):
        self.segmenter = TiledSegmenter(model, providers, tile=tile)
        self.provider = self.segmenter.provider

    def run(self, image: np.ndarray, progress=None) -> dict:
        return self.interpret(*self.segmenter.segment(np.asarray(image, dtype=np.uint8), progress))

    def interpret(self, classes: np.ndarray, confidence: np.ndarray) -> dict:
        """The result (module docstring) from a page's classes and confidences."""
        boxes = []
        for index, name in enumerate(CLASSES):
            if name in ("background", "wall"):
                continue
            boxes.extend(_boxes(classes == index, confidence, name))
        return {
            "walls": (classes == CLASSES.index("wall")).astype(np.uint8),
            "boxes": boxes,
            "tiles": {"run": self.segmenter.tiles_run, "skipped": self.segmenter.tiles_skipped},
        }


def _boxes(mask: np.ndarray, confidence: np.ndarray, name: str) -> list[dict]:
    parts = polygons(mask)
    if not parts:
        return []
    joined = shapely.get_parts(shapely.union_all(shapely.buffer(np.asarray(parts, dtype=object), JOIN)))
    out = []
    for part in joined:
        x0, y0, x1, y1 = (int(round(v)) for v in part.bounds)
        x0, y0, x1, y1 = x0 + int(JOIN), y0 + int(JOIN), x1 - int(JOIN), y1 - int(JOIN)
        if (x1 - x0) * (y1 - y0) < MIN_BOX_AREA or x1 <= x0 or y1 <= y0:
            continue
        inside = mask[y0:y1, x0:x1]
        score = float(confidence[y0:y1, x0:x1][inside].mean() / 255) if inside.any() else 0.0
        out.append({"class": name, "x0": x0, "y0": y0, "x1": x1, "y1": y1, "score": round(score, 3)})
    return out


def load(providers=None) -> PlanDetector:
    """The shipped model on the given onnxruntime providers (best present when None)."""
    return PlanDetector(MODEL, list(providers) if providers else best_providers())


def spec() -> DetectorSpec:
    return DetectorSpec(
        name=NAME,
        classes=CLASSES[1:],
        input_size=(TILE, TILE),
        load=load,
        weight=100,
        version=__version__,
        extra={"dpi": 150, "output": "walls mask + boxes", "model": MODEL.name, "data": "synthetic plans"},
    )
