"""Floorcast SSE kiosk transport: the kiosk protocol over Server-Sent Events."""

__version__ = "0.1.0"
