"""A stored ``publish`` event counts a model's tiles in ``tile_count``; on the wire a
kiosk's ``tiles`` is the URL of the tile manifest (also for events stored before the
count had its own name)."""

from __future__ import annotations

import pytest

from core.appliance import create_appliance
from core.channels.publishing import publish
from core.config import load_settings
from core.data.models import Asset, Event
from core.kiosks.hub import KioskHub

KIOSK = "00000000-0000-0000-0000-000000000001"


@pytest.fixture
def box(settings_env):
    return create_appliance(load_settings(None, env=settings_env), with_queue=False)


def _asset(n: int, tiles: dict | None) -> Asset:
    stats = {"tiles": tiles} if tiles else {}
    sha = f"{n:064x}"
    return Asset.create(
        sha256=sha, size=10, source_sha256=sha, options_hash="x", format="dxf", converter_version="1", stats=stats
    )


def _as_kiosk_gets(box, data: dict, event_id: int) -> dict:
    return KioskHub(box).publish_for({"type": "publish", "id": event_id, "data": data}, KIOSK)["data"]


def test_tile_count_is_stored_and_the_manifest_url_sent(box):
    tiled = _asset(1, {"manifest": "f" * 64, "count": 3, "bytes": 30})
    pub = publish(box, "hall", tiled)
    stored = Event.get_by_id(pub.event_id).data
    assert stored["tile_count"] == 3 and "tiles" not in stored
    sent = _as_kiosk_gets(box, stored, pub.event_id)
    assert f"/{tiled.id}/tiles?" in sent["tiles"] and "tile_count" not in sent

    # An event stored when the count was called "tiles" reads the same.
    old = {k: v for k, v in stored.items() if k != "tile_count"} | {"tiles": 3}
    assert _as_kiosk_gets(box, old, pub.event_id)["tiles"] == sent["tiles"]


def test_a_model_without_tiles_has_neither(box):
    pub = publish(box, "hall", _asset(2, None))
    stored = Event.get_by_id(pub.event_id).data
    assert "tile_count" not in stored and "tiles" not in _as_kiosk_gets(box, stored, pub.event_id)
