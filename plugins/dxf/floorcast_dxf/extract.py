"""Walk a DXF's modelspace into plain plan data: shapes and labels per layer.

Block references are expanded (entities on layer "0" inside a block take the
INSERT's layer, as CAD programs draw them). Curves keep their ezdxf path so they
are flattened once the units, and with them the chord tolerance, are known.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from ezdxf import path as ezpath
from ezdxf.document import Drawing

MAX_BLOCK_DEPTH = 8
CURVES = {"LWPOLYLINE", "POLYLINE", "ARC", "CIRCLE", "ELLIPSE", "SPLINE"}
TEXTS = {"TEXT", "MTEXT", "ATTRIB"}
# drawn for people, not part of the building
SKIPPED = {
    "DIMENSION",
    "ARC_DIMENSION",
    "LARGE_RADIAL_DIMENSION",
    "LEADER",
    "MULTILEADER",
    "MLEADER",
    "VIEWPORT",
    "ACAD_TABLE",
    "POINT",
    "IMAGE",
    "WIPEOUT",
    "ATTDEF",
}


@dataclass
class Shape:
    layer: str
    handle: str
    closed: bool
    points: np.ndarray | None = None  # (k, 2) drawing units, when already straight
    path: object | None = None  # ezdxf Path, flattened later

    def flatten(self, tolerance: float) -> np.ndarray:
        if self.points is None:
            pts = np.array([(v.x, v.y) for v in self.path.flattening(tolerance)], dtype=float)
            self.points = pts.reshape(-1, 2)
        return self.points


@dataclass
class Label:
    layer: str
    text: str
    x: float
    y: float


@dataclass
class Drawing2D:
    shapes: list[Shape] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    entity_counts: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    layer_counts: Counter = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)

    def bounds(self) -> tuple[np.ndarray, np.ndarray] | None:
        pts = [s.points if s.points is not None else _control_points(s.path) for s in self.shapes]
        pts = [p for p in pts if len(p)]
        if not pts:
            return None
        allpts = np.concatenate(pts)
        allpts = allpts[np.isfinite(allpts).all(axis=1)]
        if not len(allpts):
            return None
        return allpts.min(axis=0), allpts.max(axis=0)

    def drop_outliers(self, factor: float = 4.0) -> list[str]:
        """Leave out shapes far from the rest (a detail sheet or a stray entity at
        the origin of a georeferenced plan would shrink the building to a dot);
        returns the layers they were on."""
        if len(self.shapes) < 20:
            return []
        centres = np.array([_centre(s) for s in self.shapes])
        ok = np.isfinite(centres).all(axis=1)
        dist = np.full(len(centres), np.inf)
        dist[ok] = np.abs(centres[ok] - np.median(centres[ok], axis=0)).max(axis=1)
        reach = factor * max(np.percentile(dist[ok], 90), 1e-9) if ok.any() else 0
        far = dist > reach
        if not far.any():
            return []
        layers = sorted({s.layer for s, f in zip(self.shapes, far, strict=True) if f})
        self.shapes = [s for s, f in zip(self.shapes, far, strict=True) if not f]
        return layers


def _centre(shape: Shape) -> np.ndarray:
    pts = shape.points if shape.points is not None else _control_points(shape.path)
    if not len(pts):
        return np.array([np.nan, np.nan])
    return (pts.min(axis=0) + pts.max(axis=0)) / 2


def _control_points(p) -> np.ndarray:
    return np.array([(v.x, v.y) for v in p.control_vertices()], dtype=float).reshape(-1, 2)


def _text_of(entity) -> str:
    try:
        text = entity.plain_text()
    except Exception:
        text = entity.dxf.get("text", "")
    return " ".join(str(text).split())


def _add(entity, layer: str, out: Drawing2D) -> None:
    kind = entity.dxftype()
    handle = entity.dxf.get("handle", "") or ""
    if kind == "LINE":
        s, e = entity.dxf.start, entity.dxf.end
        out.shapes.append(Shape(layer, handle, False, np.array([[s.x, s.y], [e.x, e.y]])))
    elif kind in CURVES:
        if kind == "POLYLINE" and (entity.is_poly_face_mesh or entity.is_polygon_mesh):
            out.skipped[kind] += 1
            return
        closed = bool(getattr(entity, "closed", False)) or (kind == "POLYLINE" and entity.is_closed) or kind == "CIRCLE"
        if kind == "ELLIPSE":
            closed = abs(abs(entity.dxf.end_param - entity.dxf.start_param) - 2 * np.pi) < 1e-6
        if kind == "SPLINE":
            closed = bool(entity.closed)
        out.shapes.append(Shape(layer, handle, closed, path=ezpath.make_path(entity)))
    elif kind == "HATCH" or kind == "SOLID" or kind == "TRACE":
        # filled areas: wall poché, column fills
        paths = ezpath.from_hatch(entity) if kind == "HATCH" else [ezpath.make_path(entity)]
        for p in paths:
            out.shapes.append(Shape(layer, handle, True, path=p))
    elif kind in TEXTS:
        text = _text_of(entity)
        if text:
            ins = entity.dxf.insert
            if kind == "TEXT" and entity.dxf.get("halign", 0) and entity.dxf.hasattr("align_point"):
                ins = entity.dxf.align_point
            out.labels.append(Label(layer, text, float(ins.x), float(ins.y)))
    else:
        out.skipped[kind] += 1
        return
    out.layer_counts[layer] += 1


def _walk(entities, out: Drawing2D, parent_layer: str | None, depth: int) -> None:
    for entity in entities:
        kind = entity.dxftype()
        out.entity_counts[kind] += 1
        layer = entity.dxf.get("layer", "0") or "0"
        if layer == "0" and parent_layer:
            layer = parent_layer
        if kind == "INSERT":
            if depth >= MAX_BLOCK_DEPTH:
                out.skipped["INSERT (nested too deep)"] += 1
                continue
            try:
                inserts = list(entity.multi_insert()) if entity.mcount > 1 else [entity]
                for ins in inserts:
                    _walk(ins.virtual_entities(), out, layer, depth + 1)
                    for attrib in getattr(ins, "attribs", []):
                        _add(attrib, layer, out)
            except Exception as exc:  # one bad block must not sink the plan
                msg = f"block reference {entity.dxf.get('name', '?')} skipped: {exc}"
                if msg not in out.warnings:
                    out.warnings.append(msg)
            continue
        if kind in SKIPPED:
            out.skipped[kind] += 1
            continue
        try:
            _add(entity, layer, out)
        except Exception as exc:
            out.skipped[kind] += 1
            if len(out.warnings) < 20:
                out.warnings.append(f"{kind} #{entity.dxf.get('handle', '?')} skipped: {exc}")


def extract(doc: Drawing) -> Drawing2D:
    """Shapes and labels of the modelspace, blocks expanded, in drawing units."""
    out = Drawing2D()
    _walk(doc.modelspace(), out, None, 0)
    return out
