"""The built-in webhook notifier: kiosk-offline and job-finished events as JSON POSTs.

Configured by ``[notifications]``: ``webhook_url`` (empty: off), ``webhook_secret``
(when set, ``X-Floorcast-Signature: sha256=<hex>`` is the HMAC-SHA256 of the body
with it) and ``webhook_timeout``. The body is ``{"type": "kiosk_offline" |
"job_finished", "data": {...}}`` with the kiosk or the job as the API shows it.

Each POST runs in its own background thread (a greenlet under ``floorcast serve``):
the caller never waits. A failed delivery (network error, 5xx) is retried a few
times with back-off; what still fails is logged, never raised. The notifier learns
its settings from ``floorcast_startup``, which ``serve`` and ``worker`` call.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
import urllib.error
import urllib.request

from core import __version__
from core.plugin_api import hookimpl

log = logging.getLogger("floorcast.notify.webhook")

ATTEMPTS = 4
BACKOFF_SECONDS = 1.0  # then 2, 4: a receiver restarting has ~7 s to come back


def signature(secret: str, body: bytes) -> str:
    """The ``X-Floorcast-Signature`` value for ``body``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookNotifier:
    """Posts notifications to one URL; unconfigured (no URL) it does nothing."""

    def __init__(self):
        self.url, self.secret, self.timeout = "", "", 5.0
        self.backoff = BACKOFF_SECONDS

    def configure(self, settings: dict) -> None:
        section = settings.get("notifications", {})
        self.url = (section.get("webhook_url") or "").strip()
        self.secret = section.get("webhook_secret") or ""
        self.timeout = float(section.get("webhook_timeout") or 5.0)

    def send(self, kind: str, data: dict) -> threading.Thread | None:
        """Post ``{"type": kind, "data": data}`` in the background; None when off."""
        if not self.url:
            return None
        body = json.dumps({"type": kind, "data": data}, separators=(",", ":")).encode()
        thread = threading.Thread(target=self._deliver, args=(self.url, body), name=f"webhook-{kind}", daemon=True)
        thread.start()
        return thread

    def _deliver(self, url: str, body: bytes) -> None:
        headers = {"Content-Type": "application/json", "User-Agent": f"Floorcast/{__version__}"}
        if self.secret:
            headers["X-Floorcast-Signature"] = signature(self.secret, body)
        for attempt in range(1, ATTEMPTS + 1):
            try:
                with urllib.request.urlopen(
                    urllib.request.Request(url, data=body, headers=headers, method="POST"), timeout=self.timeout
                ) as response:
                    response.read()
                return
            except urllib.error.HTTPError as exc:
                error = f"HTTP {exc.code}"
                if exc.code < 500 and exc.code != 429:
                    break  # the receiver refuses this body: sending it again will not help
            except Exception as exc:  # network errors, timeouts, a bad URL: log, never raise
                error = f"{type(exc).__name__}: {exc}"
            if attempt < ATTEMPTS:
                time.sleep(self.backoff * 2 ** (attempt - 1))
        log.warning("webhook %s: giving up after %s", url, error)


notifier = WebhookNotifier()  # the plugin object: one per process, configured at startup


@hookimpl
def floorcast_startup(settings: dict) -> None:
    notifier.configure(settings)


@hookimpl
def floorcast_kiosk_offline(kiosk: dict) -> None:
    notifier.send("kiosk_offline", kiosk)


@hookimpl
def floorcast_job_finished(job: dict) -> None:
    notifier.send("job_finished", job)
