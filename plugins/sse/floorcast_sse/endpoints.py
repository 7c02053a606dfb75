"""The SSE transport's two endpoints, added to the app by ``attach(app, hub)``.

- ``GET /kiosk/sse``: the event stream. The kiosk token comes as
  ``Authorization: Bearer`` or, for ``EventSource`` (which cannot set headers),
  ``?token=``; ``Last-Event-ID`` (or ``?last_event_id=``) and ``?sha256=`` are the
  rest of a WebSocket ``hello``. A bad or revoked token is refused with 401 before
  anything streams; later closes arrive as an ``event: close`` carrying the
  WebSocket close code (4401 revoked, 1012 server restarting), then the stream ends.
- ``POST /kiosk/sse/messages`` (``Authorization: Bearer``): one kiosk message
  (``ack``, ``status``, ``ping``, ...) as JSON; 204, replies such as ``pong`` come
  down the kiosk's open stream; 409 when it has none.
"""

from __future__ import annotations

import json
import random

from flask import Response, request

from core.plugin_api import Close, KioskHub
from floorcast_sse.stream import KioskStream, Streams

MAX_MESSAGE = 64 * 1024
STREAM_HEADERS = {
    "Cache-Control": "no-cache, no-store",
    "X-Accel-Buffering": "no",  # nginx: do not buffer the stream
}


def problem(status: int, code: str, detail: str, headers: dict | None = None) -> Response:
    """An RFC 9457 problem document, as the rest of the box answers errors."""
    body = {"type": f"urn:floorcast:problem:{code}", "status": status, "code": code, "detail": detail}
    return Response(json.dumps(body), status=status, mimetype="application/problem+json", headers=headers)


def bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return (token.strip() or None) if scheme.lower() == "bearer" else None


def hello_from_request() -> dict:
    """The WebSocket ``hello`` this request amounts to."""
    last = request.headers.get("Last-Event-ID") or request.args.get("last_event_id") or ""
    return {
        "type": "hello",
        "data": {
            "token": bearer_token() or request.args.get("token"),
            "last_event_id": int(last) if last.strip().isdigit() else None,
            "sha256": request.args.get("sha256"),
        },
    }


def refuse(close: Close) -> Response:
    if close.code == 1012:
        retry_after = str(random.randint(1, 5))
        return problem(503, "restarting", "the server is restarting", {"Retry-After": retry_after})
    return problem(401, "unauthorized", "unknown or revoked kiosk token", {"WWW-Authenticate": "Bearer"})


def read_message() -> dict | Response:
    """The POSTed kiosk message, or the error response for it."""
    if (request.content_length or 0) > MAX_MESSAGE:
        return problem(413, "too_large", f"a kiosk message is at most {MAX_MESSAGE} bytes")
    raw = request.stream.read(MAX_MESSAGE + 1)
    if len(raw) > MAX_MESSAGE:
        return problem(413, "too_large", f"a kiosk message is at most {MAX_MESSAGE} bytes")
    try:
        message = json.loads(raw)
    except ValueError:
        return problem(400, "malformed", "the body must be a JSON object")
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        return problem(400, "malformed", 'the body must be a JSON object with a "type"')
    return message


def attach(app, hub: KioskHub) -> None:
    """Add ``/kiosk/sse`` and ``/kiosk/sse/messages`` to ``app``."""
    streams = Streams()

    @app.get("/kiosk/sse")
    def kiosk_sse():
        session = hub.hello(hello_from_request(), request.headers.get("User-Agent"))
        if isinstance(session, Close):
            return refuse(session)
        stream = KioskStream(hub, session, streams)
        return Response(stream.events(), mimetype="text/event-stream", headers=STREAM_HEADERS)

    @app.post("/kiosk/sse/messages")
    def kiosk_sse_message():
        kiosk = hub.authenticate(bearer_token())
        if kiosk is None:
            return refuse(Close(4401, "unauthorized"))
        message = read_message()
        if isinstance(message, Response):
            return message
        stream = streams.newest(str(kiosk.id))
        if stream is None:
            return problem(409, "no_stream", "open GET /kiosk/sse first: replies go down the event stream")
        stream.receive(message)
        return Response(status=204)
