"""PDF conversion benchmark: a venue-sized vector plan on an A3 sheet (see
``pdf_plan.py``), converted in process; prints the time of each step and the
whole, median over the runs, and the same file through ``floorcast convert`` (a
fresh process, as a job's converter child starts).

    .venv/bin/python benchmarks/pdf_convert.py [--runs 5] [--rows 8 --cols 12] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.pdf_plan import venue_plan  # noqa: E402
from core.convert.pipeline import convert_file  # noqa: E402
from core.plugins.manager import Plugins  # noqa: E402


def timed_formats():
    """The installed formats, the PDF converter wrapped to time it apart from the
    pipeline around it (sniff, hashing, GLB writing)."""
    formats = Plugins().formats()
    spent = {}
    out = []
    for spec in formats:
        if spec.name == "pdf":
            inner = spec.convert

            def convert(source, options, progress, inner=inner):
                start = time.perf_counter()
                try:
                    return inner(source, options, progress)
                finally:
                    spent["converter"] = time.perf_counter() - start

            spec = type(spec)(**{**spec.__dict__, "convert": convert})
        out.append(spec)
    return out, spent


def run_once(src: Path, out: Path, formats, spent) -> dict:
    start, cpu = time.perf_counter(), time.process_time()
    result = convert_file(formats, src, out, options={}, progress=lambda *a: None)
    total, cpu = time.perf_counter() - start, time.process_time() - cpu
    page = result.report["pages"][0]
    steps = {"open": result.report["seconds"]["open"]}
    steps.update(page["seconds"])
    vector = page["found"].get("seconds", {})
    steps.update({f"vector.{k}": v for k, v in vector.items()})
    steps.pop("vector", None)
    steps["pipeline (sniff, sha256, GLB write)"] = total - spent["converter"]
    steps["total"] = total
    steps["total, CPU time (steadier on a busy box)"] = cpu
    return {"steps": steps, "result": result}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--rows", type=int, default=8)
    ap.add_argument("--cols", type=int, default=12)
    ap.add_argument("--json", help="write the numbers here too")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "venue.pdf", Path(tmp) / "venue.glb"
        plan = venue_plan(src, rows=args.rows, cols=args.cols)
        size = src.stat().st_size
        formats, spent = timed_formats()
        runs = [run_once(src, out, formats, spent) for _ in range(args.runs + 1)][1:]  # first run warms up
        last = runs[-1]["result"]
        cli = []
        for _ in range(3):
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "core.cli.entry", "convert", str(src), "-o", str(out)],
                check=True,
                cwd=ROOT,
                capture_output=True,
            )
            cli.append(time.perf_counter() - start)

    steps = {name: statistics.median(r["steps"][name] for r in runs) for name in runs[0]["steps"]}
    print(f"venue plan: A3 at 1:200, {args.rows} x {args.cols} rooms, {plan['paths']} drawing paths, {size} bytes")
    print(
        f"found: {last.stats['counts']}, scale {last.scale['ratio']} ({last.scale['source']}),"
        f" GLB {last.glb_size} bytes, {last.stats['triangles']} triangles"
    )
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"median of {args.runs} runs (after one warm-up), seconds (load average {load}):")
    for name, seconds in steps.items():
        print(f"  {name:<40} {seconds:8.3f}")
    print(f"floorcast convert, fresh process (median of 3): {statistics.median(cli):.2f} s")
    if args.json:
        Path(args.json).write_text(json.dumps({"steps": steps, "cli_seconds": cli, "plan": plan["paths"]}, indent=2))


if __name__ == "__main__":
    main()
