"""The query segmentation algorithm on a given vocabulary (bot/segment.py).

A query is cut with jieba's method: the most probable route through the
words the lookup knows; Latin runs and numbers stay whole, punctuation goes.
Tables give the words known with their frequencies, the text and the cut.
Segmentation against the real store is in test_segmentation.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pytest

from bot.segment import segment

TOTAL = 60_000_000


def lookup(words: dict[str, int]) -> Callable[[Iterable[str]], dict[str, int]]:
    return lambda candidates: {word: words[word] for word in candidates if word in words}


# (expected words, text, the words the store knows with their frequencies)
CASES = [
    (["研究", "生命", "起源"], "研究生命起源", {"研究": 5000, "研究生": 800, "生命": 3000, "起源": 600, "命起": 1}),
    (["研究生", "命"], "研究生命", {"研究": 5, "研究生": 8000, "生命": 3}),
    (["沿途", "下蛋"], "沿途下蛋", {"沿途": 300, "下蛋": 50}),
    (["沿途下蛋"], "沿途下蛋", {"沿途": 300, "下蛋": 50, "沿途下蛋": 40}),
    (["马", "新", "强", "人才"], "马新强，人才！", {"人才": 500}),
    (["张", "三"], "张三", {}),
    (["DeepSeek", "横空出世"], "DeepSeek横空出世", {"横空出世": 50}),
    (["7441.7", "亿元", "20%"], "7441.7亿元 20%", {"亿元": 4000}),
    (["C++", "a-b", "x#"], "C++ a-b x#", {}),
    ([], "", {}),
    ([], "，。！？ 、“”", {}),
    ([], "😀\u3000<>&", {}),
]


@pytest.mark.parametrize("expected, text, words", CASES)
def test_segment(expected: list[str], text: str, words: dict[str, int]) -> None:
    assert expected == segment(text, lookup(words), TOTAL)


def test_words_longer_than_the_window_are_cut() -> None:
    """jieba's words are at most eight characters; a longer run is never one word."""
    text = "一二三四五六七八九"
    assert 2 <= len(segment(text, lookup({text: 10**6, text[:8]: 10}), TOTAL))

