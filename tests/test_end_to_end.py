"""The walking skeleton, end to end, against a real server process: an integrator
uploads a DXF with a token made by the CLI; a kiosk paired through the pairing API
and `floorcast kiosks approve` receives the publication over its WebSocket and
downloads a GLB that passes the Khronos glTF-Validator."""

from __future__ import annotations

import hashlib
import json
import time

import requests
import websocket

from tests.dxf_factory import building_plan
from tests.gltf_validator import validate


def _recv(ws, want: str, timeout: float = 20) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ws.settimeout(max(0.1, deadline - time.monotonic()))
        message = json.loads(ws.recv())
        if message["type"] == want:
            return message
    raise AssertionError(f"no {want} within {timeout}s")


def test_dxf_upload_reaches_a_paired_kiosk(server, tmp_path):
    token = server.admin_token
    assert token and "\n" not in token

    pairing = requests.post(server.url + "/api/v1/kiosk/pairings", timeout=10)
    assert pairing.status_code == 201, pairing.text
    pairing = pairing.json()
    claim_url = f"{server.url}/api/v1/kiosk/pairings/{pairing['pairing']}/claim"
    assert requests.post(claim_url, json={"secret": pairing["secret"]}, timeout=10).status_code == 409

    code = pairing["code"].replace("-", "")
    server.cli("kiosks", "approve", f"{code[:3]}-{code[3:]}", "--channel", "lobby", "--name", "Lobby east")
    claimed = requests.post(claim_url, json={"secret": pairing["secret"]}, timeout=10)
    assert claimed.status_code == 200, claimed.text
    kiosk_token = claimed.json()["token"]

    ws = websocket.create_connection(server.url.replace("http", "ws") + "/kiosk/ws", timeout=10)
    try:
        ws.send(json.dumps({"type": "hello", "data": {"token": kiosk_token, "last_event_id": None, "sha256": None}}))
        welcome = _recv(ws, "welcome")
        assert welcome["data"]["channel"] == "lobby"

        plan = tmp_path / "venue.dxf"
        building_plan(plan)
        upload = server.upload(plan, channel="lobby")
        assert upload.status_code == 202, upload.text
        job_id = upload.json()["job"]["id"]

        publish = _recv(ws, "publish", timeout=120)
        job = server.get(f"/api/v1/jobs/{job_id}").json()
        assert job["status"] == "succeeded", "the job reads succeeded before its publication goes out"
        assert job["error"] is None
        data = publish["data"]
        assert data["channel"] == "lobby" and data["version"] == 1
        assert data["sha256"] == job["asset"]["sha256"]
        assert isinstance(publish["id"], int)

        glb = requests.get(server.url + data["url"], timeout=30)  # no header: the URL itself is the key
        assert glb.status_code == 200
        assert glb.headers["Content-Type"] == "model/gltf-binary"
        assert hashlib.sha256(glb.content).hexdigest() == data["sha256"] and len(glb.content) == data["size"]
        assert glb.headers["ETag"].strip('"') == data["sha256"]
        cached = requests.get(server.url + data["url"], headers={"If-None-Match": glb.headers["ETag"]}, timeout=10)
        assert cached.status_code == 304

        path = tmp_path / "model.glb"
        path.write_bytes(glb.content)
        validate(path)

        ws.send(json.dumps({"type": "ack", "data": {"version": data["version"]}}))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            kiosks = server.get("/api/v1/kiosks").json()["items"]
            if kiosks and kiosks[0]["shown_version"] == 1:
                break
            time.sleep(0.2)
        assert kiosks[0]["name"] == "Lobby east" and kiosks[0]["shown_version"] == 1 and kiosks[0]["online"]
    finally:
        ws.close()

    # The API token downloads the same asset; without it, nothing.
    asset_url = job["asset"]["url"]
    assert server.get(asset_url).content == glb.content
    assert requests.get(server.url + asset_url, timeout=10).status_code == 401
