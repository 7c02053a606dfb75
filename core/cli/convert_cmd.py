"""``floorcast convert``: the conversion pipeline without a server.

It converts in the sandboxed child a job uses (:func:`core.jobs.sandbox.run_in_child`),
under the ``[jobs]`` memory, CPU and time limits, so a file that would take a
job down takes this command down the same way (``error: out_of_memory: ...``);
``--no-limits`` converts in this process instead.
"""

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
@click.option("--preview", type=click.Path(dir_okay=False), help="also write a PNG top view of the plan here")
@click.option("--no-limits", is_flag=True, help="convert in this process, without the [jobs] limits")
@pass_ctx
def convert(ctx, source, output, format_name, units, settings, report, preview, no_limits):
    """Convert SOURCE to a GLB; exits non-zero with `error: <code>: <message>`."""
    from core.config import converter_options
    from core.convert.formats import choose_format
    from core.convert.pipeline import convert_as, tiles_dir
    from core.jobs.options import validate_options
    from core.jobs.sandbox import Limits, child_request, run_in_child
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
        options = converter_options(ctx.settings, validate_options(options, spec))
        glb, png = Path(output).resolve(), Path(preview).resolve() if preview else None
        if no_limits:
            result = convert_as(spec, Path(source), glb, options=options, progress=progress, preview=png)
        else:  # the child runs elsewhere: it gets absolute paths
            request = child_request(
                ctx.settings,
                source=str(Path(source).resolve()),
                output=str(glb),
                format_name=spec.name,
                options=options,
                safe_mode=plugins.safe_mode,
                tiles_dir=str(tiles_dir(glb)),
                preview=None if png is None else str(png),
            )
            result = run_in_child(request, Limits.of(ctx.settings), progress)
    except ConversionError as exc:
        click.echo(f"error: {exc.code}: {exc.message}", err=True)
        sys.exit(2)
    if report:
        click.echo(json.dumps(result.report, indent=2, ensure_ascii=False, default=str))
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"wrote {output} ({result.glb_size} bytes, format {result.format})", err=True)
    if result.preview_path:
        click.echo(f"wrote {preview}", err=True)
    if result.tiles is not None:
        manifest = result.tiles.manifest
        click.echo(
            f"wrote {len(manifest['tiles'])} tiles ({manifest['bytes']} bytes) and manifest.json to {result.tiles.dir}",
            err=True,
        )
