"""Whether the store is current: built, whole, from these seeds, by this version.

Ingest records what it built the store from (the seeds' names, sizes and
times, the schema version and the shipped data files) and the identity of the
file it wrote; the command line asks here, before opening the engine,
whether the store must be built first.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

from ..schema import SCHEMA_VERSION, file_identity, read_only_uri
from .gazetteer import DATA


def seeds_fingerprint(seeds_dir: Path) -> str:
    """What the store was built from: every seed and sidecar's name, size and
    modification time, plus the schema version and the shipped data files (the gazetteer and
    lexicon: a change to them changes the store)."""
    digest = hashlib.sha256(SCHEMA_VERSION.encode())
    files = sorted([*seeds_dir.glob("*.txt"), *seeds_dir.glob("*.toml")]) + sorted(DATA.glob("*.toml"))
    for path in files:
        stat = path.stat()
        digest.update(f"{path.name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


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
    temporary.write_text(" ".join(map(str, file_identity(db_path))), encoding="ascii")
    os.replace(temporary, marker)


def _as_built(db_path: Path) -> bool:
    try:
        recorded = built_marker(db_path).read_text(encoding="ascii").split()
        return tuple(map(int, recorded)) == file_identity(db_path)
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
