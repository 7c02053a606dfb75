"""DXF conversion benchmark: load vs conversion time, stages, GLB size, peak memory.

    .venv/bin/python benchmarks/dxf_convert.py [--sizes 20,200,500] [--runs 3] [--dir DIR]

For each size it generates a furniture-heavy plan (``benchmarks/dxf_plans.py``)
into a temporary folder (or ``--dir``, where plans are kept and reused), then,
each in a fresh process whose whole process tree is sampled for memory (RSS,
every 20 ms, with psutil):

- ``ezdxf.readfile``: only loading the document, the baseline;
- the conversion (``core.convert.pipeline.convert_file``, what ``floorcast convert`` and a
  job's child run), timed per stage from its progress reports: parse, geometry,
  write (sniffing and hashing the file are in ``total``);
- ``floorcast convert`` end to end (Python start and plugin loading included).

Wall-clock and CPU seconds (``time.process_time`` of the timed call) are both
printed: on a box shared with other work the CPU time is the steadier figure. Prints one line per
measurement and a summary table; ``--json`` writes them all.
Loading is skipped above ``--load-max-mb`` (default 250: ezdxf needs tens of
bytes of memory per byte of DXF).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LOAD = (
    "import sys, time, ezdxf; t, c = time.perf_counter(), time.process_time(); ezdxf.readfile(sys.argv[1]);"
    " print(time.perf_counter() - t, time.process_time() - c)"
)


def tree_rss(proc: psutil.Process) -> int:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def run_measured(cmd: list[str], timeout: float = 7200) -> tuple[subprocess.CompletedProcess, float, int, float]:
    """(completed process, wall seconds, peak RSS of its process tree in bytes, CPU
    seconds of the tree): CPU time holds still when other work shares the box."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    popen = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    proc = psutil.Process(popen.pid)
    peak = [0]
    done = threading.Event()

    def sample():
        while not done.is_set():
            try:
                peak[0] = max(peak[0], tree_rss(proc))
            except psutil.Error:
                pass
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        out, err = popen.communicate(timeout=timeout)
    finally:
        done.set()
        sampler.join()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return subprocess.CompletedProcess(cmd, popen.returncode, out, err), wall, peak[0], cpu


def child(source: Path, out: Path) -> None:
    """In-process conversion with stage times (run by the benchmark in a fresh process)."""
    from core.config import converter_options, load_settings
    from core.convert.pipeline import convert_file
    from core.plugins.manager import Plugins

    settings = load_settings(None)
    formats = Plugins().formats()
    marks: list[tuple[str, float]] = []
    # the process tree's memory per stage, sampled here: where the peak comes from
    stage_peaks: dict[str, int] = {}
    me, done = psutil.Process(), threading.Event()

    def sample():
        while not done.is_set():
            if marks:
                stage = marks[-1][0]
                stage_peaks[stage] = max(stage_peaks.get(stage, 0), tree_rss(me))
            done.wait(0.02)

    def progress(stage, fraction, message=None):
        if not marks or marks[-1][0] != stage:
            marks.append((stage, time.perf_counter()))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    start, cpu = time.perf_counter(), time.process_time()
    result = convert_file(formats, source, out, options=converter_options(settings, {}), progress=progress)
    end, cpu = time.perf_counter(), time.process_time() - cpu
    done.set()
    sampler.join()
    stages: dict[str, float] = {}
    for (stage, t0), (_, t1) in zip(marks, [*marks[1:], ("end", end)], strict=True):
        stages[stage] = stages.get(stage, 0.0) + t1 - t0
    print(
        json.dumps(
            {
                "total": end - start,
                "cpu": cpu,
                "stages": stages,
                "stage_peak_mib": {k: round(v / 2**20) for k, v in stage_peaks.items()},
                "glb_size": result.glb_size,
                "stats": {k: result.stats[k] for k in ("nodes", "triangles", "instanced_nodes", "extensions")},
                "tiles": len(result.tiles.manifest["tiles"]) if result.tiles else 0,
            }
        )
    )


def measure(mb: float, folder: Path, runs: int, load_max_mb: float, log) -> dict:
    from benchmarks.dxf_plans import write_plan

    plan = folder / f"plan-{mb:g}mb.dxf"
    if not plan.exists():
        t = time.perf_counter()
        info = write_plan(plan, mb=mb)
        log(
            f"generated {plan.name}: {info['bytes'] / 1e6:.1f} MB, {info['rows']}x{info['cols']} rooms,"
            f" {info['entities']} entities in {time.perf_counter() - t:.1f} s"
        )
    size = plan.stat().st_size
    row: dict = {"mb": mb, "dxf_bytes": size}
    python = sys.executable
    if size / 1e6 <= load_max_mb:
        loads = []
        for _ in range(runs):
            proc, wall, peak, cpu = run_measured([python, "-c", LOAD, str(plan)])
            if proc.returncode != 0:
                log(f"ezdxf.readfile failed: {proc.stderr[-500:]}")
                break
            seconds, cpu = (float(v) for v in proc.stdout.strip().splitlines()[-1].split())
            loads.append((seconds, peak, cpu))
            log(f"ezdxf.readfile: {seconds:.2f} s, CPU {cpu:.2f} s, peak {peak / 2**20:.0f} MiB")
        if loads:
            row["load_s"] = statistics.median(v for v, _, _ in loads)
            row["load_cpu_s"] = statistics.median(c for _, _, c in loads)
            row["load_peak_mib"] = max(p for _, p, _ in loads) / 2**20
    converts = []
    out = folder / f"plan-{mb:g}mb.glb"
    for _ in range(runs):
        proc, wall, peak, cpu = run_measured([python, __file__, "--child", str(plan), str(out)])
        if proc.returncode != 0:
            log(f"conversion failed (exit {proc.returncode}): {proc.stderr[-800:]}")
            row["convert_error"] = proc.stderr[-300:]
            break
        data = json.loads(proc.stdout.strip().splitlines()[-1])
        data["peak"] = peak
        converts.append(data)
        stages = ", ".join(f"{k} {v:.2f}" for k, v in data["stages"].items())
        log(
            f"conversion: {data['total']:.2f} s ({stages}), CPU {data['cpu']:.2f} s,"
            f" GLB {data['glb_size'] / 1e6:.2f} MB,"
            f" peak {peak / 2**20:.0f} MiB, {data['stats']}"
        )
        log("peak memory by stage (MiB): " + ", ".join(f"{k} {v}" for k, v in data["stage_peak_mib"].items()))
    if converts:
        best = sorted(converts, key=lambda d: d["total"])[len(converts) // 2]
        row.update(
            convert_s=best["total"],
            convert_cpu_s=best["cpu"],
            stages=best["stages"],
            glb_bytes=best["glb_size"],
            convert_peak_mib=max(d["peak"] for d in converts) / 2**20,
            stats=best["stats"],
            tiles=best["tiles"],
        )
        cli = [str(Path(python).parent / "floorcast"), "convert", str(plan), "-o", str(out)]
        proc, wall, peak, cpu = run_measured(cli)
        row["cli_s"] = wall
        row["cli_peak_mib"] = peak / 2**20
        log(f"floorcast convert: exit {proc.returncode}, {wall:.2f} s, peak {peak / 2**20:.0f} MiB")
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="20", help="plan sizes in MB, comma-separated (default 20)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", type=Path, help="keep (and reuse) plans and GLBs here")
    parser.add_argument("--load-max-mb", type=float, default=250.0)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--child", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return

    def log(message):
        print(message, flush=True)

    log(f"{os.cpu_count()} CPUs, {psutil.virtual_memory().total / 2**30:.0f} GiB, load {os.getloadavg()[0]:.1f}")
    rows = []
    with tempfile.TemporaryDirectory(prefix="floorcast-dxf-bench-") as tmp:
        folder = args.dir or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for mb in (float(v) for v in args.sizes.split(",")):
            rows.append(measure(mb, folder, args.runs if mb <= 50 else 1, args.load_max_mb, log))
    print()
    print(
        "| DXF | ezdxf.readfile (CPU) | conversion (CPU) | ratio (CPU) | parse / geometry / write"
        " | GLB | GLB / DXF | peak memory |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        load, conv = r.get("load_s"), r.get("convert_s")
        st = r.get("stages", {})
        lc, cc = r.get("load_cpu_s"), r.get("convert_cpu_s")
        print(
            f"| {r['dxf_bytes'] / 1e6:.0f} MB | {f'{load:.1f} s ({lc:.1f} s)' if load else '-'} |"
            f" {f'{conv:.1f} s ({cc:.1f} s)' if conv else 'failed'} |"
            f" {f'{conv / load:.2f}x ({cc / lc:.2f}x)' if load and conv else '-'} |"
            f" {st.get('parse', 0):.1f} / {st.get('geometry', 0):.1f} / {st.get('write', 0):.1f} s |"
            f" {r.get('glb_bytes', 0) / 1e6:.2f} MB | {r.get('glb_bytes', 0) / r['dxf_bytes']:.3f} |"
            f" {r.get('convert_peak_mib', 0):.0f} MiB |"
        )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
