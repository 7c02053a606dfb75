"""Open a DXF with ezdxf: strict first, ``ezdxf.recover`` second, clear errors last."""

from __future__ import annotations

import mmap
import re
from pathlib import Path

import ezdxf
from ezdxf import recover
from ezdxf.document import Drawing

from core.plugin_api import ConversionError

BINARY_SENTINEL = b"AutoCAD Binary DXF\r\n\x1a\x00"
# the group "0 / EOF" that ends every ASCII DXF
_ASCII_EOF = re.compile(rb"(?:^|\n)[ \t]*0[ \t]*\r?\n[ \t]*EOF[ \t]*(?:\r?\n|\r|$|\x00|\x1a)")


def has_eof(path: Path) -> bool:
    """Whether the file holds the EOF marker: ezdxf happily reads a truncated file
    as far as it goes, which would publish half a building."""
    with open(path, "rb") as fh:
        if path.stat().st_size == 0:
            return False
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            if mm[: len(BINARY_SENTINEL)] == BINARY_SENTINEL:
                return mm.rfind(b"\x00EOF\x00") != -1
            # the marker sits at the end, but some writers add trash after it
            pos = len(mm)
            while (pos := mm.rfind(b"EOF", 0, pos)) != -1:
                if _ASCII_EOF.search(mm[max(0, pos - 64) : pos + 8]):
                    return True
            return False


def read_document(path: Path) -> tuple[Drawing, list[str]]:
    """The ezdxf document and warnings about repairs. Raises ConversionError."""
    if not has_eof(path):
        raise ConversionError(
            "corrupt_file",
            "the DXF file is truncated: it ends before the EOF marker (an incomplete upload or copy?)",
            stage="parse",
        )
    try:
        return ezdxf.readfile(path), []
    except Exception as strict_error:  # ezdxf raises many types on bad input
        first = f"{type(strict_error).__name__}: {strict_error}"
    try:
        doc, auditor = recover.readfile(path)
    except Exception as exc:
        raise ConversionError(
            "corrupt_file",
            f"the DXF file is damaged beyond repair ({first}; recovery failed with {type(exc).__name__}: {exc})",
            stage="parse",
        ) from None
    warnings = [f"the DXF file was damaged and repaired on reading ({first})"]
    if auditor.has_errors:
        warnings.append(f"{len(auditor.errors)} unrecoverable errors in the DXF were skipped")
    return doc, warnings
