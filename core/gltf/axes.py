"""Plan -> glTF axes and origin centring: the one place that knows them.

Plans are drawn in X (east) and Y (north) with Z up; glTF is +Y up and looks
down -Z. The map is plan X -> glTF +X, plan Y -> glTF -Z, plan Z (plus the
level's elevation) -> glTF +Y: a proper rotation, so triangle winding (and with
it the outward faces) survives.

Models are moved so the centre of the plan's extent sits at the origin (float32
keeps millimetres for a kilometre-wide campus); the writer records that origin
(plan metres) in the asset extras, and the tiles of one model share it.
"""

from __future__ import annotations

import numpy as np

#: plan (x, y, z) -> glTF (x, z, -y) as a matrix: glTF = PLAN_TO_GLTF @ plan
PLAN_TO_GLTF = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, -1.0, 0.0]])
#: the glTF axes (X, Z) of the plan's ground: where rooms and tiles lie side by side
GROUND = [0, 2]


def centred_origin(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """The plan X/Y (metres) that becomes glTF's origin: the centre of the extent
    ``lo``..``hi``."""
    return np.array([(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2], dtype=np.float64)


def to_gltf(points: np.ndarray, origin=(0.0, 0.0), elevation: float = 0.0) -> np.ndarray:
    """Plan points (N, 3) in metres as glTF positions: moved by ``origin`` (plan
    X/Y) and lifted by the level's ``elevation``."""
    p = points
    return np.column_stack([p[:, 0] - origin[0], p[:, 2] + elevation, -(p[:, 1] - origin[1])])


def linear_to_gltf(linear: np.ndarray) -> np.ndarray:
    """Linear parts (N, 3, 3) of plan transforms (rotation, scale, mirroring) as
    the same transforms in glTF axes."""
    return PLAN_TO_GLTF @ linear @ PLAN_TO_GLTF.T


def box_to_gltf(lo: np.ndarray, hi: np.ndarray, origin) -> tuple[np.ndarray, np.ndarray]:
    """The plan box ``lo``..``hi`` (xyz metres, elevations included) as a glTF
    box (min, max) about ``origin``: plan Y's far side is glTF Z's near one."""
    corners = to_gltf(np.array([lo, hi], dtype=np.float64), origin)
    return corners.min(axis=0), corners.max(axis=0)
