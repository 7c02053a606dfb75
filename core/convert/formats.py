"""How core picks the format of a file, and the progress callback converters get.

Formats are :class:`core.plugins.specs.FormatSpec` records; this module needs only
their ``name``, ``extensions``, ``sniff`` and ``weight``."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from core.errors import ConversionError

if TYPE_CHECKING:  # pragma: no cover
    from core.plugins.specs import FormatSpec

#: how many leading bytes ``sniff`` sees
SNIFF_BYTES = 4096


class Progress(Protocol):
    """``progress(stage, fraction, message=None)``: fraction of that stage in 0..1."""

    def __call__(self, stage: str, fraction: float, message: str | None = None) -> None: ...


def format_named(formats: Iterable[FormatSpec], name: str) -> FormatSpec:
    """The installed format called ``name``; ``unsupported_format`` when none is."""
    formats = list(formats)
    for spec in formats:
        if spec.name == name:
            return spec
    names = ", ".join(sorted(s.name for s in formats)) or "none"
    raise ConversionError("unsupported_format", f"no format named {name!r} (installed: {names})", stage="sniff")


def choose_format(
    formats: Iterable[FormatSpec], head: bytes, filename: str = "", forced: str | None = None
) -> FormatSpec:
    """The format for a file: ``forced`` by name, else the highest-weight sniff match."""
    formats = list(formats)
    if forced:
        return format_named(formats, forced)
    if not head.strip(b"\x00 \t\r\n"):
        raise ConversionError("empty_file", "the file is empty", stage="sniff")
    accepted = []
    for spec in formats:
        try:
            if spec.sniff(head):
                accepted.append(spec)
        except Exception:  # a sniff that raises declines the file
            continue
    if not accepted:
        suffix = Path(filename).suffix.lower()
        claimed = [s.name for s in formats if suffix and suffix in s.extensions]
        hint = f" although it is named {suffix}" if claimed else ""
        raise ConversionError(
            "unsupported_format",
            f"the file's content is not a format Floorcast reads{hint}",
            stage="sniff",
        )
    return max(accepted, key=lambda s: s.weight)
