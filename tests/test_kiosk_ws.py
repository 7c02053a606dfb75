"""The kiosk WebSocket against a real ``floorcast serve`` with real WebSocket clients.

The helpers at the top are shared with the other kiosk test modules.
"""

from __future__ import annotations

import hashlib
import io
import json
import secrets
import socket
import time

import pytest
import requests
import websocket

from core.appliance import create_appliance
from core.config import load_settings
from core.data.models import Asset
from tests.serverproc import ServerProcess

KIOSK_ENV = {"FLOORCAST_KIOSK__PING_SECONDS": "2", "FLOORCAST_KIOSK__HELLO_SECONDS": "1"}


def start_server(tmp_path_factory, env: dict[str, str] | None = None) -> ServerProcess:
    server = ServerProcess(tmp_path_factory.mktemp("kiosk-srv"), dict(KIOSK_ENV, **(env or {})))
    server.start()
    return server


def bind_box(server: ServerProcess):
    """An appliance in this process on the server's data dir (its SQLite file, its
    blobs); the tables talk to it until the next one is built."""
    return create_appliance(load_settings(server.config, env={}), run_migrations=False, with_queue=False)


def make_asset(server: ServerProcess, content: bytes | None = None) -> str:
    """An asset row plus its blob in the server's own database and storage."""
    info = bind_box(server).storage.put(io.BytesIO(content or secrets.token_bytes(256)))
    asset = Asset.create(
        sha256=info.key,
        size=info.size,
        source_sha256=secrets.token_hex(32),
        options_hash="test",
        format="test",
        converter_version="test",
    )
    return str(asset.id)


def publish(server: ServerProcess, channel: str, asset_id: str | None = None) -> dict:
    r = server.post(f"/api/v1/channels/{channel}/publications", json={"asset": asset_id or make_asset(server)})
    assert r.status_code == 201, r.text
    return r.json()


def provision(server: ServerProcess, channel: str, name: str = "kiosk") -> tuple[str, str]:
    r = server.post("/api/v1/kiosks", json={"name": name, "channel": channel})
    assert r.status_code == 201, r.text
    return r.json()["id"], r.json()["token"]


def kiosk_row(server: ServerProcess, kiosk_id: str) -> dict:
    return next(k for k in server.get("/api/v1/kiosks").json()["items"] if k["id"] == kiosk_id)


def connect(server: ServerProcess, **kw) -> websocket.WebSocket:
    return websocket.create_connection(server.url.replace("http", "ws", 1) + "/kiosk/ws", timeout=5, **kw)


def _frame(ws: websocket.WebSocket, deadline: float):
    """The next frame before ``deadline`` (pings are answered by websocket-client)."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise AssertionError("nothing arrived in time")
    ws.settimeout(remaining)
    return ws.recv_data_frame(True)


def recv(ws: websocket.WebSocket, timeout: float = 5) -> dict:
    """The next message as JSON; fails on a close frame or after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        opcode, frame = _frame(ws, deadline)
        if opcode == websocket.ABNF.OPCODE_TEXT:
            return json.loads(frame.data)
        if opcode == websocket.ABNF.OPCODE_CLOSE:
            raise AssertionError(f"closed by the server: {frame.data!r}")


def hello(server: ServerProcess, token: str, last_event_id: int | None = None, sha256: str | None = None, **kw):
    """Connect and say hello; returns the socket and the welcome."""
    ws = connect(server, **kw)
    ws.send(json.dumps({"type": "hello", "data": {"token": token, "last_event_id": last_event_id, "sha256": sha256}}))
    welcome = recv(ws)
    assert welcome["type"] == "welcome", welcome
    return ws, welcome


def assert_nothing_pending(ws: websocket.WebSocket) -> None:
    """The next message after a ping is the pong: nothing else was queued."""
    ws.send(json.dumps({"type": "ping"}))
    assert recv(ws) == {"type": "pong"}


def close_code(ws: websocket.WebSocket, timeout: float = 5) -> int:
    """Wait for the server's close frame and return its code."""
    deadline = time.monotonic() + timeout
    while True:
        opcode, frame = _frame(ws, deadline)
        if opcode == websocket.ABNF.OPCODE_CLOSE:
            return int.from_bytes(frame.data[:2], "big")


def assert_dropped(ws: websocket.WebSocket, timeout: float = 5) -> None:
    """The server ended the TCP connection itself (the client never closed it)."""
    ws.sock.settimeout(timeout)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if ws.sock.recv(4096) == b"":
                return
        except ConnectionResetError:
            return
    raise AssertionError("the server kept the connection open")


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    server = start_server(tmp_path_factory)
    yield server
    server.stop()


def test_hello_welcome_publish_ack(srv):
    kiosk_id, token = provision(srv, "ws-lobby", "Lobby")
    content = b"glTF" + secrets.token_bytes(300)
    first = publish(srv, "ws-lobby", make_asset(srv, content))

    ws, welcome = hello(srv, token, header={"User-Agent": "KioskBrowser/1.0"})
    assert welcome["data"]["kiosk"] == kiosk_id and welcome["data"]["channel"] == "ws-lobby"
    assert welcome["data"]["server_time"].endswith("Z")
    current = recv(ws)
    assert current["type"] == "publish" and current["id"] == first["event_id"]
    data = current["data"]
    assert {k: data[k] for k in ("channel", "version", "sha256", "size")} == {
        "channel": "ws-lobby",
        "version": first["version"],
        "sha256": hashlib.sha256(content).hexdigest(),
        "size": len(content),
    }
    # The URL works for this kiosk with no header at all.
    model = requests.get(srv.url + data["url"], timeout=10)
    assert model.status_code == 200 and model.content == content

    ws.send(json.dumps({"type": "ack", "data": {"version": data["version"]}}))
    assert_nothing_pending(ws)
    row = kiosk_row(srv, kiosk_id)
    assert row["online"] is True and row["user_agent"] == "KioskBrowser/1.0" and row["last_seen"]
    assert row["shown_version"] == first["version"] and row["shown_sha256"] == data["sha256"]

    # A publication while connected arrives at once, with a newer event id.
    second = publish(srv, "ws-lobby")
    pushed = recv(ws)
    assert pushed["type"] == "publish" and pushed["id"] == second["event_id"] > current["id"]
    assert pushed["data"]["version"] == second["version"] and "url" in pushed["data"]
    ws.close()

    # Up to date: welcome only.
    ws, _ = hello(srv, token, last_event_id=second["event_id"])
    assert_nothing_pending(ws)
    ws.close()
    deadline = time.monotonic() + 5
    while kiosk_row(srv, kiosk_id)["online"] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert kiosk_row(srv, kiosk_id)["online"] is False


def test_reconnect_after_missed_publications_gets_only_the_latest(srv):
    _, token = provision(srv, "ws-missed")
    seen = publish(srv, "ws-missed")["event_id"]
    missed = [publish(srv, "ws-missed") for _ in range(3)]
    ws, _ = hello(srv, token, last_event_id=seen)
    latest = recv(ws)
    assert latest["id"] == missed[-1]["event_id"] and latest["data"]["version"] == missed[-1]["version"]
    assert_nothing_pending(ws)  # no replay of the two in between
    ws.close()


def test_no_publication_yet_sends_welcome_only(srv):
    _, token = provision(srv, "ws-empty")
    ws, welcome = hello(srv, token)
    assert welcome["data"]["channel"] == "ws-empty"
    assert_nothing_pending(ws)
    ws.close()


@pytest.mark.parametrize(
    "first",
    [
        {"type": "hello", "data": {"token": "fcki_not-a-token", "last_event_id": None, "sha256": None}},
        {"type": "hello", "data": {"last_event_id": None}},
    ],
)
def test_bad_token_gets_4401_and_is_dropped(srv, first):
    ws = connect(srv)
    ws.send(json.dumps(first))
    assert close_code(ws) == 4401
    assert_dropped(ws)


def test_protocol_errors_before_hello(srv):
    ws = connect(srv)
    ws.send(json.dumps({"type": "ping"}))
    assert close_code(ws) == 4400
    assert_dropped(ws)
    ws = connect(srv)  # says nothing: hello_seconds is 1 here
    assert close_code(ws) == 4408
    assert_dropped(ws)


def test_ping_pong_and_unknown_types_ignored(srv):
    _, token = provision(srv, "ws-ping")
    ws, _ = hello(srv, token)
    ws.send(json.dumps({"type": "screenshot-result", "data": {}}))  # unknown: ignored
    ws.send(json.dumps({"no": "type"}))
    for _ in range(3):
        assert_nothing_pending(ws)
    ws.close()


@pytest.mark.parametrize(
    "bad, code", [("{not json", 1003), (json.dumps({"type": "x", "pad": "a" * 70_000}), 1009), (b"\x00binary", 1003)]
)
def test_bad_message_closes_only_that_socket(srv, bad, code):
    channel = f"ws-bad-{secrets.token_hex(3)}"
    _, token_a = provision(srv, channel, "a")
    _, token_b = provision(srv, channel, "b")
    a, _ = hello(srv, token_a)
    b, _ = hello(srv, token_b)
    if isinstance(bad, bytes):
        a.send_binary(bad)
    else:
        a.send(bad)
    assert close_code(a) == code
    assert_dropped(a)
    assert_nothing_pending(b)
    pub = publish(srv, channel)
    assert recv(b)["id"] == pub["event_id"]
    b.close()


def test_silent_kiosk_is_dropped_after_missed_pings_live_one_stays(srv):
    silent_id, silent_token = provision(srv, "ws-pings", "silent")
    live_id, live_token = provision(srv, "ws-pings", "live")
    silent, _ = hello(srv, silent_token)
    live, _ = hello(srv, live_token)
    assert kiosk_row(srv, silent_id)["online"] is True
    # websocket-client answers pings only while it reads: ``silent`` never reads
    # again. The server pings every 2 s here and must hang up on it within two
    # intervals (plus slack), while ``live`` answers and stays.
    live.settimeout(3)
    pings, deadline = 0, time.monotonic() + 8
    while kiosk_row(srv, silent_id)["online"] and time.monotonic() < deadline:
        opcode, _frame = live.recv_data_frame(True)  # answers each ping with a pong
        assert opcode == websocket.ABNF.OPCODE_PING
        pings += 1
    assert kiosk_row(srv, silent_id)["online"] is False
    assert_dropped(silent, timeout=1)
    assert pings >= 1
    assert_nothing_pending(live)
    assert kiosk_row(srv, live_id)["online"] is True
    live.close()


def test_server_shutdown_closes_kiosks_with_1012(tmp_path_factory):
    server = start_server(tmp_path_factory)
    try:
        _, token = provision(server, "ws-stop")
        ws, _ = hello(server, token)
        server.proc.terminate()
        assert close_code(ws) == 1012
        assert_dropped(ws)
        server.proc.wait(timeout=10)
    finally:
        server.stop()


def test_ws_route_refuses_plain_http(srv):
    r = requests.get(srv.url + "/kiosk/ws", timeout=5)
    assert r.status_code >= 400
    with socket.create_connection(("127.0.0.1", srv.port), timeout=5):
        pass  # and the server is still there
    assert requests.get(srv.url + "/healthz", timeout=5).status_code == 200
