"""Assets (GLB models): metadata, content, and the tiles of big models.

Content URLs are immutable (an asset id never changes its bytes), so they are
served with the sha256 as ETag and long-lived caching. Kiosks fetch them through
signed URLs (no header), everyone else with a bearer token or the console's
session.

A model over ``[model] tile_mb`` also has tiles (:mod:`core.gltf.tiles`):
``GET /api/v1/assets/<id>/tiles`` is its manifest with a ``url`` added to each
tile, ``GET /api/v1/assets/<id>/tiles/<sha256>`` one tile's GLB (ETag, Range). A
kiosk opens both with the signature of its publish ``url`` (the manifest it gets
carries that signature in each tile's ``url``); 404 for an asset without tiles.

``GET /api/v1/assets/<id>/preview`` is the plan's PNG top view (users only: the
console and scripts look at it, kiosks show the model); 404 when none was drawn.
"""

from __future__ import annotations

import hashlib
import json
import re

from flask import Response, request, send_file
from flask.views import MethodView
from flask_smorest import Blueprint

from core.data.models import Asset, Kiosk
from core.jobs.serializers import asset_tiles
from core.kiosks.signing import check_signature
from web.context import appliance, asset_view, get_or_404, require_user
from web.links import tile_path
from web.problems import Problem

blp = Blueprint("assets", __name__, url_prefix="/api/v1", description="Converted models")

GLB_MIME = "model/gltf-binary"
PNG_MIME = "image/png"
IMMUTABLE = "private, max-age=31536000, immutable"
SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _asset(asset_id: str) -> Asset:
    return get_or_404(Asset, asset_id, "asset")


def _authorize(asset_id: str) -> str:
    """Let a kiosk with a valid signature or a user through; returns the signed
    query (``k=..&e=..&s=..``) for a kiosk, "" for a user."""
    kiosk_id = check_signature(appliance().settings, asset_id, request.args)
    if kiosk_id is not None:
        kiosk = Kiosk.get_or_none(Kiosk.id == kiosk_id)
        if kiosk is not None and kiosk.revoked_at is None:
            return "&".join(f"{k}={request.args[k]}" for k in ("k", "e", "s"))
        raise Problem(403, "kiosk_revoked", "this kiosk's access was revoked")
    require_user()
    return ""


def _send_blob(key: str, size: int | None, download_name: str, mimetype: str = GLB_MIME) -> Response:
    """A stored GLB (or ``mimetype``) by its key (its sha256): ETag, Range and
    conditional requests, cached as immutable."""
    storage = appliance().storage
    if not storage.exists(key):
        raise Problem(410, "asset_missing", "the model's file is missing from storage")
    path = storage.local_path(key)
    if path:
        response = send_file(
            path, mimetype=mimetype, conditional=True, etag=key, download_name=download_name, max_age=31536000
        )
    else:
        if request.if_none_match.contains(key):
            return Response(status=304)
        stream = storage.open(key)

        def chunks():
            with stream:
                while data := stream.read(256 * 1024):
                    yield data

        headers = {"Content-Length": str(size)} if size is not None else {}
        response = Response(chunks(), mimetype=mimetype, headers=headers)
        response.set_etag(key)
    response.headers["Cache-Control"] = IMMUTABLE
    return response


def _manifest(asset: Asset) -> dict:
    """The stored tile manifest of ``asset`` (shared: read it, never change it);
    404 when the model has no tiles."""
    tiles = asset_tiles(asset)
    if tiles is None:
        raise Problem(404, "no_tiles", "this model is served whole only: it has no tiles")
    storage = appliance().storage
    if not storage.exists(tiles["manifest"]):
        raise Problem(410, "asset_missing", "the model's tile manifest is missing from storage")
    return appliance().parsed_json(tiles["manifest"])  # kept parsed by the appliance


@blp.route("/assets/<asset_id>")
class AssetResource(MethodView):
    def get(self, asset_id: str):
        """An asset's metadata and statistics."""
        require_user()
        asset = _asset(asset_id)
        return dict(asset_view(asset), stats=asset.stats, source_sha256=asset.source_sha256)


@blp.route("/assets/<asset_id>/content")
class AssetContent(MethodView):
    @blp.doc(responses={200: {"content": {GLB_MIME: {}}}})
    def get(self, asset_id: str):
        """The GLB itself (ETag, Range and conditional requests supported)."""
        _authorize(asset_id)
        asset = _asset(asset_id)
        return _send_blob(asset.sha256, asset.size, f"{asset.sha256[:12]}.glb")


@blp.route("/assets/<asset_id>/preview")
class AssetPreview(MethodView):
    @blp.doc(responses={200: {"content": {PNG_MIME: {}}}, 404: {"description": "no preview was drawn"}})
    def get(self, asset_id: str):
        """The PNG top view of the asset's plan (ETag, conditional requests); 404
        for a model without one."""
        require_user()
        asset = _asset(asset_id)
        if not asset.preview_key:
            raise Problem(404, "not_found", f"model {asset_id} has no preview")
        return _send_blob(asset.preview_key, None, f"{asset.sha256[:12]}.png", PNG_MIME)


@blp.route("/assets/<asset_id>/tiles")
class AssetTiles(MethodView):
    @blp.doc(responses={404: {"description": "the model has no tiles"}})
    def get(self, asset_id: str):
        """A big model's tile manifest (see ``core.gltf.tiles``) with a ``url`` for each
        tile; fetched with a kiosk's signed query, each ``url`` carries it on.
        Immutable, with an ETag; 404 for a model without tiles."""
        query = _authorize(asset_id)
        asset = _asset(asset_id)
        manifest = _manifest(asset)
        suffix = f"?{query}" if query else ""
        if "tiles" in manifest:  # new dicts: the stored manifest is shared
            tiles = [dict(tile, url=f"{tile_path(asset.id, tile['sha256'])}{suffix}") for tile in manifest["tiles"]]
            manifest = dict(manifest, tiles=tiles)
        body = json.dumps(manifest, separators=(",", ":")).encode()
        etag = hashlib.sha256(body).hexdigest()
        if request.if_none_match.contains(etag):
            response = Response(status=304)
        else:
            response = Response(body, mimetype="application/json")
        response.set_etag(etag)
        response.headers["Cache-Control"] = IMMUTABLE
        return response


@blp.route("/assets/<asset_id>/tiles/<sha256>")
class AssetTile(MethodView):
    @blp.doc(responses={200: {"content": {GLB_MIME: {}}}})
    def get(self, asset_id: str, sha256: str):
        """One tile's GLB by its sha256 as the manifest lists it (ETag, Range and
        conditional requests supported); 404 for a tile not of this model."""
        _authorize(asset_id)
        asset = _asset(asset_id)
        tile = None
        if SHA256.match(sha256):
            tile = next((t for t in _manifest(asset).get("tiles", []) if t.get("sha256") == sha256), None)
        if tile is None:
            raise Problem(404, "not_found", f"model {asset_id} has no tile {sha256}")
        return _send_blob(tile.get("key") or sha256, int(tile["size"]), f"{sha256[:12]}.glb")
