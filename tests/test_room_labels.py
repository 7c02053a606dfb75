"""A room's label is its name and number: not its area, a note's numbering, a
dimension or the formatting codes an exporter left in the text."""

from __future__ import annotations

import ezdxf
import pytest
import shapely

from core.convert.labels import clean, names_a_room
from tests.test_dxf_plugin import convert
from tests.test_room_openings import _walls


@pytest.mark.parametrize(
    ("raw", "label", "names"),
    [
        ("{\\fArial|b0;Office}\\P12 m²", "Office", True),
        ("Office 101 24.5 m²", "Office 101", True),
        ("LDK 15.8帖", "LDK", True),
        ("洋室 6畳", "洋室", True),
        ("75y\\S5y;", "75y", True),
        ("1 2 3 4 5 6 7 8 9 10 11 12", "1 2 3 4 5 6 7 8 9 10 11 12", False),
        ("3600", "3600", False),
        ("+0.00", "+0.00", False),
        ("12'-6\"", "12'-6\"", False),
        ("101", "101", True),
        ("2.14", "2.14", True),
        ("A=12.5m2", "", False),
    ],
)
def test_clean_and_names_a_room(raw, label, names):
    assert clean(raw) == label
    assert names_a_room(clean(raw)) is names


def test_stamps_name_rooms_and_notes_do_not(tmp_path):
    src = tmp_path / "stamps.dxf"
    doc = ezdxf.new("R2010")
    doc.header["$INSUNITS"] = 6
    msp = doc.modelspace()
    for polygon in shapely.get_parts(_walls()):
        msp.add_lwpolyline(list(polygon.exterior.coords), close=True, dxfattribs={"layer": "A-WALL"})
        for ring in polygon.interiors:
            msp.add_lwpolyline(list(ring.coords), close=True, dxfattribs={"layer": "A-WALL"})
    # the kitchen's stamp: name, number and area in one MTEXT with codes
    msp.add_mtext("{\\fArial|b0;Kitchen}\\P0.12\\P7.6 m²", dxfattribs={"layer": "TEXT", "insert": (2, 2.4)})
    # the dining room: its name, and a note's numbering strewn around
    msp.add_text("Dining", dxfattribs={"layer": "TEXT", "insert": (5.6, 2), "height": 0.25})
    for k in range(8):
        msp.add_text(str(k + 1), dxfattribs={"layer": "TEXT", "insert": (4.4 + 0.4 * k, 0.6), "height": 0.1})
    msp.add_text("3600", dxfattribs={"layer": "TEXT", "insert": (10, 2), "height": 0.2})
    doc.saveas(src)
    _, _, nodes = convert(src, tmp_path)
    labels = {n.extras["floorcast"].get("label") for n in nodes if n.extras["floorcast"]["category"] == "room"}
    assert "Kitchen 0.12" in labels and "Dining" in labels, labels
    assert not any(label and ("m²" in label or "3600" in label or "\\" in label) for label in labels), labels
