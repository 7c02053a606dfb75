"""Floorcast DXF format plugin: DXF floor plans -> Floorcast scenes."""

__version__ = "0.1.0"
