"""Stores built from articles that leave some tables with no rows
(bot/ingest.py, bot/schema.py).

sqlite-utils creates a table from its first rows, so a store whose articles
name no city, give no fact about anyone, hold no item or no person used to
lack tables the engine reads. Every table is now created from the schema
first: each store has every table, and the engine answers on it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.engine.answer import Intent
from bot.engine import Engine
from bot.errors import SeedError
from bot.ingest.build import build_store
from bot.schema import SCHEMA


@dataclass(frozen=True)
class Case:
    text: str
    people: int
    items: dict[str, int]
    empty: frozenset[str]  # tables that hold no row
    query: str
    intent: str
    answered: list[tuple[str, str | None]]  # (kind, speaker) of the items in the answer
    searched: tuple[str, int]  # a word, and how many items the full-text search finds for it


SPEAKER_WITHOUT_FACTS = "某标题\n今年全国两会上，科技创新成为热词。\n柯明远表示，武汉要加快建设科技创新中心，推动成果转化。\n"

CASES = {
    "no fact about anyone": Case(
        SPEAKER_WITHOUT_FACTS,
        people=1,
        items={"statement": 1},
        empty=frozenset({"person_facts", "item_named", "item_reprints", "terms"}),
        query="/who 柯明远",
        intent=Intent.PERSON,
        answered=[("statement", "柯明远")],
        searched=("成果转化", 1),
    ),
    "no city mentioned": Case(
        "某标题\n今年全国两会上，科技创新成为热词。\n柯明远表示，要加快建设科技创新中心，推动成果转化。\n",
        people=1,
        items={"statement": 1},
        empty=frozenset({"person_facts", "item_named", "city_answers", "item_reprints", "terms"}),
        query="科技创新",
        intent=Intent.TOPIC,
        answered=[("statement", "柯明远")],
        searched=("成果转化", 1),
    ),
    "no items": Case(
        "某标题\n今年全国两会上，科技创新成为热词。\n",
        people=0,
        items={},
        empty=frozenset(
            {"people", "person_facts", "items", "item_named", "item_topics", "city_answers", "item_reprints", "terms"}
        ),
        query="/city 武汉",
        intent=Intent.NOT_FOUND,
        answered=[],
        searched=("热词", 0),
    ),
    "no people": Case(
        "一篇没有发言人的报道\n今年全国两会上，武汉的科技创新成为热词。\n去年武汉新增高新技术企业1200家，增长18%。\n",
        people=0,
        items={"fact": 1},
        empty=frozenset({"people", "person_facts", "item_named", "item_topics", "item_reprints", "terms"}),
        query="/city 武汉",
        intent=Intent.CITY,
        answered=[("fact", None)],
        searched=("高新技术企业", 1),
    ),
}


@pytest.fixture(params=sorted(CASES), ids=sorted(CASES))
def built(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Case, Path, object]:
    case = CASES[request.param]
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "article.txt").write_text(case.text, encoding="utf-8")
    db = tmp_path / "store.db"
    report = build_store(seeds, db, progress=False)
    return case, db, report


def test_the_build_reports_what_the_article_holds(built: tuple[Case, Path, object]) -> None:
    case, _, report = built
    assert (1, case.people) == (report.articles, report.people)
    assert case.items == dict(report.items)


def test_every_table_exists_with_its_columns(built: tuple[Case, Path, object]) -> None:
    case, db, _ = built
    connection = sqlite3.connect(db)
    for name, table in SCHEMA.items():
        columns = [row[1] for row in connection.execute(f"pragma table_info({name})")]
        assert list(table.columns) == columns, name
    empty = {name for name in SCHEMA if connection.execute(f"select count(*) from {name}").fetchone()[0] == 0}
    assert case.empty == empty
    assert "item_search_fts" in {row[0] for row in connection.execute("select name from sqlite_master")}


def test_the_engine_answers_on_the_store(built: tuple[Case, Path, object]) -> None:
    case, db, _ = built
    answer = Engine(db).answer(case.query)
    assert case.intent == answer.intent
    assert case.answered == [(item.kind, item.speaker) for item in answer.items]
    # Help reads every count; a search reads the full-text index.
    assert 1 == Engine(db).answer("/help").stats["articles"]
    word, found = case.searched
    assert found == Engine(db).answer(f"/search {word}").total


def test_an_article_with_only_a_title_is_an_error_naming_the_file(tmp_path: Path) -> None:
    """An article that yields no paragraph at all is a broken extraction, not
    an article with nothing to say: it fails, and the store is not written."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "title-only.txt").write_text("只有标题\n", encoding="utf-8")
    with pytest.raises(SeedError) as caught:
        build_store(seeds, tmp_path / "never.db", progress=False)
    assert seeds / "title-only.txt" == caught.value.path
    assert "no paragraphs" in str(caught.value)
    assert not (tmp_path / "never.db").exists()
