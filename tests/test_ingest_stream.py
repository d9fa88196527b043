"""A full ingest holds no article in memory while it writes the store: the
articles wait in an unnamed spill file between the two passes, and each is
read back, indexed and dropped. (That the streamed store is the store is
tests/test_incremental.py's: a full build equals adding one article at a time.)"""

from __future__ import annotations

import gc
import sqlite3
import sys
from pathlib import Path

import pytest

from bot.ingest import build, dictionary, write
from bot.ingest.build import build_store
from bot.ingest.records import ParsedArticle
from bot.ingest.segmenter import jieba

FIXTURES = Path(__file__).parent / "fixtures" / "articles"


def _articles_alive() -> int:
    return sum(1 for value in gc.get_objects() if isinstance(value, ParsedArticle))


def test_a_batch_is_written_with_at_most_the_article_being_indexed_in_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    alive: list[int] = []
    write_batch = write.write_batch

    def counting(db, batch) -> None:
        alive.append(_articles_alive())
        write_batch(db, batch)

    monkeypatch.setattr(write, "BATCH_ARTICLES", 4)
    monkeypatch.setattr(write, "write_batch", counting)
    store = tmp_path / "store" / "lianghui.db"
    report = build_store(FIXTURES, store, progress=False)

    articles = len(list(FIXTURES.glob("*.txt")))
    assert report.articles == articles
    # One write a batch of four, and the last (perhaps empty) batch.
    assert len(alive) == articles // 4 + 1
    # The article last indexed is still named by the loop that indexed it; no other is kept.
    assert max(alive) <= 1, alive
    with sqlite3.connect(store) as connection:
        assert connection.execute("select count(*) from articles").fetchone()[0] == articles
    # The spill file had no name: nothing but the store and its build record is left beside it.
    assert sorted(path.name for path in store.parent.iterdir()) == ["lianghui.db", "lianghui.db.built"]


@pytest.fixture
def tables_never_loaded_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """jieba's dictionary, word tags and IDF table (63, 56 and 30 MB loaded)
    cannot be loaded whole: loading one fails the test."""
    dictionary.words()  # the file itself is written from the tables loaded whole, once per machine

    def loaded_whole(*args: object) -> None:
        raise AssertionError("jieba's tables were loaded whole")

    monkeypatch.setattr(jieba.Tokenizer, "initialize", loaded_whole)
    monkeypatch.setattr(dictionary, "read_tags", loaded_whole)
    monkeypatch.setitem(sys.modules, "jieba.analyse", None)  # importing it loads the IDF table


@pytest.mark.usefixtures("tables_never_loaded_whole")
def test_an_ingest_reads_jiebas_tables_from_the_words_file(tmp_path: Path) -> None:
    """An ingest reads each word of jieba's tables from the words file as the
    articles ask for it (bot/ingest/dictionary.py), and loads none whole."""
    report = build_store(FIXTURES, tmp_path / "lianghui.db", progress=False)

    assert report.articles == len(list(FIXTURES.glob("*.txt"))) and sum(report.items.values()) > 100
    with sqlite3.connect(tmp_path / "lianghui.db") as connection:
        connection.execute("create virtual table temp.terms using fts5vocab(main, item_search_fts, 'col')")
        # The items' keywords, weighed by the IDF table read from the file.
        assert connection.execute("select count(*) from temp.terms where col = 'keywords'").fetchone()[0] > 100


@pytest.mark.usefixtures("tables_never_loaded_whole")
def test_an_ingest_worker_reads_jiebas_tables_from_the_words_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """What each worker of a large ingest starts with (build._start_survey,
    _start_linking), made here: jieba's dictionary, tags and IDF table read
    from the words file."""
    monkeypatch.setattr(build, "_discovery", None)
    monkeypatch.setattr(build, "_linker", None)
    build._start_survey(None)
    build._start_linking({"罗卫东": (1000, "nr", "person")}, dictionary.words().total + 1000, {"罗卫东"})

    assert build._discovery is not None and build._linker is not None
    assert [word for word, _ in build._discovery.tagger.cut("罗卫东代表表示")][:2] == ["罗", "卫东"]
    assert ("罗卫东", 0, 3) in build._linker.tokens("罗卫东代表表示")  # taught
    assert build._linker.keywords.top(["人工智能", "罗卫东"])
    for looked_up in (build._discovery.tokenizer.FREQ, build._linker.tokenizer.FREQ, build._linker.keywords.idf):
        assert isinstance(looked_up, dictionary.LookedUp)
