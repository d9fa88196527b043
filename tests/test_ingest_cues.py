"""A web article in the common news patterns, ingested into a real store
(bot/extract.py, bot/ingest.py).

“……”全国人大代表司马青云说。 names the speaker after the quote; 蔡文瑜则认为
and 在接受记者采访时说 put words between the name and the verb; 司马青云：“……”
quotes an interview. Each item goes to its speaker, the words that only
say who spoke are no statement, and the roles the text gives are stored as
facts quoting the text.
"""

from __future__ import annotations

import sqlite3

import pytest

ARTICLE = """两位代表谈创新
今年全国两会上，武汉的创新仍是热词。
“武汉的创新要从娃娃抓起，基础教育决定了创新的上限。”全国人大代表司马青云说。全国政协委员蔡文瑜则认为，高校改革更为迫切，评价体系必须改。
蔡文瑜在接受记者采访时说，她所在的学校已经开始试点新的评价办法。
司马青云：“我们不能只盯着论文数量，更要看成果有没有用。”
“这件事急不得，但也等不得。”司马青云最后说。
"""

EXPECTED = [
    (1, "quote", "司马青云", "武汉的创新要从娃娃抓起，基础教育决定了创新的上限。"),
    (1, "statement", "蔡文瑜", "全国政协委员蔡文瑜则认为，高校改革更为迫切，评价体系必须改。"),
    (2, "statement", "蔡文瑜", "蔡文瑜在接受记者采访时说，她所在的学校已经开始试点新的评价办法。"),
    (3, "quote", "司马青云", "我们不能只盯着论文数量，更要看成果有没有用。"),
    (4, "quote", "司马青云", "这件事急不得，但也等不得。"),
]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> sqlite3.Connection:
    from bot.ingest.build import build_store

    seeds = tmp_path_factory.mktemp("cue-seeds")
    (seeds / "two-delegates.txt").write_text(ARTICLE, encoding="utf-8")
    path = tmp_path_factory.mktemp("cue-store") / "store.db"
    build_store(seeds, path, progress=False)
    return sqlite3.connect(path)


def test_every_item_goes_to_its_speaker(db: sqlite3.Connection) -> None:
    rows = db.execute(
        """select p.number, i.kind, s.name, t.text from items i join item_texts t on t.id = i.id join paragraphs p on p.id = i.paragraph_id
           left join people s on s.id = i.speaker_id order by p.number, i.start"""
    ).fetchall()
    assert EXPECTED == [tuple(row) for row in rows]


def test_exactly_the_two_speakers(db: sqlite3.Connection) -> None:
    assert {"司马青云", "蔡文瑜"} == {name for (name,) in db.execute("select name from people")}


@pytest.mark.parametrize(("name", "role", "phrase"), [("司马青云", "全国人大代表", "全国人大代表司马青云"), ("蔡文瑜", "全国政协委员", "全国政协委员蔡文瑜")])
def test_roles_before_the_name_are_facts_from_the_text(db: sqlite3.Connection, name: str, role: str, phrase: str) -> None:
    value, source = db.execute(
        "select f.value, f.source from fact_sources f join people p on p.id = f.person_id where p.name = ? and f.field = 'role'", (name,)
    ).fetchone()
    assert role == value
    assert f"两位代表谈创新: “{phrase}”" == source
