"""Rooms behind openings drawn as gaps: an R12 plan without units, its walls as
lines (faces and jambs), doors and windows left open (no leaf, no swing, no
window symbol), the rooms named by plain TEXT. Each room must come out, named."""

from __future__ import annotations

import ezdxf
import pytest
import shapely
from shapely.geometry import box

from core.convert.openings import bridges
from core.convert.plan_rules import enclosed_spaces
from tests.test_dxf_plugin import convert

ROOMS = {
    "Kitchen": (2, 2),
    "Dining": (6, 2),
    "Living": (10, 2),
    "Bedroom 1": (2, 6),
    "Bath": (6, 6),
    "Bedroom 2": (10, 6),
}


def _walls():
    """A 12 x 8 m flat of six rooms, 0.2 m walls; door gaps 0.9 m between rooms,
    window gaps 1.5 m in the facade."""
    outer = box(0, 0, 12, 8).difference(box(0.2, 0.2, 11.8, 7.8))
    inner = [box(3.9, 0.2, 4.1, 7.8), box(7.9, 0.2, 8.1, 7.8), box(0.2, 3.9, 11.8, 4.1)]
    walls = shapely.union_all([outer, *inner])
    doors = [box(3.8, 1.5, 4.2, 2.4), box(7.8, 5.5, 8.2, 6.4), box(1.5, 3.8, 2.4, 4.2), box(5.5, 3.8, 6.4, 4.2)]
    doors += [box(9.5, 3.8, 10.4, 4.2), box(7.8, 1.5, 8.2, 2.4)]
    windows = [box(1.2, -0.1, 2.7, 0.3), box(9.2, 7.7, 10.7, 8.1), box(11.7, 1.2, 12.1, 2.7)]
    return walls.difference(shapely.union_all(doors + windows))


def _write(path, unit=1000.0):
    doc = ezdxf.new("R12")
    msp = doc.modelspace()
    doc.layers.add("WALLS")
    doc.layers.add("ROOMNAMES")
    for polygon in shapely.get_parts(_walls()):
        for ring in [polygon.exterior, *polygon.interiors]:
            coords = list(ring.coords)
            for a, b in zip(coords, coords[1:], strict=False):
                msp.add_line((a[0] * unit, a[1] * unit), (b[0] * unit, b[1] * unit), dxfattribs={"layer": "WALLS"})
    for name, (x, y) in ROOMS.items():
        msp.add_text(name, dxfattribs={"layer": "ROOMNAMES", "height": 250, "insert": (x * unit, y * unit)})
    doc.saveas(path)


def test_gaps_between_wall_ends_are_bridged():
    quads = bridges(_walls())
    # six doors and three windows, each closed by one quadrilateral across it
    assert len(quads) == 9
    widths = sorted(round(max(q.bounds[2] - q.bounds[0], q.bounds[3] - q.bounds[1]), 2) for q in quads)
    assert widths == [0.9] * 6 + [1.5] * 3


def test_r12_rooms_behind_open_doorways_are_found_and_named(tmp_path):
    src = tmp_path / "flat_r12.dxf"
    _write(src)
    result, asset, nodes = convert(src, tmp_path)
    assert result.units_source == "guess" and result.units == "mm"
    rooms = {n.extras["floorcast"].get("label"): n for n in nodes if n.extras["floorcast"]["category"] == "room"}
    assert set(ROOMS) <= set(rooms), sorted(k or "" for k in rooms)
    assert asset["extent_m"]["size"][:2] == pytest.approx([12, 8], abs=0.05)


def test_walls_that_miss_at_the_corners_still_close_rooms():
    """Four walls of a 5 x 4 m room, each stopping 0.12 m short of the next (as
    exporters draw walls as separate rectangles): one room, its full size."""
    walls = shapely.union_all(
        [box(0, 0.12, 0.2, 3.88), box(4.8, 0.12, 5.0, 3.88), box(0.32, 0, 4.68, 0.2), box(0.32, 3.8, 4.68, 4.0)]
    )
    rooms = enclosed_spaces(walls)
    assert len(rooms) == 1
    assert rooms[0].area == pytest.approx(4.6 * 3.6, rel=0.03)
