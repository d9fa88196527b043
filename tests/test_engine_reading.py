"""How the engine reads what people actually type (issue #3): names with a
typo inside a question, titles checked against what a person is, commands
with a second name, several names of one kind, English and pinyin framing
words, and what a /city answer shows first.

Each table row is one way of asking, with what the answer must be about.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.console import Console
from bot.engine import Engine
from bot.engine import core as engine_module
from bot.engine.answer import Answer, Intent
from bot.telegram.buttons import BUTTON_BYTES, CallbackData
from bot.render import to_text
from test_resolve_scale import _homophone_typos


def about(answer: Answer) -> tuple[str, str | None, list[str]]:
    """(intent, the entity it is about, the entities it is limited to)."""
    return answer.intent, answer.match.name if answer.match else None, sorted(f.name for f in answer.filters)


def city_items(engine: Engine, city: str) -> set[int]:
    """Items a /city answer holds: by the city's delegates or about it."""
    rows = engine.store.rows(
        "select ca.item_id from city_answers ca join cities c on c.number = ca.city_number where c.name = ?", (city,)
    )
    return {row["item_id"] for row in rows}


# A name with a typo inside a question -------------------------------------------

# (message, intent, person, filters)
TYPO_IN_QUESTION = [
    ("马欣强说了什么", "person", "马新强", []),
    ("马欣强对人才怎么看", "person", "马新强", ["人才"]),
    ("罗卫冬怎么看科技创新", "person", "罗卫东", ["科技创新"]),
    ("丁光红怎么看长江大保护", "person", "丁光宏", ["长江大保护"]),
    ("宋朝雪认为成都应该怎么做", "person", "宋朝学", ["成都"]),
    ("王行坏的建议", "person", "王行环", []),
]


@pytest.mark.parametrize("message, intent, person, filters", TYPO_IN_QUESTION)
def test_a_name_with_a_typo_inside_a_question_is_read(engine: Engine, message: str, intent: str, person: str, filters: list[str]) -> None:
    answer = engine.answer(message)
    assert (intent, person, filters) == about(answer)
    assert answer.items
    assert {person} == {item.speaker for item in answer.items}


@pytest.mark.parametrize("message", ["科技创新说了什么", "马新华说了什么", "长江经济带怎么看", "产业创新的建议"])
def test_words_that_only_sound_like_a_name_are_not_a_person(engine: Engine, message: str) -> None:
    answer = engine.answer(message)
    assert "person" not in {entity.kind for entity in [answer.match, *answer.filters] if entity}


def test_a_typo_inside_a_question_never_finds_another_person(corpus_db: Path) -> None:
    """Among hundreds of people: the typo's owner, or nobody, never a third."""
    engine = Engine(corpus_db)
    people = {row["name"] for row in engine.store.rows("select name from people")}
    typos = _homophone_typos(engine.store, people)
    wrong, found = {}, 0
    for name, typo in typos:
        for message in (f"{typo}说了什么", f"{typo}对人才怎么看"):
            answer = engine.answer(message)
            named = {entity.name for entity in [answer.match, *answer.filters] if entity and entity.kind == "person"}
            found += name in named
            if named - {name}:
                wrong[message] = (name, sorted(named))
    assert {} == wrong
    assert found >= len(typos)  # most of the 2 × len(typos) questions find their person


# Titles -------------------------------------------------------------------------

# (typed, the person, or None; suggestions)
TITLES = [
    ("王院长", "王行环", []),  # 武汉大学中南医院院长
    ("丁教授", "丁光宏", []),  # 复旦大学教授
    ("马董事长", "马新强", []),  # 华工科技产业股份有限公司董事长
    ("马代表", "马新强", []),  # 全国人大代表
    ("丁委员", "丁光宏", []),  # 全国政协委员
    ("罗委员", "罗卫东", []),  # role not stated: the title cannot contradict it
    ("王代表", None, ["王行环"]),  # a CPPCC member, not a deputy
    ("耿委员", None, ["耿福能"]),  # a deputy, not a CPPCC member
    ("丁院长", None, ["丁光宏"]),  # a professor; no source makes him a hospital president
    ("马", None, ["马新强"]),  # a surname alone is too little to answer with
]


@pytest.mark.parametrize("typed, person, suggested", TITLES)
def test_a_title_must_fit_the_person(engine: Engine, typed: str, person: str | None, suggested: list[str]) -> None:
    for message in (f"/who {typed}", typed):
        answer = engine.answer(message)
        assert person == (answer.match.name if answer.match else None), message
        assert suggested == [s.name for s in answer.suggestions], message
        if person is None:
            assert (Intent.NOT_FOUND, []) == (answer.intent, answer.items)


def test_one_near_miss_is_not_called_ambiguous(engine: Engine) -> None:
    """王代表 has one possible owner: "did you mean", not "could mean several"."""
    answer = engine.answer("/who 王代表")
    assert answer.notice is None
    assert "好几个" not in to_text(answer, "zh")
    assert "/who 王行环" in to_text(answer, "zh")


# Latin framing words ----------------------------------------------------------------

# (message, intent, entity, filters)
LATIN = [
    ("/city wuhan shi", "city", "武汉", []),
    ("/city wuhanshi", "city", "武汉", []),
    ("ma xinqiang daibiao", "person", "马新强", []),
    ("Ding Guanghong weiyuan", "person", "丁光宏", []),
    ("who talked about AI in Wuhan", "city", "武汉", ["人工智能"]),
    ("Wuhan delegates", "city", "武汉", []),
    ("wuhan daibiao shuo le shenme", "city", "武汉", []),
    ("ma xinqiang shuole shenme", "person", "马新强", []),
    ("what did Ma Xinqiang say about talent", "person", "马新强", ["人才"]),
    ("what do Chengdu deputies think about biomedicine", "city", "成都", ["生物医药"]),
]


@pytest.mark.parametrize("message, intent, entity, filters", LATIN)
def test_english_and_pinyin_framing_words_are_not_searched_for(engine: Engine, message: str, intent: str, entity: str, filters: list[str]) -> None:
    answer = engine.answer(message, "en")
    assert (intent, entity, filters) == about(answer)
    assert [] == answer.terms
    assert answer.notice is None
    assert answer.items


# Commands with a second name ----------------------------------------------------------


def test_city_command_with_a_person_is_that_person_in_that_city(engine: Engine) -> None:
    answer = engine.answer("/city 武汉 马新强")
    assert ("person", "马新强", ["武汉"]) == about(answer)
    assert {"马新强"} == {item.speaker for item in answer.items}


@pytest.mark.parametrize("message", ["/topic 人才 武汉", "/topic AI 武汉", "武汉 人工智能"])
def test_topic_and_city_limit_each_other(engine: Engine, message: str) -> None:
    answer = engine.answer(message)
    named = {answer.match.name, *(f.name for f in answer.filters)}
    assert "武汉" in named and named & {"人才", "人工智能"}
    assert answer.items
    wuhan = city_items(engine, "武汉")
    assert all(item.id in wuhan for item in answer.items)


def test_a_topic_with_a_city_ranks_by_the_topic(engine: Engine) -> None:
    """Wuhan on AI: the quote most about AI (王行环 on DeepSeek) comes first."""
    answer = engine.answer("/topic AI 武汉")
    assert "DeepSeek" in answer.items[0].text


def test_topic_command_with_a_person_suggests_the_person(engine: Engine) -> None:
    answer = engine.answer("/topic 马新强")
    assert (Intent.NOT_FOUND, [("person", "马新强")]) == (answer.intent, [(s.kind, s.name) for s in answer.suggestions])
    assert "/who 马新强" in to_text(answer, "zh")


# Several names of one kind ------------------------------------------------------------


def test_two_cities_give_what_links_them(engine: Engine) -> None:
    """上海代表怎么看武汉: Shanghai's items that are about Wuhan, nothing else."""
    answer = engine.answer("上海代表怎么看武汉")
    assert ("city", "上海", ["武汉"]) == about(answer)
    both = city_items(engine, "上海") & city_items(engine, "武汉")
    assert answer.total == len(both) > 0
    assert all(item.id in both for item in answer.items)
    assert "丁光宏" == answer.items[0].speaker


def test_two_people_give_what_either_said_and_name_both(engine: Engine) -> None:
    answer = engine.answer("马新强 王行环")
    assert {"马新强", "王行环"} == {person.name for person in answer.people}
    assert [] == answer.filters
    assert {"马新强", "王行环"} == {item.speaker for page in _pages(engine, answer) for item in page.items}
    text = to_text(answer, "zh")
    assert text.startswith("马新强、王行环")
    assert "+ 王行环" not in text


def test_two_topics_no_item_shares_say_so_without_anyone_saying(engine: Engine) -> None:
    answer = engine.answer("人才 人工智能")
    assert "no_items_for_filters" == answer.notice
    assert "没有同时涉及人才和人工智能的内容" in to_text(answer, "zh")
    assert "Nothing covers 人才 and 人工智能 together" in to_text(answer, "en")


def _pages(engine: Engine, answer: Answer) -> list[Answer]:
    pages = [answer]
    while pages[-1].next:
        pages.append(engine.answer(pages[-1].next))
    return pages


# What a /city answer shows ---------------------------------------------------------------


def test_city_answer_shows_its_facts_and_figures_on_the_first_page(engine: Engine) -> None:
    answer = engine.answer("/city 武汉")
    assert answer.figures and len(answer.figures) <= 3
    assert {"fact"} == {item.kind for item in answer.figures}
    assert all(item.id in city_items(engine, "武汉") for item in answer.figures)
    assert not {item.id for item in answer.figures} & {item.id for item in answer.items}
    text = to_text(answer, "zh")
    assert text.index("相关表述") < text.index("数据与事实")
    assert answer.figures[0].text in text
    assert [] == engine.answer(answer.next).figures  # only the first page


def test_city_answer_says_how_many_delegates_it_has(corpus_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the most quoted are listed; the answer says how many there are."""
    monkeypatch.setattr(engine_module, "MAX_DELEGATES", 3)
    engine = Engine(corpus_db)
    city, count = engine.store.row(
        "select city, count(*) from people where city_id is not null group by city_id order by count(*) desc limit 1"
    )
    assert count > 3
    answer = engine.answer(f"/city {city}")
    assert (3, count) == (len(answer.people), answer.people_total)
    assert f"代表委员（等 {count} 位）" in to_text(answer, "zh")
    assert f"Delegates ({count} in all)" in to_text(answer, "en")
    weights = [person.quotes + person.statements + person.facts for person in answer.people]
    assert weights == sorted(weights, reverse=True)


def test_quote_of_a_city_nothing_was_said_about_is_not_found(engine: Engine) -> None:
    assert (Intent.NOT_FOUND, None, "no_coverage") == (lambda a: (a.intent, a.match, a.notice))(engine.answer("/quote 北京"))


def test_english_help_counts_cities(engine: Engine) -> None:
    text = to_text(engine.answer("/help", "en"), "en")
    assert "citys" not in text
    assert "5 cities" in text


# Context and paging ---------------------------------------------------------------------


def test_plain_text_context_marks_the_item_in_its_paragraph(engine: Engine) -> None:
    item = engine.answer("/who 马新强").items[1]
    text = to_text(engine.answer(item.context_command), "zh")
    assert f"【{item.text}】" in text


def test_console_goes_on_from_the_page_after_showing_a_paragraph(engine: Engine) -> None:
    console = Console(engine)
    console.push("马欣强")
    console.push("ctx 2")
    reply = console.push("more")
    assert (5, "person") == (console.last.offset, console.last.intent)
    assert "第 6–" in reply
    console.push("ctx 7")
    assert "context" == console.last.intent


def test_a_page_of_four_people_and_words_still_gets_a_more_button(engine: Engine) -> None:
    answer = engine.answer("马新强 王行环 丁光宏 武汉 创新 产业")
    assert answer.next and len(answer.next.encode("utf-8")) > BUTTON_BYTES
    callback_data = CallbackData()
    button = callback_data.encode(answer.next)
    assert button is not None and len(button.encode("utf-8")) <= BUTTON_BYTES
    callback_data.allow(button, 5001)  # sent to chat 5001
    following = engine.answer(callback_data.decode(button, 5001))
    assert (answer.offset + len(answer.items), answer.total) == (following.offset, following.total)
    assert following.items


# English readers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "message, english, chinese",
    [
        ("/who 马新强", "马新强 Ma Xinqiang (Wuhan)", "马新强（武汉）"),
        ("/city 成都", "• 耿福能 Geng Funeng (", "• 耿福能（"),
        ("/topic 人工智能", "] 王行环 Wang Xinghuan (Wuhan)", "] 王行环（武汉）"),
    ],
)
def test_english_answers_spell_names_and_cities_too(engine: Engine, message: str, english: str, chinese: str) -> None:
    """The quotes stay as they were said; an English reader also gets the names in pinyin."""
    answer = engine.answer(message, "en")
    assert english in to_text(answer, "en")
    assert chinese in to_text(engine.answer(message), "zh")
    assert "Ma Xinqiang" not in to_text(engine.answer(message), "zh")


@pytest.mark.parametrize(
    "message, says",
    [
        ("马新强 王行环 中医药", "马新强、王行环没有关于中医药的表述"),
        ("马新强 王行环 沿途下蛋", "以下是马新强、王行环的全部内容"),
    ],
)
def test_a_notice_about_two_people_names_both(engine: Engine, message: str, says: str) -> None:
    text = to_text(engine.answer(message), "zh")
    assert says in text


# Pasted text ---------------------------------------------------------------------------

# Longer than a question (core.MAX_SEARCH): copied, not typed. Its filler names no one.
FILLER = "记者在会场看到，大家围绕这一话题展开了热烈讨论，气氛十分活跃。"


def test_a_pasted_text_is_what_the_people_it_names_said(engine: Engine) -> None:
    pasted = "会上，马新强和王行环分别发言。" + FILLER * 4
    assert len(pasted) > engine_module.MAX_SEARCH
    answer = engine.answer(pasted)
    assert {"马新强", "王行环"} == {person.name for person in answer.people}
    assert answer.items and {item.speaker for item in answer.items} <= {"马新强", "王行环"}


def test_a_pasted_text_reads_names_as_spelt(engine: Engine) -> None:
    """A typo is typed: 马欣强 in a question is 马新强 (see TYPO_IN_QUESTION), in a pasted text no one."""
    answer = engine.answer("会上，马欣强说了很多。" + FILLER * 4)
    assert "马新强" not in {person.name for person in answer.people}
    assert answer.match is None or answer.match.name != "马新强"


def test_an_english_question_longer_than_a_chinese_one_is_no_pasted_text(engine: Engine) -> None:
    """Typed in English, a question runs past MAX_SEARCH characters: it is
    still read as a question, with the city and topic it names together."""
    question = "what did the wuhan delegates say about artificial intelligence at this year's two sessions, please?"
    assert len(question) > engine_module.MAX_SEARCH
    assert about(engine.answer(question)) == about(engine.answer("what did the wuhan delegates say about AI"))
    assert "武汉" in {entity.name for entity in [engine.answer(question).match, *engine.answer(question).filters] if entity}


def test_a_pasted_text_naming_no_one_is_about_the_subject_it_names_most(engine: Engine) -> None:
    answer = engine.answer("武汉的人工智能产业发展迅速，人工智能人才需求旺盛。" + FILLER * 4)
    assert ("topic", "人工智能", []) == about(answer)
    assert answer.items
