"""Paragraph rebuilding (bot/layout.py) on the first seed and on a web article.

The first seed is a newspaper page: column-broken lines, a vertical 杭/州
label, blank lines that fall mid-sentence, one box per delegate. Attribution
rests on getting the paragraphs and boxes right, so they are pinned here line
by line, checked against the page.
"""

from __future__ import annotations

import pytest

from bot.ingest.layout import Layout, rebuild
from conftest import FIXTURES, SEEDS

SEED = SEEDS / "2025-03-cjrb-four-cities-innovation.txt"
WEB = FIXTURES / "web_article.txt"


@pytest.fixture(scope="module")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def page(seed_text: str) -> Layout:
    return rebuild(seed_text)


@pytest.fixture(scope="module")
def web_text() -> str:
    return WEB.read_text(encoding="utf-8")


def _paragraph_holding(layout: Layout, snippet: str) -> int:
    found = [index for index, paragraph in enumerate(layout.paragraphs) if snippet in paragraph.text]
    assert 1 == len(found), f"{snippet!r} is in paragraphs {found}"
    return found[0]


# ------------------------------------------------------------------ the page


def test_seed_is_read_as_a_newspaper_page(page: Layout) -> None:
    assert "newspaper" == page.kind


def test_headline_and_subtitle_become_the_title(page: Layout) -> None:
    # The page prints the headline first and the subtitle second; the sidecar
    # later swaps them for display (see test_store), the layout keeps page order.
    assert "来自上海武汉成都杭州的全国两会代表委员共话科技创新和产业创新" == page.title
    assert "同饮一江春水 各领风骚向未来" == page.subtitle
    assert not any(page.title in p.text or page.subtitle in p.text for p in page.paragraphs)


def test_vertical_city_label_is_furniture(page: Layout) -> None:
    assert [(5, "杭"), (6, "州")] == [(line.number, line.text) for line in page.furniture]
    assert not any(p.first_line <= 6 and p.last_line >= 5 for p in page.paragraphs)


def test_exact_paragraph_count(page: Layout) -> None:
    assert 39 == len(page.paragraphs)


@pytest.mark.parametrize(
    ("index", "first_line", "last_line", "opening"),
    [
        (0, 8, 17, "科技创新和产业创新，是发展"),
        (1, 19, 32, "上海、武汉、成都、杭州四城"),
        (2, 34, 36, "“武汉与上海同为长江经济带"),
        (7, 71, 75, "“武汉是一座英雄的城市。"),
        (8, 77, 82, "科技创新一靠投入，二靠人才。"),
        (11, 104, 105, "马新强认为，在光电子信息领域"),
        (15, 125, 130, "“我们武汉高校众多"),
        (16, 131, 135, "“今年的政府工作报告中"),
        (17, 137, 148, "在他看来，我国的创新创业"),
        (18, 149, 159, "“我们要将创新的主导权交给"),
        (22, 194, 199, "“武汉应发挥优势"),
        (27, 247, 253, "“长江经济带涵盖多个城市"),
        (33, 294, 297, "“科技突破是新质生产力的支撑点"),
        (34, 298, 301, "“每个城市应根据自身资源禀赋"),
        (35, 303, 315, "宋朝学介绍，成都凭借丰富的科教"),
        (38, 342, 352, "“四城合作应构建‘梯度协同网"),
    ],
)
def test_paragraph_source_lines(page: Layout, index: int, first_line: int, last_line: int, opening: str) -> None:
    paragraph = page.paragraphs[index]
    assert (first_line, last_line) == (paragraph.first_line, paragraph.last_line)
    assert paragraph.text.startswith(opening)


def test_paragraphs_cover_every_body_line_once(page: Layout, seed_text: str) -> None:
    """No line is lost or used twice: every non-blank line after the title is
    in exactly one paragraph, or is furniture."""
    used = [line.number for p in page.paragraphs for line in p.lines] + [line.number for line in page.furniture]
    body = [number for number, raw in enumerate(seed_text.splitlines(), start=1) if raw.strip() and number > 3]
    assert body == sorted(used)


@pytest.mark.parametrize(
    ("joined", "before", "after"),
    [
        # A blank line between two columns falls mid-sentence: one paragraph.
        ("我们要将创新的主导权交给这些年轻人", "主导权交", "给这些年轻人"),
        ("需要以个人兴趣为导向的“发烧友”推动机制。", "需要以个人兴趣为导向的", "“发烧友”推动机制。"),
        ("构建了“校院地企协同创新”模式", "构建了", "“校院地企协同创新”模式"),
    ],
)
def test_column_break_mid_sentence_is_merged(page: Layout, seed_text: str, joined: str, before: str, after: str) -> None:
    # The source really has a blank line between the two halves.
    lines = seed_text.splitlines()
    first = next(n for n, line in enumerate(lines) if line.endswith(before))
    assert "" == lines[first + 1].strip()
    assert lines[first + 2].startswith(after)
    paragraph = page.paragraphs[_paragraph_holding(page, joined)]
    assert paragraph.first_line <= first + 1 and first + 3 <= paragraph.last_line


def test_short_line_ending_a_sentence_closes_its_paragraph(page: Layout) -> None:
    """Line 148 “发烧友”推动机制。 is far narrower than its column: the next line
    (149, in the same block) opens a new paragraph."""
    ended = page.paragraphs[_paragraph_holding(page, "“发烧友”推动机制。")]
    assert ended.text.endswith("“发烧友”推动机制。")
    assert 148 == ended.last_line
    following = page.paragraphs[page.paragraphs.index(ended) + 1]
    assert following.text.startswith("“我们要将创新的主导权交")
    assert 149 == following.first_line


def test_paragraph_text_keeps_the_printed_characters(page: Layout) -> None:
    """Only line breaks go: each paragraph is its lines joined, character for character."""
    for paragraph in page.paragraphs:
        assert "".join(line.text for line in paragraph.lines) == paragraph.text


def test_figures_split_by_a_space_stay_as_printed(page: Layout) -> None:
    paragraph = page.paragraphs[_paragraph_holding(page, "7441.7")]
    assert "2024 年光电子信息产业营收达 7441.7 亿元、增长11.8%。" in paragraph.text


# ------------------------------------------------------------------- boxes

BOXES = {
    # box: the paragraphs in it; the intro is box 0, then one box per delegate,
    # except 罗卫东 and 王行环, whose columns have the same width.
    0: range(0, 2),
    1: range(2, 8),  # 丁光宏
    2: range(8, 16),  # 马新强
    3: range(16, 27),  # 罗卫东, 王行环
    4: range(27, 34),  # 耿福能
    5: range(34, 39),  # 宋朝学
}


def test_boxes_are_detected(page: Layout) -> None:
    assert page.boxes_detected


@pytest.mark.parametrize(("box", "paragraphs"), sorted(BOXES.items()))
def test_box_of_each_paragraph(page: Layout, box: int, paragraphs: range) -> None:
    assert [box] * len(paragraphs) == [page.paragraphs[i].box for i in paragraphs]


@pytest.mark.parametrize(
    ("opening", "box"),
    [
        ("“武汉与上海同为长江经济带", 1),
        ("科技创新一靠投入", 2),
        ("“今年的政府工作报告中", 3),
        ("“武汉应发挥优势", 3),
        ("“长江经济带涵盖多个城市", 4),
        ("“每个城市应根据自身资源禀赋", 5),
    ],
)
def test_each_delegate_passage_opens_its_box(page: Layout, opening: str, box: int) -> None:
    index = _paragraph_holding(page, opening)
    assert box == page.paragraphs[index].box
    if opening != "“武汉应发挥优势":
        assert box - 1 == page.paragraphs[index - 1].box


# --------------------------------------------------------------- web layout


def test_web_article_is_detected_and_rebuilt_one_paragraph_per_line(web_text: str) -> None:
    layout = rebuild(web_text)
    lines = web_text.splitlines()
    assert "web" == layout.kind
    assert lines[0] == layout.title
    assert lines[1] == layout.subtitle
    assert lines[2:] == [p.text for p in layout.paragraphs]
    assert list(range(3, len(lines) + 1)) == [p.first_line for p in layout.paragraphs]
    assert [p.first_line for p in layout.paragraphs] == [p.last_line for p in layout.paragraphs]
    assert not layout.boxes_detected
    assert [] == layout.furniture


def test_web_lines_with_leading_full_width_spaces(web_text: str) -> None:
    """Web pages indent paragraphs with two ideographic spaces (　　): they are
    layout, not text."""
    lines = web_text.splitlines()
    indented = "\n".join(lines[:2] + ["\u3000\u3000" + line for line in lines[2:]]) + "\n"
    plain, spaced = rebuild(web_text), rebuild(indented)
    assert "web" == spaced.kind
    assert [p.text for p in plain.paragraphs] == [p.text for p in spaced.paragraphs]
    assert not any(p.text.startswith("\u3000") for p in spaced.paragraphs)


@pytest.mark.parametrize("name", ["seed", "web"])
def test_crlf_line_endings_give_the_same_layout(seed_text: str, web_text: str, name: str) -> None:
    text = {"seed": seed_text, "web": web_text}[name]
    unix, windows = rebuild(text), rebuild(text.replace("\n", "\r\n"))
    assert unix.kind == windows.kind
    assert (unix.title, unix.subtitle) == (windows.title, windows.subtitle)
    assert [(p.text, p.first_line, p.last_line, p.box) for p in unix.paragraphs] == [
        (p.text, p.first_line, p.last_line, p.box) for p in windows.paragraphs
    ]
    assert not any("\r" in p.text for p in windows.paragraphs)


def test_empty_text_has_no_paragraphs() -> None:
    layout = rebuild(" \n\n\u3000\n")
    assert [] == layout.paragraphs
    assert "" == layout.title


# ------------------------------------------------- regressions from the corpus
# Passages of the generated corpus (tests/tools/corpus.py: invented delegates and
# figures) where an earlier version of the layout went wrong. The expected
# paragraphs and boxes are the manifest's boxes.

CORPUS_PASSAGES = {
    # A quote closed at the end of a block (“……位置” with no full
    # stop) ends its paragraph: the next block is another
    # delegate's box.
    "speech_quote_closes_block": (
        [
            '周娜玲建议，可以探索建立跨区域的航运协',
            '作机制，政府部门要当好“店小二”，做到“有求',
            '必应”、“无事不扰”。',
            '',
            '周娜玲直言：“乡亲们的日子越过越有奔',
            '头，要把粤港澳大湾区摆在更加突出的位置”',
            '',
            '在张奇成看来，铜川有条',
            '件在航空航天领域打造具有全',
            '国影响力的产业集群，要着力',
            '破解“卡脖子”难题，把关键核',
            '心技术掌握在自己手里。',
            '',
            '他说，要坚持以人民为中',
            '心，让大湾区的成果更多惠及',
            '群众。',
        ],
        [(1, 3, 0), (5, 6, 0), (8, 12, 1), (14, 16, 1)],
    ),
    # A paragraph's first line is narrower by its two-character
    # indent: 科技创新一靠投入，二靠人才。 is a full line, not a short one.
    "first_line_lost_its_indent": (
        [
            '未来产业，是发展新',
            '质生产力的重要路径。习',
            '近平总书记在江西考察时',
            '强调，应当加大基础研究',
            '投入，夯实低空经济的根',
            '基，可以通过共建实验',
            '室、中试平台等方式促进',
            '成果就地转化。3月5日，',
            '杭州日报记者邀请来自驻',
            '马店西安鹰潭拉萨的全国',
            '人大代表、全国政协委员',
            '就此话题展开讨论，大家',
            '表示，要让更多青年人才',
            '留在鹰潭创新创业。',
            '',
            '科技创新一靠投入，二靠人才。',
            '在陶江春看来，要让更多青年人才留',
            '在驻马店创新创业。',
            '',
            '“要坚持以人民为中心，让低空',
            '经济的成果更多惠及群众，要为青年',
            '科研人员松绑减负，让他们敢于挑大',
            '梁、当主角。”他直言。',
            '',
            '“要破除行政壁垒，推动要素在更大范围内',
            '自由流动，推动未来产业需要政府、企业、高校',
            '和科研院所形成合力！只有把论文写在大地上，',
            '科技创新才有生命力，要为青年科研人员松绑减',
            '负，让他们敢于挑大梁、当主角。西安近年来在',
            '现代化产业体系上的探索，为其他城市提供了有',
            '益借鉴，企业是创新的主体，只有企业积极参',
            '与，未来产业才能真正落地生根。”魏舜直言。',
        ],
        [(1, 14, 0), (16, 18, 1), (20, 23, 1), (25, 32, 2)],
    ),
    # Next to a wider box, a column is measured on its own lines:
    # 题，把关键核心技术掌握在自己手里。 fills its column.
    "narrow_column_beside_a_wide_one": (
        [
            '钱强祥进一步解释道，发展仿人机',
            '器人，关键在于人才、资金和应用场景',
            '的有效衔接，推动仿人机器人与疫苗深',
            '度融合，是培育新质生产力的重要路',
            '径。另一方面，要推动商用车从实验室',
            '走向生产线。',
            '',
            '钱强祥说，要着力破解“卡脖子”难',
            '题，把关键核心技术掌握在自己手里。',
            '同时，要破除行政壁垒，推动要素在更',
            '大范围内自由流动。',
            '',
            '方俊晓说：“要持续优化营商环境，让企业安',
            '心发展。要坚持以人民为中心，让人形机器人的成',
            '果更多惠及群众。要破除行政壁垒，推动要素在更',
            '大范围内自由流动。”',
            '',
            '方俊晓总结，要推动科技成果“沿途下蛋”，让',
            '更多技术就地转化。另一方面，要完善金融相关的',
            '标准体系和评价机制。',
            '',
            '“我们要把双足机器人的每一步都走扎实，应',
            '支持龙头企业牵头组建创新联合体，带动中小企业',
            '协同创新”方俊晓说。',
        ],
        [(1, 6, 0), (8, 11, 0), (13, 16, 1), (18, 20, 1), (22, 24, 1)],
    ),
    # A line that ends early because 2802.1亿元 may not break does
    # not measure the column: no new box.
    "line_broken_before_a_number": (
        [
            '“铁岭与鹰潭在成果转化等领域',
            '具有很强的互补性，要为青年科研人',
            '员松绑减负，让他们敢于挑大梁、当',
            '主角”张正焱说，长江经济带各城市',
            '应加强协同，形成优势互补的发展格',
            '局。',
            '',
            '“应当以成果转化为牵引，带动',
            '上下游产业链协同发展。这几年，我',
            '们企业在成果转化上投入很大，也尝',
            '到了甜头。”他直言。',
            '',
            '2024年，景鼎激光实现营收',
            '2802.1亿元、同比增长39.3%。',
            '',
            '张正焱进一步解释道，要更加注',
            '重商业航天的顶层设计，避免一哄而',
            '上、同质竞争，应当加大基础研究投',
            '入，夯实成果转化的根基。',
        ],
        [(1, 6, 0), (8, 11, 0), (13, 14, 0), (16, 19, 0)],
    ),
    # A first line ending a sentence inside a quote, full once its
    # indent is counted, does not close the paragraph.
    "first_line_ending_inside_a_quote": (
        [
            '他说，应进一步打通科技成果转化的堵点卡',
            '点。',
            '',
            '近年来，博科律师事务所把涉企合',
            '规服务作为主攻方向。2022年，博科律',
            '师事务所办理涉企法律服务案件17105',
            '件。博科律师事务所现有执业律师74余',
            '名。',
            '',
            '“企业合规经营，才能走得更远。',
            '只有把论文写在大地上，科技创新才有',
            '',
            '生命力。”黄宏代表强调。',
            '“周口和十堰同饮一江水，理应在',
            '长江大保护上携手共进。企业最需要的',
            '是稳定、透明、可预期的政策环境，要',
            '为青年科研人员松绑减负，让他们敢于',
            '挑大梁、当主角。”黄宏说。',
        ],
        [(1, 2, 0), (4, 8, 1), (10, 13, 1), (14, 18, 1)],
    ),
}


@pytest.mark.parametrize("name", sorted(CORPUS_PASSAGES))
def test_corpus_passages(name: str) -> None:
    lines, expected = CORPUS_PASSAGES[name]
    layout = rebuild("\n".join(lines))
    assert "newspaper" == layout.kind
    assert expected == [(p.first_line, p.last_line, p.box) for p in layout.paragraphs]


# ------------------------------------------------------ headline and labels

# A newspaper page's body (from the generated corpus's shape): a reporter's
# introduction, one delegate's quote and figures, in narrow columns.
PAGE_BODY = [
    "新质生产力怎么培育，",
    "各地都在探索。本报记者邀",
    "请来自南京、西安的全国人",
    "大代表、全国政协委员畅谈",
    "各自城市的做法。",
    "",
    "“南京的高校数量在全国排在",
    "前列，这是我们最大的家底，也是",
    "最该用好的资源。”陆秋白表示。",
    "",
    "西安的硬科技底色很",
    "浓。去年，西安秦创原平",
    "台累计孵化企业超过3000",
    "家。",
]
BODY_OPENING = "新质生产力怎么培育，各地都在探索。"


@pytest.mark.parametrize(
    ("top", "title", "subtitle"),
    [
        (["南京西安代表委员共话新质生产力", "把创新资源变成产业优势", ""], "南京西安代表委员共话新质生产力", "把创新资源变成产业优势"),
        (["南京西安代表委员共话新质生产力", "", "把创新资源变成产业优势", ""], "南京西安代表委员共话新质生产力", "把创新资源变成产业优势"),
        (["两会特稿", "南京西安代表委员共话新质生产力", "把创新资源变成产业优势", ""], "两会特稿", "南京西安代表委员共话新质生产力 把创新资源变成产业优势"),
        (["南京西安代表委员共话新质生产力", ""], "南京西安代表委员共话新质生产力", None),
        (["南京西安代表委员共话新质生产力", "把创新资源变成产业优势", "", "南", "京", ""], "南京西安代表委员共话新质生产力", "把创新资源变成产业优势"),
    ],
    ids=["consecutive", "blank between", "three lines", "headline alone", "before a label"],
)
def test_headline_block_at_the_top_of_a_page(top: list[str], title: str, subtitle: str | None) -> None:
    layout = rebuild("\n".join(top + PAGE_BODY))
    assert "newspaper" == layout.kind
    assert (title, subtitle) == (layout.title, layout.subtitle)
    assert layout.paragraphs[0].text.startswith(BODY_OPENING)


def test_column_text_cut_mid_sentence_is_no_headline() -> None:
    """Two lines with no final punctuation at the top, but a comma inside:
    the first paragraph, broken by a column, not a headline."""
    top = ["南京西安代表委员共话新质生产力", "", "今年全国两会上，科技创", "新成为代表委员热议的", ""]
    layout = rebuild("\n".join(top + PAGE_BODY))
    assert ("南京西安代表委员共话新质生产力", None) == (layout.title, layout.subtitle)
    assert layout.paragraphs[0].text.startswith("今年全国两会上，科技创新成为代表委员热议的" + BODY_OPENING)


def test_web_headline_lines_before_the_first_paragraph() -> None:
    lines = ["两会特稿", "三城代表委员共话科技成果转化", "重庆、南京、西安的全国两会代表委员谈创新协同"]
    body = ["科技成果转化，是连接创新链和产业链的关键一环。", "“实验室里的好成果，不能只躺在论文里，要让它在车间里开花结果。”柯云舟说。"]
    layout = rebuild("\n".join(lines + body))
    assert "web" == layout.kind
    assert ("两会特稿", "三城代表委员共话科技成果转化 重庆、南京、西安的全国两会代表委员谈创新协同") == (layout.title, layout.subtitle)
    assert body == [p.text for p in layout.paragraphs]


@pytest.mark.parametrize(
    ("after_line", "label", "joined"),
    [
        ("浓。去年，西安秦创原平", ["西", "安"], "西安秦创原平台累计孵化企业超过3000家。"),
        ("各地都在探索。本报记者邀", ["南", "京"], "本报记者邀请来自南京、西安的全国人大代表"),
        ("请来自南京、西安的全国人", ["哈", "尔", "滨"], "南京、西安的全国人大代表、全国政协委员"),
    ],
)
def test_a_vertical_label_inside_a_block_is_furniture(after_line: str, label: list[str], joined: str) -> None:
    lines = ["南京西安代表委员共话新质生产力", ""] + PAGE_BODY
    at = lines.index(after_line) + 1
    layout = rebuild("\n".join(lines[:at] + label + lines[at:]))
    assert [(at + 1 + offset, char) for offset, char in enumerate(label)] == [(line.number, line.text) for line in layout.furniture]
    assert any(joined in p.text for p in layout.paragraphs)
    assert not any("".join(label) + lines[at] in p.text for p in layout.paragraphs)


def test_a_single_character_line_in_a_block_stays_text() -> None:
    """A column can break before the last character of a sentence (家。 above
    is such a line): one Han character alone on its line is text, not a label."""
    lines = ["南京西安代表委员共话新质生产力", ""] + PAGE_BODY[:-1] + ["家", "", "“西安和南京可以在航空航天领域互", "补。”龚念慈呼吁。"]
    layout = rebuild("\n".join(lines))
    assert [] == layout.furniture
    assert any("孵化企业超过3000家“西安和南京" in p.text for p in layout.paragraphs)


def test_the_seed_has_no_label_inside_a_block(page: Layout, seed_text: str) -> None:
    """The seed's one-character lines are its 杭/州 label, a block of its own."""
    short = [number for number, raw in enumerate(seed_text.splitlines(), start=1) if len(raw.strip()) == 1]
    assert [5, 6] == short
    assert short == [line.number for line in page.furniture]


@pytest.mark.parametrize(
    ("label", "apart"),
    [("卫长风：", True), ("卫长风说：", False), ("周敏：", False)],
    ids=["同一人", "不是说话人标签", "另一人"],
)
def test_a_caption_at_the_end_of_reporting_opens_the_next_paragraph(label: str, apart: bool) -> None:
    """A transcript caption run on at the end of the reporting before it
    (……充满期待。全国人大代表卫长风：) is a paragraph of its own when the next
    paragraph opens with that speaker's label; otherwise nothing is split."""
    reporting = "他们对于未来五年的履职工作充满期待。"
    text = (
        f"标题\n\n{reporting}全国人大代表卫长风：\n\n{label}希望大会解决好基层的实际问题，让群众得到实惠。\n\n"
        "本届代表中，来自基层的代表比例高于往年。\n\n周敏：我要把群众关心的话题带到会场来。\n"
    )
    texts = [paragraph.text for paragraph in rebuild(text).paragraphs]
    expected = [reporting, "全国人大代表卫长风："] if apart else [reporting + "全国人大代表卫长风："]
    assert expected == texts[: len(expected)]


def test_ascii_punctuation_beside_han_characters_becomes_full_width_in_any_line() -> None:
    """full_width_punctuation skips a line without an ASCII mark: over 20,000
    lines run together from marks, Han characters, quotes, brackets, spaces
    and Latin letters, it gives what the substitution itself gives."""
    import random

    from bot.ingest.layout import _ASCII_BESIDE_HAN, _ASCII_MARKS, full_width_punctuation

    assert full_width_punctuation("代表说: 好(真的)。") == "代表说： 好（真的）。"
    assert full_width_punctuation("GDP: 3.5%, up") == "GDP: 3.5%, up"
    draw = random.Random(20261205)
    pieces = [*_ASCII_MARKS, "中", "“", "”", "（", "）", "《", " ", "a", "1"]
    lines = ["".join(draw.choices(pieces, k=draw.randint(0, 10))) for _ in range(20_000)]
    full = [_ASCII_BESIDE_HAN.sub(lambda match: _ASCII_MARKS[match.group(1) or match.group(2)], line) for line in lines]
    assert sum(a != b for a, b in zip(full, lines)) > 5_000
    assert full == list(map(full_width_punctuation, lines))
