"""Events made by another process (the CLI, a worker) reach connected kiosks at once,
through the events table and the serving process's relay.

The server here pings only every 30 s: its heartbeat re-read of the kiosk row
cannot be what delivers within the few seconds these tests allow.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from core.channels.publishing import publish as publish_here
from core.data.models import Asset, Event
from core.kiosks.relay import EventRelay
from tests.test_kiosk_ws import (
    assert_dropped,
    assert_nothing_pending,
    bind_box,
    close_code,
    hello,
    make_asset,
    provision,
    recv,
    start_server,
)


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    server = start_server(tmp_path_factory, {"FLOORCAST_KIOSK__PING_SECONDS": "30"})
    yield server
    server.stop()


def test_cli_revoke_closes_the_socket_within_5_seconds(srv):
    kiosk_id, token = provision(srv, "relay-revoke")
    _, other_token = provision(srv, "relay-revoke", "bystander")
    ws, _ = hello(srv, token)
    other, _ = hello(srv, other_token)
    with ThreadPoolExecutor(1) as pool:
        # Timed from the CLI's exit: its start-up alone can take seconds on a busy machine.
        revoking = pool.submit(lambda: (srv.cli("kiosks", "revoke", kiosk_id), time.monotonic()))
        assert close_code(ws, timeout=60) == 4401
        closed = time.monotonic()
        _, revoked = revoking.result()
    assert closed - revoked < 5  # negative when the socket closed before the CLI exited
    assert_dropped(ws)
    assert_nothing_pending(other)
    other.close()


def test_publication_from_another_process_reaches_the_kiosk(srv):
    _, token = provision(srv, "relay-publish")
    ws, _ = hello(srv, token)
    box = bind_box(srv)  # this test process: its in-memory bus reaches no kiosk
    asset = Asset.get_by_id(make_asset(srv))
    started = time.monotonic()
    pub = publish_here(box, "relay-publish", asset)
    message = recv(ws, timeout=3)
    took = time.monotonic() - started
    assert message["type"] == "publish" and message["id"] == pub.event_id
    assert message["data"]["version"] == pub.version and message["data"]["sha256"] == asset.sha256
    assert took < 2.5, took
    assert_nothing_pending(ws)  # delivered once
    ws.close()


def test_relay_skips_what_this_process_delivered_itself(srv):
    box = bind_box(srv)
    relay = EventRelay(box)
    sub = box.bus.subscribe("channel:relay-dedupe", "kiosk:k1")
    try:
        pub = publish_here(box, "relay-dedupe", Asset.get_by_id(make_asset(srv)))
        assert sub.get(timeout=1)["id"] == pub.event_id  # the fast path
        assert relay.poll() == 0 and relay.cursor == pub.event_id
        other = Event.create(type="revoked", data={"kiosk": "k1"})  # as another process writes it
        Event.create(type="job", data={})  # not for kiosks
        assert relay.poll() == 1
        assert sub.get(timeout=1) == {"type": "revoked", "id": other.id, "data": {"kiosk": "k1"}}
        assert sub.get(timeout=0.2) is None
    finally:
        sub.close()
