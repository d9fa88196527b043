"""Pinyin and traditional-to-simplified tables, computed at ingest.

pypinyin takes a quarter of a second to import and OpenCC needs its
dictionaries, so the engine never loads either: ingest writes one row per Han
character (its simplified form and its readings) into the store, and the
engine looks up only the characters a query contains.

pypinyin reads a text by its phrases (重庆 is chongqing, not zhongqing): at
import it loads all 47,000 of them and learns their prefixes, most of the
import's time, where a name holds one phrase or none. So it is imported
without them, and each text is given, before it is read, the phrases of
pypinyin's table that occur in it, looked up in a file written once per
machine (as jieba's dictionary is, dictionary.py). Those are the only phrases
its reading can use: pypinyin cuts a text at its longest phrase from each
point on, and every phrase inside the text, with its prefixes, is known. So
a name reads the same in a full ingest, which gives pypinyin 50,000 names'
phrases, and in an added article, which gives it a few.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import os
import sqlite3
import sys
import tempfile
import threading
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import opencc

from ..schema import read_only_uri
from .dictionary import LOOKUP_CHUNK, write_once

_phrases_setting = os.environ.get("PYPINYIN_NO_PHRASES")
if "pypinyin" not in sys.modules:
    os.environ["PYPINYIN_NO_PHRASES"] = "1"  # read at pypinyin's import only
try:
    import pypinyin
    from pypinyin import Style, lazy_pinyin, pinyin
    from pypinyin.constants import PHRASES_DICT
    from pypinyin.seg import mmseg
finally:
    if _phrases_setting is None:
        os.environ.pop("PYPINYIN_NO_PHRASES", None)
    else:
        os.environ["PYPINYIN_NO_PHRASES"] = _phrases_setting

log = logging.getLogger(__name__)

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


# Bumped when the phrases file's layout changes.
PHRASES_FORMAT = "2"


class _Phrases:
    """pypinyin's phrases, read from the phrases file: a text's are handed to
    pypinyin (its phrase table and its segmenter's prefixes) before the text is
    read. Each piece of text is looked up once a process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._looked_up: set[str] = set()
        self._connection: sqlite3.Connection | None = None
        self._lengths = range(0)

    def teach(self, text: str) -> None:
        with self._lock:
            if self._connection is None:
                self._open()
            pieces = {
                text[start : start + length]
                for length in self._lengths
                for start in range(len(text) - length + 1)
            } - self._looked_up
            if not pieces:
                return
            self._looked_up |= pieces
            ordered = sorted(pieces)
            found = {
                phrase: json.loads(readings)
                for start in range(0, len(ordered), LOOKUP_CHUNK)
                for phrase, readings in self._connection.execute(
                    f"select phrase, readings from phrases where phrase in ({','.join('?' * len(ordered[start : start + LOOKUP_CHUNK]))})",
                    ordered[start : start + LOOKUP_CHUNK],
                )
                if phrase not in PHRASES_DICT
            }
        if found:
            PHRASES_DICT.update(found)
            mmseg.seg.train(found)

    def _open(self) -> None:
        path = phrases_path()
        try:
            if not path.is_file():
                write_once(path, _fill_phrases)
            self._connection = sqlite3.connect(read_only_uri(path), uri=True, check_same_thread=False)
        except (OSError, sqlite3.Error) as error:
            log.warning("pypinyin's phrases are kept in memory: %s cannot be written or read (%s)", path, error)
            self._connection = sqlite3.connect(":memory:", check_same_thread=False)
            _fill_phrases(self._connection)
        lengths = dict(self._connection.execute("select key, value from meta"))
        self._lengths = range(int(lengths["shortest"]), int(lengths["longest"]) + 1)


def phrases_path() -> Path:
    """The phrases file of this pypinyin: named after its version and the
    files of its phrase table (found by name: importing the table loads it)."""
    digest = hashlib.sha256(f"{PHRASES_FORMAT}\0{pypinyin.__version__}".encode())
    for source in sorted(Path(pypinyin.__file__).parent.glob("phrases_dict.*")):
        status = source.stat()
        digest.update(f"\0{source}\0{status.st_size}\0{status.st_mtime_ns}".encode())
    return Path(tempfile.gettempdir()) / f"lianghui-pypinyin-phrases.{digest.hexdigest()[:16]}.sqlite"


def _fill_phrases(connection: sqlite3.Connection) -> None:
    """The phrase table as pypinyin ships it."""
    from pypinyin import phrases_dict

    connection.execute("create table phrases (phrase text primary key, readings text) without rowid")
    connection.executemany(
        "insert into phrases values (?, ?)",
        ((phrase, json.dumps(readings, ensure_ascii=False)) for phrase, readings in sorted(phrases_dict.phrases_dict.items())),
    )
    # The lengths of piece a text is looked up by.
    lengths = [len(phrase) for phrase in phrases_dict.phrases_dict] or [1]
    connection.execute("create table meta (key text primary key, value text)")
    connection.executemany("insert into meta values (?, ?)", [("shortest", str(min(lengths))), ("longest", str(max(lengths)))])
    connection.commit()


_phrases = _Phrases()


@cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def char_rows() -> Iterator[dict[str, str]]:
    """One row per Han character: its simplified form and its toneless readings."""
    characters = [chr(code) for low, high in HAN_BLOCKS for code in range(low, high + 1)]
    # Convert character by character: OpenCC converts phrases, and neighbours must not interact.
    simplified = _t2s().convert("\n".join(characters)).split("\n")
    for char, simple in zip(characters, simplified):
        _phrases.teach(simple)
        readings = pinyin(simple, style=Style.NORMAL, heteronym=True, errors="ignore")
        syllables = [r.replace("ü", "v") for r in readings[0]] if readings else []
        if not syllables and simple == char:
            continue
        yield {"char": char, "simplified": simple, "pinyin": " ".join(dict.fromkeys(syllables))}


def name_readings(name: str, surname_length: int = 1) -> list[list[str]]:
    """Toneless syllables of a person's name, one list per plausible reading,
    the most likely first. Surnames read as surnames: 单 is shan, 曾 is zeng."""
    _phrases.teach(name)
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
    _phrases.teach(text)
    per_char = pinyin(text, style=Style.NORMAL, heteronym=True, errors=lambda chars: [["-"] for _ in chars])
    return " ".join(",".join(dict.fromkeys(r.replace("ü", "v") for r in readings)) for readings in per_char)


def phrase_reading(text: str) -> list[str]:
    """Toneless syllables of a place or topic name, read as a phrase (重庆 is chongqing)."""
    _phrases.teach(text)
    return [s.replace("ü", "v") for s in lazy_pinyin(text, style=Style.NORMAL, errors="ignore")]
