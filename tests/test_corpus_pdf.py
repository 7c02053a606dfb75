"""Every real-world PDF in the shared corpus converts to a valid GLB or fails with
a permanent error code (never another exception), in process and in the sandbox."""

from __future__ import annotations

import pytest
from floorcast_pdf.plugin import floorcast_register_formats

from core.errors import PERMANENT_CODES, ConversionError
from core.jobs.sandbox import Limits, run_in_child
from tests.corpus import CORPUS, convert_with_preview, preview_of
from tests.gltf_validator import validate

FILES = sorted(CORPUS.glob("*.pdf")) if CORPUS.is_dir() else []
needs_corpus = pytest.mark.skipif(not FILES, reason=f"no PDF corpus at {CORPUS}")


@needs_corpus
@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_corpus_file(path, tmp_path):
    out = tmp_path / "out.glb"
    try:
        result = convert_with_preview(floorcast_register_formats(), path, out)
    except ConversionError as exc:
        assert exc.code in PERMANENT_CODES, exc.as_dict()
        assert exc.message
        return
    validate(out)
    assert result.stats["triangles"] > 0
    assert result.preview_path == str(preview_of(path)), result.warnings
    assert result.scale["source"] in {"sheet", "scale bar", "dimension", "guess", "default"}
    if result.scale["source"] in {"guess", "default"}:
        assert any("scale" in w for w in result.warnings), "an assumed scale is said"


@needs_corpus
def test_corpus_in_the_sandbox(tmp_path):
    limits = Limits(memory_mb=2048, cpu_seconds=120, wall_seconds=120, max_output_mb=256)
    for path in FILES:
        request = {"source": str(path), "output": str(tmp_path / "out.glb"), "options": {}, "format": "pdf"}
        try:
            run_in_child(request, limits, lambda *a: None)
        except ConversionError as exc:
            assert exc.code in PERMANENT_CODES, (path.name, exc.as_dict())
