"""Shared fixtures: a real server process, fresh settings and appliances."""

from __future__ import annotations

import itertools
import secrets
from pathlib import Path

import pytest

from tests.serverproc import ServerProcess

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpus" / "real"


@pytest.fixture
def server_factory(tmp_path):
    """Start servers on demand: ``server_factory(env={...})``; all stopped afterwards."""
    started: list[ServerProcess] = []

    def make(env: dict[str, str] | None = None, start: bool = True) -> ServerProcess:
        root = tmp_path / f"srv{len(started)}"
        root.mkdir()
        proc = ServerProcess(root, env)
        started.append(proc)
        if start:
            proc.start()
        return proc

    yield make
    for proc in started:
        proc.stop()


@pytest.fixture
def server(server_factory) -> ServerProcess:
    return server_factory()


@pytest.fixture
def settings_env(tmp_path):
    """Environment for an embedded appliance in ``tmp_path``."""
    return {
        "FLOORCAST_PATHS__DATA_DIR": str(tmp_path / "data"),
        "FLOORCAST_SERVER__SECRET_KEY": secrets.token_urlsafe(16),
    }


@pytest.fixture
def appliance_factory(tmp_path):
    """Build appliances in this process, each on a data dir of its own:
    ``appliance_factory(env={...})``. The tables talk to the one built last."""
    from core.appliance import create_appliance
    from core.config import load_settings

    count = itertools.count()

    def make(env: dict[str, str] | None = None, with_queue: bool = False):
        root = tmp_path / f"box{next(count)}"
        base = {"FLOORCAST_PATHS__DATA_DIR": str(root / "data"), "FLOORCAST_SERVER__SECRET_KEY": secrets.token_hex(16)}
        return create_appliance(load_settings(None, env=dict(base, **(env or {}))), with_queue=with_queue)

    return make


TEST_PLUGINS = Path(__file__).resolve().parent / "plugins" / "site"


@pytest.fixture
def plugin_env() -> dict[str, str]:
    """Environment that makes the test plugins in tests/plugins/site discoverable."""
    import os

    path = os.pathsep.join(p for p in (str(TEST_PLUGINS), os.environ.get("PYTHONPATH", "")) if p)
    return {"PYTHONPATH": path}


def slowplan(seconds: float, mode: str = "") -> bytes:
    """A file for the ``slowplan`` test format (tests/plugins)."""
    return f"FLOORCAST-SLOWPLAN\n{seconds}\n{mode}\n".encode()
