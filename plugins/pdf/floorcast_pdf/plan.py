"""What one page holds, whichever path (vector or scanned) found it.

The scanned path returns a :class:`PagePlan` in PIXELS of the image it was given
(x to the right, y DOWN, origin top-left); :meth:`PagePlan.to_metres` turns that
into plan metres (y up), which is what the vector path produces directly and what
:mod:`floorcast_pdf.build` turns into scene nodes. Both paths thus end in the same
walls, rooms and openings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shapely import affinity
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry


@dataclass
class Label:
    """A piece of text: its string, the centre of its box and its height (0 when
    unknown), in the plan's coordinates."""

    text: str
    x: float
    y: float
    size: float = 0.0


@dataclass
class PagePlan:
    """Walls, openings and fixtures of one page.

    ``walls`` is the solid wall footprint (already solid: filled poché, paired
    double lines, thick strokes); the others are footprints of that category.
    ``openings`` are lines (or thin shapes) across door openings — the door in its
    closed position — so the rooms on either side of a door come out as two rooms.
    ``rooms`` are explicit room outlines when the page has them; when empty, rooms
    are the spaces the walls (with the openings closed) enclose. ``labels`` name
    the rooms they fall in.
    """

    walls: list[BaseGeometry] = field(default_factory=list)
    doors: list[Polygon] = field(default_factory=list)
    windows: list[Polygon] = field(default_factory=list)
    stairs: list[Polygon] = field(default_factory=list)
    columns: list[Polygon] = field(default_factory=list)
    floors: list[Polygon] = field(default_factory=list)
    rooms: list[Polygon] = field(default_factory=list)
    openings: list[BaseGeometry] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    report: dict = field(default_factory=dict)

    def to_metres(self, metres_per_unit: float, height_units: float) -> PagePlan:
        """This plan, drawn in image units (y down, ``height_units`` tall), in plan
        metres (y up)."""
        k = float(metres_per_unit)
        matrix = (k, 0.0, 0.0, -k, 0.0, height_units * k)

        def move(geoms):
            return [affinity.affine_transform(g, matrix) for g in geoms if g is not None and not g.is_empty]

        return PagePlan(
            walls=move(self.walls),
            doors=move(self.doors),
            windows=move(self.windows),
            stairs=move(self.stairs),
            columns=move(self.columns),
            floors=move(self.floors),
            rooms=move(self.rooms),
            openings=move(self.openings),
            labels=[Label(lb.text, lb.x * k, (height_units - lb.y) * k, lb.size * k) for lb in self.labels],
            warnings=list(self.warnings),
            report=dict(self.report),
        )

    def is_empty(self) -> bool:
        geoms = [*self.walls, *self.doors, *self.windows, *self.stairs, *self.columns, *self.floors]
        return all(g.is_empty for g in geoms) if geoms else True
