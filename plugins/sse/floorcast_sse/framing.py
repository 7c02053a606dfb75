"""The ``text/event-stream`` wire format (WHATWG HTML, "Server-sent events").

Every kiosk message becomes one event named by its ``type`` whose ``data`` line is
the very JSON the WebSocket transport sends; a ``publish`` also carries its event
id as the SSE ``id``, so a reconnecting ``EventSource`` sends it back as
``Last-Event-ID`` and is treated like a WebSocket kiosk's ``hello``.
"""

from __future__ import annotations

import json
import re

from core.plugin_api import Close

EVENT_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


def event(message: dict, text: str | None = None) -> bytes:
    """One SSE event for a kiosk message (``text``: its JSON, when already encoded)."""
    kind = message.get("type")
    lines = [f"event: {kind if isinstance(kind, str) and EVENT_NAME.match(kind) else 'message'}"]
    event_id = message.get("id")
    if isinstance(event_id, int) and not isinstance(event_id, bool):
        lines.append(f"id: {event_id}")
    # json.dumps never emits a raw newline, so the payload is always one data line.
    lines.append("data: " + (text or json.dumps(message, separators=(",", ":"))))
    return ("\n".join(lines) + "\n\n").encode()


def close_event(close: Close, retry_ms: int | None = None) -> bytes:
    """The last event of a stream: why it ends, with the WebSocket close code, and
    optionally when to come back."""
    block = event({"type": "close", "data": {"code": close.code, "reason": close.reason}})
    return block if retry_ms is None else retry(retry_ms)[:-1] + block


def comment(text: str) -> bytes:
    """A comment line: ignored by clients, keeps proxies from timing the stream out."""
    return f": {text}\n\n".encode()


def retry(milliseconds: int) -> bytes:
    """How long an ``EventSource`` waits before it reconnects on its own."""
    return f"retry: {int(milliseconds)}\n\n".encode()
