"""Read-only access to the store, safe across threads and rebuilds.

Ingest replaces the store file with an atomic rename. A connection opened
before the rename keeps reading the old file (its inode stays alive until the
connection closes), so a query in flight never sees a half-built store. Each
new query checks the file's identity and, when it changed, opens the new one:
answers come from the old store, then from the new one.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .errors import StoreError
from .schema import SCHEMA_VERSION

log = logging.getLogger(__name__)

# The gazetteer and lexicon ship with the code; a change to them changes the store.
DATA = Path(__file__).parent / "data"


def seeds_fingerprint(seeds_dir: Path) -> str:
    """What the store was built from: every seed and sidecar's name, size and
    modification time, plus the schema version and the shipped data files."""
    digest = hashlib.sha256(SCHEMA_VERSION.encode())
    files = sorted([*seeds_dir.glob("*.txt"), *seeds_dir.glob("*.toml")]) + sorted(DATA.glob("*.toml"))
    for path in files:
        stat = path.stat()
        digest.update(f"{path.name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def read_only_uri(path: Path) -> str:
    """An SQLite URI that opens path read-only. The path is percent-encoded:
    a '?', '#' or '%' in a directory name would otherwise end the file name."""
    return f"file:{quote(str(path))}?mode=ro"


def store_is_current(db_path: Path, seeds_dir: Path) -> bool:
    """True when the store exists, is sound, and was built from these seeds by
    this version. It reads no seed, only their sizes and times.

    A damaged file must be rebuilt at start-up instead of failing
    mid-answer, but SQLite's page check reads every page (about 0.1 s for a
    1,000-article store). The file ingest wrote is sound: its identity is
    recorded beside it (see mark_built), and while the file is that one the
    pages are not read again. Any other file (copied, replaced, truncated,
    written over) gets the full check."""
    if not db_path.exists():
        return False
    try:
        connection = sqlite3.connect(read_only_uri(db_path), uri=True)
        try:
            rows = dict(connection.execute("select key, value from meta").fetchall())
            if rows.get("schema_version") != SCHEMA_VERSION:
                return False
            if seeds_dir.is_dir() and rows.get("seeds_fingerprint") != seeds_fingerprint(seeds_dir):
                return False
            # A store shipped without its seeds is used as it is, if it is sound.
            return _as_built(db_path) or connection.execute("pragma quick_check(1)").fetchone()[0] == "ok"
        finally:
            connection.close()
    except sqlite3.Error:
        return False


def built_marker(db_path: Path) -> Path:
    """Where ingest records the identity of the store file it wrote."""
    return db_path.with_name(db_path.name + ".built")


def mark_built(db_path: Path) -> None:
    """Record that the file now at db_path is the one ingest wrote, whole.
    Written atomically, like the store."""
    marker = built_marker(db_path)
    temporary = marker.with_name(marker.name + ".tmp")
    temporary.write_text(" ".join(map(str, _identity(db_path))), encoding="ascii")
    os.replace(temporary, marker)


def _as_built(db_path: Path) -> bool:
    try:
        recorded = built_marker(db_path).read_text(encoding="ascii").split()
        return tuple(map(int, recorded)) == _identity(db_path)
    except (OSError, ValueError):
        return False


def recorded_seeds_dir(db_path: Path) -> Path | None:
    """The seeds directory the store was built from, as its meta table
    records it; None when there is no store, or it cannot say."""
    try:
        connection = sqlite3.connect(read_only_uri(db_path), uri=True)
        try:
            row = connection.execute("select value from meta where key = 'seeds_dir'").fetchone()
        finally:
            connection.close()
    except sqlite3.Error:
        return None
    return Path(row[0]) if row and row[0] else None


def _identity(path: Path) -> tuple[int, int, int]:
    stat = os.stat(path)
    return stat.st_ino, stat.st_size, stat.st_mtime_ns


class Store:
    """The store opened read-only, one connection per thread."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._local = threading.local()
        self._generation = 0
        self._rejected: tuple[int, int, int] | None = None  # a replacement found broken
        self._identity = self._check()
        self._lock = threading.Lock()

    def _check(self) -> tuple[int, int, int]:
        try:
            identity = _identity(self.path)
        except FileNotFoundError:
            raise StoreError(f"the store {self.path} does not exist; run: python bot.py ingest") from None
        connection = self._open()
        try:
            version = connection.execute("select value from meta where key = 'schema_version'").fetchone()
        except sqlite3.DatabaseError as error:
            raise StoreError(f"the store {self.path} is not a valid store ({error}); rebuild it with: python bot.py ingest") from None
        finally:
            connection.close()
        if not version or version[0] != SCHEMA_VERSION:
            raise StoreError(f"the store {self.path} was built by another version; rebuild it with: python bot.py ingest")
        return identity

    def _open(self) -> sqlite3.Connection:
        try:
            connection = sqlite3.connect(read_only_uri(self.path), uri=True, check_same_thread=False)
        except sqlite3.Error as error:
            raise StoreError(f"cannot open the store {self.path}: {error}") from None
        connection.row_factory = sqlite3.Row
        return connection

    @property
    def generation(self) -> int:
        """Increases each time a rebuilt store is picked up (see refresh), so
        caches built from the old one know to start again."""
        return self._generation

    def refresh(self) -> bool:
        """Pick up a rebuilt store: the engine calls this once per message.
        Returns True when the file changed."""
        try:
            identity = _identity(self.path)
        except FileNotFoundError:
            return False  # keep serving from the open connections
        if identity in (self._identity, self._rejected):
            return False
        with self._lock:
            if identity != self._identity:
                try:
                    self._identity = self._check()
                except StoreError as error:
                    # A broken replacement: keep serving the old store, and say so once.
                    self._rejected = identity
                    log.warning("not switching to the rebuilt store: %s", error)
                    return False
                self._generation += 1
        return True

    def connection(self) -> sqlite3.Connection:
        local = self._local
        if getattr(local, "generation", None) != self._generation or getattr(local, "connection", None) is None:
            if getattr(local, "connection", None) is not None:
                local.connection.close()
            local.connection = self._open()
            local.generation = self._generation
        return local.connection

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        return self.connection().execute(sql, params).fetchall()

    def row(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        return self.connection().execute(sql, params).fetchone()

    def value(self, sql: str, params: Sequence[Any] = ()) -> Any:
        found = self.row(sql, params)
        return found[0] if found else None

    def close(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None
