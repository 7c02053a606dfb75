"""Plan scales as people write them: "1:100", "1/100", "100"."""

from __future__ import annotations


def parse_scale(value) -> float | None:
    """The denominator of a plan scale: "1:100", "1/100", "100", 100 -> 100.0."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        text = str(value).strip().replace(" ", "")
        num, sep, den = text.replace("/", ":").partition(":")
        try:
            number = float(den) / float(num) if sep else float(text)
        except (ValueError, ZeroDivisionError):
            raise ValueError(f"scale {value!r} is not like 1:100") from None
    if not 1 <= number <= 100000:
        raise ValueError(f"scale {value!r} is out of range (1:1 to 1:100000)")
    return number
