"""``floorcast serve``: one gevent process with the web app, the queue consumer
(greenlet workers) and the watchdog."""

from __future__ import annotations

import gc
import logging
import signal

import gevent
import gevent.event
from gevent.pywsgi import WSGIServer

from core.appliance import Appliance
from core.jobs.consumer import start_consumer, start_watchdog
from web.app import create_app

log = logging.getLogger("floorcast.server")


def parse_bind(bind: str) -> tuple[str, int]:
    host, _, port = bind.rpartition(":")
    return host.strip("[]") or "0.0.0.0", int(port)


def tune_gc() -> None:
    """Every connected kiosk is a few hundred long-lived objects; a full collection
    walks them all and stalls every socket meanwhile (~250 ms at 1,000 kiosks in
    benchmarks/kiosk_fanout.py). Start-up objects are frozen out of collections and
    the young generations are collected less often, so full ones become rare."""
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


def run_server(appliance: Appliance, bind: str | None = None) -> None:
    """Serve ``appliance`` (built with its queue) until SIGINT or SIGTERM: the app,
    the consumer and the watchdog all use this one appliance."""
    settings = appliance.settings
    app = create_app(settings, appliance)
    appliance.plugins.notify("floorcast_startup", settings=settings.as_dict())
    consumer = start_consumer(appliance)
    watchdog = start_watchdog(appliance)
    tune_gc()
    host, port = parse_bind(bind or settings["server"]["bind"])
    server = WSGIServer((host, port), app, log=None, error_log=logging.getLogger("floorcast.wsgi"))
    server.start()
    log.info("Floorcast listening on http://%s:%d", host, port)
    print(f"Floorcast is running at http://{host}:{port}  (Ctrl+C to stop)", flush=True)

    stop = gevent.event.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        gevent.signal_handler(sig, stop.set)
    stop.wait()
    log.info("shutting down")
    hub = app.extensions.get("floorcast.hub")
    if hub is not None and hasattr(hub, "shutdown"):
        hub.shutdown()  # kiosks hear 1012 (service restart) and come back promptly
    server.stop(timeout=3)
    watchdog.kill()
    consumer.stop(graceful=False)
