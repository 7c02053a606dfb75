"""Telling MuPDF failing on a file from a fault in the plugin's own code.

A page MuPDF cannot interpret is the file's fault (``corrupt_file``); an exception
our code raises while reading a good page is not, and must reach the pipeline,
which reports it as ``internal_error``. Both can be a ValueError, so the question
is where it was raised: inside PyMuPDF (its Python layer or MuPDF's bindings) or
not.
"""

from __future__ import annotations

from pathlib import Path

import pymupdf

_PYMUPDF = Path(pymupdf.__file__).resolve().parent


def from_mupdf(exc: BaseException) -> bool:
    """Whether ``exc`` was raised inside PyMuPDF or MuPDF on what the file holds
    (running out of memory there is the conversion's limit, not the file's fault)."""
    if isinstance(exc, MemoryError):
        return False
    if isinstance(exc, pymupdf.mupdf.FzErrorBase):
        return True
    tb = exc.__traceback__
    if tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    return Path(tb.tb_frame.f_code.co_filename).resolve().is_relative_to(_PYMUPDF)
