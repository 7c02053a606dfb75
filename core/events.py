"""Fan-out of events to the browsers and kiosks connected to this process.

Topics: ``channel:<name>`` (publications), ``kiosk:<id>`` (commands, revocation),
``jobs`` (progress). The in-process bus serves one box; a Redis bus between web
nodes replaces it by configuration. Slow subscribers lose their oldest messages
rather than stalling the publisher: kiosks reconcile from the database anyway.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import defaultdict

log = logging.getLogger("floorcast.events")


class Subscription:
    def __init__(self, bus: MemoryBus, topics: tuple[str, ...], maxsize: int):
        self.bus, self.topics = bus, topics
        self.queue: queue.Queue = queue.Queue(maxsize=maxsize)

    def get(self, timeout: float | None = None):
        """The next message, or None after ``timeout`` seconds."""
        try:
            return self.queue.get(timeout=timeout)
        except queue.Empty:
            return None

    def offer(self, message: dict) -> None:
        try:
            self.queue.put_nowait(message)
        except queue.Full:
            try:
                self.queue.get_nowait()
            except queue.Empty:
                pass
            self.queue.put_nowait(message)

    def close(self) -> None:
        self.bus.unsubscribe(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class MemoryBus:
    def __init__(self):
        self._subs: dict[str, set[Subscription]] = defaultdict(set)
        self._lock = threading.Lock()

    def subscribe(self, *topics: str, maxsize: int = 256) -> Subscription:
        sub = Subscription(self, topics, maxsize)
        with self._lock:
            for topic in topics:
                self._subs[topic].add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        with self._lock:
            for topic in sub.topics:
                self._subs[topic].discard(sub)
                if not self._subs[topic]:
                    del self._subs[topic]

    def publish(self, topic: str, message: dict) -> int:
        """Deliver to every subscriber of ``topic``; returns how many got it."""
        with self._lock:
            subs = list(self._subs.get(topic, ()))
        for sub in subs:
            sub.offer(message)
        return len(subs)

    def subscriber_count(self, topic: str) -> int:
        with self._lock:
            return len(self._subs.get(topic, ()))


def make_bus(settings) -> MemoryBus:
    backend = settings["events"]["backend"]
    if backend != "memory":
        from core.errors import ConfigError

        raise ConfigError(f"events backend {backend!r} is not available yet (memory only)")
    return MemoryBus()
