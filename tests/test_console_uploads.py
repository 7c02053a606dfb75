"""Resumable chunked uploads (the console's upload path) against a real server."""

from __future__ import annotations

import datetime as dt
import os
import socket
import time
from urllib.parse import urlsplit

import pytest
import requests

from core.appliance import create_appliance
from core.config import load_settings
from core.data.models import Upload
from core.jobs.resumable import RECEIVE_PIECE, create_upload, part_path, stale_after, write_chunk
from core.jobs.watchdog import sweep
from tests.dxf_factory import building_plan
from tests.gltf_validator import validate
from tests.serverproc import ServerProcess

LIMIT = 1_000_000


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = ServerProcess(tmp_path_factory.mktemp("uploads"), {"FLOORCAST_UPLOADS__MAX_BYTES": str(LIMIT)})
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def plan_bytes(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("plan") / "building.dxf"
    building_plan(path)
    return path.read_bytes()


def start(server, size: int, **body) -> str:
    response = server.post("/api/v1/uploads", json={"filename": "building.dxf", "size": size, **body})
    assert response.status_code == 201, response.text
    assert response.headers["Upload-Offset"] == "0"
    return response.json()["id"]


def put(server, upload_id: str, data: bytes, start_at: int, total: int) -> requests.Response:
    headers = dict(server.auth)
    headers["Content-Range"] = f"bytes {start_at}-{start_at + len(data) - 1}/{total}"
    return requests.put(f"{server.url}/api/v1/uploads/{upload_id}", data=data, headers=headers, timeout=60)


def offset(server, upload_id: str) -> int:
    response = requests.head(f"{server.url}/api/v1/uploads/{upload_id}", headers=server.auth, timeout=30)
    assert response.status_code == 200
    return int(response.headers["Upload-Offset"])


def send_and_drop(server, upload_id: str, data: bytes, start_at: int, total: int, sent: int) -> None:
    """A PUT of ``data`` whose connection dies after ``sent`` bytes of the body."""
    host, port = urlsplit(server.url).hostname, urlsplit(server.url).port
    head = (
        f"PUT /api/v1/uploads/{upload_id} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Authorization: Bearer {server.admin_token}\r\nContent-Type: application/octet-stream\r\n"
        f"Content-Length: {len(data)}\r\nContent-Range: bytes {start_at}-{start_at + len(data) - 1}/{total}\r\n\r\n"
    )
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(head.encode() + data[:sent])


def test_a_dropped_connection_resumes_where_it_stopped(server, plan_bytes, tmp_path):
    total = len(plan_bytes)
    upload_id = start(server, total, channel="lobby", options={"units": "mm"})
    first = RECEIVE_PIECE
    assert total > 2 * RECEIVE_PIECE + 5000
    assert put(server, upload_id, plan_bytes[:first], 0, total).json()["offset"] == first

    # The next chunk covers the rest, but the connection drops part-way through it:
    # the box keeps the whole pieces that arrived.
    send_and_drop(server, upload_id, plan_bytes[first:], first, total, RECEIVE_PIECE + 5000)
    deadline = time.monotonic() + 30
    while offset(server, upload_id) != first + RECEIVE_PIECE:
        assert time.monotonic() < deadline, f"offset stays at {offset(server, upload_id)}"
        time.sleep(0.1)

    # Resume from what the box has (not from zero); a stale start is refused with the offset.
    at = offset(server, upload_id)
    stale = put(server, upload_id, plan_bytes[first:], first, total)
    assert stale.status_code == 409 and stale.json()["offset"] == at
    while True:
        response = put(server, upload_id, plan_bytes[at:], at, total)
        if response.status_code == 409 and response.json()["code"] == "upload_busy":
            time.sleep(0.1)  # the dropped request may still hold the upload
            continue
        break
    assert response.status_code == 200, response.text
    assert response.json()["offset"] == total

    done = server.post(f"/api/v1/uploads/{upload_id}/complete")
    assert done.status_code == 202, done.text
    assert done.json()["plan"]["size"] == total
    job = server.wait_job(done.json()["job"]["id"], timeout=180)
    assert job["status"] == "succeeded", job
    assert job["channel"] == "lobby" and job["options"] == {"units": "mm"}
    glb = tmp_path / "model.glb"
    glb.write_bytes(server.get(job["asset"]["url"]).content)
    validate(glb)
    # the same bytes as a one-shot upload: the plan is identical
    one_shot = server.upload("building.dxf", data=plan_bytes).json()
    assert one_shot["plan"]["sha256"] == done.json()["plan"]["sha256"]
    assert server.get(f"/api/v1/uploads/{upload_id}").status_code == 404  # gone once complete


def test_limits_and_refusals(server, plan_bytes):
    too_big = server.post("/api/v1/uploads", json={"filename": "huge.dxf", "size": LIMIT + 1})
    assert too_big.status_code == 413 and too_big.json()["code"] == "too_large"
    bad_options = server.post("/api/v1/uploads", json={"filename": "a.dxf", "size": 10, "options": {"colour": 1}})
    assert bad_options.status_code == 400 and bad_options.json()["code"] == "invalid_options"

    upload_id = start(server, 100)
    assert put(server, upload_id, b"x" * 101, 0, 100).status_code == 413  # past the announced size
    assert put(server, upload_id, b"x" * 10, 0, 99).status_code == 400  # another total
    headers = dict(server.auth, **{"Content-Range": "bytes 0-119/*"})
    over = requests.put(f"{server.url}/api/v1/uploads/{upload_id}", data=b"x" * 120, headers=headers, timeout=30)
    assert over.status_code == 413
    assert put(server, upload_id, b"x" * 50, 0, 100).status_code == 200
    early = server.post(f"/api/v1/uploads/{upload_id}/complete")
    assert early.status_code == 409 and early.json()["offset"] == 50
    gone = requests.delete(f"{server.url}/api/v1/uploads/{upload_id}", headers=server.auth, timeout=30)
    assert gone.status_code == 204
    assert server.get(f"/api/v1/uploads/{upload_id}").status_code == 404
    assert requests.put(f"{server.url}/api/v1/uploads/{upload_id}", data=b"x", timeout=30).status_code == 401


def test_stale_partial_uploads_are_removed(settings_env):
    settings = load_settings(None, env=settings_env)
    box = create_appliance(settings, with_queue=False)
    fresh = create_upload(settings, None, "fresh.dxf", 10)
    old = create_upload(settings, None, "old.dxf", 10)

    class Chunk:
        data = [b"12345"]

        def read(self, _n):
            return self.data.pop() if self.data else b""

    assert write_chunk(settings, old, 0, 5, Chunk()) == 5
    long_ago = Upload.get_by_id(old.id).updated_at - stale_after(settings) - dt.timedelta(minutes=1)
    Upload.update(updated_at=long_ago).where(Upload.id == old.id).execute()
    orphan = part_path(settings, old).with_name("orphan.part")
    orphan.write_bytes(b"left behind")
    os.utime(orphan, (0, 0))
    assert sweep(box, startup=True)["stale_uploads"] == 2  # the watchdog's hourly cleanup
    assert not part_path(settings, old).exists() and not orphan.exists()
    assert part_path(settings, fresh).exists()
    assert [u.filename for u in Upload.select()] == ["fresh.dxf"]
