"""The public API for Floorcast plugins: import only from here.

Everything else in ``core`` and ``web`` is internal and may change between
releases; what is exported here follows semantic versioning.
"""

from typing import TYPE_CHECKING

import pluggy

from core.convert.clusters import CHOICE_HELP as CLUSTER_HELP
from core.convert.clusters import find_clusters
from core.convert.clusters import parse_choice as parse_cluster_choice
from core.convert.clusters import select as select_clusters
from core.convert.formats import SNIFF_BYTES, Progress
from core.convert.geometry import fill_holes, fill_outlines, ragged_arange, union_of, walls_from_linework
from core.convert.layer_content import judge as judge_layer
from core.convert.layers import classify as classify_layer
from core.convert.layers import explain as explain_layer
from core.convert.plan_rules import (
    FIXTURES,
    FLOOR_SLAB,
    ROOM_SLAB,
    PlanText,
    Room,
    enclosed_spaces,
    find_rooms,
    room_nodes,
)
from core.convert.scales import parse_scale
from core.convert.scene import CATEGORIES, Material, Mesh, Node, Scene
from core.errors import ConversionError
from core.plugins.hookspecs import hookspec
from core.plugins.specs import DetectorSpec, FormatOption, FormatSpec, StorageBackendSpec, TransportSpec
from core.storage.base import BlobInfo, Storage, TooLarge, copy_hashing

if TYPE_CHECKING:
    from core.kiosks.hub import Close, KioskHub, KioskSession

hookimpl = pluggy.HookimplMarker("floorcast")
_HUB_NAMES = ("Close", "KioskHub", "KioskSession")


def detectors() -> list[DetectorSpec]:
    """The detectors the loaded plugins register, highest weight first.

    For format plugins that need one (the PDF plugin for scanned pages): take the
    first whose ``classes`` hold what you look for. Inside a converter these come
    from the plugin set that runs it (so ``[plugins] disabled`` holds here too)."""
    from core.plugins.manager import active_plugins

    return sorted(active_plugins().detectors(), key=lambda spec: spec.weight, reverse=True)


def __getattr__(name: str):
    # The kiosk hub pulls in the database layer: import it only when a plugin asks,
    # so loading plugins keeps every CLI command quick.
    if name in _HUB_NAMES:
        from core.kiosks import hub

        return getattr(hub, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CATEGORIES",
    "CLUSTER_HELP",
    "FIXTURES",
    "FLOOR_SLAB",
    "ROOM_SLAB",
    "SNIFF_BYTES",
    "BlobInfo",
    "Close",
    "ConversionError",
    "DetectorSpec",
    "FormatOption",
    "FormatSpec",
    "KioskHub",
    "KioskSession",
    "Material",
    "Mesh",
    "Node",
    "PlanText",
    "Progress",
    "Room",
    "Scene",
    "Storage",
    "StorageBackendSpec",
    "TooLarge",
    "TransportSpec",
    "classify_layer",
    "copy_hashing",
    "detectors",
    "enclosed_spaces",
    "explain_layer",
    "fill_holes",
    "fill_outlines",
    "find_clusters",
    "find_rooms",
    "hookimpl",
    "hookspec",
    "parse_cluster_choice",
    "parse_scale",
    "judge_layer",
    "ragged_arange",
    "room_nodes",
    "select_clusters",
    "union_of",
    "walls_from_linework",
]
