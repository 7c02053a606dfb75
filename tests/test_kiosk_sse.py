"""The SSE kiosk transport plugin (plugins/sse) against a real ``floorcast serve``,
read by a real streaming HTTP client: proof that the transport hook suffices."""

from __future__ import annotations

import json
import queue
import threading
import time

import pytest
import requests

from tests.test_kiosk_ws import kiosk_row, make_asset, provision, publish, start_server


class EventStream:
    """``GET /kiosk/sse`` read line by line in a thread; events and comments queue up."""

    def __init__(self, server, token: str | None = None, *, params: dict | None = None, headers: dict | None = None):
        headers = dict(headers or {})
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        self.response = requests.get(
            server.url + "/kiosk/sse", params=params, headers=headers, stream=True, timeout=(5, 60)
        )
        self.items: queue.Queue = queue.Queue()
        self.ended = threading.Event()
        if self.response.status_code == 200:
            threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        fields: dict[str, str] = {}
        try:
            for line in self.response.iter_lines(chunk_size=None, decode_unicode=True):
                if line == "":
                    if fields:
                        self.items.put(("event", fields))
                    fields = {}
                elif line.startswith(":"):
                    self.items.put(("comment", line[1:].strip()))
                else:
                    name, _, value = line.partition(":")
                    fields[name] = value.removeprefix(" ")
        except (requests.RequestException, OSError, AttributeError):
            pass  # closed by the test
        finally:
            self.ended.set()
            self.items.put(("end", None))

    def next(self, timeout: float = 5, comments: bool = False) -> tuple[str, dict | str | None]:
        deadline = time.monotonic() + timeout
        while True:
            try:
                kind, item = self.items.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError("nothing arrived in time") from None
            if kind != "comment" or comments:
                return kind, item

    def event(self, timeout: float = 5) -> dict:
        """The next event's fields (``retry``-only blocks skipped), ``data`` parsed."""
        while True:
            kind, fields = self.next(timeout)
            assert kind == "event", f"stream ended: {kind}"
            if "data" in fields:
                return dict(fields, data=json.loads(fields["data"]))

    def message(self, timeout: float = 5) -> dict:
        return self.event(timeout)["data"]

    def close(self) -> None:
        self.response.close()


def post_message(server, token: str, message: dict | bytes) -> requests.Response:
    body = message if isinstance(message, bytes) else json.dumps(message).encode()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    return requests.post(server.url + "/kiosk/sse/messages", data=body, headers=headers, timeout=10)


def assert_nothing_pending(server, stream: EventStream, token: str) -> None:
    """The next message after a ping is the pong: nothing else was queued."""
    assert post_message(server, token, {"type": "ping"}).status_code == 204
    assert stream.message() == {"type": "pong"}


def wait_for(predicate, timeout: float = 8) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.1)


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    server = start_server(tmp_path_factory)  # ping_seconds = 2
    yield server
    server.stop()


def test_hello_welcome_publish_live_and_ack(srv):
    kiosk_id, token = provision(srv, "sse-lobby", "Lobby")
    first = publish(srv, "sse-lobby", make_asset(srv, b"glTF" + bytes(300)))
    stream = EventStream(srv, token, headers={"User-Agent": "SSEKiosk/1.0"})
    assert stream.response.status_code == 200
    assert stream.response.headers["Content-Type"].startswith("text/event-stream")
    kind, block = stream.next()
    assert kind == "event" and int(block["retry"]) >= 1000  # reconnect hint first

    welcome = stream.event()
    assert welcome["event"] == "welcome" and "id" not in welcome
    assert welcome["data"]["data"]["kiosk"] == kiosk_id and welcome["data"]["data"]["channel"] == "sse-lobby"
    current = stream.event()
    assert current["event"] == "publish" and current["id"] == str(first["event_id"])
    data = current["data"]["data"]
    assert current["data"]["id"] == first["event_id"] and data["version"] == first["version"]
    model = requests.get(srv.url + data["url"], timeout=10)
    assert model.status_code == 200 and model.content == b"glTF" + bytes(300)

    assert post_message(srv, token, {"type": "ack", "data": {"version": data["version"]}}).status_code == 204
    row = kiosk_row(srv, kiosk_id)
    assert row["online"] is True and row["user_agent"] == "SSEKiosk/1.0"
    assert row["shown_version"] == first["version"] and row["shown_sha256"] == data["sha256"]

    second = publish(srv, "sse-lobby")
    pushed = stream.event()
    assert pushed["event"] == "publish" and pushed["id"] == str(second["event_id"])
    assert pushed["data"]["data"]["version"] == second["version"]
    assert_nothing_pending(srv, stream, token)
    stream.close()


def test_query_token_and_last_event_id_resume_without_replay(srv):
    _, token = provision(srv, "sse-resume")
    seen = publish(srv, "sse-resume")["event_id"]
    missed = [publish(srv, "sse-resume") for _ in range(3)]

    # EventSource style: token in the query, Last-Event-ID header on reconnect.
    stream = EventStream(srv, params={"token": token}, headers={"Last-Event-ID": str(seen)})
    assert stream.message()["type"] == "welcome"
    latest = stream.event()
    assert latest["id"] == str(missed[-1]["event_id"])  # only the latest, no replay
    assert_nothing_pending(srv, stream, token)
    stream.close()

    # Up to date by query parameter: welcome only.
    stream = EventStream(srv, params={"token": token, "last_event_id": missed[-1]["event_id"]})
    assert stream.message()["type"] == "welcome"
    assert_nothing_pending(srv, stream, token)
    stream.close()


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic eDp5"}])
def test_bad_token_is_refused_before_streaming(srv, headers):
    r = requests.get(srv.url + "/kiosk/sse", headers=headers, timeout=10)
    assert r.status_code == 401 and r.headers["Content-Type"].startswith("application/problem+json")
    assert r.json()["code"] == "unauthorized"
    assert requests.get(srv.url + "/kiosk/sse", params={"token": "nope"}, timeout=10).status_code == 401
    assert post_message(srv, "nope", {"type": "ping"}).status_code == 401


def test_revoke_ends_the_open_stream_with_4401(srv):
    kiosk_id, token = provision(srv, "sse-revoke")
    stream = EventStream(srv, token)
    assert stream.message()["type"] == "welcome"
    r = requests.delete(f"{srv.url}/api/v1/kiosks/{kiosk_id}", headers=srv.auth, timeout=10)
    assert r.status_code in (200, 204), r.text
    close = stream.event(timeout=5)
    assert close["event"] == "close" and close["data"]["data"]["code"] == 4401
    assert stream.next()[0] == "end"
    assert EventStream(srv, token).response.status_code == 401
    assert post_message(srv, token, {"type": "ping"}).status_code == 401
    wait_for(lambda: kiosk_row(srv, kiosk_id)["online"] is False)


def test_heartbeat_comments_and_a_gone_client_goes_offline(srv):
    kiosk_id, token = provision(srv, "sse-gone")
    stream = EventStream(srv, token)
    assert stream.message()["type"] == "welcome"
    assert stream.next(timeout=4, comments=True) == ("comment", "ping")  # every ping_seconds (2 s)
    assert kiosk_row(srv, kiosk_id)["online"] is True
    stream.close()
    # The next heartbeat write fails: the stream ends and the session is released.
    wait_for(lambda: kiosk_row(srv, kiosk_id)["online"] is False, timeout=10)
    assert post_message(srv, token, {"type": "ping"}).status_code == 409


def test_bad_messages_are_refused_and_the_stream_stays(srv):
    _, token = provision(srv, "sse-bad")
    assert post_message(srv, token, {"type": "ping"}).status_code == 409  # no stream open yet
    stream = EventStream(srv, token)
    assert stream.message()["type"] == "welcome"
    for body, status in ((b"{not json", 400), (b"[1, 2]", 400), (b'{"data": 1}', 400), (b" " * 70_000, 413)):
        r = post_message(srv, token, body)
        assert r.status_code == status, (body[:20], r.status_code, r.text)
        assert r.headers["Content-Type"].startswith("application/problem+json")
    assert post_message(srv, token, {"type": "from-the-future"}).status_code == 204  # unknown types ignored
    assert_nothing_pending(srv, stream, token)
    stream.close()


def test_server_shutdown_ends_streams_with_1012(tmp_path_factory):
    server = start_server(tmp_path_factory)
    try:
        _, token = provision(server, "sse-stop")
        stream = EventStream(server, token)
        assert stream.message()["type"] == "welcome"
        server.proc.terminate()
        close = stream.event(timeout=5)
        assert close["event"] == "close" and close["data"]["data"]["code"] == 1012
        assert 500 <= int(close["retry"]) <= 5000  # first retry after a restart: uniform(0.5, 5) s
        assert stream.next()[0] == "end"
        server.proc.wait(timeout=10)
    finally:
        server.stop()


def test_plugins_list_shows_the_sse_transport(srv):
    rows = json.loads(srv.cli("plugins", "list", "--json").stdout)
    sse = next(row for row in rows if row["name"] == "sse")
    assert sse["dist"] == "floorcast-sse" and not sse["builtin"] and sse["error"] is None
    assert "floorcast_register_kiosk_transports" in sse["hooks"]
    assert "floorcast-sse" in srv.cli("plugins", "list").stdout


def test_console_commands_and_status_travel_over_sse(srv):
    kiosk_id, token = provision(srv, "sse-commands")
    stream = EventStream(srv, token)
    assert stream.message()["type"] == "welcome"
    r = srv.post(f"/api/v1/kiosks/{kiosk_id}/commands", json={"command": "identify"})
    assert r.status_code == 202 and r.json()["delivered"] == 1, r.text
    identify = stream.event()
    assert identify["event"] == "identify" and identify["data"]["type"] == "identify"
    assert identify["data"]["data"]["seconds"] > 0

    status = {"type": "status", "data": {"screen": {"width": 1080, "height": 1920}}}
    assert post_message(srv, token, status).status_code == 204
    assert kiosk_row(srv, kiosk_id)["screen"] == "1080x1920"
    stream.close()
