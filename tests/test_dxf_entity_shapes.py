"""Entities of every shape real plans hold reach the GLB through both DXF readers:
hatch boundaries of lines, arcs, ellipses, splines and bulged polylines in any
order (a boundary whose first edge is a spline once failed the whole plan while
the converter sampled the drawing's extent), empty paths, polylines with no
vertex, 3D points, OCS entities, attributes and block arrays."""

from __future__ import annotations

import pytest
import shapely
from floorcast_dxf.plugin import floorcast_register_formats

from core.convert.pipeline import convert_file
from tests import dxf_factory
from tests.dxf_factory import read_glb, walls_of
from tests.gltf_validator import validate


@pytest.fixture(scope="module")
def awkward(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("awkward")
    src = tmp / "awkward.dxf"
    return src, dxf_factory.awkward_entities(src)


@pytest.mark.parametrize("reader", ["auto", "ezdxf"])
def test_awkward_entities_convert_with_every_hatch_read(awkward, tmp_path, reader):
    src, truth = awkward
    out = tmp_path / "awkward.glb"
    result = convert_file(floorcast_register_formats(), src, out, options={"reader": reader}, progress=lambda *a: None)
    report = validate(out)
    assert report["numWarnings"] == 0, report["messages"]
    assert result.report["reader"] == ("scan" if reader == "auto" else "ezdxf")
    assert result.report["entities"]["HATCH"] == 8 and result.report["entities"]["ATTRIB"] == 1
    assert "HATCH" not in result.report["skipped"] and "SPLINE" not in result.report["skipped"]
    assert result.warnings == ["INSERTs of undefined blocks were skipped: NO_SUCH_BLOCK"]
    asset, nodes = read_glb(out)
    walls = walls_of(asset, nodes)
    for strip in shapely.get_parts(truth.walls):  # each hatched strip and ring became wall
        assert walls.intersection(strip).area >= 0.95 * strip.area, strip.bounds
