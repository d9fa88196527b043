"""Who counts as a person when discovered in the text (bot/extract.py
plausible_name, bot/ingest.py _people with a real jieba).

A surname-shaped word before a speech verb is a person only when it is
shaped like a personal name: a known surname, single or compound, and one
or two given-name characters, and not a province, region, organisation or
title. 安徽表示 and 华为建议 are common in news; they name no one.
"""

from __future__ import annotations

from pathlib import Path

import jieba
import pytest

from bot.ingest.extract import discover_people, plausible_name
from bot.ingest.build import ParsedArticle, _people
from bot.ingest.dictionary import whole_tokenizer
from bot.ingest.layout import rebuild
from bot.ingest.seeds import Seed


@pytest.fixture(scope="module")
def tokenizer() -> jieba.Tokenizer:
    return whole_tokenizer()


def _discovered(text: str, tokenizer: jieba.Tokenizer) -> list[str]:
    article = "标题\n今年全国两会上，科技创新成为热词，代表委员纷纷建言。\n" + text + "\n"
    seed = Seed(Path("article.txt"), article, None, None)
    return sorted(_people([ParsedArticle(seed, rebuild(article))], tokenizer))


@pytest.mark.parametrize(
    ("text", "person"),
    [
        ("欧阳明辉表示，武汉发展低空经济有先发优势。", "欧阳明辉"),
        ("司马青云建议，基础教育要为创新打底。", "司马青云"),
        ("柯明远表示，武汉要加快建设科技创新中心。", "柯明远"),
        ("王行环认为，武汉拥有强大的医疗资源。", "王行环"),
        ("宁远山表示，要让更多青年人才留下来。", "宁远山"),
        ("海燕建议，高校要设立低空经济专业。", "海燕"),
        ("这是代表们最关注的问题。高春晓就此建议说，黑龙江要发挥对俄边贸优势。", "高春晓"),
        ("“我来参加全国政协大会时，主要是来学习。”全国政协委员、经济学家柯云舟说。", "柯云舟"),
        ("他始终不忘为三农建言。叶昌和骄傲地告诉记者：“17年来提出的建议全部是三农方面的。”", "叶昌和"),
        # Common surnames the list once lacked: 洪, 傅, 赖, 萧, 阎, and 拜 (a Hui family name).
        ("洪立柱表示，武汉要加快建设科技创新中心。", "洪立柱"),
        ("傅明川建议，基础教育要为创新打底。", "傅明川"),
        ("赖春生认为，武汉拥有强大的医疗资源。", "赖春生"),
        ("萧振邦表示，香港要用好金融优势。", "萧振邦"),
        ("阎文海说，农民增收要靠产业。", "阎文海"),
        ("拜秀云说，要让更多青年人才留下来。", "拜秀云"),
    ],
)
def test_personal_names_are_discovered(tokenizer: jieba.Tokenizer, text: str, person: str) -> None:
    assert [person] == _discovered(text, tokenizer)


@pytest.mark.parametrize(
    "text",
    [
        "安徽表示，将加快建设科技创新中心。",
        "海南建议，自贸港要扩大开放。",
        "甘肃表示，要发展新能源产业。",
        "宁夏建议，加快建设算力枢纽。",
        "安徽省表示，将加快建设科技创新中心。",
        "华为表示，将继续加大研发投入。",
        "阿里建议，平台企业要承担更多责任。",
        "会上，常委建议加强科技成果转化。",
        "高新区表示，今年将新增孵化器5个。",
        "华中表示，区域协同要走在前列。",
        "董事会认为，公司要聚焦主业。",
        "其中大部分委员都是关注度高的对象。",
    ],
)
def test_places_organisations_and_titles_are_no_one(tokenizer: jieba.Tokenizer, text: str) -> None:
    assert [] == _discovered(text, tokenizer)


@pytest.mark.parametrize(
    ("candidate", "plausible"),
    [
        ("欧阳明辉", True),
        ("司马青云", True),
        ("柯明远", True),
        ("张伟", True),
        ("欧阳", False),  # a compound surname alone
        ("司马青云天", False),  # too long a given name
        ("高新区", False),
        ("市委", False),
        ("华为", False),
        ("常委", False),
        ("腾讯", False),  # 腾 is no surname
        ("叶老", False),  # a surname and an honorific
        ("王总", False),
        ("叶老三", True),
    ],
)
def test_plausible_name(candidate: str, plausible: bool) -> None:
    assert plausible == plausible_name(candidate)


def test_an_adverb_after_a_list_of_names_is_not_a_name(tokenizer: jieba.Tokenizer) -> None:
    """全国政协委员甲、乙都关注到……: 乙, not 乙都."""
    assert ["周明宇", "沈思雯"] == _discovered("全国政协委员周明宇、沈思雯都关注到去年民营投资增速下滑。", tokenizer)


def test_an_affiliation_right_after_the_role_is_not_a_name(tokenizer: jieba.Tokenizer) -> None:
    """省人大代表白鹭投资集团有限公司技术员张新叶表示: the person is 张新叶, whose
    affiliation runs from the role to the title; 白鹭 is a company's name."""
    assert ["张新叶"] == _discovered("省人大代表白鹭投资集团有限公司技术员张新叶表示，这次她想提一些跟老百姓生活相关的议案。", tokenizer)


def test_a_name_the_tagger_runs_on_is_the_one_a_cue_reads(tokenizer: jieba.Tokenizer) -> None:
    """全国人大代表、某市市长李军刚走进驻地…… 李军表示: 李军, not 李军刚."""
    text = "全国人大代表、江门市委副书记、市长李军刚走进广东团驻地，立即被记者们包围起来。李军表示，报告把江门关注的事情做好了安排。"
    assert ["李军"] == _discovered(text, tokenizer)


@pytest.mark.parametrize(
    ("text", "name", "role"),
    [
        ("在政协会议现场，我采访到了市政协委员、市妇联副主席高一峥。", "高一峥", "市政协委员"),
        ("港區全國人大代表梁一芬認為報告涉經濟部分務實。".translate(str.maketrans("區國認為報濟務實", "区国认为报济务实")), "梁一芬", "港区全国人大代表"),
    ],
)
def test_the_role_before_a_name(text: str, name: str, role: str) -> None:
    assert [role] == list(discover_people([text], lambda candidate: False)[name].roles)
