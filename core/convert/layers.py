"""What a layer holds, guessed from its name (AIA/NCS, common English, German,
French, Spanish and Korean CAD conventions).

Shared by the formats that carry layer names: DXF layers, PDF optional content
groups (CAD exports keep their layers there).
"""

from __future__ import annotations

import re

# Checked in order, first match wins: "A-FLOR-CORE-STRS" is a stair before a floor,
# "창문" (window) a window before "문" (door), dimension layers never walls.
RULES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    # category, prefixes of latin name tokens, Korean substrings
    (
        "annotation",
        (
            "anno",
            "dim",
            "dimen",
            "text",
            "txt",
            "iden",
            "numr",
            "label",
            "note",
            "tag",
            "symb",
            "grid",
            "titl",
            "defpoints",
            "viewport",
            "vport",
        ),
        ("치수", "문자", "주석", "글자", "도곽"),
    ),
    ("stair", ("stair", "strs", "treppe", "escal", "escal"), ("계단",)),
    ("elevator", ("elev", "lift", "conv"), ("승강기", "엘리베이터")),
    (
        "window",
        ("window", "wind", "glaz", "glass", "crystal", "fenster", "fenetre", "ventana", "curtain"),
        ("창호", "창문", "유리"),
    ),
    ("door", ("door", "tuer", "tür", "porte", "puerta", "gate"), ("출입문", "문")),
    ("column", ("column", "cols", "col", "pillar", "stuetze", "poteau"), ("기둥",)),
    ("wall", ("wall", "wand", "mur", "muro", "pared", "partition", "ptn"), ("벽",)),
    (
        "room",
        ("room", "rm$", "rm", "space", "spac", "unit", "units", "area", "boma", "zone", "raum", "piece"),
        ("실명", "공간", "호실"),
    ),
    ("floor", ("flor", "floor", "slab", "boden", "sol"), ("바닥", "슬래브")),
    (
        "furniture",
        (
            "furn",
            "eqpm",
            "equip",
            "case",
            "fixt",
            "fix",
            "casework",
            "mobel",
            "möbel",
            "mobilier",
            "desk",
            "chair",
            "table",
        ),
        ("가구", "집기", "비품"),
    ),
)

_SPLIT = re.compile(r"[^0-9a-zA-Z$äöüé가-힣]+")


def classify(layer: str) -> str:
    """The Floorcast category of a layer name; "other" when nothing matches."""
    name = layer.lower()
    tokens = [t for t in _SPLIT.split(name) if t]
    for category, prefixes, korean in RULES:
        if any(k in name for k in korean):
            return category
        for token in tokens:
            if category == "elevator" and token.startswith("elevation"):
                continue
            if any(token.startswith(p) if len(p) > 3 else token == p or token == p + "s" for p in prefixes):
                return category
    return "other"


# How well a layer's texts name rooms, checked in this order (first match wins):
# dimensions 3, notes 2, room names and numbers 0, anything else 1 (a room's note
# must not become its name). Latin entries are prefixes of the name's tokens.
_LABEL_RANKS: tuple[tuple[int, tuple[str, ...], tuple[str, ...]], ...] = (
    (3, ("dim", "grid", "titl", "defpoints"), ("치수", "도곽")),
    (2, ("note", "remark", "comment", "spec", "keyn", "symb", "tag"), ("주석", "비고")),
    (0, ("iden", "nam", "num", "label", "room", "rm", "spac", "area"), ("실명", "호실", "실번")),
)


def label_rank(layer: str) -> int:
    """How well texts on ``layer`` name a room: 0 (room names) to 3 (dimensions)."""
    name = layer.lower()
    tokens = [t for t in _SPLIT.split(name) if t]
    for rank, latin, korean in _LABEL_RANKS:
        if any(k in name for k in korean) or any(t.startswith(latin) for t in tokens):
            return rank
    return 1
