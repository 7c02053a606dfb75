"""Preview benchmark: how long drawing a plan's PNG top view takes
(``core.convert.preview``), apart from the conversion that made the scene.

    .venv/bin/python benchmarks/preview_render.py [--sizes 20] [--runs 5] [--real ../shared/corpus/real] [--out DIR]

For each size it writes a furniture-heavy venue plan (``benchmarks/dxf_plans.py``),
converts it once with the DXF converter, then renders the preview ``--runs``
times and prints the median and the slowest, with the triangles and block copies
the scene holds. ``--real`` adds every DXF and PDF of a folder that converts.
``--out`` keeps the PNGs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.dxf_plans import write_plan  # noqa: E402
from core.convert.formats import SNIFF_BYTES, choose_format  # noqa: E402
from core.convert.preview import render_preview  # noqa: E402
from core.plugins.manager import Plugins  # noqa: E402


def measure(name: str, path: Path, formats, runs: int, out: Path | None) -> None:
    with open(path, "rb") as fh:
        spec = choose_format(formats, fh.read(SNIFF_BYTES), path.name, None)
    started = time.perf_counter()
    try:
        scene = spec.convert(path, {}, lambda *a: None)
    except Exception as exc:  # a drawing that does not convert has no preview to time
        print(f"{name}: does not convert ({type(exc).__name__})")
        return
    converted = time.perf_counter() - started
    nodes = scene.geometry_nodes()
    if not nodes:
        print(f"{name}: no geometry")
        return
    triangles = sum(n.mesh.triangle_count * n.instance_count for n in nodes)
    copies = sum(n.instance_count for n in nodes if n.instances is not None)
    seconds = []
    for _ in range(runs):
        image, stats = render_preview(scene)
        seconds.append(stats.seconds)
    if out is not None:
        image.save(out / f"{path.stem}.png")
    print(
        f"{name}: conversion {converted:.2f} s, {triangles:,} triangles, {copies:,} block copies; "
        f"preview {stats.width}x{stats.height}, {stats.labels} labels: "
        f"median {statistics.median(seconds):.3f} s, slowest {max(seconds):.3f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20", help="generated plan sizes in MB, comma-separated (empty: none)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--real", type=Path, help="also every DXF and PDF in this folder")
    parser.add_argument("--out", type=Path, help="keep the PNGs here")
    args = parser.parse_args()
    formats = Plugins().formats()
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for mb in (float(v) for v in args.sizes.split(",") if v):
            path = Path(tmp) / f"venue-{mb:g}mb.dxf"
            write_plan(path, mb=mb)
            measure(f"{mb:g} MB venue", path, formats, args.runs, args.out)
    if args.real:
        for path in sorted([*args.real.glob("*.dxf"), *args.real.glob("*.pdf")]):
            measure(path.name, path, formats, args.runs, args.out)


if __name__ == "__main__":
    main()
