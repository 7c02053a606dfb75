"""The PDF converter's options: declared once here, in the format's ``FormatSpec``
(core checks uploads against them and shows them), and read with those types.

The heights and the page guards are settings core passes (``[model]`` wall_height
and storey_height, ``[jobs]`` max_pages and max_render_megapixels): their
declarations carry no default of their own, the setting owns it.
"""

from __future__ import annotations

from core.plugin_api import CLUSTER_HELP, ConversionError, FormatOption, parse_cluster_choice, parse_scale

#: plan scale used when neither the sheet nor the ``scale`` option gives one
DEFAULT_SCALE = 100

OPTIONS: tuple[FormatOption, ...] = (
    FormatOption("scale", "str", help=f"plan scale like 1:100; unset: read from the sheet, else 1:{DEFAULT_SCALE}"),
    FormatOption("page", "int", help="the page (from 1) to convert alone; unset: every page, one level each"),
    FormatOption("level", "int", 0, "the level (storey number) a page chosen with page stands on"),
    FormatOption("wall_height", "float", help="wall height in metres"),  # default: [model] wall_height
    FormatOption("storey_height", "float", help="metres between levels"),  # default: [model] storey_height
    FormatOption("wall_thickness", "float", 0.2, "metres, for walls drawn as one thin line"),
    FormatOption("max_wall_thickness", "float", 0.6, "metres: wider double lines are not one wall"),
    FormatOption("floor", "bool", True, "a floor slab under each level's building"),
    FormatOption("cluster", "str", "auto", CLUSTER_HELP),
    FormatOption("max_pages", "int", help="pages a document may have"),  # [jobs] max_pages, not per upload
    FormatOption("max_megapixels", "float", help="pixel budget of one page"),  # [jobs] max_render_megapixels
)
#: options that must be more than zero
POSITIVE = ("wall_height", "storey_height", "wall_thickness", "max_wall_thickness", "max_megapixels")


def parse_options(options: dict) -> dict:
    """The declared options with their defaults, typed; options of other formats are
    ignored. Raises ConversionError(invalid_options)."""
    given = options or {}
    try:
        opts = {option.name: option.parse(given.get(option.name)) for option in OPTIONS}
        opts["scale"] = parse_scale(opts["scale"])
        opts["cluster"] = parse_cluster_choice(opts["cluster"])
        if opts["page"] is not None and opts["page"] < 1:
            raise ValueError("page must be a page number from 1")
        for key in POSITIVE:
            if not 0 < opts[key] < 1e6:
                raise ValueError(f"{key} must be a positive number")
    except ValueError as exc:
        raise ConversionError("invalid_options", str(exc), stage="parse") from None
    return opts
