"""The built-in webhook notifier against a real server and a real HTTP receiver."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from core.notify.webhook import signature
from tests.dxf_factory import building_plan
from tests.test_kiosk_ws import hello, provision, start_server

SECRET = "webhook test secret"


class Receiver:
    """An HTTP server in a thread that records every POST; ``fail_next`` answers 503."""

    def __init__(self):
        self.posts: list[dict] = []
        self.attempts = 0
        self.fail_next = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.attempts += 1
                if receiver.fail_next > 0:
                    receiver.fail_next -= 1
                    self.send_response(503)
                    self.end_headers()
                    return
                receiver.posts.append({"headers": dict(self.headers), "body": body, "json": json.loads(body)})
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def of_type(self, kind: str, **match) -> list[dict]:
        return [
            p
            for p in self.posts
            if p["json"]["type"] == kind and all(p["json"]["data"].get(k) == v for k, v in match.items())
        ]

    def wait_for(self, kind: str, timeout: float, **match) -> list[dict]:
        deadline = time.monotonic() + timeout
        while not self.of_type(kind, **match) and time.monotonic() < deadline:
            time.sleep(0.1)
        return self.of_type(kind, **match)


@pytest.fixture(scope="module")
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.httpd.shutdown()


@pytest.fixture(scope="module")
def srv(tmp_path_factory, receiver):
    env = {"FLOORCAST_NOTIFICATIONS__WEBHOOK_URL": receiver.url, "FLOORCAST_NOTIFICATIONS__WEBHOOK_SECRET": SECRET}
    server = start_server(tmp_path_factory, env)
    yield server
    server.stop()


def assert_signed(post: dict) -> None:
    sent = post["headers"]["X-Floorcast-Signature"]
    good = "sha256=" + hmac.new(SECRET.encode(), post["body"], hashlib.sha256).hexdigest()
    assert hmac.compare_digest(sent, good) and sent == signature(SECRET, post["body"])
    assert post["headers"]["Content-Type"] == "application/json"


def test_kiosk_that_stays_away_is_reported_once(srv, receiver):
    kiosk_id, token = provision(srv, "hook-lobby", "Hook kiosk")
    ws, _ = hello(srv, token)
    ws.close()
    posts = receiver.wait_for("kiosk_offline", 10, id=kiosk_id)
    time.sleep(3)  # longer than a heartbeat (2 s here): no second report
    posts = receiver.of_type("kiosk_offline", id=kiosk_id)
    assert len(posts) == 1
    data = posts[0]["json"]["data"]
    assert data["name"] == "Hook kiosk" and data["channel"] == "hook-lobby" and data["last_seen"].endswith("Z")
    assert_signed(posts[0])


def test_kiosk_that_comes_straight_back_is_not_reported(srv, receiver):
    kiosk_id, token = provision(srv, "hook-reload")
    ws, _ = hello(srv, token)
    ws.close()
    again, _ = hello(srv, token)  # a page reload
    time.sleep(4)
    assert receiver.of_type("kiosk_offline", id=kiosk_id) == []
    again.close()


def test_finished_job_is_reported_with_retries(srv, receiver, tmp_path):
    plan = tmp_path / "venue.dxf"
    building_plan(plan)
    receiver.fail_next = 1  # the first delivery attempt gets a 503: the notifier tries again
    before = receiver.attempts
    r = srv.upload(plan)
    assert r.status_code == 202, r.text
    job = srv.wait_job(r.json()["job"]["id"])
    assert job["status"] == "succeeded"
    posts = receiver.wait_for("job_finished", 15, id=job["id"])
    assert len(posts) == 1
    data = posts[0]["json"]["data"]
    assert data["status"] == "succeeded" and data["asset"]["sha256"] == job["asset"]["sha256"]
    assert_signed(posts[0])
    assert receiver.attempts - before >= 2
