"""Kiosks on bad venue networks: a long absence, and proxies that cut idle connections.

Real server, real WebSocket clients; the proxy is a small TCP relay in this test
that hangs up on any connection idle for longer than ``IDLE`` seconds, as many
venue proxies and NAT boxes do.
"""

from __future__ import annotations

import json
import select
import socket
import threading
import time

import pytest
import requests
import websocket

from tests.test_kiosk_ws import (
    assert_dropped,
    assert_nothing_pending,
    hello,
    kiosk_row,
    provision,
    publish,
    recv,
    start_server,
)

IDLE = 2.5  # the proxy's idle timeout, longer than the 1 s ping interval of the server below


class IdleProxy:
    """Relays TCP connections to ``target``; closes any with no bytes either way for ``idle`` s."""

    def __init__(self, target: tuple[str, int], idle: float):
        self.target, self.idle = target, idle
        self.cut = 0  # connections closed for idleness
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self._stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        self.listener.settimeout(0.2)
        while not self._stop.is_set():
            try:
                client, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:  # closed by close()
                return
            upstream = socket.create_connection(self.target)
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, a: socket.socket, b: socket.socket) -> None:
        last = time.monotonic()
        peer = {a: b, b: a}
        try:
            while not self._stop.is_set():
                ready, _, _ = select.select([a, b], [], [], 0.1)
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        return
                    peer[sock].sendall(data)
                    last = time.monotonic()
                if time.monotonic() - last > self.idle:
                    self.cut += 1
                    return
        except OSError:
            return
        finally:
            a.close()
            b.close()

    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/kiosk/ws"

    def close(self) -> None:
        self._stop.set()
        self.listener.close()


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    server = start_server(tmp_path_factory, {"FLOORCAST_KIOSK__PING_SECONDS": "1"})
    yield server
    server.stop()


@pytest.fixture
def proxy(srv):
    proxy = IdleProxy(("127.0.0.1", srv.port), IDLE)
    yield proxy
    proxy.close()


def hello_via(proxy: IdleProxy, token: str) -> websocket.WebSocket:
    ws = websocket.create_connection(proxy.ws_url(), timeout=5)
    ws.send(json.dumps({"type": "hello", "data": {"token": token, "last_event_id": None, "sha256": None}}))
    assert recv(ws)["type"] == "welcome"
    return ws


def test_offline_for_an_hour_converges_on_the_latest_only(srv):
    _, token = provision(srv, "res-hour")
    publish(srv, "res-hour")
    ws, _ = hello(srv, token)
    shown = recv(ws)
    ws.send(json.dumps({"type": "ack", "data": {"version": shown["data"]["version"]}}))
    assert_nothing_pending(ws)
    ws.close()

    # The hour away: three versions go out while the kiosk is not connected.
    missed = [publish(srv, "res-hour") for _ in range(3)]

    ws, _ = hello(srv, token, last_event_id=shown["id"], sha256=shown["data"]["sha256"])
    latest = recv(ws)
    assert latest["type"] == "publish" and latest["id"] == missed[-1]["event_id"]
    assert latest["data"]["version"] == missed[-1]["version"] == shown["data"]["version"] + 3
    assert_nothing_pending(ws)  # not the two in between, nor the one it had
    ws.send(json.dumps({"type": "ack", "data": {"version": latest["data"]["version"]}}))
    assert_nothing_pending(ws)

    pulled = requests.get(srv.url + "/api/v1/kiosk/current", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert pulled.status_code == 200 and pulled.json()["id"] == missed[-1]["event_id"]
    assert pulled.json()["data"]["version"] == latest["data"]["version"]
    ws.close()


def test_the_proxy_cuts_idle_connections(proxy):
    # The test's own control: a connection that says nothing is cut after IDLE.
    raw = socket.create_connection(("127.0.0.1", proxy.port))
    raw.settimeout(IDLE * 3)
    started = time.monotonic()
    assert raw.recv(1) == b""
    assert IDLE <= time.monotonic() - started < IDLE * 2.5
    assert proxy.cut == 1
    raw.close()


def test_heartbeats_keep_a_kiosk_connected_through_an_idle_proxy(srv, proxy):
    kiosk_id, token = provision(srv, "res-proxy")
    ws = hello_via(proxy, token)
    # Read (and so answer the server's pings) for three idle timeouts; the kiosk
    # itself sends nothing: only the heartbeats keep the proxy from cutting.
    pings, deadline = 0, time.monotonic() + 3 * IDLE
    while (remaining := deadline - time.monotonic()) > 0:
        ws.settimeout(remaining)
        try:
            opcode, _ = ws.recv_data_frame(True)
        except websocket.WebSocketTimeoutException:
            break
        assert opcode == websocket.ABNF.OPCODE_PING, opcode
        pings += 1
    assert pings >= 5 and proxy.cut == 0
    assert_nothing_pending(ws)
    assert kiosk_row(srv, kiosk_id)["online"] is True
    pub = publish(srv, "res-proxy")  # and it still receives publications
    assert recv(ws)["id"] == pub["event_id"]
    ws.close()


def test_kiosk_that_does_not_answer_pings_is_dropped(srv, proxy):
    kiosk_id, token = provision(srv, "res-silent")
    ws = hello_via(proxy, token)
    # Never read again: websocket-client then answers no ping. The server (1 s pings)
    # must drop it within two intervals plus slack, before the proxy would (its
    # pings are traffic to the proxy).
    deadline = time.monotonic() + 5
    while kiosk_row(srv, kiosk_id)["online"] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert kiosk_row(srv, kiosk_id)["online"] is False
    assert proxy.cut == 0
    assert_dropped(ws, timeout=2)
    ws.close()
