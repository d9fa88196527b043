"""A second article in another layout: a (fictional) web page without a sidecar.

Everything the store knows about its people must come from the text: who
they are (a name before a speech verb, 在X看来), their roles (X代表,
全国政协委员X) and cities (来自重庆的全国人大代表X). See tests/fixtures/README.md.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from bot.ingest.build import build_store
from conftest import FIXTURES

ARTICLE = FIXTURES / "web_article.txt"


@pytest.fixture(scope="module")
def web_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    seeds = tmp_path_factory.mktemp("web-seeds")
    shutil.copy(ARTICLE, seeds / ARTICLE.name)
    path = tmp_path_factory.mktemp("web-store") / "web.db"
    build_store(seeds, path, progress=False)
    return path


@pytest.fixture(scope="module")
def db(web_db: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(web_db)
    connection.row_factory = sqlite3.Row
    return connection


@pytest.fixture(scope="module")
def items(db: sqlite3.Connection) -> list[tuple[int, str, str | None, str]]:
    """(paragraph number, kind, speaker, text) in reading order."""
    rows = db.execute(
        """select p.number, i.kind, s.name, t.text from items i join item_texts t on t.id = i.id
           join paragraphs p on p.id = i.paragraph_id
           left join people s on s.id = i.speaker_id
           order by p.number, i.start"""
    ).fetchall()
    return [tuple(row) for row in rows]


def test_the_article_is_read_as_a_web_page_without_metadata(db: sqlite3.Connection) -> None:
    article = db.execute("select * from articles").fetchone()
    assert ("web", "三城代表委员共话科技成果转化", "重庆、南京、西安的全国两会代表委员谈创新协同") == (
        article["layout"],
        article["title"],
        article["subtitle"],
    )
    assert (None, None) == (article["source"], article["date"])
    assert 11 == article["paragraphs"]


def test_speakers_are_discovered_from_the_text(db: sqlite3.Connection) -> None:
    rows = db.execute("select name, discovered from people order by name").fetchall()
    assert [("柯云舟", 1), ("童若溪", 1), ("钟北辰", 1), ("闻晓岚", 1)] == sorted(tuple(row) for row in rows)


# (paragraph, kind, speaker, opening): every item of the article, checked by reading it.
EXPECTED = [
    # The introduction: the delegates as a group (the reporter's invitation before it is no one's words).
    (0, "statement", None, "大家表示，三城要在协同创新上走在前列。"),
    (1, "fact", None, "2024年，三城技术合同成交额"),
    # X表示，……  (a quoted term, “智造重镇”, inside is no quote)
    (2, "statement", "柯云舟", "来自重庆的全国人大代表柯云舟表示"),
    # “……”X说。
    (3, "quote", "柯云舟", "实验室里的好成果"),
    # A fact with figures that names no one: the passage's speaker.
    (4, "fact", "柯云舟", "据介绍，嘉陵智能装备研究院"),
    # 在X看来，……
    (5, "statement", "闻晓岚", "在闻晓岚看来，南京高校密集"),
    # “……”X建议，…… : a quote and a statement.
    (6, "quote", "闻晓岚", "要让教师愿意转、敢于转"),
    (6, "statement", "闻晓岚", "来自南京的全国政协委员闻晓岚建议"),
    # X代表认为……
    (7, "statement", "钟北辰", "钟北辰代表认为，西安的优势"),
    # 他建议，…… : the previous speaker.
    (8, "statement", "钟北辰", "他建议，西安与重庆、南京共建"),
    # The reporter's sentence in a paragraph that names only her: reporting in her section.
    (9, "fact", "童若溪", "作为一名长期从事新材料研究"),
    # A quote with no cue beside it: the person its paragraph names.
    (9, "quote", "童若溪", "从样品到产品，中间隔着中试"),
    (10, "statement", "童若溪", "童若溪指出，西安正推行"),
]


def test_every_item_is_pinned(items: list[tuple[int, str, str | None, str]]) -> None:
    assert [(p, k, s) for p, k, s, _ in EXPECTED] == [(p, k, s) for p, k, s, _ in items]
    assert [opening for *_, opening in EXPECTED] == [text[: len(opening)] for (*_, opening), (*_, text) in zip(EXPECTED, items)]


@pytest.mark.parametrize(("paragraph", "kind", "speaker", "opening"), EXPECTED)
def test_item_attribution(
    items: list[tuple[int, str, str | None, str]], paragraph: int, kind: str, speaker: str | None, opening: str
) -> None:
    found = [(k, s) for p, k, s, text in items if p == paragraph and text.startswith(opening)]
    assert [(kind, speaker)] == found


def test_introduction_items_have_no_speaker(items: list[tuple[int, str, str | None, str]]) -> None:
    intro = [(kind, speaker) for paragraph, kind, speaker, _ in items if paragraph < 2]
    assert [("statement", None), ("fact", None)] == intro


@pytest.mark.parametrize("term", ["智造重镇", "最后一公里", "国之重器", "揭榜挂帅"])
def test_short_quoted_terms_are_not_quotes(items: list[tuple[int, str, str | None, str]], term: str) -> None:
    assert not any(kind == "quote" and term in text for _, kind, _, text in items)


@pytest.mark.parametrize(
    ("name", "role", "phrase"),
    [
        ("柯云舟", "全国人大代表", "全国人大代表柯云舟"),
        ("钟北辰", "全国人大代表", "钟北辰代表认为"),
        ("闻晓岚", "全国政协委员", "全国政协委员闻晓岚"),
        ("童若溪", "全国政协委员", "童若溪委员"),
    ],
)
def test_roles_come_from_the_text(db: sqlite3.Connection, name: str, role: str, phrase: str) -> None:
    person = db.execute("select id, role from people where name = ?", (name,)).fetchone()
    assert role == person["role"]
    fact = db.execute("select value, source from person_facts where person_id = ? and field = 'role'", (person["id"],)).fetchone()
    assert role == fact["value"]
    # The source quotes the words of the article that say so.
    assert phrase in fact["source"]


@pytest.mark.parametrize(("name", "city"), [("柯云舟", "重庆"), ("闻晓岚", "南京"), ("钟北辰", None), ("童若溪", None)])
def test_cities_come_from_the_text(db: sqlite3.Connection, name: str, city: str | None) -> None:
    """来自重庆的全国人大代表柯云舟 gives a city; a name alone gives none."""
    assert city == db.execute("select city from people where name = ?", (name,)).fetchone()[0]


@pytest.mark.parametrize(("name", "phrase"), [("柯云舟", "重庆的全国人大代表柯云舟"), ("闻晓岚", "南京的全国政协委员闻晓岚")])
def test_city_source_quotes_the_phrase_up_to_the_name(db: sqlite3.Connection, name: str, phrase: str) -> None:
    source = db.execute(
        "select f.source from fact_sources f join people p on p.id = f.person_id where p.name = ? and f.field = 'city'",
        (name,),
    ).fetchone()[0]
    assert f"三城代表委员共话科技成果转化: “{phrase}”" == source
    # The store keeps the quoted words alone: the citation is made from the article's row.
    stored = db.execute(
        "select f.source, f.cited from person_facts f join people p on p.id = f.person_id where p.name = ? and f.field = 'city'", (name,)
    ).fetchone()
    assert (f"“{phrase}”", 1) == tuple(stored)


@pytest.mark.parametrize(
    ("name", "quotes", "statements", "facts"),
    [("柯云舟", 1, 1, 1), ("闻晓岚", 1, 2, 0), ("钟北辰", 0, 2, 0), ("童若溪", 1, 1, 1)],
)
def test_counts_per_person(db: sqlite3.Connection, name: str, quotes: int, statements: int, facts: int) -> None:
    row = db.execute("select quotes, statements, facts from people where name = ?", (name,)).fetchone()
    assert (quotes, statements, facts) == tuple(row)
