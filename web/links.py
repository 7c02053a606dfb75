"""Where the web layer serves an asset's downloads: the paths of
:mod:`web.api.assets` under ``/api/v1``. Core gets them through the
``floorcast_asset_links`` hook (``appliance.links``), so it never spells a web
path itself; a test holds these to the routes Flask actually serves."""

from __future__ import annotations

ASSETS = "/api/v1/assets"


def content_path(asset_id: object) -> str:
    """The path of an asset's whole GLB."""
    return f"{ASSETS}/{asset_id}/content"


def tiles_path(asset_id: object) -> str:
    """The path of a big model's tile manifest."""
    return f"{ASSETS}/{asset_id}/tiles"


def tile_path(asset_id: object, sha256: str) -> str:
    """The path of one tile's GLB, by its sha256 as the manifest lists it."""
    return f"{tiles_path(asset_id)}/{sha256}"


def preview_path(asset_id: object) -> str:
    """The path of the PNG top view of an asset's plan."""
    return f"{ASSETS}/{asset_id}/preview"


class ApiAssetLinks:
    """:class:`core.plugins.links.AssetLinks` for the API's asset endpoints: what
    the built-in ``web`` plugin answers to ``floorcast_asset_links``."""

    def content(self, asset_id: object) -> str:
        return content_path(asset_id)

    def tiles(self, asset_id: object) -> str:
        return tiles_path(asset_id)

    def tile(self, asset_id: object, sha256: str) -> str:
        return tile_path(asset_id, sha256)

    def preview(self, asset_id: object) -> str:
        return preview_path(asset_id)
