"""Endpoints a kiosk calls with its own token (``Authorization: Bearer fcki_...``):
the reconcile pull and screenshot uploads."""

from __future__ import annotations

from flask import Response, current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint

from core.channels.publishing import latest_publication, publication_message
from core.data.models import Kiosk
from core.kiosks.hub import KioskHub
from core.kiosks.screenshots import MAX_BYTES, store_screenshot
from web.context import appliance
from web.problems import Problem

blp = Blueprint("kiosk_device", __name__, url_prefix="/api/v1", description="Kiosk's own endpoints (kiosk token)")

KIOSK_AUTH = [{"bearer": []}]


def _hub() -> KioskHub:
    return current_app.extensions["floorcast.hub"]


def require_kiosk() -> Kiosk:
    """The kiosk whose token the request carries, or 401."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    kiosk = _hub().authenticate(token.strip()) if scheme.lower() == "bearer" else None
    if kiosk is None:
        raise Problem(401, "unauthorized", "a valid kiosk token is required")
    return kiosk


@blp.route("/kiosk/current")
class Current(MethodView):
    @blp.doc(security=KIOSK_AUTH, responses={204: {"description": "the channel has no publication yet"}})
    def get(self):
        """Reconcile pull: the current publication of the kiosk's channel as the
        ``publish`` message the WebSocket would send (``{"type": "publish", "id",
        "data": {"channel", "version", "url", "sha256", "size"}}``, url signed for
        this kiosk, plus ``tiles``, the tile manifest's URL signed the same way,
        when the model has tiles); 204 when the channel has none yet."""
        kiosk = require_kiosk()
        pub = latest_publication(kiosk.channel)
        if pub is None or pub.event_id is None:
            return Response(status=204)
        message = _hub().publish_for(publication_message(pub), str(kiosk.id))
        response = Response(_hub().encode(message), mimetype="application/json")
        response.headers["Cache-Control"] = "no-store"
        return response


@blp.route("/kiosk/screenshots/<request_id>")
class Screenshot(MethodView):
    @blp.doc(
        security=KIOSK_AUTH,
        requestBody={"content": {"image/png": {"schema": {"type": "string", "format": "binary"}}}},
        responses={204: {"description": "stored"}},
    )
    def post(self, request_id: str):
        """Upload the PNG a ``screenshot`` command asked for (``Content-Type:
        image/png``, at most 5 MB) -> 204. 404 for a request this kiosk was not
        sent, 410 once it is too old, 413 too big, 415 not a PNG."""
        kiosk = require_kiosk()
        if request.mimetype != "image/png":
            raise Problem(415, "not_png", "send the screenshot as Content-Type: image/png")
        if (request.content_length or 0) > MAX_BYTES:
            raise Problem(413, "too_large", f"a screenshot is at most {MAX_BYTES} bytes")
        store_screenshot(appliance().storage, kiosk, request_id, request.stream)
        return Response(status=204)
