"""What a DXF layer or block holds.

Layer names go through, in order: the upload's ``layers`` option (exact names or
glob patterns -> category), the venue's ``[model] layer_rules`` setting
(``"PATTERN = category"`` lines), then the built-in name rules shared with the PDF
plugin (:func:`core.plugin_api.explain_layer`: ISO 13567, AIA/NCS, European,
Japanese, Chinese and Korean names). Block names work the same way with the
``blocks`` option and ``[model] block_rules``, plus the names furniture and
fixture blocks usually carry.
"""

from __future__ import annotations

import fnmatch
import re

from core.plugin_api import CATEGORIES, ConversionError, explain_layer
from core.plugin_api import classify_layer as classify

#: categories a block's name may give its content (a "DOOR-900" block on A-WALL is a door)
BLOCK_CATEGORIES = ("door", "window", "stair", "elevator", "column", "furniture")
_FURNITURE = re.compile(
    r"chair|desk|table|sofa|couch|bed|bench|cabinet|shelf|shelv|locker|seat|stool|counter|wardrobe|"
    r"toilet|wc|urinal|basin|sink|lavatory|bath|shower|plant|piano|printer|copier|workstation|"
    r"의자|책상|테이블|소파|침대|가구|세면|변기|싱크",
    re.IGNORECASE,
)

__all__ = ["BLOCK_CATEGORIES", "Classifier", "classify", "parse_rules"]


def parse_rules(rules, what: str) -> list[tuple[str, str]]:
    """``{"PATTERN": "category"}`` or ``["PATTERN = category", ...]`` -> [(pattern, category)]."""
    if not rules:
        return []
    if isinstance(rules, dict):
        pairs = list(rules.items())
    elif isinstance(rules, list | tuple):
        pairs = []
        for line in rules:
            pattern, sep, category = str(line).rpartition("=")
            if not sep:
                raise ConversionError("invalid_options", f"{what}: expected 'PATTERN = category', got {line!r}")
            pairs.append((pattern.strip(), category.strip()))
    else:
        raise ConversionError("invalid_options", f"{what}: expected a mapping of names to categories")
    out = []
    for pattern, category in pairs:
        category = str(category).strip().lower()
        if category not in CATEGORIES:
            raise ConversionError(
                "invalid_options", f"{what}: {pattern!r} -> unknown category {category!r}; use one of {CATEGORIES}"
            )
        out.append((str(pattern), category))
    return out


def _match(rules: list[tuple[str, str]], name: str) -> str | None:
    low = name.lower()
    for pattern, category in rules:
        if pattern == name or fnmatch.fnmatchcase(low, pattern.lower()):
            return category
    return None


class Classifier:
    """Categories of layers and blocks, with where each answer came from."""

    def __init__(self, option_layers=None, setting_layers=None, option_blocks=None, setting_blocks=None):
        self.option_layers = parse_rules(option_layers, "layers")
        self.setting_layers = parse_rules(setting_layers, "layer_rules")
        self.option_blocks = parse_rules(option_blocks, "blocks")
        self.setting_blocks = parse_rules(setting_blocks, "block_rules")

    def layer(self, name: str) -> tuple[str, str, str]:
        """(category, source, why): source is "option", "setting" or "name"."""
        for rules, source in ((self.option_layers, "option"), (self.setting_layers, "setting")):
            category = _match(rules, name)
            if category:
                return category, source, f"the {'layers option' if source == 'option' else 'layer_rules setting'}"
        category, why = explain_layer(name)
        return category, "name", why

    def block(self, name: str) -> str | None:
        """The category a block's name gives its content, or None."""
        for rules in (self.option_blocks, self.setting_blocks):
            category = _match(rules, name)
            if category:
                return category
        if name.startswith("*"):  # anonymous blocks (*U, *D, *X...) say nothing
            return None
        category = classify(name)
        if category in BLOCK_CATEGORIES:
            return category
        if _FURNITURE.search(name):
            return "furniture"
        return None
