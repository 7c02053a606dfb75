"""The wall linework an annotation names, read from the drawing itself (ezdxf for
DXF, PyMuPDF for PDF), never through Floorcast's converters: the truth the
fidelity measures (``tests/fidelity.py``) hold a model to.

An annotation's ``walls`` says which linework is wall:

- ``rules``: a list of filters; an entity or drawing path is wall when it matches
  every key of one rule. DXF keys: ``layer`` (its effective layer: an entity on
  layer 0 inside a block takes its INSERT's layer), ``color`` (ACI, BYLAYER and
  BYBLOCK resolved), ``block`` (the name of the modelspace INSERT it comes from),
  ``direct`` (true: drawn in modelspace itself, not inside a block), ``types``
  (DXF entity types). PDF keys: ``stroke_width`` ``[lo, hi]`` in points,
  ``stroke_color`` ``[r, g, b]`` (0..1).
- ``from`` (optional): read the rules' linework from a sister drawing of the same
  building instead (``file``, ``metres_per_unit``, ``offset_m``: where its plan
  metres land in this drawing's), for exports that draw walls in the same pen as
  glass and columns.
- ``exclude_boxes_m``: plan-metre boxes whose linework is not wall (stair treads
  drawn on a wall layer).

Plan metres: DXF drawing coordinates times ``units.metres_per_unit``; PDF user
space (points, y up from the page's bottom edge) times ``units.metres_per_unit``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

# curves are flattened to within this many metres of the true arc
FLATTEN_M = 0.005
# what a wall never is: annotations, dimensions, points, images
NOT_LINEWORK = {"TEXT", "MTEXT", "ATTRIB", "ATTDEF", "DIMENSION", "ARC_DIMENSION", "LEADER", "MLEADER", "POINT"}
NOT_LINEWORK |= {"IMAGE", "WIPEOUT", "VIEWPORT", "OLE2FRAME", "XLINE", "RAY"}


def wall_lines(annotation: dict, source: Path) -> list[np.ndarray]:
    """The annotated wall linework of ``source`` as polylines, (N, 2) arrays in
    this drawing's plan metres."""
    walls = annotation["walls"]
    sister = walls.get("from")
    if sister:
        path = Path(source).with_name(sister["file"])
        lines = _read(path, walls["rules"], sister["metres_per_unit"])
        offset = np.asarray(sister.get("offset_m", (0.0, 0.0)), dtype=float)
        lines = [line + offset for line in lines]
    else:
        lines = _read(Path(source), walls["rules"], annotation["units"]["metres_per_unit"])
    return _without_boxes(lines, walls.get("exclude_boxes_m", []))


def _read(path: Path, rules: list[dict], metres_per_unit: float) -> list[np.ndarray]:
    if path.suffix.lower() == ".pdf":
        return pdf_lines(path, rules, metres_per_unit)
    return dxf_lines(path, rules, metres_per_unit)


def _without_boxes(lines: list[np.ndarray], boxes) -> list[np.ndarray]:
    if not boxes:
        return lines
    import shapely
    from shapely.geometry import LineString, box

    cut = shapely.union_all([box(*b) for b in boxes])
    kept = []
    for line in lines:
        rest = LineString(line).difference(cut)
        kept.extend(np.asarray(part.coords)[:, :2] for part in shapely.get_parts(rest) if part.length > 0)
    return kept


# -- DXF ----------------------------------------------------------------------------


def _matches(rule: dict, layer: str, color: int, block: str | None, kind: str) -> bool:
    if "layer" in rule and rule["layer"].casefold() != layer.casefold():
        return False
    if "color" in rule and rule["color"] != color:
        return False
    if "block" in rule and rule["block"] != block:
        return False
    if "direct" in rule and rule["direct"] != (block is None):
        return False
    return "types" not in rule or kind in rule["types"]


def _walk(doc, entities, parent=None):
    """(entity, effective layer, resolved ACI colour, modelspace block) of every
    entity, blocks expanded the way CAD shows them."""
    for entity in entities:
        layer = entity.dxf.get("layer", "0")
        if parent and layer == "0":
            layer = parent[0]
        color = entity.dxf.get("color", 256)
        if color == 0:  # BYBLOCK
            color = parent[1] if parent else 7
        elif color == 256:  # BYLAYER
            color = abs(doc.layers.get(layer).color) if doc.layers.has_entry(layer) else 7
        kind = entity.dxftype()
        if kind == "INSERT":
            try:
                children = list(entity.virtual_entities())
            except Exception:  # a broken block reference draws nothing in CAD either
                continue
            yield from _walk(doc, children, (layer, color, parent[2] if parent else entity.dxf.name))
        elif kind not in NOT_LINEWORK:
            yield entity, layer, color, parent[2] if parent else None


def dxf_lines(path: Path, rules: list[dict], metres_per_unit: float) -> list[np.ndarray]:
    """Polylines (plan metres) of the DXF entities matching one of ``rules``."""
    import ezdxf
    from ezdxf import path as ezpath
    from ezdxf import recover

    try:
        doc = ezdxf.readfile(str(path))
    except ezdxf.DXFStructureError:
        doc, _ = recover.readfile(str(path))
    distance = FLATTEN_M / metres_per_unit
    lines = []
    for entity, layer, color, block in _walk(doc, doc.modelspace()):
        if not any(_matches(rule, layer, color, block, entity.dxftype()) for rule in rules):
            continue
        try:
            shape = ezpath.make_path(entity)
        except (TypeError, ValueError):  # an entity type with no outline
            continue
        for sub in shape.sub_paths():
            points = np.array([(v.x, v.y) for v in sub.flattening(distance)], dtype=float)
            if len(points) > 1:
                lines.append(points * metres_per_unit)
    return lines


# -- PDF ----------------------------------------------------------------------------


def _pdf_matches(rule: dict, drawing: dict) -> bool:
    if "stroke_width" in rule:
        lo, hi = rule["stroke_width"]
        if drawing.get("color") is None or not lo <= (drawing.get("width") or 0.0) <= hi:
            return False
    if "stroke_color" in rule:
        color = drawing.get("color")
        if color is None or max(abs(a - b) for a, b in zip(color, rule["stroke_color"], strict=True)) > 0.02:
            return False
    return True


def _bezier(p0, p1, p2, p3, n: int = 8) -> list[tuple[float, float]]:
    t = np.linspace(0.0, 1.0, n + 1)[:, None]
    pts = np.array([(p.x, p.y) for p in (p0, p1, p2, p3)])
    curve = (1 - t) ** 3 * pts[0] + 3 * (1 - t) ** 2 * t * pts[1] + 3 * (1 - t) * t**2 * pts[2] + t**3 * pts[3]
    return [tuple(p) for p in curve]


def pdf_lines(path: Path, rules: list[dict], metres_per_unit: float, page_number: int = 0) -> list[np.ndarray]:
    """Polylines (plan metres) of the PDF drawing paths matching one of ``rules``."""
    import pymupdf

    with pymupdf.open(str(path)) as doc:
        page = doc[page_number]
        if page.rotation:
            raise ValueError(f"{path.name}: rotated pages are not annotated")
        height = page.rect.height
        lines = []
        for drawing in page.get_drawings():
            if not any(_pdf_matches(rule, drawing) for rule in rules):
                continue
            for item in drawing["items"]:
                kind = item[0]
                if kind == "l":
                    points = [(item[1].x, item[1].y), (item[2].x, item[2].y)]
                elif kind == "c":
                    points = _bezier(*item[1:5])
                elif kind == "re":
                    r = item[1]
                    points = [(r.x0, r.y0), (r.x1, r.y0), (r.x1, r.y1), (r.x0, r.y1), (r.x0, r.y0)]
                elif kind == "qu":
                    q = item[1]
                    points = [(p.x, p.y) for p in (q.ul, q.ur, q.lr, q.ll, q.ul)]
                else:
                    continue
                xy = np.array(points, dtype=float)
                lines.append(np.column_stack([xy[:, 0], height - xy[:, 1]]) * metres_per_unit)
    return lines
