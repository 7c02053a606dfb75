"""Registers the default scanned-plan detector (entry point ``floorcast: pdf-detector``).

Its own entry point, so a venue can disable it (``[plugins] disabled``) or
outweigh it with a better detector without touching the PDF format.
"""

from __future__ import annotations

from core.plugin_api import DetectorSpec, hookimpl


@hookimpl
def floorcast_register_detectors() -> list[DetectorSpec]:
    # the spec only: onnxruntime is imported when the detector is loaded
    from floorcast_pdf.detector import spec

    return [spec()]
