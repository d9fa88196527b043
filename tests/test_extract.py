"""Who said what in the first seed (bot/extract.py), item by item.

The table below was checked against the article paragraph by paragraph: each
delegate's box, the cue next to each quote (丁光宏表示 / ”罗卫东说 / 他建议),
and the reporter's introduction, which belongs to no delegate. A change in
extraction that moves any item to another speaker, drops it or adds one
fails here.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.ingest.extract import Extractor, Item, discover_people, has_figures, scan_quotes, sentence_bounds
from bot.ingest.build import ParsedArticle, _people
from bot.ingest.dictionary import whole_tokenizer
from bot.ingest.layout import Layout, rebuild
from bot.ingest.seeds import read_seed
from conftest import SEEDS, fixture_paragraphs

SEED = SEEDS / "2025-03-cjrb-four-cities-innovation.txt"
DELEGATES = ("丁光宏", "马新强", "王行环", "罗卫东", "耿福能", "宋朝学")


@pytest.fixture(scope="module")
def seed_layout() -> Layout:
    return rebuild(read_seed(SEED).text)


@pytest.fixture(scope="module")
def extractor(seed_layout: Layout) -> Extractor:
    """The extractor as ingest builds it: people discovered in the text and
    merged with the sidecar."""
    seed = read_seed(SEED)
    return Extractor(_people([ParsedArticle(seed, seed_layout)], whole_tokenizer()))


@pytest.fixture(scope="module")
def items(extractor: Extractor, seed_layout: Layout) -> list[Item]:
    return extractor.extract(seed_layout)[0]


# (paragraph, kind, speaker, the first 12 and the last 10 characters of the item's text):
# the ends pin each item's boundaries, not only its attribution.
EXPECTED = [
    # The reporter's introduction: a leader's words and the delegates as a group.
    (0, "statement", None, "习近平总书记到武汉产业创", "出了更为迫切的需求。"),
    (1, "statement", None, "大家表示，四城有实力在提", "系中领风骚、建功业。"),
    # 丁光宏 (上海)
    (2, "quote", "丁光宏", "武汉与上海同为长江经济带", "现出深度融合的潜力。"),
    (3, "statement", "丁光宏", "丁光宏说，长江经济带上的", "个城市的品格、特性。"),
    (3, "quote", "丁光宏", "沿海城市为什么发展得快，", "市的深层次改革发展。"),
    (4, "statement", "丁光宏", "丁光宏表示，上海与武汉在", "，打造内陆开放高地。"),
    (5, "statement", "丁光宏", "丁光宏介绍，根据国家规划", "实现全流域资源整合。"),
    (6, "quote", "丁光宏", "在科技创新方面，武汉高校", "成本，形成创新链条。"),
    (7, "quote", "丁光宏", "武汉是一座英雄的城市。对", "对武汉也有感恩之心。"),
    # 马新强 (武汉): his box opens on 杭州's “六小龙” before it names him. The
    # sentences no cue attributes are reporting in his box: facts without figures.
    (8, "fact", "马新强", "科技创新一靠投入，二靠人", "一靠投入，二靠人才。"),
    (8, "fact", "马新强", "最近，杭州“六小龙”现象", "平均年龄只有30岁。"),
    (8, "statement", "马新强", "在马新强看来，这是“现象", "的配置及政策的优化。"),
    (9, "fact", "马新强", "从一家校办企业成长为国家", "业发展迈上了新台阶。"),
    (9, "fact", "马新强", "据了解，近十年来，华工科", "增长率在20%以上。"),
    (9, "fact", "马新强", "为支撑中央研究院开展前沿", "进研发的高效率运行。"),
    (10, "fact", "马新强", "武汉丰富的科研资源，也激", "个技术创新战略联盟；"),
    (10, "fact", "马新强", "2024年，公司又牵头成", "上下游近10家企业。"),
    (10, "fact", "马新强", "企业还与武汉多所高校开展", "“博士100计划”。"),
    (11, "statement", "马新强", "马新强认为，在光电子信息", "领域，武汉优势明显。"),
    (12, "fact", "马新强", "技术方面：拥有华中科技大", "均处于全球领先水平。"),
    (13, "fact", "马新强", "产业方面：集聚中国信科、", "元、增长11.8%。"),
    (14, "fact", "马新强", "人才方面：拥有光电子信息", "人才最集中区域之一。"),
    (15, "quote", "马新强", "我们武汉高校众多，青年人", "够留在武汉创新创业。"),
    (15, "statement", "马新强", "马新强表示，发展新质生产", "人去挑大梁、当主角。"),
    # 罗卫东 (杭州)
    (16, "quote", "罗卫东", "今年的政府工作报告中，‘", "，都离不开科技创新。"),
    (17, "statement", "罗卫东", "在他看来，我国的创新创业", "进入 2.0 时代。"),
    (17, "quote", "罗卫东", "早期，我们在科技创新领域", "依赖人的兴趣和意志。"),
    (17, "statement", "罗卫东", "罗卫东说，新一代的创新会", "“发烧友”推动机制。"),
    (18, "quote", "罗卫东", "我们要将创新的主导权交给", "成一种新的经济业态。"),
    (18, "statement", "罗卫东", "罗卫东建议，各级政府可筑", "筑巢引凤，培育新生态"),
    (18, "quote", "罗卫东", "我们要让多样性创新人才在", "科技创新的参天大树。"),
    (19, "statement", "罗卫东", "罗卫东说，武汉拥有丰富的", "新高地具有深厚基础。"),
    (20, "statement", "罗卫东", "在罗卫东看来，每个城市都", "上也要走出特色之路。"),
    (20, "quote", "罗卫东", "相比于小家碧玉的杭州西湖", "武汉东湖的美在于大气"),
    (20, "statement", "罗卫东", "在科技创新领域，每个城市", "找到自己的定位和特点"),
    (20, "quote", "罗卫东", "创新不是人云亦云，也不是", "长出不一样的创新果实"),
    (21, "quote", "罗卫东", "杭州和武汉同属长江经济带", "协同发展、联动发展。"),
    (21, "statement", "罗卫东", "罗卫东说，无论是科技创新", "才能将创新生态做好。"),
    # 王行环 (武汉): same column width as 罗卫东, but every paragraph names him.
    (22, "quote", "王行环", "武汉应发挥优势，抓住风口", "和产业创新融合发展。"),
    (22, "statement", "王行环", "王行环建议，武汉可谋划建", "工智能技术深度融合。"),
    (23, "quote", "王行环", "过去谈人工智能，我们是在", "产生千亿价值的产业。"),
    (24, "statement", "王行环", "王行环认为，作为长江经济", "制改革的动力和活力。"),
    (25, "fact", "王行环", "在健康医疗大数据应用上，", "，持续改进医疗服务。"),
    (25, "statement", "王行环", "王行环总结，用好大数据，", "祉起到重要促进作用。"),
    (26, "quote", "王行环", "湖北武汉医疗资源丰富、科", "带技术创新中心建设。"),
    (26, "statement", "王行环", "王行环说，可以充分利用好", "响力的科技创新高地。"),
    # 耿福能 (成都)
    (27, "quote", "耿福能", "长江经济带涵盖多个城市，", "差异化发展至关重要。"),
    (27, "statement", "耿福能", "谈及长江经济带城市的创新", "了特色发展的重要性。"),
    (28, "statement", "耿福能", "他进一步解释道，武汉依托", "研发方面独具竞争力。"),
    (29, "quote", "耿福能", "武汉在光电子信息、智能制", "产业等领域成绩斐然。"),
    (30, "quote", "耿福能", "长江经济带各城市资源禀赋", "建跨区域创新联合体。"),
    (30, "statement", "耿福能", "耿福能举例，比如在生物医", "整的生物医药产业链。"),
    (31, "quote", "耿福能", "成都与武汉同为长江经济带", "、可持续的发展模式。"),
    (31, "statement", "耿福能", "他建议，武汉的技术转化能", "技成果“沿途下蛋”。"),
    (32, "fact", "耿福能", "作为医药行业的领军人物，", "在创新中的关键作用。"),
    (32, "quote", "耿福能", "企业是创新的主体，只有企", "新才能真正落地生根。"),
    (33, "quote", "耿福能", "科技突破是新质生产力的支", "是放大动能的催化剂。"),
    (33, "statement", "耿福能", "耿福能期待四城携手探索更", "量发展注入更强动力。"),
    # 宋朝学 (成都)
    (34, "quote", "宋朝学", "每个城市应根据自身资源禀", "创新和产业融合之路。"),
    (34, "statement", "宋朝学", "宋朝学指出，他长期关注成", "经济圈建设相关话题。"),
    (35, "statement", "宋朝学", "宋朝学介绍，成都凭借丰富", "开放协同的创新格局。"),
    (36, "quote", "宋朝学", "武汉则依托‘九省通衢’的", "中部崛起的科创引擎。"),
    (36, "statement", "宋朝学", "宋朝学提到，武汉的华中科", "条创新创业服务体系。"),
    (37, "statement", "宋朝学", "宋朝学认为，武汉应充分发", "改革，破除行政壁垒。"),
    (38, "quote", "宋朝学", "四城合作应构建‘梯度协同", "建‘梯度协同网络’。"),
    (38, "statement", "宋朝学", "宋朝学进一步解释，武汉作", "”的全链条协同生态。"),
]


def _summary(item: Item) -> tuple[int, str, str | None, str, str]:
    return item.paragraph, item.kind, item.speaker, item.text[:12], item.text[-10:]


def test_every_item_is_pinned(items: list[Item]) -> None:
    """The whole table, in order: nothing missing, nothing extra."""
    assert EXPECTED == [_summary(item) for item in items]


@pytest.mark.parametrize(("paragraph", "kind", "speaker", "opening", "ending"), EXPECTED, ids=lambda v: str(v))
def test_item_attribution(items: list[Item], paragraph: int, kind: str, speaker: str | None, opening: str, ending: str) -> None:
    found = [item for item in items if item.paragraph == paragraph and item.text.startswith(opening)]
    assert 1 == len(found)
    assert (kind, speaker, ending) == (found[0].kind, found[0].speaker, found[0].text[-len(ending) :])


def test_introduction_belongs_to_no_delegate(items: list[Item], seed_layout: Layout) -> None:
    intro = [item for item in items if seed_layout.paragraphs[item.paragraph].box == 0]
    assert 2 == len(intro)
    assert [None, None] == [item.speaker for item in intro]
    assert ["none", "none"] == [item.attribution for item in intro]
    # What the group said starts at the group: the reporter's invitation before it is no one's words.
    assert intro[1].text.startswith("大家表示，") and "记者邀请" not in intro[1].text


def test_six_delegates_speak_and_no_one_else(items: list[Item]) -> None:
    assert set(DELEGATES) == {item.speaker for item in items if item.speaker}


def test_six_pack_paragraph_is_ma_xinqiangs(items: list[Item], seed_layout: Layout) -> None:
    """科技创新一靠投入……杭州“六小龙”……在马新强看来: the figure before he is
    named, and the view after, are both his."""
    paragraph = next(i for i, p in enumerate(seed_layout.paragraphs) if p.text.startswith("科技创新一靠投入"))
    found = [(item.kind, item.speaker) for item in items if item.paragraph == paragraph]
    assert [("fact", "马新强"), ("fact", "马新强"), ("statement", "马新强")] == found
    assert [False, True] == [item.has_figures for item in items if item.paragraph == paragraph and item.kind == "fact"]


@pytest.mark.parametrize("term", ["六小龙", "九省通衢", "现象级", "发烧友", "沿途下蛋", "常态化", "国之重器"])
def test_short_quoted_terms_are_not_quotes(items: list[Item], term: str) -> None:
    quotes = [item.text for item in items if item.kind == "quote"]
    assert term not in quotes
    assert not any(text.startswith(term) for text in quotes)


@pytest.mark.parametrize(
    ("figure", "speaker"),
    [
        ("2024 年光电子信息产业营收达 7441.7 亿元、增长11.8%", "马新强"),
        ("每年招聘、留用不少于200名优秀硕博士", "马新强"),
        ("平均年龄只有30岁", "马新强"),
        ("复合增长率在20%以上", "马新强"),
        ("近10家企业", "马新强"),
        ("实验室13个", "马新强"),
        ("院士10余位", "马新强"),
    ],
)
def test_facts_carry_figures(items: list[Item], figure: str, speaker: str) -> None:
    found = [item for item in items if item.kind == "fact" and figure in item.text]
    assert 1 == len(found)
    assert speaker == found[0].speaker
    assert found[0].has_figures


def test_facts_are_figures_or_reporting_in_a_delegates_box(items: list[Item], seed_layout: Layout) -> None:
    """Seven facts carry figures; the others are reporting with no cue of
    their own (the sentences before 王行环总结), each in a delegate's box."""
    facts = [item for item in items if item.kind == "fact"]
    assert 7 == sum(item.has_figures for item in facts)
    reporting = [item for item in facts if not item.has_figures]
    assert 6 == len(reporting)
    assert all(seed_layout.paragraphs[item.paragraph].box > 0 and item.speaker in DELEGATES for item in reporting)
    assert not any(has_figures(item.text) for item in reporting)


def test_offsets_point_at_the_text_in_its_paragraph(items: list[Item], seed_layout: Layout) -> None:
    for item in items:
        paragraph = seed_layout.paragraphs[item.paragraph].text
        assert item.text == paragraph[item.start : item.end]
        assert 0 <= item.start < item.end <= len(paragraph)


def test_quotes_exclude_their_marks_and_statements_keep_their_cue(items: list[Item], seed_layout: Layout) -> None:
    for item in items:
        paragraph = seed_layout.paragraphs[item.paragraph].text
        if item.kind == "quote":
            assert "“" == paragraph[item.start - 1]
            assert not item.text.startswith("“")
    statement = next(item for item in items if item.text.startswith("丁光宏表示"))
    assert statement.text.endswith("打造内陆开放高地。")


# ---------------------------------------------------------------- units


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024年光电子信息产业营收达7441.7亿元", True),
        ("营收达 7441.7 亿元", True),
        ("平均年龄只有30岁", True),
        ("增长11.8%", True),
        ("不少于200名优秀硕博士", True),
        ("院士10余位", True),
        ("三十多家企业", True),
        ("3月6日，长江日报记者", False),
        ("已经进入 2.0 时代", False),
        ("2012 年，华工科技发起成立", False),
        ("从一家校办企业成长为", False),
        ("实施“博士100计划”", False),
        ("", False),
        # Shares, approximate counts and measured values without a unit.
        ("三分之一的企业已经上云", True),
        ("百分之三十的增长", True),
        ("近两成企业设立了研发中心", True),
        ("十几位专家参与论证", True),
        ("几十家企业入驻", True),
        ("上万名学生受益", True),
        ("数十家机构参与", True),
        ("抗压强度达3.5", True),
        ("增速突破12.6", True),
        # Idioms and words that only look like figures.
        ("让科技成果走进千家万户", False),
        ("百家争鸣、百花齐放", False),
        ("千方百计留住人才", False),
        ("创新不能一成不变", False),
        ("形成合力，促成合作", False),
        ("规模达2024年的水平", False),
    ],
)
def test_has_figures(expected: bool, text: str) -> None:
    assert expected == has_figures(text)


def test_a_title_before_a_name_is_looked_back_for_only_after_its_last_character() -> None:
    """NAMED_CUE and SPEAKER_OF_QUOTE_ABOVE, which open with _BEFORE, look
    back for a title only after a character a title ends with: they find what the
    look-behinds alone find (the same spans and names), over the fixture
    paragraphs and 20,000 texts run together from every title, names,
    speech verbs and punctuation."""
    import random
    import re

    from bot.ingest.extract import _TITLE_BEFORE, _TITLE_ENDS, _TITLES_BEFORE, NAMED_CUE, SPEAKER_OF_QUOTE_ABOVE

    draw = random.Random(20261205)
    before = [*_TITLES_BEFORE, "", "，", "。", "“", "馆长", "会长", "一", "的"]
    names = ["王一", "李二三", "欧阳四", "张"]
    after = ["表示", "说", "认为", "代表说", "委员表示", "的发言", "代表的发言", "：“", "们说", "明"]

    def clause() -> str:
        return draw.choice(before) + draw.choice(names) + draw.choice(after)

    texts = [*fixture_paragraphs(), *("".join(clause() for _ in range(draw.randint(1, 3))) for _ in range(20_000))]
    filtered = f"(?<=[{_TITLE_ENDS}])(?:{_TITLE_BEFORE})"
    for pattern in (NAMED_CUE, SPEAKER_OF_QUOTE_ABOVE):
        assert filtered in pattern.pattern
        unfiltered = re.compile(pattern.pattern.replace(filtered, _TITLE_BEFORE))
        found = [[(match.span(), match.groupdict()) for match in pattern.finditer(text)] for text in texts]
        assert sum(map(bool, found)) > 5_000
        assert found == [[(match.span(), match.groupdict()) for match in unfiltered.finditer(text)] for text in texts]


def test_han_count_counts_the_han_characters() -> None:
    """han_count, which measures whether a statement says enough, is the
    number of characters from 一 to 鿿: over the fixture paragraphs, and
    texts run together from the range's ends, the characters either side
    of it, Latin letters, digits, punctuation and a lone surrogate."""
    import random

    from bot.ingest.extract import han_count

    draw = random.Random(20261205)
    alphabet = ["\u4e00", "\u9fff", "\u4dff", "\ua000", "中", "a", "7", "，", " ", "\n", "\ud800", "𠮷"]
    texts = [*fixture_paragraphs(), "", *("".join(draw.choices(alphabet, k=draw.randint(0, 20))) for _ in range(10_000))]
    assert [sum("\u4e00" <= character <= "\u9fff" for character in text) for text in texts] == list(map(han_count, texts))


def test_a_text_holds_a_figure_where_figure_finds_one() -> None:
    """has_figures asks HOLDS_FIGURE, which FIGURE's first characters lead:
    it finds a figure in every text where FIGURE finds one, and in no other,
    over every paragraph and sentence of the fixture articles, and 100,000
    texts run together from every character a figure may start with, units,
    the words a figure must not be followed by, and Han text."""
    import random

    from bot.ingest.extract import FIGURE, HOLDS_FIGURE

    paragraphs = fixture_paragraphs()
    texts = [*paragraphs, *(piece for text in paragraphs for piece in text.split("。"))]
    draw = random.Random(20261205)
    # Every character and word FIGURE's source can start a figure with, written out here, not taken from _FIGURE_STARTS.
    starts = [*"零〇一二两三四五六七八九十百千万亿几上数近逾超", "达到", "达", "增至", "降至", "升至", "提高到", "提升至", "突破", "超过", "约"]
    pieces = [*starts, "7", "٣", "3.5", "1,200", "分之", "成", "成员", "亿元", "人", "个百分点", "%", "倍", "年", "时代", " ", "，", "代表说"]
    texts += ["".join(draw.choices(pieces, k=draw.randint(1, 4))) for _ in range(100_000)]
    assert 5_000 < sum(FIGURE.search(text) is not None for text in texts) < 95_000
    assert [FIGURE.search(text) is not None for text in texts] == [HOLDS_FIGURE.search(text) is not None for text in texts]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # (inner text, is speech)
        ("杭州“六小龙”现象", [("六小龙", False)]),
        ("“武汉是一座英雄的城市。”丁光宏说。", [("武汉是一座英雄的城市。", True)]),
        ("“沿海城市为什么发展得快。武汉作为‘九省通衢’，区位优势明显。”", [("沿海城市为什么发展得快。武汉作为‘九省通衢’，区位优势明显。", True)]),
        ("“一个没有标点但是很长的引语超过十六个字就算话语”", [("一个没有标点但是很长的引语超过十六个字就算话语", True)]),
        ("并通过“创新飞地”“联合基金”等机制", [("创新飞地", False), ("联合基金", False)]),
        ("“这句引语一直到段落结束，还没有收尾", [("这句引语一直到段落结束，还没有收尾", True)]),
        ("没有引号的句子。", []),
    ],
)
def test_scan_quotes(text: str, expected: list[tuple[str, bool]]) -> None:
    spans = scan_quotes(text)
    assert expected == [(text[span.open + 1 : span.close], span.speech) for span in spans]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("科技创新一靠投入，二靠人才。最近，杭州现象引发关注。", ["科技创新一靠投入，二靠人才。", "最近，杭州现象引发关注。"]),
        # A full stop inside quotes does not end the sentence; the closing mark stays with it.
        ("“武汉是一座英雄的城市。对上海人民来说。”丁光宏说。", ["“武汉是一座英雄的城市。对上海人民来说。”丁光宏说。"]),
        ("真的吗？！是的……好。", ["真的吗？！", "是的……", "好。"]),
        ("没有句号的结尾", ["没有句号的结尾"]),
    ],
)
def test_sentence_bounds(text: str, expected: list[str]) -> None:
    assert expected == [text[start:end] for start, end in sentence_bounds(text, 0, len(text))]


def test_sentence_bounds_within_a_range() -> None:
    text = "甲说。乙说，丙也说。丁说。"
    assert [(3, 10)] == sentence_bounds(text, 3, 10)


CUE_EXTRACTOR = Extractor(DELEGATES)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("丁光宏表示，上海与武汉在产业结构上各有千秋", [("named", "丁光宏", "丁光宏表示")]),
        ("在马新强看来，这是个案", [("named", "马新强", "在马新强看来")]),
        ("耿福能首先强调了特色发展的重要性", [("named", "耿福能", "耿福能首先强调")]),
        ("宋朝学进一步解释，武汉作为连接成渝与长三角的关键节点", [("named", "宋朝学", "宋朝学进一步解释")]),
        ("耿福能代表深知企业在创新中的关键作用", []),
        ("他建议，武汉的技术转化能力可与成都结合", [("pronoun", None, "他建议")]),
        ("在他看来，我国的创新创业已经进入新时代", [("pronoun", None, "在他看来")]),
        ("大家表示，四城有实力", [("group", None, "大家表示")]),
        ("习近平总书记到武汉考察时强调，实现高水平科技自立自强", [("group", None, "总书记到武汉考察时强调")]),
        ("“……”王行环说。", [("named", "王行环", "王行环说")]),
        ("这说明了问题", []),
        # Bounded material between the name and the verb: when, where and how they spoke.
        ("王行环在接受记者采访时表示，武汉要建大数据中心", [("named", "王行环", "王行环在接受记者采访时表示")]),
        ("耿福能代表在发言中指出，企业是创新的主体", [("named", "耿福能", "耿福能代表在发言中指出")]),
        ("宋朝学委员在小组讨论时建议，成渝要明晰分工", [("named", "宋朝学", "宋朝学委员在小组讨论时建议")]),
        ("罗卫东笑着说，武汉东湖的美在于大气", [("named", "罗卫东", "罗卫东笑着说")]),
        ("丁光宏则认为，两地要深化合作", [("named", "丁光宏", "丁光宏则认为")]),
        ("耿福能进一步解释道，武汉依托光谷", [("named", "耿福能", "耿福能进一步解释")]),
        ("马新强告诉记者，人才是第一资源", [("named", "马新强", "马新强告诉记者")]),
        ("马新强：“人才是第一资源，要留住他们。”", [("named", "马新强", "马新强：")]),
        # ... but not across punctuation, not through a possessive, not a long way.
        ("马新强的公司表示，要留住人才", []),
        ("马新强所在的企业表示，要留住人才", []),
        ("王行环在武汉，医院表示欢迎", []),
        ("王行环在2024年带领团队研发出多款产品的过程中表示，要加快转化", []),
        ("马新强：华工科技的人才战略", []),
        ("罗卫东说明了情况", []),
    ],
)
def test_cues(text: str, expected: list[tuple[str, str | None, str]]) -> None:
    assert expected == [(cue.kind, cue.name, text[cue.start : cue.end]) for cue in CUE_EXTRACTOR.cues(text)]


# ------------------------------------------------- regressions from the corpus


def test_leader_and_group_statements_stay_apart_and_facts_between_them_count() -> None:
    """In an introduction (from the generated corpus), 总书记……强调 and 大家表示
    are two subjects, each quoted for one sentence; the reporter's figure
    between them is a fact of no one's."""
    text = (
        "今年全国两会上，生态环境成为代表委员热议的话题。"
        "习近平总书记在福建考察时强调，应支持龙头企业牵头组建创新联合体，带动中小企业协同创新。"
        "武汉、漳州、福州，作为各具特色的重要城市，理应在生态环境上担当重任。"
        "2024年，武汉漳州福州研发投入合计超过1639.1亿元。"
        "3月4日，杭州日报记者邀请来自武汉漳州福州的全国人大代表、全国政协委员就此话题展开讨论，"
        "大家表示，推动产业创新与低空飞行深度融合，是培育新质生产力的重要路径。"
    )
    layout = rebuild(f"标题\n副标题\n{text}\n“这是一句足够长的引语，用来让版面被识别为网页。”赵某说。\n")
    items, _ = Extractor(["赵某"]).extract(layout)
    intro = [item for item in items if item.paragraph == 0]
    assert [("statement", None), ("fact", None), ("statement", None)] == [(item.kind, item.speaker) for item in intro]
    assert "习近平总书记在福建考察时强调，应支持龙头企业牵头组建创新联合体，带动中小企业协同创新。" == intro[0].text
    assert "2024年，武汉漳州福州研发投入合计超过1639.1亿元。" == intro[1].text
    assert "大家表示，推动产业创新与低空飞行深度融合，是培育新质生产力的重要路径。" == intro[2].text


@pytest.mark.parametrize(
    ("text", "name", "role", "affiliation"),
    [
        (
            "全国人大代表、石家庄光联律师事务所高级合伙人袁洁宜认为，石家庄在民营经济领域已经形成了较好的基础。",
            "袁洁宜",
            "全国人大代表",
            "石家庄光联律师事务所高级合伙人",
        ),
        ("全国政协委员、华工科技产业股份有限公司董事长马新强表示，要留住人才。", "马新强", "全国政协委员", "华工科技产业股份有限公司董事长"),
        ("耿福能代表深知企业的作用。耿福能说，企业是创新的主体。", "耿福能", "全国人大代表", None),
        (
            "在全国政协委员、江岭农业大学副校长卫长风的房间，桌上堆满了材料。卫长风说，粮食安全要抓牢。",
            "卫长风",
            "全国政协委员",
            "江岭农业大学副校长",
        ),
        (
            "全国政协委员、某党派中央常委、江岭某教育公司董事长卫长风对某某社表示，参政议政要从熟悉的领域做起。",
            "卫长风",
            "全国政协委员",
            "某党派中央常委、江岭某教育公司董事长",
        ),
    ],
    ids=["高级合伙人", "董事长", "代表", "在谁的房间", "对谁表示"],
)
def test_discovery_after_a_job_title(text: str, name: str, role: str, affiliation: str | None) -> None:
    """A name right after an affiliation ending in a job title (高级合伙人 too) is a speaker."""
    people = discover_people([text], rejects=lambda candidate: False)
    assert [name] == list(people)
    assert role in people[name].roles
    assert ([affiliation] if affiliation else []) == list(people[name].affiliations)


@pytest.mark.parametrize(
    ("text", "name", "role", "affiliation"),
    [
        ("全国政协委员王行环说。", "王行环", "全国政协委员", None),
        ("全国人大代表、华工科技产业股份有限公司董事长马新强说。", "马新强", "全国人大代表", "华工科技产业股份有限公司董事长"),
        ("来自武汉的全国政协委员王行环表示。", "王行环", "全国政协委员", None),
        ("华工科技董事长马新强表示。", "马新强", None, None),
        ("全国人大代表、武汉理工大学教授欧阳明辉坦言。", "欧阳明辉", "全国人大代表", "武汉理工大学教授"),
    ],
    ids=["政协委员", "人大代表、董事长", "来自", "董事长", "教授"],
)
def test_who_the_speaker_is_after_a_quote_is_no_statement(text: str, name: str, role: str | None, affiliation: str | None) -> None:
    """“……”全国政协委员王行环说。: the words after the quote only say who
    spoke. The quote is the person's, nothing else is an item, and the role
    the text gives is recorded."""
    paragraph = "“这件事急不得，但也等不得，评价改革改的是指挥棒。”" + text
    people = discover_people([paragraph], rejects=lambda candidate: False)
    assert [name] == list(people)
    assert ([role] if role else []) == list(people[name].roles)
    assert ([affiliation] if affiliation else []) == list(people[name].affiliations)
    items, _ = Extractor(people).extract(rebuild(f"标题\n{paragraph}\n"))
    assert [("quote", name, "cue")] == [(item.kind, item.speaker, item.attribution) for item in items]


def test_a_statement_after_the_speakers_description_is_still_one() -> None:
    """The control: when the cue is followed by what was said, that is a statement."""
    paragraph = "“这件事急不得，但也等不得。”全国政协委员王行环说，武汉要加快建设国家级健康医疗大数据中心。"
    items, _ = Extractor(["王行环"]).extract(rebuild(f"标题\n{paragraph}\n"))
    assert [("quote", "王行环"), ("statement", "王行环")] == [(item.kind, item.speaker) for item in items]
    assert items[1].text == "全国政协委员王行环说，武汉要加快建设国家级健康医疗大数据中心。"


@pytest.mark.parametrize(
    ("text", "name", "role"),
    [
        ("全国政协委员蔡文瑜则认为，高校改革更为迫切。", "蔡文瑜", "全国政协委员"),
        ("全国人大代表司马青云在接受记者采访时表示，基础教育决定了创新的上限。", "司马青云", "全国人大代表"),
        ("司马青云：“我们不能只盯着论文数量，更要看成果有没有用。”", "司马青云", None),
        ("欧阳明辉在接受记者采访时表示，武汉发展低空经济有先发优势。", "欧阳明辉", None),
        ("柯明远笑着说，武汉的机会很多。", "柯明远", None),
        ("王行环笑着说，武汉的机会很多。", "王行环", None),
        ("柯明远代表在发言中指出，企业是创新的主体。", "柯明远", "全国人大代表"),
        ("张伟也表示，南京要把握机遇。", "张伟", None),
        ("卫长风委员代表某党派市委提出，城市发展要以人为本。", "卫长风", "全国政协委员"),
    ],
)
def test_discovery_through_the_words_between_name_and_verb(text: str, name: str, role: str | None) -> None:
    """Two-character names are tried first (张伟也表示 is 张伟 + 也), three where
    two leave no cue (王行环笑着说 is not 王行 + 环笑着)."""
    people = discover_people([text], rejects=lambda candidate: False)
    assert [name] == list(people)
    assert ([role] if role else []) == list(people[name].roles)


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        # The sentence that only introduces the next quote (他以……为例，“) ends the statement before it.
        (
            "王行环认为，武汉拥有强大的医疗资源和科研实力。他以光谷的产业集群举例，“光谷的优势明显，要加快转化。”",
            [("statement", "王行环认为，武汉拥有强大的医疗资源和科研实力。"), ("quote", "光谷的优势明显，要加快转化。")],
        ),
        # Between two quotes of one speaker, with no cue: their point goes on.
        (
            "“城市要有个性，创新也要有个性。”王行环说。在科技创新领域，每个城市要找到自己的定位，“创新不是跟风扎堆，而是长出不一样的果实。”",
            [
                ("quote", "城市要有个性，创新也要有个性。"),
                ("statement", "在科技创新领域，每个城市要找到自己的定位"),
                ("quote", "创新不是跟风扎堆，而是长出不一样的果实。"),
            ],
        ),
    ],
    ids=["quote's cue", "between quotes"],
)
def test_statement_boundaries(paragraph: str, expected: list[tuple[str, str]]) -> None:
    items, _ = Extractor(["王行环"]).extract(rebuild(f"标题\n{paragraph}\n"))
    assert expected == [(item.kind, item.text) for item in items]
    assert {"王行环"} == {item.speaker for item in items}


def test_text_between_quotes_of_two_speakers_is_no_ones_statement() -> None:
    paragraph = "王行环说：“城市要有个性，创新也要有个性。”在科技创新领域，每个城市要找到自己的定位，“创新不是跟风扎堆，而是长出不一样的果实。”马新强说。"
    items, _ = Extractor(["王行环", "马新强"]).extract(rebuild(f"标题\n{paragraph}\n"))
    assert [("quote", "王行环"), ("quote", "马新强")] == [(item.kind, item.speaker) for item in items]


def test_a_role_before_a_cue_with_a_name_of_no_surname_is_not_the_previous_speaker() -> None:
    """全国人大代表圣明说: 圣明 has no surname the reader knows, so it is no
    speaker; but the quote is not 柯云舟's either, whose paragraph came before."""
    layout = rebuild(
        "标题\n全国人大代表、某公司副总经理柯云舟在接受记者采访时表示，自己当选已经是第五个年头。\n"
        "“我们要善待自然，人类跟自然结合起来，生态文明才会可持续。”全国人大代表圣明说。\n"
    )
    items, _ = Extractor(["柯云舟"]).extract(layout)
    quote = next(item for item in items if item.kind == "quote")
    assert quote.text.startswith("我们要善待自然")
    assert quote.speaker is None


def test_a_statement_stops_before_a_sentence_about_someone_else() -> None:
    """A statement goes on past its cue's sentence, but not into a sentence
    that names another person: that one is the reporter's, about them."""
    layout = rebuild(
        "标题\n发言中，卫长风委员代表某党派市委提出，城市发展要坚持以人为本，把市民的生活质量放在首位。"
        "柯云舟委员对推进城市治理提出了具体的建议。\n“这是一句足够长的引语，用来让版面被识别为网页。”卫长风说。\n"
    )
    items, _ = Extractor(["卫长风", "柯云舟"]).extract(layout)
    statement = next(item for item in items if item.kind == "statement")
    assert ("卫长风", "发言中，卫长风委员代表某党派市委提出，城市发展要坚持以人为本，把市民的生活质量放在首位。") == (statement.speaker, statement.text)


def test_a_statement_stops_before_a_title_heading_a_list_of_people() -> None:
    """市政协主席某某等到会听取……: the reporter's sentence about those who
    listened, even when the reader knows none of them."""
    layout = rebuild(
        "标题\n在听取了委员们的发言后，市委副书记柯云舟说，委员们不仅提问题，还提出解决问题的思路，不少都具有操作性。"
        "市政协主席蒋万里等到会听取了委员们的发言。\n“这是一句足够长的引语，用来让版面被识别为网页。”柯云舟说。\n"
    )
    items, _ = Extractor(["柯云舟"]).extract(layout)
    statement = next(item for item in items if item.kind == "statement")
    assert statement.speaker == "柯云舟"
    assert statement.text.endswith("不少都具有操作性。")


def test_a_pronoun_after_someone_else_is_not_the_paragraphs_later_speaker() -> None:
    """市人大代表甲是……。他建议，……。市人大代表乙认为……: 他 is 甲, whom the
    reader may not know as a speaker; never 乙, the paragraph's first named cue."""
    layout = rebuild(
        "标题\n市人大代表邱守先是某县某种植专业合作社理事长。他建议，实现土地规模化经营、机械化耕作，促进农民增收。"
        "市人大代表柯云舟是某中学校长。柯云舟认为，青少年的心理健康亟须关注，学校要配齐心理教师。\n"
    )
    items, _ = Extractor(["邱守", "柯云舟"]).extract(layout)
    by_start = {item.text[:3]: item.speaker for item in items if item.kind == "statement"}
    assert {"他建议": None, "柯云舟": "柯云舟"} == by_start


def test_a_pronoun_before_any_name_takes_up_the_passages_speaker() -> None:
    """在他看来，……。“……”柯云舟说: the paragraph above was 柯云舟's, and the
    pronoun is still theirs though the paragraph names them only later."""
    layout = rebuild(
        "标题\n“城市的创新离不开年轻人，更离不开耐心的资本。”全国人大代表柯云舟说。\n"
        "在他看来，我国的创新创业已经进入新的阶段。“我们要把主导权交给年轻人。”柯云舟说。\n"
    )
    items, _ = Extractor(["柯云舟"]).extract(layout)
    statement = next(item for item in items if item.text.startswith("在他看来"))
    assert "柯云舟" == statement.speaker


def test_a_quote_said_by_someone_unnamed_is_not_the_passages() -> None:
    """……。”某中学的教师冬云说: the reader cannot name the sayer (冬 is no
    common surname), and the quote must not fall to the speaker above."""
    layout = rebuild(
        "标题\n“秸秆变成有机肥料，可以减少化肥的播撒。”柯云舟代表说。\n"
        "几位代表放下行李，就所关注的热点问题与记者详谈建议。\n"
        "“我是一名中学教师，在教育岗位工作了二十五年。”某市第二十六中学的教师冬云说，她这次带来的提案和义务教育有关。\n"
    )
    items, _ = Extractor(["柯云舟"]).extract(layout)
    quote = next(item for item in items if item.text.startswith("我是一名中学教师"))
    assert quote.speaker is None


@pytest.mark.parametrize("posts", ["市委副书记、市长", "市长", "副县长"])
def test_a_quotes_cue_with_its_posts_is_no_statement(posts: str) -> None:
    """“……”全国人大代表、市委副书记、市长某某说。: the posts say who speaks,
    a bare one (市长) too; the sentence is the quote's attribution, not a
    statement of its own."""
    layout = rebuild(f"标题\n“交通基础设施相对落后是发展的短板，建议加快现代交通网络建设。”全国人大代表、{posts}柯云舟说。\n")
    items, _ = Extractor(["柯云舟"]).extract(layout)
    assert [("quote", "柯云舟")] == [(item.kind, item.speaker) for item in items]


def test_two_delegates_in_one_sentence_each_keep_their_clause() -> None:
    """其中，甲代表关注法治建设，乙代表关注……: two statements, one each; 关注法治
    reports speech (only 说明/说服/说法 do not)."""
    layout = rebuild("标题\n其中，柯云舟代表关注法治建设，卫长风代表关注国家继续取消和下放行政审批事项。\n")
    items, _ = Extractor(["柯云舟", "卫长风"]).extract(layout)
    assert [("柯云舟", "其中，柯云舟代表关注法治建设"), ("卫长风", "卫长风代表关注国家继续取消和下放行政审批事项。")] == [
        (item.speaker, item.text) for item in items if item.kind == "statement"
    ]


def test_a_name_in_what_someone_says_does_not_split_it() -> None:
    """柯云舟说，卫长风代表提出的建议……: the words after the comma are still 柯云舟's."""
    layout = rebuild("标题\n柯云舟说，卫长风代表提出的建议很有针对性，值得有关部门认真研究采纳。\n")
    items, _ = Extractor(["柯云舟", "卫长风"]).extract(layout)
    assert ["柯云舟"] == [item.speaker for item in items if item.kind == "statement"]


def test_a_role_after_an_ellipsis_names_its_person() -> None:
    """……全国人大代表、某公司董事长甲，全国人大代表、某村党委书记乙也纷纷发言:
    a list the reporter opens with an ellipsis still names 甲, with no cue of their own."""
    text = "建设更加开放的海岛……全国人大代表、某教育有限公司董事长柯云舟，全国人大代表、某村党委书记卫长风也纷纷发言。"
    found = discover_people([text], lambda name: False)
    assert "某教育有限公司董事长" in found["柯云舟"].affiliations


def test_two_adverbs_before_the_verb_stay_out_of_the_name() -> None:
    """……卫长风也纷纷发言 / 代表们也纷纷表示: 卫长风, not 卫长风也."""
    text = "全国人大代表、某公司董事长柯云舟，全国人大代表、某村党委书记卫长风也纷纷发言。"
    found = discover_people([text], lambda name: False)
    assert "卫长风" in found and "卫长风也" not in found


def test_a_person_introduced_before_a_pronoun_speaks_for_it() -> None:
    """甲是一位老代表，她告诉记者：“……”: the quote is 甲's (a 市人大代表 in a
    city session's article), not the speaker of the paragraph above."""
    texts = [
        "出席市八届人大三次会议的市人大代表们陆续报到。",
        "在接受记者采访时，柯云舟说：“虽然是第三年参加市人代会，但我心情依然十分激动。”",
        "万一敏是一位老代表，她告诉记者：“今年是我第八年参加市人代会，感受到更多的是责任。”",
    ]
    found = discover_people(texts, lambda name: False, {"代表": "市人大代表"})
    assert "市人大代表" in found["万一敏"].roles
    layout = rebuild("标题\n" + "\n".join(texts) + "\n")
    items, _ = Extractor(["柯云舟"]).extract(layout)
    quote = next(item for item in items if item.text.startswith("今年是我第八年"))
    assert quote.speaker is None
    items, _ = Extractor(["柯云舟", "万一敏"]).extract(layout)
    quote = next(item for item in items if item.text.startswith("今年是我第八年"))
    assert "万一敏" == quote.speaker


def test_a_person_introduced_after_their_title_speaks_for_the_pronoun_after() -> None:
    """某医院副院长甲是连任两届的老代表。当被问及连任感受时，她说：“……”: the
    quote is 甲's, not the previous paragraph's speaker's."""
    texts = [
        "来自商洛的柯云舟代表早早就来到报到地点：“我一定不辜负大家的信任。”",
        "大荔县医院副院长张碧云是连任两届的老代表。当被问及连任感受时，她说：“上一届刚当选时比较生疏，这一届心里更有底气。”",
    ]
    found = discover_people(texts, lambda name: False, {"代表": "省人大代表"})
    assert "省人大代表" in found["张碧云"].roles
    layout = rebuild("标题\n" + "\n".join(texts) + "\n")
    items, _ = Extractor(["柯云舟", "张碧云"]).extract(layout)
    quote = next(item for item in items if item.text.startswith("上一届刚当选时"))
    assert "张碧云" == quote.speaker


@pytest.mark.parametrize(
    "introduction",
    [
        "2月2日下午，我在会议现场采访到了市委书记、市人大常委会主任郭一海。",
        "代表黄一权对报告中提到的城中村改造表达了殷切期望。",
    ],
)
def test_a_pronoun_after_someone_unknown_is_not_the_last_speakers(introduction: str) -> None:
    """A title and a name the reader does not know (主任郭一海。 / 代表黄一权对……)
    stand between the last speaker and 他: his words are no one's, not 柯云舟's."""
    layout = rebuild(f"标题\n柯云舟代表十分关注规划优先的问题。她说：“基础配套要跟上。”\n{introduction}他坚定地说，我们一定会建成宜居宜业的美丽之城。\n")
    items, _ = Extractor(["柯云舟"]).extract(layout)
    last = next(item for item in items if "美丽之城" in item.text)
    assert last.speaker is None


def test_everyones_words_end_a_captions_part() -> None:
    """人大代表 甲：…… then 代表们纷纷表示，……: the reporter's line about all
    the delegates is no longer the caption's speaker's."""
    layout = rebuild(
        "标题\n徐一国代表建议将三个村连点成线，打造旅游专线。\n"
        "人大代表 徐一国：把三个村连接起来，形成一条两日游的精品旅游线路。\n"
        "代表们纷纷表示，深感肩上责任的重大，将以饱满的政治热情开好此次大会。\n"
    )
    items, _ = Extractor(["徐一国"]).extract(layout)
    last = next(item for item in items if item.text.startswith("代表们纷纷表示"))
    assert last.speaker is None


def test_the_reporters_lines_about_a_caption_speaker_are_not_her_words() -> None:
    """全国人大代表 甲：…… then 就像甲在通道上讲述的那样，…… and 今年，他又提出……:
    a line that names the caption's speaker, or speaks of him or her, is the
    reporter's; the next caption (乙：……) is 乙's."""
    layout = rebuild(
        "标题\n全国人大代表 徐一娟：让基层的代表把普通老百姓的心声，在全国两会上直观地展现给全国人民。\n"
        "就像徐一娟在通道上讲述的那样，新时代，每个人都有成就不平凡的机会。\n"
        "进城务工的快递小哥，作为人大代表，推行包装绿色化；今年，他又提出规范劳务外包的建议。\n"
        "全国人大代表 柴二闪：把我们劳动者的心声畅通无阻地反映上来，就是全过程人民民主的体现。\n"
        "代表们的故事，还吸引了一位特殊的观众，她曾经走上通道。\n"
    )
    items, _ = Extractor(["徐一娟", "柴二闪"]).extract(layout)
    spoken = {item.text[:6]: item.speaker for item in items if item.kind != "fact"}
    assert {"让基层的代表": "徐一娟", "把我们劳动者": "柴二闪"} == {opening: speaker for opening, speaker in spoken.items() if speaker}


@pytest.mark.parametrize(
    ("text", "opening"),
    [
        # Said by someone described at length after the quote: 拥有30余年……经验的某某说。
        (
            "北京市副市长柯云舟介绍了冬奥会筹办的三项重点工作。\n"
            "“本职工作做到哪里，代表履职就到哪里”，拥有30余年基层调解一线工作经验、调解矛盾纠纷2000多起的马一祥说。",
            "本职工作",
        ),
        # Said by someone unknown before the quote, in its sentence: 某卫视记者馨玥说，……“……”.
        (
            "全国政协委员、某大学常务副校长柯云舟（右）在“委员通道”接受媒体采访。 某卫视记者馨玥说，"
            "听到这么多政协委员讲今日中国，是相当难得的机会，“‘委员通道’对记者非常有帮助。”",
            "‘委员通道’",
        ),
    ],
)
def test_a_quote_said_by_someone_the_reader_does_not_know_is_no_ones(text: str, opening: str) -> None:
    """The quote is not the one named in the paragraph (or the paragraph before) as its speaker."""
    items, _ = Extractor(["柯云舟"]).extract(rebuild(f"标题\n{text}\n"))
    quote = next(item for item in items if item.text.startswith(opening))
    assert quote.speaker is None


def test_a_quote_after_a_groups_words_is_not_the_paragraphs_speakers() -> None:
    """甲告诉记者，……。村民们说，……。“……”乡亲们你一言我一语。: the quote with no cue
    of its own follows the villagers' words, and is no one's, not 甲's."""
    layout = rebuild(
        "标题\n全国人大代表柯云舟告诉记者，来北京前，他家每天热闹非常。村民们说，现在国家给农民发补贴，但是补贴标准太低。"
        "“一亩地补五十块钱，一袋化肥就要一两百。”乡亲们你一言我一语。\n"
    )
    items, _ = Extractor(["柯云舟"]).extract(layout)
    quote = next(item for item in items if item.text.startswith("一亩地"))
    assert quote.speaker is None
    assert "柯云舟" == next(item for item in items if item.text.startswith("全国人大代表柯云舟告诉记者")).speaker


def test_a_list_of_members_each_proposing_gives_each_their_clause() -> None:
    """甲委员建议……，乙委员建议清除“马路停车场”， 丙委员建议……: a quoted phrase
    and a stray space between clauses must not give one member the others' words."""
    layout = rebuild(
        "标题\n柯云舟委员建议加快我市民营经济发展，卫长风委员建议清除“马路停车场”， 蒋万里委员建议增加我市体育活动场地及设施。\n"
    )
    items, _ = Extractor(["柯云舟", "卫长风", "蒋万里"]).extract(layout)
    assert [("柯云舟", "柯云舟委员建议加快我市民营经济发展"), ("卫长风", "卫长风委员建议清除“马路停车场”"), ("蒋万里", "蒋万里委员建议增加我市体育活动场地及设施。")] == [
        (item.speaker, item.text) for item in items if item.kind == "statement"
    ]


def test_a_proposal_summed_up_speaks_for_its_sentence_only() -> None:
    """甲委员建议……，乙委员建议……。件件提案事关……: the sentence after a list
    of proposals sums them up in the reporter's words, not the last member's;
    so does the one after a single proposal summed up with no pause
    (丙委员建议增加……。). After 建议， the member goes on speaking."""
    layout = rebuild(
        "标题\n柯云舟委员建议加快我市民营经济发展，卫长风委员建议大力加强旅游设施基础建设。件件提案事关城市发展和百姓利益。\n"
        "蒋万里委员建议增加我市体育活动场地及设施。件件提案都是带着责任而来的。\n"
        "蒋万里委员建议，增加我市体育活动场地及设施。全民健身离不开家门口的场地。\n"
    )
    items, _ = Extractor(["柯云舟", "卫长风", "蒋万里"]).extract(layout)
    assert [
        ("柯云舟", "柯云舟委员建议加快我市民营经济发展"),
        ("卫长风", "卫长风委员建议大力加强旅游设施基础建设。"),
        ("蒋万里", "蒋万里委员建议增加我市体育活动场地及设施。"),
        ("蒋万里", "蒋万里委员建议，增加我市体育活动场地及设施。全民健身离不开家门口的场地。"),
    ] == [(item.speaker, item.text) for item in items if item.kind == "statement"]
    assert all(item.kind == "fact" or item.speaker is None for item in items if "件件提案" in item.text)


@pytest.mark.parametrize("seat", ["立法会议员", "区议员"])
def test_a_legislators_seat_before_the_name_names_the_speaker(seat: str) -> None:
    """港区全国人大代表、立法会议员甲说，……。她建议……: a Hong Kong member's
    seat (立法会议员, 区议员) stands between role and name like any post, and
    her later 她建议 is hers."""
    text = f"港区全国人大代表、{seat}梁一芳说，今年有机会参与法典的审议，意义重大。此外，她建议在前海成立国际经贸法院，打出香港品牌。"
    found = discover_people([text], lambda name: False)
    assert ["梁一芳"] == list(found)
    assert ({"港区全国人大代表"}, {seat}) == (set(found["梁一芳"].roles), set(found["梁一芳"].affiliations))
    items, _ = Extractor(["梁一芳"]).extract(rebuild(f"标题\n{text}\n"))
    assert [("statement", "梁一芳")] == [(item.kind, item.speaker) for item in items]
    assert items[0].text.endswith("打出香港品牌。")


ROUNDUP_INTRODUCTION = "昨日，本报记者随机采访了三位人大代表，畅谈履行代表职责的感受和体会。"
ROUNDUP = [
    ("卫长风", "越到基层越真实。很多情况不能只听汇报，听到的未必是真实的情况。"),
    ("柯云舟", "只要是给我提供过资料的人，我都会写感谢信，哪怕只用了一句话。"),
    ("蒋万里", "人大常委会应该有专职代表，因为他们要承担法律的制定任务。"),
]


def test_a_roundup_of_bare_names_gives_each_the_words_below() -> None:
    """本报记者采访了三位人大代表 / 甲 / 甲's words / 乙 / 乙's words …: three
    bare-name lines in a row, each above words that neither name nor speak
    of them, one in the first person: each paragraph is its name's."""
    texts = [ROUNDUP_INTRODUCTION, *(line for pair in ROUNDUP for line in pair)]
    assert {"卫长风", "柯云舟", "蒋万里"} == set(discover_people(texts, lambda name: False))
    items, _ = Extractor([name for name, _ in ROUNDUP]).extract(rebuild("标题\n" + "\n".join(texts) + "\n"))
    assert [("quote", name, words) for name, words in ROUNDUP] == [(item.kind, item.speaker, item.text) for item in items if item.speaker]


@pytest.mark.parametrize(
    "change",
    ["two pairs", "no first person", "a biography", "a name in its own words"],
)
def test_bare_names_that_make_no_roundup_are_no_ones(change: str) -> None:
    """Fewer than three pairs, no one speaking in the first person, a
    paragraph that speaks of him or her, or one that names its own person:
    no bare name line is taken for a speaker."""
    pairs = list(ROUNDUP)
    if change == "two pairs":
        pairs = pairs[:2]
    elif change == "no first person":
        pairs[1] = ("柯云舟", "凡是提供过资料的人都会收到感谢信，哪怕只用了一句话。")
    elif change == "a biography":
        pairs[1] = ("柯云舟", "他出生于1965年，现任某公司董事长，我市人大代表。")
    else:
        pairs[1] = ("柯云舟", "柯云舟提供过的资料，我都会写进议案。")
    texts = [ROUNDUP_INTRODUCTION, *(line for pair in pairs for line in pair)]
    assert {} == discover_people(texts, lambda name: False)
    items, _ = Extractor([name for name, _ in pairs]).extract(rebuild("标题\n" + "\n".join(texts) + "\n"))
    assert [] == [item for item in items if item.speaker and item.kind != "fact"]


def test_a_bare_title_right_before_a_name_gives_the_sessions_role() -> None:
    """“90后”委员甲说 / 最年长的委员是62年的乙: the bare title before the name
    is their role at the article's session; 人大常委会委员丙 (a standing
    committee's member, 人大常委会委员是……的戊 too) and 企业的代表丁 (a
    company's) are not."""
    texts = [
        "“这是我第一次参加政协会议，我的提案是关于智库建设的。”参加本次会议中最年轻的“90后”委员张一志说。",
        "参加本次会议最年长的委员是62年的胡二熙，为我县文联文史委中的一员。胡二熙提到，兴建纪念馆是历史赋予的责任。",
        "人大常委会委员金三林说，立法工作要回应群众关切。企业的代表丁四海表示，营商环境还要再优化。",
        "人大常委会委员是来自某区的钱五洋。钱五洋表示，立法要问计于民。",
    ]
    found = discover_people(texts, lambda name: False, {"代表": "区人大代表", "委员": "区政协委员"})
    assert {"张一志": ["区政协委员"], "胡二熙": ["区政协委员"], "金三林": [], "丁四海": [], "钱五洋": []} == {
        name: list(evidence.roles) for name, evidence in found.items()
    }


def test_members_each_named_after_their_role_speak_in_one_cue() -> None:
    """全国人大代表、某公司董事长甲，全国人大代表、某村党委书记乙也纷纷发言: both
    speak; a name with no role of its own before the comma does not."""
    layout = rebuild(
        "标题\n全国人大代表、某教育公司董事长柯云舟，全国人大代表、某村党委书记卫长风也纷纷发言，围绕基层群众关心的问题进行交流。\n"
        "记者采访了柯云舟，全国人大代表、某村党委书记卫长风也发言，谈到了养老问题。\n"
    )
    items, _ = Extractor(["柯云舟", "卫长风"]).extract(layout)
    assert [("柯云舟", ("卫长风",)), ("卫长风", ())] == [(item.speaker, item.joint) for item in items if item.kind == "statement"]


@pytest.mark.parametrize("known", [["柯云舟"], ["柯云舟", "吴一刚"]])
def test_members_listed_after_someones_clause_are_not_theirs(known: list[str]) -> None:
    """甲委员建议……，乙、丙、丁等委员围绕“……”等主题作书面发言: the listed members'
    clause and its quoted topic are no one's, not 甲's, whether or not the
    reader knows one of them from another article."""
    layout = rebuild(
        "标题\n柯云舟委员建议优化转移支付结构，完善分配管理制度，吴一刚、陈二云、王三光等委员围绕“改革利益分配，促进社会公平”等主题作书面发言。\n"
    )
    items, _ = Extractor(known).extract(layout)
    assert [("statement", "柯云舟", "柯云舟委员建议优化转移支付结构，完善分配管理制度")] == [
        (item.kind, item.speaker, item.text) for item in items if item.speaker and item.kind != "fact"
    ]
    assert all(item.speaker is None for item in items if "吴一刚" in item.text or "改革利益分配" in item.text)


def test_the_readers_expressions_are_compiled_when_first_used_not_on_import() -> None:
    """Importing the reader compiles none of its expressions (0.14 s of every
    add and remove); the first use compiles one, which then finds what re
    finds with the same source."""
    code = (
        "import re\n"
        "import bot.ingest.extract as extract\n"
        "patterns = [value for value in vars(extract).values() if isinstance(value, extract._Pattern)]\n"
        "print(len(patterns), sum('search' in vars(pattern) for pattern in patterns))\n"
        "text = '营收达7441.7亿元、增长11.8%'\n"
        "print([m.group(0) for m in extract.FIGURE.finditer(text)] == re.findall(extract.FIGURE.pattern, text))\n"
        "print(sum('search' in vars(pattern) for pattern in patterns))\n"
    )
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert int(shown[0]) >= 30 and shown[1] == "0"
    assert shown[2:] == ["True", "1"]


def test_an_expression_is_not_run_on_text_without_the_words_it_needs() -> None:
    """An expression given the words a match needs answers as re does on
    text that has one of each group, and finds nothing on text that lacks a
    group, without running; what it does not check is re's own."""
    from bot.ingest.extract import INTRODUCED, _Pattern

    pattern = _Pattern(r"(?P<name>[甲乙])是(?P<title>代表|委员)", needs=(("是",), ("代表", "委员")))
    assert pattern.search("他说甲是代表").group("name") == "甲"
    assert [found.group(0) for found in pattern.finditer("甲是代表，乙是委员")] == ["甲是代表", "乙是委员"]
    assert pattern.search("甲是主任") is None and list(pattern.finditer("甲是主任")) == []
    assert pattern.match("乙是委员") and pattern.fullmatch("乙是委员") and pattern.match("丙") is None
    assert pattern.groupindex["title"] == 2 and pattern.sub("某", "甲是代表") == "某"
    text = "万敏是一位老代表，她告诉记者，今年带来了三份建议。"
    assert [found.group("name") for found in INTRODUCED.finditer(text)] == ["万敏"]
    assert list(INTRODUCED.finditer(text.replace("她", "记者"))) == []
