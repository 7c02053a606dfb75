"""Blocks placed at a scale: a window block one unit long stretched to each
window's width, a metre-unit column block placed x1000 in a mm plan. Their
meshes keep metre thicknesses and stay inside the building."""

from __future__ import annotations

import ezdxf
import pytest
import shapely

from tests import dxf_factory
from tests.dxf_factory import footprint
from tests.test_dxf_plugin import convert


def test_stretched_and_scaled_blocks_stay_their_size(tmp_path):
    src = tmp_path / "plan.dxf"
    dxf_factory.building_plan(src, units="mm")
    doc = ezdxf.readfile(src)
    window = doc.blocks.new("WIN-UNIT")
    window.add_line((0, 0), (1, 0), dxfattribs={"layer": "A-GLAZ"})
    window.add_line((0, 150), (1, 150), dxfattribs={"layer": "A-GLAZ"})
    column = doc.blocks.new("COLUMN-M")
    column.add_lwpolyline([(0, 0), (0.4, 0), (0.4, 0.4), (0, 0.4)], close=True, dxfattribs={"layer": "S-COLS"})
    msp = doc.modelspace()
    for x in (2000, 10000):  # 1.5 m and 3 m windows in the south facade
        msp.add_blockref("WIN-UNIT", (x, 75), dxfattribs={"xscale": 1500 if x == 2000 else 3000, "yscale": 1})
    msp.add_blockref("COLUMN-M", (15000, 3000), dxfattribs={"xscale": 1000, "yscale": 1000})
    doc.saveas(src)
    _, asset, nodes = convert(src, tmp_path)
    assert asset["extent_m"]["size"][:2] == pytest.approx([20, 12], abs=0.05)
    windows = shapely.union_all(
        [footprint(n, asset["origin"]) for n in nodes if n.extras["floorcast"]["category"] == "window"]
    )
    assert windows.bounds[3] - windows.bounds[1] < 0.5  # a facade's depth, not kilometres
    widths = sorted(round(g.bounds[2] - g.bounds[0], 1) for g in shapely.get_parts(windows))
    assert widths == [1.5, 3.0]
    columns = [footprint(n, asset["origin"]) for n in nodes if n.extras["floorcast"]["category"] == "column"]
    assert columns and shapely.union_all(columns).area == pytest.approx(0.16, rel=0.1)
