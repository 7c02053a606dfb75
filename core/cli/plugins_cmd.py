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
@click.option("--options", "with_options", is_flag=True, help="also every format's upload options")
@pass_ctx
def plugins_list(ctx, as_json, with_options):
    """Every plugin with its version, the hooks it implements, and load errors."""
    from core.jobs.options import option_table
    from core.plugins.manager import load_plugins

    loaded = load_plugins(ctx.settings)
    rows = [vars(info) for info in loaded.infos]
    formats = option_table(loaded.formats(), ctx.settings) if with_options else None
    if as_json:
        click.echo(json.dumps({"plugins": rows, "formats": formats} if with_options else rows, indent=2, default=str))
        return
    for row in rows:
        state = f"BROKEN: {row['error']}" if row["error"] else ", ".join(row["hooks"]) or "no hooks"
        kind = "built-in" if row["builtin"] else row["dist"]
        click.echo(f"{row['name']:<16} {row['version']:<10} {kind:<16} {state}")
    if loaded.safe_mode:
        click.echo("(safe mode: third-party plugins not loaded)")
    for fmt in formats or ():
        title = f"{fmt['name']} ({', '.join(fmt['extensions'])})" if fmt["name"] else "every format"
        click.echo(f"\noptions of {title}:")
        for option in fmt["options"]:
            default = "" if option["default"] is None else f" [default: {json.dumps(option['default'])}]"
            choices = f" ({' | '.join(option['choices'])})" if option["choices"] else ""
            click.echo(f"  {option['name']:<20} {option['type']:<6} {option['help']}{choices}{default}")
