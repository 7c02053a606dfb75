"""A venue-sized vector PDF floor plan generated in code: an A3 sheet at 1:200 with
a grid of rooms the way a CAD program exports one (a grey poché path per wall, a
door swing per room, furniture, hatched rooms, dimensions, frame, title block)."""

from __future__ import annotations

from pathlib import Path

import pymupdf

A3 = (1190.55, 841.89)  # landscape, points
POINT_M = 0.0254 / 72


def venue_plan(path: Path, rows: int = 8, cols: int = 12, room_m: float = 6.0, scale: float = 200) -> dict:
    """Write the plan; return what it holds (rooms, doors, paths drawn)."""
    doc = pymupdf.open()
    page = doc.new_page(width=A3[0], height=A3[1])
    k = 1 / (scale * POINT_M)  # points per metre
    ox, oy = 40 / k * 1.0, 60 / k * 1.0  # the building's corner, metres from the sheet's corner
    height = page.rect.height

    def pt(x: float, y: float) -> pymupdf.Point:
        return pymupdf.Point((ox + x) * k, height - (oy + y) * k)

    width_m, depth_m = cols * room_m, rows * room_m
    shape = page.new_shape()
    drawn = 0

    def wall(x0: float, y0: float, x1: float, y1: float) -> None:
        nonlocal drawn
        shape.draw_polyline([pt(x0, y0), pt(x1, y0), pt(x1, y1), pt(x0, y1), pt(x0, y0)])
        shape.finish(fill=(0.5, 0.5, 0.5), color=(0, 0, 0), width=0.3, closePath=True)
        drawn += 1

    t_ext, t_int, door = 0.4, 0.2, 1.0
    wall(-t_ext, -t_ext, width_m + t_ext, 0)
    wall(-t_ext, depth_m, width_m + t_ext, depth_m + t_ext)
    wall(-t_ext, 0, 0, depth_m)
    wall(width_m, 0, width_m + t_ext, depth_m)
    for r in range(1, rows):  # horizontal walls with a door per room
        y = r * room_m
        for c in range(cols):
            x0 = c * room_m
            wall(x0 + (t_int / 2 if c else 0), y - t_int / 2, x0 + 1.0, y + t_int / 2)
            wall(x0 + 1.0 + door, y - t_int / 2, x0 + room_m - (t_int / 2 if c < cols - 1 else 0), y + t_int / 2)
    for c in range(1, cols):
        wall(c * room_m - t_int / 2, 0, c * room_m + t_int / 2, depth_m)
    shape.commit()

    swings = page.new_shape()
    doors = 0
    for r in range(1, rows):
        for c in range(cols):
            hinge = (c * room_m + 1.0, r * room_m - t_int / 2)
            leaf = (hinge[0], hinge[1] - door)
            swings.draw_line(pt(*hinge), pt(*leaf))
            swings.draw_sector(pt(*hinge), pt(*leaf), 90, fullSector=False)
            swings.finish(color=(0, 0, 0), width=0.25, closePath=False)
            doors += 1
    swings.commit()

    furniture = page.new_shape()
    hatch = page.new_shape()
    labels = []
    for r in range(rows):
        for c in range(cols):
            x0, y0 = c * room_m, r * room_m
            for i in range(3):
                for j in range(3):
                    tx, ty = x0 + 0.6 + i * 1.8, y0 + 1.2 + j * 1.5
                    furniture.draw_rect(pymupdf.Rect(pt(tx, ty + 0.7), pt(tx + 1.4, ty)))
                    furniture.finish(color=(0.2, 0.2, 0.2), width=0.2)
                    for dx in (0.35, 1.05):
                        furniture.draw_circle(pt(tx + dx, ty - 0.25), 0.18 * k)
                        furniture.finish(color=(0.2, 0.2, 0.2), width=0.2)
            if (r + c) % 4 == 0:  # a hatched room, one path per hatch as CAD writes it
                step = 0.5
                n = int((room_m - 0.6) / step)
                for i in range(n):
                    a = 0.3 + i * step
                    hatch.draw_line(pt(x0 + 0.3, y0 + a), pt(x0 + a, y0 + 0.3))
                hatch.finish(color=(0.5, 0.5, 0.5), width=0.15)
            name = f"Hall {chr(65 + r)}-{c + 1:02d}"
            labels.append(name)
            w = pymupdf.get_text_length(name, fontsize=6)
            p = pt(x0 + room_m / 2, y0 + room_m / 2)
            page.insert_text((p.x - w / 2, p.y + 2), name, fontsize=6)
    furniture.commit()
    hatch.commit()

    dims = page.new_shape()
    for c in range(cols):
        a, b = pt(c * room_m, -2.5), pt((c + 1) * room_m, -2.5)
        dims.draw_line(a, b)
        dims.finish(color=(0, 0, 0), width=0.2)
        for p in (a, b):
            dims.draw_line(p + (-2, 2), p + (2, -2))
            dims.finish(color=(0, 0, 0), width=0.2)
        mid = (a + b) / 2
        text = f"{room_m * 1000:.0f}"
        page.insert_text((mid.x - pymupdf.get_text_length(text, fontsize=5) / 2, mid.y - 2), text, fontsize=5)
    dims.commit()

    w, h = page.rect.width, page.rect.height
    frame = page.new_shape()
    frame.draw_rect(pymupdf.Rect(20, 20, w - 20, h - 20))
    frame.finish(color=(0, 0, 0), width=1.2)
    frame.draw_rect(pymupdf.Rect(w - 230, h - 70, w - 20, h - 20))
    frame.finish(color=(0, 0, 0), width=0.6)
    frame.commit()
    page.insert_text((w - 220, h - 50), "EXHIBITION CENTRE - GROUND FLOOR", fontsize=8)
    page.insert_text((w - 220, h - 32), "SCALE 1:200 @ A3", fontsize=8)
    doc.save(path, garbage=3, deflate=True)
    paths = len(doc[0].get_drawings())
    return {
        "rooms": labels,
        "doors": doors,
        "walls_drawn": drawn,
        "paths": paths,
        "extent_m": (width_m + 2 * t_ext, depth_m + 2 * t_ext),
    }
