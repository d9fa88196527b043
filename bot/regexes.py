"""Regular expressions compiled once a machine, not once a process.

Python compiles a pattern in Python code (``re._parser``, ``re._compiler``),
and each class of Han characters, ``[\\u4e00-\\u9fff]``, costs it a loop over
20,992 code points. The reader's expressions took 0.1-0.25 s of every
``add`` and about 45 ms of a one-shot ``ask``, in processes that spend a
second or less in all. What the compiler hands to ``_sre``, its C half, is a
list of integers that depends only on the source, the flags and the
interpreter; it is kept in a lookup file beside jieba's and pypinyin's,
named after the interpreter, and given to ``_sre`` directly, which checks the
code as it checks the compiler's.

A pattern is kept only when ``_sre`` rebuilds from the kept parts a pattern
equal to ``re.compile``'s, so an interpreter whose internals differ keeps
nothing. Any failure (no file, one that cannot be written, one another user
owns, a row that does not load) compiles the pattern as ``re.compile`` does.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import sqlite3
import sys
import tempfile
import threading
from pathlib import Path

import _sre

from .schema import check_owned

log = logging.getLogger(__name__)

# Bumped when what a row holds changes.
FORMAT = "1"


def cache_path() -> Path:
    """The lookup file of this interpreter: compiled code is only valid for
    the _sre that made it."""
    digest = hashlib.sha256(f"{FORMAT}\0{sys.version}\0{sys.implementation.cache_tag}\0{_sre.MAGIC}\0{sys.maxunicode}".encode())
    return Path(tempfile.gettempdir()) / f"lianghui-regexes.{digest.hexdigest()[:16]}.sqlite"


class _Kept:
    """The lookup file, opened on the first pattern; None when it cannot be used."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None
        self._opened = False

    def connection(self) -> sqlite3.Connection | None:
        if not self._opened:
            self._opened = True
            path = cache_path()
            try:
                self._connection = _open(path)
            except (OSError, sqlite3.Error) as error:
                log.warning("regular expressions are compiled in each process: %s cannot be used (%s)", path, error)
        return self._connection


def _open(path: Path) -> sqlite3.Connection:
    try:
        # Created owner-only: the code in it decides what the reader matches.
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass
    check_owned(path)
    # A busy file (another process storing its new patterns) is waited on for at most a second.
    connection = sqlite3.connect(path, timeout=1.0, isolation_level=None, check_same_thread=False)
    connection.execute("pragma synchronous = off")
    connection.execute("create table if not exists patterns (key blob primary key, parts text not null) without rowid")
    return connection


_kept = _Kept()


def compiled(source: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(source, flags)``, from the lookup file when a process made
    it before. Thread-safe; every call reads the file, so keep the result."""
    flags = int(flags)
    key = hashlib.sha256(f"{flags}\0{source}".encode()).digest()[:16]
    with _kept.lock:
        connection = _kept.connection()
        if connection is not None:
            try:
                row = connection.execute("select parts from patterns where key = ?", [key]).fetchone()
                if row:
                    return _rebuilt(source, json.loads(row[0]))
            except (sqlite3.Error, ValueError, TypeError, RuntimeError) as error:
                log.debug("compiling %r anew: its kept code did not load (%s)", source[:40], error)
        pattern = re.compile(source, flags)
        if connection is not None:
            _keep(connection, key, source, flags, pattern)
        return pattern


def _rebuilt(source: str, parts: list) -> re.Pattern[str]:
    flags, code, groups, groupindex, indexgroup = parts
    return _sre.compile(source, flags, code, groups, groupindex, tuple(indexgroup))


def _keep(connection: sqlite3.Connection, key: bytes, source: str, flags: int, pattern: re.Pattern[str]) -> None:
    try:
        parts = _parts(source, flags)
        if _rebuilt(source, parts) != pattern:
            return
        connection.execute("insert or replace into patterns values (?, ?)", [key, json.dumps(parts)])
    except (sqlite3.Error, AttributeError, TypeError, ValueError, RuntimeError) as error:
        log.debug("%r is compiled in each process (%s)", source[:40], error)


def _parts(source: str, flags: int) -> list:
    """What re._compiler.compile hands to _sre.compile, as JSON holds it."""
    from re import _compiler, _parser

    parsed = _parser.parse(source, flags)
    code = [int(word) for word in _compiler._code(parsed, flags)]
    groupindex = dict(parsed.state.groupdict)
    indexgroup = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    return [flags | parsed.state.flags, code, parsed.state.groups - 1, groupindex, indexgroup]
