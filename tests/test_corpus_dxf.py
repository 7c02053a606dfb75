"""Every real-world DXF in the shared corpus converts to a valid GLB or fails with a
permanent error code (never another exception); MANIFEST.tsv notes say which must fail."""

from __future__ import annotations

import csv
import time

import pytest
from floorcast_dxf.plugin import floorcast_register_formats

from core.convert.pipeline import convert_file
from core.errors import PERMANENT_CODES, ConversionError
from tests.corpus import CORPUS, convert_with_preview, preview_of
from tests.gltf_validator import validate

FILES = sorted(CORPUS.glob("*.dxf")) if CORPUS.is_dir() else []


def expected_code(name: str) -> str | None:
    """The error code MANIFEST.tsv says a file must fail with, if any."""
    manifest = CORPUS / "MANIFEST.tsv"
    if not manifest.exists():
        return None
    with open(manifest, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if row.get("file") == name:
                notes = row.get("notes", "")
                if "EXPECT a clean corrupt_file" in notes:
                    return "corrupt_file"
                if "EXPECT a clean 'no geometry'" in notes:
                    return "no_geometry"
    return None


@pytest.mark.skipif(not FILES, reason=f"no DXF corpus at {CORPUS}")
@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_corpus_file(path, tmp_path):
    out = tmp_path / "out.glb"
    expected = expected_code(path.name)
    try:
        result = convert_with_preview(floorcast_register_formats(), path, out)
    except ConversionError as exc:
        assert exc.code in PERMANENT_CODES, exc.as_dict()
        assert expected in (None, exc.code), exc.as_dict()
        return
    assert expected is None, f"expected {expected}, got a GLB"
    validate(out)
    assert result.stats["triangles"] > 0
    assert result.preview_path == str(preview_of(path)), result.warnings


PAPER_SHEETS = [p for p in FILES if "kanseikei" in p.name]


@pytest.mark.skipif(not PAPER_SHEETS, reason=f"no paper-scale sheets in {CORPUS}")
@pytest.mark.parametrize("path", PAPER_SHEETS, ids=[p.name for p in PAPER_SHEETS])
def test_paper_scale_sheet_with_all_its_linework_as_walls(path, tmp_path):
    """A 1/100 sheet in millimetres read as drawn (scale 1:1) is 0.6 m wide: every
    line is within a wall's thickness of every other. With all its linework made
    walls (its layers say nothing) it converts in seconds; pairing every line with
    every other in reach took 3.4 and 6.7 minutes and 2.1 and 2.6 GiB."""
    out = tmp_path / "out.glb"
    started = time.perf_counter()
    result = convert_file(
        floorcast_register_formats(),
        path,
        out,
        options={"layers": {"LAYER*": "wall"}, "scale": "1:1"},
        progress=lambda *a: None,
        filename=path.name,
    )
    assert time.perf_counter() - started < 60
    validate(out)
    walls = result.report["walls"]["LAYER6"]
    assert walls["double_line_pairs"] > 500 and walls["centre_lines"] > 1000
