"""The kiosk fleet (admin): provision, list, rename / move, revoke, commands, screenshots."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from core.kiosks.commands import COMMANDS, send_command
from core.kiosks.fleet import get_kiosk, kiosk_view, list_kiosks, provision, revoke, update_kiosk
from web.context import appliance, require_user
from web.problems import Problem

blp = Blueprint("kiosks", __name__, url_prefix="/api/v1", description="Kiosk fleet")


class ProvisionSchema(Schema):
    name = fields.String(required=True)
    channel = fields.String(required=True, metadata={"description": "created on first use"})


class UpdateSchema(Schema):
    name = fields.String()
    channel = fields.String(metadata={"description": "moving a kiosk sends it this channel's model at once"})


class CommandSchema(Schema):
    command = fields.String(required=True, metadata={"description": " | ".join(COMMANDS)})


@blp.route("/kiosks")
class Kiosks(MethodView):
    def get(self):
        """Every kiosk: ``{"items": [{"id", "name", "channel", "online", "shown_version",
        "shown_sha256", "last_seen", "user_agent", "revoked", ...}]}``."""
        require_user("admin")
        return {"items": list_kiosks()}

    @blp.arguments(ProvisionSchema)
    @blp.response(201)
    def post(self, body):
        """Provision a kiosk without pairing: ``{"id", "token", ...}``; the token is shown once."""
        user = require_user("admin")
        kiosk, token = provision(body["name"], body["channel"], user=user)
        return dict(kiosk_view(kiosk), token=token)


@blp.route("/kiosks/<kiosk_id>")
class KioskResource(MethodView):
    def get(self, kiosk_id: str):
        """One kiosk."""
        require_user("admin")
        return kiosk_view(get_kiosk(kiosk_id))

    @blp.arguments(UpdateSchema)
    def patch(self, body, kiosk_id: str):
        """Rename and/or move to another channel."""
        user = require_user("admin")
        kiosk = update_kiosk(
            kiosk_id, name=body.get("name"), channel=body.get("channel"), bus=appliance().bus, user=user
        )
        return kiosk_view(kiosk)

    @blp.response(204)
    def delete(self, kiosk_id: str):
        """Revoke: the token is refused from now on and open sockets close with 4401."""
        user = require_user("admin")
        revoke(kiosk_id, bus=appliance().bus, user=user)


@blp.route("/kiosks/<kiosk_id>/commands")
class KioskCommands(MethodView):
    @blp.arguments(CommandSchema)
    @blp.response(202)
    def post(self, body, kiosk_id: str):
        """Send ``reload``, ``identify`` (flash the screen and show the name) or
        ``screenshot`` to the kiosk's open connections: ``{"command", "delivered"
        (connections reached; 0 when offline), "request" (screenshot only)}``.
        The screenshot arrives shortly after at ``GET /kiosks/<id>/screenshot``."""
        user = require_user("admin")
        return send_command(appliance().bus, kiosk_id, body["command"], user=user)


@blp.route("/kiosks/<kiosk_id>/screenshot")
class KioskScreenshot(MethodView):
    @blp.doc(responses={200: {"content": {"image/png": {}}}})
    def get(self, kiosk_id: str):
        """The kiosk's latest screenshot (PNG); 404 when it has sent none."""
        require_user("admin")
        kiosk = get_kiosk(kiosk_id)
        storage = appliance().storage
        if not kiosk.screenshot_key or not storage.exists(kiosk.screenshot_key):
            raise Problem(404, "no_screenshot", "this kiosk has not sent a screenshot yet")
        with storage.open(kiosk.screenshot_key) as stream:
            data = stream.read()
        response = Response(data, mimetype="image/png")
        response.headers["Cache-Control"] = "no-store"
        response.headers["Last-Modified"] = kiosk.screenshot_at.strftime("%a, %d %b %Y %H:%M:%S GMT")
        return response
