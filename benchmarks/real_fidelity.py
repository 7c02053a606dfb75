"""Real-drawing fidelity benchmark: every hand-annotated drawing of the shared
corpus (``tests/annotations/real``) converted through the real pipeline, one fresh
process each, and measured against its annotation (``tests/fidelity.py``).

    .venv/bin/python benchmarks/real_fidelity.py [--corpus ../shared/corpus/real] [--only NAME]
        [--timeout 900] [--json out.json]

Prints per drawing: seconds and peak memory of the converting process, the
extent ratio to the annotated building, wall recall and precision, rooms found
(and named) of those a person counts, and names found of those annotated.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fidelity import annotations, load, measure  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "real"


def child(source: Path, out: Path) -> None:
    """Convert ``source`` in this process with the installed formats; print seconds,
    peak RSS and the error code if it failed, as one JSON line."""
    from core.convert.pipeline import convert_file
    from core.errors import ConversionError
    from core.plugins.manager import Plugins

    formats = Plugins().formats()
    start = time.perf_counter()
    row = {}
    try:
        convert_file(formats, source, out, options={}, progress=lambda *a: None, filename=source.name)
    except ConversionError as exc:
        row["error"] = exc.code
    row["seconds"] = time.perf_counter() - start
    row["peak_mb"] = peak_rss_mib()
    print(json.dumps(row))


def peak_rss_mib() -> float:
    """This process's peak resident memory. Linux's VmHWM, because ru_maxrss keeps
    the parent's peak across fork and exec."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def convert(source: Path, out: Path, timeout: float) -> dict:
    try:
        proc = subprocess.run(
            [sys.executable, __file__, "--child", str(source), str(out)],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=ROOT,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"over {timeout:.0f} s", "seconds": timeout}
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode or not lines:
        return {"error": f"exit {proc.returncode}: {proc.stderr.strip().splitlines()[-1:] or ''}"}
    return json.loads(lines[-1])


def run(corpus: Path, only: str | None, timeout: float) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for path in annotations():
            annotation = load(path)
            if only and only not in annotation["file"]:
                continue
            source = corpus / annotation["file"]
            out = Path(tmp) / (source.stem + ".glb")
            row = {"drawing": annotation["file"], "mb": round(source.stat().st_size / 2**20, 2)}
            row.update(convert(source, out, timeout))
            if "error" not in row:
                row.update(measure(annotation, source, out).as_dict())
            rows.append(row)
            print(table_line(row), flush=True)
    return rows


HEADER = (
    f"{'drawing':58} {'MB':>5} {'s':>7} {'peak MB':>8} {'extent':>8} {'recall':>6} {'prec.':>6}"
    f" {'rooms found':>11} {'named':>5} {'names found':>11}"
)


def table_line(row: dict) -> str:
    head = f"{row['drawing'][:58]:58} {row['mb']:5.2f} {row.get('seconds', 0):7.2f} {row.get('peak_mb', 0):8.0f}"
    if "error" in row:
        return f"{head}  fails: {row['error']}"
    extent = f"{row['extent_ratio']:.3g}" if row["extent_ratio"] is not None else "-"
    rooms = f"{row['rooms_found']}/{row['rooms_counted']}"
    names = f"{row['names_found']}/{row['names_annotated']}"
    return (
        f"{head} {extent:>8} {row['wall_recall']:6.3f} {row['wall_precision']:6.3f}"
        f" {rooms:>11} {row['rooms_named']:>5} {names:>11}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="folder of the real drawings")
    parser.add_argument("--only", help="only drawings whose file name holds this")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per conversion")
    parser.add_argument("--json", type=Path, help="also write the rows here")
    parser.add_argument("--child", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    if not args.corpus.is_dir():
        sys.exit(f"no corpus at {args.corpus}")
    print(f"load average {os.getloadavg()[0]:.1f}")
    print(HEADER, flush=True)
    rows = run(args.corpus, args.only, args.timeout)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
