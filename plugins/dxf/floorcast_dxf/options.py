"""The DXF converter's options: declared once here, in the format's ``FormatSpec``
(core checks uploads against them and shows them), and read with those types.

The heights and the venue's layer and block rules are settings core passes
(``[model]``): their declarations carry no default of their own, the setting owns it.
"""

from __future__ import annotations

from core.plugin_api import CLUSTER_HELP, ConversionError, FormatOption, parse_cluster_choice, parse_scale
from floorcast_dxf.layers import Classifier

OPTIONS: tuple[FormatOption, ...] = (
    FormatOption("units", "str", help="drawing units when $INSUNITS does not say: mm, cm, m, in, ft"),
    FormatOption("scale", "str", help="a sheet drawn at paper scale: its plan scale, like 1:100"),
    FormatOption("wall_height", "float", help="wall height in metres"),  # default: [model] wall_height
    FormatOption("wall_thickness", "float", 0.2, "metres, for walls drawn as one line"),
    FormatOption("max_wall_thickness", "float", 0.6, "metres: wider double lines are not one wall"),
    FormatOption("floor", "bool", True, "add a floor slab under the building when no floor layer has one"),
    FormatOption("layers", "json", help='layer name or glob -> category, before the name rules: {"A-WALL*": "wall"}'),
    FormatOption("blocks", "json", help='block name or glob -> category: {"TUER*": "door"}'),
    FormatOption("layer_rules", "json", help="the venue's layer rules"),  # [model] layer_rules, not per upload
    FormatOption("block_rules", "json", help="the venue's block rules"),  # [model] block_rules
    FormatOption("cluster", "str", "auto", CLUSTER_HELP),
    FormatOption(
        "reader",
        "str",
        "auto",
        "auto: the fast scanner, ezdxf when it declines the file; ezdxf: always ezdxf",
        choices=("auto", "ezdxf"),
    ),
)
#: options that must be more than zero (and under a kilometre)
LENGTHS = ("wall_height", "wall_thickness", "max_wall_thickness")


def parse_options(options: dict) -> dict:
    """The declared options with their defaults, typed; options of other formats are
    ignored. Adds ``classifier``. Raises ConversionError(invalid_options)."""
    given = options or {}
    try:
        opts = {option.name: option.parse(given.get(option.name)) for option in OPTIONS}
        for key in LENGTHS:
            if not 0 < opts[key] < 1000:
                raise ValueError(f"{key} must be a positive number of metres")
        opts["cluster"] = parse_cluster_choice(opts["cluster"])
        opts["scale"] = parse_scale(opts["scale"])
    except ValueError as exc:
        raise ConversionError("invalid_options", str(exc), stage="parse") from None
    opts["classifier"] = Classifier(opts["layers"], opts["layer_rules"], opts["blocks"], opts["block_rules"])
    return opts
