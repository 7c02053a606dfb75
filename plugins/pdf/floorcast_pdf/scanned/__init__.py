"""Scanned pages: a rendered page image -> a :class:`~floorcast_pdf.plan.PagePlan`.

The vector path (:mod:`floorcast_pdf.convert`) calls :func:`convert_page` for every
page it classifies as scanned (mostly one big image, few drawing paths). This is
the contract between the two paths; the detector-based implementation replaces
the body of this function.
"""

from __future__ import annotations

import numpy as np

from core.plugin_api import ConversionError, Progress
from floorcast_pdf.plan import PagePlan


def convert_page(
    image: np.ndarray,
    *,
    metres_per_pixel: float,
    options: dict,
    progress: Progress,
) -> PagePlan:
    """Find walls, doors, windows, stairs and room labels on a scanned page.

    ``image``: the page rendered in greyscale, numpy ``uint8`` of shape (H, W),
    0 = black ink, 255 = paper; already within the pixel budget.
    ``metres_per_pixel``: real-world size of one pixel at the plan's scale (from
    the sheet, the ``scale`` option or the documented default), so a detector can
    tell a 20 cm wall from a hairline.
    ``options``: the conversion options (validated plugin options, see
    :data:`floorcast_pdf.options.DEFAULTS`).
    ``progress``: ``progress("geometry", fraction, message)`` as it goes.

    Returns a :class:`PagePlan` in PIXEL coordinates of ``image`` (x = column,
    y = row, origin top-left): ``walls`` as solid footprint polygons, ``doors``,
    ``windows``, ``stairs`` as boxes (polygons), ``labels`` for text it reads.
    Raises :class:`ConversionError` (code ``detector_unavailable`` when no
    detector is installed, ``no_geometry`` when the page shows no plan).
    """
    raise ConversionError(
        "detector_unavailable",
        "this page is a scanned image and no detector for scanned plans is installed",
        stage="geometry",
    )
