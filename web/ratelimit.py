"""Rate limits of the unauthenticated kiosk endpoints (Flask-Limiter, in memory).

Starting a pairing is limited per client address (``kiosk.pairing_rate``); claiming
a token per address and pairing (``kiosk.claim_rate``), which bounds secret
guessing while a kiosk polls its own claim. Counters live in this process: one box
serves every kiosk. Over the limit: 429 problem+json with ``Retry-After``.
"""

from __future__ import annotations

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from core.config import Settings


def _address_and_pairing() -> str:
    return f"{get_remote_address()}|{(request.view_args or {}).get('pairing', '')}"


def install_rate_limits(app: Flask, settings: Settings) -> Limiter:
    """Wrap the pairing views of ``app`` (registered before) in their limits."""
    limiter = Limiter(get_remote_address, app=app, storage_uri="memory://", headers_enabled=True)
    limits = (
        ("pairings.Pairings", settings["kiosk"]["pairing_rate"], get_remote_address),
        ("pairings.Claim", settings["kiosk"]["claim_rate"], _address_and_pairing),
    )
    for endpoint, rate, key in limits:
        app.view_functions[endpoint] = limiter.limit(rate, key_func=key)(app.view_functions[endpoint])
    return limiter
