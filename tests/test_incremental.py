"""Adding and removing articles in place (bot/ingest/incremental.py): the
store it leaves is the store a full ingest of the same seeds builds, ids
survive, and a running engine sees the change on its next query.

Every store here is a real SQLite file built from the invented articles in
tests/fixtures/articles/ with a real jieba.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.engine.store import Store
from bot.errors import SeedError
from bot.ingest import dictionary, phonetics
from bot.ingest.build import build_store
from bot.ingest.dictionary import whole_tokenizer
from bot.ingest.changes import add_articles, remove_article
from bot.ingest import bigrams
from bot.ingest.freshness import seeds_fingerprint, store_is_current
from bot.ingest.incremental import TaughtTokenizer
from bot.ingest.tokens import SearchTokens
from bot.ingest.write import Keywords
from bot.schema import PARAGRAPH_SEARCH, TABLES, stable_id
from conftest import FIXTURES, ROOT, fixture_paragraphs, settle

ARTICLES = FIXTURES / "articles"
# Ranks are spaced apart so an added row fits between its neighbours: their
# values depend on the order rows came in, their order does not. Each ranked
# table, and the list a rank orders (one for the whole table, one per topic or city).
RANKED = {"items": "id", "people": "id", "item_topics": "topic_number, item_id", "city_answers": "city_number, item_id"}


def seeds_of(tmp_path: Path, name: str, *articles: str) -> Path:
    """A seeds folder holding these fixture articles and their sidecars."""
    folder = tmp_path / name
    folder.mkdir()
    for article in articles:
        for path in ARTICLES.glob(f"{article}.*"):
            shutil.copy(path, folder)
    return folder


# Each search index, and the table whose search_id numbers its rows.
SEARCH_INDEXES = {"item_search_fts": "items", PARAGRAPH_SEARCH: "paragraphs"}


def contents(db: Path) -> dict[str, list]:
    """Everything the store holds that answers read: every table's rows
    (ids included), the order of the ranked ones, and the search indexes'
    every token (term, item or paragraph, column, offset) with the sizes
    of each row. A row of an index is named by the id of what it indexes:
    its search_id depends on when the article was indexed (an article
    indexed again by a change takes new ones), not on what it holds."""
    connection = sqlite3.connect(db)
    try:
        found: dict[str, list] = {}
        for table in TABLES:
            columns = [
                row[1]
                for row in connection.execute(f"pragma table_info({table})")
                if not (table in RANKED and row[1] == "rank") and row[1] != "search_id"
            ]
            rows = connection.execute(f"select {', '.join(columns)} from {table}").fetchall()
            if table == "meta":
                # Where the seeds are and when they changed: not what the store holds.
                rows = [row for row in rows if row[0] not in ("seeds_fingerprint", "seeds_dir")]
            found[table] = sorted(map(repr, rows))
        for table, listed in RANKED.items():
            lists = {"item_topics": "topic_number, ", "city_answers": "city_number, "}.get(table, "")
            found[f"{table} in order"] = connection.execute(f"select {listed} from {table} order by {lists}rank").fetchall()
        for index, numbered in SEARCH_INDEXES.items():
            connection.execute(f"create virtual table temp.{index}_tokens using fts5vocab(main, {index}, instance)")
            found[f"{index} tokens"] = sorted(
                connection.execute(f"select v.term, t.id, v.col, v.offset from temp.{index}_tokens v join {numbered} t on t.search_id = v.doc").fetchall()
            )
            found[f"{index} sizes"] = sorted(connection.execute(f"select t.id, s.sz from {index}_docsize s join {numbered} t on t.search_id = s.id").fetchall())
            # Every row of the index is one of the table's: none is left behind by a change.
            found[f"{index} rows"] = [connection.execute(f"select count(*) from {index}_docsize").fetchone()[0]]
        return found
    finally:
        connection.close()


def differences(first: Path, second: Path) -> dict[str, tuple]:
    one, other = contents(first), contents(second)
    return {key: (len(one[key]), len(other[key])) for key in one if one[key] != other[key]}


def test_articles_added_one_at_a_time_give_the_store_a_full_ingest_builds(tmp_path: Path) -> None:
    """A full ingest of four articles and one of the first, then the others
    added in place one at a time, in the order ingest indexes them (earliest
    first): no id already in the store changes, and in the end every table
    is the full ingest's row for row, ids included, ranks in the same order,
    the same search index. Among them a reprint (reprint-b prints two of
    reprint-a's quotes) and a person quoted in two articles."""
    names = ("verbs", "reprint-a", "reprint-b", "joint")
    full = seeds_of(tmp_path, "full", *names)
    build_store(full, tmp_path / "full.db", progress=False)
    growing = seeds_of(tmp_path, "growing", "verbs")
    build_store(growing, tmp_path / "growing.db", progress=False)
    for name in names[1:]:
        before = ids(tmp_path / "growing.db")
        change = add_articles([ARTICLES / f"{name}.txt"], growing, tmp_path / "growing.db")
        after = ids(tmp_path / "growing.db")
        assert change.in_place, name
        # Buttons and deep links carry ids: none of those the store had changes.
        assert all(before[table] <= after[table] for table in before), name
        assert set(change.new_items) == after["items"] - before["items"], name
        assert files_recorded(tmp_path / "growing.db") == files_now(growing), name
    assert {} == differences(tmp_path / "full.db", tmp_path / "growing.db")


def files_recorded(db: Path) -> str:
    """The seeds' files digest the store recorded (a change moves it by the files it added or removed)."""
    with sqlite3.connect(db) as connection:
        return connection.execute("select value from meta where key = 'seeds_fingerprint'").fetchone()[0].partition(" ")[2]


def files_now(seeds: Path) -> str:
    """The seeds' files digest, every file read."""
    return seeds_fingerprint(seeds).partition(" ")[2]


def ids(db: Path) -> dict[str, set[int]]:
    with sqlite3.connect(db) as connection:
        return {table: {row[0] for row in connection.execute(f"select id from {table}")} for table in ("articles", "people", "items", "cities", "topics")}


def reprinted(db: Path) -> list[tuple[int, list[str]]]:
    """Each item printed by more than one article, with its articles in order."""
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "select s.item_id, a.slug from item_sources s join articles a on a.id = s.article_id order by s.item_id, s.position"
        ).fetchall()
    sources: dict[int, list[str]] = {}
    for item_id, slug in rows:
        sources.setdefault(item_id, []).append(slug)
    return sorted((item_id, slugs) for item_id, slugs in sources.items() if len(slugs) > 1)


def test_removing_a_reprints_own_article_keeps_the_item_and_adding_it_back_restores_the_store(tmp_path: Path) -> None:
    """reprint-a holds the quotes reprint-b reprints. Removed, its reprinted
    quotes stay, with the same ids, now reprint-b's own; its other items and
    the person only it quotes go. Added back, the store is the one before."""
    seeds = seeds_of(tmp_path, "seeds", "verbs", "reprint-a", "reprint-b")
    db = tmp_path / "store.db"
    build_store(seeds, db, progress=False)
    before = contents(db)
    shared = reprinted(db)
    assert shared and all(["reprint-a", "reprint-b"] == slugs for _, slugs in shared)

    removal = remove_article("reprint-a", seeds, db)
    assert removal.in_place
    with sqlite3.connect(db) as connection:
        for item_id, _ in shared:
            owner = connection.execute("select a.slug from items i join articles a on a.id = i.article_id where i.id = ?", [item_id]).fetchone()
            assert ("reprint-b",) == owner
        assert 0 == connection.execute("select count(*) from articles where slug = 'reprint-a'").fetchone()[0]
    assert [] == reprinted(db)
    assert files_recorded(db) == files_now(seeds)

    shutil.copy(ARTICLES / "reprint-a.txt", tmp_path / "reprint-a.txt")
    assert add_articles([tmp_path / "reprint-a.txt"], seeds, db).in_place
    after = contents(db)
    assert {key for key in before if before[key] != after[key]} == set()
    # Articles indexed again took new search rows: each item still has its own, and the index no other.
    with sqlite3.connect(db) as connection:
        numbered = [row[0] for row in connection.execute("select search_id from items")]
        indexed = [row[0] for row in connection.execute("select id from item_search_fts_docsize")]
    assert len(numbered) == len(set(numbered)) and set(numbered) == set(indexed)
    assert files_recorded(db) == files_now(seeds)


def person_rows(db: Path, name: str) -> dict[str, int]:
    """How many rows of each table speak of the person of this name."""
    person_id = stable_id("person", name)
    with sqlite3.connect(db) as connection:
        return {
            table: connection.execute(f"select count(*) from {table} where {column} = ?", [person_id]).fetchone()[0]
            for table, column in (("people", "id"), ("person_facts", "person_id"), ("item_people", "person_id"))
        } | {
            table: connection.execute(f"select count(*) from {table} where kind = 'person' and entity_id = ?", [person_id]).fetchone()[0]
            for table in ("names", "typo_keys")
        }


def test_a_person_goes_with_their_last_article_and_one_quoted_elsewhere_keeps_their_id(tmp_path: Path) -> None:
    """温淑琴 is quoted only in reprint-a: removing it takes out her row,
    facts, spellings and typo keys. 邢立国 is quoted in reprint-b too: he
    stays, under the same id."""
    seeds = seeds_of(tmp_path, "seeds", "reprint-a", "reprint-b")
    db = tmp_path / "store.db"
    build_store(seeds, db, progress=False)
    assert all(person_rows(db, "温淑琴")[table] for table in ("people", "names", "typo_keys"))
    assert person_rows(db, "邢立国")["people"] == 1

    assert remove_article("reprint-a.txt", seeds, db).in_place
    assert {"people": 0, "person_facts": 0, "item_people": 0, "names": 0, "typo_keys": 0} == person_rows(db, "温淑琴")
    assert 1 == person_rows(db, "邢立国")["people"] and person_rows(db, "邢立国")["names"]
    engine = Engine(db)
    assert engine.answer("/who 邢立国").match.name == "邢立国"
    assert engine.answer("/who 温淑琴").match is None


def test_a_person_whose_spellings_are_not_the_ones_their_row_gives_is_left_to_a_full_rebuild(tmp_path: Path) -> None:
    """A change finds a person's names and typo_keys rows by the keys their
    row gives. A store missing one of them (here 温淑琴's surname) is not the
    store its ingest wrote: the change rebuilds it instead, and gives what a
    full ingest of the same seeds gives."""
    seeds = seeds_of(tmp_path, "seeds", "reprint-a", "reprint-b")
    db = tmp_path / "store.db"
    build_store(seeds, db, progress=False)
    with sqlite3.connect(db) as connection:
        taken = connection.execute(
            "delete from names where kind = 'person' and entity_id = ? and key = '温'", [stable_id("person", "温淑琴")]
        ).rowcount
    assert taken == 1
    assert not remove_article("reprint-a.txt", seeds, db).in_place
    full = seeds_of(tmp_path, "full", "reprint-b")
    build_store(full, tmp_path / "full.db", progress=False)
    assert {} == differences(tmp_path / "full.db", db)


def test_a_running_engine_answers_from_an_article_added_in_place_on_its_next_query(tmp_path: Path) -> None:
    """The change is written into the live file, not a new one: the engine's
    store notices the file changed (its time) and the next answer knows the
    new person."""
    seeds = seeds_of(tmp_path, "seeds", "verbs")
    db = tmp_path / "store.db"
    build_store(seeds, db, progress=False)
    engine = Engine(db)
    store = Store(db)
    assert engine.answer("/who 邢立国").match is None
    assert not store.refresh()
    inode = db.stat().st_ino

    assert add_articles([ARTICLES / "reprint-a.txt"], seeds, db).in_place
    assert inode == db.stat().st_ino  # changed in place
    assert "邢立国" == engine.answer("/who 邢立国").match.name
    assert store.refresh() and 2 == store.value("select count(*) from articles")


def test_two_people_of_one_name_are_left_to_a_full_rebuild(tmp_path: Path) -> None:
    """samename-a and -b quote two 王勇 of different cities: which one keeps
    the plain name depends on every article, so the change rebuilds the store,
    and gives what a full ingest of the same seeds gives."""
    seeds = seeds_of(tmp_path, "seeds", "samename-b")
    db = tmp_path / "store.db"
    build_store(seeds, db, progress=False)
    change = add_articles([ARTICLES / "samename-a.txt"], seeds, db)
    assert not change.in_place
    full = seeds_of(tmp_path, "full", "samename-a", "samename-b")
    build_store(full, tmp_path / "full.db", progress=False)
    assert {} == differences(tmp_path / "full.db", db)


def test_an_article_that_fails_to_read_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    """A title with no text under it: one error naming the file; the seeds
    and the store (byte for byte) are as they were."""
    seeds = seeds_of(tmp_path, "seeds", "verbs")
    db = tmp_path / "store.db"
    build_store(seeds, db, progress=False)
    settle(seeds)
    assert store_is_current(db, seeds)  # records the stamp: the add's own check has nothing to renew
    stored = db.read_bytes()
    empty = tmp_path / "empty.txt"
    empty.write_text("标题\n", encoding="utf-8")
    with pytest.raises(SeedError, match="empty.txt.*no paragraphs"):
        add_articles([empty], seeds, db)
    assert stored == db.read_bytes()
    assert not (seeds / "empty.txt").exists()


def test_jieba_read_a_word_at_a_time_cuts_tags_and_weighs_as_jieba_loaded_whole() -> None:
    """A change reads jieba's dictionary, tags and IDF table from the words
    file, a word at a time: the fixtures are cut, tagged and weighed exactly
    as with jieba's tables loaded whole, before and after names are taught,
    and only a sliver of the dictionary is read."""
    texts = fixture_paragraphs()
    whole, looked_up = whole_tokenizer(), TaughtTokenizer()
    import jieba.analyse

    tfidf = jieba.analyse.default_tfidf
    whole_tags, whole_keywords = dictionary.Tagger(whole, dictionary.read_tags()), Keywords(tfidf.idf_freq, tfidf.median_idf)
    assert looked_up.own_total == whole.total
    for name in ("邢立国", "温淑琴", "罗卫东"):
        assert (name, looked_up.tokenizer.suggest_freq(name)) == (name, whole.suggest_freq(name))
    for _ in ("before", "taught"):
        whole_words, words = SearchTokens(whole), SearchTokens(looked_up.tokenizer)
        assert [whole_words(text) for text in texts] == [words(text) for text in texts]
        assert [list(whole_tags.cut(text)) for text in texts] == [list(looked_up.tagger.cut(text)) for text in texts]
        for text in texts:
            found = [word for word, _, _ in words(text)]
            assert whole_keywords.top(found) == looked_up.keywords.top(found)
        for name in ("邢立国", "温淑琴", "罗卫东"):
            whole.add_word(name, 1000, "nr")
            looked_up.tokenizer.add_word(name, 1000, "nr")
        # The second pass cuts after reading at once what the cuts will ask (as a change does).
        looked_up.prefetch(texts)
    assert len(looked_up.tokenizer.FREQ) < len(whole.FREQ) / 20
    assert dictionary.words_path().is_file()


def test_a_words_file_that_cannot_be_written_leaves_the_words_in_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No writable temporary folder: the change still cuts as jieba does,
    from the tables kept in memory, and writes nothing."""
    monkeypatch.setattr(dictionary, "_words", None)
    monkeypatch.setattr(dictionary, "words_path", lambda: tmp_path / "missing" / "words.sqlite")
    text = "全国人大代表邢立国说，武汉的“六小龙”今年发力。"
    assert whole_tokenizer().lcut(text) == dictionary.words().tokenizer().lcut(text)
    assert not (tmp_path / "missing").exists()


def test_the_words_file_holds_jiebas_tables_and_its_writer_keeps_none(tmp_path: Path) -> None:
    """The words file, written in a process of its own here, holds jieba's
    tags, IDF table and median as jieba.analyse and jieba.posseg read them;
    the process that wrote it never imported jieba.analyse, whose module
    would keep the IDF table (30 MB) as long as the process."""
    import jieba.analyse

    path = tmp_path / "words.sqlite"
    code = "import sys; from pathlib import Path; from bot.ingest import dictionary; dictionary.words_path = lambda: Path(sys.argv[1]); dictionary.words(); print('jieba.analyse' in sys.modules)"
    written = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, cwd=ROOT, check=True)
    assert written.stdout.strip() == "False"
    tfidf, tags = jieba.analyse.default_tfidf, dictionary.read_tags()
    with sqlite3.connect(path) as connection:
        assert float(dict(connection.execute("select key, value from meta"))["median_idf"]) == tfidf.median_idf
        sample = ["人工智能", "武汉", "代表", "表示", "光电子", "新质生产力"]
        found = {word: (tag, idf) for word, tag, idf in connection.execute(f"select word, tag, idf from words where word in ({', '.join('?' * len(sample))})", sample)}
    assert found == {word: (tags.get(word), tfidf.idf_freq.get(word)) for word in sample if word in tags or word in tfidf.idf_freq}
    assert len(found) >= 5



def test_lookup_files_another_user_owns_are_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """The temporary folder is shared: a words or tables file someone else
    wrote there could change how texts are cut and read. It is refused, and
    the tables are kept in memory, with the same cuts and readings."""
    words, tables = tmp_path / "words.sqlite", tmp_path / "tables.sqlite"
    monkeypatch.setattr(dictionary, "_words", None)
    monkeypatch.setattr(dictionary, "words_path", lambda: words)
    monkeypatch.setattr(phonetics, "tables_path", lambda: tables)
    dictionary.words()
    phonetics._Tables().char_readings(ord("曾"))
    assert words.is_file() and tables.is_file()
    monkeypatch.setattr(dictionary, "_words", None)
    someone_else = os.getuid() + 1
    monkeypatch.setattr(os, "getuid", lambda: someone_else)
    text = "全国人大代表邢立国说，武汉的“六小龙”今年发力。"
    with caplog.at_level(logging.WARNING):
        assert whole_tokenizer().lcut(text) == dictionary.words().tokenizer().lcut(text)
        assert phonetics._Tables().char_readings(ord("曾")) == "céng,zēng"
    assert caplog.text.count("belongs to another user") == 2


# Names and places whose reading needs pypinyin's phrases (长春, 重庆, 朝阳), surnames read as surnames, and others.
READ_TEXTS = ("曾长春", "单朝阳", "解重庆", "朝阳", "重庆", "长春", "马新强", "王行环", "乐清", "区长", "覃长江")


def test_names_read_the_same_with_their_phrases_looked_up_as_with_pypinyin_whole() -> None:
    """pypinyin is imported without its phrase table and its table of
    characters, and each text is given the phrases that occur in it, each
    character its readings, from the tables file: every reading is the one
    pypinyin gives with its whole tables (长春 is chang chun in 曾长春), and
    neither table is loaded."""
    phonetics._tables.teach("长春")  # the tables file written, as after a machine's first ingest
    script = (
        "import json, sys\n"
        "if sys.argv[1] == 'whole':\n"
        "    import pypinyin\n"
        "from bot.ingest import phonetics\n"
        "print(json.dumps([[phonetics.name_readings(text), phonetics.char_syllables(text), phonetics.phrase_reading(text)] for text in sys.argv[2:]]))\n"
        "print('pypinyin.phrases_dict' in sys.modules, len(sys.modules['pypinyin.pinyin_dict'].pinyin_dict) > 1000)\n"
    )
    runs = {
        how: subprocess.run([sys.executable, "-c", script, how, *READ_TEXTS], capture_output=True, text=True, check=True).stdout.splitlines()
        for how in ("whole", "looked up")
    }
    assert runs["looked up"][0] == runs["whole"][0]
    readings = dict(zip(READ_TEXTS, json.loads(runs["looked up"][0])))
    assert readings["曾长春"][0][0] == ["zeng", "chang", "chun"] and readings["曾长春"][1] == "ceng,zeng chang chun"
    assert readings["重庆"][2] == ["chong", "qing"]
    assert runs["whole"][1] == "True True" and runs["looked up"][1] == "False False"


def test_a_tables_file_that_cannot_be_written_leaves_the_tables_in_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No writable temporary folder: pypinyin's phrases and characters are
    looked up in tables kept in memory, and nothing is written."""
    monkeypatch.setattr(phonetics, "tables_path", lambda: tmp_path / "missing" / "tables.sqlite")
    tables = phonetics._Tables()
    tables.teach("曾长春")
    assert tables.char_readings(ord("曾")) == "céng,zēng" and tables.char_readings(ord("，")) is None
    from pypinyin.phrases_dict import phrases_dict  # loaded already, to fill the table in memory

    lengths = {len(phrase) for phrase in phrases_dict}
    assert tables._lengths == range(min(lengths), max(lengths) + 1)
    assert tables._connection.execute("select count(*) from phrases where phrase = '长春'").fetchone() == (1,)
    assert not (tmp_path / "missing").exists()


def _filter_pair_by_pair(texts: list[str]) -> bytes:
    """The pair filter as bigrams.py defines it, one pair at a time: each
    pair of neighbouring characters within a text, (first << 21) | second,
    times each multiplier as a 64-bit fraction scaled to BITS, a bit set."""
    bits = bytearray(bigrams.BITS // 8)
    for text in texts:
        for first, second in zip(text, text[1:]):
            for multiplier in (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F):
                slot = (((ord(first) << 21 | ord(second)) * multiplier % 2**64) * bigrams.BITS) >> 64
                bits[slot >> 3] |= 1 << (slot & 7)
    return bytes(bits)


def test_the_pair_filter_reckoned_in_big_integers_sets_the_bits_of_each_pair_and_no_other() -> None:
    """article_filter reckons every pair of a run of paragraphs at once, in
    lanes of one integer: its bits are those of each pair alone, across
    texts of every length (none, one character, a run's limit and past it,
    so a text is cut in pieces), characters at the ends of Unicode and a
    lone surrogate, and no pair across two paragraphs."""
    import random

    paragraphs = [path.read_text(encoding="utf-8") for path in sorted(ARTICLES.glob("*.txt"))]
    assert bigrams.article_filter(paragraphs) == _filter_pair_by_pair(paragraphs)
    generator = random.Random(12)
    alphabet = "ab中文\x00\ud800\U0010ffff\n。"
    for _ in range(300):
        texts = ["".join(generator.choices(alphabet, k=generator.choice([0, 1, 2, 3, 40, 4095, 4096, 4097, 9000]))) for _ in range(generator.randint(0, 4))]
        assert bigrams.article_filter(texts) == _filter_pair_by_pair(texts)
    for at in (4094, 4095, 4096, 8190, 8191):  # the one pair 中a or a中 where a long text is cut
        assert bigrams.article_filter(["a" * at + "中" + "a" * 5000]) == _filter_pair_by_pair(["a" * at + "中" + "a" * 5000])
    assert bigrams.article_filter(["ab", "cd"]) != _filter_pair_by_pair(["abcd"])  # no pair bc across the two


def test_an_articles_pair_filter_passes_every_word_of_its_text_and_few_others() -> None:
    """The filter a change reads instead of an article's text: any word of
    two or more characters in one of its paragraphs passes (a miss would
    leave that article out of the change); most words it does not hold do
    not; a single character cannot be looked up by pairs."""
    paragraphs = [path.read_text(encoding="utf-8") for path in sorted(ARTICLES.glob("*.txt"))[:3]]
    db = sqlite3.connect(":memory:")
    db.execute("create table article_bigrams (article_id integer primary key, bits blob)")
    db.execute("insert into article_bigrams values (1, ?)", [bigrams.article_filter(paragraphs)])

    def passes(word: str) -> bool:
        condition, parameters = bigrams.holding_any([word])
        return db.execute(f"select count(*) from article_bigrams where {condition}", parameters).fetchone() == (1,)

    inside = [text[start : start + length] for text in paragraphs for length in (2, 3, 4) for start in range(0, len(text) - length, 7)]
    assert inside and all(map(passes, inside))
    others = [path.read_text(encoding="utf-8") for path in sorted(ARTICLES.glob("*.txt"))[3:]]
    absent = {text[start : start + 3] for text in others for start in range(len(text) - 3)}
    absent = {word for word in absent if not any(word in text for text in paragraphs)}
    passed = sum(map(passes, absent))
    assert absent and passed < len(absent) / 2
    assert bigrams.holding_any(["王行环", "王"]) is None
