"""Scanned plans: the synthetic generator the detector trains on, and tracing masks."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from floorcast_pdf.scanned import vectorise
from shapely import affinity

from plugins.pdf.training import synth


def test_mask_to_polygons_keeps_area_and_holes():
    mask = np.zeros((60, 80), dtype=bool)
    mask[5:55, 5:75] = True
    mask[15:45, 15:65] = False  # a ring
    mask[0:3, 0:3] = True  # a speck
    rects = vectorise.rectangles(mask)
    assert sum((x1 - x0) * (y1 - y0) for x0, y0, x1, y1 in rects) == mask.sum()
    polys = vectorise.polygons(mask, min_area=20)
    assert len(polys) == 1 and len(polys[0].interiors) == 1
    assert polys[0].area == mask.sum() - 9


def test_skew_of_a_rotated_frame():
    frame = shapely.box(0, 0, 400, 300).difference(shapely.box(10, 10, 390, 290))
    assert vectorise.dominant_angle([affinity.rotate(frame, 1.3)]) == pytest.approx(1.3, abs=0.01)
    assert vectorise.dominant_angle([affinity.rotate(frame, -2.0)]) == pytest.approx(-2.0, abs=0.01)
    assert vectorise.dominant_angle([shapely.box(0, 0, 5, 5)]) == 0.0  # too little to tell


def test_synthetic_pages_are_reproducible():
    a, b = synth.make_sample(7, page="A4"), synth.make_sample(7, page="A4")
    assert np.array_equal(a.image, b.image) and np.array_equal(a.labels, b.labels) and a.boxes == b.boxes
    assert set(np.unique(a.labels)) <= set(range(len(synth.CLASSES)))
    # the label map is the truth footprint rasterised
    px = affinity.affine_transform(a.walls_m, (*a.plan_to_px[:, :2].ravel(), *a.plan_to_px[:, 2]))
    seen = shapely.union_all(vectorise.polygons(a.labels == 1))
    assert seen.intersection(px).area / seen.union(px).area > 0.85
