"""Adding and removing articles in place: one transaction on the live store
that writes only what the change touches.

A full ingest and this path give the same store (a test checks it), because
each part of the store a change touches is derived again the way ingest
derives it, from the articles that decide it:

* the articles added are read, extracted and indexed as ingest does, with
  jieba taught exactly the words a full ingest would have taught it that can
  occur in their text (the store keeps every taught word and its frequency);
* an article already in the store is indexed again when the change alters
  how it is read: it names a person who appears or disappears, or quotes a
  term jieba is newly taught or no longer taught; or it is a reprint source of
  an item whose own article is indexed again or removed;
* a person the change meets is derived again from every article that names
  them (their facts, aliases, city), so facts stay those of the first article
  in seed order, as in a full ingest; a person no article names any more
  disappears;
* counts and answer lists are put in order again only for the people,
  cities and topics whose items changed; an item or person takes a rank
  between its neighbours' (ranks are spaced RANK_GAP apart).

What this path cannot make exactly as a full ingest would, it leaves to one
(NeedsRebuild): two people of one name (homonyms), an article whose text the
store already holds under another name, an article published before the
article that holds one of its reprinted quotes, a person whose spellings or
typo keys are not the ones their row gives, a store of another version.

Readers are safe: the store's journal keeps the change invisible until it
commits, and the engine notices the changed file (its modification time) on
its next query.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from functools import cache
from itertools import count
from pathlib import Path

from ..schema import MEDIUM, PARAGRAPH_SEARCH, SCHEMA_VERSION, SEARCH_COLUMNS, paragraph_id_of, said_id, stable_id, topic_counts
from ..text import has_cjk
from . import bigrams, dictionary
from .build import _check_named, _people, read_articles
from .extract import Extractor
from .files import ARTICLE_SUFFIXES
from .freshness import mark_built, shifted_fingerprint
from .records import BuildReport, ParsedArticle, PersonRecord
from .segmenter import jieba
from .tokens import SearchTokens, suggested_frequency
from .write import (
    ARTICLE_ORDER,
    CITED_ARTICLES,
    CITY_ANSWER_ROWS,
    ITEM_COUNT,
    ITEM_ORDER,
    MENTIONS,
    RANK_GAP,
    TOPIC_LINKS,
    UNRANKED,
    PARAGRAPH_DETAIL,
    Batch,
    extract_items,
    Linker,
    Reprints,
    Totals,
    _insert,
    Keywords,
    article_citations,
    article_digest,
    article_terms,
    create_link_tables,
    index_article,
    item_keywords,
    insert_batch,
    item_order,
    newest_first,
    person_counts,
    person_entry,
    person_order,
    person_row_keys,
    person_spelling,
    reversed_keys,
    topic_order,
    paragraph_search_words,
    search_index_ddl,
    search_row,
    span_words,
)

log = logging.getLogger(__name__)

# Rows read or written per statement when a list of ids is long.
CHUNK = 500


class NeedsRebuild(Exception):
    """A change this path does not make exactly as a full ingest would: the
    caller rebuilds the store instead. The message says why."""


class _OlderReprint(Exception):
    """An added article prints quotes the store holds as items of later
    articles: a full ingest makes them the added article's own, so those
    articles are indexed again after it (the change starts over)."""

    def __init__(self, articles: set[int]):
        super().__init__()
        self.articles = articles


# Up to this length, a text's substrings of every length are fewer than the
# taught words whose lengths would say which to take (_present).
SHORT_TEXT = 64

# Times a change starts over to index again the articles an older reprint
# reaches, before it is left to a full rebuild.
ATTEMPTS = 3


@dataclass
class Applied:
    """What an in-place change did."""

    report: BuildReport
    new_items: list[int] = field(default_factory=list)  # items the store did not hold before, in rank order
    reindexed: list[str] = field(default_factory=list)  # articles read again because the change touched them


class TaughtWords:
    """The words jieba is taught (a name's or a quoted term's frequency, tag
    and source), as the store's table holds them, with a change's teaching
    on top until _meta writes it. The words are read at once, as one JSON
    array, their values only for the words a text holds: reading every row
    took 0.1 s of the second an added article takes at 10,000 articles."""

    def __init__(self, db: sqlite3.Connection | None, stored: frozenset[str] = frozenset()):
        self.db = db
        self.stored = stored
        self.changes: dict[str, tuple[int, str, str] | None] = {}  # taught by the change, or untaught (None)
        self._values: dict[str, tuple[int, str, str]] = {}  # stored values read so far

    @classmethod
    def read(cls, db: sqlite3.Connection) -> TaughtWords:
        return cls(db, frozenset(json.loads(db.execute("select json_group_array(word) from taught").fetchone()[0])))

    def as_stored(self) -> TaughtWords:
        """The words as the store holds them, without the change's teaching."""
        stored = TaughtWords(self.db, self.stored)
        stored._values = self._values
        return stored

    def __contains__(self, word: str) -> bool:
        return self.changes[word] is not None if word in self.changes else word in self.stored

    def get(self, word: str, default: tuple[int, str, str] | None = None) -> tuple[int, str, str] | None:
        value = self.changes[word] if word in self.changes else self.values([word]).get(word)
        return default if value is None else value

    def __getitem__(self, word: str) -> tuple[int, str, str]:
        value = self.get(word)
        if value is None:
            raise KeyError(word)
        return value

    def __setitem__(self, word: str, value: tuple[int, str, str]) -> None:
        self.changes[word] = value

    def pop(self, word: str) -> tuple[int, str, str]:
        value = self[word]
        self.changes[word] = None
        return value

    def values(self, words: Iterable[str]) -> dict[str, tuple[int, str, str]]:
        """The values of those of the words the change leaves taught."""
        words = [word for word in words if word in self]
        unread = sorted(word for word in words if word not in self.changes and word not in self._values)
        for chunk in _chunks(unread):
            self._values.update((word, (freq, tag, source)) for word, freq, tag, source in self.db.execute(
                f"select word, freq, tag, source from taught where word in ({_marks(chunk)})", chunk
            ))
        return {word: self.changes[word] if word in self.changes else self._values[word] for word in words}

    def present(self, texts: list[str]) -> dict[str, tuple[int, str, str]]:
        """The taught words the texts hold, with their values."""
        return self.values(_present(self.stored, texts) | _present([word for word, value in self.changes.items() if value is not None], texts))

    def newly_taught(self) -> set[str]:
        """The words the change teaches that the store did not hold."""
        return {word for word, value in self.changes.items() if value is not None and word not in self.stored}

    def no_longer_taught(self) -> set[str]:
        """The stored words the change no longer teaches."""
        return {word for word, value in self.changes.items() if value is None and word in self.stored}


class TaughtTokenizer:
    """jieba with exactly the taught words a text can contain: a word that
    is not part of the text cannot change how it is cut, so teaching only the
    ones that are (and setting jieba's total as a full ingest left it) cuts the
    text as the full ingest does, without teaching 50,000 names each time.
    jieba's own dictionary, tags and IDF table are read a word at a time
    (dictionary.py): a change reads a few thousand of their entries, not all."""

    def __init__(self) -> None:
        words = dictionary.words()
        self.tokenizer = words.tokenizer()
        self.tagger = dictionary.Tagger(self.tokenizer, words.tags())
        self.keywords = Keywords()
        self.own_total = self.tokenizer.total  # jieba's total before anything is taught
        self._base: dict[str, int | None] = {}  # what the words taught now had before

    def untaught(self) -> jieba.Tokenizer:
        """jieba with its own dictionary only, as discovery reads the text."""
        self.use(TaughtWords(None), self.own_total, [])
        self.tokenizer.user_word_tag_tab.clear()
        return self.tokenizer

    def use(self, taught: TaughtWords, total: int, texts: Iterable[str]) -> jieba.Tokenizer:
        frequencies = self.tokenizer.FREQ
        for word, before in self._base.items():
            # 0 keeps the word a prefix of others, which changes no cut.
            frequencies[word] = before or 0
        self._base = {}
        texts = list(texts)
        for word, (freq, tag, _) in taught.present(texts).items():
            self._base[word] = frequencies.get(word)
            self.tokenizer.add_word(word, freq, tag)
        self.tokenizer.total = total
        self.prefetch(texts)
        return self.tokenizer

    def prefetch(self, texts: Iterable[str]) -> None:
        """What cutting the texts will ask jieba's dictionary, read at once."""
        if isinstance(self.tokenizer.FREQ, dictionary.LookedUp):
            self.tokenizer.FREQ.prefetch(texts)

    def base_freq(self, word: str) -> int:
        """The word's frequency in jieba's own dictionary."""
        return (self._base[word] if word in self._base else self.tokenizer.FREQ.get(word)) or 0


_shared_tokenizer: TaughtTokenizer | None = None
_one_change_at_a_time = threading.Lock()


def _taught_tokenizer() -> TaughtTokenizer:
    """The process's TaughtTokenizer, made on the first change. Loading jieba's
    dictionary and tagger takes a second or more, longer than the change
    itself: the bot, which adds article after article, pays it once. Every
    change sets the taught words it needs (``use``), so what an earlier one
    taught cannot leak into it. Callers hold _one_change_at_a_time."""
    global _shared_tokenizer
    if _shared_tokenizer is None:
        _shared_tokenizer = TaughtTokenizer()
    return _shared_tokenizer


def _present(words: Collection[str], texts: Iterable[str]) -> set[str]:
    """The words that occur in any of the texts. Looked up in ``words`` as
    given: a change asks this of 50,000 taught words many times, mostly for
    one name or term, and copying them, or reading the length of each, cost
    far more than the texts. Short texts are cut at every length instead."""
    texts = list(texts)
    longest = max(map(len, texts), default=0)
    lengths = range(1, longest + 1) if longest <= SHORT_TEXT else set(map(len, words))
    found: set[str] = set()
    for text in texts:
        for length in lengths:
            found.update(text[start : start + length] for start in range(len(text) - length + 1))
    if len(found) > len(words):
        return {word for word in words if word in found}
    return {word for word in found if word in words}


def _chunks(values: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _marks(values: list) -> str:
    return ",".join("?" * len(values))


def _processing_order(article: ParsedArticle) -> tuple[str, str]:
    """The order a full ingest indexes articles in: earliest first."""
    return (article.date or "9999", article.seed.slug)


def _seed_order(article: ParsedArticle) -> str:
    """The order a full ingest reads seeds (and merges people) in."""
    return article.seed.path.name


class StoredReprints(Reprints):
    """Reprints found among the items being written and in the store: a
    quote's id is its words' (said_id), so the store is asked by id."""

    def __init__(self, db: sqlite3.Connection):
        super().__init__()
        self.db = db

    def owner(self, said: bytes) -> tuple[int, int] | None:
        found = super().owner(said)
        if found is None:
            item_id = said_id(said)
            row = self.db.execute("select article_id from items where id = ?", [item_id]).fetchone()
            if row:
                found = (item_id, row[0])
                self.said[said] = row[0]
        return found

    def next_position(self, item_id: int) -> int:
        if item_id not in self.sources:
            self.sources[item_id] = self.db.execute("select coalesce(max(position), 0) from item_reprints where item_id = ?", [item_id]).fetchone()[0]
        return super().next_position(item_id)


def apply_change(db_path: Path, seeds_dir: Path, added: list[ParsedArticle], removed: list[ParsedArticle], files: tuple[int, int]) -> Applied:
    """Add the articles ``added`` (already in the seeds folder) to the store
    and take out ``removed`` (already gone from it), in one transaction.
    ``files``: what the seed files taken out and put in add to the seeds'
    files digest (freshness.seed_terms, the ones taken out read before they
    went). Raises NeedsRebuild, with the store unchanged, when only a full
    ingest makes the change exactly; SeedError when an added article is bad."""
    with _one_change_at_a_time:
        return _apply_change(db_path, seeds_dir, added, removed, files)


def _apply_change(db_path: Path, seeds_dir: Path, added: list[ParsedArticle], removed: list[ParsedArticle], files: tuple[int, int]) -> Applied:
    started = time.perf_counter()
    db = sqlite3.connect(db_path)
    db.execute("pragma busy_timeout = 10000")
    db.create_function("newest_first", 1, newest_first, deterministic=True)
    tokens = _taught_tokenizer()
    again: set[int] = set()
    try:
        for _ in range(ATTEMPTS):
            db.execute("begin immediate")
            try:
                change = _Change(db, seeds_dir, added, removed, tokens, again, files)
                change.apply()
            except _OlderReprint as older:
                db.execute("rollback")
                again |= older.articles
                continue
            db.execute("commit")
            break
        else:
            raise NeedsRebuild("added articles reprint quotes of too many others")
    except BaseException:
        if db.in_transaction:
            db.execute("rollback")
        raise
    finally:
        db.close()
    try:
        mark_built(db_path)
    except OSError as error:
        # The change is in and whole; unrecorded, the store is only page-checked when next opened.
        log.warning("could not record %s as built (%s)", db_path, error.strerror)
    report = change.counts
    report.path = db_path
    report.seconds = time.perf_counter() - started
    return Applied(report, change.new_items, sorted(article.seed.slug for article in change.reindexed))


class _Change:
    """One change to the store, step by step (see the module's docstring)."""

    def __init__(
        self,
        db: sqlite3.Connection,
        seeds_dir: Path,
        added: list[ParsedArticle],
        removed: list[ParsedArticle],
        tokens: TaughtTokenizer,
        again: set[int],
        files: tuple[int, int],
    ):
        self.db = db
        self.files = files
        self.tokens = tokens
        self.again = again
        self.seeds_dir = seeds_dir
        self.added = added
        self.removed = removed
        self.new_items: list[int] = []
        self.reindexed: list[ParsedArticle] = []
        meta = dict(db.execute("select key, value from meta").fetchall())
        if meta.get("schema_version") != SCHEMA_VERSION:
            raise NeedsRebuild("the store was built by another version")
        self.taught = TaughtWords.read(db)
        self.total = int(meta["jieba_total"])
        self.recorded_seeds = meta.get("seeds_fingerprint")
        self.vocab: Counter[str] = Counter()  # the change in each term's count
        self.kinds: Counter[str] = Counter()  # the change in the number of items of each kind
        self.item_counts = {key.removeprefix(ITEM_COUNT): int(value) for key, value in meta.items() if key.startswith(ITEM_COUNT)}
        self.read: dict[int, ParsedArticle] = {}  # articles of the store read again from their seeds
        self.stored_keys: dict[int, tuple[list[str], list[str]]] = {}  # person id -> their names and typo keys (_stored_keys)
        self.city_numbers = dict(db.execute("select id, number from cities").fetchall())  # city id -> cities.number, city_answers' key
        self.city_of_number = {number: city_id for city_id, number in self.city_numbers.items()}  # cities.number -> city id

    def execute(self, sql: str, params: Iterable = ()) -> sqlite3.Cursor:
        return self.db.execute(sql, list(params))

    def ids_where(self, sql: str, ids: Iterable[int]) -> list[tuple]:
        """Run a statement whose ``in ({})`` takes these ids, a chunk at a
        time; the rows it returns."""
        ids = list(ids)
        return [row for chunk in _chunks(ids) for row in self.execute(sql.format(_marks(chunk)), chunk)]

    # The steps ---------------------------------------------------------------

    def apply(self) -> None:
        self._check_added()
        touched = self._people_touched()
        hits = self._articles_naming(touched | self._terms_changing())
        derived = self._derive_people(touched, hits)
        changed_words = self._teaching(touched, derived)
        self._gather_reindexed(hits, changed_words)
        self._remove_articles()
        self._index_articles(derived)
        self._people_rows(derived)
        self._rank_items()
        self._answers()
        self._vocabulary()
        self._meta()
        self.counts = self.report(Path())

    def _check_added(self) -> None:
        """Articles the store holds already, under their name or another, are
        left to a full ingest (which keeps the earliest copy)."""
        for article in self.added:
            if self.execute("select 1 from articles where id = ?", [article.id]).fetchone():
                raise NeedsRebuild(f"{article.seed.path.name} is already in the store")
            other = self.execute("select file from articles where digest = ?", [article_digest(article)]).fetchone()
            if other:
                raise NeedsRebuild(f"{article.seed.path.name} is the same article as {other[0]}")
        if len({article_digest(article) for article in self.added}) < len(self.added):
            raise NeedsRebuild("two of the added articles are the same article")
        self.removed_ids = {article.id for article in self.removed}
        if self.removed and self._seeds_left_out():
            # One may be a copy of the article removed, which ingest would now take in its place.
            raise NeedsRebuild("the seeds hold articles the store left out")

    def _seeds_left_out(self) -> bool:
        """Whether the seeds folder holds article files the store does not
        (copies of another article, or files skipped with a warning)."""
        stored = {name for (name,) in self.execute("select file from articles")}
        added = {article.seed.path.name for article in self.added}
        return any(
            entry.name not in stored and entry.name not in added and Path(entry.name).suffix.lower() in ARTICLE_SUFFIXES and not entry.name.startswith(".")
            for entry in os.scandir(self.seeds_dir)
        )

    def _people_touched(self) -> set[str]:
        """The names of the people the added and removed articles discover or
        list: their records are derived again. Before jieba learns anything:
        discovery reads the text with jieba's own dictionary, as ingest does."""
        tokenizer = self.tokens.untaught()
        self.tokens.prefetch(paragraph.text for article in [*self.added, *self.removed] for paragraph in article.layout.paragraphs)
        found = _people([*self.added, *self.removed], tokenizer, self.tokens.tagger)
        if any(record.homonym for record in found.values()):
            raise NeedsRebuild("two people of one name")
        names = {record.name for record in found.values()}
        for name, person_id in self.ids_where_names(names):
            if person_id != stable_id("person", name):
                raise NeedsRebuild(f"two people named {name}")
        return names

    def ids_where_names(self, names: set[str]) -> list[tuple[str, int]]:
        """The people of these names in the store: (name, id)."""
        ordered = sorted(names)
        return [tuple(row) for chunk in _chunks(ordered) for row in self.execute(f"select name, id from people where name in ({_marks(chunk)})", chunk)]

    def _terms_changing(self) -> set[str]:
        """The quoted terms that the change makes quoted, or no longer quoted,
        anywhere: whether jieba is taught them may change."""
        self.term_change: Counter[str] = Counter()
        for article in self.added:
            self.term_change.update(article_terms(article))
        for article in self.removed:
            self.term_change.subtract(article_terms(article))
        terms = sorted(self.term_change)
        self.old_terms = {term: count for chunk in _chunks(terms) for term, count in self.execute(f"select term, articles from terms where term in ({_marks(chunk)})", chunk)}
        return {term for term in terms if bool(self.old_terms.get(term, 0)) != bool(self.old_terms.get(term, 0) + self.term_change[term])}

    def _articles_naming(self, words: set[str]) -> dict[int, set[str]]:
        """The articles left in the store whose text holds any of these words,
        and which. Only the paragraphs of the articles whose filter of
        character pairs says they may hold one are read (bigrams.py): a pass
        over every paragraph took 0.6 s at 10,000 articles. A word of one
        character has no pair: then every paragraph is read. SQLite returns
        only the paragraphs that hold a word: a word whose pairs share their
        bits with common ones (王行环 at 10,000 articles) passes half the
        filters, and reading those paragraphs into Python took 1.4 s."""
        hits: dict[int, set[str]] = defaultdict(set)
        if not words:
            return hits
        ordered = sorted(words, key=lambda word: (-len(word), word))
        holds_one = " or ".join(["instr(text, ?) > 0"] * len(ordered))
        holding = bigrams.holding_any(ordered)
        if holding is None:
            paragraphs = self.execute(f"select article_id, text from paragraphs where {holds_one}", ordered)
        else:
            condition, parameters = holding
            candidates = [
                article_id for (article_id,) in self.execute(f"select article_id from article_bigrams where {condition}", parameters)
                if article_id not in self.removed_ids
            ]
            paragraphs = [
                row
                for chunk in _chunks(self._paragraph_ids(candidates))
                for row in self.execute(f"select article_id, text from paragraphs where id in ({_marks(chunk)}) and ({holds_one})", [*chunk, *ordered])
            ]
        for article_id, text in paragraphs:
            if article_id not in self.removed_ids:
                hits[article_id].update(word for word in ordered if word in text)
        return hits

    def _read(self, article_ids: Iterable[int]) -> list[ParsedArticle]:
        """Articles of the store read again from their seeds (once each)."""
        wanted = [article_id for article_id in article_ids if article_id not in self.read]
        files = [row[0] for row in self.ids_where("select file from articles where id in ({})", wanted)]
        for article in read_articles(self.seeds_dir / name for name in files):
            self.read[article.id] = article
        return [self.read[article_id] for article_id in article_ids]

    def _derive_people(self, touched: set[str], hits: dict[int, set[str]]) -> dict[str, PersonRecord]:
        """Each touched person as a full ingest finds them: from every article
        that names them, in seed order."""
        naming = [article_id for article_id, words in hits.items() if words & touched]
        articles = sorted([*self._read(naming), *self.added], key=_seed_order)
        found = _people(articles, self.tokens.tokenizer, self.tokens.tagger)
        derived = {record.name: record for record in found.values() if record.name in touched}
        if any(record.homonym for record in found.values() if record.name in touched):
            raise NeedsRebuild("two people of one name")
        return derived

    def _teaching(self, touched: set[str], derived: dict[str, PersonRecord]) -> set[str]:
        """What jieba is taught after the change (names, quoted terms), and
        the words whose teaching changed: articles that hold them are cut or
        read differently now."""
        self.old_taught, self.old_total = self.taught.as_stored(), self.total
        # Read as one JSON array: a row a name took three times as long.
        self.old_names = frozenset(json.loads(self.execute("select json_group_array(name) from people").fetchone()[0]))
        self.derived_names = set(derived)
        self.gone = {name for name in touched if name in self.old_names and name not in derived}
        self.born = set(derived) - self.old_names
        taught = self.taught
        changed: set[str] = set(self.gone | self.born)
        for name in self.gone:
            if taught.get(name, (0, "", ""))[2] == "person":
                self.total -= taught.pop(name)[0]
        for name in sorted(self.born):
            tokenizer = self.tokens.use(taught, self.total, [name])
            taught[name] = (max(suggested_frequency(tokenizer, name), 1000), "nr", "person")
            self.total += taught[name][0]
        for term in sorted(self.term_change):
            before = self.old_terms.get(term, 0)
            after = before + self.term_change[term]
            if before and not after and taught.get(term, (0, "", ""))[2] == "term":
                self.total -= taught.pop(term)[0]
                changed.add(term)
            elif after and not before and term not in taught:
                tokenizer = self.tokens.use(taught, self.total, [term])
                if tokenizer.lcut(term, HMM=False) != [term]:
                    taught[term] = (suggested_frequency(tokenizer, term), "n", "term")
                    self.total += taught[term][0]
                    changed.add(term)
        self.names = (self.old_names - self.gone) | self.born
        return changed

    def _gather_reindexed(self, hits: dict[int, set[str]], changed_words: set[str]) -> None:
        """The articles to index again: those holding a word whose teaching
        changed, and the reprint sources of items whose own article goes."""
        again = {article_id for article_id, words in hits.items() if words & changed_words} | (self.again - self.removed_ids)
        going = self.removed_ids | again
        while True:
            sources = {
                row[0]
                for row in self.ids_where(
                    # item_reprints is read whole (a reprint in 150 items): items has no index by article.
                    "select distinct r.article_id from item_reprints r join items i on i.id = r.item_id where i.article_id in ({})",
                    going,
                )
            } - going
            if not sources:
                break
            again |= sources
            going |= sources
        self.reindexed = self._read(sorted(again))
        self.going = going

    def _remove_articles(self) -> None:
        """Take out the removed articles and those indexed again: their rows,
        and their items' rows in the search index, which keeps no copy of its
        text: each row is taken out with the values it was written with, cut
        again as they were (jieba taught as before the change), and checked
        against the token counts the index holds before it is."""
        going = sorted(self.going)
        paragraph_ids = self._paragraph_ids(going)
        paragraphs = self.ids_where("select id, article_id, text, search_id from paragraphs where id in ({})", paragraph_ids)
        if len(paragraphs) != len(paragraph_ids):
            raise NeedsRebuild("the store's paragraphs are not those of its articles")
        old_keys = [key for person_id in self._ids_of(self.gone | self.touched_existing) for key in self._stored_keys(person_id)[0]]
        tokenizer = self.tokens.use(self.old_taught, self.old_total, [text for _, _, text, _ in paragraphs] + old_keys)
        tokens = SearchTokens(tokenizer)
        cut = {paragraph_id: tokens(text) for paragraph_id, _, text, _ in paragraphs}
        paragraph_search_ids = {paragraph_id: search_id for paragraph_id, _, _, search_id in paragraphs}
        for words in cut.values():
            self.vocab.subtract(word for word, _, _ in words)
        for key in old_keys:
            if has_cjk(key):
                self.vocab.subtract(word for word, _, _ in tokens(key))
        items = self.ids_where(
            "select i.id, i.paragraph_id, i.start, i.end, p.name, p.id, i.search_id, i.kind, i.topics from items i left join people p on p.id = i.speaker_id "
            "where i.paragraph_id in ({})",
            paragraph_ids,
        )
        self.gone_items = {row[0] for row in items}
        self.speakers = {row[5] for row in items if row[5] is not None}
        self.kinds.subtract(row[7] for row in items)
        # items.topics names topics by their number (a string of it, as the column holds it).
        topic_names = {str(number): name for number, name in self.execute("select number, name from topics")}
        rows = []
        held: dict[int, list[list[str]]] = defaultdict(list)  # paragraph id -> the words of each item in it
        for item_id, paragraph_id, start, end, speaker, speaker_id, search_id, _, topics in items:
            if speaker_id is not None and speaker_id != stable_id("person", speaker):
                raise NeedsRebuild(f"two people named {speaker}")
            words = span_words(cut[paragraph_id], start, end)
            held[paragraph_id].append(words)
            named_topics = sorted(topic_names[number] for number in topic_counts(topics))
            rows.append(search_row(search_id, words, speaker, named_topics, item_keywords(self.tokens.keywords, words)))
        # The paragraphs' rows as index_article wrote them: only those some item of which lacks a word.
        paragraph_rows = []
        for paragraph_id, item_words in sorted(held.items()):
            words = paragraph_search_words(cut[paragraph_id], item_words)
            if (words is None) != (paragraph_search_ids[paragraph_id] is None):
                raise NeedsRebuild("the paragraphs' search index does not hold the paragraphs the change would take out")
            if words is not None:
                paragraph_rows.append((paragraph_search_ids[paragraph_id], words))
        for table, columns, detail, taken in (
            ("item_search_fts", SEARCH_COLUMNS, "full", rows),
            (PARAGRAPH_SEARCH, ("text",), PARAGRAPH_DETAIL, paragraph_rows),
        ):
            self._check_search_rows(table, columns, detail, taken)
            self.db.executemany(
                f"insert into {table} ({table}, rowid, {', '.join(columns)}) values ('delete', ?{', ?' * len(columns)})", taken
            )
        gone_items = sorted(self.gone_items)
        # item_topics is keyed by topic (its number): each topic's rows are read once for the items that go.
        self.old_topics = {int(number) for row in items for number in topic_counts(row[8])}
        topic_marks = ",".join(map(str, sorted(self.old_topics)))  # integers
        self.ids_where(f"delete from item_topics where topic_number in ({topic_marks}) and item_id in ({{}})", gone_items)
        # city_answers is keyed by city (its number): its rows of these items are found in one pass, and taken out by key.
        answered = self.ids_where("select city_number, rank, tier from city_answers where item_id in ({})", gone_items)
        self.old_cities = {self.city_of_number[number] for number, _, tier in answered if tier < 2}
        self.db.executemany("delete from city_answers where city_number = ? and rank = ?", sorted((number, rank) for number, rank, _ in answered))
        self.resourced = {row[0] for row in self.ids_where("select distinct item_id from item_reprints where article_id in ({})", going)} - self.gone_items
        for table in ("item_named", "item_reprints"):
            self.ids_where(f"delete from {table} where item_id in ({{}})", gone_items)
        self.ids_where("delete from item_reprints where article_id in ({})", going)
        self.ids_where("delete from items where id in ({})", gone_items)
        self.ids_where("delete from paragraphs where id in ({})", paragraph_ids)
        self.ids_where("delete from article_bigrams where article_id in ({})", going)
        self.ids_where("delete from articles where id in ({})", going)

    def _paragraph_ids(self, article_ids: list[int]) -> list[int]:
        """The ids of these articles' paragraphs, made from each article's
        slug and number of paragraphs as ingest makes them: looked up by key,
        where a search by article reads every paragraph of the store."""
        rows = self.ids_where("select slug, paragraphs from articles where id in ({})", article_ids)
        return [paragraph_id_of(slug, number) for slug, count in rows for number in range(count)]

    @property
    def touched_existing(self) -> set[str]:
        """Touched people the store holds and keeps: their rows are written again."""
        return {name for name in self.derived_names if name in self.old_names}

    def _stored_keys(self, person_id: int) -> tuple[list[str], list[str]]:
        """The keys of the person's names and typo_keys rows, made again from
        their row as it was before the change (none for a person the store
        does not hold): looked up by key, where neither table is indexed by
        person and a pass over either took 50-90 ms at 10,000 articles."""
        if person_id not in self.stored_keys:
            # pypinyin and OpenCC load large tables on import: only when a person's rows go.
            from . import phonetics

            row = self.execute("select name, aliases, surname_length, syllables from people where id = ?", [person_id]).fetchone()
            self.stored_keys[person_id] = person_row_keys(*row, phonetics) if row else ([], [])
        return self.stored_keys[person_id]

    def _ids_of(self, names: Iterable[str]) -> list[int]:
        return [stable_id("person", name) for name in names]

    def _check_search_rows(self, table: str, columns: tuple[str, ...], detail: str, rows: list[tuple]) -> None:
        """The rows about to be taken out of a search index are the ones in
        it: the same number of tokens in each column, as the index recorded
        them. A difference would corrupt the index: a full ingest instead."""
        if not rows:
            return
        self.db.execute(search_index_ddl("temp.search_check", columns, detail))
        try:
            self.db.executemany(
                f"insert into temp.search_check (rowid, {', '.join(columns)}) values (?{', ?' * len(columns)})", rows
            )
            expected = dict(self.db.execute("select id, sz from temp.search_check_docsize").fetchall())
            stored = dict(self.ids_where(f"select id, sz from {table}_docsize where id in ({{}})", list(expected)))
        finally:
            self.db.execute("drop table temp.search_check")
        if stored != expected:
            raise NeedsRebuild("the search index does not hold the rows the change would take out")

    def _index_articles(self, derived: dict[str, PersonRecord]) -> None:
        """The added articles and those indexed again, earliest first, as a
        full ingest indexes them."""
        articles = sorted([*self.added, *self.reindexed], key=_processing_order)
        texts = [paragraph.text for article in articles for paragraph in article.layout.paragraphs]
        new_keys_texts = [alias for record in derived.values() for alias in record.aliases] + list(derived)
        tokenizer = self.tokens.use(self.taught, self.total, texts + new_keys_texts)
        named = _present(self.names, texts)
        people = {name: derived.get(name) or PersonRecord(name) for name in named | set(derived)}
        extractor = Extractor(named)
        for article in self.added:
            _check_named(article, extractor)
        self.linker = Linker(tokenizer, extractor, people, self.tokens.keywords)
        totals = Totals(
            reprints=StoredReprints(self.db),
            item_search_ids=count(self._after_largest("select max(search_id) from items")),
            paragraph_search_ids=count(self._after_largest("select max(search_id) from paragraphs where search_id is not null")),
        )
        batch = Batch()
        for article in articles:
            extract_items(article, extractor)
            index_article(article, self.linker, batch, totals)
        self.vocab.update(totals.vocab)
        self._check_reprint_order(batch, articles)
        create_link_tables(self.db)
        insert_batch(self.db, batch)
        self.written_items = [row["id"] for row in batch.tables["items"]]
        self.kinds.update(row["kind"] for row in batch.tables["items"])
        self.speakers |= {row["speaker_id"] for row in batch.tables["items"] if row["speaker_id"] is not None}
        self.new_topics = {number for _, number, _ in batch.topic_links}
        self.new_cities = {city_id for _, city_id in batch.mentions}
        self.resourced |= {row["item_id"] for row in batch.tables["item_reprints"]}
        self._number_sources()
        for article in articles:
            article.items = []

    def _after_largest(self, largest: str) -> int:
        """The search id after the largest one a query finds (read from its index), 1 in an empty store."""
        return (self.db.execute(largest).fetchone()[0] or 0) + 1

    def _check_reprint_order(self, batch: Batch, articles: list[ParsedArticle]) -> None:
        """A reprint whose item belongs to a later article: a full ingest
        would have made the earlier article the item's own."""
        order = {article.id: _processing_order(article) for article in articles}
        later = [(row["item_id"], row["article_id"]) for row in batch.tables["item_reprints"]]
        owners = set()
        for item_id, article_id in later:
            owner = self.execute("select a.id, a.date, a.slug from items i join articles a on a.id = i.article_id where i.id = ?", [item_id]).fetchone()
            if owner and (owner[1] or "9999", owner[2]) > order[article_id]:
                owners.add(owner[0])
        if owners:
            raise _OlderReprint(owners)

    def _number_sources(self) -> None:
        """Each reprinted item's later sources, earliest first, numbered from 1
        (its own article, items.article_id, is source 0)."""
        for item_id in sorted(self.resourced):
            rows = self.execute(
                "select r.article_id, a.date, a.slug from item_reprints r join articles a on a.id = r.article_id where r.item_id = ?", [item_id]
            ).fetchall()
            ordered = sorted(rows, key=lambda row: (row[1] or "9999", row[2]))
            self.db.executemany(
                "update item_reprints set position = ? where item_id = ? and article_id = ?",
                [(position, item_id, row[0]) for position, row in enumerate(ordered, start=1)],
            )

    def _people_rows(self, derived: dict[str, PersonRecord]) -> None:
        """The touched people written again from their derived records, those
        no article names any more taken out, and every speaker whose items
        changed counted again."""
        gone_ids = self._ids_of(self.gone)
        rewritten = self._ids_of(derived)
        existing = set(gone_ids) | set(rewritten) | self.speakers
        self.old_person_cities = {row[0] for row in self.ids_where("select distinct city_id from people where id in ({})", sorted(existing))} - {None}
        doomed = sorted(set(gone_ids) | set(rewritten))
        self.rewritten_people = doomed  # their city may change, and with it the tier of their items in a city's answer
        for table, keys in (("names", 0), ("typo_keys", 1)):
            rows = [(key, person_id) for person_id in doomed for key in self._stored_keys(person_id)[keys]]
            deleted = self.db.executemany(f"delete from {table} where key = ? and kind = 'person' and entity_id = ?", sorted(set(rows))).rowcount
            if deleted != len(rows):
                raise NeedsRebuild(f"the store's {table} rows of a person are not the ones their row gives")
        # The spellings whose rows changed: reversed_keys follows them.
        touched_keys = {key for person_id in doomed for key in self._stored_keys(person_id)[0]}
        self.ids_where("delete from people where id in ({})", doomed)
        self.ids_where("delete from person_facts where person_id in ({})", doomed)
        counted = sorted((set(rewritten) | self.speakers) - set(gone_ids))
        counts = person_counts(self.db, counted)
        if derived:
            # pypinyin and OpenCC load large tables on import: only when a person is written.
            from . import phonetics

            rows, facts, keys, typos = [], [], [], []
            cited = sorted({article_id for record in derived.values() for _, _, article_id in record.facts.values()} - {None})
            citations = article_citations(self.ids_where(f"{CITED_ARTICLES} where id in ({{}})", cited))
            for name in sorted(derived):
                record = derived[name]
                person_id = record.id
                spelling = person_spelling(record, person_id, self.linker.tokens, phonetics)
                row, person_facts = person_entry(record, person_id, counts.get(person_id, {}), spelling, self.linker, citations)
                rows.append(row)
                facts += person_facts
                keys += spelling.keys
                typos += spelling.typos
                self.vocab.update(spelling.words)
            _insert(self.db, "people", rows)
            _insert(self.db, "person_facts", facts)
            _insert(self.db, "names", keys)
            _insert(self.db, "typo_keys", typos)
            touched_keys |= {key["key"] for key in keys}
        self._reversed_keys(touched_keys)
        others = [person_id for person_id in counted if person_id not in set(rewritten)]
        self.db.executemany(
            "update people set quotes = ?, statements = ?, facts = ?, articles = ?, rank = ? where id = ?",
            [
                (counts[pid]["quote"], counts[pid]["statement"], counts[pid]["fact"], counts[pid]["articles"], UNRANKED, pid)
                if pid in counts
                else (0, 0, 0, 0, UNRANKED, pid)
                for pid in others
            ],
        )
        placing = [
            (person_id, (-(quotes + statements + facts), name))
            for person_id, quotes, statements, facts, name in self.execute(f"select id, quotes, statements, facts, name from people where rank = {UNRANKED}")
        ]
        self._place(
            "people", "rank", "quotes, statements, facts, name", lambda row: (-(row[0] + row[1] + row[2]), row[3]),
            [((person_id,), key) for person_id, key in placing], "update people set rank = ? where id = ?", self._renumber_people,
        )
        self.new_person_cities = {row[0] for row in self.ids_where("select distinct city_id from people where id in ({})", counted)} - {None}

    def _renumber_people(self) -> None:
        rows = self.execute(f"select id, quotes, statements, facts, name from people where rank < {UNRANKED}").fetchall()
        ordered = sorted(rows, key=lambda row: person_order({"quotes": row[1], "statements": row[2], "facts": row[3], "name": row[4]}))
        self.db.executemany("update people set rank = ? where id = ?", [((rank + 1) * RANK_GAP, row[0]) for rank, row in enumerate(ordered)])

    def _rank_items(self) -> None:
        placing = [
            (item_id, item_order(kind, weight, date, article_id, position))
            for item_id, kind, weight, date, article_id, position in self.execute(
                f"select i.id, i.kind, i.weight, a.date, i.article_id, i.position from items i join articles a on a.id = i.article_id where i.rank = {UNRANKED}"
            )
        ]
        self._place(
            "items i join articles a on a.id = i.article_id", "i.rank", "i.kind, i.weight, a.date, i.article_id, i.position",
            lambda row: item_order(*row), [((item_id,), key) for item_id, key in placing], "update items set rank = ? where id = ?",
            self._renumber_items,
        )
        fresh = [item_id for item_id in self.written_items if item_id not in self.gone_items]
        ranks = dict(self.ids_where("select id, rank from items where id in ({})", fresh))
        self.new_items = sorted(fresh, key=ranks.__getitem__)

    def _renumber_items(self) -> None:
        ordered = self.execute(f"select i.id from items i join {ARTICLE_ORDER} a on a.id = i.article_id where i.rank < {UNRANKED} order by {ITEM_ORDER}").fetchall()
        self.db.executemany("update items set rank = ? where id = ?", [((rank + 1) * RANK_GAP, item_id) for rank, (item_id,) in enumerate(ordered)])

    def _place(
        self,
        source: str,
        rank: str,
        key_sql: str,
        key_of: Callable[[tuple], tuple],
        placing: list[tuple[tuple, tuple]],
        update: str,
        renumber: Callable[[], None],
        scope: tuple[str, list] = ("1", []),
    ) -> None:
        """Give each row (its key columns, its order key) not yet ranked a
        rank between those of its neighbours in the order, found by bisecting
        the ranked rows (within scope) by their rank index; rows that fall
        between the same two share the room evenly. With no room left, every
        rank is spaced out again first."""
        if not placing:
            return
        where, params = scope

        # The rows are not updated until every rank is found: the bisections share their first steps.
        @cache
        def first_at(value: int) -> tuple[int, tuple] | None:
            row = self.execute(
                f"select {rank}, {key_sql} from {source} where {where} and {rank} >= ? and {rank} < {UNRANKED} order by {rank} limit 1", [*params, value]
            ).fetchone()
            return (row[0], key_of(tuple(row[1:]))) if row else None

        top = self.execute(f"select max({rank}) from {source} where {where} and {rank} < {UNRANKED}", params).fetchone()[0] or 0
        gaps: dict[tuple[int, int | None], list[tuple[tuple, tuple]]] = defaultdict(list)
        for row, key in placing:
            low, high = 0, top + 1
            while low < high:
                middle = (low + high) // 2
                found = first_at(middle)
                if found is None or found[1] > key:
                    high = middle
                else:
                    low = found[0] + 1
            successor = first_at(low)
            predecessor = self.execute(f"select max({rank}) from {source} where {where} and {rank} < ?", [*params, low]).fetchone()[0]
            gaps[(predecessor or 0, successor[0] if successor else None)].append((key, row))
        assigned: list[tuple] = []
        for (start, end), rows in gaps.items():
            rows.sort()
            if end is None:
                ranks = [start + RANK_GAP * (number + 1) for number in range(len(rows))]
            elif end - start > len(rows):
                step = (end - start) / (len(rows) + 1)
                ranks = [start + int(step * (number + 1)) for number in range(len(rows))]
            else:
                renumber()
                return self._place(source, rank, key_sql, key_of, placing, update, renumber, scope)
            assigned += [(value, *row) for value, (_, row) in zip(ranks, rows)]
        self.db.executemany(update, assigned)

    def _answers(self) -> None:
        """The answer lists and counts of the topics and cities whose items changed."""
        topics = sorted(self.old_topics | self.new_topics)
        cities = sorted(self.old_cities | self.new_cities | self.old_person_cities | self.new_person_cities)
        placing: dict[int, list[tuple[tuple, tuple]]] = defaultdict(list)
        # The written items' topic links wait in TOPIC_LINKS: item_topics is keyed by rank, so each row goes in with its own.
        for item_id, number, kind, hits, item_rank in self.execute(
            f"select l.item_id, l.topic_number, i.kind, l.hits, i.rank from {TOPIC_LINKS} l join items i on i.id = l.item_id"
        ):
            placing[number].append(((item_id, number, hits), topic_order(kind, hits, item_rank)))
        for number, rows in placing.items():
            # A topic's items are ranked apart from every other topic's: its rows fill its own gaps.
            self._place(
                "item_topics it join items i on i.id = it.item_id", "it.rank", "i.kind, it.hits, i.rank", lambda row: topic_order(*row),
                rows, "insert into item_topics (rank, item_id, topic_number, hits) values (?, ?, ?, ?)",
                lambda number=number: self._respace("item_topics", "topic_number", number, ("item_id", "hits")), ("it.topic_number = ?", [number]),
            )
        for chunk in _chunks(topics):
            self.execute(
                f"update topics set items = (select count(*) from item_topics where topic_number = topics.number) where number in ({_marks(chunk)})", chunk
            )
        for chunk in _chunks(cities):
            self._city_answers(chunk)
            self.execute(
                "update cities set people = (select count(*) from people where city_id = cities.id), "
                f"items = (select count(*) from city_answers where city_number = cities.number and tier < 2) where id in ({_marks(chunk)})",
                chunk,
            )

    def _respace(self, table: str, column: str, list_id: int, payload: tuple[str, str]) -> None:
        """A topic's or city's ranked rows (table item_topics or city_answers,
        the list's number in column) spaced RANK_GAP apart again, in the order
        they have (its new rows are not among them yet): written again, as a
        row's rank is its key."""
        fields = ", ".join(payload)
        rows = self.execute(f"select {fields} from {table} where {column} = ? order by rank", [list_id]).fetchall()
        self.execute(f"delete from {table} where {column} = ?", [list_id])
        self.db.executemany(
            f"insert into {table} ({column}, rank, {fields}) values (?, ?, ?, ?)",
            [(list_id, (number + 1) * RANK_GAP, *row) for number, row in enumerate(rows)],
        )

    def _reversed_keys(self, touched: set[str]) -> None:
        """reversed_keys as names now holds these keys: a Latin key is kept
        spelt backwards while some row of MEDIUM strength or more has it."""
        for key in sorted(reversed_keys(touched)):
            if self.execute("select 1 from names where key = ? and strength >= ? limit 1", [key[::-1], MEDIUM]).fetchone():
                self.execute("insert or ignore into reversed_keys (reversed) values (?)", [key])
            else:
                self.execute("delete from reversed_keys where reversed = ?", [key])

    def _city_answers(self, city_ids: list[int]) -> None:
        """These cities' answer lists as ingest ranks them (rank_cities). A
        row can only come, go or change tier with its item (written now, or
        gone with its article) or its speaker's city (a person written again),
        so only those items' rows are derived again: rows no longer wanted
        (or in another tier) are taken out, the new ones placed between their
        neighbours, and every other row keeps its rank, as the order of the
        items it ranks by has not changed."""
        speakers = self.ids_where("select id from items where speaker_id in ({})", self.rewritten_people)
        items = sorted(set(self.written_items) | {item_id for (item_id,) in speakers})
        cities = ",".join(map(str, city_ids))  # ids read from the store: integers
        numbers = self.city_numbers
        listed = ",".join(str(numbers[city_id]) for city_id in city_ids)
        # What the other items mention: their rows' first two tiers (the written items' are the batch's).
        self.ids_where(
            f"insert or ignore into {MENTIONS} (item_id, city_id) select ca.item_id, c.id from city_answers ca join cities c on c.number = ca.city_number "
            f"where ca.city_number in ({listed}) and ca.tier < 2 and ca.item_id in ({{}})",
            items,
        )
        wanted = {
            (city_id, item_id): (fact, tier, item_rank)
            for city_id, item_id, tier, fact, item_rank in self.ids_where(f"select * from ({CITY_ANSWER_ROWS}) where city_id in ({cities}) and item_id in ({{}})", items)
        }
        held = {
            (self.city_of_number[number], item_id): (tier, rank)
            for number, item_id, tier, rank in self.ids_where(
                f"select city_number, item_id, tier, rank from city_answers where city_number in ({listed}) and item_id in ({{}})", items
            )
        }
        stale = {key for key, (tier, _) in held.items() if key not in wanted or wanted[key][1] != tier}
        self.db.executemany("delete from city_answers where city_number = ? and rank = ?", sorted((numbers[key[0]], held[key][1]) for key in stale))
        fresh = sorted(key for key in wanted if key not in held or key in stale)
        # city_answers is keyed by rank: each new row goes in with its own.
        placing: dict[int, list[tuple[tuple, tuple]]] = defaultdict(list)
        for city_id, item_id in fresh:
            placing[numbers[city_id]].append(((numbers[city_id], item_id, wanted[city_id, item_id][1]), wanted[city_id, item_id]))
        for number, rows in placing.items():
            self._place(
                "city_answers ca join items i on i.id = ca.item_id", "ca.rank", "i.kind = 'fact', ca.tier, i.rank", tuple,
                rows, "insert into city_answers (rank, city_number, item_id, tier) values (?, ?, ?, ?)",
                lambda number=number: self._respace("city_answers", "city_number", number, ("item_id", "tier")), ("ca.city_number = ?", [number]),
            )

    def _vocabulary(self) -> None:
        """Each term's count moved by the change, and its frequency as a full
        ingest gives it: jieba's (taught or its own), else the count."""
        terms = sorted({term for term, change in self.vocab.items() if change} | self.taught.newly_taught() | self.taught.no_longer_taught())
        old = {term: count for chunk in _chunks(terms) for term, count in self.execute(f"select term, count from vocab where term in ({_marks(chunk)})", chunk)}
        gone, kept = [], []
        for term in terms:
            count = old.get(term, 0) + self.vocab[term]
            if count <= 0:
                gone.append(term)
            else:
                freq = self.taught[term][0] if term in self.taught else self.tokens.base_freq(term) or count
                kept.append((term, freq, count))
        self.ids_where("delete from vocab where term in ({})", gone)
        self.db.executemany("insert or replace into vocab (term, freq, count) values (?, ?, ?)", kept)

    def _meta(self) -> None:
        """jieba's words and total, the quoted terms, the seeds the store now matches."""
        self.ids_where("delete from taught where word in ({})", sorted(self.taught.no_longer_taught()))
        self.db.executemany(
            "insert into taught (word, freq, tag, source) values (?, ?, ?, ?)",
            [(word, *self.taught[word]) for word in sorted(self.taught.newly_taught())],
        )
        for term, change in self.term_change.items():
            count = self.old_terms.get(term, 0) + change
            if count > 0:
                self.execute("insert or replace into terms (term, articles) values (?, ?)", [term, count])
            else:
                self.execute("delete from terms where term = ?", [term])
        self.db.executemany(
            "update meta set value = ? where key = ?",
            [(shifted_fingerprint(self.recorded_seeds, self.seeds_dir, *self.files), "seeds_fingerprint"), (str(self.total), "jieba_total")],
        )
        if self.item_counts:
            self.item_counts = {kind: self.item_counts.get(kind, 0) + self.kinds[kind] for kind in set(self.item_counts) | set(self.kinds)}
        else:
            # A store whose ingest did not count its items: counted once, then kept up to date.
            self.item_counts = dict(self.execute("select kind, count(*) from items group by kind").fetchall())
        self.ids_where("delete from meta where key in ({})", [ITEM_COUNT + kind for kind, number in self.item_counts.items() if number <= 0])
        self.db.executemany(
            "insert or replace into meta (key, value) values (?, ?)",
            [(ITEM_COUNT + kind, str(number)) for kind, number in sorted(self.item_counts.items()) if number > 0],
        )

    def report(self, db_path: Path) -> BuildReport:
        """The store's counts after the change, as ingest reports them."""
        counts = {table: self.execute(f"select count(*) from {table}").fetchone()[0] for table in ("articles", "people")}
        # Each article's row counts its paragraphs: a sum over 10,000 rows, not a count of 230,000.
        counts["paragraphs"] = self.execute("select coalesce(sum(paragraphs), 0) from articles").fetchone()[0]
        # The items of each kind as _meta keeps them: counting 300,000 rows took a quarter of a second.
        items = Counter({kind: number for kind, number in self.item_counts.items() if number > 0})
        return BuildReport(path=db_path, articles=counts["articles"], paragraphs=counts["paragraphs"], people=counts["people"], items=items, seconds=0.0)
