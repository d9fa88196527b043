"""Search tokens cut run by run, with runs kept, are the tokens jieba gives the whole text."""

from __future__ import annotations

import re
from pathlib import Path

import jieba
import pytest
from conftest import fixture_paragraphs

from bot.ingest import dictionary
from bot.ingest.dictionary import whole_tokenizer
from bot.ingest.tokens import SearchTokens, suggested_frequency

TEXTS = [
    "全国人大代表马新强表示，光电子信息产业是武汉的“光谷”名片。",
    "2024年营收达7441.7亿元，同比增长20%；DeepSeek、AI+制造 都在谈。",
    "“沿途下蛋”，他说。“沿途下蛋”，她也说。全国人大代表，全国人大代表！",
    "  Wuhan and Chengdu\n新质生产力——长江经济带……",
    "",
]


@pytest.fixture(scope="module")
def tokenizer() -> jieba.Tokenizer:
    return whole_tokenizer()


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
    for _ in range(3):  # cut, cut and kept, from the kept runs
        assert expected == tokens(text)


def test_a_run_is_kept_the_second_time_it_is_met_while_there_is_room(tokenizer: jieba.Tokenizer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Most runs are met once: a run is cut the first two times it is met and
    kept after the second, and once the cache is full a new one is cut each time."""
    from collections import Counter

    tokens = SearchTokens(tokenizer, cached_runs=2)
    cut: Counter[str] = Counter()
    cut_run = tokens._cut_run
    monkeypatch.setattr(tokens, "_cut_run", lambda run: cut.update([run]) or cut_run(run))
    for _ in range(4):
        assert tokens("全国人大代表，武汉") == whole_text_tokens(tokenizer, "全国人大代表，武汉")
    assert cut == {"全国人大代表": 2, "，": 2, "武汉": 4}


def test_a_run_seen_elsewhere_gets_its_own_offsets(tokenizer: jieba.Tokenizer) -> None:
    tokens = SearchTokens(tokenizer, cached_runs=2)
    tokens("全国人大代表")
    alone = tokens("全国人大代表")  # kept now
    text = "全国人大代表，全国人大代表"  # the second run at 7
    found = tokens(text)
    assert found == whole_text_tokens(tokenizer, text)
    first = [token for token in found if token[2] <= 6]
    second = [(word, start - 7, end - 7) for word, start, end in found if start >= 7]
    assert alone == first == second


@pytest.mark.parametrize("dictionary_read", ["whole", "from the words file"])
def test_every_fixture_paragraph_is_cut_as_jieba_cuts_it_before_and_after_teaching(dictionary_read: str) -> None:
    """SearchTokens cuts a new run with its own copy of jieba's algorithm:
    on every paragraph of the fixture articles (names jieba splits, HMM runs,
    Latin words, figures), its tokens are jieba's, and still are once names
    are taught (a taught word changes the dictionary and its total); with
    jieba's dictionary loaded whole, and read from the words file a word at
    a time, as an ingest reads it (dictionary.LookedUp)."""
    texts = fixture_paragraphs()
    whole = whole_tokenizer()
    tokenizer = whole if dictionary_read == "whole" else dictionary.words().tokenizer()
    for _ in ("before", "taught"):
        tokens = SearchTokens(tokenizer)
        assert [whole_text_tokens(whole, text) for text in texts] == [tokens(text) for text in texts]
        for name in ("邢立国", "温淑琴", "罗卫东", "王行环"):
            whole.add_word(name, 1000, "nr")
            if tokenizer is not whole:
                tokenizer.add_word(name, 1000, "nr")


@pytest.mark.parametrize("dictionary_read", ["whole", "from the words file"])
def test_a_suggested_frequency_is_jiebas_as_words_are_taught_one_after_another(dictionary_read: str) -> None:
    """Ingest teaches each name and quoted term the frequency jieba's
    suggest_freq gives it, one after another (each taught word changes the
    next one's cut and the total): suggested_frequency, which reckons the
    cut itself for a word of Han characters, gives jieba's each time, for
    names made of common surnames and given names (2,000 of them, some
    holding words), the fixtures' quoted terms, and words with Latin
    letters, figures or a character past jieba's Han range, which go to
    jieba itself."""
    import random

    from bot.ingest.extract import QUOTED_TERM, SINGLE_SURNAMES

    draw = random.Random(20261205)
    given = "国强伟芳敏静丽军杰涛明超秀霞平刚桂英华建文志红玉兰凤海波洪宏新春光电子信息产业武汉长江卫东行环"
    names = ["".join((draw.choice(SINGLE_SURNAMES), *draw.choices(given, k=draw.choice((1, 2, 2, 3))))) for _ in range(2000)]
    terms = sorted({found.group(2) for text in fixture_paragraphs() for found in QUOTED_TERM.finditer(text)})
    others = ["5G网络", "AI制造", "王𠮷", "新质生产力2025", "长江"]
    assert terms
    whole = whole_tokenizer()
    tokenizer = whole if dictionary_read == "whole" else dictionary.words().tokenizer()
    for word in [*names, *terms, *others]:
        expected = whole.suggest_freq(word)
        assert (word, suggested_frequency(tokenizer, word)) == (word, expected)
        for taught in {id(whole): whole, id(tokenizer): tokenizer}.values():
            taught.add_word(word, max(expected, 1000) if word in names else expected, "nr")


def test_the_words_file_remembers_what_it_lacks(monkeypatch: pytest.MonkeyPatch) -> None:
    """A piece the words file lacks is None when indexed, as a cut asks, and
    absent to ``in`` and ``get``; the file is asked about each piece once."""
    whole, read = whole_tokenizer(), dictionary.words().tokenizer()
    asked: list[str] = []
    value = dictionary.Words.value
    monkeypatch.setattr(dictionary.Words, "value", lambda self, query, word: asked.append(word) or value(self, query, word))

    for _ in range(2):
        assert read.FREQ["中国"] == whole.FREQ["中国"] > 0
        assert read.FREQ["中国人民银"] == whole.FREQ["中国人民银"] == 0  # a prefix of a word
        assert read.FREQ["罗卫东"] is None and "罗卫东" not in read.FREQ and read.FREQ.get("罗卫东", 7) == 7
        assert "罗卫东" not in whole.FREQ
    # Asked once each; a piece the filter rules out is never asked.
    words = dictionary.words()
    assert sorted(asked) == sorted(word for word in ["中国", "中国人民银", "罗卫东"] if words.may_hold(word))

    read.add_word("罗卫东", 1000, "nr")
    assert read.FREQ["罗卫东"] == 1000 and read.FREQ["罗卫"] == 0 and "罗卫" in read.FREQ


def test_the_words_file_filter_holds_every_word_and_rules_out_most_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    """The filter never rules out a word the file holds (a cut would then
    miss it), and spares the query for most pieces of text the file lacks:
    cutting the fixtures over the file asks it about fewer than one piece in
    five that it lacks."""
    words = dictionary.words()
    held = [word for (word,) in words._connection.execute("select word from words")]
    assert len(held) > 500_000 and all(map(words.may_hold, held))

    asked: list[str] = []
    value = dictionary.Words.value
    monkeypatch.setattr(dictionary.Words, "value", lambda self, query, word: asked.append(word) or value(self, query, word))
    read = words.tokenizer()
    tokens = SearchTokens(read)
    for text in fixture_paragraphs():
        tokens(text)
    lacked = [piece for piece, found in dict.items(read.FREQ) if found is None]
    asked_lacked = [piece for piece in asked if dict.__getitem__(read.FREQ, piece) is None]
    assert len(lacked) > 1000 and len(asked_lacked) < len(lacked) / 5


def test_a_tokenizer_not_yet_initialised_cuts_its_first_text_as_jieba_does(tokenizer: jieba.Tokenizer) -> None:
    """jieba loads its dictionary on the first cut, into a new FREQ: the
    dictionary's words inside a word (光电, 电子 in 光电子) are looked up in
    that one, not the empty one the tokenizer had before."""
    text = "光电子信息产业是武汉的名片。"
    assert SearchTokens(jieba.Tokenizer())(text) == whole_text_tokens(tokenizer, text)


def test_the_taggers_path_is_jiebas_own() -> None:
    """The part-of-speech tagger reads a name no cue follows with jieba's
    HMM, its viterbi replaced by one that tries only the states that can
    come before each (dictionary.PathByPredecessors): the same tags and the
    same probability as jieba's, on the fixtures' runs of Han characters (as
    long as a name and what follows it), on random runs of their characters,
    on rare characters none of whose states follows one of the character
    before (淙瘵劤鄧), and on one character."""
    import random
    import sys

    module = dictionary.posseg()
    assert isinstance(module.viterbi, dictionary.PathByPredecessors)
    jiebas = sys.modules["jieba.posseg.viterbi"].viterbi
    texts = [path.read_text(encoding="utf-8") for path in sorted((Path(__file__).parent / "fixtures" / "articles").glob("*.txt"))]
    runs = sorted({run[:6] for text in texts for run in re.findall("[\u4e00-\u9fd5]+", text)})[:400]
    characters = sorted({character for run in runs for character in run})
    generator = random.Random(5)
    runs += ["".join(generator.choices(characters, k=generator.randint(1, 8))) for _ in range(300)]
    runs += ["淙瘵劤鄧", "螳徵收壮缉慭", "痋瘊饕", "猪", "卞海虹", "欧阳宏伟"]
    model = (module.char_state_tab_P, module.start_P, module.trans_P, module.emit_P)
    assert all(module.viterbi(run, *model) == jiebas(run, *model) for run in runs)
