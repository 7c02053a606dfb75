"""What of a plan's text may name a room, and how it reads as a label.

A room stamp holds the room's name and number, often its area too ("LDK 15.8帖",
"Office 101 24.5 m²"); a label is the name and number. Formatting codes that
survive an exporter ("75y\\S5y;", "{\\fArial;Hall}") are dropped; strings that
are numbering or dimensions ("1 2 3 ... 24", "3600", "12'-6\"") name nothing.
"""

from __future__ import annotations

import re
import unicodedata

#: MTEXT codes: \P \N \~ breaks, \f...; \H...; \S...; and friends, braces
_CODES = re.compile(r"\\[PpNnX~]|\\[ACcFfHhLlOoKkQqTtWwS][^;\\{}]*;?|[{}]")
#: an area written in a stamp: 24.5 m², 12㎡, 15.8帖 (tatami), 6畳, 20평, 250 sq ft
_AREA = re.compile(
    r"(?:(?:[a-z]{1,3}\s*[=:]\s*)?\d+(?:[.,]\d+)?\s*(?:m2|m²|㎡|sq\.?\s*ft|sf|ft²|帖|畳|평|坪)(?![a-z]))",
    re.IGNORECASE,
)
#: a level or a dimension without letters: +0.00, -300, 3600, 12'-6"
_DIMENSION = re.compile(r"^[+\-±]|^\d{3,}0$|['\"’”]")


def clean(text: str) -> str:
    """``text`` without formatting codes and areas, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", _CODES.sub(" ", text or ""))
    text = _AREA.sub(" ", text)
    return " ".join(text.split()).strip(" ,;:-")


def names_a_room(text: str) -> bool:
    """Whether a cleaned text may name or number a room: it has a letter, or it is
    one short number ("101", "2.14"); runs of numbers, levels and dimensions do not."""
    if not text:
        return False
    if any(unicodedata.category(c).startswith("L") for c in text):
        return True
    return len(text.split()) == 1 and len(text) <= 5 and not _DIMENSION.search(text)
