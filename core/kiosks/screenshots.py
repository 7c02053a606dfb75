"""Screenshots kiosks send on request: checked, stored, and the latest kept per kiosk.

The upload names the request the ``screenshot`` command issued; it must be that
kiosk's current request and at most ``SCREENSHOT_SECONDS`` old, so a kiosk token
alone cannot fill the storage. The body must be a PNG (by its signature) of at
most ``MAX_BYTES``. The picture is stored through the storage backend like any
blob; the kiosk row keeps its key and time, and the previous one is deleted.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from typing import BinaryIO

from core.data.db import utcnow
from core.data.models import Asset, Kiosk
from core.kiosks.fleet import KioskError

log = logging.getLogger("floorcast.kiosks")

MAX_BYTES = 5 * 1024 * 1024
SCREENSHOT_SECONDS = 120
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def read_png(stream: BinaryIO, max_bytes: int = MAX_BYTES) -> bytes:
    """The uploaded bytes, if they are a PNG of at most ``max_bytes``."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise KioskError("too_large", f"a screenshot is at most {max_bytes} bytes")
    if not data.startswith(PNG_SIGNATURE):
        raise KioskError("not_png", "a screenshot must be a PNG image")
    return data


def store_screenshot(storage, kiosk: Kiosk, request_id: str, stream: BinaryIO) -> str:
    """Check and store ``kiosk``'s upload for ``request_id``; returns the storage key."""
    requested = kiosk.screenshot_requested_at
    if kiosk.screenshot_request != request_id or requested is None:
        raise KioskError("unknown_request", "no such screenshot request for this kiosk")
    if utcnow() - requested > dt.timedelta(seconds=SCREENSHOT_SECONDS):
        raise KioskError("expired", "this screenshot request has expired")
    data = read_png(stream)
    key = storage.put(io.BytesIO(data), max_bytes=MAX_BYTES).key
    # One upload per request: of two concurrent ones only the first is recorded.
    won = (
        Kiosk.update(screenshot_key=key, screenshot_at=utcnow(), screenshot_request=None)
        .where(Kiosk.id == kiosk.id, Kiosk.screenshot_request == request_id)
        .execute()
    )
    if not won:
        raise KioskError("unknown_request", "this screenshot request was already answered")
    old = kiosk.screenshot_key
    if old and old != key and not _in_use(old):
        try:
            storage.delete(old)
        except Exception as exc:  # a leftover blob is harmless; `storage gc` finds it
            log.warning("could not delete old screenshot %s: %s", old, exc)
    return key


def _in_use(key: str) -> bool:
    """Content addressing: the same bytes may be another kiosk's screenshot or a model."""
    return (
        Kiosk.select().where(Kiosk.screenshot_key == key).exists() or Asset.select().where(Asset.sha256 == key).exists()
    )
