"""The streaming DXF scanner reads what ezdxf reads: same entities, same numbers."""

from __future__ import annotations

from pathlib import Path

import ezdxf
import numpy as np
import pytest
from floorcast_dxf.ezread import from_document
from floorcast_dxf.raw import TABLES
from floorcast_dxf.scan import ScanError, scan

from tests import dxf_factory
from tests.corpus import CORPUS


def _rows(raw, name: str, blocks: set[str]) -> list[tuple]:
    """A table's rows as comparable tuples (names for ids, polyline vertices inline),
    sorted: the readers may list entities in another order."""
    t = raw.table(name)
    vt = raw.table("verts")
    out = []
    for i in range(len(t[TABLES[name][0]])):
        owner = int(t["owner"][i])
        where = "*model" if owner == -1 else raw.blocks[owner].name.upper()
        if where not in blocks:
            continue
        row = [where]
        for col in TABLES[name]:
            value = t[col][i]
            if col == "layer":
                row.append(raw.layer_names[value])
            elif col == "block":
                row.append(raw.blocks[value].name.upper())
            elif col in ("owner", "start"):
                continue
            else:
                row.append(round(float(value), 6))
        if name == "polylines":
            a, n = int(t["start"][i]), int(t["count"][i])
            row.append(tuple(np.round(np.column_stack([vt[c][a : a + n] for c in TABLES["verts"]]), 6).ravel()))
        out.append(tuple(row))
    return sorted(out, key=repr)


def assert_same(path: Path) -> None:
    fast = scan(path)
    ref = from_document(ezdxf.readfile(path))
    assert fast.insunits == ref.insunits
    defined = {b.name.upper() for b in fast.blocks if b.defined and not b.layout}
    assert defined <= {b.name.upper() for b in ref.blocks if b.defined}
    blocks = defined | {"*model"}
    for name in TABLES:
        if name != "verts":
            assert _rows(fast, name, blocks) == _rows(ref, name, blocks), name
    assert sorted((t.text, round(t.x, 6), round(t.y, 6)) for t in fast.texts) == sorted(
        (t.text, round(t.x, 6), round(t.y, 6))
        for t in ref.texts
        if t.owner == -1 or ref.blocks[t.owner].name.upper() in blocks
    )
    assert len(fast.hatches) == len(
        [h for h in ref.hatches if h.owner == -1 or ref.blocks[h.owner].name.upper() in blocks]
    )
    assert len(fast.splines) == len(ref.splines)
    assert {b.name.upper(): b.base for b in fast.blocks if b.defined and not b.layout} == {
        b.name.upper(): b.base for b in ref.blocks if b.name.upper() in defined
    }


@pytest.mark.parametrize("make", ["building_plan", "curved_wall", "venue_plan", "styles_plan"])
def test_scanner_matches_ezdxf_on_generated_plans(tmp_path, make):
    path = tmp_path / f"{make}.dxf"
    getattr(dxf_factory, make)(path)
    assert_same(path)


REAL = [
    "Azure-Samples__am-creator-indoor-data-examples__contoso_v2_Ground.dxf",
    "chungkang__cad_reprojection__sample04_EPSG5186.dxf",
    "yorikvanhavre__barcelona-pavillion__plan_exported.dxf",
    "mozman__ezdxf__duplicate_handles.dxf",
]


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no DXF corpus at {CORPUS}")
@pytest.mark.parametrize("name", REAL)
def test_scanner_matches_ezdxf_on_real_plans(name):
    assert_same(CORPUS / name)


def test_scanner_declines_what_it_cannot_read(tmp_path):
    binary = tmp_path / "bin.dxf"
    dxf_factory.building_plan(binary, fmt="bin")
    with pytest.raises(ScanError):
        scan(binary)
    odd = tmp_path / "odd.dxf"
    odd.write_bytes(
        b"  0\nSECTION\n  2\nENTITIES\n  0\nLINE\n  8\nA\n 10\nnot a number\n 20\n0\n  0\nENDSEC\n  0\nEOF\n"
    )
    with pytest.raises(ScanError, match="not a number"):
        scan(odd)


def test_scanner_reads_small_chunks(tmp_path, monkeypatch):
    """Entities cut by chunk ends (a POLYLINE's VERTEXes, an INSERT's ATTRIBs) come
    out whole."""
    import floorcast_dxf.scan as scan_module

    path = tmp_path / "styles.dxf"
    dxf_factory.styles_plan(path)
    whole = scan(path)
    monkeypatch.setattr(scan_module, "CHUNK", 997)
    pieces = scan(path)
    for name, columns in TABLES.items():
        for col in columns:
            np.testing.assert_array_equal(whole.table(name)[col], pieces.table(name)[col])
    assert [t.text for t in whole.texts] == [t.text for t in pieces.texts]


@pytest.mark.parametrize(
    "text, mtext",
    [
        ("Office 001", False),
        ("회의실 B", False),
        ("50%%d north %%c200", False),
        ("A^IB", False),
        ("Seats: 20\\PRef. 1.2", True),
        ("{\\fArial|b1;Lobby}\\PNorth", True),
        ("a\\Pb\\~c \\\\P", True),
        ("Lounge", True),
    ],
)
def test_plain_labels_skip_the_full_parse_and_read_alike(text, mtext):
    from ezdxf.tools.text import fast_plain_mtext, plain_text
    from floorcast_dxf.scan import _plain

    expected = fast_plain_mtext(text) if mtext else plain_text(text)
    assert " ".join(_plain(text, mtext).split()) == " ".join(expected.split())


def test_fills_in_bulk_match_one_by_one(tmp_path):
    """Straight single-loop hatches and SOLIDs are filled in bulk; the result is
    what filling each by itself gives (bowties split, degenerate ones dropped)."""
    import ezdxf
    import shapely
    from floorcast_dxf.flatten import flatten, hatch_polygons

    doc = ezdxf.new("R2010")
    msp = doc.modelspace()
    for i in range(5):
        h = msp.add_hatch(dxfattribs={"layer": f"H{i % 2}"})
        h.paths.add_polyline_path([(i * 3, 0), (i * 3 + 2, 0), (i * 3 + 2, 1), (i * 3, 1)], is_closed=True)
    bowtie = msp.add_hatch()
    bowtie.paths.add_polyline_path([(0, 5), (2, 7), (2, 5), (0, 7)], is_closed=True)
    holed = msp.add_hatch()
    holed.paths.add_polyline_path([(10, 5), (14, 5), (14, 9), (10, 9)], is_closed=True)
    holed.paths.add_polyline_path([(11, 6), (12, 6), (12, 7), (11, 7)], is_closed=True)
    curved = msp.add_hatch()
    curved.paths.add_polyline_path([(20, 0, 0.5), (22, 0, 0), (22, 2, 0), (20, 2, 0)], is_closed=True)
    msp.add_solid([(30, 0), (32, 0), (30, 2), (32, 2)])
    msp.add_solid([(40, 0), (42, 2), (40, 2), (42, 0)])  # drawn as a bowtie
    msp.add_solid([(50, 0), (50, 0), (50, 0), (50, 0)])  # nothing
    path = tmp_path / "fills.dxf"
    doc.saveas(path)
    raw = scan(path)
    shapes = flatten(raw, lambda owners: np.full(len(owners), 0.001))
    seen = shapely.union_all([p for _, _, p in shapes.fills])
    expected = [p for h in raw.hatches for p in hatch_polygons(h.loops, h.extrusion, 0.001)]
    # SOLID corners come in Z order: the second one crosses itself
    expected += [
        shapely.box(30, 0, 32, 2),
        *shapely.make_valid(shapely.Polygon([(40, 0), (42, 2), (42, 0), (40, 2)])).geoms,
    ]
    assert len(shapes.fills) == len(expected)
    assert seen.symmetric_difference(shapely.union_all(expected)).area < 1e-9
    assert sorted(raw.layer_names[lid] for _, lid, _ in shapes.fills).count("H1") == 2
