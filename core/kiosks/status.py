"""What a kiosk reports about itself (hello ``screen``, ``status`` messages)."""

from __future__ import annotations

MAX_PIXELS = 100_000  # per side: anything larger is a bug or a lie


def screen_size(data: object) -> str | None:
    """``{"screen": {"width": 1920, "height": 1080}}`` -> ``"1920x1080"``; None if absent or bad."""
    screen = data.get("screen") if isinstance(data, dict) else None
    if not isinstance(screen, dict):
        return None
    width, height = screen.get("width"), screen.get("height")
    for side in (width, height):
        if not isinstance(side, int) or isinstance(side, bool) or not 0 < side <= MAX_PIXELS:
            return None
    return f"{width}x{height}"
