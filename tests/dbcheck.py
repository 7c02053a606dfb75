"""Read a server's SQLite database directly, to check what really was written."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def query(data_dir: Path, sql: str, *args) -> list[tuple]:
    con = sqlite3.connect(f"file:{data_dir / 'floorcast.db'}?mode=ro", uri=True, timeout=10)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def job_id_db(job_id: str) -> str:
    """peewee stores UUIDs in SQLite as 32 hex digits."""
    return job_id.replace("-", "")
