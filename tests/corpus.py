"""The shared corpus of real drawings, as the corpus tests read it: where it is,
and one conversion of a drawing that also leaves its preview for review."""

from __future__ import annotations

from pathlib import Path

from core.convert.pipeline import convert_file
from core.convert.result import ConversionResult
from core.errors import ConversionError

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "real"
#: each converted drawing's preview, to look at after a run (README, Development)
PREVIEWS = Path(__file__).resolve().parents[1] / "build" / "previews"


def preview_of(path: Path) -> Path:
    return PREVIEWS / f"{path.stem}.png"


def convert_with_preview(formats, path: Path, out: Path) -> ConversionResult:
    """``path`` converted to ``out`` with no options, its preview in :data:`PREVIEWS`;
    a drawing that fails leaves no picture of an earlier run's result."""
    try:
        return convert_file(
            formats, path, out, options={}, progress=lambda *a: None, filename=path.name, preview=preview_of(path)
        )
    except ConversionError:
        preview_of(path).unlink(missing_ok=True)
        raise
