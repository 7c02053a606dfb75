"""``floorcast plugins list``."""

from __future__ import annotations

import json

import click

from core.cli.main import pass_ctx


@click.group()
def plugins():
    """Installed plugins."""


@plugins.command("list")
@click.option("--json", "as_json", is_flag=True, help="machine-readable output")
@pass_ctx
def plugins_list(ctx, as_json):
    """Every plugin with its version, the hooks it implements, and load errors."""
    from core.plugins.manager import load_plugins

    loaded = load_plugins(ctx.settings)
    rows = [vars(info) for info in loaded.infos]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        state = f"BROKEN: {row['error']}" if row["error"] else ", ".join(row["hooks"]) or "no hooks"
        kind = "built-in" if row["builtin"] else row["dist"]
        click.echo(f"{row['name']:<16} {row['version']:<10} {kind:<16} {state}")
    if loaded.safe_mode:
        click.echo("(safe mode: third-party plugins not loaded)")
