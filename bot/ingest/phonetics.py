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

Its table of each character's readings (40,000, read from JSON at import: 50
ms of the second an added article takes) is read from the same file, a
character at a time, when pypinyin first asks about it (_CharReadings).
"""

from __future__ import annotations

import hashlib
import importlib.util
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
from types import ModuleType

import opencc

from .dictionary import LOOKUP_CHUNK, open_lookup


class _CharReadings(dict):
    """pypinyin's readings of each character (its PINYIN_DICT, code point ->
    readings), read from the tables file on pypinyin's first question about
    a character: pypinyin asks only ``code in table`` and ``table[code]``."""

    def __init__(self) -> None:
        super().__init__()
        self._absent: set[int] = set()
        self._whole = False

    def __contains__(self, code: object) -> bool:
        return dict.__contains__(self, code) or self._read(code)

    def __missing__(self, code: int) -> str:
        if self._read(code):
            return dict.__getitem__(self, code)
        raise KeyError(code)

    def read_all(self) -> None:
        """Every character's readings at once, for a reader of them all."""
        self.update(_tables.all_char_readings())
        self._whole = True

    def _read(self, code: object) -> bool:
        if self._whole or not isinstance(code, int) or code in self._absent:
            return False
        readings = _tables.char_readings(code)
        if readings is None:
            self._absent.add(code)
            return False
        self[code] = readings
        return True


# Read at pypinyin's import only: no phrase table, and its character table used as given, not copied.
_SETTINGS = {"PYPINYIN_NO_PHRASES": "1", "PYPINYIN_NO_DICT_COPY": "1"}
_settings_before = {name: os.environ.get(name) for name in _SETTINGS}
# Whether this module hands pypinyin its tables: not when it was imported whole before.
_HANDED = "pypinyin" not in sys.modules
if _HANDED:
    os.environ.update(_SETTINGS)
    _handed_table = ModuleType("pypinyin.pinyin_dict")
    _handed_table.pinyin_dict = _CharReadings()
    sys.modules["pypinyin.pinyin_dict"] = _handed_table
try:
    import pypinyin
    from pypinyin import Style, lazy_pinyin, pinyin
    from pypinyin.constants import PHRASES_DICT
    from pypinyin.seg import mmseg
finally:
    for _name, _value in _settings_before.items():
        if _value is None:
            os.environ.pop(_name, None)
        else:
            os.environ[_name] = _value

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


# Bumped when the tables file's layout changes.
TABLES_FORMAT = "3"


class _Tables:
    """pypinyin's phrases and character readings, read from the tables file:
    a text's phrases are handed to pypinyin (its phrase table and its
    segmenter's prefixes) before the text is read, each piece of text looked
    up once a process; a character's readings when pypinyin asks for them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._looked_up: set[str] = set()
        self._connection: sqlite3.Connection | None = None
        self._lengths = range(0)

    def teach(self, text: str) -> None:
        with self._lock:
            connection = self._opened()
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
                for phrase, readings in connection.execute(
                    f"select phrase, readings from phrases where phrase in ({','.join('?' * len(ordered[start : start + LOOKUP_CHUNK]))})",
                    ordered[start : start + LOOKUP_CHUNK],
                )
                if phrase not in PHRASES_DICT
            }
        if found:
            PHRASES_DICT.update(found)
            mmseg.seg.train(found)

    def char_readings(self, code: int) -> str | None:
        """A character's readings as pypinyin's table holds them, None when it has none."""
        with self._lock:
            row = self._opened().execute("select readings from chars where code = ?", [code]).fetchone()
        return row[0] if row else None

    def all_char_readings(self) -> list[tuple[int, str]]:
        with self._lock:
            return self._opened().execute("select code, readings from chars").fetchall()

    def _opened(self) -> sqlite3.Connection:
        if self._connection is None:
            self._open()
        return self._connection

    def _open(self) -> None:
        path = tables_path()
        try:
            self._connection = open_lookup(path, _fill_tables)
        except (OSError, sqlite3.Error) as error:
            log.warning("pypinyin's tables are kept in memory: %s cannot be written or read (%s)", path, error)
            self._connection = sqlite3.connect(":memory:", check_same_thread=False)
            _fill_tables(self._connection)
        lengths = dict(self._connection.execute("select key, value from meta"))
        self._lengths = range(int(lengths["shortest"]), int(lengths["longest"]) + 1)


def tables_path() -> Path:
    """The tables file of this pypinyin: named after its version and the
    files of its tables (found by name: importing a table loads it)."""
    digest = hashlib.sha256(f"{TABLES_FORMAT}\0{pypinyin.__version__}".encode())
    folder = Path(pypinyin.__file__).parent
    for source in sorted([*folder.glob("phrases_dict.*"), *folder.glob("pinyin_dict.*")]):
        status = source.stat()
        digest.update(f"\0{source}\0{status.st_size}\0{status.st_mtime_ns}".encode())
    return Path(tempfile.gettempdir()) / f"lianghui-pypinyin-tables.{digest.hexdigest()[:16]}.sqlite"


def _whole_char_table() -> dict[int, str]:
    """pypinyin's table of character readings as it ships it, loaded from its
    module's file: the name pypinyin imports it by holds the handed table."""
    spec = importlib.util.spec_from_file_location("_whole_pinyin_dict", Path(pypinyin.__file__).parent / "pinyin_dict.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.pinyin_dict


def _fill_tables(connection: sqlite3.Connection) -> None:
    """The phrase table and the character table as pypinyin ships them."""
    from pypinyin import phrases_dict

    connection.execute("create table phrases (phrase text primary key, readings text) without rowid")
    connection.executemany(
        "insert into phrases values (?, ?)",
        ((phrase, json.dumps(readings, ensure_ascii=False)) for phrase, readings in sorted(phrases_dict.phrases_dict.items())),
    )
    connection.execute("create table chars (code integer primary key, readings text)")
    connection.executemany("insert into chars values (?, ?)", sorted(_whole_char_table().items()))
    # The lengths of piece a text is looked up by.
    lengths = [len(phrase) for phrase in phrases_dict.phrases_dict] or [1]
    connection.execute("create table meta (key text primary key, value text)")
    connection.executemany("insert into meta values (?, ?)", [("shortest", str(min(lengths))), ("longest", str(max(lengths)))])
    connection.commit()


_tables = _Tables()


@cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def char_rows() -> Iterator[dict[str, str]]:
    """One row per Han character: its simplified form and its toneless readings."""
    characters = [chr(code) for low, high in HAN_BLOCKS for code in range(low, high + 1)]
    if _HANDED:
        _handed_table.pinyin_dict.read_all()
    # Convert character by character: OpenCC converts phrases, and neighbours must not interact.
    simplified = _t2s().convert("\n".join(characters)).split("\n")
    for char, simple in zip(characters, simplified):
        _tables.teach(simple)
        readings = pinyin(simple, style=Style.NORMAL, heteronym=True, errors="ignore")
        syllables = [r.replace("ü", "v") for r in readings[0]] if readings else []
        if not syllables and simple == char:
            continue
        yield {"char": char, "simplified": simple, "pinyin": " ".join(dict.fromkeys(syllables))}


def name_readings(name: str, surname_length: int = 1) -> list[list[str]]:
    """Toneless syllables of a person's name, one list per plausible reading,
    the most likely first. Surnames read as surnames: 单 is shan, 曾 is zeng."""
    return _name_readings(name, surname_length, _per_char(name))


def name_phonetics(name: str, surname_length: int = 1) -> tuple[list[list[str]], str]:
    """A name's readings (name_readings) and syllables (char_syllables), from
    one reading of it by pypinyin, which the two each took (a third of a
    person's row at a full ingest)."""
    per_char = _per_char(name)
    return _name_readings(name, surname_length, per_char), _syllables(per_char)


def _name_readings(name: str, surname_length: int, per_char: list[list[str]]) -> list[list[str]]:
    # The characters with a reading: pypinyin's heteronyms list a character's usual reading first, which is lazy_pinyin's.
    read = [readings for readings in per_char if readings != _NO_READING]
    primary = [readings[0].replace("ü", "v") for readings in read]
    if surname_length == 1 and name[:1] in SURNAME_READINGS and primary:
        primary[0] = SURNAME_READINGS[name[0]]
    options = [[s.replace("ü", "v") for s in readings] for readings in read]
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
    return _syllables(_per_char(text))


def _syllables(per_char: list[list[str]]) -> str:
    return " ".join(",".join(dict.fromkeys(r.replace("ü", "v") for r in readings)) for readings in per_char)


# What a character without a reading reads as, in _per_char's answer.
_NO_READING = ["-"]


def _per_char(text: str) -> list[list[str]]:
    """Every reading pypinyin gives each character of text, in its order; _NO_READING for a character without one."""
    _tables.teach(text)
    return pinyin(text, style=Style.NORMAL, heteronym=True, errors=lambda chars: [list(_NO_READING) for _ in chars])


def phrase_reading(text: str) -> list[str]:
    """Toneless syllables of a place or topic name, read as a phrase (重庆 is chongqing)."""
    _tables.teach(text)
    return [s.replace("ü", "v") for s in lazy_pinyin(text, style=Style.NORMAL, errors="ignore")]
