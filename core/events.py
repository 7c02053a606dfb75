"""Fan-out of events to the browsers and kiosks connected to this process.

Topics: ``channel:<name>`` (publications), ``kiosk:<id>`` (commands, revocation),
``jobs`` (progress). The in-process bus is the only backend (``[events] backend =
"memory"``): it reaches what is connected to this process. Slow subscribers lose their oldest messages
rather than stalling the publisher: kiosks reconcile from the database anyway.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict, deque

log = logging.getLogger("floorcast.events")


class Subscription:
    """One subscriber's messages: a bounded deque and an event to wait on.

    A publication offers to every kiosk's subscription before any kiosk is served,
    so ``offer`` must be cheap: ``queue.Queue`` (a Condition and a waiter lock per
    put under gevent) cost ~45 us a kiosk; an append and an ``Event.set`` do not.
    """

    def __init__(self, bus: MemoryBus, topics: tuple[str, ...], maxsize: int):
        self.bus, self.topics = bus, topics
        self._items: deque = deque(maxlen=maxsize)  # full: the oldest message drops out
        self._ready = threading.Event()

    def get(self, timeout: float | None = None):
        """The next message, or None after ``timeout`` seconds."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                return self._items.popleft()
            except IndexError:
                pass
            self._ready.clear()
            if self._items:  # offered between popleft() and clear(): no wake-up is lost
                continue
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return None
            self._ready.wait(remaining)

    def offer(self, message: dict) -> None:
        self._items.append(message)
        self._ready.set()

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
        # Ids of stored events this process already fanned out: the event relay
        # (core.kiosks.relay) skips them instead of delivering them twice.
        self._sent: deque[int] = deque(maxlen=4096)

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
        event_id = message.get("id")
        if isinstance(event_id, int):
            self._sent.append(event_id)
        for sub in subs:
            sub.offer(message)
        return len(subs)

    def sent(self, event_id: int) -> bool:
        """Whether this bus already delivered the stored event ``event_id``."""
        return event_id in self._sent

    def subscriber_count(self, topic: str) -> int:
        with self._lock:
            return len(self._subs.get(topic, ()))


def make_bus(settings) -> MemoryBus:
    backend = settings["events"]["backend"]
    if backend != "memory":
        from core.errors import ConfigError

        raise ConfigError(f"events backend {backend!r} is not available yet (memory only)")
    return MemoryBus()
