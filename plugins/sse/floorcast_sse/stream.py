"""One open event stream per kiosk connection, driven by the hub's session.

The response generator (the request's greenlet) waits on the stream's own queue;
a pump greenlet (``threading.Thread`` under gevent's monkey patching) waits on
``session.next()`` and feeds that queue; replies to messages the kiosk POSTs are
put there too. A quiet ``ping_seconds`` yields a comment line: it keeps proxies
from closing an idle stream and is how a vanished client is noticed (the write
fails, the server closes the generator, the session is released).
"""

from __future__ import annotations

import logging
import queue
import random
import threading
from collections.abc import Iterator

from core.plugin_api import Close, KioskHub, KioskSession
from floorcast_sse.framing import close_event, comment, event, retry

log = logging.getLogger("floorcast.kiosks.sse")

RESTART = 1012
_END = object()  # the pump is done: the session ended without a close to report


class KioskStream:
    """What one ``GET /kiosk/sse`` sends, from the first event to the last."""

    def __init__(self, hub: KioskHub, session: KioskSession, streams: Streams):
        self.hub, self.session, self.streams = hub, session, streams
        self.kiosk_id = session.kiosk_id
        self._queue: queue.Queue = queue.Queue()
        self._pump: threading.Thread | None = None

    def events(self) -> Iterator[bytes]:
        """The response body. Closing the generator (client gone) releases the session."""
        try:
            first = self.session.start()
            self.streams.add(self)
            # EventSource reconnects by itself after an end of stream: spread those out.
            yield retry(random.randint(1000, 3000))
            for message in first:
                yield event(message, self.hub.encode(message))
            self._pump = threading.Thread(target=self._run_pump, name=f"kiosk-sse-{self.kiosk_id}", daemon=True)
            self._pump.start()
            while True:
                try:
                    item = self._queue.get(timeout=self.hub.heartbeat_seconds)
                except queue.Empty:
                    yield comment("ping")
                    continue
                if item is _END:
                    return
                if isinstance(item, Close):
                    # First retry after a restart: uniform(0.5, 5) s, as the WebSocket kiosk does.
                    yield close_event(item, random.randint(500, 5000) if item.code == RESTART else None)
                    return
                yield event(item, self.hub.encode(item))
        finally:
            self.streams.discard(self)
            self.session.interrupt()
            if self._pump is not None:
                self._pump.join(timeout=1.0)
            self.session.close()
            self.hub.release_db()

    def receive(self, message: dict) -> None:
        """A message the kiosk POSTed: its replies go down this stream."""
        for reply in self.session.receive(message):
            self._queue.put(reply)

    def _run_pump(self) -> None:
        try:
            while (out := self.session.next()) is not None:
                self._queue.put(out)
                if isinstance(out, Close):
                    return
        except Exception:  # a bug here must still end this stream, not leave it silent
            log.exception("kiosk %s: event stream failed", self.kiosk_id)
            self._queue.put(Close(1011, "internal error"))
        finally:
            self._queue.put(_END)
            self.hub.release_db()


class Streams:
    """The open streams of one app, by kiosk: where a POSTed message goes."""

    def __init__(self):
        self._lock = threading.Lock()
        self._by_kiosk: dict[str, list[KioskStream]] = {}

    def add(self, stream: KioskStream) -> None:
        with self._lock:
            self._by_kiosk.setdefault(stream.kiosk_id, []).append(stream)

    def discard(self, stream: KioskStream) -> None:
        with self._lock:
            streams = self._by_kiosk.get(stream.kiosk_id, [])
            if stream in streams:
                streams.remove(stream)
            if not streams:
                self._by_kiosk.pop(stream.kiosk_id, None)

    def newest(self, kiosk_id: str) -> KioskStream | None:
        """The kiosk's most recently opened stream (a reloaded page's old one may linger)."""
        with self._lock:
            streams = self._by_kiosk.get(kiosk_id)
            return streams[-1] if streams else None
