"""Per-stage progress turned into one job-wide fraction and an estimate."""

from __future__ import annotations

import time

from core.errors import STAGES

#: where each of :data:`~core.errors.STAGES` starts and ends in the job's progress
#: (the share of the whole job each takes): parsing and geometry are most of it
_BOUNDS = (0.0, 0.0, 0.03, 0.45, 0.80, 0.90, 0.97, 1.0)
STAGE_SPANS = {stage: (_BOUNDS[i], _BOUNDS[i + 1]) for i, stage in enumerate(STAGES)}


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
