"""Adding and removing articles (lianghui-bot add / remove): the seeds
folder stays the one source of the store, and a failure changes nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.errors import SeedError
from bot.ingest.build import build_store
from bot.ingest.changes import add_articles, remove_article
from bot.ingest.freshness import store_is_current
from conftest import FIXTURES, bot_py, settle

WEB_ARTICLE = FIXTURES / "web_article.txt"


def people(db: Path) -> set[str]:
    with sqlite3.connect(db) as connection:
        return {row[0] for row in connection.execute("select name from people")}


def item_ids(db: Path) -> set[int]:
    with sqlite3.connect(db) as connection:
        return {row[0] for row in connection.execute("select id from items")}


def test_an_added_article_brings_its_people_and_only_its_items_are_new(seeds_copy: Path, tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    build_store(seeds_copy, db, progress=False)
    before = item_ids(db)
    change = add_articles([WEB_ARTICLE], seeds_copy, db)
    assert ["web_article"] == change.articles
    assert (seeds_copy / "web_article.txt").read_bytes() == WEB_ARTICLE.read_bytes()
    assert {"马新强", "童若溪"} <= people(db)
    assert set(change.new_items) == item_ids(db) - before and change.new_items
    removed = remove_article("web_article.txt", seeds_copy, db)
    assert ["web_article"] == removed.articles and not (seeds_copy / "web_article.txt").exists()
    assert before == item_ids(db) and "童若溪" not in people(db)


def test_an_article_that_cannot_be_read_changes_neither_the_seeds_nor_the_store(seeds_copy: Path, tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    build_store(seeds_copy, db, progress=False)
    settle(seeds_copy)
    assert store_is_current(db, seeds_copy)  # records the stamp: the add's own check has nothing to renew
    stored = db.read_bytes()
    broken = tmp_path / "broken.txt"
    broken.write_bytes(b"\xff\xfe not text \x00")
    listing = sorted(path.name for path in seeds_copy.iterdir())
    with pytest.raises(SeedError):
        add_articles([broken], seeds_copy, db)
    assert listing == sorted(path.name for path in seeds_copy.iterdir())
    assert stored == db.read_bytes()


def test_a_name_taken_by_another_article_is_refused(seeds_copy: Path, tmp_path: Path) -> None:
    other = tmp_path / "other" / "2025-03-cjrb-four-cities-innovation.txt"
    other.parent.mkdir()
    other.write_text(WEB_ARTICLE.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(SeedError, match="already exists"):
        add_articles([other], seeds_copy, tmp_path / "store.db")


def test_the_commands_say_what_they_did(seeds_copy: Path, tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    added = bot_py("add", "--seeds", str(seeds_copy), "--db", str(db), str(WEB_ARTICLE))
    assert 0 == added.returncode, added.stderr
    assert "2 articles" in added.stdout and "added web_article" in added.stdout
    missing = bot_py("remove", "--seeds", str(seeds_copy), "--db", str(db), "no-such-article")
    assert 1 == missing.returncode and "no article 'no-such-article'" in missing.stderr
    removed = bot_py("remove", "--seeds", str(seeds_copy), "--db", str(db), "web_article")
    assert 0 == removed.returncode and "1 articles" in removed.stdout
