"""The neutral scene model that format plugins return and core turns into GLB.

Coordinates are PLAN coordinates in METRES with Z up: ``x`` = plan X, ``y`` = plan
Y, ``z`` = height above the level's floor. Plugins convert source units before
building meshes (``Scene.scale_to_m`` records the factor they used); only
:mod:`core.gltf.glb` knows about glTF's +Y-up axes, so every format gets the same output.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

CATEGORIES = (
    "wall",
    "door",
    "window",
    "floor",
    "room",
    "stair",
    "elevator",
    "column",
    "furniture",
    "annotation",
    "other",
)

ALPHA_MODES = ("OPAQUE", "BLEND", "MASK")


@dataclass
class Material:
    """A PBR metallic-roughness material; ``color`` is linear RGBA in 0..1.

    ``alpha_mode`` None means: BLEND when the colour's alpha is below 1, else OPAQUE.
    """

    name: str
    color: tuple[float, float, float, float] = (0.8, 0.8, 0.8, 1.0)
    roughness: float = 0.9
    metallic: float = 0.0
    alpha_mode: str | None = None

    def __post_init__(self) -> None:
        color = tuple(float(c) for c in self.color)
        if len(color) == 3:
            color = (*color, 1.0)
        if len(color) != 4 or not all(0.0 <= c <= 1.0 for c in color):
            raise ValueError(f"material {self.name!r}: color must be 3 or 4 floats in 0..1")
        self.color = color  # type: ignore[assignment]
        if self.alpha_mode is not None and self.alpha_mode not in ALPHA_MODES:
            raise ValueError(f"material {self.name!r}: alpha_mode must be one of {ALPHA_MODES}")

    @property
    def effective_alpha_mode(self) -> str:
        if self.alpha_mode:
            return self.alpha_mode
        return "BLEND" if self.color[3] < 1.0 else "OPAQUE"


@dataclass
class Mesh:
    """Triangles: ``positions`` float64 (N, 3) in plan metres, ``indices`` uint32 (M, 3).

    Triangles wind counter-clockwise seen from outside (outward normals).
    """

    positions: np.ndarray
    indices: np.ndarray

    def __post_init__(self) -> None:
        self.positions = np.ascontiguousarray(self.positions, dtype=np.float64).reshape(-1, 3)
        self.indices = np.ascontiguousarray(self.indices, dtype=np.uint32).reshape(-1, 3)
        if len(self.indices) and int(self.indices.max()) >= len(self.positions):
            raise ValueError("mesh index out of range")
        if not np.isfinite(self.positions).all():
            raise ValueError("mesh positions must be finite")

    @classmethod
    def empty(cls) -> Mesh:
        return cls(np.zeros((0, 3)), np.zeros((0, 3), dtype=np.uint32))

    # Builders from shapely geometry. They live on Mesh so that plugins, which may
    # import only core.plugin_api, reach core.convert.geometry through a public name.

    @staticmethod
    def extrude(geom, bottom: float, top: float) -> Mesh:
        """Closed prisms of the polygons in a shapely ``geom`` (plan metres)."""
        from core.convert import geometry

        return geometry.extrude(geom, bottom, top)

    @staticmethod
    def merge(meshes) -> Mesh:
        """One mesh from many (indices offset)."""
        from core.convert import geometry

        return geometry.merge_meshes(meshes)

    @staticmethod
    def wall_footprint(lines, *, default_thickness: float, max_thickness: float = 0.6, min_thickness: float = 0.03):
        """(shapely footprint, stats) of walls drawn as centre lines and/or double
        lines; see :func:`core.convert.geometry.walls_from_linework`. Extrude the result."""
        from core.convert import geometry

        return geometry.walls_from_linework(
            lines,
            default_thickness=default_thickness,
            max_thickness=max_thickness,
            min_thickness=min_thickness,
        )

    @property
    def triangle_count(self) -> int:
        return len(self.indices)

    @property
    def is_empty(self) -> bool:
        return len(self.indices) == 0

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """(min xyz, max xyz) of the vertices the triangles use."""
        used = self.positions[self.used_vertices()]
        return used.min(axis=0), used.max(axis=0)

    def used_vertices(self) -> np.ndarray:
        """Mask of the vertices some triangle uses."""
        mask = np.zeros(len(self.positions), dtype=bool)
        mask[self.indices.ravel()] = True
        return mask


def plan_transforms(
    x,
    y,
    rotation_deg=0.0,
    sx=1.0,
    sy=1.0,
    sz=1.0,
    z=0.0,
) -> np.ndarray:
    """Instance matrices (N, 4, 4) for placements on the plan: scale (negative =
    mirrored), then rotate about Z by ``rotation_deg`` counter-clockwise, then move
    to (x, y, z). Arguments broadcast (arrays of N or scalars); this is a DXF
    INSERT's transform once its block's base point is subtracted from the mesh."""
    x, y, rot, sx, sy, sz, z = np.broadcast_arrays(
        *(np.asarray(v, dtype=np.float64) for v in (x, y, rotation_deg, sx, sy, sz, z))
    )
    n = x.size
    c, s = np.cos(np.radians(rot.ravel())), np.sin(np.radians(rot.ravel()))
    m = np.zeros((n, 4, 4))
    m[:, 0, 0], m[:, 0, 1] = c * sx.ravel(), -s * sy.ravel()
    m[:, 1, 0], m[:, 1, 1] = s * sx.ravel(), c * sy.ravel()
    m[:, 2, 2] = sz.ravel()
    m[:, 0, 3], m[:, 1, 3], m[:, 2, 3] = x.ravel(), y.ravel(), z.ravel()
    m[:, 3, 3] = 1.0
    return m


def transform_mesh(mesh: Mesh, matrix: np.ndarray) -> Mesh:
    """``mesh`` moved by one 4x4 affine ``matrix``; a mirroring matrix (negative
    determinant) also reverses the winding so the faces keep pointing outward."""
    matrix = np.asarray(matrix, dtype=np.float64)
    positions = mesh.positions @ matrix[:3, :3].T + matrix[:3, 3]
    indices = mesh.indices[:, ::-1] if np.linalg.det(matrix[:3, :3]) < 0 else mesh.indices
    return Mesh(positions, indices)


@dataclass
class Node:
    """One named thing in the plan: a wall set, a room, a door...

    ``material`` names a :class:`Material` of the scene; None uses the category's
    default. ``properties`` is free-form JSON-able data copied to the GLB extras.

    ``instances`` makes the node a repeated thing (a block placed many times:
    chairs, desks, doors): float64 (N, 4, 4) affine matrices, each drawing ``mesh``
    once, in plan metres with Z up like everything else in the scene (before the
    writer's move to glTF axes and origin; the level's elevation is added on top).
    The mesh is then in the block's own coordinates (metres, base point at 0).
    Matrices may rotate, scale non-uniformly and mirror (negative determinant:
    the writer reverses the winding of those copies so their faces still point
    outward); the last row must be ``0 0 0 1``. A matrix that shears (a
    non-uniformly scaled block nested in a rotated one) is baked into plain
    triangles by the writer, since glTF instances are translation, rotation and
    scale only. :func:`plan_transforms` (also ``Node.plan_transforms``, for
    plugins) builds the common 2D case. None = the mesh is drawn once, as is.
    """

    name: str
    category: str
    layer: str = ""
    mesh: Mesh | None = None
    material: str | None = None
    properties: dict = field(default_factory=dict)
    level: int = 0
    label: str | None = None
    instances: np.ndarray | None = None
    # (mesh, instances, bounds): bounds are asked for again and again (extent, tiles)
    _bounds: tuple | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.category not in CATEGORIES:
            raise ValueError(f"node {self.name!r}: category {self.category!r} is not one of {CATEGORIES}")
        if self.instances is not None:
            m = np.ascontiguousarray(self.instances, dtype=np.float64)
            if m.shape == (4, 4):
                m = m[None]
            if m.ndim != 3 or m.shape[1:] != (4, 4):
                raise ValueError(f"node {self.name!r}: instances must be (N, 4, 4) matrices")
            if not np.isfinite(m).all():
                raise ValueError(f"node {self.name!r}: instance matrices must be finite")
            if len(m) and not np.allclose(m[:, 3], [0.0, 0.0, 0.0, 1.0]):
                raise ValueError(f"node {self.name!r}: instance matrices must be affine (last row 0 0 0 1)")
            if len(m) and (np.abs(np.linalg.det(m[:, :3, :3])) < 1e-12).any():
                raise ValueError(f"node {self.name!r}: an instance matrix is singular (zero scale)")
            self.instances = m

    @property
    def has_geometry(self) -> bool:
        if self.instances is not None and not len(self.instances):
            return False
        return self.mesh is not None and not self.mesh.is_empty

    plan_transforms = staticmethod(plan_transforms)

    @property
    def instance_count(self) -> int:
        """How many times the mesh is drawn (1 for a plain node)."""
        return 1 if self.instances is None else len(self.instances)

    def flattened(self) -> Mesh | None:
        """The mesh with every instance baked in: plain triangles in plan metres."""
        if self.instances is None or self.mesh is None:
            return self.mesh
        from core.convert.geometry import merge_meshes

        return merge_meshes(transform_mesh(self.mesh, m) for m in self.instances)

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """(min xyz, max xyz) in plan metres of what the node draws (every instance);
        worked out once for the node's mesh and instances."""
        cached = self._bounds
        if cached is not None and cached[0] is self.mesh and cached[1] is self.instances:
            return cached[2]
        result = self._measure()
        self._bounds = (self.mesh, self.instances, result)
        return result

    def _measure(self) -> tuple[np.ndarray, np.ndarray]:
        if self.instances is None:
            return self.mesh.bounds()  # type: ignore[union-attr]
        pts = self.mesh.positions[self.mesh.used_vertices()]  # type: ignore[union-attr]
        lo, hi = np.full(3, np.inf), np.full(3, -np.inf)
        # exact (rotated copies of a box are not boxes); chunked to bound memory
        step = max(1, 2_000_000 // max(len(pts), 1))
        for start in range(0, len(self.instances), step):
            m = self.instances[start : start + step]
            for axis in range(3):  # one coordinate of every copy's vertices at a time
                moved = m[:, axis, 3, None] + sum(m[:, axis, j, None] * pts[None, :, j] for j in range(3))
                lo[axis], hi[axis] = min(lo[axis], moved.min()), max(hi[axis], moved.max())
        return lo, hi


@dataclass
class Scene:
    """What a format converter returns.

    ``units`` is the source unit name ("mm", "m", ...), ``scale_to_m`` the factor
    from source units to metres, ``units_source`` how the units were found
    ("$INSUNITS", "option", "guess", ...). ``scale`` describes a drawing scale when
    the source is a sheet drawn to one (PDF: ``{"ratio": "1:100", "source":
    "sheet", ...}``), None otherwise. ``elevations`` maps level -> floor
    elevation in metres (missing levels are at 0). ``report`` is the plugin's
    preflight summary (layers, entity counts...), stored with the job.
    """

    nodes: list[Node] = field(default_factory=list)
    materials: list[Material] = field(default_factory=list)
    units: str = "m"
    scale_to_m: float = 1.0
    units_source: str = "default"
    scale: dict | None = None
    elevations: dict[int, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    report: dict = field(default_factory=dict)

    def add(self, node: Node) -> Node:
        self.nodes.append(node)
        return node

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def material(self, name: str) -> Material | None:
        return next((m for m in self.materials if m.name == name), None)

    def elevation(self, level: int) -> float:
        return float(self.elevations.get(level, 0.0))

    def geometry_nodes(self) -> list[Node]:
        return [n for n in self.nodes if n.has_geometry]

    def extent(self) -> tuple[np.ndarray, np.ndarray] | None:
        """(min xyz, max xyz) in plan metres over all geometry (elevations included)."""
        lows, highs = [], []
        for node in self.geometry_nodes():
            lo, hi = node.bounds()
            shift = np.array([0.0, 0.0, self.elevation(node.level)])
            lows.append(lo + shift)
            highs.append(hi + shift)
        if not lows:
            return None
        return np.min(lows, axis=0), np.max(highs, axis=0)
