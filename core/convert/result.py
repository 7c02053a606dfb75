"""What one conversion made: the record :func:`core.convert.pipeline.convert_file`
returns, and the one the sandboxed child sends its parent (as JSON,
:meth:`ConversionResult.to_dict` and back).

The record names every file it made by path, so a reader of it (the job runner,
``floorcast convert``) needs to know nothing of where the pipeline puts things.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from pathlib import Path


@dataclass(frozen=True)
class TileSet:
    """A big model's tiles as written (:mod:`core.gltf.tiles`): final, read only."""

    #: the folder holding the tile GLBs and the manifest
    dir: str
    #: the manifest file, as the tiles' readers get it
    manifest_path: str
    #: the manifest's content
    manifest: dict

    def files(self) -> list[tuple[dict, Path]]:
        """(manifest entry, file path) of each tile, in the manifest's order."""
        return [(tile, Path(self.dir) / tile["file"]) for tile in self.manifest["tiles"]]


@dataclass(frozen=True)
class ConversionResult:
    """One conversion's outcome: the GLB written, what the converter said of the plan."""

    format: str
    converter_version: str
    source_sha256: str
    #: the GLB file and its content hash and size
    glb_path: str
    glb_sha256: str
    glb_size: int
    #: the writer's counts, extent, triangles, bytes (and ``tiles``: how many)
    stats: dict
    warnings: list[str]
    #: the converter's preflight report (``Scene.report``)
    report: dict | None
    units: str
    scale_to_m: float
    units_source: str
    scale: dict | None
    #: the tiles, when the model was over the tile size; else None
    tiles: TileSet | None
    #: the PNG top view, when one was asked for and could be drawn; else None
    preview_path: str | None = None

    def to_dict(self) -> dict:
        """The record as plain JSON values (the child's ``result`` message)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ConversionResult:
        """The record back from :meth:`to_dict` (after a trip through JSON).
        Raises ValueError when ``data`` is not one (a garbled message)."""
        names = {f.name for f in fields(cls)}
        if not isinstance(data, dict) or set(data) != names:
            raise ValueError(f"a conversion result has the fields {sorted(names)}")
        tiles = data["tiles"]
        if tiles is not None:
            tile_names = {f.name for f in fields(TileSet)}
            if not isinstance(tiles, dict) or set(tiles) != tile_names:
                raise ValueError(f"a conversion result's tiles have the fields {sorted(tile_names)}")
            tiles = TileSet(**tiles)
        return cls(**{**data, "tiles": tiles})
