"""Every hook is documented where plugin authors look."""

from __future__ import annotations

import inspect
from pathlib import Path

from core.plugins import hookspecs

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def test_every_hook_has_a_docstring_naming_its_caller():
    hooks = [f for name, f in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("floorcast_")]
    assert len(hooks) >= 8
    for hook in hooks:
        doc = inspect.getdoc(hook) or ""
        assert len(doc) > 60, f"{hook.__name__} needs a docstring"
        assert "call" in doc.lower(), f"{hook.__name__}: say when it is called and by whom"


def test_register_hooks_return_lists_and_names_are_refused_twice():
    import pytest

    from core.errors import PluginError
    from core.plugin_api import StorageBackendSpec, hookimpl
    from core.plugins.manager import Plugins

    class One:
        @hookimpl
        def floorcast_register_storage_backends(self):
            return [StorageBackendSpec("local", lambda s: None)]

    plugins = Plugins(safe_mode=True)
    plugins.register(One(), "duplicate-local")
    with pytest.raises(PluginError, match="'local' is contributed by both"):
        plugins.storage_backends()


def test_a_raising_hook_is_reported_by_name_and_skipped():
    from core.plugin_api import hookimpl
    from core.plugins.manager import Plugins

    class Bad:
        @hookimpl
        def floorcast_register_formats(self):
            raise RuntimeError("boom")

    plugins = Plugins(safe_mode=True)
    plugins.register(Bad(), "bad-formats")
    assert plugins.formats() == []
    assert "boom" in next(i.error for i in plugins.infos if i.name == "bad-formats")


def test_every_hook_has_a_readme_entry():
    """The README's plugin section names every hook a plugin can implement."""
    section = README.split("## Plugins", 1)[1].split("\n## ", 1)[0]
    hooks = [name for name, _ in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("floorcast_")]
    missing = [name for name in hooks if f"`{name}(" not in section]
    assert not missing, f"hooks without a README entry in ## Plugins: {missing}"


def test_register_hooks_take_nothing_and_return_lists():
    """The rule of the hookspec module's docstring, for every ``floorcast_register_*``."""
    hooks = [
        f for name, f in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("floorcast_register_")
    ]
    assert "floorcast_register_commands" in [h.__name__ for h in hooks]
    for hook in hooks:
        signature = inspect.signature(hook)
        assert not signature.parameters, f"{hook.__name__} takes no arguments"
        assert str(signature.return_annotation).startswith("list["), f"{hook.__name__} returns a list"
        assert not hook.floorcast_spec.get("firstresult"), f"{hook.__name__} is merged, not first-result"


def test_plugin_commands_are_contributed_as_a_list_and_cannot_shadow_built_ins():
    import click

    from core.cli.main import add_plugin_commands, build_cli
    from core.plugin_api import hookimpl
    from core.plugins.manager import Plugins

    assert [c.name for c in Plugins(safe_mode=True).collect("floorcast_register_commands")] == ["serve"]
    assert {"serve", "convert"} <= set(build_cli(["--safe-mode"]).group.commands)

    @click.command("convert")
    def fake_convert():
        """Not the real one."""

    class Shadow:
        @hookimpl
        def floorcast_register_commands(self):
            return [fake_convert]

    @click.group()
    def cli():
        """A CLI with its own convert."""

    @cli.command("convert")
    def real_convert():
        """The real one."""

    plugins = Plugins(safe_mode=True)
    plugins.register(Shadow(), "shadow")
    add_plugin_commands(cli, plugins)
    assert cli.commands["convert"] is real_convert and "serve" in cli.commands
