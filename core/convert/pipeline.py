"""One conversion: sniff -> parse/geometry (the format's converter) -> write GLB.

:func:`convert_file` sniffs and converts (``floorcast convert``, tests);
:func:`convert_as` converts with a format chosen already (the job child: the
job runner chose it). Both return a :class:`ConversionResult`. Bad input always
ends as a :class:`ConversionError` with a code and a stage; nothing else escapes
for problems in the file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from core.convert.digest import file_sha256
from core.convert.formats import SNIFF_BYTES, Progress, choose_format
from core.convert.preview import draw_preview
from core.convert.result import ConversionResult, TileSet
from core.convert.scene import Scene
from core.errors import ConversionError
from core.gltf.glb import write_glb
from core.gltf.tiles import MANIFEST, write_tiles

if TYPE_CHECKING:  # pragma: no cover
    from core.plugins.specs import FormatSpec

MB = 1024 * 1024


def tiles_dir(out: Path) -> Path:
    """Where the tiles of ``out`` go when it is too big and the caller names no
    folder: ``<out stem>.tiles/``."""
    return out.with_name(out.stem + ".tiles")


def _flag(value) -> bool:
    return str(value).lower() not in ("false", "0", "no", "off")


class _StageTracker:
    """Wraps the caller's progress callback to remember the last stage and message
    reported, so a fault inside the converter is blamed on the step it happened in."""

    def __init__(self, progress: Progress):
        self.progress = progress
        self.stage = "parse"
        self.step: str | None = None  # the stage's last message: what it was doing

    def __call__(self, stage: str, fraction: float, message: str | None = None) -> None:
        if stage != self.stage:
            self.step = None
        self.stage, self.step = stage, message or self.step
        self.progress(stage, max(0.0, min(1.0, float(fraction))), message)


def _call_converter(spec: FormatSpec, source: Path, options: dict, tracker: _StageTracker) -> Scene:
    """The format plugin's converter, in this process; its failures as ConversionErrors."""
    try:
        scene = spec.convert(source, dict(options), tracker)
    except ConversionError:
        raise
    except MemoryError:
        raise ConversionError("out_of_memory", "the converter ran out of memory", stage=tracker.stage) from None
    except Exception as exc:
        # a file the plugin cannot read is its corrupt_file; anything else it raises
        # is a fault in the converter, not in the file. Notes it added to the
        # exception (PEP 678) say what it was working on: an entity, a layer.
        where = "; ".join([*([tracker.step] if tracker.step else []), *getattr(exc, "__notes__", ())])
        raise ConversionError(
            "internal_error",
            f"the {spec.name} converter failed in the {tracker.stage} stage"
            + (f" ({where})" if where else "")
            + f": {type(exc).__name__}: {exc}",
            stage=tracker.stage,
        ) from exc
    if not isinstance(scene, Scene):
        raise ConversionError(
            "internal_error",
            f"the {spec.name} converter returned {type(scene).__name__}, not a Scene",
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
    tile_folder: Path | None = None,
    preview: Path | None = None,
) -> ConversionResult:
    """Sniff ``source``'s format among ``formats`` (or take ``forced_format``),
    then :func:`convert_as`. Raises :class:`ConversionError`."""
    source = Path(source)
    progress("sniff", 0.0, None)
    with open(source, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    spec = choose_format(formats, head, filename or source.name, forced_format)
    progress("sniff", 1.0, f"format {spec.name}")
    return convert_as(
        spec,
        source,
        out,
        options=options,
        progress=progress,
        source_sha256=source_sha256,
        tile_folder=tile_folder,
        preview=preview,
    )


def convert_as(
    spec: FormatSpec,
    source: Path,
    out: Path,
    *,
    options: dict,
    progress: Progress,
    source_sha256: str | None = None,
    tile_folder: Path | None = None,
    preview: Path | None = None,
) -> ConversionResult:
    """Convert ``source`` with the format ``spec`` to a GLB at ``out`` (written atomically).

    Options ``glb_quantize`` and ``glb_tile_mb`` (the ``[model]`` settings) steer
    the writer: a GLB over ``glb_tile_mb`` MB is also written as tiles plus
    ``manifest.json`` in ``tile_folder`` (default :func:`tiles_dir` of ``out``;
    see :mod:`core.gltf.tiles`), and the result's ``tiles`` names them, else it is
    None. With ``preview`` a PNG top view of the plan is written there too
    (:mod:`core.convert.preview`; one that cannot be drawn is a warning and the
    result's ``preview_path`` None). Raises :class:`ConversionError` for anything
    wrong with the file.
    """
    source, out = Path(source), Path(out)
    source_sha256 = source_sha256 or file_sha256(source)

    tracker = _StageTracker(progress)
    tracker("parse", 0.0, None)
    scene = _call_converter(spec, source, options, tracker)
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
                folder = Path(tile_folder) if tile_folder is not None else tiles_dir(out)
                manifest = write_tiles(
                    scene, folder, max_bytes=tile_bytes, quantize=quantize, whole_bytes=stats["bytes"], **common
                )
                tiles = TileSet(dir=str(folder), manifest_path=str(folder / MANIFEST), manifest=manifest)
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
    warnings = list(scene.warnings)
    preview_path = None
    if preview is not None:
        progress("write", 0.9, "preview")
        preview_path, preview_stats, said = draw_preview(scene, Path(preview))
        warnings += said
        if preview_stats is not None:
            stats["preview"] = preview_stats
    progress("write", 1.0, None)
    return ConversionResult(
        format=spec.name,
        converter_version=spec.version,
        source_sha256=source_sha256,
        glb_path=str(out),
        glb_sha256=glb_sha256,
        glb_size=stats["bytes"],
        stats=stats,
        warnings=warnings,
        report=scene.report,
        units=scene.units,
        scale_to_m=scene.scale_to_m,
        units_source=scene.units_source,
        scale=scene.scale,
        tiles=tiles,
        preview_path=None if preview_path is None else str(preview_path),
    )
