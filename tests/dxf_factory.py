"""DXF floor plans generated in code, each with the truth they were drawn from.

The main plan is a 20 x 12 m building whose walls use every drawing style the DXF
plugin must understand:

- exterior walls as two nested closed polylines (0.3 m apart) on ``A-WALL``;
- a centre-line wall (LINEs, default thickness 0.2 m) at x = 8 with a door gap
  between y = 4 and 5 (door swing on ``A-DOOR``);
- a double-line wall (parallel LINEs 0.15 m apart, no end caps) on the Korean
  layer ``벽체`` at y = 6 with a door gap between x = 12 and 13;
- a wall drawn as a closed thin outline on ``A-WALL`` at y = 8;
- four rooms as closed polylines on ``RM$`` with TEXT/MTEXT labels inside.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import ezdxf
import numpy as np
import shapely
from shapely.geometry import Polygon, box

from tests.glb_reader import GlbNode, read_glb  # noqa: F401  (re-exported for the tests)

INSUNITS = {"mm": 4, "cm": 5, "m": 6, "in": 1, "ft": 2}
SCALE = {"mm": 1000.0, "cm": 100.0, "m": 1.0, "in": 1 / 0.0254, "ft": 1 / 0.3048}


@dataclass
class Truth:
    """What a plan holds, in metres."""

    walls: Polygon
    rooms: dict[str, Polygon] = field(default_factory=dict)
    extent: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)


def _new(units: str, insunits: bool):
    doc = ezdxf.new("R2010", setup=True)
    doc.header["$INSUNITS"] = INSUNITS[units] if insunits else 0
    for name in ("A-WALL", "벽체", "A-DOOR", "RM$", "A-IDEN-NUMR"):
        doc.layers.add(name)
    return doc


def building_plan(path: Path, *, units: str = "mm", insunits: bool = True, fmt: str = "asc") -> Truth:
    """Write the 20 x 12 m building described above; return its truth."""
    k = SCALE[units]
    doc = _new(units, insunits)
    msp = doc.modelspace()

    def pts(*xy):
        return [(x * k, y * k) for x, y in xy]

    wall, wall_kr = {"layer": "A-WALL"}, {"layer": "벽체"}
    # exterior: outer and inner outline (even-odd fill = a 0.3 m band)
    msp.add_lwpolyline(pts((0, 0), (20, 0), (20, 12), (0, 12)), close=True, dxfattribs=wall)
    msp.add_lwpolyline(pts((0.3, 0.3), (19.7, 0.3), (19.7, 11.7), (0.3, 11.7)), close=True, dxfattribs=wall)
    # centre-line wall with a door gap y 4..5
    for a, b in (((8, 0.3), (8, 4)), ((8, 5), (8, 11.7))):
        msp.add_line(*pts(a, b), dxfattribs=wall)
    # door leaf and swing in the gap
    msp.add_line(*pts((8, 4), (9, 4)), dxfattribs={"layer": "A-DOOR"})
    msp.add_arc((8 * k, 4 * k), 1 * k, 0, 90, dxfattribs={"layer": "A-DOOR"})
    # double-line wall 0.15 thick at y = 6, door gap x 12..13, no jamb lines
    for x0, x1 in ((8.1, 12), (13, 19.7)):
        for y in (5.925, 6.075):
            msp.add_line(*pts((x0, y), (x1, y)), dxfattribs=wall_kr)
    # wall as a closed thin outline at y = 8
    msp.add_lwpolyline(pts((0.3, 7.9), (7.9, 7.9), (7.9, 8.1), (0.3, 8.1)), close=True, dxfattribs=wall)

    rooms = {
        "Lobby": box(0.3, 0.3, 7.9, 7.9),
        "Office 101": box(8.1, 0.3, 19.7, 5.925),
        "Hall": box(8.1, 6.075, 19.7, 11.7),
        "Storage": box(0.3, 8.1, 7.9, 11.7),
    }
    for name, poly in rooms.items():
        msp.add_lwpolyline(pts(*poly.exterior.coords[:-1]), close=True, dxfattribs={"layer": "RM$"})
        c = poly.centroid
        if name == "Hall":
            msp.add_mtext(
                name, dxfattribs={"layer": "A-IDEN-NUMR", "insert": (c.x * k, c.y * k), "char_height": 0.3 * k}
            )
        else:
            msp.add_text(name, height=0.3 * k, dxfattribs={"layer": "A-IDEN-NUMR"}).set_placement((c.x * k, c.y * k))

    walls = shapely.union_all(
        [
            box(0, 0, 20, 12).difference(box(0.3, 0.3, 19.7, 11.7)),
            box(7.9, 0.3, 8.1, 4),
            box(7.9, 5, 8.1, 11.7),
            box(8.1, 5.925, 12, 6.075),
            box(13, 5.925, 19.7, 6.075),
            box(0.3, 7.9, 7.9, 8.1),
        ]
    )
    doc.saveas(path, fmt=fmt)
    return Truth(walls=walls, rooms=rooms, extent=(0, 0, 20, 12))


def curved_wall(path: Path) -> float:
    """A semicircular wall (one LWPOLYLINE with bulge 1, radius 5 m, in metres);
    returns the footprint area it should have (arc length x 0.2 m)."""
    doc = _new("m", True)
    doc.modelspace().add_lwpolyline([(0, 0, 0, 0, 1), (10, 0)], format="xyseb", dxfattribs={"layer": "A-WALL"})
    doc.saveas(path)
    return 3.141592653589793 * 5 * 0.2


def empty_drawing(path: Path) -> None:
    """A valid DXF with nothing in modelspace."""
    _new("m", True).saveas(path)


def text_only(path: Path) -> None:
    """A valid DXF holding only a TEXT: nothing to build."""
    doc = _new("m", True)
    doc.modelspace().add_text("just a note", height=1)
    doc.saveas(path)


def truncated(path: Path, fraction: float = 0.6) -> None:
    """The main plan cut off part-way, as an interrupted upload leaves it."""
    building_plan(path)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * fraction)])


# -- reading GLBs back (tests.glb_reader decodes what the writer packs) --------


def footprint(node: GlbNode, origin) -> Polygon:
    """A GLB node's triangles seen from above, back in plan metres."""
    p = node.positions.astype(float)
    plan = np.column_stack([p[:, 0] + origin[0], -p[:, 2] + origin[1]])
    tris = plan[node.indices]
    u, v = tris[:, 1] - tris[:, 0], tris[:, 2] - tris[:, 0]
    area = np.abs(u[:, 0] * v[:, 1] - u[:, 1] * v[:, 0]) / 2
    return shapely.union_all(shapely.polygons(tris[area > 1e-9]))


def edge_use(indices) -> dict:
    """How many triangles use each undirected edge (2 everywhere = closed solid)."""
    e = np.sort(np.concatenate([indices[:, [0, 1]], indices[:, [1, 2]], indices[:, [2, 0]]]), axis=1)
    _, counts = np.unique(e, axis=0, return_counts=True)
    return dict(zip(*np.unique(counts, return_counts=True), strict=True))
