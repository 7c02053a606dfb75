"""The DXF plugin end to end: DXF plans generated in code -> GLB checked against truth."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import shapely
from floorcast_dxf.layers import classify
from floorcast_dxf.plugin import floorcast_register_formats, sniff

from core.convert.pipeline import convert_file
from core.errors import ConversionError
from tests import dxf_factory
from tests.dxf_factory import edge_use, footprint, read_glb
from tests.gltf_validator import validate

FORMATS = floorcast_register_formats()


def convert(src: Path, tmp_path: Path, **options) -> tuple[dict, dict, list]:
    out = tmp_path / (src.stem + ".glb")
    result = convert_file(FORMATS, src, out, options=options, progress=lambda *a: None, filename=src.name)
    report = validate(out)
    assert report["numWarnings"] == 0, report["messages"]
    asset, nodes = read_glb(out)
    return result, asset, nodes


@pytest.fixture(scope="module")
def plan_mm(tmp_path_factory):
    """The main plan in mm with $INSUNITS = 4, converted once for several tests."""
    tmp = tmp_path_factory.mktemp("mm")
    truth = dxf_factory.building_plan(tmp / "plan.dxf", units="mm")
    return truth, *convert(tmp / "plan.dxf", tmp)


def _wall_footprint(asset, nodes):
    walls = [n for n in nodes if n.extras["floorcast"]["category"] == "wall"]
    assert walls
    return shapely.union_all([footprint(n, asset["origin"]) for n in walls]), walls


def test_units_from_insunits(plan_mm):
    _, result, asset, _ = plan_mm
    assert (result.units, result.units_source) == ("mm", "$INSUNITS")
    assert asset["units"] == "mm" and asset["scale_to_m"] == 0.001
    assert asset["extent_m"]["size"][:2] == pytest.approx([20, 12], abs=0.01)
    assert result.report["units"]["insunits"] == 4


def test_wall_footprint_matches_truth(plan_mm):
    truth, _, asset, nodes = plan_mm
    seen, _ = _wall_footprint(asset, nodes)
    iou = seen.intersection(truth.walls).area / seen.union(truth.walls).area
    assert iou >= 0.85, iou
    # door gaps stay open: nothing between the jambs
    assert seen.intersection(shapely.box(7.95, 4.1, 8.05, 4.9)).area < 1e-4
    assert seen.intersection(shapely.box(12.1, 5.95, 12.9, 6.05)).area < 1e-4


def test_walls_are_closed_solids_standing_on_the_floor(plan_mm):
    _, _, asset, nodes = plan_mm
    _, walls = _wall_footprint(asset, nodes)
    for node in walls:
        assert set(edge_use(node.indices)) == {2}, node.name
        assert node.positions[:, 1].min() == pytest.approx(0)  # floor at Y = 0
        assert node.positions[:, 1].max() == pytest.approx(3.0)  # wall_height default
    floor = [n for n in nodes if n.extras["floorcast"]["category"] == "floor"]
    assert floor and floor[0].positions[:, 1].max() == pytest.approx(0)


def test_axes_plan_y_is_minus_z(plan_mm):
    _, _, asset, nodes = plan_mm
    ox, oy = asset["origin"]
    assert (ox, oy) == pytest.approx((10, 6), abs=0.01)
    lobby = next(n for n in nodes if n.name == "Lobby")  # plan y 0.3..7.9
    z = lobby.positions[:, 2]
    assert -z.max() + oy == pytest.approx(0.3, abs=1e-3)
    assert -z.min() + oy == pytest.approx(7.9, abs=1e-3)


def test_rooms_named_by_their_labels(plan_mm):
    truth, result, asset, nodes = plan_mm
    rooms = {n.name: n for n in nodes if n.extras["floorcast"]["category"] == "room"}
    assert set(rooms) == set(truth.rooms)
    for name, node in rooms.items():
        info = node.extras["floorcast"]
        assert info["label"] == name and info["layer"] == "RM$"
        seen = footprint(node, asset["origin"])
        assert seen.symmetric_difference(truth.rooms[name]).area < 0.01
    assert asset["counts"]["room"] == 4 and result.report["rooms"] == 4


def test_extras_and_report(plan_mm):
    _, result, asset, nodes = plan_mm
    for node in nodes:
        info = node.extras["floorcast"]
        assert info["category"] in {"wall", "door", "room", "floor"}
        assert isinstance(info["layer"], str)
    assert asset["format"] == "dxf" and asset["warnings"] == [] and asset["converter_version"] == FORMATS[0].version
    assert len(asset["source_sha256"]) == 64
    layers = result.report["layers"]
    assert layers["A-WALL"]["category"] == "wall" and layers["벽체"]["category"] == "wall"
    assert layers["A-DOOR"]["category"] == "door" and layers["RM$"]["category"] == "room"
    assert result.report["entities"]["LINE"] >= 6


def test_units_guessed_without_insunits(tmp_path):
    for units, expected in (("mm", "mm"), ("m", "m")):
        src = tmp_path / f"plan_{units}.dxf"
        truth = dxf_factory.building_plan(src, units=units, insunits=False)
        result, asset, nodes = convert(src, tmp_path)
        assert (result.units, result.units_source) == (expected, "guess")
        assert any("guessed" in w for w in result.warnings)
        seen, _ = _wall_footprint(asset, nodes)
        assert seen.intersection(truth.walls).area / seen.union(truth.walls).area >= 0.85


def test_units_option_overrides(tmp_path):
    src = tmp_path / "plan.dxf"
    dxf_factory.building_plan(src, units="mm", insunits=False)
    result, asset, _ = convert(src, tmp_path, units="cm")
    assert (result.units, result.units_source) == ("cm", "option")
    # 10x bigger: the 1.5 m "double lines" are now two single walls, the band fat
    assert asset["extent_m"]["size"][0] == pytest.approx(200, abs=0.5)


def test_binary_dxf(tmp_path):
    src = tmp_path / "plan_bin.dxf"
    truth = dxf_factory.building_plan(src, fmt="bin")
    assert src.read_bytes().startswith(b"AutoCAD Binary DXF")
    _, asset, nodes = convert(src, tmp_path)
    seen, _ = _wall_footprint(asset, nodes)
    assert seen.intersection(truth.walls).area / seen.union(truth.walls).area >= 0.85


def test_bulged_polyline_is_flattened_into_a_curved_wall(tmp_path):
    src = tmp_path / "curve.dxf"
    area = dxf_factory.curved_wall(src)
    _, asset, nodes = convert(src, tmp_path)
    seen, walls = _wall_footprint(asset, nodes)
    assert seen.area == pytest.approx(area, rel=0.03)
    assert np.ptp(seen.bounds[1::2]) == pytest.approx(5.1, abs=0.05)  # radius + half thickness
    assert set(edge_use(walls[0].indices)) == {2}


def test_options_wall_height_and_thickness(tmp_path):
    src = tmp_path / "curve.dxf"
    area = dxf_factory.curved_wall(src)
    _, _, nodes = convert(src, tmp_path, wall_height=4.5, wall_thickness=0.4)
    wall = next(n for n in nodes if n.extras["floorcast"]["category"] == "wall")
    assert wall.positions[:, 1].max() == pytest.approx(4.5)
    assert footprint(wall, (0, 0)).area == pytest.approx(area * 2, rel=0.03)


def _error(src: Path, tmp_path: Path, **options) -> ConversionError:
    with pytest.raises(ConversionError) as info:
        convert_file(FORMATS, src, tmp_path / "x.glb", options=options, progress=lambda *a: None, filename=src.name)
    assert not (tmp_path / "x.glb").exists()
    return info.value


def test_empty_file(tmp_path):
    src = tmp_path / "empty.dxf"
    src.write_bytes(b"")
    assert _error(src, tmp_path).code in {"empty_file", "unsupported_format"}


def test_random_bytes(tmp_path):
    src = tmp_path / "random.dxf"
    src.write_bytes(os.urandom(5000))
    err = _error(src, tmp_path)
    assert err.code == "unsupported_format" and ".dxf" in err.message


def test_truncated_dxf(tmp_path):
    src = tmp_path / "cut.dxf"
    dxf_factory.truncated(src)
    err = _error(src, tmp_path)
    assert (err.code, err.stage) == ("corrupt_file", "parse")
    assert "truncated" in err.message


def test_truncated_binary_dxf(tmp_path):
    src = tmp_path / "cut_bin.dxf"
    dxf_factory.building_plan(src, fmt="bin")
    src.write_bytes(src.read_bytes()[:-200])
    assert _error(src, tmp_path).code == "corrupt_file"


@pytest.mark.parametrize("make", [dxf_factory.empty_drawing, dxf_factory.text_only])
def test_nothing_to_build(tmp_path, make):
    src = tmp_path / "nothing.dxf"
    make(src)
    err = _error(src, tmp_path)
    assert (err.code, err.stage) == ("no_geometry", "geometry")


def test_bad_options(tmp_path):
    src = tmp_path / "curve.dxf"
    dxf_factory.curved_wall(src)
    assert _error(src, tmp_path, units="furlong").code == "invalid_options"
    assert _error(src, tmp_path, wall_height=-1).code == "invalid_options"


@pytest.mark.parametrize(
    ("head", "accepted"),
    [
        (b"  0\nSECTION\n  2\nHEADER\n", True),
        (b"999\nwritten by a tool\n0\r\nSECTION\r\n", True),
        (b"\n\n  0\nSECTION\n", True),
        (b"AutoCAD Binary DXF\r\n\x1a\x00\x00\x00SECTION", True),
        (b"%PDF-1.7\n", False),
        (b"0\nENTITIES\n", False),
        (b"", False),
    ],
)
def test_sniff(head, accepted):
    assert sniff(head) is accepted


@pytest.mark.parametrize(
    ("layer", "category"),
    [
        ("A-WALL", "wall"),
        ("Walls", "wall"),
        ("벽체", "wall"),
        ("A-WALL-CORE-EXST", "wall"),
        ("A-DOOR-EXST", "door"),
        ("A-GLAZ", "window"),
        ("창호", "window"),
        ("A-FLOR-CORE-STRS-EXST", "stair"),
        ("S-COLS-EXST", "column"),
        ("RM$", "room"),
        ("A-FURN-FREE", "furniture"),
        ("dimensions", "annotation"),
        ("A-IDEN-NUMR", "annotation"),
        ("ELEVATION-MARKS", "other"),
        ("0", "other"),
        ("ROHBAU - Darstellungen - Wände", "wall"),
        ("ROHBAU - Darstellungen - Waende", "wall"),
        ("Türen", "door"),
        ("Fenster", "window"),
        ("Räume", "room"),
        ("Bemaßung", "annotation"),
        ("Muur", "wall"),
        ("Deuren", "door"),
        ("Murs", "wall"),
        ("Pareti", "wall"),
        ("Tabiques", "wall"),
        ("Escaleras", "stair"),
        ("A-22----E-", "wall"),
        ("A-32----E-", "door"),
        ("A-22----T-", "annotation"),
        ("壁", "wall"),
        ("扉", "door"),
        ("窓", "window"),
        ("階段", "stair"),
        ("寸法", "annotation"),
        ("墙体", "wall"),
        ("幕墙", "window"),
        ("门", "door"),
        ("楼梯", "stair"),
        ("图层1", "other"),
        ("SCALE BAR", "other"),
    ],
)
def test_layer_classification(layer, category):
    assert classify(layer) == category
