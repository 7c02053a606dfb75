"""Raw plan data -> straight polylines and filled polygons, in drawing units.

Curves become chords no further than ``tolerance`` from the true curve: arcs,
circles, polyline bulges and ellipses all at once with numpy; splines and hatch
boundaries one by one (few in any plan). Entities in an object coordinate system
(extrusion other than +Z: mirrored arcs, polylines...) are mapped to plan X/Y.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from ezdxf.math import BSpline, fit_points_to_cad_cv
from shapely.geometry import Polygon

from core.plugin_api import ragged_arange
from floorcast_dxf.raw import RawDrawing
from floorcast_dxf.scan import ocs_matrix

MAX_SEGMENTS = 256


@dataclass
class Shapes:
    """Ragged polylines: ``points[offsets[i]:offsets[i+1]]`` is shape i."""

    points: np.ndarray  # (N, 2)
    offsets: np.ndarray  # (n + 1,)
    closed: np.ndarray  # (n,) bool
    width: np.ndarray  # (n,) > 0: a polyline drawn with a pen this wide
    layer: np.ndarray  # (n,)
    owner: np.ndarray  # (n,)
    fills: list[tuple[int, int, Polygon]] = field(default_factory=list)  # (owner, layer, polygon)

    def __len__(self) -> int:
        return len(self.closed)

    def get(self, i: int) -> np.ndarray:
        return self.points[self.offsets[i] : self.offsets[i + 1]]


def _segments(sweep: np.ndarray, radius: np.ndarray, tolerance: np.ndarray | float) -> np.ndarray:
    """Chords needed for arcs of ``sweep`` radians so no chord strays beyond tolerance."""
    ratio = np.clip(1 - np.asarray(tolerance) / np.maximum(radius, 1e-12), -1, 1)
    step = 2 * np.arccos(ratio)
    n = np.ceil(np.abs(sweep) / np.maximum(step, 1e-9))
    return np.clip(np.nan_to_num(n, nan=1), 1, MAX_SEGMENTS).astype(np.int64)


def _apply_ocs(points: np.ndarray, owner_rows: np.ndarray, ext: np.ndarray) -> np.ndarray:
    """Map points (row ``owner_rows[k]`` of ``ext`` each) from OCS to plan."""
    odd = np.flatnonzero((np.abs(ext[:, 0]) > 1e-12) | (np.abs(ext[:, 1]) > 1e-12) | (ext[:, 2] <= 0))
    if not len(odd):
        return points
    points = points.copy()
    flip = odd[(np.abs(ext[odd, 0]) < 1e-12) & (np.abs(ext[odd, 1]) < 1e-12)]
    mask = np.isin(owner_rows, flip)
    points[mask, 0] *= -1
    for row in np.setdiff1d(odd, flip):
        m = owner_rows == row
        points[m] = points[m] @ ocs_matrix(ext[row]).T
    return points


def _polylines(raw: RawDrawing, tol_of_owner) -> tuple:
    pl, vt = raw.table("polylines"), raw.table("verts")
    n = len(pl["start"])
    if not n:
        return None
    vx = np.column_stack([vt["x"], vt["y"]])
    bulge = vt["bulge"]
    count = pl["count"]
    # vertex -> polyline; order vertices polyline by polyline
    vidx = np.repeat(pl["start"], count) + ragged_arange(count)
    owner_pl = np.repeat(np.arange(n), count)
    local = ragged_arange(count)
    pts = vx[vidx]
    b = bulge[vidx]
    last = local == np.repeat(count, count) - 1
    closed = pl["closed"].astype(bool)
    # the next vertex of each (the first one for the last vertex of a closed polyline)
    nxt = np.arange(len(vidx)) + 1
    nxt[last] = (np.cumsum(count) - count)[owner_pl[last]]
    has_seg = ~last | closed[owner_pl]
    curved = np.flatnonzero(has_seg & (np.abs(b) > 1e-9) & np.isfinite(b))
    keys = np.arange(len(vidx)) * (MAX_SEGMENTS + 1)
    all_pts, all_keys = [pts], [keys]
    if len(curved):
        p0, p1, bb = pts[curved], pts[nxt[curved]], b[curved]
        d = p1 - p0
        chord = np.hypot(d[:, 0], d[:, 1])
        ok = chord > 1e-12
        curved, p0, p1, bb, d, chord = curved[ok], p0[ok], p1[ok], bb[ok], d[ok], chord[ok]
        theta = 4 * np.arctan(bb)
        centre = (p0 + p1) / 2 + np.column_stack([-d[:, 1], d[:, 0]]) * ((1 - bb**2) / (4 * bb))[:, None]
        radius = np.hypot(*(p0 - centre).T)
        tol = tol_of_owner(pl["owner"][owner_pl[curved]])
        nseg = _segments(theta, radius, tol)
        inner = nseg - 1
        k = ragged_arange(inner) + 1
        rep = np.repeat(np.arange(len(curved)), inner)
        a0 = np.arctan2(p0[:, 1] - centre[:, 1], p0[:, 0] - centre[:, 0])
        ang = a0[rep] + theta[rep] * k / nseg[rep]
        arc_pts = centre[rep] + radius[rep, None] * np.column_stack([np.cos(ang), np.sin(ang)])
        all_pts.append(arc_pts)
        all_keys.append(keys[curved][rep] + k)
    points = np.concatenate(all_pts)
    order = np.argsort(np.concatenate(all_keys), kind="stable")
    points = points[order]
    owners = (
        np.concatenate([owner_pl, owner_pl[curved][np.repeat(np.arange(len(curved)), inner)]])[order]
        if len(curved)
        else owner_pl
    )
    ext = np.column_stack([pl["ex"], pl["ey"], pl["ez"]])
    points = _apply_ocs(points, owners, ext)
    sizes = np.bincount(owners, minlength=n)
    width = np.maximum(pl["width"], 0)
    # per-vertex widths: a polyline is as wide as its widest segment
    vw = np.maximum(vt["sw"][vidx], vt["ew"][vidx])
    vw = np.where(np.isfinite(vw), vw, 0)
    seg_width = np.zeros(n)
    np.maximum.at(seg_width, owner_pl, vw)
    width = np.maximum(width, seg_width)
    return points, sizes, closed, width, pl["layer"], pl["owner"]


def _arcs(raw: RawDrawing, tol_of_owner) -> tuple | None:
    t = raw.table("arcs")
    n = len(t["cx"])
    if not n:
        return None
    a0 = np.radians(t["a0"])
    sweep = np.radians(np.mod(t["a1"] - t["a0"], 360.0))
    sweep = np.where(sweep < 1e-9, 2 * np.pi, sweep)
    closed = t["closed"].astype(bool)
    sweep = np.where(closed, 2 * np.pi, sweep)
    r = np.abs(t["r"])
    nseg = np.maximum(_segments(sweep, r, tol_of_owner(t["owner"])), np.where(closed, 8, 1))
    npts = np.where(closed, nseg, nseg + 1)
    k = ragged_arange(npts)
    rep = np.repeat(np.arange(n), npts)
    ang = a0[rep] + sweep[rep] * k / nseg[rep]
    points = np.column_stack([t["cx"][rep] + r[rep] * np.cos(ang), t["cy"][rep] + r[rep] * np.sin(ang)])
    points = _apply_ocs(points, rep, np.column_stack([t["ex"], t["ey"], t["ez"]]))
    return points, npts, closed, np.zeros(n), t["layer"], t["owner"]


def _ellipses(raw: RawDrawing, tol_of_owner) -> tuple | None:
    t = raw.table("ellipses")
    n = len(t["cx"])
    if not n:
        return None
    p0, p1 = t["p0"], t["p1"]
    sweep = np.mod(p1 - p0, 2 * np.pi)
    closed = (sweep < 1e-9) | (np.abs(np.abs(p1 - p0) - 2 * np.pi) < 1e-6)
    sweep = np.where(closed, 2 * np.pi, sweep)
    major = np.column_stack([t["mx"], t["my"]])
    a = np.hypot(t["mx"], t["my"])
    minor = np.column_stack([-t["my"], t["mx"]]) * (t["ratio"] * np.sign(np.where(t["ez"] == 0, 1, t["ez"])))[:, None]
    nseg = np.maximum(_segments(sweep, a, tol_of_owner(t["owner"])), np.where(closed, 8, 1))
    npts = np.where(closed, nseg, nseg + 1)
    k = ragged_arange(npts)
    rep = np.repeat(np.arange(n), npts)
    u = p0[rep] + sweep[rep] * k / nseg[rep]
    points = (
        np.column_stack([t["cx"][rep], t["cy"][rep]])
        + major[rep] * np.cos(u)[:, None]
        + minor[rep] * np.sin(u)[:, None]
    )
    return points, npts, closed, np.zeros(n), t["layer"], t["owner"]


def _lines(raw: RawDrawing) -> tuple | None:
    t = raw.table("lines")
    n = len(t["x1"])
    if not n:
        return None
    points = np.column_stack([t["x1"], t["y1"], t["x2"], t["y2"]]).reshape(-1, 2)
    return points, np.full(n, 2), np.zeros(n, dtype=bool), np.zeros(n), t["layer"], t["owner"]


def spline_points(degree: int, control, knots, weights, fit, closed: bool, tolerance: float) -> np.ndarray:
    if len(control) >= 2:
        cps = [(float(x), float(y), 0.0) for x, y in control]
        order = degree + 1
        spline = BSpline(
            cps,
            order=order,
            knots=list(knots) if len(knots) == len(cps) + order else None,
            weights=list(weights) if len(weights) == len(cps) else None,
        )
    elif len(fit) >= 2:
        spline = fit_points_to_cad_cv([(float(x), float(y), 0.0) for x, y in fit])
    else:
        return np.zeros((0, 2))
    pts = np.array([(v.x, v.y) for v in spline.flattening(max(tolerance, 1e-9), segments=4)], dtype=float)
    return pts.reshape(-1, 2)


def _edge_points(edge: tuple, tolerance: float) -> np.ndarray:
    kind = edge[0]
    if kind == "line":
        return np.array([[edge[1], edge[2]], [edge[3], edge[4]]])
    if kind == "arc":
        _, cx, cy, r, a0, a1, ccw = edge
        sweep = np.radians(np.mod(a1 - a0, 360.0)) or 2 * np.pi
        n = int(_segments(np.array([sweep]), np.array([abs(r)]), tolerance)[0])
        ang = np.radians(a0) + sweep * np.arange(n + 1) / n
        pts = np.column_stack([cx + r * np.cos(ang), cy + r * np.sin(ang)])
        return pts if ccw else pts[::-1]
    if kind == "ellipse":
        _, cx, cy, mx, my, ratio, p0, p1, ccw = edge
        sweep = np.mod(p1 - p0, 2 * np.pi) or 2 * np.pi
        n = int(_segments(np.array([sweep]), np.array([np.hypot(mx, my)]), tolerance)[0])
        u = p0 + sweep * np.arange(n + 1) / n
        pts = np.column_stack(
            [cx + mx * np.cos(u) - my * ratio * np.sin(u), cy + my * np.cos(u) + mx * ratio * np.sin(u)]
        )
        return pts if ccw else pts[::-1]
    if kind == "spline":
        _, degree, control, knots, weights, fit = edge
        return spline_points(degree, control, knots, weights, fit, False, tolerance)
    if kind == "poly":
        _, verts, _closed = edge
        return _bulged(verts, tolerance)
    return np.zeros((0, 2))


def _bulged(verts: np.ndarray, tolerance: float) -> np.ndarray:
    """A closed polyline loop with bulges (k, 3) -> points."""
    out = []
    k = len(verts)
    for i in range(k):
        p0, b = verts[i, :2], verts[i, 2]
        out.append(p0[None])
        if abs(b) > 1e-9:
            p1 = verts[(i + 1) % k, :2]
            d = p1 - p0
            if np.hypot(*d) < 1e-12:
                continue
            theta = 4 * np.arctan(b)
            c = (p0 + p1) / 2 + np.array([-d[1], d[0]]) * (1 - b * b) / (4 * b)
            r = np.hypot(*(p0 - c))
            n = int(_segments(np.array([theta]), np.array([r]), tolerance)[0])
            a0 = np.arctan2(p0[1] - c[1], p0[0] - c[0])
            ang = a0 + theta * np.arange(1, n) / n
            out.append(np.column_stack([c[0] + r * np.cos(ang), c[1] + r * np.sin(ang)]))
    return np.concatenate(out) if out else np.zeros((0, 2))


def hatch_polygons(loops: list[list[tuple]], ext, tolerance: float) -> list[Polygon]:
    """A hatch's filled area (loops combined even-odd)."""
    rings = []
    for loop in loops:
        parts = [_edge_points(edge, tolerance) for edge in loop]
        parts = [p for p in parts if len(p)]
        if not parts:
            continue
        pts = np.concatenate(parts)
        if tuple(ext) != (0.0, 0.0, 1.0):
            pts = pts @ ocs_matrix(ext).T
        if len(pts) >= 3:
            poly = shapely.make_valid(Polygon(pts))
            if not poly.is_empty and poly.area > 0:
                rings.append(poly)
    if not rings:
        return []
    area = rings[0]
    for ring in rings[1:]:
        area = area.symmetric_difference(ring)
    return [p for p in shapely.get_parts(area) if isinstance(p, Polygon) and p.area > 0]


def flatten(raw: RawDrawing, tol_of_owner) -> Shapes:
    """Every drawn entity of ``raw`` as polylines (and fills), in drawing units.

    ``tol_of_owner(owner ids) -> tolerances`` gives the chord tolerance per
    container (finer in blocks that are scaled up where they are placed)."""
    parts = [p for p in (_lines(raw), _polylines(raw, tol_of_owner), _arcs(raw, tol_of_owner)) if p is not None]
    ell = _ellipses(raw, tol_of_owner)
    if ell is not None:
        parts.append(ell)
    extra_pts, extra = [], []
    for sp in raw.splines:
        try:
            pts = spline_points(
                sp.degree,
                sp.control,
                sp.knots,
                sp.weights,
                sp.fit,
                sp.closed,
                float(tol_of_owner(np.array([sp.owner]))[0]),
            )
        except Exception as exc:  # a broken spline is skipped, not fatal
            raw.skipped["SPLINE"] += 1
            if len(raw.warnings) < 20:
                raw.warnings.append(f"a SPLINE on layer {raw.layer_names[sp.layer]} was skipped: {exc}")
            continue
        if len(pts) >= 2:
            extra_pts.append(pts)
            extra.append((sp.closed, sp.layer, sp.owner))
    if extra_pts:
        parts.append(
            (
                np.concatenate(extra_pts),
                np.array([len(p) for p in extra_pts]),
                np.array([e[0] for e in extra], dtype=bool),
                np.zeros(len(extra)),
                np.array([e[1] for e in extra]),
                np.array([e[2] for e in extra]),
            )
        )
    if parts:
        points = np.concatenate([p[0] for p in parts])
        sizes = np.concatenate([p[1] for p in parts])
        shapes = Shapes(
            points,
            np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64),
            np.concatenate([p[2] for p in parts]).astype(bool),
            np.concatenate([p[3] for p in parts]),
            np.concatenate([p[4] for p in parts]).astype(np.int64),
            np.concatenate([p[5] for p in parts]).astype(np.int64),
        )
    else:
        empty = np.zeros(0, dtype=np.int64)
        shapes = Shapes(np.zeros((0, 2)), np.zeros(1, dtype=np.int64), empty.astype(bool), np.zeros(0), empty, empty)
    # straight single-loop hatches (most floor finishes and filled walls) in bulk
    plain = [
        i
        for i, h in enumerate(raw.hatches)
        if len(h.loops) == 1
        and len(h.loops[0]) == 1
        and h.loops[0][0][0] == "poly"
        and len(h.loops[0][0][1]) >= 3
        and tuple(h.extrusion) == (0.0, 0.0, 1.0)
        and not np.any(np.abs(h.loops[0][0][1][:, 2]) > 1e-9)
    ]
    if plain:
        rings = [raw.hatches[i].loops[0][0][1][:, :2] for i in plain]
        owner = np.array([raw.hatches[i].owner for i in plain])
        layer = np.array([raw.hatches[i].layer for i in plain])
        _fill_polygons(shapes, rings, owner, layer)
    taken = set(plain)
    for i, h in enumerate(raw.hatches):
        if i in taken:
            continue
        tol = float(tol_of_owner(np.array([h.owner]))[0])
        try:
            polys = hatch_polygons(h.loops, h.extrusion, tol)
        except Exception as exc:
            raw.skipped["HATCH"] += 1
            if len(raw.warnings) < 20:
                raw.warnings.append(f"a HATCH on layer {raw.layer_names[h.layer]} was skipped: {exc}")
            continue
        shapes.fills.extend((h.owner, h.layer, p) for p in polys)
    s = raw.table("solids")
    if len(s["x0"]):
        # corners in ring order (the readers put SOLID and TRACE's Z order right)
        quads = np.stack([np.column_stack([s[f"x{k}"], s[f"y{k}"]]) for k in range(4)], axis=1)
        ext = np.column_stack([s["ex"], s["ey"], s["ez"]])
        rows = np.repeat(np.arange(len(quads)), 4)
        quads = _apply_ocs(quads.reshape(-1, 2), rows, ext).reshape(-1, 4, 2)
        ok = np.flatnonzero(np.isfinite(quads).all(axis=(1, 2)))
        _fill_polygons(shapes, list(quads[ok]), s["owner"][ok], s["layer"][ok])
    return shapes


def _fill_polygons(shapes: Shapes, rings: list[np.ndarray], owner: np.ndarray, layer: np.ndarray) -> None:
    """Filled outlines (each (k, 2), k >= 3) made valid in bulk and added to the
    fills of ``shapes``."""
    if not rings:
        return
    index = np.repeat(np.arange(len(rings)), [len(r) for r in rings])
    polys = shapely.make_valid(shapely.polygons(shapely.linearrings(np.concatenate(rings), indices=index)))
    parts, which = shapely.get_parts(polys, return_index=True)
    while (nested := np.flatnonzero(shapely.get_type_id(parts) >= 4)).size:  # collections in collections
        inner, at = shapely.get_parts(parts[nested], return_index=True)
        rest = np.setdiff1d(np.arange(len(parts)), nested)
        parts, which = np.concatenate([parts[rest], inner]), np.concatenate([which[rest], which[nested][at]])
    keep = (shapely.get_type_id(parts) == 3) & (shapely.area(parts) > 0)
    shapes.fills.extend(
        zip(owner[which[keep]].tolist(), layer[which[keep]].tolist(), parts[keep].tolist(), strict=True)
    )
