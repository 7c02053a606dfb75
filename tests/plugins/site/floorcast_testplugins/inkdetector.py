"""A detector that calls all dark ink wall and reports one door at a fixed place
(in the left wall of ``tests/test_detector_hook.ring_scan``): proves the detector
hook lets a plugin outweigh the default one.

It runs on no model (its ``provider`` is made up), so tests know which detector
built the scene from the report alone.
"""

import numpy as np

from core.plugin_api import DetectorSpec, hookimpl

NAME = "test-ink"
PROVIDER = "TestInkProvider"


class InkDetector:
    def __init__(self, providers):
        self.providers = list(providers)
        self.provider = PROVIDER

    def run(self, image):
        walls = (np.asarray(image) < 100).astype(np.float32)  # float masks are allowed too
        return {"walls": walls, "boxes": [{"class": "door", "x0": 95, "y0": 300, "x1": 125, "y1": 350, "score": 1.0}]}


@hookimpl
def floorcast_register_detectors():
    return [DetectorSpec(NAME, ("wall", "door"), (256, 256), InkDetector, weight=1000, version="1")]
