"""Running the queue inside a gevent process: Huey greenlet workers plus the
watchdog loop. Used by ``floorcast serve`` (beside the web server) and
``floorcast worker`` (alone). Needs gevent's monkey patching (the CLI does it)."""

from __future__ import annotations

import logging

import gevent
from huey.consumer import Consumer

from core.jobs.watchdog import sweep

log = logging.getLogger("floorcast.consumer")


def start_consumer(appliance) -> Consumer:
    consumer = Consumer(
        appliance.huey,
        workers=int(appliance.settings["queue"]["workers"]),
        worker_type="greenlet",
        periodic=False,
        max_delay=1.0,  # pick new jobs up within a second even after a quiet spell
        check_worker_health=False,
    )
    consumer.start()
    return consumer


def start_watchdog(appliance) -> gevent.Greenlet:
    interval = float(appliance.settings["jobs"]["watchdog_seconds"])

    def loop() -> None:
        first = True
        while True:
            try:
                sweep(appliance, startup=first)
                first = False
            except Exception:  # the database may be briefly unavailable: try again later
                log.exception("watchdog sweep failed")
            gevent.sleep(interval)

    return gevent.spawn(loop)
