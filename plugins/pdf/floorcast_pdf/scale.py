"""The plan's scale: from the upload's options, a scale note on the sheet ("1:100",
"SCALE 1:200", "축척 1/100", "M 1:50", 1/8" = 1'-0"), a scale bar (0 ... 10 m),
or dimension strings measured against their lines; else the documented default.

PDF units are points (1/72 inch). At 1:N one point on paper is
``N * 0.0254 / 72`` metres in the building.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from floorcast_pdf.options import DEFAULT_SCALE
from floorcast_pdf.pages import SheetText

POINT_M = 0.0254 / 72
#: scales architects use; a measured scale this close to one is taken as it
STANDARD = (1, 2, 5, 10, 20, 25, 50, 75, 100, 125, 150, 200, 250, 300, 400, 500, 600, 750, 1000, 1250, 1500, 2000,
            2500, 5000, 10000)  # fmt: skip
PLAUSIBLE = (1, 20000)
#: a page wider than this (metres; rolls of plotter paper stop near 1.5 m) is a
#: model written at full size, not a sheet
FULL_SIZE_M = 3.0

_KEYWORD = r"(?:scale|sc|escala|[ée]chelle|ma(?:ss|ß)stab|massstab|scala|schaal|skala|m|s|축척|척도|縮尺|比例|缩尺)"
_NUMBER = r"(\d{1,3}(?:[ ,.']\d{3})+|\d+(?:[.,]\d+)?)"
_END = r"""(?![\d/:\"\u201d'])"""  # not a date, not inches
_RATIO = re.compile(rf"(?<![\w./:])1\s*[:/]\s*{_NUMBER}{_END}", re.IGNORECASE)
#: digits set one by one ("S : 1 / 1 0 0", letter-spaced title blocks) read as one number
_LETTER_SPACED = re.compile(r"(?<!\d)\d(?: \d){2,}(?!\d)")
_KEYED = re.compile(rf"(?<!\w){_KEYWORD}\s*[.:=]?\s*(?:=\s*)?1\s*[:/]\s*{_NUMBER}{_END}", re.IGNORECASE)
# 1/8" = 1'-0"  |  3/16 in = 1 ft  |  1" = 20'
_IMPERIAL = re.compile(
    r"(\d+(?:\s*/\s*\d+)?)\s*(?:\"|''|in(?:ch(?:es)?)?\b|”)\s*=\s*(\d+)\s*(?:'|ft\b|feet\b|foot\b|’)"
    r"(?:\s*-?\s*0\s*(?:\"|in\b|”)?)?",
    re.IGNORECASE,
)
_NOT_TO_SCALE = re.compile(r"\b(?:n\.?\s*t\.?\s*s\.?|not\s+to\s+scale)\b", re.IGNORECASE)
# a dimension: 3500 (mm), 3.50 / 3,50 (m), optionally with the unit written out
_DIMENSION = re.compile(r"^(\d{3,6}|\d{1,3}[.,]\d{2,3})\s*(mm|cm|m)?$", re.IGNORECASE)
_TICK = re.compile(r"^(\d{1,4}(?:[.,]\d+)?)\s*(m|metres?|meters?)?$", re.IGNORECASE)


@dataclass
class Scale:
    """1:``denominator``, how it was found (``option``, ``sheet``, ``scale bar``,
    ``dimension``, ``default``) and the text or measurement it came from."""

    denominator: float
    source: str
    evidence: str = ""
    warnings: list[str] = field(default_factory=list)
    #: where on the page (points) the evidence is drawn, kept out of the building
    region: tuple[float, float, float, float] | None = None

    @property
    def metres_per_point(self) -> float:
        return self.denominator * POINT_M

    @property
    def ratio(self) -> str:
        return f"1:{self.denominator:g}"

    def as_dict(self) -> dict:
        return {"ratio": self.ratio, "denominator": self.denominator, "source": self.source, "evidence": self.evidence}


def _number(text: str) -> float:
    digits = re.sub(r"[ ,.'](?=\d{3}(?:\D|$))", "", text).replace(",", ".")
    return float(digits)


def snap(value: float, tolerance: float = 0.03) -> float:
    """The standard scale within ``tolerance`` (relative) of a measured one, else it rounded."""
    best = min(STANDARD, key=lambda s: abs(s - value) / s)
    return float(best) if abs(best - value) / best <= tolerance else round(value, 1)


def notes(texts: list[SheetText]) -> list[tuple[float, bool, SheetText, str]]:
    """Scale notes on the sheet: (denominator, has a keyword, text, matched string)."""
    found = []
    for t in texts:
        before = len(found)
        text = _LETTER_SPACED.sub(lambda m: m.group(0).replace(" ", ""), t.text)
        for match in _IMPERIAL.finditer(text):
            num, _, den = match.group(1).replace(" ", "").partition("/")
            paper_in = float(num) / float(den) if den else float(num)
            if paper_in > 0:
                found.append((float(match.group(2)) * 12 / paper_in, True, t, match.group(0)))
        for match in _KEYED.finditer(text):
            found.append((_number(match.group(1)), True, t, match.group(0)))
        if len(found) == before:
            for match in _RATIO.finditer(text):
                found.append((_number(match.group(1)), False, t, match.group(0)))
    return [f for f in found if PLAUSIBLE[0] <= f[0] <= PLAUSIBLE[1]]


def from_notes(texts: list[SheetText]) -> Scale | None:
    found = notes(texts)
    if not found:
        return None
    keyed = [f for f in found if f[1]]
    pool = keyed or found
    if not keyed and len({f[0] for f in found}) > 1:
        return None  # several bare ratios (a grid of details?): not enough to choose
    counts: dict[float, list] = {}
    for f in pool:
        counts.setdefault(f[0], []).append(f)
    # the most frequent, then the one in the largest type (the main view's title)
    value, hits = max(counts.items(), key=lambda kv: (len(kv[1]), max(h[2].size for h in kv[1])))
    scale = Scale(value, "sheet", hits[0][3].strip())
    if len(counts) > 1:
        others = ", ".join(f"1:{v:g}" for v in counts if v != value)
        scale.warnings.append(f"the sheet names several scales; used {scale.ratio} (also: {others})")
    return scale


def from_scale_bar(texts: list[SheetText]) -> Scale | None:
    """A row of tick labels 0, a, b, ... with a metre unit: their spacing on paper
    against the distances they name."""
    ticks = []
    for t in texts:
        for word in _words(t):
            match = _TICK.match(word[0])
            if match:
                ticks.append((_number(match.group(1)), bool(match.group(2)), word[1], word[2], t.size))
    zeros = [k for k in ticks if k[0] == 0]
    best = None
    for zero in zeros:
        row = [k for k in ticks if abs(k[3] - zero[3]) <= max(zero[4], 1.0) * 0.6 and k[2] > zero[2] and k[0] > 0]
        unit = zero[1] or any(k[1] for k in row) or _unit_after(texts, zero, row)
        if len(row) < 2 or not unit:
            continue
        values = np.array([k[0] for k in row])
        xs = np.array([k[2] - zero[2] for k in row])
        if len(set(values.tolist())) < 2:
            continue
        points_per_metre = float(np.sum(values * xs) / np.sum(values * values))  # fit through 0
        residual = np.abs(xs - values * points_per_metre) / np.maximum(xs, 1e-9)
        if residual.max() > 0.08 or points_per_metre <= 0:
            continue
        denominator = 1 / points_per_metre / POINT_M
        if PLAUSIBLE[0] <= denominator <= PLAUSIBLE[1] and (best is None or len(row) > best[1]):
            size = max(zero[4], 1.0)
            region = (zero[2] - 2 * size, zero[3] - 4 * size, max(k[2] for k in row) + 4 * size, zero[3] + 4 * size)
            best = (denominator, len(row), f"scale bar 0 to {values.max():g} m over {xs.max():.1f} pt", region)
    if best is None:
        return None
    return Scale(snap(best[0], 0.05), "scale bar", best[2], region=best[3])


def _unit_after(texts: list[SheetText], zero, row) -> bool:
    """A lone metre unit right of the last tick ("0 1 2 5 10  m")."""
    last = max(k[2] for k in row) if row else zero[2]
    for t in texts:
        for word, x, y in _words(t):
            if word.lower() in ("m", "metres", "meters", "metre", "meter") and abs(y - zero[3]) <= zero[4] and x > last:
                return True
    return False


def _words(t: SheetText) -> list[tuple[str, float, float]]:
    """Words of a horizontal text line with their approximate centres (split evenly)."""
    if abs(t.dy) > 0.1:
        return []
    words = t.text.split()
    if len(words) == 1:
        return [(words[0], *t.centre)]
    cy = (t.y0 + t.y1) / 2
    total = sum(len(w) for w in words) + len(words) - 1
    out, pos = [], 0
    for w in words:
        mid = (pos + len(w) / 2) / total
        out.append((w, t.x0 + mid * (t.x1 - t.x0), cy))
        pos += len(w) + 1
    return out


def from_dimensions(texts: list[SheetText], segments: np.ndarray) -> Scale | None:
    """Dimension strings ("3500" mm, "3.50" m) against the length of the line they
    sit on. ``segments`` (n, 2, 2): thin straight strokes of the page (points)."""
    if not len(segments):
        return None
    d = segments[:, 1] - segments[:, 0]
    length = np.hypot(d[:, 0], d[:, 1])
    ok = length > 1e-6
    segments, d, length = segments[ok], d[ok], length[ok]
    if not len(segments):
        return None
    u = d / length[:, None]
    mid = segments.mean(axis=1)
    ratios = []
    for t in texts:
        match = _DIMENSION.match(t.text)
        if not match:
            continue
        raw, unit = match.group(1), (match.group(2) or "").lower()
        value = _number(raw)
        metres = value / 1000 if (unit == "mm" or (not unit and raw.isdigit())) else value
        metres = value / 100 if unit == "cm" else metres
        cx, cy = t.centre
        direction = np.array([t.dx, -t.dy]) if abs(t.dx) + abs(t.dy) else np.array([1.0, 0.0])
        along = np.abs(u @ direction) > 0.996  # parallel to the text
        off = mid - np.array([cx, cy])
        across = np.abs(off[:, 0] * u[:, 1] - off[:, 1] * u[:, 0])
        width = abs((t.x1 - t.x0) * direction[0]) + abs((t.y1 - t.y0) * direction[1])
        near = along & (across <= max(t.size, 1.0) * 1.5) & (np.abs(off @ direction) < length / 2) & (length > width)
        if not near.any():
            continue
        best = np.argmin(np.where(near, across, np.inf))
        ratios.append(metres / (length[best] * POINT_M))
    ratios = [r for r in ratios if PLAUSIBLE[0] <= r <= PLAUSIBLE[1]]
    if not ratios:
        return None
    snapped = [snap(r) for r in ratios]
    values, counts = np.unique(snapped, return_counts=True)
    top = int(np.argmax(counts))
    agree = counts[top]
    if agree < 2 and not (len(ratios) == 1 and values[top] in STANDARD):
        return None
    return Scale(float(values[top]), "dimension", f"{agree} of {len(ratios)} dimension strings agree")


def find_scale(
    option: float | None, texts: list[SheetText], segments: np.ndarray, page_size: tuple[float, float] = (0, 0)
) -> Scale:
    """The page's scale, with the first source that gives one."""
    if option:
        return Scale(float(option), "option", f"1:{option:g}")
    for found in (from_notes(texts), from_scale_bar(texts), from_dimensions(texts, segments)):
        if found is not None:
            return found
    side = max(page_size) * POINT_M
    if side > FULL_SIZE_M:
        # no printer takes such a sheet: the CAD program wrote the model at 1:1
        scale = Scale(1.0, "guess", f"page {side:.1f} m wide")
        scale.warnings.append(
            f"the page is {side:.1f} m wide, larger than any paper: taken as drawn at full size (1:1);"
            " set the scale option if it is not"
        )
        return scale
    scale = Scale(float(DEFAULT_SCALE), "default")
    nts = any(_NOT_TO_SCALE.search(t.text) for t in texts)
    why = "the sheet says it is not to scale" if nts else "no scale note, scale bar or dimension was found"
    scale.warnings.append(f"{why}; assumed 1:{DEFAULT_SCALE} (set the scale option, e.g. 1:200)")
    return scale


def is_scale_text(text: str) -> bool:
    """Whether a text is a scale note (it names no room)."""
    return bool(_KEYED.search(text) or _RATIO.search(text) or _IMPERIAL.search(text) or _NOT_TO_SCALE.search(text))


def is_dimension_text(text: str) -> bool:
    """Whether a text reads like a dimension with a unit ("3500 mm", "3.50 m")."""
    match = _DIMENSION.match(text.strip())
    return bool(match and match.group(2))
