"""The appliance owns its state: two built in a row in one process each use their
own database, plugins and caches, and where assets are served comes from the web
layer (``appliance.links``) with the very URLs kiosks and API clients see."""

from __future__ import annotations

import io
import json
import sqlite3

from flask import url_for

from core.data.models import User
from core.kiosks.signing import signed_query


def _emails(appliance) -> list[str]:
    with sqlite3.connect(appliance.settings.data_dir / "floorcast.db") as con:
        return [row[0] for row in con.execute("SELECT email FROM user")]


def test_two_appliances_in_a_row_each_keep_to_their_own(appliance_factory):
    first = appliance_factory()
    User.create(email="first@example.com", password_hash="-")
    second = appliance_factory()
    assert User.select().count() == 0  # the tables follow the appliance built last
    User.create(email="second@example.com", password_hash="-")
    assert _emails(first) == ["first@example.com"]
    assert _emails(second) == ["second@example.com"]
    assert first.plugins is not second.plugins and first.storage is not second.storage

    key = second.storage.put(io.BytesIO(json.dumps({"tiles": []}).encode())).key
    assert second.parsed_json(key) == {"tiles": []}
    assert second.parsed_json(key) is second.parsed_json(key)  # parsed once, kept by this appliance
    assert not first.storage.exists(key)


def test_asset_links_are_the_routes_the_app_serves(settings_env):
    from core.config import load_settings
    from web.app import create_app

    app = create_app(load_settings(None, env=settings_env))
    links = app.extensions["floorcast"].links
    sha = "a" * 64
    assert links.content("A1") == "/api/v1/assets/A1/content"
    assert links.tiles("A1") == "/api/v1/assets/A1/tiles"
    assert links.tile("A1", sha) == f"/api/v1/assets/A1/tiles/{sha}"
    assert links.preview("A1") == "/api/v1/assets/A1/preview"
    with app.test_request_context():
        assert url_for("assets.AssetContent", asset_id="A1") == links.content("A1")
        assert url_for("assets.AssetTiles", asset_id="A1") == links.tiles("A1")
        assert url_for("assets.AssetTile", asset_id="A1", sha256=sha) == links.tile("A1", sha)
        assert url_for("assets.AssetPreview", asset_id="A1") == links.preview("A1")


def test_a_kiosk_publish_carries_the_signed_api_urls(settings_env):
    from core.config import load_settings
    from web.app import create_app

    settings = load_settings(None, env=dict(settings_env, FLOORCAST_SERVER__PUBLIC_URL="https://floor.example/"))
    hub = create_app(settings).extensions["floorcast.hub"]
    stored = {
        "type": "publish",
        "id": 7,
        "data": {"channel": "lobby", "version": 3, "asset": "A1", "sha256": "b" * 64, "size": 10, "tile_count": 2},
    }
    query = signed_query(settings, "A1", "K1")
    assert hub.publish_for(stored, "K1") == {
        "type": "publish",
        "id": 7,
        "data": {
            "channel": "lobby",
            "version": 3,
            "url": f"https://floor.example/api/v1/assets/A1/content?{query}",
            "sha256": "b" * 64,
            "size": 10,
            "tiles": f"https://floor.example/api/v1/assets/A1/tiles?{query}",
        },
    }
