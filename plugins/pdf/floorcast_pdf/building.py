"""The building on the page: the page's paths grouped into clusters of ink
(:func:`core.plugin_api.find_clusters`); the plan is the heaviest, with what
lies inside it and the pieces drawn apart on wall layers. Legends, scale bars
drawn apart, title blocks and details beside the plan are left out with a
warning; the sheet's frame around it without one."""

from __future__ import annotations

import numpy as np

from core.plugin_api import classify_layer, find_clusters, select_clusters

#: metres: ink closer than this belongs to one drawing
GAP_M = 2.0
#: layers named like these weigh more: they draw the building
BUILDING = ("wall", "door", "window")


def locate(paths: list, choice="auto") -> tuple[list, list[dict], list[dict], list[str]]:
    """(kept paths, clusters report, dropped, warnings)."""
    items = [(k, sub) for k, p in enumerate(paths) for sub in p.subpaths if len(sub)]
    if not items:
        return paths, [], [], []
    points = np.concatenate([sub for _, sub in items])
    offsets = np.concatenate([[0], np.cumsum([len(sub) for _, sub in items])]).astype(np.int64)
    owner = np.array([k for k, _ in items])

    heavy_layers = {name for name in {p.layer for p in paths if p.layer} if classify_layer(name) in BUILDING}

    def weight(p) -> float:
        heavy = 3.0 if p.layer in heavy_layers else 1.0
        return heavy * (2.0 if (p.fill is not None and p.fill < 0.5) or p.width_m > 0.05 else 1.0)

    path_weight = np.array([weight(p) for p in paths])
    weights = path_weight[owner]
    found = select_clusters(find_clusters(points, offsets, weights, GAP_M), choice, margin=GAP_M)
    keep_path = np.zeros(len(paths), dtype=bool)
    np.logical_or.at(keep_path, owner, found.kept)
    report, dropped = [], []
    for c in found.clusters[:50]:
        box = [[round(float(v), 3) for v in c.lo], [round(float(v), 3) for v in c.hi]]
        members = np.unique(owner[c.items])
        kept = bool(keep_path[members].all())
        layers = sorted({paths[k].layer for k in members.tolist() if paths[k].layer})[:5]
        report.append({"rank": c.rank, "entities": int(len(members)), "box": box, "layers": layers, "kept": kept})
        if not keep_path[members].any():
            main = found.main
            frame = main is not None and bool((c.lo <= main.lo).all() and (c.hi >= main.hi).all())
            dropped.append({"layer": ", ".join(layers[:3]), "count": int(len(members)), "box": box, "frame": frame})
    warnings = []
    told = [d for d in dropped if not d["frame"]]  # the sheet's frame goes without saying
    if told:
        warnings.append(
            f"{sum(d['count'] for d in told)} paths apart from the building were left out"
            f" ({len(told)} drawings: legends, scale bars, details); the option cluster picks another,"
            " cluster=all keeps everything"
        )
    return [p for p, keep in zip(paths, keep_path, strict=True) if keep], report, dropped, warnings
