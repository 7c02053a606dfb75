"""What a DXF holds that matters for a plan, as columns of numbers.

Both readers fill this: the streaming scanner (:mod:`floorcast_dxf.scan`) for ASCII
files and the ezdxf adapter (:mod:`floorcast_dxf.ezread`) for binary, damaged and
odd files. Everything stays in drawing units and in each entity's own container:
``owner`` is -1 for model space or the id of the block definition holding it.
Layers and blocks are referred to by id (``RawDrawing.layer_names`` /
``RawDrawing.blocks``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

#: the columns of each table, in order; float64 unless listed in INT_COLUMNS
TABLES: dict[str, tuple[str, ...]] = {
    # straight lines
    "lines": ("x1", "y1", "x2", "y2", "layer", "owner"),
    # LWPOLYLINE and 2D/3D POLYLINE: vertices in ``verts`` from ``start``, ``count`` of them
    "polylines": ("start", "count", "closed", "width", "layer", "owner", "ex", "ey", "ez"),
    "verts": ("x", "y", "bulge", "sw", "ew"),
    # ARC and CIRCLE (a0 = 0, a1 = 360, closed = 1), angles in degrees, OCS
    "arcs": ("cx", "cy", "r", "a0", "a1", "closed", "layer", "owner", "ex", "ey", "ez"),
    # ELLIPSE in WCS: centre, major axis end (relative), ratio, start/end parameter
    "ellipses": ("cx", "cy", "mx", "my", "ratio", "p0", "p1", "layer", "owner", "ez"),
    # SOLID, TRACE (OCS) and 3DFACE (ez = 1): four corners in drawing order
    "solids": ("x0", "y0", "x1", "y1", "x2", "y2", "x3", "y3", "layer", "owner", "ex", "ey", "ez"),
    # INSERT and MINSERT
    "inserts": (
        "block",
        "x",
        "y",
        "sx",
        "sy",
        "rotation",
        "cols",
        "rows",
        "col_spacing",
        "row_spacing",
        "layer",
        "owner",
        "ex",
        "ey",
        "ez",
    ),
}
INT_COLUMNS = {"start", "count", "closed", "layer", "owner", "block", "cols", "rows"}


def empty_table(name: str) -> dict[str, np.ndarray]:
    return {c: np.zeros(0, dtype=np.int64 if c in INT_COLUMNS else np.float64) for c in TABLES[name]}


def concat_tables(name: str, pieces: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """One table from the pieces of it (consumed: each column of the pieces is let
    go once joined, so joining needs about one column more than the table)."""
    if not pieces:
        return empty_table(name)
    out = {}
    for c in TABLES[name]:
        kind = np.int64 if c in INT_COLUMNS else np.float64
        out[c] = np.concatenate([np.asarray(p.pop(c), dtype=kind) for p in pieces])
    return out


@dataclass
class Layer:
    """A layer table entry: frozen (flag 1) or off (negative colour) hide it."""

    name: str
    frozen: bool = False
    off: bool = False

    @property
    def hidden(self) -> bool:
        return self.frozen or self.off


@dataclass
class Block:
    """A block definition; ``xref`` is the referenced file for external references."""

    name: str
    base: tuple[float, float] = (0.0, 0.0)
    defined: bool = False
    xref: str | None = None
    layout: bool = False  # *Model_Space / *Paper_Space*: never drawn through an INSERT


@dataclass
class Text:
    owner: int
    layer: int
    text: str
    x: float
    y: float
    insert: int = -1  # ATTRIB: index of its INSERT in ``inserts``


@dataclass
class Hatch:
    """A filled area: its boundary loops, each a list of edges in OCS:
    ("poly", (k, 3) x y bulge, closed), ("line", x1, y1, x2, y2),
    ("arc", cx, cy, r, a0, a1) counter-clockwise in degrees,
    ("ellipse", cx, cy, mx, my, ratio, p0, p1) parameters in radians,
    ("spline", degree, control (k, 2), knots, weights, fit (k, 2))."""

    owner: int
    layer: int
    loops: list[list[tuple]]
    extrusion: tuple[float, float, float] = (0.0, 0.0, 1.0)


@dataclass
class Spline:
    owner: int
    layer: int
    degree: int
    closed: bool
    control: np.ndarray  # (k, 2)
    knots: np.ndarray
    weights: np.ndarray
    fit: np.ndarray  # (k, 2)


@dataclass
class RawDrawing:
    version: str = ""
    insunits: int | None = None
    encoding: str = "utf-8"
    layers: dict[str, Layer] = field(default_factory=dict)  # the LAYER table
    layer_names: list[str] = field(default_factory=list)  # id -> name (table and entities)
    blocks: list[Block] = field(default_factory=list)  # id -> block
    tables: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    texts: list[Text] = field(default_factory=list)
    hatches: list[Hatch] = field(default_factory=list)
    splines: list[Spline] = field(default_factory=list)
    #: entities by type: model space (INSERTs counted, not what they draw)
    entity_counts: Counter = field(default_factory=Counter)
    #: entities by type inside block definitions
    block_entity_counts: Counter = field(default_factory=Counter)
    #: what was left out and why ("paper space", "invisible", "DIMENSION", ...)
    skipped: Counter = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    reader: str = "scan"

    def table(self, name: str) -> dict[str, np.ndarray]:
        return self.tables.get(name) or empty_table(name)

    def layer_id(self, name: str) -> int:
        """The id of a layer name, adding it when new."""
        try:
            return self.layer_names.index(name)
        except ValueError:
            self.layer_names.append(name)
            return len(self.layer_names) - 1

    def block_id(self, name: str) -> int:
        for i, block in enumerate(self.blocks):
            if block.name == name:
                return i
        self.blocks.append(Block(name))
        return len(self.blocks) - 1

    def hidden_layers(self) -> set[int]:
        """Ids of layers that are frozen or off."""
        return {i for i, name in enumerate(self.layer_names) if name in self.layers and self.layers[name].hidden}

    def xrefs(self) -> list[dict]:
        return [{"block": b.name, "path": b.xref} for b in self.blocks if b.xref is not None]
