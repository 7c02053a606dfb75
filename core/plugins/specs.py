"""What plugins contribute: one frozen record per kind, returned by the
``floorcast_register_*`` hooks (see :mod:`core.plugins.hookspecs`)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from core.config import setting_for_option

if TYPE_CHECKING:  # pragma: no cover
    from core.convert.formats import Progress
    from core.convert.scene import Scene
    from core.storage.base import Storage


#: what ``FormatOption.type`` may be, with the words an error uses for it
OPTION_TYPES = {
    "str": "text",
    "int": "a whole number",
    "float": "a number",
    "bool": "true or false",
    "json": "a JSON list or object",
}
_TRUE, _FALSE = ("true", "1", "yes", "on"), ("false", "0", "no", "off")


@dataclass(frozen=True)
class FormatOption:
    """One option a format accepts in an upload's ``options``: its ``name``, ``type``
    (a key of :data:`OPTION_TYPES`), ``default`` (None: unset) and the ``help`` the
    console and ``floorcast plugins list`` show. ``choices`` restricts a ``str``
    option to those values.

    An option core passes from a setting (a name in
    :data:`core.config.CONVERTER_DEFAULTS`, such as ``wall_height``) takes its
    ``default`` from that setting's declaration: declare none, the setting owns it.
    """

    name: str
    type: str = "str"
    default: object = None
    help: str = ""
    choices: tuple[str, ...] = ()

    def __post_init__(self):
        if self.type not in OPTION_TYPES:
            raise ValueError(f"option {self.name}: type {self.type!r} is not one of {', '.join(OPTION_TYPES)}")
        setting = setting_for_option(self.name)
        if setting is not None:
            if self.default is not None:
                raise ValueError(f"option {self.name}: its default is the [{setting.section}] {setting.key} setting's")
            object.__setattr__(self, "default", setting.default)

    def parse(self, value: object) -> object:
        """``value`` as this option's type; None gives the default. Numbers, flags and
        JSON may come as text (console fields, ``convert --set``). Raises ValueError
        saying what is wrong."""
        if value is None:
            return self.default
        out = _parse(self.type, value)
        if out is None:
            raise ValueError(f"{self.name} must be {OPTION_TYPES[self.type]}, not {value!r}")
        if self.choices and out not in self.choices:
            raise ValueError(f"{self.name} must be one of {', '.join(self.choices)}, not {value!r}")
        return out


def _parse(kind: str, value: object) -> object:
    """``value`` as ``kind``, or None when it is not one."""
    if kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        return True if text in _TRUE else False if text in _FALSE else None
    if kind == "json":
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                return None
        return value if isinstance(value, list | dict) else None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    if kind == "str":
        return str(value)
    try:
        number = float(value)
    except ValueError:
        return None
    if not math.isfinite(number):
        return None
    if kind == "float":
        return number
    return int(number) if number == int(number) else None


@dataclass(frozen=True)
class FormatSpec:
    """A file format: ``sniff(head: bytes) -> bool`` on the first bytes, and
    ``convert(source: Path, options: dict, progress) -> Scene``.

    ``options`` declares what the converter reads from an upload's options (beyond
    core's own: :data:`core.jobs.options.CORE_OPTIONS`); core validates uploads
    against it, so the API, the console and ``convert --set`` take them without
    core knowing them. Converters raise :class:`core.errors.ConversionError` for
    bad input.
    """

    name: str
    extensions: tuple[str, ...]
    sniff: Callable[[bytes], bool]
    convert: Callable[[Path, dict, Progress], Scene]
    weight: int = 100
    version: str = "0"
    description: str = ""
    options: tuple[FormatOption, ...] = ()


@dataclass(frozen=True)
class DetectorSpec:
    """A named ML model finding ``classes`` in a raster page of ``input_size`` pixels.

    ``load(providers)`` returns an object with ``run(image) -> dict``; the PDF
    plugin documents the exact result shape it expects.
    """

    name: str
    classes: tuple[str, ...]
    input_size: tuple[int, int]
    load: Callable[..., object]
    weight: int = 100
    version: str = "0"
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class StorageBackendSpec:
    """``factory(settings) -> Storage``; chosen by ``[storage] backend = name``."""

    name: str
    factory: Callable[[dict], Storage]
    description: str = ""


@dataclass(frozen=True)
class TransportSpec:
    """``attach(app, hub)`` adds the transport's endpoints to the Flask ``app``.

    ``hub`` (:class:`core.kiosks.hub.KioskHub`) authenticates kiosks, answers
    ``hello`` and hands out the messages each kiosk must receive.
    """

    name: str
    attach: Callable[[object, object], None]
    description: str = ""
