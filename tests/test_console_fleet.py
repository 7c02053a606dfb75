"""Console forms for kiosks and channels, and the live feed, against a real server."""

from __future__ import annotations

import json
import re
import time

import pytest
import requests
import websocket

from tests.console_session import Console
from tests.serverproc import ServerProcess
from tests.test_kiosk_ws import close_code, hello, kiosk_row, make_asset, publish, recv


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = ServerProcess(tmp_path_factory.mktemp("console-fleet"))
    srv.start()
    yield srv
    srv.stop()


def test_pair_rename_move_and_revoke_from_the_console(server):
    admin = Console(server)
    pairing = requests.post(server.url + "/api/v1/kiosk/pairings", timeout=30).json()
    admin.get("/console/kiosks")
    typed = pairing["display"].lower()  # as staff type it off the screen
    assert admin.post_form("/console/kiosks/pair", {"code": typed, "channel": "foyer", "name": ""}).status_code == 303
    page = admin.get("/console/kiosks").text
    assert "paired to channel foyer" in page
    claimed = requests.post(
        f"{server.url}/api/v1/kiosk/pairings/{pairing['pairing']}/claim", json={"secret": pairing["secret"]}, timeout=30
    )
    assert claimed.status_code == 200
    kiosk_id = claimed.json()["kiosk"]

    wrong = admin.post_form("/console/kiosks/pair", {"code": "ZZZ-999", "channel": "foyer"})
    assert wrong.status_code == 303
    assert "No kiosk is showing that code" in admin.get("/console/kiosks").text

    ws, welcome = hello(server, claimed.json()["token"])
    assert welcome["data"]["channel"] == "foyer"
    publish(server, "atrium")
    admin.get("/console/kiosks")
    moved = admin.post_form(f"/console/kiosks/{kiosk_id}", {"name": "Atrium east", "channel": "atrium"})
    assert moved.status_code == 303
    assert recv(ws, timeout=10)["type"] in ("moved", "publish")
    row = kiosk_row(server, kiosk_id)
    assert row["name"] == "Atrium east" and row["channel"] == "atrium"
    assert admin.post_form(f"/console/kiosks/{kiosk_id}", {"action": "revoke"}).status_code == 303
    assert close_code(ws, timeout=10) == 4401
    audit = admin.get("/console/audit?action=kiosk.").text
    assert "kiosk.approve" in audit and "kiosk.update" in audit and "kiosk.revoke" in audit


def test_rollback_from_the_channels_page(server):
    admin = Console(server)
    first = publish(server, "hall", make_asset(server))
    publish(server, "hall", make_asset(server))
    page = admin.get("/console/channels").text
    assert 'id="channel-hall"' in page and "v2" in page
    response = admin.post_form("/console/channels/hall/rollback", {"version": "1"})
    assert response.status_code == 303
    history = server.get("/api/v1/channels/hall/publications").json()["items"]
    assert history[0]["version"] == 3 and history[0]["asset"]["id"] == first["asset"]["id"]
    assert history[0]["note"] == "rollback to v1" and history[0]["published_by"] == "admin@example.com"
    assert admin.post_form("/console/channels/hall/rollback", {"version": "9"}).status_code == 303
    assert "That version does not exist." in admin.get("/console/channels").text


def test_publish_form_works_without_its_script(server):
    """The model page's publish form posts by itself when its script has not run."""
    admin = Console(server)
    asset = make_asset(server)
    assert 'name="csrf_token"' in admin.get(f"/console/models/{asset}").text
    assert admin.post_form(f"/console/models/{asset}/publish", {"channel": "foyer"}, csrf=False).status_code == 403
    response = admin.post_form(f"/console/models/{asset}/publish", {"channel": "foyer"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/console/models/{asset}")
    assert "Published v1 to foyer" in admin.get(f"/console/models/{asset}").text
    history = server.get("/api/v1/channels/foyer/publications").json()["items"]
    assert history[0]["asset"]["id"] == asset and history[0]["published_by"] == "admin@example.com"
    assert admin.post_form("/console/models/not-an-asset/publish", {"channel": "foyer"}).status_code == 404


def test_live_feed_needs_a_session_and_sends_typed_messages(server):
    url = server.url.replace("http", "ws", 1) + "/console/ws"
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        websocket.create_connection(url, timeout=10)
    assert refused.value.status_code == 401

    admin = Console(server)
    cookie = "; ".join(f"{c.name}={c.value}" for c in admin.http.cookies)
    foreign = websocket.create_connection(url, timeout=10, cookie=cookie, origin="http://evil.example")
    assert close_code(foreign, timeout=10) == 4401

    feed = websocket.create_connection(url, timeout=10, cookie=cookie, origin=server.url)
    welcome = json.loads(feed.recv())
    assert welcome == {"type": "welcome", "data": {"user": "admin@example.com", "role": "admin"}}
    feed.send(json.dumps({"type": "ping"}))
    feed.send(json.dumps({"type": "something new"}))  # ignored
    assert json.loads(feed.recv()) == {"type": "pong"}

    # a kiosk coming online shows up as kiosk.status
    from tests.test_kiosk_ws import provision

    kiosk_id, token = provision(server, "feed-test")
    ws, _ = hello(server, token)
    deadline_messages = []
    while True:
        message = json.loads(feed.recv())
        deadline_messages.append(message["type"])
        if message["type"] == "kiosk.status" and message["data"]["id"] == kiosk_id and message["data"]["online"]:
            break
        assert len(deadline_messages) < 50, deadline_messages
    ws.close()
    feed.close()
    assert re.fullmatch(r"[0-9a-f-]{36}", kiosk_id)


def test_a_failed_job_says_where_and_what_to_do_and_can_be_retried(server, tmp_path):
    from tests.dxf_factory import truncated

    plan = tmp_path / "cut.dxf"
    truncated(plan)
    job = server.upload(plan).json()["job"]
    final = server.wait_job(job["id"], timeout=180)
    assert final["status"] == "failed", final
    admin = Console(server)
    page = admin.get(f"/console/jobs/{job['id']}").text
    assert final["error"]["code"] in page and final["error"]["message"].split(":")[0] in page
    assert "What to do" in page and 'data-action="retry"' in page
    retried = admin.api("POST", f"/api/v1/jobs/{job['id']}/retry")
    assert retried.status_code == 202 and retried.json()["status"] == "queued"
    assert server.wait_job(job["id"], timeout=180)["status"] == "failed"
    assert "job.retry" in admin.get("/console/audit").text


def test_live_feed_reports_jobs_another_process_runs(server):
    """A ``floorcast worker`` elsewhere writes only the job's row: the feed sees it."""
    from core.data.models import Job, Plan
    from core.jobs import states
    from tests.test_kiosk_ws import bind_box

    admin = Console(server)
    cookie = "; ".join(f"{c.name}={c.value}" for c in admin.http.cookies)
    feed = websocket.create_connection(server.url.replace("http", "ws", 1) + "/console/ws", timeout=10, cookie=cookie)
    assert json.loads(feed.recv())["type"] == "welcome"

    bind_box(server)
    plan = Plan.create(filename="elsewhere.dxf", sha256="0" * 64, size=1)
    job = Job.create(plan=plan, options_hash="x")  # no queue message: this server never runs it
    owner = "worker-box:4242:feedtest"  # another host: the watchdog leaves its lease alone
    assert states.claim(job.id, owner, lease_seconds=600)
    assert states.update_running(job.id, owner, stage="geometry", progress=0.5, eta_seconds=3.0)

    def next_about_job() -> dict:
        while True:
            message = json.loads(feed.recv())
            if message["type"].startswith("job.") and message["data"]["id"] == str(job.id):
                return message

    progress = next_about_job()
    assert progress == {
        "type": "job.progress",
        "data": {"id": str(job.id), "stage": "geometry", "progress": 0.5, "eta_seconds": 3.0},
    }
    assert states.finish(job.id, owner, states.SUCCEEDED)
    assert next_about_job() == {"type": "job.finished", "data": {"id": str(job.id), "status": "succeeded"}}
    time.sleep(2.5)  # two more looks at the rows
    feed.send(json.dumps({"type": "ping"}))
    while (message := json.loads(feed.recv()))["type"] != "pong":  # and nothing more about the job
        assert not (message["type"].startswith("job.") and message["data"]["id"] == str(job.id)), message
    feed.close()
