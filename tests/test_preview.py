"""The PNG top view of a converted plan (core/convert/preview.py): drawn from the
real conversion of a generated plan, checked pixel by pixel where the plan's
truth says walls and rooms are."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from floorcast_dxf.plugin import floorcast_register_formats
from PIL import Image
from shapely.geometry import box

from core.convert import geometry
from core.convert.pipeline import convert_file
from core.convert.preview import BAND, COLOURS, DROPPED, LONG_SIDE, MARGIN, ROOM_TINTS, render_preview
from core.convert.preview_text import Fonts
from core.convert.scene import Node, Scene
from tests import dxf_factory
from tests.gltf_validator import validate


def _convert(tmp_path, plan, preview=None, **kw):
    out = tmp_path / "plan.glb"
    result = convert_file(
        floorcast_register_formats(),
        plan,
        out,
        options={},
        progress=lambda *a: None,
        preview=preview or tmp_path / "plan.png",
        **kw,
    )
    validate(out)
    return result


def _plan_to_pixels(pixels: np.ndarray, lo, hi):
    """Plan metres -> pixel (column, row), found from the picture itself: the wall
    colour's bounding box above the legend is the building's outer wall (``lo``..``hi``)."""
    rows, cols = np.nonzero((pixels[: -BAND - MARGIN] == COLOURS["wall"]).all(axis=2))
    left, right, top, bottom = cols.min(), cols.max(), rows.min(), rows.max()
    sx, sy = (right - left) / (hi[0] - lo[0]), (bottom - top) / (hi[1] - lo[1])
    assert sx == pytest.approx(sy, rel=0.02), "one scale both ways"

    def at(x, y):
        return int(round(left + (x - lo[0]) * sx)), int(round(top + (hi[1] - y) * sy))

    return at, sx


def test_the_preview_shows_walls_rooms_and_their_names(tmp_path):
    plan = tmp_path / "building.dxf"
    truth = dxf_factory.building_plan(plan)
    result = _convert(tmp_path, plan)
    assert result.preview_path == str(tmp_path / "plan.png")
    image = Image.open(result.preview_path)
    assert image.format == "PNG" and image.mode == "RGB"
    assert max(image.size) == LONG_SIDE and image.size[0] > image.size[1], "20 x 12 m: landscape"
    pixels = np.asarray(image)
    at, scale = _plan_to_pixels(pixels, truth.extent[:2], truth.extent[2:])
    assert scale > 60, "the building fills the picture"

    for x, y in ((8.0, 2.0), (15.0, 6.0), (0.15, 6.0), (4.0, 8.0)):  # centre-line, double-line, outer, thin outline
        col, row = at(x, y)
        assert tuple(pixels[row, col]) == COLOURS["wall"], (x, y)

    tints = {}
    for name, room in truth.rooms.items():
        col, row = at(room.centroid.x, room.centroid.y)
        window = pixels[row - 12 : row + 13, col - 12 : col + 13].reshape(-1, 3)
        counts = Counter(map(tuple, window))
        tint, _ = counts.most_common(1)[0]
        assert tint in ROOM_TINTS, (name, tint)
        tints[name] = tint
        ink = sum(n for colour, n in counts.items() if max(colour) < 120)
        assert ink > 10, f"{name}'s label is written at its centre"
        corner = at(room.bounds[0] + 0.5, room.bounds[1] + 0.5)
        assert tuple(pixels[corner[1], corner[0]]) == tint, f"{name} is filled with its tint"
    assert len(set(tints.values())) == len(truth.rooms), "each room its own tint"
    assert result.stats["preview"]["labels"] == len(truth.rooms)

    door_pixels = (pixels == COLOURS["door"]).all(axis=2)
    col, row = at(8.5, 4.0)  # the door leaf along y = 4 from x = 8 to 9
    assert door_pixels[row - 3 : row + 4, col - 3 : col + 4].any()


def test_the_same_scene_gives_the_same_picture(tmp_path):
    plan = tmp_path / "building.dxf"
    dxf_factory.building_plan(plan)
    scene = floorcast_register_formats()[0].convert(plan, {}, lambda *a: None)
    first, _ = render_preview(scene)
    second, _ = render_preview(scene)
    assert first.tobytes() == second.tobytes()


def _hall(label: str | None = "Hall") -> Scene:
    walls = box(0, 0, 10, 8).difference(box(0.2, 0.2, 9.8, 7.8))
    room = Node("hall", "room", "RM$", geometry.surface_each([box(0.2, 0.2, 9.8, 7.8)], 0.0)[0], label=label)
    return Scene(nodes=[Node("walls", "wall", "A-WALL", geometry.extrude(walls, 0, 3)), room])


def test_dropped_strays_are_outlined_dashed_red():
    scene = _hall()
    scene.report["dropped"] = [{"layer": "TITLE", "count": 12, "box": [[14, 0], [20, 6]]}]
    image, _ = render_preview(scene)
    pixels = np.asarray(image)
    red = (pixels == DROPPED).all(axis=2)
    rows, cols = np.nonzero(red[: -BAND - MARGIN])  # above the legend band
    assert len(cols), "the stray's box is drawn"
    walls = np.nonzero((pixels[: -BAND - MARGIN] == COLOURS["wall"]).all(axis=2))[1]
    assert cols.min() > walls.max(), "right of the building, where it lies"
    edge = red[rows.min(), cols.min() : cols.max()]
    assert 0.3 < edge.mean() < 0.9, "dashed, not solid"

    far = _hall()
    far.report["dropped"] = [{"layer": "0", "count": 1, "box": [[5000, 5000], [5001, 5001]]}]
    wide, _ = render_preview(far)
    plain, _ = render_preview(_hall())
    assert wide.size == plain.size, "a stray far away does not shrink the plan to a dot"


def test_labels_in_other_scripts_are_drawn_when_a_font_has_them():
    image, stats = render_preview(_hall("회의실"))
    if Fonts(14).for_text("회의실") is None:
        assert (stats.labels, stats.labels_without_font) == (0, 1)
    else:
        assert (stats.labels, stats.labels_without_font) == (1, 0)
    assert stats.width == LONG_SIDE


def test_levels_lie_side_by_side_with_their_strays():
    scene = _hall()
    scene.report["dropped"] = [{"layer": "TITLE", "count": 12, "box": [[14, 0], [20, 6]]}]  # beside level 0
    upper = _hall("Upper")
    for node in upper.nodes:
        node.level = 1
        scene.add(node)
    image, _ = render_preview(scene)
    pixels = np.asarray(image)[: -BAND - MARGIN]
    cols = np.nonzero((pixels == COLOURS["wall"]).all(axis=2).any(axis=0))[0]
    runs = np.split(cols, np.nonzero(np.diff(cols) > 1)[0] + 1)
    assert len(runs) == 2, "two buildings side by side, a gap between them"
    assert image.size[0] == LONG_SIDE
    red = np.nonzero((pixels == DROPPED).all(axis=2).any(axis=0))[0]
    assert runs[0].max() < red.min() and red.max() < runs[1].min(), "level 0's stray lies between the levels"


def test_a_preview_that_cannot_be_drawn_is_a_warning(tmp_path):
    plan = tmp_path / "building.dxf"
    dxf_factory.building_plan(plan)
    (tmp_path / "taken").write_text("a file where the preview's folder would be")
    result = _convert(tmp_path, plan, preview=tmp_path / "taken" / "p.png")
    assert result.preview_path is None and "preview" not in result.stats
    assert any(w.startswith("the preview could not be drawn") for w in result.warnings)


def test_a_big_plan_draws_well_under_a_second():
    """3,000 rooms with walls, 100,000 chairs: drawn from footprints, small shapes as points."""
    cells = [box(x * 6, y * 5, x * 6 + 5.8, y * 5 + 4.8) for x in range(60) for y in range(50)]
    outline = box(-0.2, -0.2, 360, 250)
    walls = outline.difference(geometry.union_of(cells))
    rooms = geometry.surface_each(cells, 0.0)
    scene = Scene(nodes=[Node("walls", "wall", "A-WALL", geometry.extrude(walls, 0, 3))])
    for i, mesh in enumerate(rooms):
        scene.add(Node(f"r{i}", "room", "RM$", mesh, label=f"Room {i}"))
    chair = geometry.extrude(box(0, 0, 0.5, 0.5), 0, 0.8)
    xy = np.stack(np.meshgrid(np.arange(400) * 0.9, np.arange(250) * 1.0), axis=-1).reshape(-1, 2)
    scene.add(Node("chairs", "furniture", "A-FURN", chair, instances=Node.plan_transforms(xy[:, 0], xy[:, 1])))
    _, stats = render_preview(scene)
    assert stats.seconds < 1.0, stats
