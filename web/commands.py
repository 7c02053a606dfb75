"""CLI commands the web package contributes through the plugin hook: ``serve``."""

from __future__ import annotations

import click

from core.plugin_api import hookimpl


@click.command()
@click.option("--bind", metavar="HOST:PORT", help="listen address (default from [server] bind)")
@click.pass_obj
def serve(ctx, bind):
    """Run the appliance: web console, API, kiosk sockets and the job queue.

    With no config anywhere, the first run creates ./data/appliance.toml, the data
    dir and an admin account, and prints the generated password once."""
    from core.accounts.provision import DEFAULT_CONFIG, ensure_admin, write_config
    from core.appliance import create_appliance
    from web.server import run_server

    if ctx.config is None:
        ctx.config = str(DEFAULT_CONFIG)
        if write_config(DEFAULT_CONFIG, DEFAULT_CONFIG.parent):
            click.echo(f"first run: wrote {DEFAULT_CONFIG.resolve()}")
    settings = ctx.settings
    create_appliance(settings, with_queue=False)
    generated = ensure_admin("admin@localhost", None)
    if generated:
        click.echo(f"first run: admin account admin@localhost, password {generated} (shown once; keep it)")
    run_server(settings, bind)


@hookimpl
def floorcast_register_commands():
    return [serve]
