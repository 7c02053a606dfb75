"""A large DXF floor plan generated in code: a grid of labelled rooms, for a
conversion that keeps the worker busy for a while."""

from __future__ import annotations

from pathlib import Path

import ezdxf


def grid_plan(path: Path, rows: int = 40, cols: int = 40, room_m: float = 5.0) -> Path:
    """``rows`` x ``cols`` rooms of ``room_m`` metres: centre-line walls on ``A-WALL``
    with a door gap per room, room outlines on ``RM$`` with a TEXT label inside."""
    doc = ezdxf.new("R2010")
    doc.header["$INSUNITS"] = 6  # metres
    msp = doc.modelspace()
    height = rows * room_m
    for r in range(rows + 1):  # horizontal walls, one door gap per room
        y = r * room_m
        for c in range(cols):
            x0, x1 = c * room_m, (c + 1) * room_m
            if 0 < r < rows:
                msp.add_line((x0, y), (x0 + 2.0, y), dxfattribs={"layer": "A-WALL"})
                msp.add_line((x0 + 3.0, y), (x1, y), dxfattribs={"layer": "A-WALL"})
            else:
                msp.add_line((x0, y), (x1, y), dxfattribs={"layer": "A-WALL"})
    for c in range(cols + 1):
        msp.add_line((c * room_m, 0), (c * room_m, height), dxfattribs={"layer": "A-WALL"})
    for r in range(rows):
        for c in range(cols):
            x, y = c * room_m, r * room_m
            outline = [(x + 0.1, y + 0.1), (x + room_m - 0.1, y + 0.1), (x + room_m - 0.1, y + room_m - 0.1)]
            outline.append((x + 0.1, y + room_m - 0.1))
            msp.add_lwpolyline(outline, close=True, dxfattribs={"layer": "RM$"})
            label = msp.add_text(f"R{r:02d}-{c:02d}", dxfattribs={"layer": "RM$", "height": 0.4})
            label.set_placement((x + room_m / 2, y + room_m / 2))
    doc.saveas(path)
    return path
