"""Plugins come from the ``floorcast`` entry-point group: a tiny real plugin is
listed and used, a broken one is named and skipped, safe mode loads built-ins only,
two contributions of one name stop the appliance at startup, ``[plugins] disabled``
holds for ``floorcast convert`` too, and a converter asks for detectors of the set
that runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from core.errors import PluginError
from core.plugin_api import DetectorSpec, FormatSpec, StorageBackendSpec, TransportSpec, detectors, hookimpl
from core.plugins.manager import Plugins
from tests.conftest import slowplan
from tests.serverproc import ROOT


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


def _install(site, name: str, source: str) -> None:
    """A real plugin distribution in ``site``: its module and the dist-info that
    declares its entry point, found exactly as a pip-installed one would be."""
    (site / f"floorcast_{name}.py").write_text(source)
    info = site / f"floorcast_{name}-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: floorcast-{name}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[floorcast]\n{name} = floorcast_{name}\n")


SECOND_DXF = """
from core.plugin_api import FormatSpec, hookimpl


@hookimpl
def floorcast_register_formats():
    return [FormatSpec("dxf", (".dxf",), lambda head: False, lambda source, options, progress: None)]
"""


def test_a_second_format_of_the_same_name_stops_the_appliance_at_startup(server_factory, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    _install(site, "seconddxf", SECOND_DXF)
    server = server_factory(start=False)
    server.env["PYTHONPATH"] = os.pathsep.join(p for p in (str(site), server.env.get("PYTHONPATH")) if p)
    proc = server.cli("serve", "--bind", f"127.0.0.1:{server.port}", check=False, timeout=60)
    assert proc.returncode == 1
    assert "error: plugin_error: floorcast_register_formats: 'dxf' is contributed by both" in proc.stderr
    assert "seconddxf" in proc.stderr and " dxf" in proc.stderr
    convert = server.cli("convert", str(tmp_path / "site" / "floorcast_seconddxf.py"), "-o", "x.glb", check=False)
    assert convert.returncode == 1 and "'dxf' is contributed by both" in convert.stderr
    # disabled, the clash is gone: the appliance starts
    server.env["FLOORCAST_PLUGINS__DISABLED"] = "seconddxf"
    server.start()
    assert server.get("/readyz").status_code == 200


def test_convert_honours_disabled_plugins(tmp_path, plugin_env):
    src = tmp_path / "plan.slow"
    src.write_bytes(slowplan(0.1))

    def convert(env: dict[str, str]):
        return subprocess.run(
            [sys.executable, "-m", "core.cli.entry", "convert", str(src), "-o", str(tmp_path / "p.glb")],
            capture_output=True, text=True, cwd=ROOT, env={**os.environ, **plugin_env, **env}, timeout=120,
        )  # fmt: skip

    assert convert({}).returncode == 0
    disabled = convert({"FLOORCAST_PLUGINS__DISABLED": "slowplan"})
    assert disabled.returncode == 2
    assert "error: unsupported_format:" in disabled.stderr


def _one(hook: str, *items):
    class Contributes:
        pass

    def contribute(self):
        return list(items)

    setattr(Contributes, hook, hookimpl(contribute))
    return Contributes()


@pytest.mark.parametrize(
    ("hook", "item"),
    [
        ("floorcast_register_formats", FormatSpec("dxf", (".dxf",), lambda head: False, lambda *a: None)),
        ("floorcast_register_storage_backends", StorageBackendSpec("local", lambda settings: None)),
        ("floorcast_register_kiosk_transports", TransportSpec("websocket", lambda app, hub: None)),
    ],
)
def test_a_second_plugin_object_with_a_taken_name_is_refused_naming_both(hook, item):
    plugins = Plugins()
    plugins.check()  # what is installed is fine
    plugins.register(_one(hook, item), "second")
    with pytest.raises(PluginError) as info:
        plugins.check()
    message = str(info.value)
    assert message.startswith(f"{hook}: {item.name!r} is contributed by both ")
    assert "second" in message and any(i.name in message for i in plugins.infos if i.name != "second")


def test_two_detectors_of_the_same_name_are_refused():
    spec = DetectorSpec("same", ("wall",), (8, 8), lambda providers: None)
    plugins = Plugins(safe_mode=True)
    plugins.register(_one("floorcast_register_detectors", spec), "first")
    plugins.check()
    plugins.register(_one("floorcast_register_detectors", spec), "second")
    with pytest.raises(PluginError, match="'same' is contributed by both (first and second|second and first)"):
        plugins.check()


def test_a_converter_gets_the_detectors_of_the_plugin_set_running_it(tmp_path):
    seen: list[list[str]] = []

    class AskingFormat:
        @hookimpl
        def floorcast_register_formats(self):
            def convert(source, options, progress):
                seen.append([spec.name for spec in detectors()])

            return [FormatSpec("asking", (".ask",), lambda head: True, convert)]

        @hookimpl
        def floorcast_register_detectors(self):
            return [DetectorSpec("only-in-this-set", ("wall",), (8, 8), lambda providers: None)]

    plugins = Plugins(safe_mode=True)
    plugins.register(AskingFormat(), "asking")
    (fmt,) = [f for f in plugins.formats() if f.name == "asking"]
    fmt.convert(tmp_path / "x.ask", {}, lambda *a: None)
    assert seen == [["only-in-this-set"]]
    # outside a converter run: every installed plugin, and not the set above
    outside = [spec.name for spec in detectors()]
    assert "only-in-this-set" not in outside and outside == [s.name for s in Plugins().detectors()]
