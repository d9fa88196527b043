"""Search tokens cut run by run, with runs kept, are the tokens jieba gives the whole text."""

from __future__ import annotations

import re
from pathlib import Path

import jieba
import pytest

from bot.ingest.build import _new_tokenizer
from bot.ingest.tokens import SearchTokens

TEXTS = [
    "全国人大代表马新强表示，光电子信息产业是武汉的“光谷”名片。",
    "2024年营收达7441.7亿元，同比增长20%；DeepSeek、AI+制造 都在谈。",
    "“沿途下蛋”，他说。“沿途下蛋”，她也说。全国人大代表，全国人大代表！",
    "  Wuhan and Chengdu\n新质生产力——长江经济带……",
    "",
]


@pytest.fixture(scope="module")
def tokenizer() -> jieba.Tokenizer:
    return _new_tokenizer()


def whole_text_tokens(tokenizer: jieba.Tokenizer, text: str) -> list[tuple[str, int, int]]:
    """What ingest indexed before runs were kept: jieba's search-mode tokens of the whole text."""
    return [
        (word.lower(), start, end)
        for word, start, end in tokenizer.tokenize(text, mode="search")
        if word.strip() and not re.match(r"^[\W_]+$", word)
    ]


@pytest.mark.parametrize("text", TEXTS)
def test_tokens_are_jiebas_for_the_whole_text(tokenizer: jieba.Tokenizer, text: str) -> None:
    tokens = SearchTokens(tokenizer)
    expected = whole_text_tokens(tokenizer, text)
    assert expected == tokens(text)
    assert expected == tokens(text)  # the second time from the kept runs


def test_a_run_seen_elsewhere_gets_its_own_offsets(tokenizer: jieba.Tokenizer) -> None:
    tokens = SearchTokens(tokenizer, cached_runs=2)
    alone = tokens("全国人大代表")
    text = "全国人大代表，全国人大代表"  # the second run at 7
    found = tokens(text)
    assert found == whole_text_tokens(tokenizer, text)
    first = [token for token in found if token[2] <= 6]
    second = [(word, start - 7, end - 7) for word, start, end in found if start >= 7]
    assert alone == first == second


def test_every_fixture_paragraph_is_cut_as_jieba_cuts_it_before_and_after_teaching() -> None:
    """SearchTokens cuts a new run with its own copy of jieba's algorithm:
    on every paragraph of the fixture articles (names jieba splits, HMM runs,
    Latin words, figures), its tokens are jieba's, and still are once names
    are taught (a taught word changes the dictionary and its total)."""
    from bot.ingest.build import read_articles

    articles = Path(__file__).parent / "fixtures" / "articles"
    texts = [paragraph.text for article in read_articles(sorted(articles.glob("*.txt"))) for paragraph in article.layout.paragraphs]
    tokenizer = _new_tokenizer()
    for _ in ("before", "taught"):
        tokens = SearchTokens(tokenizer)
        assert [whole_text_tokens(tokenizer, text) for text in texts] == [tokens(text) for text in texts]
        for name in ("邢立国", "温淑琴", "罗卫东", "王行环"):
            tokenizer.add_word(name, 1000, "nr")
