"""One conversion: sniff -> parse/geometry (the format's converter) -> write GLB.

Used by the job child process and by ``floorcast convert``. Bad input always ends
as a :class:`ConversionError` with a code and a stage; nothing else escapes for
problems in the file.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from core.convert.formats import SNIFF_BYTES, Progress, choose_format
from core.convert.scene import Scene
from core.errors import ConversionError
from core.gltf.glb import write_glb
from core.gltf.tiles import write_tiles

if TYPE_CHECKING:  # pragma: no cover
    from core.plugins.specs import FormatSpec

CHUNK = 1024 * 1024
MB = 1024 * 1024


def tiles_dir(out: Path) -> Path:
    """Where the tiles of ``out`` go when it is too big: ``<out stem>.tiles/``."""
    return out.with_name(out.stem + ".tiles")


def _flag(value) -> bool:
    return str(value).lower() not in ("false", "0", "no", "off")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class _StageTracker:
    """Wraps the caller's progress callback to remember the last stage reported,
    so a crash inside the converter is blamed on the stage it happened in."""

    def __init__(self, progress: Progress):
        self.progress = progress
        self.stage = "parse"

    def __call__(self, stage: str, fraction: float, message: str | None = None) -> None:
        self.stage = stage
        self.progress(stage, max(0.0, min(1.0, float(fraction))), message)


def _run_converter(spec: FormatSpec, source: Path, options: dict, tracker: _StageTracker) -> Scene:
    try:
        scene = spec.convert(source, dict(options), tracker)
    except ConversionError:
        raise
    except MemoryError:
        raise ConversionError("out_of_memory", "the converter ran out of memory", stage=tracker.stage) from None
    except (ValueError, KeyError, IndexError, TypeError, UnicodeError, EOFError, OSError) as exc:
        # what a parser raises on malformed input it did not anticipate
        raise ConversionError(
            "corrupt_file",
            f"{spec.name} converter could not read the file: {type(exc).__name__}: {exc}",
            stage=tracker.stage,
        ) from exc
    except Exception as exc:
        raise ConversionError(
            "converter_crashed",
            f"{spec.name} converter failed: {type(exc).__name__}: {exc}",
            stage=tracker.stage,
        ) from exc
    if not isinstance(scene, Scene):
        raise ConversionError(
            "converter_crashed",
            f"{spec.name} converter returned {type(scene).__name__}, not a Scene",
            stage="geometry",
        )
    return scene


def convert_file(
    formats: list[FormatSpec],
    source: Path,
    out: Path,
    *,
    options: dict,
    progress: Progress,
    filename: str = "",
    forced_format: str | None = None,
    source_sha256: str | None = None,
) -> dict:
    """Convert ``source`` to a GLB at ``out`` (written atomically).

    Returns ``{"format", "converter_version", "glb_sha256", "glb_size", "stats",
    "warnings", "report", "units", "scale_to_m", "units_source", "scale",
    "source_sha256", "tiles"}``. Options ``glb_quantize`` and ``glb_tile_mb`` (the
    ``[model]`` settings) steer the writer: a GLB over ``glb_tile_mb`` MB is also
    written as tiles plus ``manifest.json`` in :func:`tiles_dir` (see
    :mod:`core.gltf.tiles`), and ``tiles`` is then ``{"dir", "manifest"}``, else None.
    Raises :class:`ConversionError` for anything wrong with the file.
    """
    source, out = Path(source), Path(out)
    progress("sniff", 0.0, None)
    with open(source, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    spec = choose_format(formats, head, filename or source.name, forced_format)
    progress("sniff", 1.0, f"format {spec.name}")
    source_sha256 = source_sha256 or file_sha256(source)

    tracker = _StageTracker(progress)
    tracker("parse", 0.0, None)
    scene = _run_converter(spec, source, options, tracker)
    if not scene.geometry_nodes():
        raise ConversionError(
            "no_geometry",
            "the drawing holds nothing Floorcast can build a model from"
            + (f" ({'; '.join(scene.warnings)})" if scene.warnings else ""),
            stage="geometry",
            detail={"report": scene.report} if scene.report else None,
        )
    progress("geometry", 1.0, None)

    progress("write", 0.0, None)
    quantize = _flag(options.get("glb_quantize", True))
    tile_bytes = int(float(options.get("glb_tile_mb") or 0) * MB)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".floorcast-", suffix=".glb.tmp", dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        try:
            common = {"source_sha256": source_sha256, "format_name": spec.name, "converter_version": spec.version}
            stats = write_glb(scene, tmp, quantize=quantize, **common)
            tiles = None
            if tile_bytes and stats["bytes"] > tile_bytes:
                progress("write", 0.5, "tiles")
                folder = tiles_dir(out)
                manifest = write_tiles(
                    scene, folder, max_bytes=tile_bytes, quantize=quantize, whole_bytes=stats["bytes"], **common
                )
                tiles = {"dir": str(folder), "manifest": manifest}
                stats["tiles"] = len(manifest["tiles"])
        except (ValueError, TypeError) as exc:  # e.g. NaN in a plugin's properties
            raise ConversionError(
                "converter_crashed",
                f"{spec.name} converter returned a scene that cannot be written: {type(exc).__name__}: {exc}",
                stage="write",
            ) from exc
        glb_sha256 = file_sha256(tmp)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    progress("write", 1.0, None)
    return {
        "format": spec.name,
        "converter_version": spec.version,
        "source_sha256": source_sha256,
        "glb_sha256": glb_sha256,
        "glb_size": stats["bytes"],
        "stats": stats,
        "warnings": list(scene.warnings),
        "report": scene.report,
        "units": scene.units,
        "scale_to_m": scene.scale_to_m,
        "units_source": scene.units_source,
        "scale": scene.scale,
        "tiles": tiles,
    }
