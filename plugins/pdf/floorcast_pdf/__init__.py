"""Floorcast PDF format plugin: vector and scanned PDF floor plans -> Floorcast scenes."""

__version__ = "0.1.0"
