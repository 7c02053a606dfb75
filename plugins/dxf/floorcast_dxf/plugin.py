"""Registers the DXF format with Floorcast (entry point ``floorcast: dxf``)."""

from __future__ import annotations

from core.plugin_api import FormatSpec, hookimpl
from floorcast_dxf import __version__
from floorcast_dxf.convert import convert
from floorcast_dxf.markers import is_binary
from floorcast_dxf.options import OPTIONS


def sniff(head: bytes) -> bool:
    """ASCII DXF: optional blank lines and ``999`` comments, then ``0`` / ``SECTION``;
    or the binary DXF sentinel."""
    if is_binary(head):
        return True
    text = head.removeprefix(b"\xef\xbb\xbf").decode("latin-1")
    lines = [line.strip() for line in text.splitlines()]
    # the head may end mid-line: drop the possibly partial last line
    if not text.endswith(("\n", "\r")):
        lines = lines[:-1]
    i = 0
    while i < len(lines) and not lines[i]:
        i += 1
    while i + 1 < len(lines):
        code, value = lines[i], lines[i + 1]
        if code == "999":
            i += 2
            continue
        return code == "0" and value.upper() == "SECTION"
    return False


@hookimpl
def floorcast_register_formats() -> list[FormatSpec]:
    return [
        FormatSpec(
            name="dxf",
            extensions=(".dxf",),
            sniff=sniff,
            convert=convert,
            weight=100,
            version=__version__,
            description="AutoCAD DXF drawings (ASCII and binary, R12-R2018)",
            options=OPTIONS,
        )
    ]
