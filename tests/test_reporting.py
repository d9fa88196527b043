"""Reporting with no cue of its own (issue 11, item 11), on invented articles.

Inside a delegate's box on a newspaper page, or a web paragraph that names
one person and no one else, the reporter's sentences that no cue attributes
are stored in that person's section as facts without figures, shown as
reported (报道 / reported), and found by search. A search that answers with
an item lacking the words searched for says why.
"""

from __future__ import annotations

import pytest

from bot.engine import Engine
from bot.engine.answer import Notice
from bot.ingest.build import build_store
from bot.ingest.extract import Extractor, Item
from bot.ingest.layout import rebuild
from bot.render import to_text

# A web page: one paragraph per line. 严秋禾's paragraph names her alone; the
# closing paragraph names two people; the one before it names no one.
WEB_ARTICLE = """\
青山村的新课堂
全国两会期间，记者走近一位来自乡村学校的代表。
全国人大代表严秋禾在青山村小学教了十几年书。学校后山有一片茶园，孩子们每周去那里上劳动课。严秋禾表示，乡村学校要把身边的山水变成课堂，让孩子爱上家乡。
“劳动课不是走过场，孩子们亲手采茶、制茶，才知道一片叶子来之不易。”严秋禾说。
山路弯弯，校车每天清晨沿着溪谷接送孩子们上学。
采访结束时，严秋禾和同行的全国政协委员祁远山一起走进了茶园。
"""


def _items(text: str, people: list[str]) -> list[Item]:
    return Extractor(people).extract(rebuild(text))[0]


def test_a_paragraph_that_names_only_its_delegate_keeps_her_reporting() -> None:
    items = _items(WEB_ARTICLE, ["严秋禾", "祁远山"])
    paragraph = [item for item in items if item.text.startswith(("全国人大代表严秋禾", "学校后山", "严秋禾表示"))]
    assert [("fact", "严秋禾", False), ("statement", "严秋禾", False)] == [(i.kind, i.speaker, i.has_figures) for i in paragraph]
    assert "全国人大代表严秋禾在青山村小学教了十几年书。学校后山有一片茶园，孩子们每周去那里上劳动课。" == paragraph[0].text


def test_no_reporting_outside_a_section() -> None:
    """The introduction, a paragraph that names no one and one that names two
    people are in nobody's section: the reporter's sentences there are no one's
    and, without figures, not stored at all."""
    items = _items(WEB_ARTICLE, ["严秋禾", "祁远山"])
    texts = [item.text for item in items]
    assert not any(text.startswith(("全国两会期间", "山路弯弯", "采访结束时")) for text in texts)
    # The quote's own attribution (”严秋禾说。) is no reporting either.
    assert not any(text.startswith("严秋禾说") for text in texts)


def test_a_heading_line_reports_nothing() -> None:
    text = "标题\n■ 全国政协委员、东岭茶业协会会长祁远山：\n这些年，我们的茶农越来越年轻。\n我今年的建议是给山区茶园修好机耕路。\n"
    items = _items(text, ["祁远山"])
    assert ["quote", "quote"] == [item.kind for item in items]
    assert not any("茶业协会会长" in item.text for item in items)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    seeds = tmp_path_factory.mktemp("reporting-seeds")
    (seeds / "qingshan.txt").write_text(WEB_ARTICLE, encoding="utf-8")
    path = tmp_path_factory.mktemp("reporting-store") / "store.db"
    build_store(seeds, path, progress=False)
    return Engine(path)


def test_reporting_is_in_her_section_labelled_as_reported(engine: Engine) -> None:
    answer = engine.answer("/who 严秋禾")
    reporting = [item for item in answer.items if item.kind == "fact"]
    assert 1 == len(reporting) and not reporting[0].has_figures and reporting[0].speaker == "严秋禾"
    assert "[报道] 严秋禾（报道所述）" in to_text(answer, "zh")
    assert "[reported] 严秋禾 Yan Qiuhe (as reported)" in to_text(answer, "en")


def test_reporting_is_found_by_search(engine: Engine) -> None:
    answer = engine.answer("茶园 劳动课")
    assert answer.items[0].text.startswith("全国人大代表严秋禾在青山村小学")
    assert "茶园" in answer.items[0].text and "劳动课" in answer.items[0].text


@pytest.mark.parametrize(("lang", "why"), [("zh", "是它所在的段落（或话题）提到了"), ("en", "their paragraph (or topic) does")])
def test_an_item_found_by_its_paragraph_says_why(engine: Engine, lang: str, why: str) -> None:
    """茶园 is in the paragraph of 严秋禾's statement, not in the statement itself."""
    answer = engine.answer("茶园 山水")
    statement = next(item for item in answer.items if item.text.startswith("严秋禾表示，乡村学校"))
    assert "茶园" not in statement.text
    assert Notice.IN_CONTEXT == answer.notice
    assert why in to_text(answer, lang)


def test_a_search_whose_items_hold_every_word_has_no_notice(engine: Engine) -> None:
    answer = engine.answer("采茶")
    assert answer.items and all("采茶" in item.text for item in answer.items)
    assert answer.notice is None


def test_inline_sharing_offers_only_items_that_hold_every_word(engine: Engine) -> None:
    """An inline result has no room for the notice: 严秋禾's statement, which
    the chat answer to 茶园 lists because its paragraph has the word, is not
    offered for 茶园; it is for 山水, its own word."""
    chat = engine.answer("茶园")
    assert Notice.IN_CONTEXT == chat.notice and any(item.text.startswith("严秋禾表示") for item in chat.items)
    assert 0 == engine.share("茶园").total
    shared = engine.share("山水")
    assert 1 == shared.total and shared.items[0].text.startswith("严秋禾表示")
