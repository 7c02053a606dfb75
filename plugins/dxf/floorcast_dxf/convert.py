"""The DXF converter: ``convert(source, options, progress) -> Scene``."""

from __future__ import annotations

from pathlib import Path

from core.plugin_api import CATEGORIES, ConversionError, Progress, Scene
from floorcast_dxf.build import build
from floorcast_dxf.extract import extract
from floorcast_dxf.layers import classify
from floorcast_dxf.reader import read_document
from floorcast_dxf.units import detect_units

DEFAULTS = {
    "units": None,  # mm, cm, m, in, ft; None = $INSUNITS or a guess
    "wall_height": 3.0,  # metres
    "wall_thickness": 0.2,  # metres, for walls drawn as one line
    "max_wall_thickness": 0.6,  # metres: wider double lines are not one wall
    "floor": True,  # add a floor slab under the building when no floor layer has one
    "layers": {},  # layer name -> category, overriding the name rules
}


def parse_options(options: dict) -> dict:
    opts = dict(DEFAULTS)
    for key, value in (options or {}).items():
        if key not in DEFAULTS:
            continue  # options of other formats or of core
        opts[key] = value
    try:
        for key in ("wall_height", "wall_thickness", "max_wall_thickness"):
            opts[key] = float(opts[key])
            if not 0 < opts[key] < 1000:
                raise ValueError(f"{key} must be a positive number of metres")
        opts["floor"] = str(opts["floor"]).lower() not in ("false", "0", "no", "off")
        layers = dict(opts["layers"] or {})
        bad = {k: v for k, v in layers.items() if v not in CATEGORIES}
        if bad:
            raise ValueError(f"layers: unknown categories {bad}; use one of {CATEGORIES}")
        opts["layers"] = layers
    except (TypeError, ValueError) as exc:
        raise ConversionError("invalid_options", str(exc), stage="parse") from None
    return opts


def convert(source: Path, options: dict, progress: Progress) -> Scene:
    opts = parse_options(options)
    progress("parse", 0.05, "reading DXF")
    doc, read_warnings = read_document(Path(source))
    progress("parse", 0.6, "reading entities")
    drawing = extract(doc)
    progress("parse", 1.0, f"{sum(drawing.entity_counts.values())} entities")

    before = len(drawing.shapes)
    far_layers = drawing.drop_outliers()
    if far_layers:
        drawing.warnings.append(
            f"{before - len(drawing.shapes)} entities far away from the rest of the drawing"
            f" were left out (layers: {', '.join(far_layers[:10])})"
        )
    bounds = drawing.bounds()
    size = float((bounds[1] - bounds[0]).max()) if bounds else 0.0
    insunits = doc.header.get("$INSUNITS", 0)
    units, scale, units_source, unit_warnings = detect_units(insunits, size, opts["units"])
    scene = Scene(units=units, scale_to_m=scale, units_source=units_source)
    for warning in read_warnings + drawing.warnings + unit_warnings:
        scene.warn(warning)

    names = set(drawing.layer_counts) | {layer.dxf.name for layer in doc.layers}
    categories = {name: opts["layers"].get(name) or classify(name) for name in names}
    progress("geometry", 0.0, None)
    wall_stats = build(scene, drawing, categories, scale, opts, progress)

    scene.report = {
        "dxf_version": doc.dxfversion,
        "units": {"name": units, "scale_to_m": scale, "source": units_source, "insunits": insunits},
        "extent_drawing_units": ([bounds[0].tolist(), bounds[1].tolist()] if bounds else None),
        "layers": {
            name: {"category": categories[name], "entities": drawing.layer_counts.get(name, 0)}
            for name in sorted(names)[:1000]
        },
        "entities": dict(drawing.entity_counts.most_common()),
        "skipped": dict(drawing.skipped.most_common()),
        "walls": wall_stats,
        "labels": len(drawing.labels),
        "rooms": sum(1 for n in scene.nodes if n.category == "room" and n.label),
        "warnings": list(scene.warnings),
    }
    return scene
