"""Every answer points to its sources: each item's outlet and date, linked
to the article's URL when one is known, every source of a reprinted item
earliest first; ``ask --json`` and ``export`` carry them as data."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.render import to_html_messages, to_text
from conftest import bot_py
from telegram_html import validate_telegram_html

URL = "https://www.example.org/2025/03/cjrb.html?a=1&b=2"


@pytest.fixture
def reprinted(seed_db: Path, tmp_path: Path) -> Engine:
    """The seed store with a URL on its article, and a second (earlier)
    article holding 马新强's first quote as a reprint of it."""
    db = tmp_path / "store.db"
    shutil.copyfile(seed_db, db)
    with sqlite3.connect(db) as connection:
        connection.execute("update articles set url = ?", (URL,))
        connection.execute(
            "insert into articles (id, slug, file, title, source, date, items, url) values (7, 'reprint', 'reprint.txt', '转载', '湖北日报', '2025-03-01', 1, null)"
        )
        first = Engine(seed_db).answer("/who 马新强").items[0].id
        # The earlier article becomes the item's own; the seed article its reprint.
        connection.execute("insert into item_reprints (item_id, article_id, position) select id, article_id, 1 from items where id = ?", (first,))
        connection.execute("update items set article_id = 7 where id = ?", (first,))
    return Engine(db)


def test_items_show_their_sources_linked_and_a_reprint_lists_all_earliest_first(reprinted: Engine):
    answer = reprinted.answer("/who 马新强")
    first, second = answer.items[:2]
    assert ["湖北日报", "长江日报"] == [source.paper for source in first.sources]
    assert [URL] == [source.url for source in second.sources]
    html = to_html_messages(answer, "zh")[0]
    assert '<i><a href="https://www.example.org/2025/03/cjrb.html?a=1&amp;b=2">长江日报 2025-03《同饮一江春水 各领风骚向未来》</a></i>' in html
    assert "—— </i><i>湖北日报 2025-03-01《转载》</i><i>；</i><i><a href=" in html
    assert [] == validate_telegram_html(html)
    assert f"湖北日报 2025-03-01《转载》；长江日报 2025-03《同饮一江春水 各领风骚向未来》 {URL}" in to_text(answer, "zh")
    context = reprinted.answer(first.context_command)
    assert 2 == to_html_messages(context, "zh")[0].count("《")


def test_a_quote_shared_from_inline_mode_links_its_article(reprinted: Engine):
    from bot.telegram.handlers import share_text

    shared = share_text(reprinted.share("马新强"), 1)
    assert '<i><a href="https://www.example.org/2025/03/cjrb.html?a=1&amp;b=2">长江日报 2025-03《' in shared
    assert [] == validate_telegram_html(shared)


def test_ask_json_items_carry_structured_sources(reprinted: Engine):
    item = reprinted.answer("/who 马新强").to_json("")["items"][0]
    assert "湖北日报 2025-03-01《转载》" == item["source"]  # the item's own article, its first source
    assert [
        {"outlet": "湖北日报", "title": "转载", "date": "2025-03-01", "url": None},
        {"outlet": "长江日报", "title": "同饮一江春水 各领风骚向未来", "date": "2025-03", "url": URL},
    ] == item["sources"]


def test_export_writes_every_page_in_each_format(seed_db: Path):
    csv_out = bot_py("export", "--db", str(seed_db), "/who 马欣强")
    jsonl_out = bot_py("export", "--db", str(seed_db), "--format", "jsonl", "武汉 人工智能")
    json_out = bot_py("export", "--db", str(seed_db), "--format", "json")
    rows = list(csv.DictReader(io.StringIO(csv_out.stdout.removeprefix("\ufeff"))))
    lines = [json.loads(line) for line in jsonl_out.stdout.splitlines()]
    everything = json.loads(json_out.stdout)
    assert 0 == csv_out.returncode == jsonl_out.returncode == json_out.returncode
    # 马新强: 1 quote, 3 statements, 7 facts with figures and 4 reporting in his box.
    assert 15 == len(rows) and f"{len(rows)} items" == csv_out.stderr.strip().splitlines()[-1]
    assert {"长江日报"} == {row["outlet"] for row in rows}
    assert lines and all("人工智能" in line["topics"] for line in lines)
    assert len(everything) > len(rows) and {"outlet", "title", "date", "url"} == set(everything[0]["sources"][0])


def test_an_added_reprint_is_reported_as_reprinted_not_as_new(tmp_path: Path):
    """reprint-b prints reprint-a's quotes (one item, a further source) and
    its statements and closing line again (stored again, the same words): the
    admin's report counts all of them as reprints, so followers are not told
    of them a second time, and none of them is new."""
    from bot.ingest.build import build_store
    from bot.ingest.changes import add_articles
    from conftest import FIXTURES, settle

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(FIXTURES / "articles" / "reprint-a.txt", seeds)
    db = tmp_path / "store.db"
    build_store(seeds, db, progress=False)
    settle(seeds)
    change = add_articles([FIXTURES / "articles" / "reprint-b.txt"], seeds, db)
    engine = Engine(db)
    report = engine.article_report("reprint-b", change.new_items)
    # /remove finds an article by its file stem or by a button's id.
    added = engine.article(slug="reprint-b")
    assert added is not None and added == engine.article(article_id=added.id) and added.title == report.title
    assert engine.article(slug="reprint-c") is None and engine.article(article_id=added.id + 1) is None
    # One of its items is new to the store by id (its words stored again), the others are further sources.
    assert change.in_place and 1 == len(change.new_items)
    assert 6 == sum(report.kinds.values()) == report.reprints
    assert () == report.new_items
