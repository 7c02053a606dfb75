"""Furniture-heavy DXF floor plans of any size, written as a stream.

A venue floor of ``rows x cols`` rooms (10 x 8 m, millimetres, $INSUNITS 4) the
way architects draw one:

- walls as pairs of parallel LINEs 200 mm apart on ``A-WALL``, with a door gap
  in every room and a DOOR block INSERT in it (mirrored every other room);
- offices with rows of DESK and CHAIR INSERTs, meeting rooms with a TABLE and
  chairs turned to face it, lecture rooms with rows of seats: 24-40 block
  references per room, some mirrored (negative X scale), many rotated;
- a SOLID HATCH floor finish on ``A-FLOR-PATT`` in every other room;
- a TEXT room name on ``A-IDEN`` and an MTEXT note on ``A-ANNO-NOTE`` per room.

The header, tables and block definitions come from ezdxf; the modelspace is
written directly to the file in ezdxf's own R2010 layout, so a 500 MB plan is
made in constant memory. ``python benchmarks/dxf_plans.py OUT.dxf --mb 20``.
"""

from __future__ import annotations

import argparse
import io
import math
import re
from pathlib import Path

import ezdxf

ROOM_W, ROOM_H = 10_000.0, 8_000.0  # mm
WALL = 200.0
DOOR = 1_000.0
FIRST_HANDLE = 0x1000
LAYERS = ("A-WALL", "A-DOOR", "A-FURN", "A-FURN-SEAT", "A-FLOR-PATT", "A-IDEN", "A-ANNO-NOTE")


def _template() -> tuple[str, str, str]:
    """(text before the modelspace entities, after them, modelspace owner handle)."""
    doc = ezdxf.new("R2010")
    doc.header["$INSUNITS"] = 4
    for name in LAYERS:
        doc.layers.add(name)
    chair = doc.blocks.new("CHAIR")  # 500 x 500, base point at the seat's centre
    chair.add_lwpolyline([(-225, -225), (225, -225), (225, 200), (-225, 200)], close=True)
    chair.add_lwpolyline([(-250, 200), (250, 200), (250, 260), (-250, 260)], close=True)
    chair.add_arc((0, -225), 120, 180, 360)
    desk = doc.blocks.new("DESK")  # 1600 x 800
    desk.add_lwpolyline([(0, 0), (1600, 0), (1600, 800), (0, 800)], close=True)
    desk.add_line((100, 700), (1500, 700))
    table = doc.blocks.new("TABLE")  # 3000 x 1200 with rounded ends
    table.add_lwpolyline([(0, 0, 0), (3000, 0, 1), (3000, 1200, 0), (0, 1200, 1)], format="xyb", close=True)
    door = doc.blocks.new("DOOR")  # leaf and swing, 1000 wide
    door.add_line((0, 0), (0, DOOR))
    door.add_arc((0, 0), DOOR, 0, 90)
    text = io.StringIO()
    doc.write(text)
    dxf = text.getvalue()
    start = dxf.index("ENTITIES")
    end = dxf.index("  0\nENDSEC", start)
    owner = doc.modelspace().block_record.dxf.handle
    return dxf[:end], dxf[end:], owner


class _Writer:
    def __init__(self, fh, owner: str):
        self.fh, self.owner, self.handle = fh, owner, FIRST_HANDLE
        self.parts: list[str] = []
        self.count = 0

    def _head(self, kind: str, layer: str) -> None:
        self.handle += 1
        self.count += 1
        self.parts.append(f"  0\n{kind}\n  5\n{self.handle:X}\n330\n{self.owner}\n100\nAcDbEntity\n  8\n{layer}\n")

    def line(self, layer: str, x0: float, y0: float, x1: float, y1: float) -> None:
        self._head("LINE", layer)
        self.parts.append(
            f"100\nAcDbLine\n 10\n{x0:.3f}\n 20\n{y0:.3f}\n 30\n0.0\n 11\n{x1:.3f}\n 21\n{y1:.3f}\n 31\n0.0\n"
        )

    def insert(self, layer: str, block: str, x: float, y: float, rot: float = 0.0, sx: float = 1.0) -> None:
        self._head("INSERT", layer)
        self.parts.append(f"100\nAcDbBlockReference\n  2\n{block}\n 10\n{x:.3f}\n 20\n{y:.3f}\n 30\n0.0\n")
        if sx != 1.0:
            self.parts.append(f" 41\n{sx:.1f}\n")
        if rot:
            self.parts.append(f" 50\n{rot:.4f}\n")

    def hatch(self, layer: str, pts: list[tuple[float, float]]) -> None:
        self._head("HATCH", layer)
        verts = "".join(f" 10\n{x:.3f}\n 20\n{y:.3f}\n" for x, y in pts)
        self.parts.append(
            "100\nAcDbHatch\n 10\n0.0\n 20\n0.0\n 30\n0.0\n210\n0.0\n220\n0.0\n230\n1.0\n  2\nSOLID\n 70\n1\n 71\n0\n"
            f" 91\n1\n 92\n3\n 72\n0\n 73\n1\n 93\n{len(pts)}\n{verts} 97\n0\n 75\n0\n 76\n1\n 98\n0\n"
        )

    def text(self, layer: str, x: float, y: float, height: float, value: str) -> None:
        self._head("TEXT", layer)
        self.parts.append(
            f"100\nAcDbText\n 10\n{x:.3f}\n 20\n{y:.3f}\n 30\n0.0\n 40\n{height:.1f}\n  1\n{value}\n100\nAcDbText\n"
        )

    def mtext(self, layer: str, x: float, y: float, height: float, value: str) -> None:
        self._head("MTEXT", layer)
        self.parts.append(
            f"100\nAcDbMText\n 10\n{x:.3f}\n 20\n{y:.3f}\n 30\n0.0\n 40\n{height:.1f}\n 71\n1\n  1\n{value}\n"
        )

    def flush(self) -> None:
        self.fh.write("".join(self.parts))
        self.parts.clear()


def _room(w: _Writer, r: int, c: int) -> None:
    x0, y0 = c * ROOM_W, r * ROOM_H
    # the room's bottom wall (door gap) and left wall, as line pairs
    gap = x0 + ROOM_W / 2
    for dy in (-WALL / 2, WALL / 2):
        w.line("A-WALL", x0 - WALL / 2, y0 + dy, gap, y0 + dy)
        w.line("A-WALL", gap + DOOR, y0 + dy, x0 + ROOM_W - WALL / 2, y0 + dy)
    for dx in (-WALL / 2, WALL / 2):
        w.line("A-WALL", x0 + dx, y0 + WALL / 2, x0 + dx, y0 + ROOM_H - WALL / 2)
    mirrored = (r + c) % 2
    w.insert("A-DOOR", "DOOR", gap + (DOOR if mirrored else 0), y0 + WALL / 2, 0.0, -1.0 if mirrored else 1.0)
    kind = (r * 7 + c * 3) % 3
    if kind == 0:  # office: 4 rows of 2 desks, a chair at each, turned toward it
        for i in range(4):
            for j in range(2):
                dx, dy = x0 + 800 + j * 4200, y0 + 1000 + i * 1700
                w.insert("A-FURN", "DESK", dx, dy)
                w.insert("A-FURN-SEAT", "CHAIR", dx + 800, dy - 350, 180.0)
                w.insert("A-FURN", "DESK", dx + 1800, dy)
                w.insert("A-FURN-SEAT", "CHAIR", dx + 2600, dy - 350, 180.0, -1.0)
    elif kind == 1:  # meeting room: a table, chairs all round turned to face it
        tx, ty = x0 + 3500, y0 + 3400
        w.insert("A-FURN", "TABLE", tx, ty)
        for i in range(5):
            w.insert("A-FURN-SEAT", "CHAIR", tx + 300 + i * 600, ty - 450, 180.0)
            w.insert("A-FURN-SEAT", "CHAIR", tx + 300 + i * 600, ty + 1650, 0.0, -1.0 if i % 2 else 1.0)
        for side, angle in ((-1, 90.0), (1, 270.0)):
            cx = tx + 1500 + side * 2000
            for k in range(3):
                w.insert("A-FURN-SEAT", "CHAIR", cx, ty + 200 + k * 400, angle)
        for k in range(6):  # lounge chairs along the wall, at an angle
            w.insert("A-FURN-SEAT", "CHAIR", x0 + 800 + k * 1400, y0 + 7000, 15.0 * (k - 2.5))
    else:  # lecture room: rows of seats
        for i in range(5):
            for j in range(8):
                w.insert("A-FURN-SEAT", "CHAIR", x0 + 1200 + j * 1000, y0 + 1200 + i * 1100, 180.0)
    if (r + c) % 2 == 0:
        inner = [(x0 + 100, y0 + 100), (x0 + ROOM_W - 100, y0 + 100), (x0 + ROOM_W - 100, y0 + ROOM_H - 100)]
        w.hatch("A-FLOR-PATT", [*inner, (x0 + 100, y0 + ROOM_H - 100)])
    name = ("Office", "Meeting", "Lecture")[kind]
    w.text("A-IDEN", x0 + ROOM_W / 2 - 1200, y0 + ROOM_H / 2, 350.0, f"{name} {r:03d}-{c:03d}")
    w.mtext("A-ANNO-NOTE", x0 + 300, y0 + ROOM_H - 400, 120.0, f"Seats per fire code: {20 + kind * 10}\\PRef. {r}.{c}")


def _outer(w: _Writer, rows: int, cols: int) -> None:
    """The top and right walls that close the building."""
    xmax, ymax = cols * ROOM_W, rows * ROOM_H
    for d in (-WALL / 2, WALL / 2):
        w.line("A-WALL", -WALL / 2, ymax + d, xmax + WALL / 2, ymax + d)
        w.line("A-WALL", xmax + d, -WALL / 2, xmax + d, ymax - WALL / 2)


def bytes_per_room() -> float:
    sink = io.StringIO()
    w = _Writer(sink, "17")
    for r in range(3):
        for c in range(3):
            _room(w, r, c)
    w.flush()
    return len(sink.getvalue()) / 9


def write_plan(path: Path, *, mb: float = 20.0, rows: int | None = None, cols: int | None = None) -> dict:
    """Write a plan of about ``mb`` megabytes (or ``rows`` x ``cols`` rooms) to
    ``path``; returns {"rows", "cols", "entities", "bytes"}."""
    if rows is None or cols is None:
        rooms = mb * 1024 * 1024 / bytes_per_room()
        rows = max(1, int(math.sqrt(rooms * ROOM_W / ROOM_H)))
        cols = max(1, int(round(rooms / rows)))
    head, tail, owner = _template()
    path = Path(path)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        w = _Writer(fh, owner)
        # $HANDSEED must lie above every handle: written once the count is known
        # would need a second pass, so reserve a seed far above what fits in the file
        seed = FIRST_HANDLE + 16 * (rows * cols + 1) * 64
        head = re.sub(r"(\$HANDSEED\n\s*5\n)(\w+)", lambda m: m.group(1) + f"{seed:X}", head)
        fh.write(head)
        for r in range(rows):
            for c in range(cols):
                _room(w, r, c)
            w.flush()
        _outer(w, rows, cols)
        w.flush()
        fh.write(tail)
    return {"rows": rows, "cols": cols, "entities": w.count, "bytes": path.stat().st_size}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--mb", type=float, default=20.0, help="approximate size in MB (default 20)")
    args = parser.parse_args()
    info = write_plan(args.out, mb=args.mb)
    print(
        f"{args.out}: {info['bytes'] / 1e6:.1f} MB, {info['rows']} x {info['cols']} rooms, {info['entities']} entities"
    )


if __name__ == "__main__":
    main()
