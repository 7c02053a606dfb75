"""Registers the SSE kiosk transport with Floorcast (entry point ``floorcast: sse``)."""

from __future__ import annotations

from core.plugin_api import TransportSpec, hookimpl


def attach(app, hub) -> None:
    """Add the endpoints; imported only when a web app is built, not by every CLI command."""
    from floorcast_sse.endpoints import attach as attach_endpoints

    attach_endpoints(app, hub)


@hookimpl
def floorcast_register_kiosk_transports() -> list[TransportSpec]:
    description = "Server-Sent Events at /kiosk/sse; kiosk messages POSTed to /kiosk/sse/messages"
    return [TransportSpec("sse", attach, description)]
