"""Pinyin and traditional-to-simplified tables, computed at ingest.

pypinyin takes a quarter of a second to import and OpenCC needs its
dictionaries, so the engine never loads either: ingest writes one row per Han
character (its simplified form and its readings) into the store, and the
engine looks up only the characters a query contains.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from functools import cache

import opencc
from pypinyin import Style, lazy_pinyin, pinyin

# Basic block and extension A: every character a news text or a query is likely to hold.
HAN_BLOCKS = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF))
# Enough spellings of one name to cover its heteronyms without blowing up.
MAX_READINGS = 16

# Readings of characters used as surnames that differ from their common reading.
SURNAME_READINGS = {
    "单": "shan", "曾": "zeng", "解": "xie", "仇": "qiu", "区": "ou", "朴": "piao", "查": "zha", "乐": "yue",
    "尉": "yu", "盖": "ge", "缪": "miao", "翟": "zhai", "黑": "he", "牟": "mou", "种": "chong", "覃": "qin",
    "召": "shao", "长": "zhang", "重": "chong", "过": "guo", "秘": "bi",
}


@cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def char_rows() -> Iterator[dict[str, str]]:
    """One row per Han character: its simplified form and its toneless readings."""
    characters = [chr(code) for low, high in HAN_BLOCKS for code in range(low, high + 1)]
    # Convert character by character: OpenCC converts phrases, and neighbours must not interact.
    simplified = _t2s().convert("\n".join(characters)).split("\n")
    for char, simple in zip(characters, simplified):
        readings = pinyin(simple, style=Style.NORMAL, heteronym=True, errors="ignore")
        syllables = [r.replace("ü", "v") for r in readings[0]] if readings else []
        if not syllables and simple == char:
            continue
        yield {"char": char, "simplified": simple, "pinyin": " ".join(dict.fromkeys(syllables))}


def name_readings(name: str, surname_length: int = 1) -> list[list[str]]:
    """Toneless syllables of a person's name, one list per plausible reading,
    the most likely first. Surnames read as surnames: 单 is shan, 曾 is zeng."""
    primary = [s.replace("ü", "v") for s in lazy_pinyin(name, style=Style.NORMAL, errors="ignore")]
    if surname_length == 1 and name[:1] in SURNAME_READINGS and primary:
        primary[0] = SURNAME_READINGS[name[0]]
    per_char = pinyin(name, style=Style.NORMAL, heteronym=True, errors="ignore")
    options = [[s.replace("ü", "v") for s in readings] for readings in per_char]
    readings = [primary]
    if len(options) == len(name):
        for combo in itertools.product(*options):
            candidate = list(combo)
            if candidate not in readings:
                readings.append(candidate)
            if len(readings) >= MAX_READINGS:
                break
    return readings


def char_syllables(text: str) -> str:
    """Every reading of every character, for typo matching: 王行环 is
    'wang xing,hang huan'. Characters without a reading keep their place as '-'."""
    per_char = pinyin(text, style=Style.NORMAL, heteronym=True, errors=lambda chars: [["-"] for _ in chars])
    return " ".join(",".join(dict.fromkeys(r.replace("ü", "v") for r in readings)) for readings in per_char)


def phrase_reading(text: str) -> list[str]:
    """Toneless syllables of a place or topic name, read as a phrase (重庆 is chongqing)."""
    return [s.replace("ü", "v") for s in lazy_pinyin(text, style=Style.NORMAL, errors="ignore")]
