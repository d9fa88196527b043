"""Adding articles to the store and taking them out, as a person running the
bot does: ``lianghui-bot add PATH...`` and ``lianghui-bot remove ARTICLE``.

An article added is copied into the seeds folder (with its sidecar, when
one lies beside it), so the seeds stay the one source the store is built
from. A store current for its seeds is then changed in place, only where the
change touches it (incremental.py); a change that path cannot make exactly as
a full ingest would, or a store that was not current, is a full rebuild. If
either fails, the seeds folder is put back as it was and the old store stays.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import SeedError
from ..schema import read_only_uri
from .build import build_store, read_articles
from .freshness import seed_terms, store_is_current
from .incremental import NeedsRebuild, apply_change
from .records import BuildReport, ParsedArticle
from .seeds import ARTICLE_SUFFIX, META_SUFFIX

log = logging.getLogger(__name__)


@dataclass
class Change:
    """What adding or removing articles did to the store."""

    report: BuildReport
    articles: list[str] = field(default_factory=list)  # the articles (file stems) added or removed
    new_items: list[int] = field(default_factory=list)  # items the store did not hold before, in store order
    in_place: bool = False  # changed in place, not rebuilt


def _item_ids(db_path: Path) -> list[int]:
    """The store's items in their ranked order; none when there is no store yet."""
    if not db_path.exists():
        return []
    try:
        connection = sqlite3.connect(read_only_uri(db_path), uri=True)
        try:
            return [row[0] for row in connection.execute("select id from items order by rank")]
        finally:
            connection.close()
    except sqlite3.Error:
        return []


def _rebuilt(seeds_dir: Path, db_path: Path, undo: list[Path], restore: list[tuple[Path, bytes]]) -> BuildReport:
    """Build the store from the seeds as they now are; on failure, remove the
    files this change put there and put back the ones it took away."""
    try:
        return build_store(seeds_dir, db_path, progress=False)
    except BaseException:
        _put_back(undo, restore)
        raise


def _put_back(undo: list[Path], restore: list[tuple[Path, bytes]]) -> None:
    for path in undo:
        path.unlink(missing_ok=True)
    for path, content in restore:
        path.write_bytes(content)


def _in_place(
    seeds_dir: Path,
    db_path: Path,
    added: list[ParsedArticle],
    removed: list[ParsedArticle],
    files: tuple[int, int],
    undo: list[Path],
    restore: list[tuple[Path, bytes]],
) -> tuple[BuildReport, list[int]] | None:
    """The change made in place; None when only a full rebuild makes it
    exactly (the store is then untouched). A bad article puts the seeds back.
    ``files``: the seed files' terms taken out and put in (apply_change)."""
    try:
        applied = apply_change(db_path, seeds_dir, added, removed, files)
    except NeedsRebuild as reason:
        log.info("rebuilding the store: %s", reason)
        return None
    except BaseException:
        _put_back(undo, restore)
        raise
    return applied.report, applied.new_items


def add_articles(paths: list[Path], seeds_dir: Path, db_path: Path) -> Change:
    """Copy each article (and its sidecar) into the seeds and update the store.
    An article whose name is taken by a different file is refused."""
    seeds_dir.mkdir(parents=True, exist_ok=True)
    current = store_is_current(db_path, seeds_dir)
    before = set() if current else set(_item_ids(db_path))
    copies: list[tuple[Path, Path]] = []
    for path in paths:
        if path.suffix != ARTICLE_SUFFIX or not path.is_file():
            raise SeedError(path, None, f"not an article: expected a readable {ARTICLE_SUFFIX} file")
        for source in (path, path.with_suffix(META_SUFFIX)):
            if not source.is_file():
                continue
            target = seeds_dir / source.name
            if target.exists() and target.read_bytes() != source.read_bytes():
                raise SeedError(path, None, f"{target} already exists with other content; rename the article first")
            copies.append((source, target))
    created = [target for _, target in copies if not target.exists()]
    for source, target in copies:
        if target in created:
            shutil.copyfile(source, target)
    stems = [path.stem for path in paths]
    if current:
        try:
            added = read_articles(seeds_dir / path.name for path in paths)
        except BaseException:
            _put_back(created, [])
            raise
        done = _in_place(seeds_dir, db_path, added, [], (0, seed_terms(created)), created, [])
        if done:
            return Change(done[0], stems, done[1], in_place=True)
    report = _rebuilt(seeds_dir, db_path, created, [])
    new_items = [item_id for item_id in _item_ids(db_path) if item_id not in before]
    return Change(report, stems, new_items)


def remove_article(article: str, seeds_dir: Path, db_path: Path) -> Change:
    """Take one article (by file name or stem) and its sidecar out of the
    seeds, and the store."""
    stem = Path(article).stem if article.endswith((ARTICLE_SUFFIX, META_SUFFIX)) else article
    text = seeds_dir / f"{stem}{ARTICLE_SUFFIX}"
    if Path(stem).name != stem or not text.is_file():
        raise SeedError(seeds_dir, None, f"no article {article!r} in the seeds")
    removing: list[ParsedArticle] | None = None
    if store_is_current(db_path, seeds_dir):
        try:
            removing = read_articles([text])
        except SeedError:
            removing = None  # what it held cannot be read again: a full rebuild takes it out
    removed = [path for path in (text, text.with_suffix(META_SUFFIX)) if path.is_file()]
    kept = [(path, path.read_bytes()) for path in removed]
    gone = seed_terms(removed)
    for path in removed:
        path.unlink()
    if removing is not None:
        done = _in_place(seeds_dir, db_path, [], removing, (gone, 0), [], kept)
        if done:
            return Change(done[0], [stem], in_place=True)
    report = _rebuilt(seeds_dir, db_path, [], kept)
    return Change(report, [stem])
