"""What the web package contributes as the built-in plugin ``web``: the ``serve``
command, and where assets are served (:mod:`web.links`)."""

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
    from web.server import run_server

    if ctx.config is None:
        ctx.config = str(DEFAULT_CONFIG)
        if write_config(DEFAULT_CONFIG, DEFAULT_CONFIG.parent):
            click.echo(f"first run: wrote {DEFAULT_CONFIG.resolve()}")
    appliance = ctx.appliance()  # the one appliance of this process: app, queue and watchdog share it
    generated = ensure_admin("admin@localhost", None)
    if generated:
        click.echo(f"first run: admin account admin@localhost, password {generated} (shown once; keep it)")
    run_server(appliance, bind)


@hookimpl
def floorcast_register_commands():
    return [serve]


@hookimpl
def floorcast_asset_links():
    from web.links import ApiAssetLinks

    return ApiAssetLinks()
