"""The import rules of the architecture (README "Architecture"), read from the
source with ``ast`` so a violation fails here, not in a reader's head.

Imports under ``if TYPE_CHECKING:`` are left out: they name types for the reader
and never run.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PLUGIN_PACKAGES = {"floorcast_dxf", "floorcast_pdf", "floorcast_sse", "floorcast_testplugins"}
#: the conversion kernel, run by the sandboxed child: it may import only itself and the errors
KERNEL = ("core.convert", "core.gltf")
KERNEL_MAY_IMPORT = (*KERNEL, "core.errors")
#: built-ins that register like any third-party plugin
BUILT_IN_PLUGINS = ("core/storage/local.py", "web/kiosk/transport.py")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(path: Path) -> list[tuple[int, str]]:
    """``(line, module)`` for every import that runs, resolving relative ones."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = _module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else _module_name(path)
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for stmt in child.orelse:
                    visit(stmt)
                continue
            if isinstance(child, ast.Import):
                found.extend((child.lineno, alias.name) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - child.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                # ``from core import audit`` imports the module core.audit
                found.extend((child.lineno, f"{base}.{alias.name}") for alias in child.names)
            visit(child)

    visit(tree)
    return found


def _sources(folder: str) -> list[Path]:
    return sorted(p for p in (ROOT / folder).rglob("*.py") if "node_modules" not in p.parts)


def _under(module: str, prefixes) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def _violations(paths, allowed) -> list[str]:
    bad = []
    for path in paths:
        for line, module in imports_of(path):
            if not allowed(module):
                bad.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    return bad


def test_core_never_imports_web_or_a_plugin():
    assert not _violations(
        _sources("core"), lambda m: not _under(m, ("web",)) and m.split(".")[0] not in PLUGIN_PACKAGES
    )


def test_the_conversion_kernel_imports_only_itself_and_the_errors():
    kernel = [p for k in KERNEL for p in _sources(k.replace(".", "/"))]
    assert kernel
    assert not _violations(kernel, lambda m: not _under(m, ("core", "web")) or _under(m, KERNEL_MAY_IMPORT))


@pytest.mark.parametrize("plugin", sorted(p.name for p in (ROOT / "plugins").iterdir() if (p / "setup.cfg").exists()))
def test_plugins_import_only_the_plugin_api(plugin):
    paths = _sources(f"plugins/{plugin}")
    assert paths
    assert not _violations(paths, lambda m: not _under(m, ("core", "web")) or _under(m, ("core.plugin_api",)))


def test_test_plugins_import_only_the_plugin_api():
    paths = _sources("tests/plugins")
    assert not _violations(paths, lambda m: not _under(m, ("core", "web")) or _under(m, ("core.plugin_api",)))


@pytest.mark.parametrize("path", BUILT_IN_PLUGINS)
def test_built_in_plugins_use_only_the_plugin_api(path):
    assert not _violations(
        [ROOT / path], lambda m: not _under(m, ("core", "web")) or _under(m, ("core.plugin_api", "core.__version__"))
    )


def test_the_rule_reader_sees_what_it_must():
    """The checker itself: a known import and a TYPE_CHECKING one."""
    found = {m for _, m in imports_of(ROOT / "core/plugins/specs.py")}
    assert "core.convert.scene.Scene" not in found  # under TYPE_CHECKING
    found = {m for _, m in imports_of(ROOT / "core/convert/pipeline.py")}
    assert any(m.startswith("core.errors") for m in found)
