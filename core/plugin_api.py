"""The public API for Floorcast plugins: import only from here.

Everything else in ``core`` and ``web`` is internal and may change between
releases; what is exported here follows semantic versioning.
"""

import pluggy

from core.errors import ConversionError
from core.formats import SNIFF_BYTES, DetectorSpec, FormatSpec, Progress
from core.hookspecs import hookspec
from core.kiosks.hub import Close, KioskHub, KioskSession
from core.scene import CATEGORIES, Material, Mesh, Node, Scene
from core.storage.base import BlobInfo, Storage, StorageBackendSpec, TooLarge
from core.transports import TransportSpec

hookimpl = pluggy.HookimplMarker("floorcast")

__all__ = [
    "CATEGORIES",
    "SNIFF_BYTES",
    "BlobInfo",
    "Close",
    "ConversionError",
    "DetectorSpec",
    "FormatSpec",
    "KioskHub",
    "KioskSession",
    "Material",
    "Mesh",
    "Node",
    "Progress",
    "Scene",
    "Storage",
    "StorageBackendSpec",
    "TooLarge",
    "TransportSpec",
    "hookimpl",
    "hookspec",
]
