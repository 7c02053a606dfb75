"""Assets (GLB models): metadata and content.

Content URLs are immutable (an asset id never changes its bytes), so they are
served with the sha256 as ETag and long-lived caching. Kiosks fetch them through
signed URLs (no header), everyone else with a bearer token.
"""

from __future__ import annotations

from flask import Response, request, send_file
from flask.views import MethodView
from flask_smorest import Blueprint

from core.jobs.views import asset_view
from core.kiosks.urls import check_signature
from core.models import Asset, Kiosk
from web.context import appliance, get_or_404, require_user
from web.problems import Problem

blp = Blueprint("assets", __name__, url_prefix="/api/v1", description="Converted models")

GLB_MIME = "model/gltf-binary"


def _asset(asset_id: str) -> Asset:
    return get_or_404(Asset, asset_id, "asset")


def _authorize(asset_id: str) -> None:
    kiosk_id = check_signature(appliance().settings, asset_id, request.args)
    if kiosk_id is not None:
        kiosk = Kiosk.get_or_none(Kiosk.id == kiosk_id)
        if kiosk is not None and kiosk.revoked_at is None:
            return
        raise Problem(403, "kiosk_revoked", "this kiosk's access was revoked")
    require_user()


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
        storage = appliance().storage
        if not storage.exists(asset.sha256):
            raise Problem(410, "asset_missing", "the model's file is missing from storage")
        path = storage.local_path(asset.sha256)
        if path:
            response = send_file(
                path,
                mimetype=GLB_MIME,
                conditional=True,
                etag=asset.sha256,
                download_name=f"{asset.sha256[:12]}.glb",
                max_age=31536000,
            )
        else:
            if request.if_none_match.contains(asset.sha256):
                return Response(status=304)
            stream = storage.open(asset.sha256)

            def chunks():
                with stream:
                    while data := stream.read(256 * 1024):
                        yield data

            response = Response(chunks(), mimetype=GLB_MIME, headers={"Content-Length": str(asset.size)})
            response.set_etag(asset.sha256)
        response.headers["Cache-Control"] = "private, max-age=31536000, immutable"
        return response
