"""Seconds per named step of a conversion, kept in the job report (where the time
went on a slow plan) and printed by ``benchmarks/pdf_convert.py``."""

from __future__ import annotations

import time


class Laps:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, step: str) -> None:
        """Charge the time since the previous lap to ``step``."""
        now = time.perf_counter()
        self.seconds[step] = round(self.seconds.get(step, 0.0) + now - self._last, 4)
        self._last = now
