"""The marks a DXF file carries: the binary sentinel at its start and the EOF
marker at its end. Sniffing, the scanner and the reader all ask here."""

from __future__ import annotations

import mmap
import re
from pathlib import Path

from core.plugin_api import ConversionError

#: the first bytes of every binary DXF
BINARY_SENTINEL = b"AutoCAD Binary DXF\r\n\x1a\x00"
# the group "0 / EOF" that ends every ASCII DXF
_ASCII_EOF = re.compile(rb"(?:^|\n)[ \t]*0[ \t]*\r?\n[ \t]*EOF[ \t]*(?:\r?\n|\r|$|\x00|\x1a)")


def is_binary(head: bytes) -> bool:
    """Whether a file starting with ``head`` is a binary DXF."""
    return head.startswith(BINARY_SENTINEL)


def has_eof(path: Path) -> bool:
    """Whether the file holds the EOF marker."""
    with open(path, "rb") as fh:
        if path.stat().st_size == 0:
            return False
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            if is_binary(mm[: len(BINARY_SENTINEL)]):
                return mm.rfind(b"\x00EOF\x00") != -1
            # the marker sits at the end, but some writers add trash after it
            pos = len(mm)
            while (pos := mm.rfind(b"EOF", 0, pos)) != -1:
                if _ASCII_EOF.search(mm[max(0, pos - 64) : pos + 8]):
                    return True
            return False


def require_eof(path: Path) -> None:
    """Raise ``corrupt_file`` unless the file is whole: ezdxf (and a scanner
    that stops at the ENTITIES section's end) happily read a truncated file as
    far as it goes, which would publish half a building."""
    if not has_eof(path):
        raise ConversionError(
            "corrupt_file",
            "the DXF file is truncated: it ends before the EOF marker (an incomplete upload or copy?)",
            stage="parse",
        )
