"""The appliance: settings, database, plugins, storage, event bus, queue and where
assets are served, built by :func:`create_appliance`. It owns all of them: nothing
lives at module level, so a process (a test) may build one appliance after another.
"""

from __future__ import annotations

import functools
import json
import logging
from dataclasses import dataclass, field

from core.config import Settings
from core.data.db import open_database
from core.data.migrate import migrate
from core.data.models import bind_models
from core.errors import PluginError
from core.events import MemoryBus, make_bus
from core.plugins.links import AssetLinks
from core.plugins.manager import Plugins, load_plugins
from core.storage import open_storage

log = logging.getLogger("floorcast")

PARSED_BLOBS = 64  # tile manifests kept parsed; each is a few KiB


@dataclass
class Appliance:
    settings: Settings
    db: object
    plugins: Plugins
    storage: object
    bus: MemoryBus
    links: AssetLinks
    huey: object = None
    #: when each periodic chore last ran (``time.monotonic()``), by chore name
    chores_ran_at: dict[str, float] = field(default_factory=dict)
    _parsed: object = field(init=False, repr=False, default=None)

    def __post_init__(self) -> None:
        self._parsed = functools.lru_cache(maxsize=PARSED_BLOBS)(self._parse_blob)

    def parsed_json(self, key: str) -> dict:
        """The JSON blob stored under ``key``, parsed once per appliance. A blob key
        names its content, so the parse is kept (every tile request of every kiosk
        needs its model's manifest); shared by all callers, it must not be changed."""
        return self._parsed(key)

    def _parse_blob(self, key: str) -> dict:
        with self.storage.open(key) as fh:
            return json.load(fh)

    def readiness(self) -> dict[str, str]:
        """What ``/readyz`` reports: "ok" or the error for each dependency."""
        checks = {}
        for name, probe in (
            ("database", lambda: self.db.execute_sql("SELECT 1").fetchone()),
            ("storage", self.storage.ping),
            ("queue", lambda: self.huey.pending_count() if self.huey is not None else None),
        ):
            try:
                probe()
                checks[name] = "ok"
            except Exception as exc:  # report, never raise: this is a health probe
                checks[name] = f"{type(exc).__name__}: {exc}"
        return checks


def asset_links(plugins: Plugins) -> AssetLinks:
    """Where assets are served, as the plugins say (the built-in ``web`` plugin)."""
    try:
        links = plugins.pm.hook.floorcast_asset_links()
    except Exception as exc:  # name the culprit instead of a traceback from deep inside
        raise PluginError(f"floorcast_asset_links raised {type(exc).__name__}: {exc}") from exc
    if links is None:
        raise PluginError("no plugin says where assets are served (floorcast_asset_links): is `web` disabled?")
    return links


def create_appliance(settings: Settings, *, run_migrations: bool = True, with_queue: bool = True) -> Appliance:
    """Everything one process needs, opened from ``settings``; the tables are bound
    to this appliance's database (see :mod:`core.data.models`)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    settings.tmp_dir.mkdir(parents=True, exist_ok=True)
    db = open_database(settings)
    bind_models(db)
    if run_migrations:
        applied = migrate(db, settings)
        if applied:
            log.info("applied migrations: %s", ", ".join(applied))
    plugins = load_plugins(settings)
    app = Appliance(settings, db, plugins, open_storage(settings, plugins), make_bus(settings), asset_links(plugins))
    if with_queue:
        from core.jobs.queue import make_huey

        app.huey = make_huey(app)
    return app
