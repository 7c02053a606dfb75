"""The kiosk fleet API and CLI: provisioning, listing, moving, revoking."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.test_kiosk_ws import (
    assert_dropped,
    assert_nothing_pending,
    close_code,
    connect,
    hello,
    kiosk_row,
    provision,
    publish,
    recv,
    start_server,
)

FIELDS = {"id", "name", "channel", "online", "shown_version", "shown_sha256", "last_seen", "user_agent", "revoked"}


def patch(server, kiosk_id: str, json: dict) -> requests.Response:
    return requests.patch(f"{server.url}/api/v1/kiosks/{kiosk_id}", json=json, headers=server.auth, timeout=10)


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    server = start_server(tmp_path_factory)  # ping_seconds = 2: heartbeat reconciles are quick
    yield server
    server.stop()


def test_fleet_needs_an_admin(srv, tmp_path):
    body = {"name": "k", "channel": "fleet-auth"}
    assert requests.post(srv.url + "/api/v1/kiosks", json=body, timeout=10).status_code == 401
    assert requests.get(srv.url + "/api/v1/kiosks", timeout=10).status_code == 401
    password = tmp_path / "pw"
    password.write_text("staff password 1")
    srv.cli("user", "create", "staff@example.com", "--role", "staff", "--password-file", str(password))
    staff = {"Authorization": "Bearer " + srv.cli("token", "create", "--user", "staff@example.com").stdout.strip()}
    r = requests.post(srv.url + "/api/v1/kiosks", json=body, headers=staff, timeout=10)
    assert r.status_code == 403 and r.headers["Content-Type"].startswith("application/problem+json")


def test_provision_and_list(srv):
    r = srv.post("/api/v1/kiosks", json={"name": "Gate 4", "channel": "fleet-new"})  # channel made on first use
    assert r.status_code == 201, r.text
    kiosk_id, token = r.json()["id"], r.json()["token"]
    items = srv.get("/api/v1/kiosks").json()["items"]
    row = next(k for k in items if k["id"] == kiosk_id)
    assert FIELDS <= set(row) and "token" not in row
    assert row["name"] == "Gate 4" and row["channel"] == "fleet-new" and row["online"] is False
    assert row["revoked"] is False and row["last_seen"] is None
    channels = srv.get("/api/v1/channels").json()["items"]
    assert any(c["name"] == "fleet-new" for c in channels)
    ws, welcome = hello(srv, token)
    assert welcome["data"]["kiosk"] == kiosk_id
    assert kiosk_row(srv, kiosk_id)["online"] is True
    ws.close()
    assert srv.post("/api/v1/kiosks", json={"name": "", "channel": "x"}).status_code == 400
    assert srv.post("/api/v1/kiosks", json={"channel": "x"}).status_code == 422


def test_revoke_closes_the_open_socket_with_4401(srv):
    kiosk_id, token = provision(srv, "fleet-revoke")
    publish(srv, "fleet-revoke")
    ws, _ = hello(srv, token)
    url = recv(ws)["data"]["url"]
    assert requests.get(srv.url + url, timeout=10).status_code == 200
    other_id, other_token = provision(srv, "fleet-revoke", "bystander")
    other, _ = hello(srv, other_token)
    recv(other)

    started = time.monotonic()
    r = requests.delete(f"{srv.url}/api/v1/kiosks/{kiosk_id}", headers=srv.auth, timeout=10)
    assert r.status_code == 204
    assert close_code(ws) == 4401
    assert time.monotonic() - started < 5
    assert_dropped(ws)

    again = connect(srv)  # the token is refused from now on
    again.send(json.dumps({"type": "hello", "data": {"token": token, "last_event_id": None, "sha256": None}}))
    assert close_code(again) == 4401
    assert requests.get(srv.url + url, timeout=10).status_code == 403  # so is its signed URL
    row = kiosk_row(srv, kiosk_id)
    assert row["revoked"] is True and row["online"] is False
    assert_nothing_pending(other)  # the other kiosk did not notice
    assert kiosk_row(srv, other_id)["online"] is True
    other.close()

    assert requests.delete(f"{srv.url}/api/v1/kiosks/{kiosk_id}", headers=srv.auth, timeout=10).status_code == 204
    missing = requests.delete(
        f"{srv.url}/api/v1/kiosks/00000000-0000-0000-0000-000000000000", headers=srv.auth, timeout=10
    )
    assert missing.status_code == 404
    assert patch(srv, kiosk_id, json={"name": "x"}).status_code == 409


def test_rename_and_move(srv):
    kiosk_id, token = provision(srv, "fleet-a", "before")
    publish(srv, "fleet-a")
    target = publish(srv, "fleet-b")
    ws, _ = hello(srv, token)
    assert recv(ws)["data"]["channel"] == "fleet-a"

    r = patch(srv, kiosk_id, json={"name": "after", "channel": "fleet-b"})
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "after" and r.json()["channel"] == "fleet-b"
    moved = recv(ws)  # the new channel's current publication, at once
    assert moved["type"] == "publish" and moved["id"] == target["event_id"]
    assert moved["data"]["channel"] == "fleet-b" and moved["data"]["version"] == target["version"]
    assert requests.get(srv.url + moved["data"]["url"], timeout=10).status_code == 200

    later = publish(srv, "fleet-b")  # and its publications from then on
    assert recv(ws)["id"] == later["event_id"]
    publish(srv, "fleet-a")  # but no longer the old channel's
    assert_nothing_pending(ws)
    ws.close()
    assert kiosk_row(srv, kiosk_id)["channel"] == "fleet-b"


def test_moved_while_offline_still_gets_its_new_channel(srv):
    kiosk_id, token = provision(srv, "fleet-c")
    publish(srv, "fleet-c")
    target = publish(srv, "fleet-d")  # the new channel's model has the OLDER event id
    ws, _ = hello(srv, token)
    assert recv(ws)["data"]["channel"] == "fleet-c"
    shown = publish(srv, "fleet-c")
    pushed = recv(ws)
    ws.send(json.dumps({"type": "ack", "data": {"version": pushed["data"]["version"]}}))
    assert_nothing_pending(ws)
    ws.close()
    assert patch(srv, kiosk_id, json={"channel": "fleet-d"}).status_code == 200

    ws, _ = hello(srv, token, last_event_id=shown["event_id"], sha256=pushed["data"]["sha256"])
    current = recv(ws)
    assert current["id"] == target["event_id"] < shown["event_id"] and current["data"]["channel"] == "fleet-d"
    ws.close()


def answering_pings(ws, work):
    """Run ``work`` (a CLI call: a second or more, longer on a busy machine) while the
    socket answers the server's pings (2 s here) like a live kiosk, instead of being
    dropped for silence."""
    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(work)
        while not future.done():
            assert_nothing_pending(ws)
            time.sleep(0.2)
        return future.result()


def test_cli_list_and_revoke(srv):
    kiosk_id, token = provision(srv, "fleet-cli", "Cli kiosk")
    ws, _ = hello(srv, token)
    listed = json.loads(answering_pings(ws, lambda: srv.cli("kiosks", "list", "--json")).stdout)["items"]
    assert any(k["id"] == kiosk_id and k["online"] for k in listed)
    assert "Cli kiosk" in answering_pings(ws, lambda: srv.cli("kiosks", "list")).stdout

    with ThreadPoolExecutor(1) as pool:
        revoking = pool.submit(lambda: (srv.cli("kiosks", "revoke", kiosk_id), time.monotonic()))
        # Another process revoked it: the server's event relay brings it within a
        # second or so (tests/test_kiosk_relay.py shows it without the heartbeat's help).
        assert close_code(ws, timeout=60) == 4401
        closed = time.monotonic()
        out, revoked = revoking.result()
    assert kiosk_id in out.stdout
    assert closed - revoked < 5  # negative when the socket closed before the CLI exited
    assert_dropped(ws)
    assert kiosk_id not in srv.cli("kiosks", "list").stdout
    assert kiosk_id in srv.cli("kiosks", "list", "--all").stdout
    bad = srv.cli("kiosks", "revoke", "no-such-kiosk", check=False)
    assert bad.returncode != 0 and "error: not_found:" in bad.stderr
