"""The events table as the path between processes.

``publish()`` and the fleet actions deliver on this process's bus at once, but the
CLI (``floorcast kiosks revoke``) and ``floorcast worker`` run in other processes
whose in-memory bus no kiosk listens to. Every change kiosks must hear about is
also an ``Event`` row, so one relay per serving process polls the table about once
a second and fans out to the local bus each new event this process has not already
delivered itself (:meth:`core.events.MemoryBus.sent`).
"""

from __future__ import annotations

import logging
import threading

from core.data.models import Event

log = logging.getLogger("floorcast.kiosks.relay")

POLL_SECONDS = 1.0
BATCH = 500


def bus_message(event: Event) -> tuple[str, dict] | None:
    """The topic and message a stored event goes out as (None: not for kiosks)."""
    data = event.data or {}
    if event.type == "publish" and event.channel:
        return f"channel:{event.channel}", {"type": "publish", "id": event.id, "data": data}
    if event.type in ("revoked", "moved") and isinstance(data.get("kiosk"), str):
        return f"kiosk:{data['kiosk']}", {"type": event.type, "id": event.id, "data": data}
    return None


class EventRelay:
    """Polls ``Event`` rows newer than the last one seen and publishes them on ``bus``."""

    def __init__(self, appliance, poll_seconds: float = POLL_SECONDS):
        self.appliance, self.bus, self.poll_seconds = appliance, appliance.bus, poll_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.cursor = self._newest_id()  # events from before this process started are history

    def _newest_id(self) -> int:
        try:
            return Event.select(Event.id).order_by(Event.id.desc()).scalar() or 0
        finally:
            self._release_db()

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="kiosk-event-relay", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def poll(self) -> int:
        """Deliver the events written since the last poll; returns how many went out.

        SQLite commits one writer at a time, so ids appear in order. On PostgreSQL a
        slower transaction may commit a lower id after a higher one was seen; the
        heartbeat re-read of each kiosk is the backstop for such a rare miss."""
        events = list(Event.select().where(Event.id > self.cursor).order_by(Event.id).limit(BATCH))
        delivered = 0
        for event in events:
            self.cursor = event.id
            out = bus_message(event)
            if out is None or self.bus.sent(event.id):
                continue
            self.bus.publish(*out)
            delivered += 1
        return delivered

    def _run(self) -> None:
        while not self._stop.wait(self.poll_seconds):
            try:
                self.poll()
            except Exception as exc:  # the database may be busy or briefly gone: next time
                log.warning("event relay: %s", exc)
            finally:
                self._release_db()

    def _release_db(self) -> None:
        db = self.appliance.db
        if not db.is_closed():
            db.close()
