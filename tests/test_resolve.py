"""Fuzzy matching of people, cities and topics on the seed store (issue #3).

People type names every way; each table row is one way, with the canonical
name and kind it must reach. Every row is tried through the engine, both as
the matching command and as bare text, because that is what users send.
Unknown names must never come back as someone or something else.
"""

from __future__ import annotations

import pytest

from bot.engine import Engine
from bot.render import to_text
from bot.engine.resolve import SHORT_SCAN, Resolver

COMMAND = {"person": "/who", "city": "/city", "topic": "/topic"}
SIX = ("丁光宏", "马新强", "王行环", "罗卫东", "耿福能", "宋朝学")

# (typed, expected kind, expected canonical name)
PEOPLE = [
    # homophone typos: same sound, different character
    ("马欣强", "person", "马新强"),
    ("罗卫冬", "person", "罗卫东"),
    ("宋朝雪", "person", "宋朝学"),
    ("丁光红", "person", "丁光宏"),
    # a character that looks alike (坏/环), with a near sound (huai/huan)
    ("王行坏", "person", "王行环"),
    # pinyin: joined, spaced, capitals, tone marks, tone numbers, either order, initials
    ("maxinqiang", "person", "马新强"),
    ("Ma Xinqiang", "person", "马新强"),
    ("MA XIN QIANG", "person", "马新强"),
    ("Xinqiang Ma", "person", "马新强"),
    ("xin qiang ma", "person", "马新强"),
    ("Mǎ Xīnqiáng", "person", "马新强"),
    ("ma3 xin1 qiang2", "person", "马新强"),
    ("mxq", "person", "马新强"),
    ("MXQ", "person", "马新强"),
    ("Luo Weidong", "person", "罗卫东"),
    ("Weidong Luo", "person", "罗卫东"),
    ("luó wèidōng", "person", "罗卫东"),
    ("Ding Guanghong", "person", "丁光宏"),
    ("Wang Xinghuan", "person", "王行环"),
    ("Geng Funeng", "person", "耿福能"),
    ("song chao xue", "person", "宋朝学"),
    # traditional characters
    ("馬新強", "person", "马新强"),
    ("羅衛東", "person", "罗卫东"),
    ("馬欣強", "person", "马新强"),
    # partial names and titles
    ("新强", "person", "马新强"),
    ("福能", "person", "耿福能"),
    ("马新强代表", "person", "马新强"),
    ("丁光宏委员", "person", "丁光宏"),
    ("马代表", "person", "马新强"),
    ("罗委员", "person", "罗卫东"),
    ("马欣强代表", "person", "马新强"),
]

CITIES = [
    ("江城", "city", "武汉"),
    ("蓉城", "city", "成都"),
    ("申城", "city", "上海"),
    ("沪", "city", "上海"),
    ("魔都", "city", "上海"),
    ("杭城", "city", "杭州"),
    ("山城", "city", "重庆"),
    ("渝", "city", "重庆"),
    ("蓉", "city", "成都"),
    ("Wuhan", "city", "武汉"),
    ("wu han", "city", "武汉"),
    ("Chongqing", "city", "重庆"),
    ("Shanghai", "city", "上海"),
    ("Hangzhou", "city", "杭州"),
    ("Chengdu", "city", "成都"),
    ("武汉市", "city", "武汉"),
    ("成都市", "city", "成都"),
    ("武漢", "city", "武汉"),
    ("重慶", "city", "重庆"),
    ("武汗", "city", "武汉"),
]

TOPICS = [
    ("AI", "topic", "人工智能"),
    ("ai", "topic", "人工智能"),
    ("artificial intelligence", "topic", "人工智能"),
    ("大模型", "topic", "人工智能"),
    ("人工只能", "topic", "人工智能"),
    ("talent", "topic", "人才"),
    ("引才", "topic", "人才"),
    ("optoelectronics", "topic", "光电子信息"),
    ("光电子", "topic", "光电子信息"),
    ("shipping", "topic", "航运"),
    ("港口", "topic", "航运"),
    ("自贸试验区", "topic", "自贸区"),
    ("FTZ", "topic", "自贸区"),
    ("TCM", "topic", "中医药"),
    ("low-altitude economy", "topic", "低空经济"),
    ("医疗大数据", "topic", "健康医疗大数据"),
]

# Bare text naming one thing answers as that thing. Topic synonyms are left out
# here: a word like 光电子 is also searched for as written.
BARE = PEOPLE + CITIES + [
    ("AI", "topic", "人工智能"),
    ("artificial intelligence", "topic", "人工智能"),
    ("talent", "topic", "人才"),
    ("人才", "topic", "人才"),
    ("shipping", "topic", "航运"),
]


def understood(engine: Engine, message: str) -> tuple[str, str, str] | None:
    """(intent, kind, name) of what the engine answered as, or None."""
    answer = engine.answer(message)
    if answer.match is None:
        return None
    return answer.intent, answer.match.kind, answer.match.name


EXACT = [(name, "person", name) for name in SIX] + [
    (name, "city", name) for name in ("武汉", "上海", "成都", "杭州", "重庆")
] + [(name, "topic", name) for name in ("人工智能", "人才", "光电子信息", "航运")]


@pytest.mark.parametrize("name, kind, expected", EXACT)
@pytest.mark.parametrize(
    "form",
    [
        "{cmd} {name}",
        "{name}",
        "  {name}  ",
        "\u3000{name}\u3000",
        "{cmd}   {name}   ",
        "{cmd}\u3000{name}",
        "{cmd}@LiangHuiBot {name}",
        "{cmd}@lianghui_bot\u3000{name}",
        "{cmd}\n{name}",
    ],
)
def test_exact_names_in_every_form(engine: Engine, name: str, kind: str, expected: str, form: str) -> None:
    message = form.format(cmd=COMMAND[kind], name=name)
    assert (kind, kind, expected) == understood(engine, message)


@pytest.mark.parametrize("typed, kind, expected", PEOPLE + CITIES + TOPICS)
def test_command_resolves(engine: Engine, typed: str, kind: str, expected: str) -> None:
    assert (kind, kind, expected) == understood(engine, f"{COMMAND[kind]} {typed}")


@pytest.mark.parametrize("typed, kind, expected", BARE)
def test_bare_text_resolves(engine: Engine, typed: str, kind: str, expected: str) -> None:
    assert (kind, kind, expected) == understood(engine, typed)


@pytest.mark.parametrize("typed, kind, expected", PEOPLE[:6] + CITIES[:3] + TOPICS[:3])
def test_command_with_bot_name_resolves(engine: Engine, typed: str, kind: str, expected: str) -> None:
    """In groups Telegram sends /who@botname; the suffix must not change the answer."""
    assert (kind, kind, expected) == understood(engine, f"{COMMAND[kind]}@LiangHuiBot {typed}")


def test_fuzzy_match_says_what_it_matched(engine: Engine) -> None:
    """A typo is answered, but the reply says how it was read, and exact names are not flagged."""
    fuzzy = engine.answer("/who 马欣强")
    exact = engine.answer("/who 马新强")
    assert "fuzzy" == fuzzy.match.how
    assert fuzzy.match.score < exact.match.score == 100.0
    assert "马欣强" in to_text(fuzzy, "zh")
    assert "马欣强" not in to_text(exact, "zh")


# Unknown queries ---------------------------------------------------------------

# (message, expected subject, suggestions that must be offered)
UNKNOWN = [
    ("/who 张三", "张三", []),
    ("张三", "张三", []),
    ("/who 李四光", "李四光", []),
    ("/city 北京", "北京", []),
    ("北京", "北京", []),
    ("/city 伦敦", "伦敦", []),
    ("/topic 量子计算", "量子计算", []),
    ("/topic 区块链", "区块链", []),
    ("/who 马新华", "马新华", ["马新强"]),
    ("/who 马新", "马新", ["马新强"]),
    ("/who 王行", "王行", ["王行环"]),
    ("/who 耿福", "耿福", ["耿福能"]),
    ("/who 武汉", "武汉", ["武汉"]),
    ("/city 马新强", "马新强", ["马新强"]),
    ("/who 人工智能", "人工智能", ["人工智能"]),
    ("/who Zhang San", "Zhang San", []),
    ("/who xqm", "xqm", []),
    ("/quote 张三", "张三", []),
]


@pytest.mark.parametrize("message, subject, suggested", UNKNOWN)
def test_unknown_is_not_found_never_someone_else(engine: Engine, message: str, subject: str, suggested: list[str]) -> None:
    answer = engine.answer(message)
    assert "not_found" == answer.intent
    assert answer.match is None
    assert [] == answer.items
    assert subject == answer.subject
    names = [s.name for s in answer.suggestions]
    assert len(names) <= 3
    assert set(suggested) <= set(names)
    if not suggested:
        assert [] == names


def test_city_without_coverage_says_so(engine: Engine) -> None:
    """北京 is a real city the store knows, with nothing about it yet: not a typo."""
    answer = engine.answer("/city 北京")
    assert ("not_found", "no_coverage") == (answer.intent, answer.notice)
    assert "北京" in to_text(answer, "zh")
    assert "no delegate or statement" in to_text(answer, "en")


def test_suggestions_are_commands_for_the_right_kind(engine: Engine) -> None:
    """/who 武汉: 武汉 is a city, so the suggestion is /city 武汉, not a person."""
    answer = engine.answer("/who 武汉")
    assert [("city", "武汉")] == [(s.kind, s.name) for s in answer.suggestions]
    assert "/city 武汉" in to_text(answer, "zh")


def test_two_character_names_are_not_guessed_from_a_typo(engine: Engine) -> None:
    """One wrong character is half of a two-character name: suggest, never answer."""
    resolver = Resolver(engine.store)
    resolution = resolver.resolve("福熊", ("person",))
    assert resolution.match is None


def test_weak_keys_do_not_fire_inside_sentences(engine: Engine) -> None:
    """新强 is 马新强's given name, but inside 创新强国 it is not him."""
    resolver = Resolver(engine.store)
    assert [] == [r.candidate.name for _, _, r in resolver.scan("我们要建设创新强国") if r.candidate.kind == "person"]
    assert [("person", "马新强"), ("topic", "人才")] == [(r.candidate.kind, r.candidate.name) for _, _, r in resolver.scan("马新强谈人才")]


def test_a_scan_finds_each_name_where_it_starts_at_its_longest(engine: Engine) -> None:
    """The scan stops only where some key's first character stands and tries
    only the lengths keys starting there have (三门峡市, not 三门峡; 上海, with
    上海市 not in the text): each name is found at its longest, traditional
    characters read as simplified, a name ending the text included."""
    text = "在三门峡市和上海，馬新強談人才"
    found = [(start, end, r.candidate.kind, r.candidate.name) for start, end, r in Resolver(engine.store).scan(text)]
    assert [(1, 5, "city", "三门峡"), (6, 8, "city", "上海"), (9, 12, "person", "马新强"), (13, 15, "topic", "人才")] == found
    assert "在三门峡市和上海，马新强谈人才" == Resolver(engine.store).simplify(text)


def test_a_short_texts_names_are_looked_up_as_the_scan_table_finds_them(engine: Engine) -> None:
    """A short text is scanned by one query of its substrings until the scan
    table is loaded: the same keys, owners and places as the table gives, on
    every window of every paragraph, and no table read for a question."""
    resolver = Resolver(engine.store)
    assert [(0, 3, "马新强")] == [(start, end, r.candidate.name) for start, end, r in resolver.scan("马新强说了什么")]
    assert "scan" not in resolver._tables.values()
    texts = [row["text"][start : start + SHORT_SCAN] for row in engine.store.rows("select text from paragraphs") for start in (0, 17)]
    for text in [*texts, "在三门峡市和上海，马新强谈人才", "Ma Xinqiang 谈人才", ""]:
        simplified = resolver.simplify(text).lower()
        looked_up, places = resolver._han_keys_looked_up(simplified)
        in_table, spans = resolver._han_keys_in_table(simplified)
        assert (in_table, dict(spans)) == (looked_up, places), text
    assert any(looked_up for looked_up, _ in map(resolver._han_keys_looked_up, texts))


# (typed pinyin, suggestions expected): a prefix or a near spelling suggests its
# owner; letters that merely overlap (zhangsan and yu hang huan, a reading of
# 王行环) suggest nothing.
LATIN_SUGGESTIONS = [
    ("zhangsan", []),
    ("Zhang San", []),
    ("lisi", []),
    ("maxin", ["马新强"]),
    ("xinqiang", ["马新强"]),
    ("shanghia", ["上海"]),
    ("wuhna", ["武汉"]),
    ("artificial", ["人工智能"]),
]


@pytest.mark.parametrize("typed, expected", LATIN_SUGGESTIONS)
def test_latin_suggestions_are_close_ones(engine: Engine, typed: str, expected: list[str]) -> None:
    resolution = Resolver(engine.store).resolve(typed)
    assert resolution.match is None
    assert expected == [c.name for c in resolution.suggestions]


@pytest.mark.parametrize("typed", ["zhou jian xian", "ma jia xian", "liu jian si", "lu an ping", "Xian Wei"])
def test_pinyin_syllables_inside_a_name_are_not_cities(engine: Engine, typed: str) -> None:
    """jian is 吉安's and xian 西安's English key, and also a syllable of many names:
    inside a pinyin name it must not turn the message into a city answer."""
    assert [] == [(r.candidate.kind, r.candidate.name) for _, _, r in Resolver(engine.store).scan(typed)]
    assert "city" != engine.answer(typed).intent

