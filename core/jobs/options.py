"""Upload options: core's own (:data:`CORE_OPTIONS`) plus the ones the chosen format
declares in :attr:`FormatSpec.options`, checked by one function wherever options
come in (the API, resumable uploads and so the console, ``floorcast convert --set``).

Core does not know a format's options: ``floor`` or ``reader`` reach the DXF
converter because the DXF plugin declares them. Defaults stay where they are
owned: a format's own in its declaration, those core passes from a setting
(``wall_height``...) in :mod:`core.config`; a job keeps only the options its upload
gave (same file + same options => the same asset), the settings are added when it
runs (:func:`core.config.converter_options`).
"""

from __future__ import annotations

from collections.abc import Iterable

from core.config import CONVERTER_DEFAULTS, SETTING_ONLY_OPTIONS, Settings
from core.convert.formats import choose_format
from core.errors import ConversionError
from core.plugins.specs import FormatOption, FormatSpec

#: options core takes for every format: it reads ``format`` itself, the console and
#: ``floorcast convert`` offer ``units`` and ``level`` whatever the file, and it passes
#: the two heights from their ``[model]`` settings (which own their defaults)
CORE_OPTIONS: tuple[FormatOption, ...] = (
    FormatOption("format", "str", help="the format by name instead of the one sniffed from the file"),
    FormatOption("units", "str", help="drawing units when the file does not say: mm, cm, m, in, ft"),
    FormatOption("level", "int", help="the storey the plan stands on (0 = ground floor)"),
    FormatOption("wall_height", "float", help="wall height in metres"),
    FormatOption("storey_height", "float", help="height between levels in metres"),
)


def declared_options(spec: FormatSpec | None, formats: Iterable[FormatSpec] = ()) -> dict[str, list[FormatOption]]:
    """Name -> declarations an upload may set: the format's (for a format not known
    yet, every format's), then core's; settings core alone passes are left out."""
    specs = [spec] if spec is not None else list(formats)
    declared: dict[str, list[FormatOption]] = {}
    for option in (*(o for s in specs for o in s.options), *CORE_OPTIONS):
        if option.name not in SETTING_ONLY_OPTIONS:
            declared.setdefault(option.name, []).append(option)
    if spec is not None:  # a format that declares a core option again says what it takes
        declared = {name: options[:1] for name, options in declared.items()}
    return declared


def validate_options(options: object, spec: FormatSpec | None, formats: Iterable[FormatSpec] = ()) -> dict:
    """An upload's options checked against :func:`declared_options`: known names,
    values of the declared type (numbers and flags given as text become numbers and
    flags), None meaning unset. Raises ConversionError ``invalid_options`` naming
    the option and, for an unknown one, the accepted names."""
    if options is None:
        return {}
    if not isinstance(options, dict):
        raise ConversionError("invalid_options", "options must be a JSON object", stage="upload")
    declared = declared_options(spec, formats)
    for name in options:
        if name in SETTING_ONLY_OPTIONS:
            section, key = CONVERTER_DEFAULTS[name]
            raise ConversionError(
                "invalid_options",
                f"{name} comes from the [{section}] {key} setting, not from an upload",
                stage="upload",
                detail={"option": name},
            )
    unknown = sorted(set(options) - set(declared))
    if unknown:
        which = f"the {spec.name} format and core" if spec is not None else "core and the installed formats"
        raise ConversionError(
            "invalid_options",
            f"unknown option(s): {', '.join(unknown)}; known to {which}: {', '.join(sorted(declared))}",
            stage="upload",
            detail={"option": unknown[0]},
        )
    out = {}
    for name, value in options.items():
        if value is None:
            continue
        errors = []
        for option in declared[name]:
            try:
                out[name] = option.parse(value)
                break
            except ValueError as exc:
                errors.append(str(exc))
        else:
            raise ConversionError("invalid_options", errors[0], stage="upload", detail={"option": name})
    return out


def sniffed_format(formats: Iterable[FormatSpec], head: bytes, filename: str, options: object) -> FormatSpec | None:
    """The format a file with these first bytes converts with (the ``format`` option
    forces one), or None when none takes it: its job then fails at sniff, saying why."""
    forced = options.get("format") if isinstance(options, dict) else None
    try:
        return choose_format(formats, head, filename, forced if isinstance(forced, str) else None)
    except ConversionError:
        return None


def validate_before_sniff(options: object, formats: Iterable[FormatSpec]) -> dict:
    """:func:`validate_options` before the file's bytes are there to choose its
    format: against the one the ``format`` option forces, else every format's."""
    formats = list(formats)
    forced = options.get("format") if isinstance(options, dict) else None
    spec = next((s for s in formats if s.name == forced), None)
    return validate_options(options, spec, formats)


def effective_default(option: FormatOption, settings: Settings) -> object:
    """What a converter gets when an upload leaves ``option`` out: the configured
    setting for one core passes, else the declared default."""
    where = CONVERTER_DEFAULTS.get(option.name)
    return settings.get(*where) if where else option.default


def option_table(formats: Iterable[FormatSpec], settings: Settings) -> list[dict]:
    """What uploads may set, for people (``floorcast plugins list --options``, the
    console's upload form): core's options (``name`` None), then each format's, with
    the default a converter gets."""

    def rows(options: Iterable[FormatOption]) -> list[dict]:
        return [
            {
                "name": o.name,
                "type": o.type,
                "default": effective_default(o, settings),
                "help": o.help,
                "choices": list(o.choices),
            }
            for o in options
            if o.name not in SETTING_ONLY_OPTIONS
        ]

    table = [{"name": None, "extensions": [], "options": rows(CORE_OPTIONS)}]
    for spec in sorted(formats, key=lambda s: s.name):
        table.append({"name": spec.name, "extensions": list(spec.extensions), "options": rows(spec.options)})
    return table
