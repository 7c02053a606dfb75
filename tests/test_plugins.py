"""Plugins come from the ``floorcast`` entry-point group: a tiny real plugin is
listed and used, a broken one is named and skipped, safe mode loads built-ins only."""

from __future__ import annotations

import json

from tests.conftest import slowplan


def test_plugins_list_shows_versions_hooks_and_broken_plugins(server_factory, plugin_env):
    server = server_factory(env=plugin_env, start=False)
    rows = {row["name"]: row for row in json.loads(server.cli("plugins", "list", "--json").stdout)}
    assert rows["slowplan"]["dist"] == "floorcast-testplugins"
    assert rows["slowplan"]["version"] == "0.1"
    assert rows["slowplan"]["hooks"] == ["floorcast_register_formats"]
    assert "broken on purpose" in rows["broken"]["error"]
    # built-ins register through the same hooks
    assert rows["local_storage"]["builtin"] and rows["local_storage"]["hooks"] == [
        "floorcast_register_storage_backends"
    ]
    assert rows["websocket"]["hooks"] == ["floorcast_register_kiosk_transports"]
    assert rows["dxf"]["hooks"] == ["floorcast_register_formats"]

    text = server.cli("plugins", "list").stdout
    assert "broken" in text and "BROKEN" in text

    safe = {row["name"] for row in json.loads(server.cli("--safe-mode", "plugins", "list", "--json").stdout)}
    assert "slowplan" not in safe and "broken" not in safe and "local_storage" in safe


def test_a_plugin_format_is_used_and_recorded_on_the_job(server_factory, plugin_env):
    server = server_factory(env=plugin_env)
    assert "broken" in server.log() and "broken on purpose" in server.log()
    job = server.wait_job(server.upload("x.slow", data=slowplan(0.1)).json()["job"]["id"])
    assert job["status"] == "succeeded"
    assert (job["format"], job["converter_version"]) == ("slowplan", "1")


def test_safe_mode_server_does_not_load_third_party_formats(server_factory, plugin_env):
    server = server_factory(env=dict(plugin_env, FLOORCAST_PLUGINS__SAFE_MODE="true"))
    job = server.wait_job(server.upload("x.slow", data=slowplan(0.1)).json()["job"]["id"])
    assert job["status"] == "failed"
    assert job["error"]["code"] == "unsupported_format"
