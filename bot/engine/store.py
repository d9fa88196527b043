"""Read-only access to the store, safe across threads and rebuilds.

Ingest replaces the store file with an atomic rename. A connection opened
before the rename keeps reading the old file (its inode stays alive until the
connection closes), so a query in flight never sees a half-built store. Each
new query checks the file's identity and, when it changed, checks the new file
(its schema, and its pages unless ingest wrote it) and opens it: answers come
from the old store, then from the new one. A damaged file put in its place
is refused, once, with a warning, and the old store goes on answering.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import StoreError
from ..schema import ITEM_ROW_FUNCTIONS, SCHEMA_VERSION, file_identity, is_as_built, read_only_uri

log = logging.getLogger(__name__)

MMAP_BYTES = 1 << 30  # more than a 10,000-article store (335 MB); SQLite maps no more than the file holds


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
        """The identity of the file at the path, once it is known to be a
        store of this version whose pages are whole. The pages of the file
        ingest wrote are not read again (it recorded the file as built); any
        other file, a copy or a file moved in by hand, gets SQLite's
        quick_check first (about 0.1 s for a 1,000-article store)."""
        try:
            identity = file_identity(self.path)
        except FileNotFoundError:
            raise StoreError(f"the store {self.path} does not exist; run: python bot.py ingest") from None
        connection = self._open()
        try:
            version = connection.execute("select value from meta where key = 'schema_version'").fetchone()
            if version and version[0] == SCHEMA_VERSION and not is_as_built(self.path, identity):
                verdict = connection.execute("pragma quick_check(1)").fetchone()[0]
                if verdict != "ok":
                    raise StoreError(f"the store {self.path} is damaged ({verdict}); rebuild it with: python bot.py ingest")
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
        for name, (arguments, function) in ITEM_ROW_FUNCTIONS.items():
            connection.create_function(name, arguments, function, deterministic=True)
        # Pages are read through a map of the file, not copied into SQLite's
        # 2 MB page cache: at 10,000 articles the queries of a few messages
        # evict each other's pages from that cache, and every answer read its
        # index pages again (a search ran 1.5-2x slower among other queries
        # than alone). The map is read-only and SQLite remaps it when an
        # in-place change (bot.py add) grows the file.
        connection.execute(f"pragma mmap_size = {MMAP_BYTES}")
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
            identity = file_identity(self.path)
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
