"""Kiosk transports: how messages reach kiosks (WebSocket built in)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class TransportSpec:
    """``attach(app, hub)`` adds the transport's endpoints to the Flask ``app``.

    ``hub`` (:class:`core.kiosks.hub.KioskHub`) authenticates kiosks, answers
    ``hello`` and hands out the messages each kiosk must receive.
    """

    name: str
    attach: Callable[[object, object], None]
    description: str = ""
