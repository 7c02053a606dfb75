"""Which kiosks this process serves, their heartbeat, and offline notices.

A kiosk is online while at least one connection of this process holds a session
for it. One ticker nudges every session once per ``ping_seconds`` (the session then
re-reads its kiosk row and moves ``last_seen``); when a kiosk's last connection
ends and it stays away for a heartbeat, plugins hear ``floorcast_kiosk_offline``.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from typing import TYPE_CHECKING

from core.data.db import iso, utcnow
from core.data.models import Channel, Kiosk

if TYPE_CHECKING:  # pragma: no cover - typing only
    from core.kiosks.hub import KioskHub, KioskSession


class Presence:
    """The sessions of one hub, counted per kiosk."""

    def __init__(self, hub: KioskHub):
        self.hub = hub
        self._lock = threading.Lock()
        self._connections: Counter[str] = Counter()
        self._sessions: set[KioskSession] = set()
        self._ticker: threading.Thread | None = None

    def sessions(self) -> list[KioskSession]:
        with self._lock:
            return list(self._sessions)

    def online(self, kiosk_id: str) -> int:
        """Connections this process holds for the kiosk."""
        with self._lock:
            return self._connections[str(kiosk_id)]

    def add(self, session: KioskSession) -> None:
        with self._lock:
            self._sessions.add(session)
            self._connections[session.kiosk_id] += 1
            if self._ticker is None:
                self._ticker = threading.Thread(target=self._tick, name="kiosk-heartbeat", daemon=True)
                self._ticker.start()
                self.hub.relay.start()

    def remove(self, session: KioskSession) -> None:
        with self._lock:
            self._sessions.discard(session)
            self._connections[session.kiosk_id] -= 1
            last = self._connections[session.kiosk_id] <= 0
            if last:
                del self._connections[session.kiosk_id]
        if not last:
            return
        kid = uuid.UUID(session.kiosk_id)
        Kiosk.update(online=False, last_seen_at=utcnow()).where(Kiosk.id == kid).execute()
        if not self.hub.closing and not session.revoked:
            # A reload reconnects within seconds: tell plugins only if it stays away.
            timer = threading.Timer(self.hub.heartbeat_seconds, self._notify_offline, args=(session.kiosk_id,))
            timer.daemon = True
            timer.start()

    def _tick(self) -> None:
        """Nudge every session once per heartbeat, spread over the interval: one timer
        for the fleet, not a timeout armed per kiosk per message (that was a tenth of
        the CPU of a publication's fan-out)."""
        while not self.hub.closing:
            sessions = self.sessions()
            if not sessions:
                time.sleep(self.hub.heartbeat_seconds)
                continue
            pause = self.hub.heartbeat_seconds / len(sessions)
            for session in sessions:
                session.tick()
                time.sleep(pause)

    def _notify_offline(self, kiosk_id: str) -> None:
        try:
            if self.online(kiosk_id):
                return
            kiosk = Kiosk.select(Kiosk, Channel).join(Channel).where(Kiosk.id == uuid.UUID(kiosk_id)).first()
            if kiosk is None or kiosk.online or kiosk.revoked_at is not None:
                return
            view = {
                "id": kiosk_id,
                "name": kiosk.name,
                "channel": kiosk.channel.name,
                "last_seen": iso(kiosk.last_seen_at),
            }
            self.hub.appliance.plugins.notify("floorcast_kiosk_offline", kiosk=view)
        finally:
            self.hub.release_db()
