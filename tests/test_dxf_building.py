"""The building on a crowded sheet: strays, a legend and an elevation beside the plan
are left out and reported; the option cluster picks another drawing or keeps all."""

from __future__ import annotations

import ezdxf
import pytest

from core.errors import ConversionError
from tests import dxf_factory
from tests.test_dxf_plugin import convert

MM = 1000.0


@pytest.fixture(scope="module")
def crowded(tmp_path_factory):
    """The 20 x 12 m plan (mm) plus: a LINE to (1e300, 1e300), an origin marker and
    a note 33 km away, a legend's wall swatch 6 m right of the plan, and a 20 x 6 m
    elevation (17 lines on ANSICHT) 8 m below it."""
    tmp = tmp_path_factory.mktemp("crowded")
    src = tmp / "crowded.dxf"
    dxf_factory.building_plan(src, units="mm")
    doc = ezdxf.readfile(src)
    msp = doc.modelspace()
    msp.add_line((5 * MM, 5 * MM), (1e300, 1e300), dxfattribs={"layer": "A-WALL"})
    msp.add_line((-33_000 * MM, 0), (-32_998 * MM, 0), dxfattribs={"layer": "A-WALL"})
    msp.add_circle((-33_000 * MM, 0), 0.5 * MM, dxfattribs={"layer": "0"})
    msp.add_text("origin", dxfattribs={"layer": "0", "insert": (-33_000 * MM, 2 * MM), "height": 300})
    x0 = 26 * MM
    msp.add_lwpolyline([(x0, 0), (x0 + 500, 0), (x0 + 500, 200), (x0, 200)], close=True, dxfattribs={"layer": "A-WALL"})
    doc.layers.add("ANSICHT")
    top = -8 * MM
    for i in range(15):
        x = i * 20 * MM / 14
        msp.add_line((x, top), (x, top - 6 * MM), dxfattribs={"layer": "ANSICHT"})
    for y in (top, top - 6 * MM):  # ground line and eaves
        msp.add_line((0, y), (20 * MM, y), dxfattribs={"layer": "ANSICHT"})
    doc.saveas(src)
    return src, tmp


def test_strays_legend_and_elevation_left_out(crowded):
    src, tmp = crowded
    result, asset, _ = convert(src, tmp)
    assert asset["extent_m"]["size"][:2] == pytest.approx([20, 12], abs=0.05)
    assert any("beyond 1e+08 m" in w and "A-WALL" in w for w in result.warnings), result.warnings
    apart = next(w for w in result.warnings if "apart from the building" in w)
    assert "33.0 km" in apart and "ANSICHT" in apart and "cluster=all" in apart
    clusters = result.report["clusters"]
    assert clusters[0]["kept"] and not any(c["kept"] for c in clusters[1:])
    assert {c["layers"][0] for c in clusters[1:]} >= {"ANSICHT", "A-WALL"}
    # what was left out, in plan metres, for the preview to outline
    dropped = result.report["dropped"]
    elevation = next(d for d in dropped if d["layer"].startswith("ANSICHT"))
    assert elevation["count"] == 17
    assert elevation["box"] == [pytest.approx([0, -14], abs=0.01), pytest.approx([20, -8], abs=0.01)]


def test_cluster_option_picks_or_keeps_all(crowded):
    src, tmp = crowded
    result, asset, _ = convert(src, tmp, cluster="2")
    assert result.report["clusters"][1]["layers"] == ["ANSICHT"]
    assert asset["extent_m"]["size"][:2] == pytest.approx([20, 6], abs=0.3)
    result, asset, _ = convert(src, tmp, cluster="all")
    assert asset["extent_m"]["size"][0] > 33_000
    assert not any("apart from the building" in w for w in result.warnings)
    for bad in ("99", "elevation"):
        with pytest.raises(ConversionError) as info:
            convert(src, tmp, cluster=bad)
        assert info.value.code == "invalid_options"


def test_one_stray_does_not_fail_the_plan(tmp_path):
    """A LINE to (1e300, 1e300) in a good plan: dropped with a warning, the plan converts."""
    src = tmp_path / "stray.dxf"
    dxf_factory.building_plan(src, units="m")
    doc = ezdxf.readfile(src)
    doc.modelspace().add_line((0, 0), (1e300, 1e300))
    doc.saveas(src)
    result, asset, _ = convert(src, tmp_path)
    assert asset["extent_m"]["size"][:2] == pytest.approx([20, 12], abs=0.05)
    assert result.units_source == "$INSUNITS"
    assert any("beyond" in w for w in result.warnings)


def test_a_sheet_packed_in_one_block_is_seen_entity_by_entity(tmp_path):
    """The plan and a detail 20 m beside it, both inside one block placed once (as
    some exporters pack a sheet): the detail is left out like any other."""
    src = tmp_path / "packed.dxf"
    dxf_factory.building_plan(src, units="mm")
    doc = ezdxf.readfile(src)
    msp = doc.modelspace()
    sheet = doc.blocks.new("SHEET")
    for entity in list(msp):
        sheet.add_entity(entity.copy())
        msp.delete_entity(entity)
    for i in range(60):  # a detail: a 6 m grid of lines on a layer of its own
        x = 40 * MM + (i % 30) * 200
        sheet.add_line((x, 0), (x, 6 * MM), dxfattribs={"layer": "DETAIL"})
    msp.add_blockref("SHEET", (0, 0))
    doc.saveas(src)
    result, asset, _ = convert(src, tmp_path)
    assert asset["extent_m"]["size"][:2] == pytest.approx([20, 12], abs=0.05)
    assert any(d["layer"].startswith("DETAIL") for d in result.report["dropped"]), result.report["clusters"]
