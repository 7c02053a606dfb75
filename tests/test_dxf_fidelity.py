"""DXF plans in every drawing style -> GLBs whose walls match the truth they were
drawn from (wall and window triangles seen from above, IoU >= 0.85, extent within
0.5 m), with rooms named and doors present."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely
from floorcast_dxf.plugin import floorcast_register_formats
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import box

from core.convert.layers import label_rank
from core.convert.pipeline import convert_file
from core.convert.plan_rules import PlanText, find_rooms
from core.errors import ConversionError
from tests import dxf_factory
from tests.dxf_factory import footprint, read_glb
from tests.gltf_validator import validate

FORMATS = floorcast_register_formats()


def convert(src: Path, tmp_path: Path, check=True, **options):
    out = tmp_path / (src.stem + ".glb")
    result = convert_file(FORMATS, src, out, options=options, progress=lambda *a: None, filename=src.name)
    if check:
        validate(out)
    asset, nodes = read_glb(out)
    return result, asset, nodes


def walls_seen(asset, nodes):
    parts = [footprint(n, asset["origin"]) for n in nodes if n.extras["floorcast"]["category"] in ("wall", "window")]
    return shapely.union_all(parts)


def assert_walls_match(seen, truth, extent=None):
    iou = seen.intersection(truth.walls).area / seen.union(truth.walls).area
    assert iou >= 0.85, iou
    lo = np.array(extent or truth.extent)
    assert np.abs(np.array(seen.bounds) - lo).max() <= 0.5, (seen.bounds, lo)
    return iou


def categories(nodes) -> set[str]:
    return {n.extras["floorcast"]["category"] for n in nodes}


def test_every_wall_style(tmp_path):
    src = tmp_path / "styles.dxf"
    truth = dxf_factory.styles_plan(src)
    result, asset, nodes = convert(src, tmp_path)
    seen = walls_seen(asset, nodes)
    assert_walls_match(seen, truth)
    # the frozen and the switched-off wall and the paper-space line do not show
    assert seen.intersection(box(1, 6.95, 7, 7.05)).area < 1e-3
    assert seen.intersection(box(1, 1.95, 7, 2.05)).area < 1e-3
    # door gap open, window glass in the gap of the y = 10 wall
    assert seen.intersection(box(7.9, 5.05, 8.1, 5.95)).area < 1e-3
    glass = [n for n in nodes if n.extras["floorcast"]["category"] == "window"]
    assert glass and footprint(glass[0], asset["origin"]).intersection(box(18, 9.9, 19.2, 10.1)).area > 0.15
    assert {"door", "column", "window", "room", "floor"} <= categories(nodes)
    rooms = {n.extras["floorcast"].get("label") for n in nodes if n.extras["floorcast"]["category"] == "room"}
    assert {"Lobby", "회의실", "Office"} <= rooms
    report = result.report
    assert report["xrefs"] == [{"block": "SITE", "path": "site-survey.dxf"}]
    assert report["layers"]["A-WALL-DEMO"]["state"] == "frozen" and report["layers"]["A-WALL-OLD"]["state"] == "off"
    assert report["layers"]["벽"]["category"] == "wall" and report["layers"]["창호"]["category"] == "window"
    assert report["skipped"]["paper space"] == 1 and report["reader"] == "scan"
    assert any("XREF" in w for w in result.warnings)


def test_same_model_from_the_ezdxf_reader(tmp_path):
    src = tmp_path / "styles.dxf"
    truth = dxf_factory.styles_plan(src)
    _, asset, nodes = convert(src, tmp_path, check=False, reader="ezdxf")
    fast = walls_seen(*convert(src, tmp_path, check=False)[1:])
    slow = walls_seen(asset, nodes)
    assert fast.symmetric_difference(slow).area < 1e-3
    assert_walls_match(slow, truth)


def test_venue_with_nested_mirrored_blocks_and_minsert(tmp_path):
    src = tmp_path / "venue.dxf"
    truth = dxf_factory.venue_plan(src, cols=3, rows=2, desks=4)
    result, asset, nodes = convert(src, tmp_path)
    assert_walls_match(walls_seen(asset, nodes), truth)
    rooms = {n.extras["floorcast"].get("label") for n in nodes if n.extras["floorcast"]["category"] == "room"}
    assert rooms == set(truth.rooms)
    assert {"door", "window", "furniture"} <= categories(nodes)
    blocks = result.report["blocks"]
    # 3 x 2 rooms: 16 desk sets, each with a chair, plus a MINSERT of 4 chairs
    assert blocks["placements"] == 6 * (16 + 16 + 4) + 3 + 6  # furniture, doors, windows
    assert blocks["instanced"] >= 6 * 36


def test_rooms_are_named_by_their_name_not_their_notes():
    assert [label_rank(n) for n in ("A-AREA-IDEN", "RM-NAME", "실명", "TEXT", "A-ANNO-NOTE", "A-ANNO-DIMS")] == [
        0, 0, 0, 1, 2, 3,
    ]  # fmt: skip
    square = box(0, 0, 10, 8)
    texts = [
        PlanText("Seats 40", 5, 6, "A-ANNO-NOTE"),
        PlanText("Lecture 12", 5, 4, "A-AREA-IDEN"),
        PlanText("10000", 5, 1, "A-ANNO-DIMS"),
        PlanText("Hall", 5, 2, "A-AREA-IDEN"),
    ]
    rooms, _ = find_rooms([("", square)], texts, None)
    assert [(r.label, r.layer) for r in rooms] == [("Lecture 12 Hall", "A-AREA-IDEN")]
    rooms, _ = find_rooms([("", square)], texts[:1], None)  # a note is better than no name
    assert rooms[0].label == "Seats 40"


@pytest.mark.parametrize("fmt", ["asc", "bin"])
def test_r12_without_insunits_and_binary(tmp_path, fmt):
    src = tmp_path / f"r12_{fmt}.dxf"
    truth = dxf_factory.building_plan(src, units="mm", insunits=False, version="R12", fmt=fmt)
    result, asset, nodes = convert(src, tmp_path)
    assert (result.units, result.units_source) == ("mm", "guess")
    assert result.report["reader"] == ("scan" if fmt == "asc" else "ezdxf")
    assert_walls_match(walls_seen(asset, nodes), truth)
    assert {n.name for n in nodes if n.extras["floorcast"]["category"] == "room"} >= {"Lobby", "Hall"}


def test_damaged_file_is_repaired_with_a_warning(tmp_path):
    src = tmp_path / "damaged.dxf"
    truth = dxf_factory.building_plan(src)
    text = src.read_text(encoding="utf-8")
    # a broken group code in TABLES: strict reading fails, ezdxf's recover mode repairs it
    src.write_text(text.replace("  2\nLTYPE", " x2\nLTYPE", 1), encoding="utf-8")
    try:
        result, asset, nodes = convert(src, tmp_path)
    except ConversionError as exc:  # beyond repair: a clean code naming the problem
        assert exc.code == "corrupt_file" and exc.stage == "parse"
        return
    assert result.report["reader"] == "ezdxf-recover"
    assert any("repaired" in w for w in result.warnings)
    assert_walls_match(walls_seen(asset, nodes), truth)


def test_layer_rules_from_settings_and_options(tmp_path):
    src = tmp_path / "plan.dxf"
    dxf_factory.building_plan(src)
    result, _, nodes = convert(src, tmp_path, check=False, layer_rules=["A-DOOR* = furniture"])
    assert result.report["layers"]["A-DOOR"] == {**result.report["layers"]["A-DOOR"], "category": "furniture"}
    assert result.report["layers"]["A-DOOR"]["source"] == "setting"
    result, _, _ = convert(src, tmp_path, check=False, layers={"A-D*": "door"}, layer_rules=["A-DOOR = furniture"])
    assert result.report["layers"]["A-DOOR"]["source"] == "option"
    with pytest.raises(ConversionError) as info:
        convert(src, tmp_path, check=False, layer_rules=["A-DOOR = sofa"])
    assert info.value.code == "invalid_options"


# -- random wall layouts --------------------------------------------------------------

layouts = st.lists(
    st.tuples(
        st.integers(0, 9),  # column of the cell
        st.integers(0, 6),  # row
        st.sampled_from(["h", "v"]),  # a wall along the cell's bottom or left side
        st.sampled_from(["centre", "double", "outline", "thick"]),
    ),
    min_size=3,
    max_size=25,
    unique_by=lambda t: t[:3],
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(layout=layouts, units=st.sampled_from(["mm", "m"]))
def test_random_wall_layouts(tmp_path, layout, units):
    src = tmp_path / "random.dxf"
    truth = dxf_factory.random_walls(src, layout, units=units)
    _, asset, nodes = convert(src, tmp_path, check=False)
    seen = walls_seen(asset, nodes)
    iou = seen.intersection(truth.walls).area / seen.union(truth.walls).area
    assert iou >= 0.85, (iou, layout)
    for node in nodes:
        assert np.isfinite(node.positions).all()


def test_big_plans_are_built_in_cells_alike(tmp_path, monkeypatch):
    """Past a size walls and rooms are built cell by cell (bounded memory): the
    model is the one built in one go, every room found once."""
    import floorcast_dxf.build as build

    src = tmp_path / "styles.dxf"
    truth = dxf_factory.styles_plan(src)
    _, asset, nodes = convert(src, tmp_path, check=False)
    monkeypatch.setattr(build, "CELL_POINTS", 40)
    monkeypatch.setattr(build, "CELL_HALO", 15.0)
    result, cells_asset, cells_nodes = convert(src, tmp_path)
    assert result.report["walls"]["A-WALL"]["cells"] >= 4
    whole, in_cells = walls_seen(asset, nodes), walls_seen(cells_asset, cells_nodes)
    assert whole.symmetric_difference(in_cells).area < 0.01 * whole.area
    assert_walls_match(in_cells, truth)
    rooms = sorted(n.name for n in cells_nodes if n.extras["floorcast"]["category"] == "room")
    assert rooms == sorted(n.name for n in nodes if n.extras["floorcast"]["category"] == "room")
    assert {"Lobby", "회의실", "Office"} <= set(rooms)
