"""Scanned PDF benchmark: conversion time and accuracy of the default detector.

    .venv/bin/python benchmarks/pdf_scanned.py [--pages 10] [--json out.json]

Held-out synthetic A3 scans at 150 dpi (seeds the detector never trained on) are
converted through the whole pipeline (``core.convert.pipeline.convert_file``: render,
detect, trace, build, GLB). Printed per page and summarised:

- time: the whole conversion (wall clock, the process's CPU seconds over all its
  threads, the load average: the box may be busy), and the detector's share;
- wall-footprint IoU of the GLB against the truth, in metres: the truth is put
  through the converter's own pixel-to-metre transform (its scale, its deskew),
  so it measures what was found, not whether the scale was known;
- per-class pixel IoU of the detector's classes against the label map, and for
  doors, windows and stairs the share of true boxes found (a box over half of a
  true one) and of the boxes the converter keeps for the model (next to a wall it
  kept; stairs of at least 1 m²) that are true; its boxes are straightened with
  the page, so the true ones are too.

The detector runs once per page, inside the conversion: its classes and what the
converter traced from them are recorded on the way.

``--real DIR`` also rasterises the vector PDFs of a corpus folder (its
MANIFEST.tsv) into scans and compares what the scanned path finds there with
what the vector path finds in the original (agreement, not truth).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import shapely

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import floorcast_pdf.scanned  # noqa: E402
from floorcast_pdf.detector import PlanDetector  # noqa: E402
from floorcast_pdf.pages import render_gray  # noqa: E402
from floorcast_pdf.scanned import straighten  # noqa: E402

from core.convert.pipeline import convert_file  # noqa: E402
from core.plugins.manager import Plugins  # noqa: E402
from plugins.pdf.training import scan, synth  # noqa: E402
from plugins.pdf.training.train import HELD_OUT_SEED  # noqa: E402
from tests.dxf_factory import iou, read_glb, walls_of  # noqa: E402

#: the benchmark's pages: after the tests' seeds, in the held-out range
FIRST_SEED = HELD_OUT_SEED + 100
BOX_CLASSES = ("door", "window", "stair")


class Recorder:
    """While entered, keeps what the default detector classified on each page
    (``classes``) and what the converter traced from its result (``traced``)."""

    def __enter__(self):
        self.classes, self.traced = [], []
        interpret, trace = PlanDetector.interpret, floorcast_pdf.scanned.trace

        def interpreting(detector, classes, confidence):
            self.classes.append(classes)
            return interpret(detector, classes, confidence)

        def tracing(*args, **kwargs):
            self.traced.append(trace(*args, **kwargs))
            return self.traced[-1]

        self._undo = lambda: (
            setattr(PlanDetector, "interpret", interpret),
            setattr(floorcast_pdf.scanned, "trace", trace),
        )
        PlanDetector.interpret, floorcast_pdf.scanned.trace = interpreting, tracing
        return self

    def __exit__(self, *exc):
        self._undo()


def wall_footprint(glb: Path):
    """The walls of a GLB seen from above, in plan metres."""
    return walls_of(*read_glb(glb))


def _as_dicts(boxes: dict[str, list]) -> list[dict]:
    return [
        {"class": k, "x0": g.bounds[0], "y0": g.bounds[1], "x1": g.bounds[2], "y1": g.bounds[3]}
        for k, v in boxes.items()
        for g in v
    ]


def _box_match(pred: list[dict], truth: list[dict]) -> tuple[int, int]:
    """(true boxes found, predicted boxes that are true): a match covers over half
    of the smaller of the two boxes."""

    def area(b):
        return max(0.0, b["x1"] - b["x0"]) * max(0.0, b["y1"] - b["y0"])

    def cover(a, b):
        w = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])
        h = min(a["y1"], b["y1"]) - max(a["y0"], b["y0"])
        return max(0.0, w) * max(0.0, h) / max(1e-9, min(area(a), area(b)))

    found = sum(1 for t in truth if any(cover(t, p) > 0.5 for p in pred))
    right = sum(1 for p in pred if any(cover(t, p) > 0.5 for t in truth))
    return found, right


def synthetic(pages: int, tmp: Path, log) -> dict:
    from floorcast_pdf.detector import CLASSES

    formats = Plugins().formats()
    inter = np.zeros(len(CLASSES))
    union = np.zeros(len(CLASSES))
    boxes = {k: [0, 0, 0, 0] for k in BOX_CLASSES}  # true, found, predicted, right
    rows = []
    for i in range(pages):
        sample = synth.make_sample(FIRST_SEED + i, page="A3")
        src, out = tmp / f"scan{i}.pdf", tmp / f"scan{i}.glb"
        src.write_bytes(scan.scanned_pdf(sample.image, sample.dpi))
        with Recorder() as seen:
            start, cpu = time.perf_counter(), time.process_time()
            result = convert_file(formats, src, out, options={}, progress=lambda *a: None)
            seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        page = result.report["pages"][0]
        (classes,), (traced,) = seen.classes, seen.traced
        assert classes.shape == sample.labels.shape, "the page was not rendered at the scan's own resolution"
        row = {
            "seed": FIRST_SEED + i,
            "pixels": list(sample.image.shape[::-1]),
            "scale": f"1:{sample.scale:g}",
            "style": sample.meta["style"],
            "skew_deg": round(sample.skew_deg, 2),
            "seconds": round(seconds, 2),
            "cpu_s": round(cpu, 2),
            "load": round(os.getloadavg()[0], 1),
            "detector_s": page["found"]["detector"]["inference_s"],
            "iou": round(iou(wall_footprint(out), sample.walls_as_reported(page)), 4),
        }
        rows.append(row)
        log(json.dumps(row))
        for c in range(len(CLASSES)):
            p, t = classes == c, sample.labels == c
            inter[c] += np.logical_and(p, t).sum()
            union[c] += np.logical_or(p, t).sum()
        # the converter's boxes against the true ones straightened the same way
        truth = {k: [shapely.box(b["x0"], b["y0"], b["x1"], b["y1"]) for b in sample.boxes if b["class"] == k]
                 for k in BOX_CLASSES}  # fmt: skip
        truth = {k: [g.envelope for g in straighten(v, traced.skew_deg, classes.shape)] for k, v in truth.items()}
        for k in BOX_CLASSES:
            pk, tk = _as_dicts({k: traced.boxes[k]}), _as_dicts({k: truth[k]})
            f, r = _box_match(pk, tk)
            boxes[k] = [boxes[k][0] + len(tk), boxes[k][1] + f, boxes[k][2] + len(pk), boxes[k][3] + r]
    times = [r["seconds"] for r in rows]
    return {
        "pages": rows,
        "seconds_median": round(statistics.median(times), 2),
        "seconds_max": round(max(times), 2),
        "cpu_s_median": round(statistics.median(r["cpu_s"] for r in rows), 2),
        "detector_s_median": round(statistics.median(r["detector_s"] for r in rows), 2),
        "iou_mean": round(statistics.mean(r["iou"] for r in rows), 4),
        "iou_min": round(min(r["iou"] for r in rows), 4),
        "pixel_iou": {name: round(float(inter[c] / max(union[c], 1)), 4) for c, name in enumerate(CLASSES)},
        "boxes": {
            k: {
                "true": t,
                "recall": round(f / t, 3) if t else None,
                "predicted": p,
                "precision": round(r / p, 3) if p else None,
            }
            for k, (t, f, p, r) in boxes.items()
        },  # fmt: skip
    }


def real(folder: Path, tmp: Path, log) -> list[dict]:
    """Vector PDFs of the corpus rasterised into scans: scanned path vs vector path."""
    import pymupdf

    from core.errors import ConversionError

    manifest = (folder / "MANIFEST.tsv").read_text().splitlines()
    header = manifest[0].split("\t")
    rows = []
    formats = Plugins().formats()
    for line in manifest[1:]:
        entry = dict(zip(header, line.split("\t"), strict=False))
        if not entry["file"].endswith(".pdf"):
            continue
        src = folder / entry["file"]
        row = {"file": entry["file"], "kind": entry.get("dxf_version_or_pdf_kind", "")}
        try:
            vec = convert_file(formats, src, tmp / "vector.glb", options={}, progress=lambda *a: None)
            scale = vec.report["pages"][0]["scale"]["ratio"]
            with pymupdf.open(src) as doc:
                image, points_per_pixel = render_gray(doc[0], 150.0, 12e6, 1)
            dpi = 72 / points_per_pixel
            scanned = tmp / "scanned.pdf"
            scanned.write_bytes(scan.scanned_pdf(image, dpi))
            start = time.perf_counter()
            res = convert_file(
                formats, scanned, tmp / "scanned.glb", options={"scale": scale}, progress=lambda *a: None
            )
            row.update(
                scale=scale,
                render_dpi=round(dpi),
                pixels=list(image.shape[::-1]),
                seconds=round(time.perf_counter() - start, 2),
                walls_found=res.report["pages"][0]["found"]["walls"],
                agreement_iou=round(iou(wall_footprint(tmp / "scanned.glb"), wall_footprint(tmp / "vector.glb")), 4),
            )
        except ConversionError as exc:
            row["error"] = f"{exc.code}: {exc.message}"[:200]
        rows.append(row)
        log(json.dumps(row))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=10, help="held-out synthetic A3 pages")
    parser.add_argument("--real", type=Path, help="a corpus folder with MANIFEST.tsv (read in place)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    def log(msg):
        print(msg, flush=True)

    with tempfile.TemporaryDirectory(prefix="floorcast-bench-pdf-") as tmp:
        results = {"synthetic": synthetic(args.pages, Path(tmp), log)} if args.pages else {}
        if args.real:
            results["real"] = real(args.real, Path(tmp), log)
    if "synthetic" in results:
        print(json.dumps({k: v for k, v in results["synthetic"].items() if k != "pages"}, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
