"""Registers the SSE kiosk transport with Floorcast (entry point ``floorcast: sse``)."""

from __future__ import annotations

from core.plugin_api import TransportSpec, hookimpl
from floorcast_sse.endpoints import attach


@hookimpl
def floorcast_register_kiosk_transports() -> list[TransportSpec]:
    description = "Server-Sent Events at /kiosk/sse; kiosk messages POSTed to /kiosk/sse/messages"
    return [TransportSpec("sse", attach, description)]
