"""The answer engine's commands and plain-text search on the seed store (issue #3).

Each test states one promise of the issue: what /start, /city, /who, /topic,
/quote, /search and plain text answer, and that every item carries its
speaker, a source line and a way to its paragraph. Store contents are read
from the store itself where counts could change with ingest.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from bot.engine.answer import Intent
from bot.engine.answer import Answer, Item, Source
from bot.engine import Engine
from bot.engine.answer import to_base36
from bot.render import to_html_messages, to_text
from bot.strings import TABLES as STRINGS
from telegram_html import validate_telegram_html

SIX = {"丁光宏": "上海", "马新强": "武汉", "王行环": "武汉", "罗卫东": "杭州", "耿福能": "成都", "宋朝学": "成都"}


def all_pages(engine: Engine, answer: Answer) -> list[Answer]:
    """The answer and every page its continuation tokens lead to."""
    pages = [answer]
    while pages[-1].next and len(pages) < 100:
        pages.append(engine.answer(pages[-1].next))
    return pages


def all_items(engine: Engine, message: str) -> list[Item]:
    return [item for page in all_pages(engine, engine.answer(message)) for item in page.items]


def city_item_ids(engine: Engine, city: str) -> set[int]:
    """Items the store records as being about a city."""
    rows = engine.store.rows(
        "select ic.item_id from item_cities ic join cities c on c.id = ic.city_id where c.name = ?", (city,)
    )
    return {row["item_id"] for row in rows}


def weight(engine: Engine, item: Item) -> float:
    """How good the store thinks an item is (the order "best first" follows)."""
    return engine.store.value("select weight from items where id = ?", (item.id,))


def facts_come_last(items: list[Item]) -> bool:
    kinds = [item.kind == "fact" for item in items]
    return kinds == sorted(kinds)


# Help ---------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["/start", "/help", "/start@LiangHuiBot", "/HELP"])
def test_help_says_what_the_bot_knows(engine: Engine, command: str) -> None:
    answer = engine.answer(command)
    assert Intent.HELP == answer.intent
    assert 6 == answer.stats["people"]
    assert 1 == answer.stats["articles"]
    assert answer.stats["cities"] >= 4
    assert answer.stats["topics"] > 0
    text = to_text(answer, "zh")
    assert "6 位代表委员" in text
    assert all(example in text for example in answer.examples)


def test_help_examples_are_tappable_and_work(engine: Engine) -> None:
    """Every example is shown as code (one tap copies it) and answers with content."""
    answer = engine.answer("/start")
    commands = {example.split()[0] for example in answer.examples if example.startswith("/")}
    assert {"/who", "/city", "/topic", "/quote"} <= commands
    assert any(not example.startswith("/") for example in answer.examples)  # plain text works too
    html = "\n".join(to_html_messages(answer, "zh"))
    for example in answer.examples:
        assert f"<code>{example}</code>" in html
        reply = engine.answer(example)
        assert reply.intent not in (Intent.NOT_FOUND, Intent.UNKNOWN_COMMAND, Intent.EXPIRED, Intent.HELP), example
        assert reply.items, example


def test_unknown_command_points_to_help(engine: Engine) -> None:
    answer = engine.answer("/foo 马新强")
    assert (Intent.UNKNOWN_COMMAND, "/foo") == (answer.intent, answer.command)
    assert "/who" in to_text(answer, "zh")


# /city --------------------------------------------------------------------------


def test_city_lists_its_delegates_with_role_and_affiliation(engine: Engine) -> None:
    answer = engine.answer("/city 武汉")
    assert (Intent.CITY, "武汉") == (answer.intent, answer.match.name)
    people = {person.name: person for person in answer.people}
    assert {"马新强", "王行环"} == set(people)
    assert "全国人大代表" == people["马新强"].role.value
    assert "华工科技产业股份有限公司董事长" == people["马新强"].affiliation.value
    assert "全国政协委员" == people["王行环"].role.value
    text = to_text(answer, "zh")
    assert "马新强（全国人大代表，华工科技产业股份有限公司董事长）" in text


def test_city_delegate_without_a_role_is_not_guessed(engine: Engine) -> None:
    """宋朝学's role is not in the source: shown as not stated, never invented."""
    answer = engine.answer("/city 成都")
    people = {person.name: person for person in answer.people}
    assert {"耿福能", "宋朝学"} == set(people)
    assert (None, None) == (people["宋朝学"].role, people["宋朝学"].affiliation)
    assert "宋朝学 Song Chaoxue (not stated in the source)" in to_text(answer, "en")
    assert "宋朝学（原文未说明）" in to_text(answer, "zh")


def test_city_items_are_by_its_delegates_or_about_it_with_facts_last(engine: Engine) -> None:
    items = all_items(engine, "/city 武汉")
    about = city_item_ids(engine, "武汉")
    assert items
    assert [] == [item.text for item in items if item.speaker_city != "武汉" and item.id not in about]
    assert facts_come_last(items)
    assert any(item.kind == "fact" for item in items)  # 马新强's figures
    # The best first: a statement by a delegate of the city, about the city.
    first = items[0]
    assert ("武汉", True) == (first.speaker_city, first.id in about)


def test_city_covered_only_by_mentions_answers_without_delegates(engine: Engine) -> None:
    """重庆 has no delegate in the seed, but 宋朝学 and 丁光宏 speak about it."""
    answer = engine.answer("/city 重庆")
    assert (Intent.CITY, []) == (answer.intent, answer.people)
    assert answer.items
    assert all(item.id in city_item_ids(engine, "重庆") for item in all_items(engine, "/city 重庆"))


def test_city_alone_lists_cities_with_counts(engine: Engine) -> None:
    answer = engine.answer("/city")
    assert Intent.CITY_LIST == answer.intent
    counts = {entry.name: entry.count for entry in answer.entries}
    assert {"武汉": 2, "成都": 2, "上海": 1, "杭州": 1} == {name: counts[name] for name in ("武汉", "成都", "上海", "杭州")}
    assert sorted(counts.values(), reverse=True) == [entry.count for entry in answer.entries]
    assert "武汉 Wuhan · 2 人" in to_text(answer, "zh")


# /who ---------------------------------------------------------------------------


def test_who_shows_city_role_affiliation_topics_and_counts(engine: Engine) -> None:
    answer = engine.answer("/who 马新强")
    assert (Intent.PERSON, "马新强", "武汉") == (answer.intent, answer.match.name, answer.match.city)
    person = answer.people[0]
    assert ("武汉", "全国人大代表", "华工科技产业股份有限公司董事长") == (person.city, person.role.value, person.affiliation.value)
    assert "npc.gov.cn profile" == person.role.source  # every fact says where it comes from
    assert "人才" in person.topics
    assert answer.total == person.quotes + person.statements + person.facts
    text = to_text(answer, "zh")
    assert "身份：全国人大代表（来源：npc.gov.cn profile）" in text
    assert "话题：" in text


@pytest.mark.parametrize("name", list(SIX))
def test_who_items_are_all_theirs_best_first_then_facts(engine: Engine, name: str) -> None:
    items = all_items(engine, f"/who {name}")
    assert items
    assert {name} == {item.speaker for item in items}
    assert facts_come_last(items)
    said = [weight(engine, item) for item in items if item.kind != "fact"]
    assert sorted(said, reverse=True) == said


@pytest.mark.parametrize("name", ["罗卫东", "宋朝学"])
def test_who_without_a_confirmed_role_says_not_stated(engine: Engine, name: str) -> None:
    answer = engine.answer(f"/who {name}")
    person = answer.people[0]
    assert (SIX[name], None, None) == (person.city, person.role, person.affiliation)
    assert 2 == to_text(answer, "en").count("not stated in the source")
    assert 2 == to_text(answer, "zh").count("原文未说明")


def test_who_alone_lists_everyone(engine: Engine) -> None:
    answer = engine.answer("/who")
    assert Intent.PERSON_LIST == answer.intent
    assert SIX == {entry.name: entry.detail for entry in answer.entries}
    assert 6 == answer.total
    assert answer.next is None


# /topic -------------------------------------------------------------------------


def test_topic_items_are_on_the_topic(engine: Engine) -> None:
    answer = engine.answer("/topic 人工智能")
    assert (Intent.TOPIC, "人工智能") == (answer.intent, answer.match.name)
    items = all_items(engine, "/topic 人工智能")
    assert items
    assert all("人工智能" in item.topics for item in items)
    assert {"王行环"} <= {item.speaker for item in items}


def test_topic_alone_lists_topics_with_items(engine: Engine) -> None:
    pages = all_pages(engine, engine.answer("/topic"))
    entries = [entry for page in pages for entry in page.entries]
    assert Intent.TOPIC_LIST == pages[0].intent
    assert pages[0].total == len(entries) == len({entry.name for entry in entries})
    assert all(entry.count > 0 for entry in entries)
    assert sorted((entry.count for entry in entries), reverse=True) == [entry.count for entry in entries]
    assert {"人工智能", "人才", "光电子信息"} <= {entry.name for entry in entries}


def test_topic_outside_the_lexicon_searches_its_words(engine: Engine) -> None:
    """/topic 人工 is not a topic, but items mention it: say so, then show them."""
    answer = engine.answer("/topic 人工")
    assert (Intent.SEARCH, "not_a_topic") == (answer.intent, answer.notice)
    assert all("人工" in item.text for item in answer.items)
    assert "不在话题词表里" in to_text(answer, "zh")


# /quote -------------------------------------------------------------------------


@pytest.fixture
def seeded(seed_db: Path) -> Engine:
    """An engine whose random quotes repeat from run to run."""
    return Engine(seed_db, rng=random.Random(7))


def test_quote_is_a_random_quote(seeded: Engine) -> None:
    answers = [seeded.answer("/quote") for _ in range(20)]
    assert {Intent.QUOTE} == {answer.intent for answer in answers}
    assert {"quote"} == {answer.items[0].kind for answer in answers}
    assert len({answer.items[0].id for answer in answers}) > 1
    assert all(answer.items[0].text in to_text(answer, "zh") for answer in answers)


@pytest.mark.parametrize(
    "argument, kind, name",
    [("马新强", "person", "马新强"), ("马欣强", "person", "马新强"), ("武汉", "city", "武汉"), ("AI", "topic", "人工智能"), ("罗卫东", "person", "罗卫东")],
)
def test_quote_limited_to_a_person_city_or_topic(seeded: Engine, argument: str, kind: str, name: str) -> None:
    for _ in range(8):
        answer = seeded.answer(f"/quote {argument}")
        assert (Intent.QUOTE, kind, name) == (answer.intent, answer.match.kind, answer.match.name)
        item = answer.items[0]
        assert "quote" == item.kind
        if kind == "person":
            assert name == item.speaker
        elif kind == "city":
            assert item.speaker_city == name or item.id in city_item_ids(seeded, name)
        else:
            assert name in item.topics


# Plain text and /search -----------------------------------------------------------


@pytest.mark.parametrize("message", ["马新强 人才", "马新强人才", "/search 马新强 人才", "马欣强 人才"])
def test_person_and_topic_filter_each_other(engine: Engine, message: str) -> None:
    answer = engine.answer(message)
    assert (Intent.PERSON, "马新强", ["人才"]) == (answer.intent, answer.match.name, [f.name for f in answer.filters])
    items = all_items(engine, message)
    assert items
    assert {"马新强"} == {item.speaker for item in items}
    assert all("人才" in item.topics for item in items)
    assert len(items) < engine.answer("/who 马新强").total


def test_city_and_topic_filter_each_other(engine: Engine) -> None:
    answer = engine.answer("武汉 人工智能")
    assert (Intent.CITY, "武汉", ["人工智能"]) == (answer.intent, answer.match.name, [f.name for f in answer.filters])
    about = city_item_ids(engine, "武汉")
    items = all_items(engine, "武汉 人工智能")
    assert items
    assert all("人工智能" in item.topics for item in items)
    assert all(item.speaker_city == "武汉" or item.id in about for item in items)


def test_filter_with_nothing_in_common_says_so(engine: Engine) -> None:
    answer = engine.answer("罗卫东 人工智能")
    assert (Intent.PERSON, "no_items_for_filters", []) == (answer.intent, answer.notice, answer.items)
    assert "罗卫东没有关于人工智能的表述" in to_text(answer, "zh")


@pytest.mark.parametrize(
    "message, speaker, kind, contains",
    [
        ("谁提到了DeepSeek", "王行环", "quote", "DeepSeek"),
        ("谁提到了deepseek", "王行环", "quote", "DeepSeek"),
        ("/search DeepSeek", "王行环", "quote", "DeepSeek"),
        ("华工科技每年招聘多少硕博士", "马新强", "fact", "200名"),
        ("沿途下蛋", "耿福能", None, "沿途下蛋"),
        ("/search 沿途下蛋", "耿福能", None, "沿途下蛋"),
        ("谁说过沿途下蛋", "耿福能", None, "沿途下蛋"),
        ("医疗大数据孤岛", "王行环", "quote", "孤岛"),
    ],
)
def test_full_text_search_ranks_the_answer_first(engine: Engine, message: str, speaker: str, kind: str | None, contains: str) -> None:
    answer = engine.answer(message)
    assert Intent.SEARCH == answer.intent
    first = answer.items[0]
    assert (speaker, True) == (first.speaker, contains in first.text)
    if kind:
        assert kind == first.kind


def test_search_for_words_nobody_said_is_not_found(engine: Engine) -> None:
    answer = engine.answer("量子计算机")
    assert (Intent.NOT_FOUND, None, []) == (answer.intent, answer.match, answer.items)


@pytest.mark.parametrize("message", ["谁说了什么", "？？？", "的了吗", "..."])
def test_a_message_naming_nothing_asks_for_a_name(engine: Engine, message: str) -> None:
    answer = engine.answer(message)
    assert (Intent.NOT_FOUND, "nothing_to_search") == (answer.intent, answer.notice)


def test_an_unknown_name_is_told_it_is_unknown(engine: Engine) -> None:
    """张三 names someone: the reply says he was not found, not "tell me a name"."""
    answer = engine.answer("张三")
    assert (Intent.NOT_FOUND, None, "张三") == (answer.intent, answer.notice, answer.subject)
    assert "没有找到“张三”" in to_text(answer, "zh")


def test_sentence_with_names_that_never_meet_falls_back_to_its_words(engine: Engine) -> None:
    """When the names in a sentence share no item, its words are searched instead."""
    answer = engine.answer("长江经济带城市的科技创新与产业创新")
    assert answer.items
    assert Intent.SEARCH == answer.intent


# Every item: speaker, source, context ------------------------------------------------

# 总书记 finds the intro's statements, which no delegate made.
ITEM_ANSWERS = ["/who 马新强", "/city 成都", "/topic 人才", "沿途下蛋", "/quote", "马新强 人才", "武汉 人工智能", "/who 罗卫东", "总书记"]


@pytest.mark.parametrize("message", ITEM_ANSWERS)
def test_every_item_shows_speaker_and_source(engine: Engine, message: str) -> None:
    answer = engine.answer(message)
    assert answer.items
    if message == "总书记":
        assert None in {item.speaker for item in answer.items}
    for lang in ("zh", "en"):
        text = to_text(answer, lang)
        for item in answer.items:
            assert (item.speaker or STRINGS[lang]["no_speaker"]) in text
            assert item.source.line() in text
            assert "长江日报 2025-03《同饮一江春水 各领风骚向未来》" == item.source.line()
        for html in to_html_messages(answer, lang):
            assert [] == validate_telegram_html(html)


@pytest.mark.parametrize("message", ITEM_ANSWERS)
def test_every_item_has_its_paragraph_as_context(engine: Engine, message: str) -> None:
    for item in engine.answer(message).items:
        context = engine.answer(item.context_command)
        assert Intent.CONTEXT == context.intent
        assert item.text == context.context.paragraph[item.start : item.end]
        assert item.id == context.items[0].id
        assert item.text in to_text(context, "zh")


def test_every_stored_item_opens_its_context(engine: Engine) -> None:
    ids = [row["id"] for row in engine.store.rows("select id from items")]
    assert ids
    broken = []
    for item_id in ids:
        answer = engine.answer(f"/context {to_base36(item_id)}")
        if answer.intent != Intent.CONTEXT or answer.context.paragraph[answer.context.item.start : answer.context.item.end] != answer.context.item.text:
            broken.append(item_id)
    assert [] == broken


def test_context_shows_the_paragraphs_before_and_after_in_its_article(engine: Engine) -> None:
    paragraphs = {
        (row["article_id"], row["number"]): row["text"] for row in engine.store.rows("select article_id, number, text from paragraphs")
    }
    rows = engine.store.rows("select i.id, pt.article_id, pt.number from items i join paragraphs pt on pt.id = i.paragraph_id")
    assert any(row["number"] > 1 for row in rows)
    for row in rows:
        context = engine.answer(f"/context {to_base36(row['id'])}").context
        assert paragraphs.get((row["article_id"], row["number"] - 1)) == context.before
        assert paragraphs.get((row["article_id"], row["number"] + 1)) == context.after


@pytest.mark.parametrize("argument", ["", "zz", "0", "-1", "1 2", "马新强", "zzzzzzzzzzzzz", "<b>"])
def test_context_of_an_unknown_item_has_expired(engine: Engine, argument: str) -> None:
    assert Intent.EXPIRED == engine.answer(f"/context {argument}").intent


# Language --------------------------------------------------------------------------


@pytest.mark.parametrize("argument, subject", [("en", "en"), ("zh", "zh"), ("EN", "en"), ("english", "en"), ("fr", None), ("", None)])
def test_lang_command(engine: Engine, argument: str, subject: str | None) -> None:
    answer = engine.answer(f"/lang {argument}")
    assert (Intent.LANGUAGE, subject) == (answer.intent, answer.subject)


def _store_of(seeds: Path, db: Path, *articles: str) -> None:
    """Build db from seeds after copying these fixture articles into it."""
    import shutil

    from bot.ingest.build import build_store
    from conftest import FIXTURES

    seeds.mkdir(exist_ok=True)
    for article in articles:
        for path in (FIXTURES / "articles").glob(f"{article}.*"):
            shutil.copy(path, seeds)
    build_store(seeds, db, progress=False)


def test_remembered_counts_and_typo_scores_go_with_the_store_they_came_from(tmp_path: Path) -> None:
    """The engine remembers how many items a list holds and how a word scores
    as a typo (both depend on the store alone) until the store changes: a
    store rebuilt in its place is counted and scored afresh on the next query."""
    from bot.engine.answer import Notice

    seeds, db = tmp_path / "seeds", tmp_path / "store.db"
    _store_of(seeds, db, "verbs")
    engine = Engine(db)
    assert Notice.NO_COVERAGE == engine.answer("/topic 京津冀协同发展").notice  # counted: nothing on it yet
    assert engine.answer("/who 邢立郭").match is None  # scored: no one it can be a typo of

    _store_of(seeds, db, "reprint-a")
    topic = engine.answer("/topic 京津冀协同发展")
    assert (Intent.TOPIC, 3) == (topic.intent, topic.total)
    assert "邢立国" == engine.answer("/who 邢立郭").match.name


def test_remembered_items_go_with_the_store_they_came_from(tmp_path: Path) -> None:
    """A page's items are remembered with their sources until the store
    changes: when a reprint of them arrives, the same items (the same ids)
    are shown again with both articles."""
    seeds, db = tmp_path / "seeds", tmp_path / "store.db"
    _store_of(seeds, db, "reprint-a")
    engine = Engine(db)
    before = engine.answer("/who 邢立国").items
    assert before and all(len(item.sources) == 1 for item in before)

    _store_of(seeds, db, "reprint-b")
    after = engine.answer("/who 邢立国").items
    assert [item.id for item in before] == [item.id for item in after]
    assert all(len(item.sources) == 2 for item in after)


def test_an_article_without_a_headline_is_cited_by_its_file(tmp_path: Path) -> None:
    # An invented transcript: a name line, then the words, and no headline, outlet or date.
    from conftest import store_of_seeds

    transcript = (
        "在两会召开前夕，几位全国人大代表接受采访时表示，将把群众的心声带到会场。\n"
        "全国人大代表林晓舟：\n"
        "我们今年重点关注乡村教育，希望更多优秀教师愿意扎根基层，让孩子们在家门口就能上好学。\n"
    )
    answer = Engine(store_of_seeds(tmp_path, {"deputies-transcript.txt": transcript})).answer("/who 林晓舟")
    assert [item.speaker for item in answer.items] == ["林晓舟"]
    source = answer.items[0].source
    assert (source.title, source.paper, source.date) == (None, None, None)
    assert source.line() == "deputies-transcript.txt"
    assert "—— deputies-transcript.txt" in to_text(answer, "zh")


def test_a_source_line_names_the_outlet_date_and_headline_else_the_file() -> None:
    assert Source(1, "标题", "长江日报", "2025-03-05", None, "a.txt").line() == "长江日报 2025-03-05《标题》"
    assert Source(1, None, "长江日报", "2025-03-05", None, "a.txt").line() == "长江日报 2025-03-05 a.txt"
    assert Source(1, None, None, None, None, "a.txt").line() == "a.txt"
    assert Source(1, None, None, None).line() == "—"
