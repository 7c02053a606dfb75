"""Units you can trust: when $INSUNITS (or the guess) makes the door swings
absurd, the doors decide, with a warning saying what the file holds."""

from __future__ import annotations

import ezdxf
import pytest

from tests import dxf_factory
from tests.test_dxf_plugin import convert


def _with_doors(src, insunits: int, radius: float, n: int = 3):
    doc = ezdxf.readfile(src)
    doc.header["$INSUNITS"] = insunits
    for k in range(n):
        doc.modelspace().add_arc((k * 3 * radius, -2 * radius), radius, 0, 90, dxfattribs={"layer": "A-DOOR"})
    doc.saveas(src)


@pytest.mark.parametrize(
    ("drawn", "lie", "expected", "scale"),
    [("m", 1, "m", 1.0), ("in", 6, "in", 0.0254), ("mm", 1, "mm", 0.001)],
)
def test_door_swings_overrule_insunits(tmp_path, drawn, lie, expected, scale):
    src = tmp_path / f"plan_{drawn}.dxf"
    dxf_factory.building_plan(src, units=drawn)
    _with_doors(src, lie, 0.9 / scale)
    result, asset, _ = convert(src, tmp_path)
    assert (result.units, result.units_source, result.scale_to_m) == (expected, "doors", pytest.approx(scale))
    warning = next(w for w in result.warnings if "door swings" in w)
    assert "$INSUNITS says" in warning and f"using {expected}" in warning
    assert asset["extent_m"]["size"][0] == pytest.approx(20, abs=0.05)


def test_doors_that_agree_change_nothing_and_the_option_wins(tmp_path):
    src = tmp_path / "plan.dxf"
    dxf_factory.building_plan(src, units="mm")
    _with_doors(src, 4, 900)
    result, _, _ = convert(src, tmp_path)
    assert (result.units, result.units_source) == ("mm", "$INSUNITS")
    result, _, _ = convert(src, tmp_path, units="cm")
    assert (result.units, result.units_source) == ("cm", "option")


def test_a_sheet_at_paper_scale_is_read_at_its_plan_scale(tmp_path):
    """The 20 x 12 m plan drawn on a sheet at 1:100 in mm (200 x 120 units): read at
    1:100 with a warning, or at the scale option's 1:50."""
    src = tmp_path / "sheet.dxf"
    dxf_factory.building_plan(src, units="mm")
    doc = ezdxf.readfile(src)
    for entity in doc.modelspace():
        entity.scale_uniform(0.01)
    doc.saveas(src)
    result, asset, _ = convert(src, tmp_path)
    assert (result.units_source, result.scale_to_m) == ("sheet", pytest.approx(0.1))
    assert any("paper scale" in w and "1:100" in w for w in result.warnings)
    assert asset["extent_m"]["size"][:2] == pytest.approx([20, 12], abs=0.05)
    result, asset, _ = convert(src, tmp_path, scale="1:50")
    assert (result.units_source, result.scale_to_m) == ("scale option", pytest.approx(0.05))
    assert asset["extent_m"]["size"][:2] == pytest.approx([10, 6], abs=0.05)
