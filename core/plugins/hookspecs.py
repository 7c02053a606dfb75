"""Every hook a Floorcast plugin can implement, grouped by what it extends.

Plugins are found through the entry-point group ``floorcast`` and implement these
with ``core.plugin_api.hookimpl``. Every hook is one of three kinds:

- ``floorcast_register_*`` hooks contribute things: each takes no arguments and
  returns a list of named things (``.name``); core merges the lists of all plugins,
  refuses two contributions with the same name, and leaves out (logging it by
  name) a plugin whose hook raises.
- ``firstresult`` hooks answer one question: the first non-None answer wins.
- notification hooks return nothing and are called with every plugin isolated:
  one that raises is logged by name and the others still run.

A test holds every ``floorcast_register_*`` hook to its part of this rule.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:  # pragma: no cover - typing only
    import click

    from core.plugins.links import AssetLinks
    from core.plugins.specs import DetectorSpec, FormatSpec, StorageBackendSpec, TransportSpec

hookspec = pluggy.HookspecMarker("floorcast")


# -- lifecycle ------------------------------------------------------------------


@hookspec
def floorcast_startup(settings: dict) -> None:
    """Called once when ``floorcast serve`` or ``floorcast worker`` starts, after
    migrations and before any request or job is handled.

    ``settings`` is the effective configuration as a plain dict (read-only).
    Return value ignored. A plugin that raises here is logged and skipped.
    """


# -- file formats ----------------------------------------------------------------


@hookspec
def floorcast_register_formats() -> list[FormatSpec]:
    """Return the file formats this plugin converts, as :class:`FormatSpec`.

    Called by the conversion pipeline (job child process and ``floorcast convert``)
    to choose a converter: among formats whose ``sniff`` accepts the file's first
    bytes, the highest ``weight`` wins; the job records which one handled it.
    """


# -- detectors -------------------------------------------------------------------


@hookspec
def floorcast_register_detectors() -> list[DetectorSpec]:
    """Return the ML detectors this plugin ships, as :class:`DetectorSpec`.

    Called by format plugins (the PDF plugin for scanned pages) through
    ``core.plugin_api.detectors()``; the highest ``weight`` for a class wins.
    """


# -- storage ---------------------------------------------------------------------


@hookspec
def floorcast_register_storage_backends() -> list[StorageBackendSpec]:
    """Return storage backends as :class:`StorageBackendSpec` (name + factory).

    Called at startup; ``[storage] backend`` in the configuration picks one by name
    and core calls its ``factory(settings)`` to get the store.
    """


# -- kiosk transports ------------------------------------------------------------


@hookspec
def floorcast_register_kiosk_transports() -> list[TransportSpec]:
    """Return ways of delivering messages to kiosks, as :class:`TransportSpec`.

    Called by the web app factory; each transport's ``attach(app, hub)`` adds its
    endpoints to the Flask app and takes messages for kiosks from the hub.
    """


# -- web -------------------------------------------------------------------------


@hookspec(firstresult=True)
def floorcast_asset_links() -> AssetLinks | None:
    """Return where the web layer serves an asset's model, tiles and preview, as
    an :class:`AssetLinks` (``content(asset_id)``, ``tiles(asset_id)``,
    ``tile(asset_id, sha256)``, ``preview(asset_id)``: paths).

    Called once by ``create_appliance``, which keeps the answer as
    ``appliance.links``: the kiosk hub signs those paths into ``publish`` messages,
    and the API, the console and ``floorcast_job_finished`` show them in asset
    views. The built-in ``web`` plugin answers. Stops at first non-None result.
    """


# -- command line ----------------------------------------------------------------


@hookspec
def floorcast_register_commands() -> list[click.Command]:
    """Return click commands or groups for the ``floorcast`` CLI.

    Called once by the CLI when it starts (``core.cli.main.build_cli``), which adds
    them (in safe mode, only the built-in plugins'); one named like a built-in
    command is logged and left out.
    """


# -- notifications ---------------------------------------------------------------


@hookspec
def floorcast_job_finished(job: dict) -> None:
    """Called after a job reached its final state, with the job as the API shows
    it (``id``, ``status``, ``error``, ``asset``...). For webhooks, chat messages.

    Called by the job runner, each plugin isolated; return value ignored.
    """


@hookspec
def floorcast_kiosk_offline(kiosk: dict) -> None:
    """Called when a kiosk that was online stopped answering (``id``, ``name``,
    ``channel``, ``last_seen``). Each plugin isolated; return value ignored.
    """
