"""Finding, loading and listing plugins (pluggy, entry-point group ``floorcast``).

Each entry point loads in its own try block: a plugin that fails to import is
logged with its name, listed as broken, and skipped. In safe mode only the
built-ins (entry points of the ``floorcast`` distribution itself) load.

:func:`load_plugins` is how the appliance, ``floorcast convert`` and ``plugins
list`` get their set: it honours ``[plugins] safe_mode`` and ``disabled`` and
refuses two contributions with the same name before anything runs.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import logging
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from importlib.metadata import entry_points

import pluggy

from core.errors import PluginError
from core.plugins import hookspecs

log = logging.getLogger("floorcast.plugins")

GROUP = "floorcast"
BUILTIN_DIST = "floorcast"
#: the hooks whose contributions are named (and refused twice at startup)
REGISTER_HOOKS = (
    "floorcast_register_formats",
    "floorcast_register_detectors",
    "floorcast_register_storage_backends",
    "floorcast_register_kiosk_transports",
)

# The plugin set whose converter is running in this context, for plugin code that
# asks for the others (``core.plugin_api.detectors()`` inside the PDF converter).
# Not process-wide state: only ``Plugins.active()`` sets it, for the duration of
# one call, and resets it after; a ContextVar keeps each thread's and greenlet's
# value apart, so two plugin sets in one process never see each other's.
_active: ContextVar[Plugins] = ContextVar("floorcast_active_plugins")


@dataclass
class PluginInfo:
    name: str
    dist: str
    version: str
    module: str
    builtin: bool
    hooks: list[str] = field(default_factory=list)
    error: str | None = None


class Plugins:
    """The plugin manager plus what loading found, and safe calls into it.

    A converter from :meth:`formats` runs with this set :meth:`active`: code inside
    it (a converter asking for detectors) reaches the other plugins through
    :func:`active_plugins`.
    """

    def __init__(self, safe_mode: bool = False, disabled: tuple[str, ...] = ()):
        self.pm = pluggy.PluginManager(GROUP)
        self.pm.add_hookspecs(hookspecs)
        self.safe_mode = safe_mode
        self.infos: list[PluginInfo] = []
        self._load(set(disabled))

    def _load(self, disabled: set[str]) -> None:
        for ep in sorted(entry_points(group=GROUP), key=lambda e: e.name):
            dist = ep.dist.name if ep.dist else "?"
            builtin = dist == BUILTIN_DIST
            if ep.name in disabled or (self.safe_mode and not builtin):
                continue
            info = PluginInfo(ep.name, dist, ep.dist.version if ep.dist else "?", ep.value, builtin)
            self.infos.append(info)
            if self.pm.has_plugin(ep.name):
                info.error = "another plugin has the same name"
                log.error("plugin %s (%s): %s", ep.name, dist, info.error)
                continue
            try:
                module = ep.load()
                self.pm.register(module, name=ep.name)
            except Exception as exc:  # any failure of third-party code: report, go on
                info.error = f"{type(exc).__name__}: {exc}"
                log.error("plugin %s (%s) failed to load and is skipped: %s", ep.name, dist, info.error)
                continue
            info.hooks = sorted(
                hc.name for hc in self.pm.get_hookcallers(module) or () if hc.name.startswith("floorcast_")
            )

    def register(self, module, name: str) -> None:
        """Register a module directly (tests, embedding)."""
        self.pm.register(module, name=name)
        self.infos.append(
            PluginInfo(
                name,
                "?",
                "?",
                getattr(module, "__name__", name),
                False,
                sorted(h.name for h in self.pm.get_hookcallers(module) or ()),
            )
        )

    def collect(self, hook_name: str, **kwargs) -> list:
        """Merge the lists a ``register_*`` hook returns; refuse duplicate names.

        A plugin whose hook raises is logged by name and left out."""
        items, owners = [], {}
        for impl in getattr(self.pm.hook, hook_name).get_hookimpls():
            try:
                result = impl.function(**kwargs) or []
            except Exception as exc:
                log.error("plugin %s: %s raised %s: %s", impl.plugin_name, hook_name, type(exc).__name__, exc)
                self._mark(impl.plugin_name, f"{hook_name}: {type(exc).__name__}: {exc}")
                continue
            for item in result:
                name = getattr(item, "name", None)
                if name in owners:
                    raise PluginError(
                        f"{hook_name}: {name!r} is contributed by both {owners[name]} and {impl.plugin_name}"
                    )
                owners[name] = impl.plugin_name
                items.append(item)
        return items

    def notify(self, hook_name: str, **kwargs) -> None:
        """Call a notification hook on every plugin, each isolated."""
        for impl in getattr(self.pm.hook, hook_name).get_hookimpls():
            try:
                impl.function(**kwargs)
            except Exception as exc:
                log.error("plugin %s: %s raised %s: %s", impl.plugin_name, hook_name, type(exc).__name__, exc)

    def _mark(self, name: str, error: str) -> None:
        for info in self.infos:
            if info.name == name and not info.error:
                info.error = error

    def check(self) -> None:
        """Refuse two contributions of the same name (two formats called ``dxf``, two
        storage backends called ``local``...): raises :class:`PluginError` naming both
        plugins. Called once at startup, so a clash stops the appliance before any job
        instead of failing each job that meets it."""
        for hook_name in REGISTER_HOOKS:
            self.collect(hook_name)

    @contextlib.contextmanager
    def active(self) -> Iterator[Plugins]:
        """Make this set the one :func:`active_plugins` answers while the block runs."""
        token = _active.set(self)
        try:
            yield self
        finally:
            _active.reset(token)

    def _in_scope(self, convert: Callable) -> Callable:
        @functools.wraps(convert)
        def scoped(*args, **kwargs):
            with self.active():
                return convert(*args, **kwargs)

        return scoped

    def formats(self):
        """The formats, each converter running with this set :meth:`active`."""
        return [
            dataclasses.replace(spec, convert=self._in_scope(spec.convert)) if dataclasses.is_dataclass(spec) else spec
            for spec in self.collect("floorcast_register_formats")
        ]

    def detectors(self):
        return self.collect("floorcast_register_detectors")

    def storage_backends(self):
        return self.collect("floorcast_register_storage_backends")

    def transports(self):
        return self.collect("floorcast_register_kiosk_transports")


def active_plugins() -> Plugins:
    """The set whose converter is running here; outside any, every installed plugin
    (a plugin's own tests calling its converter directly)."""
    plugins = _active.get(None)
    return plugins if plugins is not None else Plugins()


def load_plugins(settings) -> Plugins:
    """The plugins ``settings`` ask for (``[plugins] safe_mode`` and ``disabled``),
    checked for clashing names (:meth:`Plugins.check`)."""
    plugins = Plugins(
        safe_mode=bool(settings["plugins"]["safe_mode"]),
        disabled=tuple(settings["plugins"]["disabled"]),
    )
    plugins.check()
    return plugins
