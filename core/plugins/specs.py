"""What plugins contribute: one frozen record per kind, returned by the
``floorcast_register_*`` hooks (see :mod:`core.plugins.hookspecs`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from core.convert.formats import Progress
    from core.convert.scene import Scene
    from core.storage.base import Storage


@dataclass(frozen=True)
class FormatOption:
    """One option a format accepts in an upload's ``options``: its ``name``, ``type``
    (``str``, ``int``, ``float``, ``bool``, ``json``: a list or an object), ``default``
    (None: unset) and the ``help`` the console and ``floorcast plugins list`` show.
    ``choices`` restricts a ``str`` option to those values."""

    name: str
    type: str = "str"
    default: object = None
    help: str = ""
    choices: tuple[str, ...] = ()


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
