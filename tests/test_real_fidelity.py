"""Real drawings against their hand annotations (``tests/annotations/real``): each
converts to a valid GLB whose extent, walls, rooms and names hold the floors its
annotation records (what the converters achieved when the floors were set, less a
small margin), or fails with the permanent error it failed with then. The issue's
targets sit beside the floors in each annotation; ``benchmarks/real_fidelity.py``
prints the full table, also for a drawing marked ``benchmark_only`` (too slow to
convert in the test run)."""

from __future__ import annotations

from pathlib import Path

import pytest
from floorcast_dxf.plugin import floorcast_register_formats as dxf_formats
from floorcast_pdf.plugin import floorcast_register_formats as pdf_formats

from core.convert.pipeline import convert_file
from core.errors import PERMANENT_CODES, ConversionError
from tests import dxf_factory
from tests.corpus import CORPUS
from tests.fidelity import annotations, extent_factor, load, measure, short_of
from tests.gltf_validator import validate

FORMATS = dxf_formats() + pdf_formats()
ANNOTATED = annotations()


def convert(source: Path, out: Path, **options) -> None:
    convert_file(FORMATS, source, out, options=options, progress=lambda *a: None, filename=source.name)
    validate(out)


def test_the_measures_tell_a_faithful_model_from_a_wrong_one(tmp_path):
    """The measures themselves, on a generated plan whose truth is known: the
    model at the right scale holds every target, the one read in the wrong units
    none."""
    src = tmp_path / "plan.dxf"
    truth = dxf_factory.building_plan(src)
    annotation = {
        "units": {"metres_per_unit": 0.001},
        "walls": {"rules": [{"layer": "A-WALL"}, {"layer": "벽체"}]},
        "building": {"box_m": list(truth.extent)},
        "rooms": [{"at": list(room.representative_point().coords[0]), "name": n} for n, room in truth.rooms.items()],
    }
    targets = {"extent_factor_max": 1.25, "wall_recall": 0.9, "wall_precision": 0.9, "rooms_found": 4}
    convert(src, tmp_path / "right.glb")
    right = measure(annotation, src, tmp_path / "right.glb")
    assert not short_of(right, {**targets, "rooms_named": 4, "names_found": 4}), right
    convert(src, tmp_path / "wrong.glb", units="m")
    wrong = measure(annotation, src, tmp_path / "wrong.glb")
    assert len(short_of(wrong, targets)) == 4, wrong
    assert extent_factor(wrong.extent_ratio) > 900


@pytest.mark.parametrize("path", ANNOTATED, ids=[p.name.removesuffix(".json") for p in ANNOTATED])
def test_annotation_is_complete(path):
    annotation = load(path)
    assert path.name == annotation["file"] + ".json"
    assert {"repo", "path", "commit", "licence"} <= set(annotation["source"])
    assert annotation["units"]["metres_per_unit"] > 0 and annotation["units"]["how"]
    assert annotation["walls"]["rules"] and annotation["walls"]["how"]
    x0, y0, x1, y1 = annotation["building"]["box_m"]
    assert x0 < x1 and y0 < y1
    assert annotation["rooms"] and annotation["rooms_how"] and annotation["how"]
    assert {"extent_ratio", "wall_recall", "wall_precision", "rooms_found_share"} <= set(annotation["targets"])
    assert "floors" in annotation and "measured" in annotation


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no real drawings at {CORPUS}")
@pytest.mark.parametrize("path", ANNOTATED, ids=[p.name.removesuffix(".json") for p in ANNOTATED])
def test_real_drawing_holds_its_floors(path, tmp_path):
    annotation = load(path)
    if annotation.get("benchmark_only"):
        pytest.skip(annotation["benchmark_only"])
    source, out = CORPUS / annotation["file"], tmp_path / "model.glb"
    floors = annotation["floors"]
    try:
        convert(source, out)
    except ConversionError as exc:
        assert exc.code in PERMANENT_CODES, exc.as_dict()
        assert floors.get("fails_with") == exc.code, f"converted before, now fails: {exc.as_dict()}"
        return
    fidelity = measure(annotation, source, out)
    assert not short_of(fidelity, floors), (short_of(fidelity, floors), fidelity)
