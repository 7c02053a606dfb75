"""What one page holds, whichever path (vector or scanned) found it.

A :class:`PagePlan` is in PAGE units with the page's own axes: x to the right,
y DOWN, origin at the page's top-left corner (PDF points for vector pages, pixels
of the rendered image for scanned ones). :mod:`floorcast_pdf.build` turns it into
scene nodes in plan metres (y up) with the page's scale, so both paths end in the
same walls, rooms and openings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry


@dataclass
class Label:
    """A piece of text on the page: its string and the centre of its box."""

    text: str
    x: float
    y: float
    size: float = 0.0  # font size (page units), 0 when unknown


@dataclass
class PagePlan:
    """Walls, openings and fixtures of one page (page units, y down).

    ``walls`` is the solid wall footprint (already solid: filled poché, paired
    double lines, thick strokes); the others are footprints of that category.
    ``rooms`` are explicit room outlines when the page has them; when empty, rooms
    are the spaces the walls enclose. ``labels`` name the rooms they fall in.
    """

    walls: list[BaseGeometry] = field(default_factory=list)
    doors: list[Polygon] = field(default_factory=list)
    windows: list[Polygon] = field(default_factory=list)
    stairs: list[Polygon] = field(default_factory=list)
    columns: list[Polygon] = field(default_factory=list)
    floors: list[Polygon] = field(default_factory=list)
    rooms: list[Polygon] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    report: dict = field(default_factory=dict)
