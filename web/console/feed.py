"""``/console/ws``: the console's live feed (session cookie, same origin only).

Messages are ``{"type": ..., "data": ...}``; pages ignore types they do not know.

| type | data |
|---|---|
| ``welcome`` | ``{user, role}`` on connect |
| ``job.progress`` | ``{id, stage, progress, eta_seconds, message}`` (``message`` only from this process) |
| ``job.finished`` | ``{id, status}``, once per job |
| ``kiosk.status`` | a kiosk as ``GET /api/v1/kiosks`` shows it, when it changed |
| ``pong`` | the answer to ``{"type": "ping"}`` |

Jobs run by this process arrive from its bus at once; jobs a ``floorcast worker``
runs are seen in the database within a second (:mod:`web.console.job_watch`).

A session that ends (sign-out elsewhere, password change, disable) closes the
socket with 4401.
"""

from __future__ import annotations

import json
import logging
import time
from urllib.parse import urlsplit

from flask import request
from flask_sock import Sock
from simple_websocket import ConnectionClosed

from core.kiosks.fleet import list_kiosks
from web.console.job_watch import JobWatch
from web.context import appliance, session_user

log = logging.getLogger("floorcast.console")

KIOSK_POLL_SECONDS = 2.0
JOB_POLL_SECONDS = 1.0
SESSION_CHECK_SECONDS = 10.0


def _same_origin() -> bool:
    origin = request.headers.get("Origin")
    return origin is None or urlsplit(origin).netloc == request.host


def _close_db() -> None:
    db = appliance().db
    if not db.is_closed():
        db.close()


def serve(ws) -> None:
    user = session_user() if _same_origin() else None
    if user is None:
        ws.close(reason=4401, message="sign in first")
        return
    bus = appliance().bus
    sub = bus.subscribe("jobs", maxsize=512)
    try:
        ws.send(json.dumps({"type": "welcome", "data": {"user": user.email, "role": user.role}}))
        kiosks: dict[str, dict] | None = None  # as last seen; None before the first look
        jobs = JobWatch()  # jobs other processes run
        next_poll = next_check = next_jobs = 0.0
        while ws.connected:
            message = sub.get(timeout=0.5)
            if message is not None and jobs.heard(message):
                ws.send(json.dumps(message))
            incoming = ws.receive(timeout=0)
            if incoming:
                try:
                    kind = json.loads(incoming).get("type")
                except (ValueError, AttributeError):
                    kind = None
                if kind == "ping":
                    ws.send(json.dumps({"type": "pong"}))
            now = time.monotonic()
            if now >= next_jobs:
                next_jobs = now + JOB_POLL_SECONDS
                for change in jobs.poll():
                    ws.send(json.dumps(change))
                _close_db()
            if now >= next_poll:
                next_poll = now + KIOSK_POLL_SECONDS
                fresh = {k["id"]: k for k in list_kiosks()}
                _close_db()
                if kiosks is not None:
                    for kiosk_id, kiosk in fresh.items():
                        if kiosks.get(kiosk_id) != kiosk:
                            ws.send(json.dumps({"type": "kiosk.status", "data": kiosk}))
                kiosks = fresh
            if now >= next_check:
                next_check = now + SESSION_CHECK_SECONDS
                if session_user() is None:
                    ws.close(reason=4401, message="the session ended")
                    return
                _close_db()
    except ConnectionClosed:
        pass
    finally:
        sub.close()
        _close_db()


def attach(app) -> None:
    """Add ``/console/ws`` to ``app``. Its endpoint is ``console.feed`` so the
    console blueprint's guard (:func:`web.console.base.guard`) answers 401 to a
    request without a session before the socket is upgraded."""
    Sock(app).route("/console/ws", endpoint="console.feed")(serve)
