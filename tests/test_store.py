"""The store built from the first seed (bot/ingest.py, bot/schema.py).

The store is a plain SQLite file that other tools open as it is, its numbers
are the article's numbers, every fact about a person keeps its source, and
its ids are stable: rebuilding, or adding an article, renumbers nothing.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlite_utils

from bot.ingest.build import build_store
from bot.schema import TABLES
from bot.ingest.seeds import read_meta
from conftest import FIXTURES, SEEDS

ARTICLE = SEEDS / "2025-03-cjrb-four-cities-innovation.txt"
SIDECAR = ARTICLE.with_suffix(".toml")


@pytest.fixture(scope="module")
def db(seed_db: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(seed_db)
    connection.row_factory = sqlite3.Row
    return connection


def _everything(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


# ----------------------------------------------------------------- tables


@pytest.mark.parametrize("table", TABLES)
def test_every_documented_table_exists(seed_db: Path, table: str) -> None:
    assert table in sqlite_utils.Database(seed_db).table_names()


def test_sqlite_utils_cli_lists_the_tables(seed_db: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sqlite_utils", "tables", str(seed_db), "--csv", "--no-headers"],
        capture_output=True,
        text=True,
        check=True,
    )
    listed = set(result.stdout.split())
    assert set() == set(TABLES) - listed


def test_the_full_text_index_keeps_no_copy_of_the_text(db: sqlite3.Connection) -> None:
    """Answers are read from items: the index holds what finds them, not the text again."""
    indexed = db.execute("select rowid, text from item_search_fts").fetchall()
    assert {row[0] for row in db.execute("select search_id from items")} == {row[0] for row in indexed}
    assert {None} == {row[1] for row in indexed}


def test_search_rows_are_numbered_densely_in_the_order_ingest_indexes_items(db: sqlite3.Connection) -> None:
    """The indexes number their rows 1, 2, 3 ... (a search_id), not by the
    items' and paragraphs' hash ids, so the gaps they store are small: items
    in the order of the article, and only the paragraphs with a row in the
    paragraphs' index get one, every one of them."""
    items = [row[0] for row in db.execute("select search_id from items order by article_id, position")]
    assert list(range(1, len(items) + 1)) == items
    numbered = [row[0] for row in db.execute("select search_id from paragraphs where search_id is not null order by number")]
    assert numbered == list(range(1, len(numbered) + 1))
    assert numbered == [row[0] for row in db.execute("select id from paragraph_search_fts_docsize order by id")]
    assert 0 < len(numbered) < db.execute("select count(*) from paragraphs").fetchone()[0]


def test_an_items_words_are_kept_once_in_its_paragraph(db: sqlite3.Connection) -> None:
    """items hold offsets, not the words again; item_texts reads them from
    the paragraph, and a quote reads as the seed printed it (without its quotation marks)."""
    assert "text" not in {row[1] for row in db.execute("pragma table_info(items)")}
    rows = db.execute("select t.text, p.text from item_texts t join items i on i.id = t.id join paragraphs p on p.id = i.paragraph_id").fetchall()
    assert len(rows) == db.execute("select count(*) from items").fetchone()[0]
    assert all(text and text in paragraph for text, paragraph in rows)
    assert db.execute("select 1 from item_texts where text like '企业是创新的主体，只有企业积极参与%'").fetchone()


def test_an_articles_items_are_found_without_an_index_of_their_own(db: sqlite3.Connection) -> None:
    """items has no index by article: an article's own items are its
    paragraphs' items (the view item_sources lists them first, at position 0),
    and a city's items are the first two tiers of its answers (item_cities is
    a view of them)."""

    def pairs(sql: str) -> list[tuple[int, int]]:
        return sorted(tuple(row) for row in db.execute(sql))

    own = pairs("select item_id, article_id from item_sources where position = 0")
    assert own == pairs("select id, article_id from items")
    # item_reprints holds later articles only: an item's own is items.article_id.
    assert not db.execute("select 1 from item_reprints r join items i on i.id = r.item_id where r.position < 1 or r.article_id = i.article_id").fetchone()
    assert own == pairs("select i.id, pg.article_id from items i join paragraphs pg on pg.id = i.paragraph_id")
    assert pairs("select city_id, item_id from item_cities")
    assert "view" == db.execute("select type from sqlite_master where name = 'item_cities'").fetchone()[0]
    counts = pairs("select c.id, count(*) from city_answers ca join cities c on c.number = ca.city_number where ca.tier < 2 group by c.id")
    assert counts == pairs("select id, items from cities where items > 0")


def test_article_row_uses_the_sidecar_title(db: sqlite3.Connection) -> None:
    """The page prints the headline line first; the sidecar names the display title."""
    article = db.execute("select * from articles").fetchone()
    assert "同饮一江春水 各领风骚向未来" == article["title"]
    assert "来自上海武汉成都杭州的全国两会代表委员共话科技创新和产业创新" == article["subtitle"]
    assert ("长江日报", "2025-03", "newspaper", 39) == (article["source"], article["date"], article["layout"], article["paragraphs"])


# ------------------------------------------------------------- full text


# Two-character words, and every person's name (kept whole by the tokenizer ingest teaches).
@pytest.mark.parametrize("word", ["武汉", "上海", "成都", "人才", "创新", "罗卫东", "王行环", "宋朝学", "马新强", "丁光宏", "耿福能"])
def test_full_text_matches_two_character_words(db: sqlite3.Connection, word: str) -> None:
    with_word = {row[0] for row in db.execute("select id from item_texts where text like ?", (f"%{word}%",))}
    matched = {
        row[0]
        for row in db.execute(
            "select i.id from item_search_fts join items i on i.search_id = item_search_fts.rowid where item_search_fts match ?",
            (f'text : "{word}"',),
        )
    }
    assert with_word
    assert with_word == matched


def test_trigram_tokenizer_could_not_match_two_characters() -> None:
    """Why the index is jieba-segmented text under unicode61, not trigram."""
    connection = sqlite3.connect(":memory:")
    connection.execute("create virtual table t using fts5(x, tokenize='trigram')")
    connection.execute("insert into t values ('武汉是一座英雄的城市')")
    assert 0 == connection.execute("select count(*) from t where t match '武汉'").fetchone()[0]
    assert 1 == connection.execute("select count(*) from t where t match '武汉是'").fetchone()[0]


# ------------------------------------------------------------------ people

# Checked against the article (see tests/test_extract.py for every item).
COUNTS = [
    # name, quotes, statements, facts (figures, and reporting in their box)
    ("丁光宏", 4, 3, 0),
    ("马新强", 1, 3, 11),
    ("罗卫东", 7, 7, 0),
    ("王行环", 3, 4, 1),
    ("耿福能", 6, 5, 1),
    ("宋朝学", 3, 5, 0),
]


@pytest.mark.parametrize(("name", "quotes", "statements", "facts"), COUNTS)
def test_counts_per_person(db: sqlite3.Connection, name: str, quotes: int, statements: int, facts: int) -> None:
    row = db.execute("select id, quotes, statements, facts, articles from people where name = ?", (name,)).fetchone()
    assert (quotes, statements, facts, 1) == (row["quotes"], row["statements"], row["facts"], row["articles"])
    # The counts are the items' counts, not a separate tally.
    counted = dict(db.execute("select kind, count(*) from items where speaker_id = ? group by kind", (row["id"],)).fetchall())
    assert {"quote": quotes, "statement": statements, "fact": facts} == {k: counted.get(k, 0) for k in ("quote", "statement", "fact")}


def test_exactly_the_six_delegates(db: sqlite3.Connection) -> None:
    assert sorted(name for name, *_ in COUNTS) == sorted(row[0] for row in db.execute("select name from people"))


def test_totals(db: sqlite3.Connection) -> None:
    totals = dict(db.execute("select kind, count(*) from items group by kind").fetchall())
    assert {"quote": 24, "statement": 29, "fact": 13} == totals
    # The two introduction statements belong to no one.
    assert 2 == db.execute("select count(*) from items where speaker_id is null").fetchone()[0]


@pytest.mark.parametrize(
    ("name", "city"),
    [("丁光宏", "上海"), ("马新强", "武汉"), ("王行环", "武汉"), ("罗卫东", "杭州"), ("耿福能", "成都"), ("宋朝学", "成都")],
)
def test_city_of_each_person(db: sqlite3.Connection, name: str, city: str) -> None:
    row = db.execute(
        "select p.city, c.name from people p join cities c on c.id = p.city_id where p.name = ?", (name,)
    ).fetchone()
    assert (city, city) == tuple(row)


@pytest.mark.parametrize("name", ["罗卫东", "宋朝学"])
def test_no_role_where_the_sources_give_none(db: sqlite3.Connection, name: str) -> None:
    person = db.execute("select id, role, affiliation from people where name = ?", (name,)).fetchone()
    assert (None, None) == (person["role"], person["affiliation"])
    fields = [row[0] for row in db.execute("select field from person_facts where person_id = ?", (person["id"],))]
    assert ["city"] == fields


def test_every_sidecar_fact_keeps_its_source(db: sqlite3.Connection) -> None:
    meta = read_meta(SIDECAR)
    expected = {
        (person.name, key, fact.value, fact.source) for person in meta.people for key, fact in person.facts.items()
    }
    stored = {
        tuple(row)
        for row in db.execute(
            "select p.name, f.field, f.value, f.source from fact_sources f join people p on p.id = f.person_id"
        )
    }
    assert 14 == len(expected)
    assert expected == stored
    assert 0 == db.execute("select count(*) from fact_sources where source is null or source = ''").fetchone()[0]


# ------------------------------------------------------------------- ids


def test_building_twice_gives_identical_stores(seed_db: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.db"
    build_store(SEEDS, again, progress=False)
    first, second = _everything(seed_db), _everything(again)
    assert len(first) > 1000
    assert first == second


def test_item_ids_survive_a_second_article(seed_db: Path, seeds_copy: Path, tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "web_article.txt", seeds_copy / "web_article.txt")
    bigger = tmp_path / "bigger.db"
    build_store(seeds_copy, bigger, progress=False)
    query = (
        "select i.id, i.kind, t.text, i.start, i.end, i.speaker_id, i.paragraph_id from items i join item_texts t on t.id = i.id "
        "where i.article_id = ? order by i.id"
    )
    before = sqlite3.connect(seed_db)
    after = sqlite3.connect(bigger)
    article = before.execute("select id from articles").fetchone()[0]
    assert 2 == after.execute("select count(*) from articles").fetchone()[0]
    assert before.execute(query, (article,)).fetchall() == after.execute(query, (article,)).fetchall()
    people = "select id, name from people order by id"
    assert set(before.execute(people).fetchall()) < set(after.execute(people).fetchall())


@pytest.mark.parametrize(
    "title, file, source, date",
    [
        ("标题", "a.txt", "长江日报", "2025-03-05"),
        ("标题", "a.txt", "长江日报", None),
        ("标题", "a.txt", "", "2025-03"),
        ("", "a.txt", None, None),
        (None, "a.txt", "人民网", ""),
    ],
)
def test_a_facts_citation_made_in_sql_is_the_one_ingest_makes(title: str | None, file: str, source: str | None, date: str | None) -> None:
    """Ingest stores a fact without its article's citation when the source
    starts with records.cite's; fact_sources puts it back in SQL
    (ARTICLE_CITATION): the two must spell it alike, or a source changes."""
    from bot.ingest.records import cite
    from bot.schema import ARTICLE_CITATION

    db = sqlite3.connect(":memory:")
    db.execute("create table articles (id integer, title text, file text, source text, date text)")
    db.execute("insert into articles values (1, ?, ?, ?, ?)", (title, file, source, date))
    assert cite(title, file, source, date) == db.execute(f"select {ARTICLE_CITATION} from articles a").fetchone()[0]
