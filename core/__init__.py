"""Floorcast core: the domain, free of any web framework."""

__version__ = "0.1.0"
