"""Drawing units: $INSUNITS, the user's ``units`` option, else a plausibility guess."""

from __future__ import annotations

import numpy as np

from core.plugin_api import ConversionError

#: $INSUNITS code -> (name, metres per unit)
INSUNITS = {
    1: ("in", 0.0254),
    2: ("ft", 0.3048),
    3: ("mi", 1609.344),
    4: ("mm", 0.001),
    5: ("cm", 0.01),
    6: ("m", 1.0),
    7: ("km", 1000.0),
    8: ("uin", 0.0254e-6),
    9: ("mil", 0.0254e-3),
    10: ("yd", 0.9144),
    14: ("dm", 0.1),
    15: ("dam", 10.0),
    16: ("hm", 100.0),
}
#: what the ``units`` option accepts
OPTION_UNITS = {"mm": 0.001, "cm": 0.01, "m": 1.0, "in": 0.0254, "ft": 0.3048}

# a venue floor is metres to kilometres wide
PLAUSIBLE_M = (2.0, 3000.0)


def detect_units(insunits: int | None, size: float, option: str | None) -> tuple[str, float, str, list[str]]:
    """(unit name, metres per unit, source, warnings) for a drawing ``size`` units wide."""
    warnings: list[str] = []
    if option:
        key = str(option).strip().lower()
        if key not in OPTION_UNITS:
            raise ConversionError(
                "invalid_options",
                f"units {option!r} is not one of {', '.join(OPTION_UNITS)}",
                stage="parse",
            )
        return key, OPTION_UNITS[key], "option", warnings
    if insunits in INSUNITS:
        name, scale = INSUNITS[insunits]
        metres = size * scale
        if not size or PLAUSIBLE_M[0] / 10 <= metres <= PLAUSIBLE_M[1] * 10:
            return name, scale, "$INSUNITS", warnings
        # converters write $INSUNITS carelessly: a 60 km "metre" office is millimetres
        warnings.append(f"$INSUNITS says {name} but the drawing would then be {metres:.4g} m wide; ignoring it")
    lo, hi = PLAUSIBLE_M
    if size <= hi:
        name, scale = "m", 1.0
    elif size * 0.001 <= hi * 10:
        name, scale = "mm", 0.001
    else:
        name, scale = "m", 1.0
    if size and not lo <= size * scale <= hi:
        warnings.append(f"drawing is {size * scale:.4g} m wide in the guessed units")
    warnings.append(
        f"the drawing does not say its units ($INSUNITS unset); guessed {name} from its"
        f" extent of {size:.6g} units — set the units option to override"
    )
    return name, scale, "guess", warnings


#: a door leaf is this wide (m): a swing's radius
DOOR_M = (0.55, 1.4)
#: what a door swing's radius may say the units are: drawing units, and sheets in
#: mm drawn at 1:50, 1:100, 1:200
DOOR_UNITS = (("mm", 0.001), ("cm", 0.01), ("in", 0.0254), ("ft", 0.3048), ("m", 1.0))
PAPER = ((50, 0.05), (100, 0.1), (200, 0.2))
#: door swings needed before they overrule $INSUNITS or the guess
MIN_DOORS = 3


def check_by_doors(radii, name: str, scale: float, source: str) -> tuple[str, float, str, list[str]] | None:
    """The units door swings (radii in drawing units) say, when they disagree with
    ``name``/``scale`` from ``source``: (name, scale, "doors", warnings); None when
    they agree, are too few, or the units came from the upload's option."""
    if source == "option" or len(radii) < MIN_DOORS:
        return None
    radius = float(np.median(radii))
    if DOOR_M[0] <= radius * scale <= DOOR_M[1]:
        return None
    fits = [(n, s) for n, s in DOOR_UNITS if DOOR_M[0] <= radius * s <= DOOR_M[1]]
    fits += [(f"mm at 1:{k}", s) for k, s in PAPER if DOOR_M[0] <= radius * s <= DOOR_M[1]]
    if not fits:
        return None
    best_name, best = min(fits, key=lambda f: abs(radius * f[1] - 0.9))
    said = "$INSUNITS says" if source == "$INSUNITS" else "the guess was"
    return (
        best_name.split()[0],
        best,
        "doors",
        [
            f"{said} {name}, but {len(radii)} door swings of radius {radius:.4g} units would then be"
            f" {radius * scale:.3g} m wide; read as {best_name} they are {radius * best:.2f} m:"
            f" using {best_name} (set the units option to override)"
        ],
    )


#: a drawing smaller than this (m) in its units is no building: a sheet at paper scale
SHEET_M = 2.0
#: the plan scale such a sheet is read at when nothing says
SHEET_SCALE = 100


def sheet_scale(
    denominator: float | None, size: float, name: str, scale: float, source: str
) -> tuple[str, float, str, list[str]] | None:
    """A sheet drawn at paper scale: the ``scale`` option's plan scale, else 1:100
    when the drawing, in its units, is smaller than any building. None otherwise."""
    if denominator:
        return name, scale * denominator, "scale option", []
    if source == "option" or not size or size * scale >= SHEET_M or scale > 0.0254:
        return None
    return (
        name,
        scale * SHEET_SCALE,
        "sheet",
        [
            f"the drawing is {size * scale:.3g} m wide in {name}: a sheet drawn at paper scale; read at"
            f" 1:{SHEET_SCALE} ({size * scale * SHEET_SCALE:.0f} m wide), the commonest plan scale"
            " (set the scale option, e.g. 1:50, to override)"
        ],
    )
