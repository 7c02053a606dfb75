"""Registers the PDF format with Floorcast (entry point ``floorcast: pdf``)."""

from __future__ import annotations

from core.plugin_api import FormatSpec, hookimpl
from floorcast_pdf import __version__
from floorcast_pdf.options import OPTIONS


def sniff(head: bytes) -> bool:
    """``%PDF-`` within the first 1024 bytes (the PDF specification lets readers
    accept junk before the header, and some writers put a BOM or mail headers there)."""
    return b"%PDF-" in head[:1024]


def convert(source, options, progress):
    # imported on first use: listing plugins must not load PyMuPDF
    from floorcast_pdf.convert import convert as run

    return run(source, options, progress)


@hookimpl
def floorcast_register_formats() -> list[FormatSpec]:
    return [
        FormatSpec(
            name="pdf",
            extensions=(".pdf",),
            sniff=sniff,
            convert=convert,
            weight=100,
            version=__version__,
            description="PDF floor plans: vector (exported from CAD) and scanned pages",
            options=OPTIONS,
        )
    ]
