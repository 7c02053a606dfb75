"""An ezdxf document -> :class:`~floorcast_dxf.raw.RawDrawing`, the same plan data the
streaming scanner gives. Used for binary DXF, for files ezdxf had to repair, for
anything the scanner declines, and in the tests as the reference reading."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from ezdxf.document import Drawing
from ezdxf.tools.text import fast_plain_mtext, plain_text

from floorcast_dxf.raw import TABLES, Block, Hatch, Layer, RawDrawing, Spline, Text, concat_tables
from floorcast_dxf.scan import LAYOUT_PREFIXES, ocs_points


class _Reader:
    def __init__(self, doc: Drawing):
        self.doc = doc
        self.raw = RawDrawing(reader="ezdxf", version=doc.dxfversion, encoding=doc.encoding)
        insunits = doc.header.get("$INSUNITS", None)
        self.raw.insunits = int(insunits) if insunits is not None else None
        self.rows: dict[str, dict[str, list]] = {name: defaultdict(list) for name in TABLES}
        self.layer_ids: dict[str, int] = {}
        self.block_ids: dict[str, int] = {}

    def layer(self, name: str) -> int:
        if name not in self.layer_ids:
            self.layer_ids[name] = len(self.layer_ids)
            self.raw.layer_names.append(name)
        return self.layer_ids[name]

    def block(self, name: str) -> int:
        key = name.upper()
        if key not in self.block_ids:
            self.block_ids[key] = len(self.raw.blocks)
            self.raw.blocks.append(Block(name))
        return self.block_ids[key]

    def add(self, table: str, **values) -> None:
        rows = self.rows[table]
        for key, value in values.items():
            rows[key].append(value)

    def read(self) -> RawDrawing:
        raw = self.raw
        self.layer("0")
        for layer in self.doc.layers:
            name = layer.dxf.name
            raw.layers[name] = Layer(name, layer.is_frozen(), layer.is_off())
            self.layer(name)
        for block in self.doc.blocks:
            if block.name.upper().startswith(LAYOUT_PREFIXES):
                continue
            bid = self.block(block.name)
            record = raw.blocks[bid]
            base = block.block.dxf.get("base_point", (0, 0, 0))
            record.base, record.defined = (float(base[0]), float(base[1])), True
            if block.block.dxf.get("flags", 0) & (4 | 8):
                record.xref = block.block.dxf.get("xref_path", "") or ""
            self.walk(block, bid, raw.block_entity_counts)
        self.walk(self.doc.modelspace(), -1, raw.entity_counts)
        raw.tables = {}
        for name, columns in TABLES.items():
            rows = self.rows[name]
            raw.tables[name] = concat_tables(name, [{c: rows[c] for c in columns}] if rows else [])
        return raw

    def walk(self, entities, owner: int, counts) -> None:
        for entity in entities:
            kind = entity.dxftype()
            if entity.dxf.get("invisible", 0):
                self.raw.skipped["invisible"] += 1
                continue
            counts[kind] += 1
            layer = self.layer(entity.dxf.get("layer", "0") or "0")
            try:
                self.entity(entity, kind, owner, layer, counts)
            except Exception as exc:  # one malformed entity must not sink the plan
                self.raw.skipped[kind] += 1
                if len(self.raw.warnings) < 20:
                    self.raw.warnings.append(f"{kind} #{entity.dxf.get('handle', '?')} skipped: {exc}")

    def entity(self, e, kind: str, owner: int, layer: int, counts) -> None:
        dxf = e.dxf
        common = {"layer": layer, "owner": owner}
        if kind == "LINE":
            self.add("lines", x1=dxf.start.x, y1=dxf.start.y, x2=dxf.end.x, y2=dxf.end.y, **common)
        elif kind == "LWPOLYLINE":
            pts = np.array(list(e.get_points("xyseb")), dtype=float).reshape(-1, 5)
            self.polyline(pts, bool(e.closed), dxf.get("const_width", 0.0), e, common)
        elif kind == "POLYLINE":
            if e.is_poly_face_mesh or e.is_polygon_mesh:
                self.raw.skipped["POLYLINE (mesh)"] += 1
                return
            sw0, ew0 = dxf.get("default_start_width", 0.0), dxf.get("default_end_width", 0.0)
            pts = [
                (
                    v.dxf.location.x,
                    v.dxf.location.y,
                    v.dxf.get("start_width", sw0),
                    v.dxf.get("end_width", ew0),
                    v.dxf.get("bulge", 0.0),
                )
                for v in e.vertices
                if not v.dxf.get("flags", 0) & 16
            ]
            pts = np.array(pts, dtype=float).reshape(-1, 5)
            self.polyline(pts, bool(e.is_closed), sw0 if sw0 == ew0 else 0.0, e, common)
        elif kind in ("ARC", "CIRCLE"):
            arc = kind == "ARC"
            self.add(
                "arcs",
                cx=dxf.center.x,
                cy=dxf.center.y,
                r=dxf.radius,
                a0=dxf.start_angle if arc else 0.0,
                a1=dxf.end_angle if arc else 360.0,
                closed=0 if arc else 1,
                **common,
                **_ext(e),
            )
        elif kind == "ELLIPSE":
            self.add(
                "ellipses",
                cx=dxf.center.x,
                cy=dxf.center.y,
                mx=dxf.major_axis.x,
                my=dxf.major_axis.y,
                ratio=dxf.ratio,
                p0=dxf.start_param,
                p1=dxf.end_param,
                ez=dxf.get("extrusion", (0, 0, 1))[2],
                **common,
            )
        elif kind in ("SOLID", "TRACE", "3DFACE"):
            corners = {}
            for k in range(4):
                v = dxf.get(f"vtx{k}", None)
                if v is None:  # three corners: the last repeats the third
                    v = dxf.get("vtx2")
                corners[f"x{k}"], corners[f"y{k}"] = v[0], v[1]
            if kind != "3DFACE":  # SOLID and TRACE list their corners in Z order
                for a in "xy":
                    corners[f"{a}2"], corners[f"{a}3"] = corners[f"{a}3"], corners[f"{a}2"]
            ext = _ext(e) if kind != "3DFACE" else {"ex": 0.0, "ey": 0.0, "ez": 1.0}
            self.add("solids", **corners, **common, **ext)
        elif kind == "INSERT":
            index = len(self.rows["inserts"]["x"])
            self.add(
                "inserts",
                block=self.block(dxf.name),
                x=dxf.insert.x,
                y=dxf.insert.y,
                sx=dxf.get("xscale", 1.0),
                sy=dxf.get("yscale", 1.0),
                rotation=dxf.get("rotation", 0.0),
                cols=max(int(dxf.get("column_count", 1)), 1),
                rows=max(int(dxf.get("row_count", 1)), 1),
                col_spacing=dxf.get("column_spacing", 0.0),
                row_spacing=dxf.get("row_spacing", 0.0),
                **common,
                **_ext(e),
            )
            for attrib in e.attribs:
                counts["ATTRIB"] += 1
                if attrib.dxf.get("flags", 0) & 1 or attrib.dxf.get("invisible", 0):
                    self.raw.skipped["invisible"] += 1
                    continue
                a_layer = self.layer(attrib.dxf.get("layer", "0") or "0")
                self.text(attrib, "ATTRIB", owner, a_layer, index)
        elif kind in ("TEXT", "MTEXT"):
            self.text(e, kind, owner, layer, -1)
        elif kind == "HATCH":
            self.hatch(e, owner, layer)
        elif kind == "SPLINE":
            ctrl = np.array([(p[0], p[1]) for p in e.control_points], dtype=float).reshape(-1, 2)
            fit = np.array([(p[0], p[1]) for p in e.fit_points], dtype=float).reshape(-1, 2)
            self.raw.splines.append(
                Spline(
                    owner,
                    layer,
                    int(dxf.degree),
                    bool(e.closed),
                    ctrl,
                    np.array(list(e.knots), dtype=float),
                    np.array(list(e.weights), dtype=float),
                    fit,
                )
            )

    def polyline(self, pts: np.ndarray, closed: bool, width: float, e, common: dict) -> None:
        verts = self.rows["verts"]
        start = len(verts["x"])
        for col, key in enumerate(("x", "y", "sw", "ew", "bulge")):
            verts[key].extend(pts[:, col].tolist())
        self.add("polylines", start=start, count=len(pts), closed=int(closed), width=width, **common, **_ext(e))

    def text(self, e, kind: str, owner: int, layer: int, insert: int) -> None:
        if kind == "MTEXT":
            text = fast_plain_mtext(e.text)
            x, y = e.dxf.insert.x, e.dxf.insert.y
        else:
            text = plain_text(e.dxf.get("text", ""))
            pos = e.dxf.insert
            if (e.dxf.get("halign", 0) or e.dxf.get("valign", 0)) and e.dxf.hasattr("align_point"):
                pos = e.dxf.align_point
            x, y = pos.x, pos.y
            ext = tuple(e.dxf.get("extrusion", (0, 0, 1)))
            if ext != (0, 0, 1):
                x, y = ocs_points(np.array([[x, y]]), ext)[0]
        text = " ".join(str(text).split())
        if text:
            self.raw.texts.append(Text(owner, layer, text, float(x), float(y), insert))

    def hatch(self, e, owner: int, layer: int) -> None:
        loops = []
        for path in e.paths:
            if path.type.name == "PolylinePath" or hasattr(path, "vertices"):
                pts = np.array([(v[0], v[1], v[2] if len(v) > 2 else 0.0) for v in path.vertices], dtype=float)
                loops.append([("poly", pts.reshape(-1, 3), True)])
                continue
            edges = []
            for edge in path.edges:
                name = edge.type.name
                if name == "LINE":
                    edges.append(("line", edge.start[0], edge.start[1], edge.end[0], edge.end[1]))
                elif name == "ARC":
                    edges.append(
                        ("arc", edge.center[0], edge.center[1], edge.radius, edge.start_angle, edge.end_angle, edge.ccw)
                    )
                elif name == "ELLIPSE":
                    edges.append(
                        (
                            "ellipse",
                            edge.center[0],
                            edge.center[1],
                            edge.major_axis[0],
                            edge.major_axis[1],
                            edge.ratio,
                            np.radians(edge.start_angle),
                            np.radians(edge.end_angle),
                            edge.ccw,
                        )
                    )
                elif name == "SPLINE":
                    edges.append(
                        (
                            "spline",
                            int(edge.degree),
                            np.array([(p[0], p[1]) for p in edge.control_points], dtype=float).reshape(-1, 2),
                            np.array(list(edge.knot_values), dtype=float),
                            np.array(list(edge.weights), dtype=float),
                            np.array([(p[0], p[1]) for p in edge.fit_points], dtype=float).reshape(-1, 2),
                        )
                    )
            loops.append(edges)
        if loops:
            self.raw.hatches.append(Hatch(owner, layer, loops, tuple(e.dxf.get("extrusion", (0, 0, 1)))))


def _ext(e) -> dict[str, float]:
    ext = e.dxf.get("extrusion", (0.0, 0.0, 1.0))
    return {"ex": float(ext[0]), "ey": float(ext[1]), "ez": float(ext[2])}


def from_document(doc: Drawing) -> RawDrawing:
    """The plan data of an ezdxf document."""
    return _Reader(doc).read()
