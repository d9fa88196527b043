"""Whether the store is current: built, whole, from these seeds, by this version.

Ingest records what it built the store from (the seeds folder's stamp, the
seeds' names, sizes and times, the schema version and the shipped data files) and the identity of the
file it wrote; the command line asks here, before opening the engine,
whether the store must be built first.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path

from ..errors import StoreError
from ..schema import SCHEMA_VERSION, built_marker, file_identity, is_as_built, read_only_uri
from .files import ARTICLE_SUFFIXES, META_SUFFIX
from .gazetteer import DATA

# The files whose change changes the store.
FINGERPRINTED = (*ARTICLE_SUFFIXES, META_SUFFIX)


# A folder changed this recently may change again within the same tick of
# its clock: its time says nothing yet (git's "racy" index entries).
RACY_SECONDS = 2.0


def check_store_path(db_path: Path) -> None:
    """A store path that can never be a store is one clear line, not a
    traceback from deep inside SQLite or a rename. Here, not in build, so a
    command that only reads the store checks it without loading jieba."""
    if db_path.is_dir():
        raise StoreError(f"the store path {db_path} is a folder; give --db (or LIANGHUI_DB) a file name, e.g. {db_path / 'lianghui.db'}")


def seeds_fingerprint(seeds_dir: Path) -> str:
    """What the store was built from, in two parts: the seeds folder's own
    stamp (see folder_stamp), then every seed and sidecar's name, size and
    modification time, plus the schema version and the shipped data files'
    content (the gazetteer and lexicon: a change to them changes the store)."""
    return f"{folder_stamp(seeds_dir)} {_files_digest(seeds_dir)}"


def folder_stamp(seeds_dir: Path) -> str:
    """The seeds folder's identity and modification time, with the schema
    version and the data files: one stat whatever the number of articles.
    Adding, removing or renaming a file changes the folder's time, and so does
    saving one with an editor that writes a new file and renames it over the
    old. "-" when the folder changed too recently for its time to be trusted."""
    status = seeds_dir.stat()
    if time.time() - status.st_mtime < RACY_SECONDS:
        return "-"
    digest = hashlib.sha256(f"{SCHEMA_VERSION}\0{status.st_dev}\0{status.st_ino}\0{status.st_mtime_ns}".encode())
    digest.update(data_digest().encode())
    return digest.hexdigest()


def data_digest() -> str:
    """The shipped data files (the gazetteer, lexicon and genre) by their
    content, not their times: another checkout of the same version, or a
    reinstall, has new times but builds the same store, and the files are
    small (70 KB, a fraction of a millisecond to hash)."""
    digest = hashlib.sha256()
    for path in sorted(DATA.glob("*.toml")):
        digest.update(path.name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


# Each file's line is hashed on its own and the hashes summed modulo
# 2**256: the digest is the same in any order, so a change of a few files
# moves it by their terms alone (shifted_fingerprint), without a stat of the
# other 10,000.
DIGEST_MODULUS = 2**256


def _files_digest(seeds_dir: Path) -> str:
    """Every seed's name, size and time, summed (see DIGEST_MODULUS), with
    the schema version and the data files' content. Read with scandir,
    unsorted: the sum needs no order."""
    total = _term(f"schema\0{SCHEMA_VERSION}\0{data_digest()}")
    with os.scandir(seeds_dir) as entries:
        for entry in entries:
            if not _fingerprinted(entry.name):
                continue
            try:
                stat = entry.stat()
            except OSError:  # a dangling link: skipped by ingest too, but its presence counts
                total += _term(f"seed\0{entry.name}\0-")
                continue
            total += _term(f"seed\0{entry.name}\0{stat.st_size}\0{stat.st_mtime_ns}")
    return f"{total % DIGEST_MODULUS:064x}"


def _term(line: str) -> int:
    return int.from_bytes(hashlib.sha256(line.encode()).digest(), "big")


def seed_terms(paths: Iterable[Path]) -> int:
    """What these seed files (those that exist now) add to the files digest."""
    total = 0
    for path in paths:
        if _fingerprinted(path.name) and os.path.lexists(path):
            try:
                stat = path.stat()
            except OSError:
                total += _term(f"seed\0{path.name}\0-")
                continue
            total += _term(f"seed\0{path.name}\0{stat.st_size}\0{stat.st_mtime_ns}")
    return total


def shifted_fingerprint(recorded: str | None, seeds_dir: Path, gone: int, came: int) -> str:
    """The fingerprint of the seeds after a change took out files whose
    terms (seed_terms, taken before) sum to ``gone`` and put in files whose
    terms sum to ``came``: the same cost at 10 articles and 10,000. It is
    exact when the recorded one was (the store was current for its seeds);
    when not, the next full comparison finds the difference, as it would
    have."""
    _, _, files = (recorded or "").partition(" ")
    try:
        before = int(files, 16)
    except ValueError:  # none recorded: every file is read once
        return seeds_fingerprint(seeds_dir)
    return f"{folder_stamp(seeds_dir)} {(before - gone + came) % DIGEST_MODULUS:064x}"


def _fingerprinted(name: str) -> bool:
    # Each suffix is one dot and letters, so ending with one is having it as the extension
    # (a seventh of the cost of splitting the name, for each of 13,400 files at 10,000 articles).
    return not name.startswith(".") and name.lower().endswith(FINGERPRINTED)


def seeds_unchanged(recorded: str | None, seeds_dir: Path) -> bool:
    """Whether the seeds are as the store recorded them: by the folder's stamp
    alone when it is unchanged (the same cost at 10 articles and 10,000), and
    by every file's name, size and time only when the folder changed, as an
    editor's lock file coming and going changes it."""
    return _seeds_state(recorded, seeds_dir)[0]


def _seeds_state(recorded: str | None, seeds_dir: Path) -> tuple[bool, str | None]:
    """Whether the seeds are unchanged (seeds_unchanged), and the fingerprint
    to record instead when they are but the folder's stamp no longer says so:
    recorded just after an add (the folder too fresh to trust, "-"), or the
    folder touched since by a lock file. Every check would otherwise compare
    every file (0.1-0.2 s at 10,000 articles) until the next full ingest. The
    files are compared once for both answers: the stamp is taken before they
    are and must be the same after (a file changed in between changes the
    folder's time, and nothing is renewed)."""
    stamp, _, files = (recorded or "").partition(" ")
    before = folder_stamp(seeds_dir)
    if stamp != "-" and stamp == before:
        return True, None
    if files != _files_digest(seeds_dir):
        return False, None
    if before == "-" or folder_stamp(seeds_dir) != before:
        return True, None
    return True, f"{before} {files}"


def store_is_current(db_path: Path, seeds_dir: Path) -> bool:
    """True when the store exists, is sound, and was built from these seeds by
    this version. It reads no seed; when the seeds folder is unchanged, it
    looks at nothing in it but the folder itself (see seeds_unchanged). When
    only the folder's stamp was stale, the store records the new one, so the
    next check is again one stat (see _seeds_state).

    A damaged file must be rebuilt at start-up instead of failing
    mid-answer, but SQLite's page check reads every page (about 0.1 s for a
    1,000-article store). The file ingest wrote is sound: its identity is
    recorded beside it (see mark_built), and while the file is that one the
    pages are not read again. Any other file (copied, replaced, truncated,
    written over) gets the full check."""
    sound = _sound_meta(db_path, seeds_dir)
    if sound is None:
        return False
    meta, renewed = sound
    if renewed is not None:
        _record_fingerprint(db_path, meta.get("seeds_fingerprint"), renewed)
    return True


def _record_fingerprint(db_path: Path, recorded: str | None, renewed: str) -> None:
    """Record a renewed fingerprint (see _seeds_state) in the store,
    in place of the one read, keeping the store marked as built. Best effort:
    a store that cannot be written now (read-only, or busy with an add) keeps
    the old one and is simply compared file by file again next time; one an
    add changed since it was read keeps what the add recorded."""
    try:
        as_built = is_as_built(db_path)
        connection = sqlite3.connect(db_path, timeout=0)
        try:
            with connection:
                changed = connection.execute(
                    "update meta set value = ? where key = 'seeds_fingerprint' and value = ?", (renewed, recorded)
                ).rowcount
        finally:
            connection.close()
        if as_built and changed:
            mark_built(db_path)
    except (sqlite3.Error, OSError):
        return


def store_is_sound(db_path: Path) -> bool:
    """True when the store exists, was built by this version and its pages
    are whole, whatever its seeds now say: a store that can still answer."""
    return _sound(db_path, None)


def _sound(db_path: Path, seeds_dir: Path | None) -> bool:
    return _sound_meta(db_path, seeds_dir) is not None


def _sound_meta(db_path: Path, seeds_dir: Path | None) -> tuple[dict[str, str], str | None] | None:
    """The store's meta table when the store is sound (see store_is_current),
    with the seeds' fingerprint to record instead (_seeds_state); else None."""
    if not db_path.is_file():
        return None
    try:
        connection = sqlite3.connect(read_only_uri(db_path), uri=True)
        try:
            rows = dict(connection.execute("select key, value from meta").fetchall())
            if rows.get("schema_version") != SCHEMA_VERSION:
                return None
            renewed = None
            if seeds_dir is not None and seeds_dir.is_dir():
                unchanged, renewed = _seeds_state(rows.get("seeds_fingerprint"), seeds_dir)
                if not unchanged:
                    return None
            # A store shipped without its seeds is used as it is, if it is sound.
            whole = is_as_built(db_path) or connection.execute("pragma quick_check(1)").fetchone()[0] == "ok"
            return (rows, renewed) if whole else None
        finally:
            connection.close()
    except sqlite3.Error:
        return None


def mark_built(db_path: Path) -> None:
    """Record that the file now at db_path is the one ingest wrote, whole.
    Written atomically, like the store."""
    marker = built_marker(db_path)
    temporary = marker.with_name(marker.name + ".tmp")
    temporary.write_text(" ".join(map(str, file_identity(db_path))), encoding="ascii")
    os.replace(temporary, marker)


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
