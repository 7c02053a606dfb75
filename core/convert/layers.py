"""What a layer holds, guessed from its name.

Shared by the formats that carry layer names: DXF layers, PDF optional content
groups (CAD exports keep their layers there). Names are compared after Unicode
normalisation and case folding, each in two spellings ("Wände" as "wande" and
"waende", "Stütze" as "stutze" and "stuetze"), against: ISO 13567 layer codes
(CI/SfB element and presentation fields), AIA/NCS and common English, German,
Dutch, French, Italian and Spanish words (prefixes of the name's tokens), and
Japanese, Chinese and Korean words (substrings: those scripts do not separate words).
"""

from __future__ import annotations

import re
import unicodedata

# Checked in order, first match wins: "A-FLOR-CORE-STRS" is a stair before a floor,
# "창문" (window) a window before "문" (door), "幕墙" (curtain wall) a window before
# "墙" (wall), dimension layers never walls.
RULES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    # category, prefixes of latin name tokens (3 letters or fewer: the whole token,
    # or it plus "s"), substrings for scripts without spaces
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
            "bemass",  # de: Bemaßung
            "vermass",
            "beschrift",
            "achs",
            "maatvoer",  # nl
            "tekst",
            "cotation",  # fr
            "cotes",
            "quota",  # it
            "quote",
            "testo",
            "acota",  # es
            "cota",
            "texto",
        ),
        (
            "치수",
            "문자",
            "주석",
            "글자",
            "도곽",
            "寸法",
            "文字",
            "通り芯",
            "通芯",
            "注記",
            "図枠",
            "标注",
            "尺寸",
            "轴线",
            "轴网",
            "軸線",
            "图框",
            "圖框",
        ),
    ),
    (
        "stair",
        ("stair", "strs", "treppe", "escal", "trap", "escalier", "scala", "escalera"),
        ("계단", "階段", "楼梯", "樓梯"),
    ),
    (
        "elevator",
        ("elev", "lift", "conv", "aufzug", "ascenseur", "ascensore", "ascensor"),
        ("승강기", "엘리베이터", "エレベーター", "昇降機", "电梯", "電梯"),
    ),
    (
        "window",
        (
            "window",
            "wind",
            "glaz",
            "glass",
            "crystal",
            "fenster",
            "verglas",
            "raam",
            "ramen",
            "fenetre",
            "vitrage",
            "finestr",
            "vetr",
            "ventana",
            "vidrio",
            "curtain",
        ),
        ("창호", "창문", "유리", "窓", "サッシ", "ガラス", "幕墙", "幕牆", "窗", "玻璃"),
    ),
    (
        "door",
        ("door", "tuer", "tur", "deur", "porte", "porta", "puerta", "gate"),
        ("출입문", "문", "扉", "ドア", "建具", "门", "門"),
    ),
    (
        "column",
        ("column", "cols", "col", "pillar", "stuetze", "stutze", "kolom", "poteau", "pilastr", "colonn", "pilar"),
        ("기둥", "柱"),
    ),
    (
        "wall",
        (
            "wall",
            "wand",
            "waend",
            "mauer",
            "muur",
            "mur",
            "muri",
            "muro",
            "cloison",
            "paret",
            "pared",
            "tabique",
            "partition",
            "ptn",
        ),
        ("벽", "壁", "墙", "牆"),
    ),
    (
        "room",
        (
            "room",
            "rm$",
            "rm",
            "space",
            "spac",
            "unit",
            "units",
            "area",
            "boma",
            "zone",
            "raum",
            "raeum",
            "ruimte",
            "piece",
            "local",
            "stanz",
            "vano",
            "habitac",
            "espacio",
        ),
        ("실명", "공간", "호실", "室名", "部屋", "房间", "房間"),
    ),
    (
        "floor",
        ("flor", "floor", "slab", "boden", "vloer", "sol", "plancher", "pavimento", "solaio", "suelo"),
        ("바닥", "슬래브", "地面", "楼板", "樓板"),  # not 床: floor in Japanese, bed in Chinese,
    ),
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
            "moebel",
            "meubel",
            "meubil",
            "mobilier",
            "arred",
            "mobiliario",
            "mueble",
            "desk",
            "chair",
            "table",
        ),
        ("가구", "집기", "비품", "家具", "什器", "备品"),
    ),
)

# ISO 13567: agent (2), element (6), presentation (2)..., e.g. "A-22----E-" or
# "A-221---T-". The element field holds a CI/SfB code; presentation T is text, D
# dimensions.
_ISO = re.compile(r"^[A-Z][A-Z0-9-]-*(\d{2})[0-9A-Z-]*$")
_CI_SFB = {
    "21": "wall",  # external walls
    "22": "wall",  # internal walls, partitions
    "23": "floor",
    "24": "stair",
    "28": "column",  # building frame
    "31": "window",  # openings in external walls
    "32": "door",  # openings in internal walls
    "66": "elevator",  # transport
    "74": "furniture",  # sanitary
    "82": "furniture",
}

_SPLIT = re.compile(r"[\W_]+")
_DE = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})


def _spellings(layer: str) -> list[str]:
    """The name folded two ways: accents dropped ("wande"), German umlauts spelt out ("waende")."""
    name = unicodedata.normalize("NFKC", layer).casefold()
    spelt = unicodedata.normalize("NFC", name).translate(_DE)
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return [plain] if spelt == plain else [plain, spelt]


def _iso(layer: str) -> tuple[str, str] | None:
    if len(layer) < 8 or layer != layer.upper():
        return None
    match = _ISO.match(layer)
    if match is None:
        return None
    element = match.group(1)
    fields = layer[8:]
    if fields[:1] in ("T", "D"):
        return "annotation", f"ISO 13567 presentation {fields[0]!r} (text or dimensions)"
    if element in _CI_SFB:
        return _CI_SFB[element], f"ISO 13567 element code {element}"
    return None


def explain(layer: str) -> tuple[str, str]:
    """(category, why) of a layer name; "other" when nothing matches."""
    iso = _iso(layer.strip())
    if iso is not None:
        return iso
    for name in _spellings(layer):
        tokens = [t for t in _SPLIT.split(name) if t]
        for category, prefixes, words in RULES:
            word = next((k for k in words if k in name), None)
            if word is not None:
                return category, f"name holds {word!r}"
            for token in tokens:
                if category == "elevator" and token.startswith("elevation"):
                    continue
                for p in prefixes:
                    if token.startswith(p) if len(p) > 3 else token == p or token == p + "s":
                        return category, f"name word {token!r} ~ {p!r}"
    return "other", "no rule matches the name"


def classify(layer: str) -> str:
    """The Floorcast category of a layer name; "other" when nothing matches."""
    return explain(layer)[0]


# How well a layer's texts name rooms, checked in this order (first match wins):
# dimensions 3, notes 2, room names and numbers 0, anything else 1 (a room's note
# must not become its name). Latin entries are prefixes of the name's tokens.
_LABEL_RANKS: tuple[tuple[int, tuple[str, ...], tuple[str, ...]], ...] = (
    (3, ("dim", "grid", "titl", "defpoints", "bemass", "cota"), ("치수", "도곽", "寸法", "尺寸", "标注")),
    (2, ("note", "remark", "comment", "spec", "keyn", "symb", "tag"), ("주석", "비고", "注記", "特記")),
    (
        0,
        ("iden", "nam", "num", "label", "room", "rm", "spac", "area", "raum", "raeum"),
        ("실명", "호실", "실번", "室名", "房间", "房間"),
    ),
)


def label_rank(layer: str) -> int:
    """How well texts on ``layer`` name a room: 0 (room names) to 3 (dimensions)."""
    for name in _spellings(layer):
        tokens = [t for t in _SPLIT.split(name) if t]
        for rank, latin, words in _LABEL_RANKS:
            if any(k in name for k in words) or any(t.startswith(latin) for t in tokens):
                return rank
    return 1
