"""What a scanner and a photocopier do to a clean drawing, in numpy and PyMuPDF.

:func:`degrade` fades and blurs the ink, tints and unevenly lights the paper, adds
sensor noise, dust and specks, sometimes thresholds the page to black and white
(fax and photocopy look) and passes it through JPEG. :func:`scanned_pdf` wraps an
image into a one-page PDF the way a scanner does (one JPEG filling the page).
"""

from __future__ import annotations

import numpy as np
import pymupdf


def _blur(a: np.ndarray, sigma: float) -> np.ndarray:
    """Separable Gaussian blur (edge-replicated), float32."""
    if sigma < 0.2:
        return a
    radius = max(1, int(round(3 * sigma)))
    x = np.arange(-radius, radius + 1, dtype=np.float32)
    kernel = np.exp(-(x**2) / (2 * sigma * sigma))
    kernel /= kernel.sum()
    for axis in (0, 1):
        pad = [(0, 0), (0, 0)]
        pad[axis] = (radius, radius)
        padded = np.pad(a, pad, mode="edge")
        out = np.zeros_like(a)
        n = a.shape[axis]
        for i, w in enumerate(kernel):
            out += w * (padded[i : i + n] if axis == 0 else padded[:, i : i + n])
        a = out
    return a


def _low_frequency(rng: np.random.Generator, shape: tuple[int, int], cells: int = 6) -> np.ndarray:
    """Smooth random field in 0..1 (bilinear upsampling of a coarse grid)."""
    h, w = shape
    grid = rng.random((cells + 1, cells + 1)).astype(np.float32)
    ys = np.linspace(0, cells, h, dtype=np.float32)
    xs = np.linspace(0, cells, w, dtype=np.float32)
    y0 = np.minimum(ys.astype(int), cells - 1)
    x0 = np.minimum(xs.astype(int), cells - 1)
    fy, fx = (ys - y0)[:, None], (xs - x0)[None, :]
    g00, g01 = grid[y0][:, x0], grid[y0][:, x0 + 1]
    g10, g11 = grid[y0 + 1][:, x0], grid[y0 + 1][:, x0 + 1]
    return (g00 * (1 - fx) + g01 * fx) * (1 - fy) + (g10 * (1 - fx) + g11 * fx) * fy


def jpeg(image: np.ndarray, quality: int) -> bytes:
    h, w = image.shape
    pix = pymupdf.Pixmap(pymupdf.csGRAY, w, h, np.ascontiguousarray(image, dtype=np.uint8).tobytes(), 0)
    return pix.tobytes("jpeg", jpg_quality=int(quality))


def decode(data: bytes) -> np.ndarray:
    pix = pymupdf.Pixmap(data)
    if pix.n != 1:
        pix = pymupdf.Pixmap(pymupdf.csGRAY, pix)
    return np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.stride)[:, : pix.width].copy()


def degrade(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A scanned-looking copy of a clean greyscale drawing (uint8, 0 = ink)."""
    h, w = image.shape
    ink = 1.0 - image.astype(np.float32) / 255.0
    ink *= rng.uniform(0.6, 1.0)
    if rng.random() < 0.3:  # patchy toner
        ink *= 0.65 + 0.35 * _low_frequency(rng, (h, w), int(rng.integers(3, 12)))
    if rng.random() < 0.2:  # thickened (bleeding) lines
        ink = np.maximum(ink, _blur(ink, 1.0) * 1.6).clip(0, 1)
    ink = _blur(ink, float(rng.uniform(0.0, 1.1)))
    paper = rng.uniform(0.82, 1.0) - rng.uniform(0, 0.08) * _low_frequency(rng, (h, w), 2)
    black = rng.uniform(0.0, 0.25)
    out = paper - ink * (paper - black)
    out += rng.normal(0, rng.uniform(0.0, 0.05), size=(h, w)).astype(np.float32)
    specks = int(rng.integers(0, 600))
    if specks:
        ys, xs = rng.integers(0, h, specks), rng.integers(0, w, specks)
        out[ys, xs] = rng.uniform(0, 0.5, specks)
        big = specks // 4
        out[np.minimum(ys[:big] + 1, h - 1), xs[:big]] = out[ys[:big], xs[:big]]
        out[ys[:big], np.minimum(xs[:big] + 1, w - 1)] = out[ys[:big], xs[:big]]
    if rng.random() < 0.15:  # scanner lid shadow along one edge
        band = int(rng.integers(5, 40))
        side = int(rng.integers(4))
        sl = [slice(None), slice(None)]
        sl[side % 2] = slice(0, band) if side < 2 else slice(-band, None)
        out[tuple(sl)] *= rng.uniform(0.1, 0.6)
    if rng.random() < 0.15:  # photocopy / fax: black and white
        out = np.where(out > rng.uniform(0.45, 0.7), 1.0, 0.0).astype(np.float32)
    result = (out.clip(0, 1) * 255 + 0.5).astype(np.uint8)
    if rng.random() < 0.7:
        result = decode(jpeg(result, int(rng.integers(20, 90))))
    return result


def scanned_pdf(image: np.ndarray, dpi: float, quality: int = 80) -> bytes:
    """A one-page PDF holding ``image`` as a JPEG that fills a page of its size at ``dpi``."""
    h, w = image.shape
    doc = pymupdf.open()
    page = doc.new_page(width=w * 72 / dpi, height=h * 72 / dpi)
    page.insert_image(page.rect, stream=jpeg(image, quality))
    return doc.tobytes(garbage=3, deflate=True)


def save_png(image: np.ndarray, path: str) -> None:
    h, w = image.shape
    pymupdf.Pixmap(pymupdf.csGRAY, w, h, np.ascontiguousarray(image).tobytes(), 0).save(path)
