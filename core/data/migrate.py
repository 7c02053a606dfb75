"""Apply the numbered migrations in ``migrations/`` under a lock.

Several processes may start at once (serve + workers): PostgreSQL serialises them
with an advisory lock, SQLite with an exclusive file lock next to the database.
"""

from __future__ import annotations

import contextlib
import fcntl
from pathlib import Path

from playhouse.migrations import Runner

import migrations as migrations_pkg
from core.config import Settings
from core.data.db import is_sqlite

MIGRATIONS_DIR = Path(migrations_pkg.__file__).parent
PG_LOCK_KEY = 0x466C6F6F72  # "Floor"


@contextlib.contextmanager
def migration_lock(db, settings: Settings):
    if is_sqlite(db):
        lock_path = Path(settings.data_dir) / "migrate.lock"
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        with open(lock_path, "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)
    else:
        db.execute_sql("SELECT pg_advisory_lock(%s)", (PG_LOCK_KEY,))
        try:
            yield
        finally:
            db.execute_sql("SELECT pg_advisory_unlock(%s)", (PG_LOCK_KEY,))


def migrate(db, settings: Settings) -> list[str]:
    """Apply pending migrations; returns the names applied."""
    with migration_lock(db, settings):
        runner = Runner(db, directory=str(MIGRATIONS_DIR))
        before = set(runner.applied())
        runner.up()
        return sorted(set(runner.applied()) - before)


def pending(db) -> list[str]:
    runner = Runner(db, directory=str(MIGRATIONS_DIR))
    applied = runner.applied()
    return [m.name for m in runner.migrations() if m.name not in applied]
