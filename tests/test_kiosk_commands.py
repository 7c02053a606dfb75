"""Console commands (reload, identify, screenshot), kiosk status and the reconcile
pull, against a real server with real WebSocket clients."""

from __future__ import annotations

import datetime as dt
import json
import struct
import time
import zlib

import pytest
import requests

from core.data.db import utcnow
from core.data.models import AuditEntry, Kiosk
from core.kiosks.screenshots import SCREENSHOT_SECONDS
from tests.test_kiosk_ws import (
    assert_nothing_pending,
    bind_box,
    connect,
    hello,
    kiosk_row,
    provision,
    publish,
    recv,
    start_server,
)


def png(width: int = 4, height: int = 3) -> bytes:
    """A real (tiny, grey) PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def audit_actions(server, kiosk_id: str) -> list[str]:
    bind_box(server)
    entries = AuditEntry.select().where(AuditEntry.target == kiosk_id).order_by(AuditEntry.created_at)
    return [e.action for e in entries]


def command(server, kiosk_id: str, name: str) -> requests.Response:
    return server.post(f"/api/v1/kiosks/{kiosk_id}/commands", json={"command": name})


def upload(server, token: str, path: str, body: bytes, content_type: str = "image/png") -> requests.Response:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": content_type}
    return requests.post(server.url + path, data=body, headers=headers, timeout=10)


def pull(server, token: str) -> requests.Response:
    return requests.get(server.url + "/api/v1/kiosk/current", headers={"Authorization": f"Bearer {token}"}, timeout=10)


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    server = start_server(tmp_path_factory)
    yield server
    server.stop()


def test_reload_and_identify_reach_every_connection_of_the_kiosk(srv):
    kiosk_id, token = provision(srv, "cmd-basic")
    _, other_token = provision(srv, "cmd-basic", "bystander")
    first, _ = hello(srv, token)
    second, _ = hello(srv, token)  # the same kiosk twice (a reloading page)
    other, _ = hello(srv, other_token)

    r = command(srv, kiosk_id, "reload")
    assert r.status_code == 202, r.text
    assert r.json() == {"command": "reload", "delivered": 2}
    assert recv(first) == {"type": "reload"} and recv(second) == {"type": "reload"}
    r = command(srv, kiosk_id, "identify")
    assert r.status_code == 202 and r.json()["delivered"] == 2
    assert recv(first) == {"type": "identify", "data": {"seconds": 10}}
    assert recv(second)["type"] == "identify"
    assert_nothing_pending(other)  # nobody else hears it

    assert audit_actions(srv, kiosk_id)[-2:] == ["kiosk.reload", "kiosk.identify"]
    for ws in (first, second, other):
        ws.close()


def test_command_errors(srv):
    kiosk_id, _ = provision(srv, "cmd-errors")
    r = command(srv, kiosk_id, "reboot")
    assert r.status_code == 400 and r.json()["code"] == "invalid_command"
    assert srv.post(f"/api/v1/kiosks/{kiosk_id}/commands", json={}).status_code == 422
    assert command(srv, "00000000-0000-0000-0000-000000000000", "reload").status_code == 404
    body = {"command": "reload"}
    anonymous = requests.post(f"{srv.url}/api/v1/kiosks/{kiosk_id}/commands", json=body, timeout=10)
    assert anonymous.status_code == 401
    offline = command(srv, kiosk_id, "reload")  # accepted, reaches nobody
    assert offline.status_code == 202 and offline.json()["delivered"] == 0
    assert srv.get(f"/api/v1/kiosks/{kiosk_id}/screenshot").status_code == 404
    requests.delete(f"{srv.url}/api/v1/kiosks/{kiosk_id}", headers=srv.auth, timeout=10)
    assert command(srv, kiosk_id, "reload").status_code == 409


def test_screenshot_round_trip(srv):
    kiosk_id, token = provision(srv, "cmd-shot")
    _, other_token = provision(srv, "cmd-shot", "other")
    ws, _ = hello(srv, token)
    r = command(srv, kiosk_id, "screenshot")
    assert r.status_code == 202 and r.json()["delivered"] == 1
    request_id = r.json()["request"]
    message = recv(ws)
    assert message == {
        "type": "screenshot",
        "data": {"request": request_id, "upload": f"/api/v1/kiosk/screenshots/{request_id}"},
    }
    path = message["data"]["upload"]

    # Refusals first: none of them uses up the request.
    assert upload(srv, "fcki_bad", path, png()).status_code == 401
    assert upload(srv, other_token, path, png()).status_code == 404  # not this kiosk's request
    assert upload(srv, token, path, png(), "image/jpeg").status_code == 415
    assert upload(srv, token, path, b"GIF89a" + b"\x00" * 100).json()["code"] == "not_png"
    too_big = png() + b"\x00" * (5 * 1024 * 1024)
    assert upload(srv, token, path, too_big).status_code == 413
    assert upload(srv, token, "/api/v1/kiosk/screenshots/not-issued", png()).status_code == 404

    picture = png(8, 6)
    assert upload(srv, token, path, picture).status_code == 204
    got = srv.get(f"/api/v1/kiosks/{kiosk_id}/screenshot")
    assert got.status_code == 200 and got.headers["Content-Type"] == "image/png" and got.content == picture
    assert kiosk_row(srv, kiosk_id)["screenshot_at"].endswith("Z")
    assert upload(srv, token, path, png()).status_code == 404  # one upload per request

    # A newer screenshot replaces the old one.
    ws2_request = command(srv, kiosk_id, "screenshot").json()["request"]
    assert recv(ws)["data"]["request"] == ws2_request
    newer = png(2, 2)
    assert upload(srv, token, f"/api/v1/kiosk/screenshots/{ws2_request}", newer).status_code == 204
    assert srv.get(f"/api/v1/kiosks/{kiosk_id}/screenshot").content == newer
    assert "kiosk.screenshot" in audit_actions(srv, kiosk_id)
    ws.close()


def test_old_screenshot_request_is_refused(srv):
    kiosk_id, token = provision(srv, "cmd-old")
    request_id = command(srv, kiosk_id, "screenshot").json()["request"]
    bind_box(srv)
    old = utcnow() - dt.timedelta(seconds=SCREENSHOT_SECONDS + 1)
    Kiosk.update(screenshot_requested_at=old).where(Kiosk.id == kiosk_id).execute()
    r = upload(srv, token, f"/api/v1/kiosk/screenshots/{request_id}", png())
    assert r.status_code == 410 and r.json()["code"] == "expired"


def test_screen_size_from_hello_and_status(srv):
    kiosk_id, token = provision(srv, "cmd-screen")
    ws = hello_with_screen(srv, token, {"width": 1920, "height": 1080})
    row = kiosk_row(srv, kiosk_id)
    assert row["screen"] == "1920x1080" and row["online"] is True
    ws.send(json.dumps({"type": "status", "data": {"screen": {"width": 1080, "height": 1920}}}))
    ws.send(json.dumps({"type": "status", "data": {"screen": {"width": -1, "height": "x"}}}))  # ignored
    assert_nothing_pending(ws)
    deadline = time.monotonic() + 5
    while kiosk_row(srv, kiosk_id)["screen"] != "1080x1920" and time.monotonic() < deadline:
        time.sleep(0.1)
    row = kiosk_row(srv, kiosk_id)
    assert row["screen"] == "1080x1920"
    assert {"screen", "screenshot_at", "user_agent", "online", "shown_version", "last_seen"} <= set(row)
    ws.close()


def hello_with_screen(server, token: str, screen: dict):
    ws = connect(server)
    data = {"token": token, "last_event_id": None, "sha256": None, "screen": screen}
    ws.send(json.dumps({"type": "hello", "data": data}))
    assert recv(ws)["type"] == "welcome"
    return ws


def test_reconcile_pull(srv):
    kiosk_id, token = provision(srv, "cmd-pull")
    assert pull(srv, "fcki_nope").status_code == 401
    assert requests.get(srv.url + "/api/v1/kiosk/current", timeout=10).status_code == 401
    assert pull(srv, token).status_code == 204  # nothing published yet
    publish(srv, "cmd-pull")
    latest = publish(srv, "cmd-pull")
    r = pull(srv, token)
    assert r.status_code == 200, r.text
    body = r.json()
    ws, _ = hello(srv, token)
    pushed = recv(ws)  # the same message the socket sends
    assert body == pushed
    assert body["type"] == "publish" and body["id"] == latest["event_id"]
    assert body["data"]["version"] == latest["version"] and body["data"]["channel"] == "cmd-pull"
    assert requests.get(srv.url + body["data"]["url"], timeout=10).status_code == 200  # no header needed
    ws.close()
    requests.delete(f"{srv.url}/api/v1/kiosks/{kiosk_id}", headers=srv.auth, timeout=10)
    assert pull(srv, token).status_code == 401
