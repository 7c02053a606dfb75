"""``floorcast convert``: the conversion pipeline without a server."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from core.cli.main import pass_ctx
from core.errors import ConversionError


def _parse_set(values: tuple[str, ...]) -> dict:
    """``KEY=VALUE`` pairs; values stay text: the option's declared type reads them."""
    options = {}
    for item in values:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"expected KEY=VALUE, got {item!r}", param_hint="--set")
        options[key] = raw
    return options


def _head(source: Path) -> bytes:
    from core.convert.formats import SNIFF_BYTES

    with open(source, "rb") as fh:
        return fh.read(SNIFF_BYTES)


@click.command()
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="GLB to write")
@click.option("--format", "format_name", help="force a format by name instead of sniffing")
@click.option("--units", help="source units (mm, cm, m, in, ft) when the file does not say")
@click.option("--set", "settings", multiple=True, metavar="KEY=VALUE", help="converter option (repeatable)")
@click.option("--report", is_flag=True, help="print the preflight report as JSON")
@pass_ctx
def convert(ctx, source, output, format_name, units, settings, report):
    """Convert SOURCE to a GLB; exits non-zero with `error: <code>: <message>`."""
    from core.config import converter_options
    from core.convert.formats import choose_format
    from core.convert.pipeline import convert_file
    from core.jobs.options import validate_options
    from core.plugins.manager import load_plugins

    options = _parse_set(settings)
    if units:
        options["units"] = units
    try:
        plugins = load_plugins(ctx.settings)  # as jobs do: [plugins] safe_mode and disabled

        def progress(stage, fraction, message=None):
            pass

        # the format chosen once: its declared options are what --set may give
        forced = format_name or options.get("format")
        spec = choose_format(plugins.formats(), _head(Path(source)), Path(source).name, forced)
        options = validate_options(options, spec)
        result = convert_file(
            plugins.formats(),
            Path(source),
            Path(output),
            options=converter_options(ctx.settings, options),
            progress=progress,
            filename=Path(source).name,
            forced_format=spec.name,
        )
    except ConversionError as exc:
        click.echo(f"error: {exc.code}: {exc.message}", err=True)
        sys.exit(2)
    if report:
        click.echo(json.dumps(result.report, indent=2, ensure_ascii=False, default=str))
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"wrote {output} ({result.glb_size} bytes, format {result.format})", err=True)
    if result.tiles is not None:
        manifest = result.tiles.manifest
        click.echo(
            f"wrote {len(manifest['tiles'])} tiles ({manifest['bytes']} bytes) and manifest.json to {result.tiles.dir}",
            err=True,
        )
