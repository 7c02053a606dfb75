"""Console commands for one kiosk: reload, identify, screenshot.

A command goes out on the bus topic ``kiosk:<id>``; the hub passes it to every
connection of that kiosk as it is (``{"type": "reload"}`` ...). A screenshot
command also records its request id on the kiosk row: the kiosk's upload must name
that request, and only for ``SCREENSHOT_SECONDS`` (see :mod:`core.kiosks.screenshots`).
"""

from __future__ import annotations

import uuid

from core.data.db import utcnow
from core.data.models import Kiosk, User
from core.kiosks.fleet import KioskError, audit, get_kiosk

COMMANDS = ("reload", "identify", "screenshot")
IDENTIFY_SECONDS = 10


def screenshot_upload_path(request_id: str) -> str:
    return f"/api/v1/kiosk/screenshots/{request_id}"


def send_command(bus, kiosk_id: str, command: str, user: User | None = None) -> dict:
    """Tell the kiosk's open connections to ``command``:
    ``{"command", "delivered", "request" (screenshot only)}``.

    ``delivered`` counts this process's connections of the kiosk (0: offline)."""
    if command not in COMMANDS:
        raise KioskError("invalid_command", f"unknown command {command!r}; one of {', '.join(COMMANDS)}")
    kiosk = get_kiosk(kiosk_id)
    if kiosk.revoked_at is not None:
        raise KioskError("revoked", "this kiosk was revoked")
    result: dict = {"command": command}
    message: dict = {"type": command}
    if command == "identify":
        message["data"] = {"seconds": IDENTIFY_SECONDS}
    elif command == "screenshot":
        request_id = str(uuid.uuid4())
        Kiosk.update(screenshot_request=request_id, screenshot_requested_at=utcnow()).where(
            Kiosk.id == kiosk.id
        ).execute()
        message["data"] = {"request": request_id, "upload": screenshot_upload_path(request_id)}
        result["request"] = request_id
    result["delivered"] = bus.publish(f"kiosk:{kiosk.id}", message)
    audit(user, f"kiosk.{command}", str(kiosk.id), name=kiosk.name, delivered=result["delivered"])
    return result
