"""Migrations: numbered files, applied once, safe when several processes start together."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from core.config import render_toml
from tests.dbcheck import query

FLOORCAST = str(Path(sys.executable).parent / "floorcast")


def test_concurrent_migrate_applies_each_migration_once(tmp_path):
    config = tmp_path / "appliance.toml"
    config.write_text(render_toml({"paths": {"data_dir": "data"}}))
    procs = [
        subprocess.Popen(
            [FLOORCAST, "--config", str(config), "migrate"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(3)
    ]
    outputs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outputs
    said = sorted(out.decode().strip() for out, _err in outputs)
    migration_files = sorted(p.stem for p in (Path(__file__).parent.parent / "migrations").glob("[0-9]*.py"))
    assert said == ["applied: " + ", ".join(migration_files), "up to date", "up to date"]
    names = query(tmp_path / "data", "select name from schema_migration")
    assert sorted(n for (n,) in names) == migration_files
    mode = query(tmp_path / "data", "pragma journal_mode")
    assert mode == [("wal",)]
