"""A PDF that MuPDF cannot read is the file's fault; an exception in the plugin's
own code is not, and is neither blamed on the file nor swallowed."""

from __future__ import annotations

import pymupdf
import pytest
from floorcast_pdf.guards import inflated_size
from floorcast_pdf.mupdf_errors import from_mupdf
from floorcast_pdf.pages import page_texts

GARBAGE = b"%PDF-1.7\n" + bytes(range(256)) * 40


def _raised(call) -> BaseException:
    with pytest.raises(Exception) as info:
        call()
    return info.value


def test_errors_raised_inside_pymupdf_are_the_files():
    assert from_mupdf(_raised(lambda: pymupdf.open(stream=GARBAGE, filetype="pdf")))
    doc = pymupdf.open()
    doc.new_page()
    bad_xref = _raised(lambda: doc.xref_stream_raw(99_999))
    assert isinstance(bad_xref, ValueError) and from_mupdf(bad_xref)  # PyMuPDF's own ValueError


def test_errors_raised_in_our_code_are_not():
    def ours():
        raise ValueError("setting an array element with a sequence")

    assert not from_mupdf(_raised(ours))
    assert not from_mupdf(ValueError("never raised"))


def test_a_dangling_stream_is_measured_as_empty_but_a_fault_is_raised():
    doc = pymupdf.open()
    doc.new_page()
    assert inflated_size(doc, 99_999, 1024) == 0  # MuPDF: no such object, nothing to draw
    with pytest.raises(AttributeError):
        inflated_size(None, 1, 1024)  # our fault: raised, not read as an empty stream
    with pytest.raises(AttributeError):
        page_texts(None)  # not "a page without text"
