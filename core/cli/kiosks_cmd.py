"""``floorcast kiosks``: approve pairing codes, list and revoke kiosks.

The CLI runs in its own process: a revocation made here is written as an event,
which the running server's event relay delivers to the kiosk's sockets within
about a second (:mod:`core.kiosks.relay`).
"""

from __future__ import annotations

import json

import click

from core.cli.main import pass_ctx


@click.group()
def kiosks():
    """Pair, list and revoke kiosks."""


@kiosks.command("approve")
@click.argument("code")
@click.option("--channel", required=True, help="channel the kiosk joins (created on first use)")
@click.option("--name", default=None, help="kiosk name (default: Kiosk <CODE>)")
@pass_ctx
def approve_cmd(ctx, code, channel, name):
    """Approve the kiosk showing CODE (ABC-123 or abc123)."""
    from core.kiosks.pairing import approve, display_code, normalize_code

    ctx.appliance(with_queue=False)
    kiosk = approve(code, channel, name)  # KioskError prints as "error: <code>: <message>"
    shown = display_code(normalize_code(code))
    click.echo(f"approved {shown}: kiosk {kiosk.id} {kiosk.name!r} on channel {kiosk.channel.name}")


@kiosks.command("list")
@click.option("--json", "as_json", is_flag=True, help="print JSON as the API does")
@click.option("--all", "include_revoked", is_flag=True, help="include revoked kiosks")
@pass_ctx
def list_cmd(ctx, as_json, include_revoked):
    """List kiosks with their channel, status and the version they show."""
    from core.kiosks.fleet import list_kiosks

    ctx.appliance(with_queue=False)
    items = list_kiosks(include_revoked=include_revoked)
    if as_json:
        click.echo(json.dumps({"items": items}, indent=2))
        return
    for k in items:
        status = "revoked" if k["revoked"] else "online" if k["online"] else "offline"
        version = f"v{k['shown_version']}" if k["shown_version"] is not None else "-"
        seen = k["last_seen"] or "never"
        click.echo(f"{k['id']}  {status:<8} {version:<5} {k['channel']:<16} {k['name']}  last seen {seen}")


@kiosks.command("revoke")
@click.argument("kiosk_id", metavar="ID")
@pass_ctx
def revoke_cmd(ctx, kiosk_id):
    """Revoke a kiosk: its token is refused from now on."""
    from core.kiosks.fleet import revoke

    appliance = ctx.appliance(with_queue=False)
    kiosk = revoke(kiosk_id, bus=appliance.bus)
    click.echo(f"revoked kiosk {kiosk.id} {kiosk.name!r}")
