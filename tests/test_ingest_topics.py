"""Which topics an item names, and how often (bot/ingest/gazetteer.py TopicMatcher)."""

from __future__ import annotations

import random
import re

from conftest import fixture_paragraphs

from bot.ingest import gazetteer


def test_topics_are_counted_longest_term_first_and_latin_terms_on_word_boundaries() -> None:
    matcher = gazetteer.TopicMatcher(gazetteer.topics())
    # Each topic once, by its longest term: 健康医疗大数据 is not also two mentions of itself.
    assert matcher.hits("武汉要建设国家级健康医疗大数据中心") == {"健康医疗大数据": 1, "医疗": 1, "大数据": 1, "算力": 1}
    assert matcher.hits("AI应用与ai制造，DeepSeek和deepseek") == {"人工智能": 4}
    assert matcher.hits("SAID, MAIN, Taiwan") == {}


def test_the_latin_terms_are_looked_for_from_the_first_letter_one_can_start_with() -> None:
    """hits looks for Latin terms (AI, DeepSeek, C919) only from the first
    letter one of them starts with, in either case: it counts what looking
    through every text from its start counts, over the fixture paragraphs
    and 20,000 texts run together from the terms in every case, the letters
    either side of them, digits, Han text and punctuation."""
    matcher = gazetteer.TopicMatcher(gazetteer.topics())
    from_the_start = gazetteer.TopicMatcher(gazetteer.topics())
    from_the_start._latin_starts = re.compile(r"(?s).")
    terms = [term for topic in gazetteer.topics() for term in (topic.name, *topic.synonyms) if term.isascii()]
    assert terms
    draw = random.Random(20261205)
    pieces = [*terms, *(term.upper() for term in terms), *(term.title() for term in terms), "s", "X", "9", " ", "，", "人工智能", "芯片"]
    texts = [*fixture_paragraphs(), *("".join(draw.choices(pieces, k=draw.randint(0, 6))) for _ in range(20_000))]
    counted = [from_the_start.hits(text) for text in texts]
    assert sum(bool(hits) for hits in counted) > 5_000
    assert counted == [matcher.hits(text) for text in texts]
