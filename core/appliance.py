"""The appliance: settings, database, plugins, storage, event bus and queue,
built once per process by :func:`create_appliance` (no module-level state)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from core.config import Settings
from core.data.db import open_database
from core.data.migrate import migrate
from core.data.models import database_proxy
from core.events import MemoryBus, make_bus
from core.plugins.manager import Plugins, load_plugins
from core.storage import open_storage

log = logging.getLogger("floorcast")


@dataclass
class Appliance:
    settings: Settings
    db: object
    plugins: Plugins
    storage: object
    bus: MemoryBus
    huey: object = None

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


def create_appliance(settings: Settings, *, run_migrations: bool = True, with_queue: bool = True) -> Appliance:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    settings.tmp_dir.mkdir(parents=True, exist_ok=True)
    db = open_database(settings)
    database_proxy.initialize(db)
    if run_migrations:
        applied = migrate(db, settings)
        if applied:
            log.info("applied migrations: %s", ", ".join(applied))
    plugins = load_plugins(settings)
    app = Appliance(settings, db, plugins, open_storage(settings, plugins), make_bus(settings))
    if with_queue:
        from core.jobs.queue import make_huey

        app.huey = make_huey(app)
    return app
