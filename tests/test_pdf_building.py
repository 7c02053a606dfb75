"""The building on a PDF page: a legend's wall swatch and a detail drawn beside the
plan are left out with a warning (the sheet's frame without one); cluster=all
keeps them."""

from __future__ import annotations

import pymupdf
import pytest

from tests import pdf_factory
from tests.test_pdf_vector import convert


def test_legend_and_detail_beside_the_plan_are_left_out(tmp_path):
    src, crowded = tmp_path / "plan.pdf", tmp_path / "crowded.pdf"
    pdf_factory.building_plan(src)
    doc = pymupdf.open(src)
    page = doc[0]
    page.draw_rect(pymupdf.Rect(900, 300, 930, 315), color=(0, 0, 0), fill=(0, 0, 0))  # legend swatch
    for k in range(6):  # a detail: six lines, 30 pt apart, right of the plan
        page.draw_line(pymupdf.Point(850 + 30 * k, 450), pymupdf.Point(850 + 30 * k, 550), color=(0, 0, 0), width=2)
    doc.save(crowded)
    result, asset, _ = convert(crowded, tmp_path)
    assert asset["extent_m"]["size"][:2] == pytest.approx([20, 12], abs=0.1)
    found = result.report["pages"][0]["found"]
    told = [d for d in found["dropped"] if not d["frame"]]
    assert len(told) == 2 and sorted(d["count"] for d in told) == [1, 6]
    assert any("apart from the building were left out (2 drawings" in w for w in result.warnings), result.warnings
    result, asset, _ = convert(crowded, tmp_path, cluster="all")
    assert asset["extent_m"]["size"][0] > 25
    assert not any("apart from the building" in w for w in result.warnings)
