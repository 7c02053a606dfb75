"""Layers whose names say nothing: the one whose lines run in wall-thick pairs is
walls; the site's trees, paths and kerb-free linework are not."""

from __future__ import annotations

import ezdxf
import numpy as np
import pytest
import shapely

from tests.test_dxf_plugin import convert
from tests.test_room_openings import _walls


def test_walls_found_by_content_not_every_line(tmp_path):
    src = tmp_path / "site.dxf"
    doc = ezdxf.new("R2010")
    doc.header["$INSUNITS"] = 6
    for name in ("LAYER1", "LAYER2", "LAYER3"):
        doc.layers.add(name)
    msp = doc.modelspace()
    for polygon in shapely.get_parts(_walls()):  # the flat's walls as outlines: face pairs 0.2 m apart
        for ring in [polygon.exterior, *polygon.interiors]:
            msp.add_lwpolyline(list(ring.coords), close=True, dxfattribs={"layer": "LAYER1"})
    rng = np.random.default_rng(1)
    for x, y in rng.uniform([-20, -20], [-2, 30], (40, 2)):  # trees west of the flat
        msp.add_circle((x, y), rng.uniform(1, 3), dxfattribs={"layer": "LAYER2"})
    for y in (-6, -3):  # a path south of it, 3 m wide, and a fence
        msp.add_line((-20, y), (30, y), dxfattribs={"layer": "LAYER2"})
    msp.add_lwpolyline([(-22, -10), (34, -10), (34, 34), (-22, 34)], close=True, dxfattribs={"layer": "LAYER2"})
    msp.add_text("Site plan", dxfattribs={"layer": "LAYER3", "insert": (0, -8), "height": 0.5})
    doc.saveas(src)
    result, asset, nodes = convert(src, tmp_path)
    layers = result.report["layers"]
    assert layers["LAYER1"]["category"] == "wall" and layers["LAYER1"]["source"] == "content"
    assert "parallel pairs" in layers["LAYER1"]["why"]
    assert layers["LAYER2"]["category"] == "other" and layers["LAYER2"]["source"] == "content"
    assert any("by what they hold, LAYER1 are walls" in w for w in result.warnings), result.warnings
    walls = [n for n in nodes if n.extras["floorcast"]["category"] == "wall"]
    assert walls and all(n.extras["floorcast"]["layer"] == "LAYER1" for n in walls)
    assert asset["extent_m"]["size"][:2] == pytest.approx([12, 8], abs=0.05)


def test_without_any_wall_like_layer_linework_stays_walls(tmp_path):
    """Walls drawn as single lines on layer 0 (no pairs anywhere): all linework is
    still taken for walls, as before, with a warning saying why."""
    src = tmp_path / "lines.dxf"
    doc = ezdxf.new("R2010")
    doc.header["$INSUNITS"] = 6
    msp = doc.modelspace()
    for a, b in (((0, 0), (10, 0)), ((10, 0), (10, 6)), ((10, 6), (0, 6)), ((0, 6), (0, 0)), ((5, 0), (5, 6))):
        msp.add_line(a, b)
    doc.saveas(src)
    result, _, nodes = convert(src, tmp_path)
    assert any("none holds walls' parallel lines" in w for w in result.warnings)
    assert any(n.extras["floorcast"]["category"] == "wall" for n in nodes)
