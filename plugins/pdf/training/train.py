"""Train the default scanned-plan detector on synthetic pages and export it to ONNX.

    nice .venv/bin/python -m plugins.pdf.training.train \\
        --out plugins/pdf/floorcast_pdf/detector/model.onnx

needs the ``train`` extra (``pip install -e 'plugins/pdf[train]'``: PyTorch, onnx).
Pages come from :mod:`plugins.pdf.training.synth` with seeds ``--seed`` onwards; the
held-out pages used for the model card have seeds from :data:`HELD_OUT_SEED` and
never appear in training. Training is deterministic for a seed on one machine
(PyTorch's CPU kernels may differ in the last bits between machines).

The network is a small U-Net-like segmenter: one class per pixel among
:data:`~plugins.pdf.training.synth.CLASSES` (background, wall, door, window, stair),
stride 16 at the bottom, a few hundred thousand parameters. Doors, windows and
stairs become boxes from the connected parts of their masks at inference.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import numpy as np

from . import synth

#: first seed of the held-out pages (evaluation only)
HELD_OUT_SEED = 1_000_000
CROP = 192
#: loss weight per class: walls and the small openings count more than paper
CLASS_WEIGHTS = (0.5, 2.0, 3.0, 3.0, 2.0)
LR = 4e-3


def build_model():
    from torch import nn

    def cbr(cin, cout, stride=1):
        return nn.Sequential(
            nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)
        )

    class Up(nn.Module):
        """Upsample the deeper map, project it to the skip's width, add, refine."""

        def __init__(self, cin, cout):
            super().__init__()
            self.project = nn.Conv2d(cin, cout, 1, bias=False)
            self.refine = cbr(cout, cout)

        def forward(self, x, skip):
            x = nn.functional.interpolate(self.project(x), scale_factor=2.0, mode="nearest")
            return self.refine(x + skip)

    class FloorNet(nn.Module):
        def __init__(self, classes: int = len(synth.CLASSES)):
            super().__init__()
            self.stem = cbr(1, 8)  # 1/1
            self.d1 = nn.Sequential(cbr(8, 16, 2), cbr(16, 16))  # 1/2
            self.d2 = nn.Sequential(cbr(16, 32, 2), cbr(32, 32))  # 1/4
            self.d3 = nn.Sequential(cbr(32, 64, 2), cbr(64, 64), cbr(64, 64))  # 1/8
            self.d4 = nn.Sequential(cbr(64, 64, 2), cbr(64, 64), cbr(64, 64))  # 1/16: context
            self.u3 = Up(64, 64)
            self.u2 = Up(64, 32)
            self.u1 = Up(32, 16)
            self.u0 = Up(16, 8)
            self.head = nn.Conv2d(8, classes, 1)

        def forward(self, x):
            s0 = self.stem(x)
            s1 = self.d1(s0)
            s2 = self.d2(s1)
            s3 = self.d3(s2)
            s4 = self.d4(s3)
            y = self.u0(self.u1(self.u2(self.u3(s4, s3), s2), s1), s0)
            return self.head(y)

    return FloorNet()


def _crops(sample: synth.Sample, rng: np.random.Generator, count: int, on_plan: float) -> tuple[np.ndarray, np.ndarray]:
    """Random CROP x CROP windows, a share ``on_plan`` of them on the building."""
    h, w = sample.image.shape
    ys, xs = np.nonzero(sample.labels)
    images, labels = [], []
    for _ in range(count):
        if len(ys) and rng.random() < on_plan:
            i = int(rng.integers(len(ys)))
            cy, cx = ys[i] + int(rng.integers(-CROP // 2, CROP // 2)), xs[i] + int(rng.integers(-CROP // 2, CROP // 2))
        else:
            cy, cx = int(rng.integers(h)), int(rng.integers(w))
        y0 = int(np.clip(cy - CROP // 2, 0, h - CROP))
        x0 = int(np.clip(cx - CROP // 2, 0, w - CROP))
        images.append(sample.image[y0 : y0 + CROP, x0 : x0 + CROP])
        labels.append(sample.labels[y0 : y0 + CROP, x0 : x0 + CROP])
    return np.stack(images), np.stack(labels)


def _make_page(job: tuple[int, int, float]) -> tuple[np.ndarray, np.ndarray]:
    seed, crops, on_plan = job
    sample = synth.make_sample(seed)
    return _crops(sample, np.random.default_rng(seed + 7), crops, on_plan)


def dataset(first_seed: int, pages: int, crops: int, jobs: int, on_plan: float) -> tuple[np.ndarray, np.ndarray]:
    """(images, labels), uint8 (N, CROP, CROP), from ``pages`` synthetic pages."""
    todo = [(seed, crops, on_plan) for seed in range(first_seed, first_seed + pages)]
    if jobs > 1:
        from multiprocessing import Pool

        with Pool(jobs) as pool:
            parts = pool.map(_make_page, todo, chunksize=4)
    else:
        parts = [_make_page(job) for job in todo]
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def _augment(images: np.ndarray, labels: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    k = int(rng.integers(4))
    images, labels = np.rot90(images, k, axes=(1, 2)), np.rot90(labels, k, axes=(1, 2))
    if rng.random() < 0.5:
        images, labels = images[:, :, ::-1], labels[:, :, ::-1]
    return np.ascontiguousarray(images), np.ascontiguousarray(labels)


def train(
    model, images, labels, *, steps: int, batch: int, seed: int, log, lr: float = LR, checkpoint: Path | None = None
) -> dict:
    """AdamW with a short warm-up and a cosine decay over ``steps`` batches."""
    import torch

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    loss_fn = torch.nn.CrossEntropyLoss(weight=torch.tensor(CLASS_WEIGHTS, dtype=torch.float32))
    peak = lr
    optimiser = torch.optim.AdamW(model.parameters(), lr=peak, weight_decay=1e-4)
    warmup = min(100, steps // 10)
    start = time.monotonic()
    smooth = None
    model.train()
    for step in range(1, steps + 1):
        if step <= warmup:
            lr = peak * step / warmup
        else:
            lr = 1e-4 + (peak - 1e-4) * 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(1, steps - warmup)))
        for group in optimiser.param_groups:
            group["lr"] = lr
        idx = rng.integers(0, len(images), batch)
        x, y = _augment(images[idx], labels[idx], rng)
        x = torch.from_numpy((255 - x.astype(np.float32)) / 255.0)[:, None]
        y = torch.from_numpy(y.astype(np.int64))
        loss = loss_fn(model(x), y)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        smooth = loss.item() if smooth is None else 0.98 * smooth + 0.02 * loss.item()
        if step % 100 == 0:
            log(f"step {step}/{steps}  loss {smooth:.4f}  lr {lr:.2e}  {(time.monotonic() - start) / 60:.1f} min")
        if checkpoint and step % 250 == 0:
            torch.save(model.state_dict(), checkpoint)
    return {"steps": steps, "batch": batch, "loss": round(float(smooth or 0), 4),
            "minutes": round((time.monotonic() - start) / 60, 1)}  # fmt: skip


def evaluate(model, first_seed: int, pages: int) -> dict:
    """Pixel IoU per class over held-out pages (whole pages, PyTorch)."""
    import torch

    model.eval()
    inter = np.zeros(len(synth.CLASSES))
    union = np.zeros(len(synth.CLASSES))
    with torch.no_grad():
        for seed in range(first_seed, first_seed + pages):
            sample = synth.make_sample(seed)
            h, w = sample.image.shape
            ph, pw = -h % 16, -w % 16
            img = np.pad(sample.image, ((0, ph), (0, pw)), constant_values=255)
            x = torch.from_numpy((255 - img.astype(np.float32)) / 255.0)[None, None]
            pred = model(x)[0].argmax(0).numpy()[:h, :w]
            for c in range(len(synth.CLASSES)):
                p, t = pred == c, sample.labels == c
                inter[c] += np.logical_and(p, t).sum()
                union[c] += np.logical_or(p, t).sum()
    return {name: round(float(inter[c] / max(union[c], 1)), 4) for c, name in enumerate(synth.CLASSES)}


def export(model, out: Path, meta: dict) -> None:
    import onnx
    import torch

    model.eval()
    out.parent.mkdir(parents=True, exist_ok=True)

    class WithSoftmax(torch.nn.Module):
        def __init__(self, net):
            super().__init__()
            self.net = net

        def forward(self, x):
            return torch.softmax(self.net(x), dim=1)

    dummy = torch.zeros(1, 1, 256, 256)
    torch.onnx.export(
        WithSoftmax(model),
        (dummy,),
        str(out),
        input_names=["image"],
        output_names=["probabilities"],
        dynamic_axes={"image": {2: "height", 3: "width"}, "probabilities": {2: "height", 3: "width"}},
        opset_version=17,
        dynamo=False,
    )
    proto = onnx.load(str(out))
    for key, value in meta.items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value if isinstance(value, str) else json.dumps(value)
    onnx.save(proto, str(out))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("plugins/pdf/floorcast_pdf/detector/model.onnx"))
    parser.add_argument("--seed", type=int, default=1, help="first training page seed; also seeds the weights")
    parser.add_argument("--pages", type=int, default=240, help="synthetic training pages")
    parser.add_argument("--crops", type=int, default=32, help="training crops per page")
    parser.add_argument("--steps", type=int, default=2500, help="training batches")
    parser.add_argument("--lr", type=float, default=LR, help="peak learning rate")
    parser.add_argument("--on-plan", type=float, default=0.85, help="share of crops centred on the building")
    parser.add_argument("--init", type=Path, help="start from these weights (a --checkpoint file)")
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--eval-pages", type=int, default=10, help="held-out pages for the pixel IoU")
    parser.add_argument("--jobs", type=int, default=2, help="processes generating pages")
    parser.add_argument("--threads", type=int, default=2, help="PyTorch threads")
    parser.add_argument("--checkpoint", type=Path, help="save the weights here every 250 steps")
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    def log(msg):
        print(msg, flush=True)

    t0 = time.monotonic()
    images, labels = dataset(args.seed, args.pages, args.crops, args.jobs, args.on_plan)
    counts = np.bincount(labels.ravel(), minlength=len(synth.CLASSES))
    log(f"{len(images)} crops from {args.pages} pages in {time.monotonic() - t0:.0f} s; class pixels {counts.tolist()}")
    model = build_model()
    if args.init:
        model.load_state_dict(torch.load(args.init))
    params = sum(p.numel() for p in model.parameters())
    log(f"{params} parameters")
    stats = train(
        model,
        images,
        labels,
        steps=args.steps,
        batch=args.batch,
        seed=args.seed,
        log=log,
        lr=args.lr,
        checkpoint=args.checkpoint,
    )
    del images, labels
    iou = evaluate(model, HELD_OUT_SEED, args.eval_pages)
    log(f"held-out pixel IoU {iou}")
    meta = {
        "classes": list(synth.CLASSES),
        "input": "greyscale page at 150 dpi, (1 - grey / 255), NCHW float32, H and W multiples of 16",
        "output": "softmax per class, NCHW",
        "training": {**stats, **{k: str(v) for k, v in vars(args).items() if k not in ("out", "checkpoint")}},
        "parameters": params,
        "held_out_pixel_iou": iou,
        "data": "synthetic plans from plugins/pdf/training/synth.py (no third-party data)",
    }
    export(model, args.out, meta)
    log(f"wrote {args.out} ({args.out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
