"""The ``floorcast`` command line: flags become arguments, the work is elsewhere."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import click

from core.config import load_settings
from core.errors import FloorcastError

log = logging.getLogger("floorcast.cli")


class CliContext:
    """Settings and the appliance, built on first use by the commands that need them."""

    def __init__(self, config: str | None, safe_mode: bool):
        self.config = config
        self.safe_mode = safe_mode
        self._settings = None
        self._appliance = None

    @property
    def settings(self):
        if self._settings is None:
            env = dict(os.environ)
            if self.safe_mode:
                env["FLOORCAST_PLUGINS__SAFE_MODE"] = "true"
            self._settings = load_settings(self.config, env)
        return self._settings

    def appliance(self, with_queue: bool = True):
        if self._appliance is None:
            from core.appliance import create_appliance

            self._appliance = create_appliance(self.settings, with_queue=with_queue)
        return self._appliance


pass_ctx = click.make_pass_decorator(CliContext)


def _config_from_argv(argv: list[str]) -> tuple[str | None, bool]:
    config = os.environ.get("FLOORCAST_CONFIG")
    for i, arg in enumerate(argv):
        if arg == "--config" and i + 1 < len(argv):
            config = argv[i + 1]
        elif arg.startswith("--config="):
            config = arg.split("=", 1)[1]
    return config, "--safe-mode" in argv


def build_cli(argv: list[str]) -> click.Group:
    @click.group(context_settings={"help_option_names": ["-h", "--help"]})
    @click.option("--config", envvar="FLOORCAST_CONFIG", type=click.Path(dir_okay=False), help="appliance.toml to use")
    @click.option("--safe-mode", is_flag=True, help="load only the built-in plugins")
    @click.option("-v", "--verbose", is_flag=True, help="log debug messages")
    @click.pass_context
    def cli(ctx, config, safe_mode, verbose):
        """Floorcast: floor plans in, 3D models out, kiosks kept live."""
        logging.basicConfig(
            level=logging.DEBUG if verbose else logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
        ctx.obj = CliContext(config, safe_mode)

    from core.cli import admin_cmds, convert_cmd, jobs_cmds, kiosks_cmd, plugins_cmd

    for command in (
        *admin_cmds.COMMANDS,
        convert_cmd.convert,
        jobs_cmds.jobs,
        jobs_cmds.worker,
        plugins_cmd.plugins,
        kiosks_cmd.kiosks,
    ):
        cli.add_command(command)

    # Plugins (the web package among them) add their commands: `serve` comes from there.
    config, safe = _config_from_argv(argv)
    try:
        from core.plugins.manager import Plugins

        env_safe = os.environ.get("FLOORCAST_PLUGINS__SAFE_MODE", "").lower() in ("1", "true", "yes", "on")
        add_plugin_commands(cli, Plugins(safe_mode=safe or env_safe))
    except Exception as exc:  # a broken plugin must not break the CLI
        log.error("plugin commands unavailable: %s", exc)
    return _ErrorHandling(cli)


def add_plugin_commands(cli: click.Group, plugins) -> None:
    """Add what ``floorcast_register_commands`` returns, but never in place of a
    command ``cli`` already has (a plugin cannot replace ``convert``)."""
    for command in plugins.collect("floorcast_register_commands"):
        if command.name in cli.commands:
            log.error("plugin command %r has the name of a built-in command: left out", command.name)
            continue
        cli.add_command(command)


class _ErrorHandling:
    """Print Floorcast errors as ``error: <code>: <message>`` with exit code 1."""

    def __init__(self, group: click.Group):
        self.group = group

    def __call__(self, **kwargs):
        try:
            self.group.main(standalone_mode=False, **kwargs)
        except click.exceptions.Exit as exc:
            raise SystemExit(exc.exit_code) from None
        except click.ClickException as exc:
            exc.show()
            raise SystemExit(exc.exit_code) from None
        except click.exceptions.Abort:
            raise SystemExit(1) from None
        except FloorcastError as exc:
            click.echo(f"error: {exc.code}: {exc.message}", err=True)
            raise SystemExit(1) from None


def default_config_path() -> Path:
    from core.accounts.provision import DEFAULT_CONFIG

    return DEFAULT_CONFIG
