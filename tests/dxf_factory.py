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
from shapely import affinity
from shapely.geometry import Point, Polygon, box

from tests.glb_reader import GlbNode, read_glb  # noqa: F401  (re-exported for the tests)

INSUNITS = {"mm": 4, "cm": 5, "m": 6, "in": 1, "ft": 2}
SCALE = {"mm": 1000.0, "cm": 100.0, "m": 1.0, "in": 1 / 0.0254, "ft": 1 / 0.3048}


@dataclass
class Truth:
    """What a plan holds, in metres."""

    walls: Polygon
    rooms: dict[str, Polygon] = field(default_factory=dict)
    extent: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)


def _new(units: str, insunits: bool, version: str = "R2010"):
    doc = ezdxf.new(version, setup=version != "R12")
    if version != "R12":
        doc.header["$INSUNITS"] = INSUNITS[units] if insunits else 0
    for name in ("A-WALL", "벽체", "A-DOOR", "RM$", "A-IDEN-NUMR"):
        doc.layers.add(name)
    return doc


def building_plan(
    path: Path, *, units: str = "mm", insunits: bool = True, fmt: str = "asc", version: str = "R2010"
) -> Truth:
    """Write the 20 x 12 m building described above; return its truth. ``version``
    R12 draws the outlines as old-style POLYLINEs and the MTEXT as TEXT."""
    k = SCALE[units]
    doc = _new(units, insunits, version)
    msp = doc.modelspace()
    if version == "R12":
        msp.add_lwpolyline = lambda points, close=False, dxfattribs=None: msp.add_polyline2d(
            points, close=close, dxfattribs=dxfattribs
        )
        msp.add_mtext = lambda text, dxfattribs: msp.add_text(
            text, height=dxfattribs["char_height"], dxfattribs={"layer": dxfattribs["layer"]}
        ).set_placement(dxfattribs["insert"])

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


def of(nodes: list[GlbNode], *categories: str) -> list[GlbNode]:
    """The GLB nodes of these categories (``extras.floorcast.category``)."""
    return [n for n in nodes if n.extras["floorcast"]["category"] in categories]


def walls_of(asset: dict, nodes: list[GlbNode]):
    """The walls of a GLB seen from above, in plan metres (empty when it has none)."""
    walls = [footprint(n, asset["origin"]) for n in of(nodes, "wall")]
    return shapely.union_all(walls) if walls else Polygon()


def iou(a, b) -> float:
    """Intersection over union of two shapes (0 when both are empty)."""
    union = a.union(b).area
    return a.intersection(b).area / union if union else 0.0


def edge_use(indices) -> dict:
    """How many triangles use each undirected edge (2 everywhere = closed solid)."""
    e = np.sort(np.concatenate([indices[:, [0, 1]], indices[:, [1, 2]], indices[:, [2, 0]]]), axis=1)
    _, counts = np.unique(e, axis=0, return_counts=True)
    return dict(zip(*np.unique(counts, return_counts=True), strict=True))


# -- a furniture-heavy venue, written as text (fast enough for hundreds of MB) ------


def _skeleton() -> tuple[str, str, str]:
    """(text before the model-space entities, the model-space owner handle, text after)
    of an R2010 drawing with the venue's layers and blocks."""
    doc = ezdxf.new("R2010", setup=False)
    doc.header["$INSUNITS"] = 4
    for name in ("A-WALL", "A-DOOR", "A-GLAZ", "A-FURN", "RM$", "A-IDEN", "A-FLOR-PATT"):
        doc.layers.add(name)
    chair = doc.blocks.new("CHAIR", base_point=(250, 250))
    chair.add_lwpolyline([(0, 0), (500, 0), (500, 450), (0, 450)], close=True)
    chair.add_arc((250, 450), 250, 0, 180)
    desk = doc.blocks.new("DESK SET")
    desk.add_lwpolyline([(0, 0), (1600, 0), (1600, 800), (0, 800)], close=True)
    desk.add_line((100, 100), (700, 100))
    desk.add_circle((1400, 600), 120)
    desk.add_blockref("CHAIR", (800, -400))
    door = doc.blocks.new("DOOR-900")
    door.add_line((0, 0), (0, 900))
    door.add_arc((0, 0), 900, 0, 90)
    window = doc.blocks.new("WIN-1200")
    window.add_lwpolyline([(0, 0), (1200, 0), (1200, 150), (0, 150)], close=True)
    window.add_line((0, 75), (1200, 75))
    import io

    stream = io.StringIO()
    doc.write(stream)
    dxf = stream.getvalue()
    owner = doc.modelspace().block_record.dxf.handle
    seed = dxf.index("$HANDSEED\n  5\n") + len("$HANDSEED\n  5\n")
    dxf = dxf[:seed] + "FFFFFFF" + dxf[dxf.index("\n", seed) :]  # past every handle written below
    head, sep, tail = dxf.partition("ENTITIES\n  0\nENDSEC")
    assert sep, "unexpected ezdxf output"
    return head + "ENTITIES\n", owner, "  0\nENDSEC" + tail


class _Writer:
    def __init__(self, fh, owner: str):
        self.fh, self.owner, self.handle = fh, owner, 0x100000

    def _common(self, kind: str, layer: str, subclass: str) -> str:
        self.handle += 1
        return f"  0\n{kind}\n  5\n{self.handle:X}\n330\n{self.owner}\n100\nAcDbEntity\n  8\n{layer}\n100\n{subclass}\n"

    def line(self, layer, x1, y1, x2, y2):
        self.fh.write(
            self._common("LINE", layer, "AcDbLine")
            + f" 10\n{x1:.1f}\n 20\n{y1:.1f}\n 30\n0.0\n 11\n{x2:.1f}\n 21\n{y2:.1f}\n 31\n0.0\n"
        )

    def rect(self, layer, x0, y0, x1, y1):
        self.fh.write(
            self._common("LWPOLYLINE", layer, "AcDbPolyline")
            + " 90\n4\n 70\n1\n 43\n0.0\n"
            + "".join(f" 10\n{x:.1f}\n 20\n{y:.1f}\n" for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1)))
        )

    def insert(self, layer, block, x, y, sx=1.0, sy=1.0, rot=0.0, cols=1, rows=1, dx=0.0, dy=0.0):
        sub = "AcDbMInsertBlock" if cols * rows > 1 else "AcDbBlockReference"
        text = self._common("INSERT", layer, sub) + f"  2\n{block}\n 10\n{x:.1f}\n 20\n{y:.1f}\n 30\n0.0\n"
        text += f" 41\n{sx}\n 42\n{sy}\n 43\n1.0\n 50\n{rot}\n"
        if cols * rows > 1:
            text += f" 70\n{cols}\n 71\n{rows}\n 44\n{dx}\n 45\n{dy}\n"
        self.fh.write(text)

    def text(self, layer, x, y, value, height=300.0):
        self.fh.write(
            self._common("TEXT", layer, "AcDbText")
            + f" 10\n{x:.1f}\n 20\n{y:.1f}\n 30\n0.0\n 40\n{height}\n  1\n{value}\n100\nAcDbText\n"
        )


def venue_plan(path: Path, cols: int = 3, rows: int = 2, desks: int = 6, *, exploded: int = 0) -> Truth:
    """A venue in mm ($INSUNITS 4): ``cols`` x ``rows`` offices of 12 x 9 m with
    double-line walls (0.15 m, on A-WALL) leaving a door gap per office (a DOOR-900
    block on A-DOOR), windows in gaps of the outer wall (WIN-1200 blocks on A-GLAZ),
    room outlines on RM$ with a label on A-IDEN (and a note above it on
    A-ANNO-NOTE), and furniture: ``desks`` rows of
    four DESK SET blocks (each with a nested CHAIR; every other row mirrored), a
    MINSERT of chairs, and ``exploded`` desks drawn as plain lines on A-FURN.

    Grow ``cols``, ``rows`` and ``desks`` for big files (about 3 KB per desk row)."""
    room_w, room_h, t = 12000.0, 9000.0, 150.0
    head, owner, tail = _skeleton()
    walls, rooms = [], {}
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(head)
        w = _Writer(fh, owner)
        width, height = cols * room_w, rows * room_h
        # horizontal walls: outer ones with window gaps, inner ones with door gaps per room
        for r in range(rows + 1):
            y = r * room_h
            for c in range(cols):
                x0, x1 = c * room_w, (c + 1) * room_w
                gaps = [(x0 + 5000, x0 + 6200)] if r in (0, rows) else [(x0 + 1000, x0 + 1900)]
                pieces = [(x0, gaps[0][0]), (gaps[0][1], x1)]
                for a, b in pieces:
                    w.line("A-WALL", a, y - t / 2, b, y - t / 2)
                    w.line("A-WALL", a, y + t / 2, b, y + t / 2)
                    walls.append(box(a / 1000, (y - t / 2) / 1000, b / 1000, (y + t / 2) / 1000))
                ga, gb = gaps[0]
                if r in (0, rows):
                    w.insert("A-GLAZ", "WIN-1200", ga, y - t / 2)
                    walls.append(box(ga / 1000, (y - t / 2) / 1000, gb / 1000, (y + t / 2) / 1000))
                else:
                    w.insert("A-DOOR", "DOOR-900", ga, y + t / 2, rot=0.0)
        for c in range(cols + 1):
            x = c * room_w
            w.line("A-WALL", x - t / 2, 0, x - t / 2, height)
            w.line("A-WALL", x + t / 2, 0, x + t / 2, height)
            walls.append(box((x - t / 2) / 1000, 0, (x + t / 2) / 1000, height / 1000))
        n = 0
        for r in range(rows):
            for c in range(cols):
                x0, y0 = c * room_w + t / 2, r * room_h + t / 2
                x1, y1 = (c + 1) * room_w - t / 2, (r + 1) * room_h - t / 2
                w.rect("RM$", x0, y0, x1, y1)
                name = f"Office {r + 1}{c + 1:02d}"
                w.text("A-IDEN", (x0 + x1) / 2, y1 - 800, name)
                w.text("A-ANNO-NOTE", (x0 + x1) / 2, y1 - 400, "Seats 40 per fire code")  # not its name
                rooms[name] = box(x0 / 1000, y0 / 1000, x1 / 1000, y1 / 1000)
                for k in range(desks):
                    yy = y0 + 1500 + (k % 6) * 1150 + (k // 6) * 17
                    mirror = -1.0 if k % 2 else 1.0
                    for j in range(4):
                        xx = x0 + 1200 + j * 2300 + (1600 if mirror < 0 else 0)
                        w.insert("A-FURN", "DESK SET", xx, yy, sx=mirror)
                        n += 1
                w.insert("A-FURN", "CHAIR", x0 + 600, y0 + 600, cols=4, rows=1, dx=700.0)
                for k in range(exploded):
                    ex, ey = x0 + 1000 + (k % 8) * 1200, y0 + 1000 + (k // 8 % 6) * 1200
                    w.rect("A-FURN", ex, ey, ex + 900, ey + 500)
                    w.line("A-FURN", ex + 100, ey + 250, ex + 800, ey + 250)
        fh.write(tail)
    return Truth(
        walls=shapely.union_all(walls),
        rooms=rooms,
        extent=(-0.075, -0.075, width / 1000 + 0.075, height / 1000 + 0.075),
    )


# -- every wall drawing style in one plan ---------------------------------------------


def _bulge_arc(p0, p1, bulge, n=64) -> np.ndarray:
    p0, p1 = np.asarray(p0, float), np.asarray(p1, float)
    d = p1 - p0
    theta = 4 * np.arctan(bulge)
    c = (p0 + p1) / 2 + np.array([-d[1], d[0]]) * (1 - bulge**2) / (4 * bulge)
    r = np.hypot(*(p0 - c))
    a = np.arctan2(p0[1] - c[1], p0[0] - c[0]) + theta * np.linspace(0, 1, n)
    return np.column_stack([c[0] + r * np.cos(a), c[1] + r * np.sin(a)])


def styles_plan(path: Path) -> Truth:
    """A 24 x 14 m plan in mm whose walls use every style a CAD drawing may hold:

    - exterior: one closed LWPOLYLINE with a constant width of 0.2 m;
    - a partition at x = 8 from a PARTITION block (double lines 0.15 apart) placed
      rotated, and again mirrored and stretched (non-uniform scale), leaving a door
      gap y 5..6 with a DOOR block on ``A-DOOR``;
    - a wall at y = 7 drawn as a closed outline with a solid HATCH over it on ``벽``;
    - a curved centre-line wall as an old-style POLYLINE with a bulge;
    - a centre-line SPLINE wall;
    - a round room: two concentric CIRCLEs;
    - double LINEs at y = 10 with a WINDOW block on ``창호`` in their gap;
    - a SOLID pier; columns as a MINSERT array on ``S-COLS``;
    - a wall LINE on a frozen layer, one on a layer that is off, one in paper
      space: none of them may show; an XREF, reported;
    - labels: TEXT "Lobby", MTEXT "회의실" in the round room, TEXT "Office".
    """
    k = 1000.0
    doc = ezdxf.new("R2010", setup=False)
    doc.header["$INSUNITS"] = 4
    for name in ("A-WALL", "A-DOOR", "벽", "창호", "S-COLS", "A-ANNO-TEXT"):
        doc.layers.add(name)
    doc.layers.add("A-WALL-DEMO").freeze()
    doc.layers.add("A-WALL-OLD").off()
    msp = doc.modelspace()
    wall = {"layer": "A-WALL"}

    def mm(*xy):
        return [(x * k, y * k) for x, y in xy]

    truths = []
    ext = doc.modelspace().add_lwpolyline(mm((0, 0), (24, 0), (24, 14), (0, 14)), close=True, dxfattribs=wall)
    ext.dxf.const_width = 0.2 * k
    truths.append(box(-0.1, -0.1, 24.1, 14.1).difference(box(0.1, 0.1, 23.9, 13.9)))

    part = doc.blocks.new("PARTITION")
    part.add_line((0, -75), (4900, -75))
    part.add_line((0, 75), (4900, 75))
    msp.add_blockref("PARTITION", (8 * k, 0.1 * k), dxfattribs={"layer": "A-WALL", "rotation": 90})
    msp.add_blockref(
        "PARTITION", (8 * k, 13.9 * k), dxfattribs={"layer": "A-WALL", "rotation": 90, "xscale": -7900 / 4900}
    )
    truths += [box(7.925, 0.1, 8.075, 5.0), box(7.925, 6.0, 8.075, 13.9)]
    door = doc.blocks.new("DOOR")
    door.add_line((0, 0), (1000, 0))
    door.add_arc((0, 0), 1000, 0, 90)
    msp.add_blockref("DOOR", (8 * k, 6 * k), dxfattribs={"layer": "A-DOOR", "rotation": 90, "xscale": -1})

    outline = mm((8.075, 6.9), (16, 6.9), (16, 7.1), (8.075, 7.1))
    msp.add_lwpolyline(outline, close=True, dxfattribs={"layer": "벽"})
    hatch = msp.add_hatch(dxfattribs={"layer": "벽"})
    hatch.paths.add_polyline_path(outline, is_closed=True)
    truths.append(box(8.075, 6.9, 16, 7.1))

    curve = msp.add_polyline2d([(16 * k, 7.1 * k), (20 * k, 7.1 * k)], dxfattribs=wall)
    curve.vertices[0].dxf.bulge = 0.3
    truths.append(shapely.LineString(_bulge_arc((16, 7.1), (20, 7.1), 0.3)).buffer(0.1, cap_style="flat"))

    spline = msp.add_spline(mm((20.5, 1), (21.5, 2.5), (22.5, 1)), dxfattribs=wall)
    spts = np.array([(v.x / k, v.y / k) for v in spline.construction_tool().flattening(1.0)])
    truths.append(shapely.LineString(spts).buffer(0.1, cap_style="flat"))

    for r in (1.5, 1.65):
        msp.add_circle((4 * k, 10 * k), r * k, dxfattribs=wall)
    truths.append(shapely.Point(4, 10).buffer(1.65, 128).difference(shapely.Point(4, 10).buffer(1.5, 128)))

    for x0, x1 in ((16, 18), (19.2, 23.9)):
        for y in (9.925, 10.075):
            msp.add_line((x0 * k, y * k), (x1 * k, y * k), dxfattribs=wall)
    window = doc.blocks.new("WINDOW")
    window.add_lwpolyline([(0, 0), (1200, 0), (1200, 150), (0, 150)], close=True)
    window.add_line((0, 75), (1200, 75))
    msp.add_blockref("WINDOW", (18 * k, 9.925 * k), dxfattribs={"layer": "창호"})
    truths.append(box(16, 9.925, 23.9, 10.075))

    msp.add_solid(mm((11.8, 13.5), (12.2, 13.5), (11.8, 13.9), (12.2, 13.9)), dxfattribs=wall)
    truths.append(box(11.8, 13.5, 12.2, 13.9))
    col = doc.blocks.new("COL")
    col.add_circle((0, 0), 200)
    msp.add_blockref("COL", (10 * k, 2 * k), dxfattribs={"layer": "S-COLS"}).grid(size=(2, 3), spacing=(3 * k, 3 * k))

    msp.add_line(mm((1, 7))[0], mm((7, 7))[0], dxfattribs={"layer": "A-WALL-DEMO"})
    msp.add_line(mm((1, 2))[0], mm((7, 2))[0], dxfattribs={"layer": "A-WALL-OLD"})
    doc.paperspace().add_line((0, 0), (100000, 100000), dxfattribs=wall)
    doc.add_xref_def("site-survey.dxf", "SITE")

    text = {"layer": "A-ANNO-TEXT"}
    msp.add_text("Lobby", height=300, dxfattribs=text).set_placement((4 * k, 3 * k))
    msp.add_mtext("회의실", dxfattribs={**text, "insert": (4 * k, 10 * k), "char_height": 300})
    msp.add_text("Office", height=300, dxfattribs=text).set_placement((12 * k, 3 * k))
    doc.saveas(path)
    return Truth(walls=shapely.union_all(truths), rooms={}, extent=(-0.1, -0.1, 24.1, 14.1))


def random_walls(path: Path, layout, *, units: str = "mm", cell: float = 4.0) -> Truth:
    """Walls on a grid of ``cell`` metres: each (col, row, "h" | "v", style) draws one
    wall 0.2 m thick along the bottom or left side of a cell, in one of four styles
    (centre line, double lines, closed outline, thick polyline)."""
    k = SCALE[units]
    doc = _new(units, True)
    msp = doc.modelspace()
    truths = []
    for col, row, side, style in layout:
        x0, y0 = col * cell, row * cell
        (x1, y1) = (x0 + cell, y0) if side == "h" else (x0, y0 + cell)
        d = np.array([x1 - x0, y1 - y0]) / cell * 0.1
        n = np.array([-d[1], d[0]])
        a, b = np.array([x0, y0]), np.array([x1, y1])
        truths.append(shapely.Polygon([a - n, b - n, b + n, a + n]))
        attribs = {"layer": "A-WALL"}
        if style == "centre":
            msp.add_line(tuple(a * k), tuple(b * k), dxfattribs=attribs)
        elif style == "double":
            msp.add_line(tuple((a - n) * k), tuple((b - n) * k), dxfattribs=attribs)
            msp.add_line(tuple((a + n) * k), tuple((b + n) * k), dxfattribs=attribs)
        elif style == "outline":
            msp.add_lwpolyline([tuple(p * k) for p in (a - n, b - n, b + n, a + n)], close=True, dxfattribs=attribs)
        else:
            poly = msp.add_lwpolyline([tuple(a * k), tuple(b * k)], dxfattribs=attribs)
            poly.dxf.const_width = 0.2 * k
    doc.saveas(path)
    walls = shapely.union_all(truths)
    return Truth(walls=walls, extent=walls.bounds)


def awkward_entities(path: Path) -> Truth:
    """A 20 x 12 m box building (metres) holding every entity shape a real plan
    throws at the readers: hatches whose boundaries start with a spline (control or
    fit points), an arc, an ellipse or a bulged polyline, edge paths mixed with
    polyline paths, empty and degenerate paths, a hatch in an OCS; LWPOLYLINEs with
    no or one vertex, widths and bulges; old POLYLINEs (bulges, widths, 3D, a
    polyface mesh); splines; 3D points; OCS arcs; SOLID, TRACE, 3DFACE; TEXT, MTEXT,
    ATTRIB; MINSERT arrays, mirrored and nested blocks, an undefined block.
    The truth's walls are the thin hatched strips and rings on ``A-WALL``."""
    doc = _new("m", True, "R2018")
    msp = doc.modelspace()
    wall = {"layer": "A-WALL"}
    msp.add_lwpolyline([(0, 0), (20, 0), (20, 12), (0, 12)], close=True, dxfattribs=wall)
    msp.add_lwpolyline([(0.3, 0.3), (19.7, 0.3), (19.7, 11.7), (0.3, 11.7)], close=True, dxfattribs=wall)
    strips = []

    def strip_edges(ep, x0, x1, y, first):  # a 0.25 m strip, ``first`` drawing its bottom edge
        first(ep, x0, x1, y)
        ep.add_line((x1, y), (x1, y + 0.25))
        ep.add_line((x1, y + 0.25), (x0, y + 0.25))
        ep.add_line((x0, y + 0.25), (x0, y))
        strips.append(shapely.box(x0, y, x1, y + 0.25))

    def spline_cv(ep, x0, x1, y):
        ep.add_spline(control_points=[(x0, y), ((x0 + x1) / 2, y), (x1, y)], degree=2, knot_values=[0, 0, 0, 1, 1, 1])

    def spline_fit(ep, x0, x1, y):
        ep.add_spline(fit_points=[(x0, y), ((x0 + x1) / 2, y), (x1, y)], degree=3)

    def line(ep, x0, x1, y):
        ep.add_line((x0, y), (x1, y))

    for i, first in enumerate((spline_cv, spline_fit)):
        strip_edges(msp.add_hatch(dxfattribs=wall).paths.add_edge_path(), 2, 6, 2 + i, first)
    # empty and degenerate paths before a good one
    h = msp.add_hatch(dxfattribs=wall)
    h.paths.add_polyline_path([], is_closed=True)
    h.paths.add_edge_path()
    strip_edges(h.paths.add_edge_path(), 2, 6, 4, line)
    msp.add_hatch(dxfattribs=wall).paths.add_polyline_path([(9, 9), (10, 9)], is_closed=True)
    # rings 0.25 m wide: an arc first; a bulged polyline outside an edge-path circle;
    # an ellipse outside a polyline
    ep = msp.add_hatch(dxfattribs=wall).paths.add_edge_path()
    ep.add_arc((10, 3), radius=1.0, start_angle=0, end_angle=180, ccw=True)
    ep.add_line((9, 3), (9.25, 3))
    ep.add_arc((10, 3), radius=0.75, start_angle=0, end_angle=180, ccw=False)
    ep.add_line((10.75, 3), (11, 3))
    strips.append(
        Point(10, 3).buffer(1.0, 256).difference(Point(10, 3).buffer(0.75, 256)).intersection(box(8, 3, 12, 5))
    )
    h = msp.add_hatch(dxfattribs=wall)
    h.paths.add_polyline_path([(15, 2, 1), (15, 4, 1)], is_closed=True)  # two half circles
    h.paths.add_edge_path().add_arc((15, 3), radius=0.75, start_angle=0, end_angle=360, ccw=True)
    strips.append(Point(15, 3).buffer(1.0, 256).difference(Point(15, 3).buffer(0.75, 256)))
    h = msp.add_hatch(dxfattribs=wall)
    h.paths.add_edge_path().add_ellipse((10, 7), major_axis=(2, 0), ratio=0.5, start_angle=0, end_angle=360)
    inner = [(10 + 1.75 * np.cos(t), 7 + 0.75 * np.sin(t)) for t in np.linspace(0, 2 * np.pi, 128, endpoint=False)]
    h.paths.add_polyline_path(inner, is_closed=True)
    outer = affinity.scale(Point(10, 7).buffer(1.0, 256), 2.0, 1.0)
    strips.append(outer.difference(Polygon(inner)))
    # a hatch in an OCS: extrusion -Z mirrors x
    msp.add_hatch(dxfattribs={**wall, "extrusion": (0, 0, -1)}).paths.add_polyline_path(
        [(-6, 9), (-2, 9), (-2, 9.25), (-6, 9.25)], is_closed=True
    )
    strips.append(box(2, 9, 6, 9.25))
    # everything else, off the strips
    other = {"layer": "A-IDEN-NUMR"}
    msp.add_lwpolyline([(5, 10.5)], dxfattribs=other)
    msp.add_lwpolyline([], dxfattribs=other)
    msp.add_lwpolyline([(13, 10, 0.1, 0.2, 0), (14, 10, 0.2, 0.1, 0.5)], format="xyseb", dxfattribs=other)
    p = msp.add_polyline2d([(15, 10), (16, 10), (16, 11)], dxfattribs=other)
    p.vertices[0].dxf.bulge, p.vertices[0].dxf.start_width, p.vertices[0].dxf.end_width = 0.3, 0.05, 0.1
    msp.add_polyline3d([(17, 10, 0), (18, 10, 1), (18, 11, 2)], dxfattribs=other)
    msp.add_polyface().append_face([(1, 10, 0), (2, 10, 0), (2, 11, 0)])
    msp.add_spline(fit_points=[(1, 11), (2, 11.3), (3, 11)], dxfattribs=other)
    msp.add_rational_spline([(4, 11), (5, 11.3), (6, 11), (7, 11.2)], weights=[1, 2, 1, 2], dxfattribs=other)
    msp.add_line((12, 8, 1.5), (13, 8, 2.5), dxfattribs=other)
    msp.add_point((12, 9, 3))
    msp.add_circle((-13, 9), 0.3, dxfattribs={**other, "extrusion": (0, 0, -1)})
    msp.add_arc((-14, 9), 0.3, 0, 90, dxfattribs={**other, "extrusion": (0, 0, -1)})
    msp.add_ellipse((16, 7), major_axis=(0.5, 0.1), ratio=0.3, start_param=0.5, end_param=4, dxfattribs=other)
    msp.add_solid([(17, 5), (18, 5), (17, 6)], dxfattribs=other)
    msp.add_trace([(17, 7), (18, 7), (17, 7.5), (18, 7.5)], dxfattribs=other)
    msp.add_3dface([(17, 8, 0), (18, 8, 0), (18, 9, 1), (17, 9, 1)], dxfattribs=other)
    msp.add_text("Lobby", dxfattribs={"height": 0.3}).set_placement((8, 10))
    msp.add_mtext("{\\fArial|b1;Hall}\\PSecond line", dxfattribs={"char_height": 0.3}).set_location((5, 7))
    desk = doc.blocks.new("DESK")
    desk.add_lwpolyline([(0, 0), (1.2, 0), (1.2, 0.6), (0, 0.6)], close=True)
    desk.add_attdef("NO", (0.1, 0.1), dxfattribs={"height": 0.1})
    desk.add_hatch().paths.add_edge_path().add_spline(control_points=[(0, 0), (0.5, 0.3), (1, 0)], degree=2)
    msp.add_blockref("DESK", (12, 1)).add_auto_attribs({"NO": "D1"})
    msp.add_blockref(
        "DESK",
        (13, 5, 0.5),
        dxfattribs={"column_count": 2, "row_count": 2, "column_spacing": 1.5, "row_spacing": 1.0, "xscale": -1},
    )
    row = doc.blocks.new("ROW")
    row.add_blockref("DESK", (0, 0))
    row.add_blockref("DESK", (1.5, 0), dxfattribs={"rotation": 90})
    msp.add_blockref("ROW", (-5, 5), dxfattribs={"extrusion": (0, 0, -1)})
    msp.add_blockref("NO_SUCH_BLOCK", (3, 3))
    doc.saveas(path)
    walls = shapely.union_all(strips)
    return Truth(walls=walls, extent=(0.0, 0.0, 20.0, 12.0))
