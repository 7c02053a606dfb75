"""Per-stage progress turned into one job-wide fraction and an estimate."""

from __future__ import annotations

import time

# Share of the whole job each stage takes (cumulative start, end).
STAGE_SPANS = {
    "upload": (0.0, 0.0),
    "sniff": (0.0, 0.03),
    "parse": (0.03, 0.45),
    "geometry": (0.45, 0.80),
    "write": (0.80, 0.90),
    "store": (0.90, 0.97),
    "publish": (0.97, 1.0),
}


class ProgressTracker:
    def __init__(self):
        self.started = time.monotonic()
        self.overall = 0.0

    def update(self, stage: str, fraction: float) -> tuple[float, float | None]:
        """Returns (overall fraction, seconds left or None)."""
        start, end = STAGE_SPANS.get(stage, (self.overall, self.overall))
        overall = start + (end - start) * min(max(fraction, 0.0), 1.0)
        self.overall = max(self.overall, overall)  # never goes backwards
        elapsed = time.monotonic() - self.started
        eta = elapsed * (1 - self.overall) / self.overall if self.overall > 0.05 else None
        return self.overall, eta
