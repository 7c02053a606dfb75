"""Fonts for the preview's words: the box's own fonts, one that has every
character of a label (room names are in any script), Pillow's built-in one
when the box has none.

Pillow draws a missing character as an empty box without saying so; a label no
font here can draw whole is left out and counted instead (the pipeline warns).
"""

from __future__ import annotations

import functools
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts")
#: preferred first: Latin, Greek and Cyrillic; then CJK; then Korean
FONT_FILES = (
    "DejaVuSans.ttf",
    "NotoSans-Regular.ttf",
    "LiberationSans-Regular.ttf",
    "NotoSansCJK-Regular.ttc",
    "NotoSansCJKjp-Regular.otf",
    "wqy-microhei.ttc",
    "wqy-zenhei.ttc",
    "ipagp.ttf",
    "NanumGothic.ttf",
    "NanumBarunGothic.ttf",
)
#: a code point no font maps: what a missing character looks like in a font
UNMAPPED = "\U0010fffd"


@functools.cache
def font_paths() -> tuple[str, ...]:
    """The fonts of :data:`FONT_FILES` this box has, in that order."""
    found: dict[str, str] = {}
    for folder in FONT_DIRS:
        root = Path(folder)
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.name in FONT_FILES:
                    found.setdefault(path.name, str(path))
    return tuple(found[name] for name in FONT_FILES if name in found)


class Fonts:
    """The fonts of one size, each asked once per character whether it has it."""

    def __init__(self, size: int):
        self.size = size
        self.fonts = []
        for path in font_paths():
            try:
                self.fonts.append(ImageFont.truetype(path, size))
            except OSError:  # unreadable or not a font after all
                continue
        self._missing = [self._ink(font, UNMAPPED) for font in self.fonts]
        self._has: dict[tuple[int, str], bool] = {}
        self.fallback = ImageFont.load_default(size)

    def _ink(self, font, ch: str) -> bytes:
        """The pixels of ``ch`` drawn alone: a missing one draws as :data:`UNMAPPED` does."""
        image = Image.new("L", (2 * self.size, 2 * self.size))
        ImageDraw.Draw(image).text((0, 0), ch, fill=255, font=font)
        return image.tobytes()

    @property
    def main(self):
        """The font for the legend and scale (plain Latin text)."""
        return self.fonts[0] if self.fonts else self.fallback

    def _covers(self, i: int, ch: str) -> bool:
        key = (i, ch)
        has = self._has.get(key)
        if has is None:
            has = self._has[key] = self._ink(self.fonts[i], ch) != self._missing[i]
        return has

    def for_text(self, text: str):
        """The first font with every character of ``text``, or None."""
        chars = {ch for ch in text if not ch.isspace()}
        for i, font in enumerate(self.fonts):
            if all(self._covers(i, ch) for ch in chars):
                return font
        if not self.fonts and text.isascii():
            return self.fallback
        return None
