"""Kiosk pairing: a kiosk without a token gets a code, staff approve it, the kiosk
claims its token. Creating and claiming need no auth (the kiosk has nothing yet);
the claim is protected by the pairing secret only the kiosk knows."""

from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from core.kiosks.fleet import kiosk_view
from core.kiosks.pairing import approve, claim, start_pairing
from web.context import appliance, require_user

blp = Blueprint("pairings", __name__, url_prefix="/api/v1", description="Kiosk pairing")


class ClaimSchema(Schema):
    secret = fields.String(required=True, metadata={"description": "the secret returned with the pairing"})


class ApproveSchema(Schema):
    code = fields.String(required=True, metadata={"description": "the code on the kiosk's screen: ABC-123 or ABC123"})
    channel = fields.String(required=True, metadata={"description": "channel the kiosk joins (created on first use)"})
    name = fields.String(load_default=None, allow_none=True)


@blp.route("/kiosk/pairings")
class Pairings(MethodView):
    @blp.response(201)
    @blp.doc(security=[])
    def post(self):
        """Start pairing (no auth): ``{"code", "display", "pairing", "secret", "expires_at"}``.

        ``code`` is 6 characters without the dash; show it as ``display`` (``ABC-123``).
        Keep ``secret`` on the kiosk: it is needed to claim the token."""
        return start_pairing(appliance().settings, request.remote_addr)


@blp.route("/kiosk/pairings/<pairing>/claim")
class Claim(MethodView):
    @blp.arguments(ClaimSchema)
    @blp.doc(security=[])
    def post(self, body, pairing: str):
        """Claim the kiosk token (no auth): 409 while not yet approved, 200
        ``{"token", "kiosk", "name", "channel"}`` once, 410 afterwards or once expired."""
        return claim(pairing, body["secret"])


@blp.route("/kiosk/pairings/approve")
class Approve(MethodView):
    @blp.arguments(ApproveSchema)
    @blp.response(201)
    def post(self, body):
        """Approve the kiosk showing ``code`` onto ``channel`` (admin)."""
        user = require_user("admin")
        kiosk = approve(body["code"], body["channel"], body.get("name"), user=user)
        return kiosk_view(kiosk)
