"""Scale notes as title blocks set them: letter-spaced digits are one number."""

from __future__ import annotations

import pytest
from floorcast_pdf.pages import SheetText
from floorcast_pdf.scale import from_notes


def _note(text: str) -> SheetText:
    return SheetText(text, 0, 0, 100, 10, 8)


@pytest.mark.parametrize(
    ("text", "ratio"),
    [("2 階 平面図 S : 1 / 1 0 0", "1:100"), ("SCALE 1 : 2 0 0", "1:200"), ("S=1/50", "1:50"), ("1:100 2F", "1:100")],
)
def test_scale_notes(text, ratio):
    assert from_notes([_note(text)]).ratio == ratio
