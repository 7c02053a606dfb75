"""The PDF plugin's vector path end to end: plans generated in code with PyMuPDF
-> GLB, checked against their truth and by the glTF-Validator."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pymupdf
import pytest
import shapely
from floorcast_pdf.plugin import floorcast_register_formats

from core.convert.pipeline import convert_file
from core.errors import ConversionError
from tests import pdf_factory
from tests.dxf_factory import edge_use, footprint, iou, of, read_glb, walls_of
from tests.gltf_validator import validate

FORMATS = floorcast_register_formats()
ROOT = Path(__file__).resolve().parent.parent
STYLES = ("fill", "stroke", "pen")
K100 = 100 * 0.0254 / 72  # metres per point at 1:100
MM = 1e-3  # GLB positions are quantized: a millimetre is exact enough


def convert(src: Path, tmp_path: Path, **options) -> tuple[dict, dict, list]:
    out = tmp_path / (src.stem + ".glb")
    result = convert_file(FORMATS, src, out, options=options, progress=lambda *a: None, filename=src.name)
    report = validate(out)
    assert report["numWarnings"] == 0, report["messages"]
    asset, nodes = read_glb(out)
    return result, asset, nodes


def seen_walls(asset, nodes, level: int | None = None):
    """Wall and window triangles projected onto the floor (plan metres)."""
    walls = [n for n in of(nodes, "wall", "window") if level is None or n.extras["floorcast"]["level"] == level]
    assert walls
    return shapely.union_all([footprint(n, asset["origin"]) for n in walls])


def built(truth) -> object:
    """What the walls and windows of a truth cover, seen from above."""
    return shapely.union_all([truth.walls, *truth.windows])


@pytest.fixture(scope="module", params=STYLES)
def plan(request, tmp_path_factory):
    """The main plan with its walls drawn in each style, converted once."""
    tmp = tmp_path_factory.mktemp(request.param)
    src = tmp / f"plan_{request.param}.pdf"
    truth = pdf_factory.building_plan(src, style=request.param)
    return truth, *convert(src, tmp)


def test_wall_footprint_matches_truth(plan):
    truth, _, asset, nodes = plan
    seen = seen_walls(asset, nodes)
    assert iou(seen, built(truth)) >= 0.9
    walls = walls_of(asset, nodes)
    assert iou(walls, truth.walls) >= 0.9
    ox, oy = pdf_factory.ORIGIN
    # door openings stay open: nothing between the jambs
    gaps = (shapely.box(3.1, 0.05, 3.9, 0.25), shapely.box(7.95, 4.1, 8.05, 4.9), shapely.box(12.1, 5.95, 12.9, 6.05))
    for gap in gaps:
        assert seen.intersection(shapely.affinity.translate(gap, ox, oy)).area < 1e-4


def test_walls_are_closed_solids_standing_on_the_floor(plan):
    _, _, _, nodes = plan
    for node in of(nodes, "wall"):
        assert set(edge_use(node.indices)) == {2}, node.name
        assert node.positions[:, 1].min() == pytest.approx(0, abs=MM)
        assert node.positions[:, 1].max() == pytest.approx(3.0, abs=MM)
    floors = of(nodes, "floor")
    assert floors and max(n.positions[:, 1].max() for n in floors) == pytest.approx(0, abs=MM)


def test_scale_read_from_the_note(plan):
    _, result, asset, _ = plan
    assert result.scale["ratio"] == "1:100" and result.scale["source"] == "sheet"
    assert asset["scale"]["evidence"] == "SCALE 1:100" and asset["units_source"] == "sheet"
    assert asset["units"] == "pt" and asset["scale_to_m"] == pytest.approx(100 * 0.0254 / 72)
    assert asset["extent_m"]["size"][:2] == pytest.approx([20, 12], abs=0.05)
    assert result.warnings == []


def test_rooms_named_by_their_labels(plan):
    truth, result, asset, nodes = plan
    rooms = {n.name: n for n in of(nodes, "room")}
    assert set(rooms) == set(truth.rooms)
    for name, node in rooms.items():
        assert node.extras["floorcast"]["label"] == name
        seen = footprint(node, asset["origin"])
        # a room reaches into the door openings it owns (at most 0.2 m² each)
        assert seen.symmetric_difference(truth.rooms[name]).area < 0.5, name
    assert result.report["rooms"] == 4


def test_doors_from_swing_arcs(plan):
    truth, result, asset, nodes = plan
    doors = of(nodes, "door")
    assert len(doors) == 1 and doors[0].extras["floorcast"]["properties"]["count"] == 4
    seen = footprint(doors[0], asset["origin"])
    for hinge in truth.doors:
        assert seen.distance(hinge) < 0.01
    assert seen.area == pytest.approx(4 * 3.14159 / 4, rel=0.05)  # four quarter circles of 1 m
    assert doors[0].positions[:, 1].max() == pytest.approx(0.03, abs=MM)
    assert result.report["pages"][0]["found"]["doors"] == 4


def test_windows_bridge_the_gaps(plan):
    truth, result, asset, nodes = plan
    windows = of(nodes, "window")
    assert len(windows) == 1 and windows[0].extras["floorcast"]["properties"]["count"] == 2
    seen = footprint(windows[0], asset["origin"])
    assert iou(seen, shapely.union_all(truth.windows)) >= 0.9
    assert windows[0].positions[:, 1].min() == pytest.approx(0.9, abs=MM)
    assert windows[0].positions[:, 1].max() == pytest.approx(2.1, abs=MM)


def test_hatch_is_a_floor(plan):
    truth, _, asset, nodes = plan
    marked = [n for n in of(nodes, "floor") if n.name.startswith("floor marked")]
    assert len(marked) == 1
    assert iou(footprint(marked[0], asset["origin"]), truth.hatch) >= 0.9


def test_furniture_and_frame_are_not_walls(plan):
    _, result, asset, nodes = plan
    seen = seen_walls(asset, nodes)
    ox, oy = pdf_factory.ORIGIN
    desk = shapely.affinity.translate(shapely.box(10, 1.5, 11.6, 2.3), ox, oy)
    assert seen.intersection(desk).area < 1e-4
    assert result.report["pages"][0]["found"]["frame_paths"] >= 1


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_a_rotated_sheet_comes_out_as_shown(tmp_path, rotation):
    src, rotated = tmp_path / "plan.pdf", tmp_path / "rotated.pdf"
    truth = pdf_factory.building_plan(src)
    doc = pymupdf.open(src)
    doc[0].set_rotation(rotation)
    doc.save(rotated)
    result, asset, nodes = convert(rotated, tmp_path)
    seen = seen_walls(asset, nodes)
    # the sheet as shown: the page turned clockwise about its centre
    w, h = pdf_factory.A3
    shown = shapely.affinity.rotate(built(truth), -rotation, origin=(w / 2 * K100, h / 2 * K100))
    if rotation % 180:
        shown = shapely.affinity.translate(shown, (h - w) / 2 * K100, (w - h) / 2 * K100)
    assert iou(seen, shown) >= 0.9
    assert {n.name for n in of(nodes, "room")} == set(truth.rooms)
    assert result.report["pages"][0]["rotation"] == rotation


def test_a_building_filling_the_sheet_is_not_its_frame(tmp_path):
    src = tmp_path / "full.pdf"
    truth = pdf_factory.building_plan(src, size=(640, 460), origin=(1.0, 1.5))
    result, asset, nodes = convert(src, tmp_path)
    assert iou(seen_walls(asset, nodes), built(truth)) >= 0.9
    assert result.report["pages"][0]["found"]["frame_paths"] == 1  # the border rectangle only


@pytest.mark.parametrize(
    ("kwargs", "source", "ratio"),
    [
        ({"note": None, "dimensions": True}, "dimension", "1:100"),
        ({"note": None, "scale_bar": True, "scale": 200}, "scale bar", "1:200"),
        ({"note": "축척 1/200", "scale": 200}, "sheet", "1:200"),
        ({"note": 'SCALE 1/16" = 1\'-0"', "scale": 192}, "sheet", "1:192"),
    ],
)
def test_scale_from_the_sheet(tmp_path, kwargs, source, ratio):
    src = tmp_path / "plan.pdf"
    truth = pdf_factory.building_plan(src, **kwargs)
    result, asset, nodes = convert(src, tmp_path)
    assert (asset["scale"]["source"], asset["scale"]["ratio"]) == (source, ratio)
    assert iou(seen_walls(asset, nodes), built(truth)) >= 0.9
    assert {n.name for n in of(nodes, "room")} == set(truth.rooms)


def test_scale_option_wins(tmp_path):
    src = tmp_path / "plan.pdf"
    pdf_factory.building_plan(src)
    result, asset, _ = convert(src, tmp_path, scale="1:50")
    assert asset["scale"]["source"] == "option" and asset["scale"]["ratio"] == "1:50"
    assert asset["extent_m"]["size"][:2] == pytest.approx([10, 6], abs=0.05)


def test_no_scale_on_the_sheet_uses_the_default_and_says_so(tmp_path):
    src = tmp_path / "plan.pdf"
    truth = pdf_factory.building_plan(src, note=None)
    result, asset, nodes = convert(src, tmp_path)
    assert asset["scale"]["source"] == "default" and asset["scale"]["ratio"] == "1:100"
    assert any("assumed 1:100" in w for w in result.warnings)
    assert iou(seen_walls(asset, nodes), built(truth)) >= 0.9


def test_cad_layers_decide_when_present(tmp_path):
    """Walls in a hairline pen on an optional content group named A-WALL: only the
    layer name tells them from furniture."""
    src = tmp_path / "layers.pdf"
    truth = pdf_factory.building_plan(src, layers=True)
    result, asset, nodes = convert(src, tmp_path)
    found = result.report["pages"][0]["found"]
    assert found["by_layers"] is True
    assert found["layers"] == {"A-DOOR": "door", "A-GLAZ": "window", "A-WALL": "wall"}
    assert iou(seen_walls(asset, nodes), built(truth)) >= 0.9
    assert {n.name for n in of(nodes, "room")} == set(truth.rooms)
    assert of(nodes, "door") and of(nodes, "window")


def test_one_level_per_page(tmp_path):
    src = tmp_path / "two.pdf"
    truth = pdf_factory.building_plan(src, pages=2)
    result, asset, nodes = convert(src, tmp_path, storey_height=3.5)
    assert [p["level"] for p in result.report["pages"]] == [0, 1]
    for level, bottom in ((0, 0.0), (1, 3.5)):
        walls = [n for n in of(nodes, "wall") if n.extras["floorcast"]["level"] == level]
        assert len(walls) == 1 and walls[0].positions[:, 1].min() == pytest.approx(bottom, abs=MM)
        assert iou(seen_walls(asset, nodes, level), built(truth)) >= 0.9
    assert len(of(nodes, "room")) == 8


def test_a_chosen_page(tmp_path):
    src = tmp_path / "two.pdf"
    pdf_factory.building_plan(src, pages=2)
    result, asset, nodes = convert(src, tmp_path, page=2)
    assert [(p["page"], p["level"]) for p in result.report["pages"]] == [(2, 0)]
    assert {n.extras["floorcast"]["level"] for n in nodes} == {0}
    # on a level of its own: the model stands at that storey
    result, asset, nodes = convert(src, tmp_path, page=2, level=2, storey_height=3.0)
    assert {n.extras["floorcast"]["level"] for n in nodes} == {2}
    assert min(n.positions[:, 1].min() for n in of(nodes, "wall")) == pytest.approx(6.0, abs=MM)


@pytest.mark.parametrize(("options", "fragment"), [({"scale": "big"}, "scale"), ({"page": 3}, "page 3")])
def test_bad_options(tmp_path, options, fragment):
    src = tmp_path / "plan.pdf"
    pdf_factory.building_plan(src)
    with pytest.raises(ConversionError) as info:
        convert_file(FORMATS, src, tmp_path / "x.glb", options=options, progress=lambda *a: None)
    assert info.value.code == "invalid_options" and fragment in info.value.message


def test_text_only_page_has_no_geometry(tmp_path):
    src = tmp_path / "note.pdf"
    pdf_factory.page_with_text(src, "Floor plan to follow")
    with pytest.raises(ConversionError) as info:
        convert_file(FORMATS, src, tmp_path / "x.glb", options={}, progress=lambda *a: None)
    assert (info.value.code, info.value.stage) == ("no_geometry", "geometry")


def test_cli_with_the_storey_height_setting(tmp_path):
    """`floorcast convert` passes [model] storey_height to the converter."""
    src = tmp_path / "two.pdf"
    pdf_factory.building_plan(src, pages=2)
    out = tmp_path / "two.glb"
    env = {"FLOORCAST_MODEL__STOREY_HEIGHT": "5.0", "PATH": "/usr/bin:/bin"}
    proc = subprocess.run(
        [sys.executable, "-m", "core.cli.entry", "convert", str(src), "-o", str(out), "--set", "scale=1:100"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    validate(out)
    _, nodes = read_glb(out)
    upper = [n for n in of(nodes, "wall") if n.extras["floorcast"]["level"] == 1]
    assert upper[0].positions[:, 1].min() == pytest.approx(5.0, abs=MM)
