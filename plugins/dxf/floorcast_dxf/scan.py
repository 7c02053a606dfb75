"""A streaming scanner for ASCII DXF: only what a plan needs, in bounded memory.

The file is read in chunks of :data:`CHUNK` bytes; each chunk is cut after the
last complete entity and handled as arrays: the newline positions give every
line, group codes are parsed for all lines at once with numpy, and only the
values that matter (coordinates of lines, polylines, arcs, inserts...) are turned
into numbers — in bulk, through numpy's string-to-float cast. Texts, hatches and
splines, a small share of any plan, are read tag by tag. Sections other than
HEADER, TABLES, BLOCKS and ENTITIES are skipped, and reading stops at the end of
ENTITIES (the OBJECTS section that follows is often a third of the file).

Anything the scanner does not understand raises :class:`ScanError`; the caller
then reads the file with ezdxf (which also repairs damaged files).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import numpy as np
from ezdxf.lldxf.encoding import decode_dxf_unicode
from ezdxf.tools.codepage import toencoding
from ezdxf.tools.text import fast_plain_mtext, plain_text

from floorcast_dxf.markers import is_binary
from floorcast_dxf.raw import Block, Hatch, Layer, RawDrawing, Spline, Text, concat_tables

CHUNK = 2 << 20

TYPE_NAMES = (
    "OTHER",
    "SECTION",
    "ENDSEC",
    "EOF",
    "BLOCK",
    "ENDBLK",
    "LAYER",
    "LINE",
    "LWPOLYLINE",
    "POLYLINE",
    "VERTEX",
    "SEQEND",
    "ARC",
    "CIRCLE",
    "ELLIPSE",
    "SPLINE",
    "HATCH",
    "SOLID",
    "TRACE",
    "3DFACE",
    "INSERT",
    "TEXT",
    "MTEXT",
    "ATTRIB",
)
T = {name: i for i, name in enumerate(TYPE_NAMES)}
TYPE_ID = {name.encode(): i for i, name in enumerate(TYPE_NAMES)}
EVENTS = {T["SECTION"], T["ENDSEC"], T["EOF"], T["BLOCK"], T["ENDBLK"]}
#: entities that belong to the one before them: a chunk is never cut before them
CONTINUATION = {T["VERTEX"], T["SEQEND"], T["ATTRIB"]}
#: owner value of things that are not drawing content (tables, block headers...)
NOWHERE = -3
LAYOUT_PREFIXES = ("*MODEL_SPACE", "*PAPER_SPACE", "$MODEL_SPACE", "$PAPER_SPACE")


class ScanError(Exception):
    """The file is not ASCII DXF as the scanner reads it (binary, damaged, odd)."""


#: character -> digit value; 10 for a space, 11 for anything else
_DIGIT = np.full(256, 11, dtype=np.int16)
_DIGIT[48:58] = np.arange(10)
_DIGIT[32] = _DIGIT[9] = 10
_POW10 = (1, 10, 100, 1000)


def _codes(buf: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Group codes of the code lines [starts, ends): up to 4 digits, right-aligned
    behind optional spaces (the codes go up to 1071)."""
    length = ends - starts
    if len(length) and (length.min() < 1 or length.max() > 6):
        raise ScanError("a group code line is empty or too long")
    value = np.zeros(len(starts), dtype=np.int32)
    digits_seen = np.ones(len(starts), dtype=bool)
    for k in range(6):
        pos = ends - 1 - k
        inside = pos >= starts
        d = np.where(inside, _DIGIT[buf[np.maximum(pos, 0)]], 10)
        if (d == 11).any():
            raise ScanError("a group code is not a number")
        digit = d < 10
        if (digit & ~digits_seen).any():
            raise ScanError("a group code has a space inside it")
        if k < 4:
            value += np.where(digit, d, 0).astype(np.int32) * _POW10[k]
        elif digit.any():
            raise ScanError("a group code has more than four digits")
        digits_seen &= digit
        if not inside.any():
            break
    return value


class Scanner:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.raw = RawDrawing(reader="scan")
        self.section = ""
        self.owner = NOWHERE
        self.done = False
        self.layer_ids: dict[bytes, int] = {}
        self.block_ids: dict[str, int] = {}
        self.pieces: dict[str, list] = {name: [] for name in ("lines", "polylines", "verts", "arcs")}
        self.pieces.update({name: [] for name in ("ellipses", "solids", "inserts")})
        self.nverts = 0
        self.ninserts = 0
        self.text_codec = "cp1252"
        self.lines_seen = 0
        self.sections: set[str] = set()

    # -- names ----------------------------------------------------------------

    def decode(self, value: bytes) -> str:
        try:
            text = value.decode("utf-8")
        except UnicodeDecodeError:
            text = value.decode(self.text_codec, errors="replace")
        if "\\U+" in text:
            text = decode_dxf_unicode(text)
        return text

    def layer(self, name: bytes) -> int:
        lid = self.layer_ids.get(name)
        if lid is None:
            lid = self.layer_ids[name] = len(self.layer_ids)
        return lid

    def block(self, name: str) -> int:
        key = name.upper()
        bid = self.block_ids.get(key)
        if bid is None:
            bid = self.block_ids[key] = len(self.raw.blocks)
            self.raw.blocks.append(Block(name))
        return bid

    # -- the file ---------------------------------------------------------------

    def run(self) -> RawDrawing:
        with open(self.path, "rb") as fh:
            head = fh.read(32)
            if is_binary(head):
                raise ScanError("binary DXF")
            fh.seek(3 if head.startswith(b"\xef\xbb\xbf") else 0)
            carry = b""
            size = CHUNK
            while not self.done:
                chunk = fh.read(size)
                final = not chunk
                data = carry + chunk if carry else chunk
                if final and not data:
                    break
                try:
                    used = self.feed(data, final)
                except Exception as exc:  # say where, for the error message
                    where = f"the {self.section} section" if self.section else "the file"
                    exc.add_note(f"scanning {where} in the lines from {self.lines_seen + 1}")
                    raise
                carry = data[used:]
                # an entity longer than a chunk (a POLYLINE of many VERTEXes): read more at once
                size = CHUNK if used else 2 * size
                if final:
                    break
        if not self.done and self.section:
            raise ScanError(f"the file ends inside the {self.section} section")
        if "ENTITIES" not in self.sections:
            raise ScanError("the file has no ENTITIES section")
        return self.finish()

    def finish(self) -> RawDrawing:
        raw = self.raw
        names = [b""] * len(self.layer_ids)
        for name, lid in self.layer_ids.items():
            names[lid] = name
        raw.layer_names = [self.decode(n) for n in names]
        raw.tables = {name: concat_tables(name, pieces) for name, pieces in self.pieces.items()}
        return raw

    def feed(self, data: bytes, final: bool) -> int:
        """Handle the complete entities at the start of ``data``; return the bytes used."""
        buf = np.frombuffer(data, dtype=np.uint8)
        nl = np.flatnonzero(buf == 10)
        if final and len(data) and data[-1:] != b"\n":
            nl = np.append(nl, len(data))
        npairs = len(nl) // 2
        if npairs == 0:
            return len(data) if final else 0
        nl = nl[: 2 * npairs]
        starts = np.empty(2 * npairs, dtype=np.int64)
        starts[0] = 0
        starts[1:] = nl[:-1] + 1
        ends = nl.astype(np.int64)
        ends -= (buf[np.maximum(ends - 1, 0)] == 13) & (ends > starts)
        cs, ce, vs, ve = starts[0::2], ends[0::2], starts[1::2], ends[1::2]
        codes = _codes(buf, cs, ce)
        zero = np.flatnonzero(codes == 0)
        if not len(zero):
            if final:
                raise ScanError("no entities")
            return 0
        # entity types: the distinct names once, then an id per entity
        names, inverse = self.names(buf, vs[zero], ve[zero])
        tid = np.array([TYPE_ID.get(name, 0) for name in names], dtype=np.int64)[inverse]
        if final:
            cut = npairs
            used = len(data)
        else:
            k = len(zero) - 1
            while k > 0 and tid[k] in CONTINUATION:
                k -= 1
            if k <= 0:
                return 0
            cut = int(zero[k])
            used = int(cs[cut])
            zero, tid, inverse = zero[:k], tid[:k], inverse[:k]
        first = int(zero[0])
        self.handle(data, buf, codes[first:cut], vs[first:cut], ve[first:cut], zero - first, tid, (names, inverse))
        self.lines_seen += 2 * cut
        return used

    # -- one chunk of complete entities ------------------------------------------

    def handle(self, data, buf, codes, vs, ve, zero, tid, types) -> None:
        """One chunk: ``tid`` the type id of each entity, ``types`` (distinct type
        names, which one each entity has) for the types without an id."""
        raw = self.raw
        n = len(zero)
        pent = np.cumsum(codes == 0) - 1

        def tags(e: int) -> list[tuple[int, bytes]]:
            a = int(zero[e]) + 1
            b = int(zero[e + 1]) if e + 1 < n else len(codes)
            return list(
                zip(
                    codes[a:b].tolist(),
                    [data[x:y] for x, y in zip(vs[a:b].tolist(), ve[a:b].tolist(), strict=True)],
                    strict=True,
                )
            )

        # section and block context of every entity
        owner = np.full(n, NOWHERE, dtype=np.int64)
        cur, pos = self.owner, 0
        for e in np.flatnonzero(np.isin(tid, list(EVENTS))).tolist():
            owner[pos:e] = cur
            pos = e + 1
            kind = TYPE_NAMES[tid[e]]
            if kind == "SECTION":
                entry = tags(e)
                self.section = entry[0][1].strip().decode("latin-1").upper() if entry and entry[0][0] == 2 else "?"
                cur = -1 if self.section == "ENTITIES" else NOWHERE
                self.sections.add(self.section)
                if self.section == "HEADER":
                    self.header(entry[1:])
            elif kind == "ENDSEC":
                if self.section == "ENTITIES":
                    self.done = True
                self.section = ""
                cur = NOWHERE
            elif kind == "EOF":
                self.done = True
                cur = NOWHERE
            elif kind == "BLOCK" and self.section == "BLOCKS":
                cur = self.block_header(tags(e))
            elif kind == "ENDBLK":
                cur = NOWHERE
        owner[pos:] = cur
        self.owner = cur

        for e in np.flatnonzero(tid == T["LAYER"]).tolist():
            self.layer_entry(tags(e))

        keep = owner >= -1
        # paper space (67 = 1) and invisible (60 = 1) entities
        flagged = np.flatnonzero(((codes == 67) | (codes == 60)) & keep[pent])
        if len(flagged):
            on = self.floats(buf, vs[flagged], ve[flagged]) != 0
            for code, reason in ((67, "paper space"), (60, "invisible")):
                ents = np.unique(pent[flagged[on & (codes[flagged] == code)]])
                ents = ents[keep[ents]]
                raw.skipped[reason] += len(ents)
                keep[ents] = False

        # counts per type
        model = keep & (owner == -1)
        for counter, mask in ((raw.entity_counts, model), (raw.block_entity_counts, keep & (owner >= 0))):
            for t, count in enumerate(np.bincount(tid[mask], minlength=len(TYPE_NAMES)).tolist()):
                if count and t:
                    counter[TYPE_NAMES[t]] += count
            for e in np.flatnonzero(mask & (tid == 0)).tolist():
                counter[self.decode(types[0][types[1][e]])] += 1
        for name in ("VERTEX", "SEQEND"):
            for counter in (raw.entity_counts, raw.block_entity_counts):
                counter.pop(name, None)

        # layer of each entity (the first group 8)
        layer = np.full(n, self.layer(b"0"), dtype=np.int64)
        s8 = np.flatnonzero((codes == 8) & keep[pent])
        if len(s8):
            ents, first = np.unique(pent[s8], return_index=True)
            rows = s8[first]
            unique, inverse = self.names(buf, vs[rows], ve[rows])
            layer[ents] = np.array([self.layer(u) for u in unique], dtype=np.int64)[inverse]

        ptype = tid[pent]
        pkeep = keep[pent]
        ctx = _Chunk(self, buf, codes, vs, ve, pent, ptype, pkeep, n)

        def ents_of(name: str) -> np.ndarray:
            return np.flatnonzero((tid == T[name]) & keep)

        self.lines(ctx, ents_of("LINE"), layer, owner)
        self.lwpolylines(ctx, ents_of("LWPOLYLINE"), layer, owner)
        self.polylines(ctx, tid, keep, layer, owner)
        self.arcs(ctx, ents_of("ARC"), ents_of("CIRCLE"), layer, owner)
        self.ellipses(ctx, ents_of("ELLIPSE"), layer, owner)
        self.solids(ctx, layer, owner, keep, tid)
        insert_row = self.inserts(ctx, ents_of("INSERT"), layer, owner, data)

        for e in np.flatnonzero(keep & np.isin(tid, [T["TEXT"], T["MTEXT"]])).tolist():
            self.text(TYPE_NAMES[tid[e]], tags(e), int(owner[e]), int(layer[e]), -1)
        attribs = np.flatnonzero(keep & (tid == T["ATTRIB"]))
        if len(attribs):
            last_insert = np.maximum.accumulate(np.where(tid == T["INSERT"], np.arange(n), -1))
            for e in attribs.tolist():
                ins = int(last_insert[e])
                self.text("ATTRIB", tags(e), int(owner[e]), int(layer[e]), int(insert_row[ins]) if ins >= 0 else -1)
        for e in ents_of("HATCH").tolist():
            self.hatch(tags(e), int(owner[e]), int(layer[e]))
        for e in ents_of("SPLINE").tolist():
            self.spline(tags(e), int(owner[e]), int(layer[e]))

    # -- tables, header, blocks ---------------------------------------------------

    def header(self, entries: list[tuple[int, bytes]]) -> None:
        var = ""
        for code, val in entries:
            if code == 9:
                var = val.strip().decode("latin-1").upper()
            elif var == "$ACADVER" and code == 1:
                self.raw.version = val.strip().decode("latin-1")
            elif var == "$INSUNITS" and code == 70:
                try:
                    self.raw.insunits = int(val)
                except ValueError:
                    self.raw.insunits = None
            elif var == "$DWGCODEPAGE" and code == 3:
                try:
                    self.text_codec = toencoding(val.strip().decode("latin-1"))
                    "".encode(self.text_codec)
                except (LookupError, Exception):
                    self.text_codec = "cp1252"
        self.raw.encoding = "utf-8" if self.raw.version >= "AC1021" else self.text_codec

    def layer_entry(self, entry: list[tuple[int, bytes]]) -> None:
        name, raw_name, frozen, off = None, b"", False, False
        for code, val in entry:
            if code == 2 and name is None:
                name, raw_name = self.decode(val), val
            elif code == 70:
                frozen = bool(_int(val) & 1)
            elif code == 62:
                off = _int(val) < 0
        if name is not None:
            self.raw.layers[name] = Layer(name, frozen, off)
            self.layer(raw_name)

    def block_header(self, entry: list[tuple[int, bytes]]) -> int:
        name, flags, x, y, path = "", 0, 0.0, 0.0, None
        for code, val in entry:
            if code == 2 and not name:
                name = self.decode(val)
            elif code == 70:
                flags = _int(val)
            elif code == 10:
                x = _float(val)
            elif code == 20:
                y = _float(val)
            elif code == 1:
                path = self.decode(val).strip()
        bid = self.block(name)
        block = self.raw.blocks[bid]
        block.base, block.defined = (x, y), True
        if flags & (4 | 8):
            block.xref = path or ""
        if name.upper().startswith(LAYOUT_PREFIXES):
            block.layout = True
            return NOWHERE
        return bid

    # -- numbers and names ----------------------------------------------------------

    def names(self, buf: np.ndarray, vs: np.ndarray, ve: np.ndarray) -> tuple[list[bytes], np.ndarray]:
        """The distinct strings among the value lines [vs, ve) and, per line, which one."""
        length = ve - vs
        width = max(int(length.max()), 1)
        if width > 256:
            values = [buf[a:b].tobytes().strip() for a, b in zip(vs.tolist(), ve.tolist(), strict=True)]
            unique = list(dict.fromkeys(values))
            index = {v: i for i, v in enumerate(unique)}
            return unique, np.array([index[v] for v in values], dtype=np.int64)
        idx = vs[:, None] + np.arange(width)
        chars = np.where(idx < ve[:, None], buf[np.minimum(idx, len(buf) - 1)], 0).astype(np.uint8)
        unique, inverse = np.unique(np.ascontiguousarray(chars).view(f"S{width}").ravel(), return_inverse=True)
        return [u.strip() for u in unique.tolist()], inverse.ravel()

    def floats(self, buf: np.ndarray, vs: np.ndarray, ve: np.ndarray) -> np.ndarray:
        if not len(vs):
            return np.zeros(0)
        length = ve - vs
        width = int(length.max())
        if width > 64 or width < 1 or length.min() < 1:
            return np.array([_float(buf[a:b].tobytes()) for a, b in zip(vs.tolist(), ve.tolist(), strict=True)])
        idx = vs[:, None] + np.arange(width)
        chars = buf[np.minimum(idx, len(buf) - 1)]
        chars = np.where(idx < ve[:, None], chars, 0).astype(np.uint8)
        try:
            return np.ascontiguousarray(chars).view(f"S{width}").ravel().astype(np.float64)
        except ValueError:
            bad = next(
                buf[a:b].tobytes() for a, b in zip(vs.tolist(), ve.tolist(), strict=True) if not _isfloat(buf[a:b])
            )
            raise ScanError(f"a coordinate is not a number: {bad[:40]!r}") from None

    # -- geometry tables ------------------------------------------------------------

    def lines(self, ctx, ents, layer, owner) -> None:
        if not len(ents):
            return
        t = T["LINE"]
        self.pieces["lines"].append(
            {
                "x1": ctx.field(t, ents, 10),
                "y1": ctx.field(t, ents, 20),
                "x2": ctx.field(t, ents, 11),
                "y2": ctx.field(t, ents, 21),
                "layer": layer[ents],
                "owner": owner[ents],
            }
        )

    def lwpolylines(self, ctx, ents, layer, owner) -> None:
        if not len(ents):
            return
        t = T["LWPOLYLINE"]
        m = ctx.mask(t)
        s10 = np.flatnonzero(m & (ctx.codes == 10))
        s20 = np.flatnonzero(m & (ctx.codes == 20))
        if len(s10) != len(s20):
            raise ScanError("an LWPOLYLINE vertex lacks a coordinate")
        x, y = ctx.floats(s10), ctx.floats(s20)
        is10 = np.zeros(len(ctx.codes), dtype=bool)
        is10[s10] = True
        vertex_at = np.cumsum(is10) - 1
        extra = {}
        for code in (42, 40, 41):
            col = np.zeros(len(x))
            s = np.flatnonzero(m & (ctx.codes == code))
            if len(s):
                col[vertex_at[s]] = ctx.floats(s)
            extra[code] = col
        count = np.bincount(ctx.pent[s10], minlength=ctx.n)[ents]
        start = self.nverts + np.cumsum(count) - count
        self.nverts += len(x)
        self.pieces["verts"].append({"x": x, "y": y, "bulge": extra[42], "sw": extra[40], "ew": extra[41]})
        self.pieces["polylines"].append(
            {
                "start": start,
                "count": count,
                "closed": ctx.field(t, ents, 70, 0).astype(np.int64) & 1,
                "width": ctx.field(t, ents, 43, 0),
                "layer": layer[ents],
                "owner": owner[ents],
                **ctx.extrusion(t, ents),
            }
        )

    def polylines(self, ctx, tid, keep, layer, owner) -> None:
        t, tv = T["POLYLINE"], T["VERTEX"]
        ents = np.flatnonzero((tid == t) & keep)
        if not len(ents):
            return
        flags = ctx.field(t, ents, 70, 0).astype(np.int64)
        mesh = (flags & (16 | 64)) != 0
        if mesh.any():
            self.raw.skipped["POLYLINE (mesh)"] += int(mesh.sum())
        ents, flags = ents[~mesh], flags[~mesh]
        if not len(ents):
            return
        last = np.maximum.accumulate(np.where(tid == t, np.arange(ctx.n), -1))
        verts = np.flatnonzero(tid == tv)
        parent = last[verts]
        row = np.full(ctx.n, -1)
        row[ents] = np.arange(len(ents))
        ok = parent >= 0
        ok[ok] = row[parent[ok]] >= 0
        verts, parent = verts[ok], parent[ok]
        vflags = ctx.field(tv, verts, 70, 0, keep_only=False).astype(np.int64)
        drawn = (vflags & 16) == 0
        verts, parent = verts[drawn], parent[drawn]
        sw0 = ctx.field(t, ents, 40, 0)
        ew0 = ctx.field(t, ents, 41, 0)
        prow = row[parent]
        sw = ctx.field(tv, verts, 40, np.nan, keep_only=False)
        ew = ctx.field(tv, verts, 41, np.nan, keep_only=False)
        sw = np.where(np.isnan(sw), sw0[prow], sw)
        ew = np.where(np.isnan(ew), ew0[prow], ew)
        x = ctx.field(tv, verts, 10, np.nan, keep_only=False)
        y = ctx.field(tv, verts, 20, np.nan, keep_only=False)
        bulge = ctx.field(tv, verts, 42, 0, keep_only=False)
        count = np.bincount(prow, minlength=len(ents))
        start = self.nverts + np.cumsum(count) - count
        self.nverts += len(x)
        self.pieces["verts"].append({"x": x, "y": y, "bulge": bulge, "sw": sw, "ew": ew})
        self.pieces["polylines"].append(
            {
                "start": start,
                "count": count,
                "closed": flags & 1,
                "width": np.where(sw0 == ew0, sw0, 0),
                "layer": layer[ents],
                "owner": owner[ents],
                **ctx.extrusion(t, ents),
            }
        )

    def arcs(self, ctx, arcs, circles, layer, owner) -> None:
        for name, ents in (("ARC", arcs), ("CIRCLE", circles)):
            if not len(ents):
                continue
            t = T[name]
            is_arc = name == "ARC"
            self.pieces["arcs"].append(
                {
                    "cx": ctx.field(t, ents, 10),
                    "cy": ctx.field(t, ents, 20),
                    "r": ctx.field(t, ents, 40),
                    "a0": ctx.field(t, ents, 50, 0) if is_arc else np.zeros(len(ents)),
                    "a1": ctx.field(t, ents, 51, 0) if is_arc else np.full(len(ents), 360.0),
                    "closed": np.full(len(ents), 0 if is_arc else 1),
                    "layer": layer[ents],
                    "owner": owner[ents],
                    **ctx.extrusion(t, ents),
                }
            )

    def ellipses(self, ctx, ents, layer, owner) -> None:
        if not len(ents):
            return
        t = T["ELLIPSE"]
        self.pieces["ellipses"].append(
            {
                "cx": ctx.field(t, ents, 10),
                "cy": ctx.field(t, ents, 20),
                "mx": ctx.field(t, ents, 11),
                "my": ctx.field(t, ents, 21),
                "ratio": ctx.field(t, ents, 40, 1),
                "p0": ctx.field(t, ents, 41, 0),
                "p1": ctx.field(t, ents, 42, 2 * np.pi),
                "layer": layer[ents],
                "owner": owner[ents],
                "ez": ctx.field(t, ents, 230, 1),
            }
        )

    def solids(self, ctx, layer, owner, keep, tid) -> None:
        for name in ("SOLID", "TRACE", "3DFACE"):
            t = T[name]
            ents = np.flatnonzero((tid == t) & keep)
            if not len(ents):
                continue
            cols = {}
            for k in range(4):
                cols[f"x{k}"] = ctx.field(t, ents, 10 + k, np.nan)
                cols[f"y{k}"] = ctx.field(t, ents, 20 + k, np.nan)
            for k in ("x3", "y3"):  # three corners: the last repeats the third
                cols[k] = np.where(np.isnan(cols[k]), cols[k.replace("3", "2")], cols[k])
            if name != "3DFACE":  # SOLID and TRACE list their corners in Z order
                for a in "xy":
                    cols[f"{a}2"], cols[f"{a}3"] = cols[f"{a}3"], cols[f"{a}2"]
            ext = ctx.extrusion(t, ents) if name != "3DFACE" else _no_extrusion(len(ents))
            self.pieces["solids"].append({**cols, "layer": layer[ents], "owner": owner[ents], **ext})

    def inserts(self, ctx, ents, layer, owner, data) -> np.ndarray:
        row = np.full(ctx.n, -1, dtype=np.int64)
        if not len(ents):
            return row
        t = T["INSERT"]
        s2 = np.flatnonzero(ctx.mask(t) & (ctx.codes == 2))
        names, first = np.unique(ctx.pent[s2], return_index=True)
        block = np.full(ctx.n, -1, dtype=np.int64)
        rows = s2[first]
        unique, inverse = self.names(ctx.buf, ctx.vs[rows], ctx.ve[rows])
        block[names] = np.array([self.block(self.decode(u)) for u in unique], dtype=np.int64)[inverse]
        cols = np.maximum(ctx.field(t, ents, 70, 1), 1)
        rows_ = np.maximum(ctx.field(t, ents, 71, 1), 1)
        self.pieces["inserts"].append(
            {
                "block": block[ents],
                "x": ctx.field(t, ents, 10),
                "y": ctx.field(t, ents, 20),
                "sx": ctx.field(t, ents, 41, 1),
                "sy": ctx.field(t, ents, 42, 1),
                "rotation": ctx.field(t, ents, 50, 0),
                "cols": cols.astype(np.int64),
                "rows": rows_.astype(np.int64),
                "col_spacing": ctx.field(t, ents, 44, 0),
                "row_spacing": ctx.field(t, ents, 45, 0),
                "layer": layer[ents],
                "owner": owner[ents],
                **ctx.extrusion(t, ents),
            }
        )
        row[ents] = self.ninserts + np.arange(len(ents))
        self.ninserts += len(ents)
        return row

    # -- entities read tag by tag ----------------------------------------------------

    def text(self, kind: str, entry: list[tuple[int, bytes]], owner: int, layer: int, insert: int) -> None:
        parts: list[bytes] = []
        main = b""
        pos = {10: 0.0, 20: 0.0, 11: None, 21: None}
        align = 0
        flags = 0
        ext = [0.0, 0.0, 1.0]
        seen: set[int] = set()
        for code, val in entry:
            if code == 101:  # embedded object (MTEXT columns): nothing more of ours
                break
            if code in seen and code in pos:
                continue
            if code == 1:
                main = val
            elif code == 3:
                parts.append(val)
            elif code in pos:
                pos[code] = _float(val)
                seen.add(code)
            elif code in (72, 73) and kind != "MTEXT":
                align |= _int(val)
            elif code == 70 and kind == "ATTRIB":
                flags = _int(val)
            elif code in (210, 220, 230):
                ext[(code - 210) // 10] = _float(val)
        if flags & 1:
            self.raw.skipped["invisible"] += 1
            return
        raw_text = self.decode(b"".join(parts) + main)
        text = " ".join(_plain(raw_text, kind == "MTEXT").split())
        if not text:
            return
        x, y = pos[10], pos[20]
        if align and pos[11] is not None and kind != "MTEXT":
            x, y = pos[11], pos[21] if pos[21] is not None else y
        if kind != "MTEXT" and ext != [0.0, 0.0, 1.0]:
            x, y = ocs_points(np.array([[x, y]]), ext)[0]
        self.raw.texts.append(Text(owner, layer, text, float(x), float(y), insert))

    def hatch(self, entry: list[tuple[int, bytes]], owner: int, layer: int) -> None:
        try:
            loops, ext = parse_hatch(entry)
        except (ValueError, IndexError) as exc:
            raise ScanError(f"a HATCH could not be read: {exc}") from None
        if loops:
            self.raw.hatches.append(Hatch(owner, layer, loops, ext))

    def spline(self, entry: list[tuple[int, bytes]], owner: int, layer: int) -> None:
        degree, flags = 3, 0
        ctrl, fit, knots, weights = [], [], [], []
        for code, val in entry:
            if code == 71:
                degree = _int(val)
            elif code == 70:
                flags = _int(val)
            elif code == 10:
                ctrl.append([_float(val), 0.0])
            elif code == 20 and ctrl:
                ctrl[-1][1] = _float(val)
            elif code == 11:
                fit.append([_float(val), 0.0])
            elif code == 21 and fit:
                fit[-1][1] = _float(val)
            elif code == 40:
                knots.append(_float(val))
            elif code == 41:
                weights.append(_float(val))
        self.raw.splines.append(
            Spline(
                owner,
                layer,
                degree,
                bool(flags & 1),
                np.array(ctrl, dtype=float).reshape(-1, 2),
                np.array(knots, dtype=float),
                np.array(weights, dtype=float),
                np.array(fit, dtype=float).reshape(-1, 2),
            )
        )


class _Chunk:
    """Columns of one chunk's pairs and the per-entity field lookups on them."""

    def __init__(self, scanner, buf, codes, vs, ve, pent, ptype, pkeep, n):
        self.scanner, self.buf, self.codes, self.vs, self.ve = scanner, buf, codes, vs, ve
        self.pent, self.ptype, self.pkeep, self.n = pent, ptype, pkeep, n
        self._masks: dict[tuple[int, bool], np.ndarray] = {}

    def mask(self, t: int, keep_only: bool = True) -> np.ndarray:
        key = (t, keep_only)
        if key not in self._masks:
            m = self.ptype == t
            self._masks[key] = m & self.pkeep if keep_only else m
        return self._masks[key]

    def floats(self, rows: np.ndarray) -> np.ndarray:
        return self.scanner.floats(self.buf, self.vs[rows], self.ve[rows])

    def field(self, t: int, ents: np.ndarray, code: int, default=np.nan, keep_only: bool = True) -> np.ndarray:
        """The first value of group ``code`` of each entity in ``ents`` (type ``t``)."""
        rows = np.flatnonzero(self.mask(t, keep_only) & (self.codes == code))
        out = np.full(self.n, default, dtype=np.float64)
        if len(rows):
            out[self.pent[rows][::-1]] = self.floats(rows)[::-1]
        return out[ents]

    def extrusion(self, t: int, ents: np.ndarray) -> dict[str, np.ndarray]:
        return {
            "ex": self.field(t, ents, 210, 0),
            "ey": self.field(t, ents, 220, 0),
            "ez": self.field(t, ents, 230, 1),
        }


#: characters that start a control code in TEXT (%%d, ^I) or MTEXT (\\P, {\\fArial;...})
_TEXT_CODES = re.compile(r"[%^\\{}\x00-\x1f]")


def _plain(text: str, mtext: bool) -> str:
    """The text without its control codes; plain ones (most labels, and MTEXT
    with only line breaks) as they are, without the full parse."""
    quick = text.replace("\\P", "\n") if mtext else text
    if not _TEXT_CODES.search(quick.replace("\n", " ")):
        return quick
    return str(fast_plain_mtext(text) if mtext else plain_text(text))


def _no_extrusion(n: int) -> dict[str, np.ndarray]:
    return {"ex": np.zeros(n), "ey": np.zeros(n), "ez": np.ones(n)}


def _int(val: bytes) -> int:
    try:
        return int(val)
    except ValueError:
        try:
            return int(float(val))
        except ValueError:
            raise ScanError(f"not an integer: {val[:40]!r}") from None


def _float(val: bytes) -> float:
    try:
        return float(val)
    except ValueError:
        raise ScanError(f"not a number: {val[:40]!r}") from None


def _isfloat(val) -> bool:
    try:
        float(val.tobytes() if hasattr(val, "tobytes") else val)
        return True
    except ValueError:
        return False


def ocs_matrix(ext) -> np.ndarray:
    """2x2 matrix taking OCS (x, y) to plan (x, y) for extrusion ``ext`` (the
    arbitrary axis algorithm of the DXF reference)."""
    az = np.asarray(ext, dtype=float)
    norm = np.linalg.norm(az)
    if norm < 1e-12:
        return np.eye(2)
    az = az / norm
    if abs(az[0]) < 1 / 64 and abs(az[1]) < 1 / 64:
        ax = np.cross([0.0, 1.0, 0.0], az)
    else:
        ax = np.cross([0.0, 0.0, 1.0], az)
    ax /= np.linalg.norm(ax)
    ay = np.cross(az, ax)
    return np.array([[ax[0], ay[0]], [ax[1], ay[1]]])


def ocs_points(points: np.ndarray, ext) -> np.ndarray:
    return np.asarray(points, dtype=float) @ ocs_matrix(ext).T


def parse_hatch(entry: list[tuple[int, bytes]]) -> tuple[list[list[tuple]], tuple[float, float, float]]:
    """The boundary loops of a HATCH from its tags (see :class:`floorcast_dxf.raw.Hatch`)."""
    ext = [0.0, 0.0, 1.0]
    i = 0
    while i < len(entry) and entry[i][0] != 91:
        code, val = entry[i]
        if code in (210, 220, 230):
            ext[(code - 210) // 10] = float(val)
        i += 1
    if i == len(entry):
        return [], tuple(ext)
    npaths = int(entry[i][1])
    i += 1
    loops: list[list[tuple]] = []

    def take(code: int) -> float:
        nonlocal i
        while entry[i][0] != code:
            i += 1
        val = float(entry[i][1])
        i += 1
        return val

    for _ in range(npaths):
        flags = int(take(92))
        if flags & 2:
            has_bulge = int(take(72))
            closed = int(take(73))
            count = int(take(93))
            pts = np.zeros((count, 3))
            for k in range(count):
                pts[k, 0] = take(10)
                pts[k, 1] = take(20)
                if has_bulge and i < len(entry) and entry[i][0] == 42:
                    pts[k, 2] = float(entry[i][1])
                    i += 1
            loops.append([("poly", pts, True)])
            del closed
        else:
            count = int(take(93))
            edges: list[tuple] = []
            for _ in range(count):
                kind = int(take(72))
                if kind == 1:
                    edges.append(("line", take(10), take(20), take(11), take(21)))
                elif kind == 2:
                    cx, cy, r, a0, a1 = take(10), take(20), take(40), take(50), take(51)
                    ccw = int(take(73))
                    if not ccw:
                        a0, a1 = 360.0 - a1, 360.0 - a0
                    edges.append(("arc", cx, cy, r, a0, a1, bool(ccw)))
                elif kind == 3:
                    cx, cy, mx, my, ratio = take(10), take(20), take(11), take(21), take(40)
                    p0, p1 = take(50), take(51)
                    ccw = int(take(73))
                    if not ccw:
                        p0, p1 = 360.0 - p1, 360.0 - p0
                    edges.append(("ellipse", cx, cy, mx, my, ratio, np.radians(p0), np.radians(p1), bool(ccw)))
                elif kind == 4:
                    degree = int(take(94))
                    take(73)
                    take(74)
                    nknots, nctrl = int(take(95)), int(take(96))
                    knots = [take(40) for _ in range(nknots)]
                    ctrl, weights = [], []
                    for _ in range(nctrl):
                        ctrl.append((take(10), take(20)))
                        if i < len(entry) and entry[i][0] == 42:
                            weights.append(float(entry[i][1]))
                            i += 1
                    fit = []
                    if i < len(entry) and entry[i][0] == 97:
                        nfit = int(entry[i][1])
                        i += 1
                        fit = [(take(11), take(21)) for _ in range(nfit)]
                    edges.append(
                        (
                            "spline",
                            degree,
                            np.array(ctrl, dtype=float).reshape(-1, 2),
                            np.array(knots),
                            np.array(weights),
                            np.array(fit, dtype=float).reshape(-1, 2),
                        )
                    )
                else:
                    raise ValueError(f"unknown edge type {kind}")
            loops.append(edges)
        # source boundary objects: 97 count, then that many 330 handles
        if i < len(entry) and entry[i][0] == 97:
            nsrc = int(entry[i][1])
            i += 1 + sum(1 for _ in range(nsrc))
    return loops, tuple(ext)


def scan(path: Path) -> RawDrawing:
    """Read an ASCII DXF with the streaming scanner. Raises :class:`ScanError`."""
    scanner = Scanner(path)
    raw = scanner.run()
    raw.skipped = Counter(dict(raw.skipped))
    return raw
