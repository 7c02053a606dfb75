"""What the ``floorcast_asset_links`` hook answers: where an asset's model,
tiles and preview are served. Core builds the URLs it hands out (kiosks' publish messages, the
API's and notifications' asset views) from it and never spells a web path itself."""

from __future__ import annotations

from typing import Protocol


class AssetLinks(Protocol):
    """Paths (no scheme or host) of an asset's downloads."""

    def content(self, asset_id: object) -> str:
        """The path of an asset's whole GLB."""

    def tiles(self, asset_id: object) -> str:
        """The path of a big model's tile manifest."""

    def tile(self, asset_id: object, sha256: str) -> str:
        """The path of one tile's GLB, by its sha256 as the manifest lists it."""

    def preview(self, asset_id: object) -> str:
        """The path of the PNG top view of an asset's plan."""
