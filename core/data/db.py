"""Opening the database named by the settings: SQLite (WAL) or PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from playhouse.db_url import connect

from core.config import Settings

SQLITE_PRAGMAS = {
    "journal_mode": "wal",  # readers never block the writer
    "busy_timeout": 10000,  # wait for the writer instead of failing with "locked"
    "foreign_keys": 1,
    "synchronous": "normal",  # safe with WAL; a power cut loses at most the last commit
}


def open_database(settings: Settings):
    """A peewee database for ``settings.database_url`` (not yet connected)."""
    url = settings.database_url
    if url.startswith("sqlite"):
        Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
        return connect(url, pragmas=SQLITE_PRAGMAS, check_same_thread=False, autoconnect=True)
    return connect(url, autoconnect=True, autorollback=True)


def is_sqlite(db) -> bool:
    return db.__class__.__name__.lower().startswith("sqlite")


def utcnow() -> dt.datetime:
    """Naive UTC: what every timestamp column holds."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def iso(value: dt.datetime | None) -> str | None:
    """ISO 8601 UTC with a Z, as the API shows times."""
    if value is None:
        return None
    if isinstance(value, str):  # SQLite hands back text for some expressions
        value = dt.datetime.fromisoformat(value)
    return value.replace(microsecond=0).isoformat() + "Z"
