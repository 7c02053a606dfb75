"""The PDF converter's options: defaults, validation, and what core passes down."""

from __future__ import annotations

from core.plugin_api import ConversionError

#: plan scale used when neither the sheet nor the ``scale`` option gives one
DEFAULT_SCALE = 100

DEFAULTS = {
    "scale": None,  # "1:100", "1/200", 100; None = read from the sheet, else DEFAULT_SCALE
    "page": None,  # 1-based page number to convert alone; None = every page, one level each
    "level": 0,  # the level (storey number) a page chosen with "page" stands on
    "wall_height": 3.0,  # metres; core passes [model] wall_height
    "storey_height": 4.0,  # metres between levels; core passes [model] storey_height
    "wall_thickness": 0.2,  # metres, for walls drawn as one thin line
    "max_wall_thickness": 0.6,  # metres: wider double lines are not one wall
    "floor": True,  # a floor slab under each level's building
    # guards core passes from [jobs]; not user options
    "max_pages": 200,
    "max_megapixels": 100.0,
}


def parse_scale(value) -> float | None:
    """The denominator of a plan scale: "1:100", "1/100", "100", 100 -> 100.0."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        text = str(value).strip().replace(" ", "")
        num, sep, den = text.replace("/", ":").partition(":")
        try:
            number = float(den) / float(num) if sep else float(text)
        except (ValueError, ZeroDivisionError):
            raise ValueError(f"scale {value!r} is not like 1:100") from None
    if not 1 <= number <= 100000:
        raise ValueError(f"scale {value!r} is out of range (1:1 to 1:100000)")
    return number


def parse_options(options: dict) -> dict:
    """Plugin options with defaults filled in; ConversionError(invalid_options)."""
    opts = dict(DEFAULTS)
    opts.update({k: v for k, v in (options or {}).items() if k in DEFAULTS})
    try:
        opts["scale"] = parse_scale(opts["scale"])
        if opts["page"] is not None:
            if isinstance(opts["page"], bool) or int(opts["page"]) != float(opts["page"]) or int(opts["page"]) < 1:
                raise ValueError("page must be a page number from 1")
            opts["page"] = int(opts["page"])
        for key in ("wall_height", "storey_height", "wall_thickness", "max_wall_thickness", "max_megapixels"):
            opts[key] = float(opts[key])
            if not 0 < opts[key] < 1e6:
                raise ValueError(f"{key} must be a positive number")
        opts["max_pages"] = int(opts["max_pages"])
        if isinstance(opts["level"], bool) or int(opts["level"]) != float(opts["level"]):
            raise ValueError("level must be a whole number")
        opts["level"] = int(opts["level"])
        opts["floor"] = str(opts["floor"]).lower() not in ("false", "0", "no", "off")
    except (TypeError, ValueError) as exc:
        raise ConversionError("invalid_options", str(exc), stage="parse") from None
    return opts
