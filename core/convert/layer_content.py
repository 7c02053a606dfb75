"""What a layer holds, judged by its content when its name says nothing.

Walls are drawn as pairs of parallel lines a wall's thickness apart; trees,
paths, kerbs, furniture outlines and leader lines mostly are not. A layer whose
linework runs largely in such pairs is a wall layer; a layer of texts only is
annotation. Used when no layer is named like a wall layer, instead of taking all
unnamed linework for walls.
"""

from __future__ import annotations

import numpy as np

from core.convert.geometry import pair_parallel

#: a wall's faces are this far apart (m)
FACES_M = (0.05, 0.6)
#: the share of a layer's line length in such pairs that makes it a wall layer
WALL_SHARE = 0.3
#: less linework than this (m) says nothing
MIN_LENGTH_M = 4.0
#: segments looked at per layer: a sample is as telling as all of them
SAMPLE = 50_000


def judge(segments: np.ndarray, texts: int = 0) -> tuple[str, str]:
    """(category, why) of a layer from its line segments ((N, 2, 2), plan metres)
    and its number of texts: "wall", "annotation" or "other"."""
    segments = np.asarray(segments, dtype=float).reshape(-1, 2, 2)
    length = np.hypot(*(segments[:, 1] - segments[:, 0]).T)
    segments, length = segments[length > 0.05], length[length > 0.05]
    total = float(length.sum())
    if total < MIN_LENGTH_M:
        if texts and not len(segments):
            return "annotation", f"{texts} texts and no linework"
        return "other", f"{total:.1f} m of linework"
    if len(segments) > SAMPLE:
        pick = np.random.default_rng(0).choice(len(segments), SAMPLE, replace=False)
        segments, length = segments[pick], length[pick]
    _, used = pair_parallel(segments, *FACES_M)
    share = float(length[used].sum() / length.sum())
    apart = f"{FACES_M[0] * 100:.0f}-{FACES_M[1] * 100:.0f} cm apart"
    pairs = f"{share:.0%} of its {total:.0f} m of lines run in parallel pairs {apart}"
    return ("wall", pairs) if share >= WALL_SHARE else ("other", f"only {pairs}")
