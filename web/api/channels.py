"""Channels (kiosk groups) and their publication history."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from core.channels.publishing import publish, rollback
from core.data.db import iso
from core.data.models import Asset, Channel, Kiosk, Publication
from web.context import appliance, require_user
from web.problems import Problem

blp = Blueprint("channels", __name__, url_prefix="/api/v1", description="Channels and publications")


class PublishSchema(Schema):
    asset = fields.String(required=True, metadata={"description": "asset id"})


class RollbackSchema(Schema):
    version = fields.Integer(required=True)


def publication_view(pub: Publication) -> dict:
    return {
        "channel": pub.channel.name,
        "version": pub.version,
        "asset": {"id": str(pub.asset_id), "sha256": pub.asset.sha256, "size": pub.asset.size},
        "event_id": pub.event_id,
        "job": str(pub.job_id) if pub.job_id else None,
        "published_by": pub.published_by.email if pub.published_by_id else None,
        "note": pub.note,
        "created_at": iso(pub.created_at),
    }


@blp.route("/channels")
class Channels(MethodView):
    def get(self):
        """Every channel with its current version and kiosk count."""
        require_user()
        items = []
        for channel in Channel.select().order_by(Channel.name):
            latest = channel.publications.order_by(Publication.version.desc()).first()
            items.append(
                {
                    "name": channel.name,
                    "version": latest.version if latest else None,
                    "kiosks": Kiosk.select().where(Kiosk.channel == channel, Kiosk.revoked_at.is_null()).count(),
                }
            )
        return {"items": items}


@blp.route("/channels/<name>/publications")
class Publications(MethodView):
    def get(self, name: str):
        """The channel's publication history, newest first."""
        require_user()
        pubs = (
            Publication.select()
            .join(Channel)
            .where(Channel.name == name)
            .order_by(Publication.version.desc())
            .limit(200)
        )
        return {"items": [publication_view(p) for p in pubs]}

    @blp.arguments(PublishSchema)
    @blp.response(201)
    def post(self, body, name: str):
        """Publish an asset to the channel (created on first use); kiosks get it at once."""
        user = require_user()
        try:
            asset = Asset.get_or_none(Asset.id == body["asset"])
        except ValueError:
            asset = None
        if asset is None:
            raise Problem(404, "not_found", f"no asset {body['asset']}")
        try:
            pub = publish(appliance(), name, asset, user=user)
        except ValueError as exc:
            raise Problem(400, "invalid_channel", str(exc)) from exc
        return publication_view(pub)


@blp.route("/channels/<name>/rollback")
class Rollback(MethodView):
    @blp.arguments(RollbackSchema)
    @blp.response(201)
    def post(self, body, name: str):
        """Publish an earlier version's asset again (as a new version)."""
        user = require_user()
        try:
            pub = rollback(appliance(), name, body["version"], user=user)
        except LookupError as exc:
            raise Problem(404, "not_found", str(exc)) from exc
        return publication_view(pub)
