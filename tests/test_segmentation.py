"""Word segmentation at ingest (jieba, taught the names) and at query time
(bot.segment against the store's vocabulary).

jieba's dictionary does not know the delegates and splits three of the six
names: a search for 王行环 would then look for 王行 and 环. Ingest teaches
jieba every name before it segments, and stores its vocabulary so queries
are cut the same way without loading jieba.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path

import jieba
import pytest

from bot.engine import Engine
from bot.ingest.extract import quoted_terms
from bot.ingest.build import ParsedArticle, _people, _teach
from bot.ingest.dictionary import whole_tokenizer
from bot.ingest.layout import rebuild
from bot.engine.segment import segment
from bot.ingest.seeds import read_seed
from conftest import SEEDS

SEED = SEEDS / "2025-03-cjrb-four-cities-innovation.txt"
NAMES = ("罗卫东", "王行环", "宋朝学", "马新强", "丁光宏", "耿福能")


@pytest.fixture(scope="module")
def untaught() -> jieba.Tokenizer:
    return whole_tokenizer()


@pytest.fixture(scope="module")
def taught() -> jieba.Tokenizer:
    """A tokenizer taught as ingest teaches it: the people of the first seed,
    the gazetteer's cities and the topic lexicon."""
    seed = read_seed(SEED)
    layout = rebuild(seed.text)
    tokenizer = whole_tokenizer()
    terms = [term for paragraph in layout.paragraphs for term in quoted_terms(paragraph.text)]
    _teach(tokenizer, _people([ParsedArticle(seed, layout)], tokenizer), terms)
    return tokenizer


@pytest.mark.parametrize(
    ("name", "split"),
    [("罗卫东", ["罗", "卫东"]), ("王行环", ["王行", "环"]), ("宋朝学", ["宋朝", "学"])],
)
def test_default_dictionary_splits_these_names(untaught: jieba.Tokenizer, name: str, split: list[str]) -> None:
    """Why ingest must teach jieba: its own dictionary cuts these names apart."""
    assert split == untaught.lcut(name)


@pytest.mark.parametrize("name", NAMES)
def test_taught_tokenizer_keeps_every_name_whole(taught: jieba.Tokenizer, name: str) -> None:
    assert [name] == taught.lcut(name)
    # In running text too, where a following verb could glue onto the name (环说, 学说).
    assert [name, "说", "，"] == taught.lcut(name + "说，")[:3]
    assert name in [word for word, _, _ in taught.tokenize(f"{name}认为，武汉优势明显。", mode="search")]


@pytest.fixture(scope="module")
def db(seed_db: Path) -> sqlite3.Connection:
    return sqlite3.connect(seed_db)


@pytest.mark.parametrize("name", NAMES)
def test_index_holds_every_name_as_one_word(db: sqlite3.Connection, name: str) -> None:
    assert [(name,)] == indexed_terms(db, name)
    assert name in {term for (term,) in db.execute("select term from vocab where term = ?", (name,))}


@pytest.fixture(scope="module")
def cut(engine: Engine):
    """The query segmenter exactly as the engine calls it."""
    total = int(engine.store.value("select value from meta where key = 'jieba_total'"))
    return lambda text: segment(text, engine._vocab_lookup, total)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        *[(name, [name]) for name in NAMES],
        ("武汉", ["武汉"]),
        ("上海", ["上海"]),
        ("成都", ["成都"]),
        ("杭州", ["杭州"]),
        ("光电子信息", ["光电子信息"]),
        ("新质生产力", ["新质生产力"]),
        ("人工智能", ["人工智能"]),
        # Not one word in the index either: ingest's jieba cut 硕博士 into 硕 + 博士,
        # and the query must be cut the same way to match.
        ("硕博士", ["硕", "博士"]),
        ("罗卫东说了什么", ["罗卫东", "说", "了", "什么"]),
        ("王行环谈人工智能", ["王行环", "谈", "人工智能"]),
        ("武汉光电子信息", ["武汉", "光电子信息"]),
        ("DeepSeek横空出世", ["DeepSeek", "横空出世"]),
    ],
)
def test_query_segmentation_keeps_indexed_words_whole(cut, query: str, expected: list[str]) -> None:
    assert expected == cut(query)


@pytest.mark.parametrize(
    "phrase",
    ["特别是硕博士能够留在武汉创新创业", "宋朝学进一步解释", "王行环建议武汉谋划建设国家级健康医疗大数据中心", "罗卫东说新一代的创新"],
)
def test_query_is_cut_as_ingest_cut_the_text(cut, taught: jieba.Tokenizer, phrase: str) -> None:
    """The same phrase gives the same words at ingest and at query time."""
    assert taught.lcut(phrase, HMM=False) == cut(phrase)


# The query segmentation algorithm on a given vocabulary: jieba's most probable
# route through the known words; Latin runs and numbers whole, punctuation gone.

TOTAL = 60_000_000


def lookup(words: dict[str, int]) -> Callable[[Iterable[str]], dict[str, int]]:
    return lambda candidates: {word: words[word] for word in candidates if word in words}


# (expected words, text, the words the store knows with their frequencies)
CASES = [
    (["研究", "生命", "起源"], "研究生命起源", {"研究": 5000, "研究生": 800, "生命": 3000, "起源": 600, "命起": 1}),
    (["研究生", "命"], "研究生命", {"研究": 5, "研究生": 8000, "生命": 3}),
    (["沿途", "下蛋"], "沿途下蛋", {"沿途": 300, "下蛋": 50}),
    (["沿途下蛋"], "沿途下蛋", {"沿途": 300, "下蛋": 50, "沿途下蛋": 40}),
    # A word twice in a run, and words overlapping it: each place is scored over every word starting there.
    (["研究", "研究", "生命"], "研究研究生命", {"研究": 5000, "究研": 1, "研究生": 800, "生命": 3000}),
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



# Short quoted terms --------------------------------------------------------------

QUOTED = ("六小龙", "九省通衢", "沿途下蛋", "武创通", "国之重器")


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("杭州“六小龙”现象引发广泛关注", ["六小龙"]),
        ("“武汉作为‘九省通衢’，区位交通优势明显。”", ["九省通衢"]),
        ("推动科技成果“沿途下蛋”。", ["沿途下蛋"]),
        ("实施“博士100计划”", []),  # digits: the query segmenter cuts them apart
        ("构建了“校院地企协同创新”模式", []),  # too long: 协同创新 inside must stay searchable
        ("他说“好”。", []),
        ("“六小龙’", []),  # marks that do not pair
    ],
)
def test_quoted_terms(text: str, terms: list[str]) -> None:
    assert terms == quoted_terms(text)


@pytest.mark.parametrize("term", QUOTED)
def test_untaught_jieba_splits_quoted_terms(untaught: jieba.Tokenizer, term: str) -> None:
    """Why ingest teaches them."""
    assert [term] != untaught.lcut(term, HMM=False)


@pytest.mark.parametrize("term", QUOTED)
def test_full_text_index_holds_quoted_terms_whole(db: sqlite3.Connection, term: str) -> None:
    matched = db.execute(
        "select count(*) from item_search_fts where item_search_fts match ?", (f'text : "{term}"',)
    ).fetchone()[0]
    holding = db.execute("select count(*) from item_texts where text like ?", (f"%{term}%",)).fetchone()[0]
    assert holding >= 1
    assert holding == matched
    assert [(term,)] == db.execute("select term from vocab where term = ?", (term,)).fetchall()


@pytest.mark.parametrize("term", QUOTED)
def test_a_query_for_a_quoted_term_is_one_word(cut, term: str) -> None:
    assert [term] == cut(term)


def test_long_quoted_terms_are_cut_as_jieba_cuts_them(db: sqlite3.Connection) -> None:
    """“校院地企协同创新” is not taught whole: search mode would then index
    only its two- and three-character words, and lose any of four."""
    holding = {row[0] for row in db.execute("select id from item_texts where text like '%校院地企协同创新%'")}
    cut = {
        row[0]
        for row in db.execute(
            "select i.id from item_search_fts join items i on i.search_id = item_search_fts.rowid where item_search_fts match ?",
            ('text : "校院 地企 协同 创新"',),
        )
    }
    assert holding and holding <= cut
    assert [] == indexed_terms(db, "校院地企协同创新")


def indexed_terms(db: sqlite3.Connection, term: str) -> list[tuple[str]]:
    """The term as the full-text index holds it (one word), or nothing."""
    db.execute("create virtual table if not exists temp.search_terms using fts5vocab(main, item_search_fts, row)")
    return db.execute("select term from temp.search_terms where term = ?", (term,)).fetchall()


def test_the_engine_finds_the_six_little_dragons(engine: Engine) -> None:
    answer = engine.answer("六小龙")
    assert ["六小龙"] == answer.terms
    assert "六小龙" in answer.items[0].text
