"""Scanned PDF benchmark: conversion time and accuracy of the default detector.

    .venv/bin/python benchmarks/pdf_scanned.py [--pages 10] [--json out.json]

Held-out synthetic A3 scans at 150 dpi (seeds the detector never trained on) are
converted through the whole pipeline (``core.pipeline.convert_file``: render,
detect, trace, build, GLB). Printed per page and summarised:

- time: the whole conversion (wall clock, the process's CPU seconds over all its
  threads, the load average: the box may be busy), and the detector's share;
- wall-footprint IoU of the GLB against the truth, in metres: the truth is put
  through the converter's own pixel-to-metre transform (its scale, its deskew),
  so it measures what was found, not whether the scale was known;
- per-class pixel IoU of the detector's classes against the label map, and for
  doors, windows and stairs the share of true boxes found (a predicted box over
  half of a true one) and of the boxes kept for the model (next to a wall; stairs
  of at least 1 m²) that are true.

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

from floorcast_pdf.scanned import keep_boxes, vectorise  # noqa: E402

from core.pipeline import convert_file  # noqa: E402
from core.plugins import Plugins  # noqa: E402
from plugins.pdf.training import scan, synth  # noqa: E402
from plugins.pdf.training.train import HELD_OUT_SEED  # noqa: E402
from tests.dxf_factory import footprint, read_glb  # noqa: E402

#: the benchmark's pages: after the tests' seeds, in the held-out range
FIRST_SEED = HELD_OUT_SEED + 100
BOX_CLASSES = ("door", "window", "stair")


def iou(a, b) -> float:
    union = a.union(b).area
    return a.intersection(b).area / union if union else 0.0


def converted_frame(result: dict, sample: synth.Sample, scale: float | None = None):
    """The true walls in the converter's frame (its scale or ``scale``, its deskew)."""
    page = result["report"]["pages"][0]
    denominator = scale or page["scale"]["denominator"]
    return sample.walls_as_converted(denominator * 0.0254 / page["render"]["dpi"], page["found"]["skew_deg"])


def wall_footprint(glb: Path):
    """The walls of a GLB seen from above, in plan metres."""
    asset, nodes = read_glb(glb)
    walls = [footprint(n, asset["origin"]) for n in nodes if n.extras["floorcast"]["category"] == "wall"]
    return shapely.union_all(walls) if walls else shapely.Polygon()


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
    from floorcast_pdf.detector import CLASSES, load

    formats = Plugins().formats()
    detector = load(["CPUExecutionProvider"])
    inter = np.zeros(len(CLASSES))
    union = np.zeros(len(CLASSES))
    boxes = {k: [0, 0, 0, 0] for k in BOX_CLASSES}  # true, found, predicted, right
    rows = []
    for i in range(pages):
        sample = synth.make_sample(FIRST_SEED + i, page="A3")
        src, out = tmp / f"scan{i}.pdf", tmp / f"scan{i}.glb"
        src.write_bytes(scan.scanned_pdf(sample.image, sample.dpi))
        start, cpu = time.perf_counter(), time.process_time()
        result = convert_file(formats, src, out, options={}, progress=lambda *a: None)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        found = result["report"]["pages"][0]["found"]
        walls = wall_footprint(out)
        row = {
            "seed": FIRST_SEED + i,
            "pixels": list(sample.image.shape[::-1]),
            "scale": f"1:{sample.scale:g}",
            "style": sample.meta["style"],
            "skew_deg": round(sample.skew_deg, 2),
            "seconds": round(seconds, 2),
            "cpu_s": round(cpu, 2),
            "load": round(os.getloadavg()[0], 1),
            "detector_s": found["detector"]["inference_s"],
            "iou": round(iou(walls, converted_frame(result, sample)), 4),
        }
        rows.append(row)
        log(json.dumps(row))
        classes, confidence = detector.segmenter.segment(sample.image)
        for c in range(len(CLASSES)):
            p, t = classes == c, sample.labels == c
            inter[c] += np.logical_and(p, t).sum()
            union[c] += np.logical_or(p, t).sum()
        predicted = detector.interpret(classes, confidence)["boxes"]
        # the boxes that reach the model: next to a wall, stairs big enough
        traced = vectorise.polygons(classes == 1, min_area=0.04 / sample.metres_per_pixel**2, simplify=1.0)
        grouped = {k: [b for b in predicted if b["class"] == k] for k in BOX_CLASSES}
        shapes = {k: [shapely.box(b["x0"], b["y0"], b["x1"], b["y1"]) for b in v] for k, v in grouped.items()}
        kept, _ = keep_boxes(shapes, traced, sample.metres_per_pixel)
        predicted = [
            {"class": k, "x0": g.bounds[0], "y0": g.bounds[1], "x1": g.bounds[2], "y1": g.bounds[3]}
            for k, v in kept.items()
            for g in v
        ]
        for k in BOX_CLASSES:
            pk = [b for b in predicted if b["class"] == k]
            tk = [b for b in sample.boxes if b["class"] == k]
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
            scale = vec["report"]["pages"][0]["scale"]["ratio"]
            with pymupdf.open(src) as doc:
                page = doc[0]
                dpi = min(150.0, (12e6 / (page.rect.width * page.rect.height / 72 / 72)) ** 0.5)
                zoom = pymupdf.Matrix(dpi / 72, dpi / 72)
                pix = page.get_pixmap(matrix=zoom, colorspace=pymupdf.csGRAY, alpha=False)
                image = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.stride)[:, : pix.width]
            scanned = tmp / "scanned.pdf"
            scanned.write_bytes(scan.scanned_pdf(image, dpi))
            start = time.perf_counter()
            res = convert_file(
                formats, scanned, tmp / "scanned.glb", options={"scale": scale}, progress=lambda *a: None
            )
            row.update(
                scale=scale,
                render_dpi=round(dpi),
                pixels=[pix.width, pix.height],
                seconds=round(time.perf_counter() - start, 2),
                walls_found=res["report"]["pages"][0]["found"]["walls"],
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
