"""How faithfully a GLB shows a real drawing, measured against a hand-made
annotation (``tests/annotations/real/<drawing>.json``) and the drawing itself.

- wall recall: the annotated wall linework inside the annotated building box,
  sampled every 5 cm; the share of samples within 5 cm of the model's wall
  footprint (wall nodes seen from above);
- wall precision: the share of the model's wall footprint area within 15 cm of
  the wall linework or between a wall's two face lines (parallel lines at most
  ``walls.max_thickness_m`` apart, 0.6 m unless the annotation says), the
  linework taken within 0.5 m of the building (a sheet frame drawn in the wall
  pen is no wall);
- extent ratio: the model's extent (every node) over the building box, per
  axis; the axis further from 1 is reported;
- rooms found: annotated rooms matched one-to-one to room nodes whose footprint
  holds the room's annotated point (within 5 cm), a maximum matching: one model
  room covering two annotated rooms finds one of them;
- rooms named: found rooms whose matched model room's label holds the room's
  annotated name; names found: the distinct annotated names held by some model
  room's label. Names and labels are compared case-folded with runs of
  whitespace as one space, a name matching any part of a label.

The building is ``building.box_m`` or, for a sheet with several plans (one per
storey), the union of ``building.parts_m``; the extent is the whole box's.

Plan metres are the annotation's frame (``tests/drawing_lines.py``); a model is
read back in the same frame: ``asset.extras.floorcast.origin`` + glTF x / -z.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import MultiLineString, Point, box

from tests.drawing_lines import wall_lines
from tests.dxf_factory import footprint, of, read_glb, walls_of

ANNOTATIONS = Path(__file__).resolve().parent / "annotations" / "real"
STEP_M = 0.05  # recall samples along the linework
NEAR_M = 0.05  # a sample is recalled this close to the model's walls
SLACK_M = 0.15  # model wall within this of a line is precise
MAX_THICKNESS_M = 0.6  # face lines further apart than this are two walls
REACH_M = 0.5  # wall linework this far outside the building still counts for precision
PARALLEL = np.sin(np.radians(3.0))


@dataclass
class Fidelity:
    extent_ratio: float | None
    wall_recall: float
    wall_precision: float
    rooms_counted: int
    rooms_found: int
    rooms_named: int
    rooms_with_names: int
    names_annotated: int
    names_found: int

    def as_dict(self) -> dict:
        return asdict(self)


def annotations() -> list[Path]:
    """Every annotation file, sorted by drawing name."""
    return sorted(ANNOTATIONS.glob("*.json"))


def load(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def normalised(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def _holds(label: str, name: str) -> bool:
    return normalised(name) in normalised(label)


# -- walls --------------------------------------------------------------------------


def building_region(annotation: dict):
    """The annotated building as a polygon: its box, or the union of its parts."""
    building = annotation["building"]
    return shapely.union_all([box(*b) for b in building.get("parts_m", [building["box_m"]])])


def clipped(lines, region) -> np.ndarray:
    """The LineString pieces of ``lines`` inside ``region``."""
    if not lines:
        return np.empty(0, dtype=object)
    inside = shapely.get_parts(shapely.intersection(MultiLineString(list(lines)), region))
    return inside[shapely.get_type_id(inside) == 1]  # touching points dropped


def _samples(lines, region) -> np.ndarray:
    """Points every STEP_M along the parts of ``lines`` inside ``region``."""
    inside = clipped(lines, region)
    if not len(inside):
        return np.empty(0, dtype=object)
    lengths = shapely.length(inside)
    counts = np.maximum(np.ceil(lengths / STEP_M).astype(int), 1) + 1
    which = np.repeat(np.arange(len(inside)), counts)
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    along = (np.arange(counts.sum()) - starts) / (counts[which] - 1) * lengths[which]
    return shapely.line_interpolate_point(inside[which], along)


def wall_recall(lines, building, walls) -> float:
    """Share of the wall linework inside ``building`` (a polygon) that the model's
    ``walls`` come within NEAR_M of."""
    samples = _samples(lines, building.buffer(NEAR_M))
    if not len(samples) or walls.is_empty:
        return 0.0
    shapely.prepare(walls)
    return float(np.mean(shapely.dwithin(walls, samples, NEAR_M)))


def _segments(pieces) -> np.ndarray:
    coords = [np.asarray(piece.coords)[:, :2] for piece in pieces]
    segs = np.concatenate([np.stack([c[:-1], c[1:]], axis=1) for c in coords if len(c) > 1])
    return segs[np.linalg.norm(segs[:, 1] - segs[:, 0], axis=1) >= STEP_M]


def face_bands(pieces, max_thickness: float = MAX_THICKNESS_M) -> list:
    """Quadrilaterals between parallel wall lines (LineStrings) at most
    ``max_thickness`` apart, over the length both run side by side: the core of a
    thick wall."""
    segs = _segments(pieces)
    if not len(segs):
        return []
    tree_geoms = shapely.linestrings(segs)
    i, j = shapely.STRtree(tree_geoms).query(tree_geoms, predicate="dwithin", distance=max_thickness)
    keep = i < j
    i, j = i[keep], j[keep]
    a, d = segs[i, 0], segs[i, 1] - segs[i, 0]
    length = np.linalg.norm(d, axis=1)
    u = d / length[:, None]
    v = segs[j, 1] - segs[j, 0]
    v = v / np.linalg.norm(v, axis=1)[:, None]
    parallel = np.abs(u[:, 0] * v[:, 1] - u[:, 1] * v[:, 0]) < PARALLEL
    rel0, rel1 = segs[j, 0] - a, segs[j, 1] - a
    offset = u[:, 0] * ((rel0 + rel1) / 2)[:, 1] - u[:, 1] * ((rel0 + rel1) / 2)[:, 0]  # signed, left of i
    t0, t1 = np.einsum("ij,ij->i", rel0, u), np.einsum("ij,ij->i", rel1, u)
    lo = np.maximum(np.minimum(t0, t1), 0.0)
    hi = np.minimum(np.maximum(t0, t1), length)
    ok = parallel & (np.abs(offset) >= 0.01) & (np.abs(offset) <= max_thickness) & (hi - lo >= STEP_M)
    normal = np.column_stack([-u[:, 1], u[:, 0]])
    p0, p1 = a + u * lo[:, None], a + u * hi[:, None]
    shift = normal * offset[:, None]
    quads = np.stack([p0, p1, p1 + shift, p0 + shift], axis=1)[ok]
    return list(shapely.polygons(quads))


def wall_precision(lines, building, walls, max_thickness: float = MAX_THICKNESS_M) -> float:
    """Share of the model's wall footprint within SLACK_M of the wall linework
    near ``building`` or between two of its face lines."""
    if walls.is_empty or walls.area == 0:
        return 0.0
    pieces = clipped(lines, building.buffer(REACH_M))
    if not len(pieces):
        return 0.0
    near = shapely.buffer(shapely.multilinestrings(pieces), SLACK_M)
    allowed = shapely.union_all([near, *face_bands(pieces, max_thickness)])
    return float(walls.intersection(allowed).area / walls.area)


# -- extent and rooms ---------------------------------------------------------------


def model_bounds(asset: dict, nodes) -> tuple[float, float, float, float] | None:
    """The plan-metre bounds of every node's triangles."""
    parts = [n.positions[:, [0, 2]] for n in nodes if len(n.positions)]
    if not parts:
        return None
    p = np.concatenate(parts)
    x, y = p[:, 0] + asset["origin"][0], -p[:, 1] + asset["origin"][1]
    return float(x.min()), float(y.min()), float(x.max()), float(y.max())


def extent_factor(ratio: float | None) -> float:
    """How many times too big or too small an extent ratio is (1: right)."""
    if ratio is None or ratio <= 0:
        return float("inf")
    return max(ratio, 1 / ratio)


def extent_ratio(bounds, building_box) -> float | None:
    """Model size over building size on the axis where they differ most."""
    if bounds is None:
        return None
    ratios = [(bounds[2] - bounds[0]) / (building_box[2] - building_box[0])]
    ratios.append((bounds[3] - bounds[1]) / (building_box[3] - building_box[1]))
    return float(max(ratios, key=extent_factor))


def model_rooms(asset: dict, nodes) -> list[tuple[str, object]]:
    """(label, footprint) of every room node."""
    return [
        (n.extras["floorcast"].get("label") or n.name or "", footprint(n, asset["origin"])) for n in of(nodes, "room")
    ]


def match_rooms(points, rooms) -> dict[int, int]:
    """A maximum one-to-one matching annotated point index -> model room index,
    a pair allowed when the room's footprint holds the point (Kuhn's augmenting
    paths; a few hundred rooms at most)."""
    holds = [[k for k, (_, shape) in enumerate(rooms) if shape.distance(Point(p)) <= NEAR_M] for p in points]
    owner: dict[int, int] = {}

    def augment(i: int, seen: set) -> bool:
        for k in holds[i]:
            if k not in seen:
                seen.add(k)
                if k not in owner or augment(owner[k], seen):
                    owner[k] = i
                    return True
        return False

    for i in range(len(points)):
        augment(i, set())
    return {i: k for k, i in owner.items()}


# -- all of it ----------------------------------------------------------------------


def measure(annotation: dict, source: Path, glb: Path) -> Fidelity:
    """The fidelity of the model ``glb`` converted from the drawing ``source``."""
    asset, nodes = read_glb(glb)
    lines = wall_lines(annotation, source)
    building_box = annotation["building"]["box_m"]
    building = building_region(annotation)
    walls = walls_of(asset, nodes)
    max_thickness = annotation["walls"].get("max_thickness_m", MAX_THICKNESS_M)

    rooms = annotation["rooms"]
    found = model_rooms(asset, nodes)
    matched = match_rooms([r["at"] for r in rooms], found)
    named = [i for i, k in matched.items() if rooms[i].get("name") and _holds(found[k][0], rooms[i]["name"])]
    names = {normalised(r["name"]) for r in rooms if r.get("name")}
    labels = [normalised(label) for label, _ in found]
    return Fidelity(
        extent_ratio=extent_ratio(model_bounds(asset, nodes), building_box),
        wall_recall=wall_recall(lines, building, walls),
        wall_precision=wall_precision(lines, building, walls, max_thickness),
        rooms_counted=len(rooms),
        rooms_found=len(matched),
        rooms_named=len(named),
        rooms_with_names=sum(1 for r in rooms if r.get("name")),
        names_annotated=len(names),
        names_found=sum(1 for name in names if any(name in label for label in labels)),
    )


def short_of(fidelity: Fidelity, floors: dict) -> list[str]:
    """The floors ``fidelity`` falls below, as readable lines (empty: all held).
    ``extent_factor_max`` bounds :func:`extent_factor`; the others are minimums."""
    misses = []
    limit = floors.get("extent_factor_max", float("inf"))
    if extent_factor(fidelity.extent_ratio) > limit:
        misses.append(f"extent ratio {fidelity.extent_ratio} is off by more than x{limit}")
    for key in ("wall_recall", "wall_precision", "rooms_found", "rooms_named", "names_found"):
        if key in floors and getattr(fidelity, key) < floors[key]:
            misses.append(f"{key} {getattr(fidelity, key)} below {floors[key]}")
    return misses
