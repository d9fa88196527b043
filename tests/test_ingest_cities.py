"""Which cities an item mentions (bot/ingest.py _cities_in, bot/gazetteer.py),
with jieba taught as ingest teaches it.

A name or alias counts as a whole word; so does a compound naming two cities
(成渝, 沪汉). 沪 and 渝 name Shanghai and Chongqing wherever they stand (来沪,
渝企); the other one-character abbreviations are ordinary characters in
running text (汉字, 芙蓉, 京剧) and never count there. English names count on
word boundaries, when they belong to one city.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import jieba
import pytest
from conftest import fixture_paragraphs, store_of_seeds

from bot.ingest import gazetteer, roles
from bot.ingest.build import _teach
from bot.ingest.dictionary import whole_tokenizer
from bot.ingest.tokens import SearchTokens
from bot.ingest.write import _cities_in


@pytest.fixture(scope="module")
def tokenizer() -> jieba.Tokenizer:
    taught = whole_tokenizer()
    _teach(taught, {}, [])
    return taught


@pytest.mark.parametrize(
    ("text", "cities"),
    [
        ("沪渝两地要在标准制定上多合作", {"上海", "重庆"}),
        ("来沪投资的企业越来越多", {"上海"}),
        ("渝企已经在无人机物流方面试点了三年", {"重庆"}),
        ("川渝合作不断深化", {"重庆"}),
        ("成渝地区双城经济圈建设", {"成都", "重庆"}),
        ("沪汉两地的合作由来已久", {"上海", "武汉"}),
        ("京津冀协同发展", {"北京", "天津"}),
        ("武汉与上海同为长江经济带重要城市", {"武汉", "上海"}),
        ("Wuhan and Chengdu are partners", {"武汉", "成都"}),
        ("Xi'an and Shanghai", {"西安", "上海"}),
        # Not mentions.
        ("汉字的魅力在于表意", set()),
        ("芙蓉花开满城", set()),
        ("京剧是国粹", set()),
        ("津贴标准有所提高", set()),
        ("推广深度融合的经验", set()),  # holds 广深, but not as a word
        ("Wuhanese food is spicy", set()),
        ("Suzhou gardens", set()),  # 苏州 or 宿州
        ("a wuhan delegate", set()),  # lower case is no name
    ],
)
def test_cities_in(tokenizer: jieba.Tokenizer, text: str, cities: set[str]) -> None:
    tokens = [word for word, _, _ in SearchTokens(tokenizer)(text)]
    assert cities == _cities_in(text, tokens, gazetteer.city_by_name())


def test_only_unambiguous_abbreviations_count_in_text() -> None:
    """Each is its city's abbreviation in the gazetteer, and no other is added."""
    assert {"沪": "上海", "渝": "重庆"} == gazetteer.TEXT_ABBREVIATIONS
    abbreviations = {abbreviation: city.name for city in gazetteer.cities() for abbreviation in city.abbreviations}
    assert all(abbreviations[abbreviation] == city for abbreviation, city in gazetteer.TEXT_ABBREVIATIONS.items())


def test_the_store_links_items_to_abbreviated_and_english_cities(tmp_path: Path) -> None:
    db = store_of_seeds(
        tmp_path,
        {
            "abbreviations.txt": "沪渝代表谈合作\n今年全国两会上，区域合作成为热词。\n"
            "柯明远表示，渝企来沪投资越来越多，两地要在标准制定上多合作。\n"
            "闻晓岚表示，Wuhan and Chengdu 的合作也要加强。\n"
        },
    )
    connection = sqlite3.connect(db)
    linked = {
        (speaker, city)
        for speaker, city in connection.execute(
            """select p.name, c.name from item_cities ic join items i on i.id = ic.item_id
               join people p on p.id = i.speaker_id join cities c on c.id = ic.city_id"""
        )
    }
    assert {("柯明远", "重庆"), ("柯明远", "上海"), ("闻晓岚", "武汉"), ("闻晓岚", "成都")} == linked
    counts = dict(connection.execute("select name, items from cities where items > 0"))
    assert {"重庆": 1, "上海": 1, "武汉": 1, "成都": 1} == counts


@pytest.mark.parametrize(
    ("texts", "city"),
    [
        # The city named once, in passing: its session.
        (["出席市九届人大二次会议的320多名市人大代表陆续报到。", "“《芜湖市非物质文化遗产保护条例》实施以来，传承人的日子好过多了。”"], "芜湖"),
        # Named in the lead, as before.
        (["芜湖市人大九届二次会议开幕。", "代表们来自芜湖、马鞍山等地。"], "芜湖"),
        # Two cities, past the lead, and no place in the session's own words: none.
        (["出席市九届人大二次会议的市人大代表陆续报到。", "代表们井然有序地签到。", "现场气氛热烈。", "他学习了宁波和芜湖的经验。"], None),
    ],
)
def test_a_city_session_without_its_place_is_in_the_one_city_the_article_names(texts: list[str], city: str | None) -> None:
    session = roles.session_of(texts)
    assert ("city", city) == (session.level, session.city)


@pytest.mark.parametrize(
    ("lead", "city"),
    [
        ("3月5日中午，衢州市参加十四届全国人大三次会议的4名全国人大代表，围坐在一张长桌旁。", "衢州"),
        ("衢州市的全国人大代表马不停蹄、见缝插针。", "衢州"),
        ("部分在穗全国人大代表启程", "广州"),
        # A city's own congress: a role, not a delegation.
        ("衢州市人大代表陆续报到。", None),
        ("代表们来自衢州、芜湖等地。", None),
        # Members of several cities, the last named right before 的: none of them.
        ("3月12日，成都日报记者邀请来自沈阳青岛马鞍山韶关的全国人大代表、全国政协委员就此话题展开讨论。", None),
        ("3月4日，南方日报记者邀请来自无锡、东莞、自贡、长沙的全国人大代表、全国政协委员就此话题展开讨论。", None),
    ],
)
def test_a_lead_about_one_citys_delegation_gives_its_members_that_city(lead: str, city: str | None) -> None:
    found = roles.lead_city([lead])
    assert city == (found[0] if found else None)


def test_a_city_before_a_role_is_found_where_the_whole_scan_finds_it() -> None:
    """build._city_roles tries the city-before-a-role pattern only a city's
    length before each 代表 or 委员; it finds what the pattern's finditer finds
    over the whole text, on every fixture paragraph and on texts made of
    cities, 的, roles and names run together (longest and shortest city
    names, roles back to back, matches that would overlap)."""
    import random

    from bot.ingest import build

    texts = fixture_paragraphs()
    spellings = sorted(gazetteer.city_by_name(), key=len)
    pieces = [spellings[0], spellings[-1], "武汉", "武汉市", "的", "全国人大代表", "全国政协委员", "人大代表", "政协委员", "代表", "委员", "、", "，", "张三", "欧阳一伟", "说"]
    drawn = random.Random(12)
    texts += ["".join(drawn.choice(pieces) for _ in range(drawn.randint(1, 30))) for _ in range(3000)]
    pattern = build.city_role()[0]
    found = [[match.group(0) + f"@{match.start()}" for match in build._city_roles(text)] for text in texts]
    assert found == [[match.group(0) + f"@{match.start()}" for match in pattern.finditer(text)] for text in texts]
    assert sum(map(len, found)) > 1000
