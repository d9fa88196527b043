"""Writing the store: the articles read and the people found, linked and
indexed, in named steps.

1. ``index_article``: each article's items extracted, its paragraphs and
   items, with the people, cities, topics and keywords each item names, and
   its search text; written a batch of articles at a time and then dropped,
   so memory stays flat however many articles there are. What depends on
   the article alone (``link_article``) is apart from what depends on the
   articles before it (``place_article``: reprints, ids), so a full ingest
   can link articles in worker processes and place them in order.
2. ``rank_items``, ``rank_cities``: every answer list put in order once, in
   SQL (a person's items, a topic's; a city's, after the people's rows);
   ranks are spaced apart, so adding an article in place (incremental.py)
   puts its rows between them.
3. ``person_rows``, ``gazetteer_rows``: people with their facts and counts;
   cities and topics with theirs; every spelling that names each of them
   (a person's, ``person_spelling``, made the same way by a change). An
   ingest with workers has a helper process spell the people while the
   items are ranked (``spelt_apart``).
4. ``name_vocabulary``: the words of those spellings, so queries segment as
   the index does (a person's come with their spelling).
5. ``finish``: the vocabulary and the characters' readings written (unless
   a helper wrote the readings), every index made, the file analysed.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain, count, repeat
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..schema import (
    FACT_SOURCES_VIEW,
    ITEM_CITIES_VIEW,
    ITEM_PEOPLE_VIEW,
    ITEM_SOURCES_VIEW,
    ITEM_TEXTS_VIEW,
    MEDIUM,
    PARAGRAPH_SEARCH,
    SCHEMA,
    SCHEMA_VERSION,
    SEARCH_COLUMNS,
    STRONG,
    WEAK,
    paragraph_id_of,
    said_id,
    stable_id,
    typo_keys,
    words_key,
)
from ..text import has_cjk, latin_key
from . import dictionary, gazetteer
from .bigrams import article_filter
from .extract import Extractor, Item, quoted_terms, surname_length_of
from .freshness import seeds_fingerprint
from .records import BuildReport, ParsedArticle, PersonRecord, cite
from .segmenter import jieba
from .tokens import SearchTokens
from .workers import Workers

if TYPE_CHECKING:
    import sqlite3

    # Imported where a store is written whole: an added article's change does not need it (0.1 s).
    import sqlite_utils

# Kinds weigh differently when ranking: a direct quote is the best answer to "what did X say".
KIND_WEIGHT = {"quote": 3.0, "statement": 2.0, "fact": 1.5}
# An item's weight is stored in ten-thousandths of KIND_WEIGHT's units.
WEIGHT_SCALE = 10_000
KEYWORDS_PER_ITEM = 8
# Words that look like keywords to TF-IDF but say nothing about the subject.
KEYWORD_STOPWORDS = frozenset(
    "我们 他们 一个 这个 那个 已经 可以 进一步 以及 通过 没有 不是 就是 还是 更是 其中 表示 认为 建议 指出 介绍 强调 "
    "举例 总结 提到 解释 目前 未来 此外 同时 今年 去年 方面 领域 发展 推动 加快 进行 实现 相关 一些 更多 不断 持续".split()
)
SQL_TYPES = {int: "INTEGER", str: "TEXT", float: "FLOAT", bytes: "BLOB"}
BATCH_ARTICLES = 200  # articles written per transaction; their rows are then dropped
# Ranks are spaced this far apart, so an added item or person takes a rank
# between its neighbours' without renumbering the rest (see incremental.py).
RANK_GAP = 1024
# The rank an item or a person is written with, replaced once all are known:
# the largest integer SQLite stores in four bytes, so writing the real rank
# never makes a row longer and splits no page (the file stays as compact as
# if the rank had been known).
UNRANKED = 0x7FFFFFFF
# Indexes the engine's queries and a change read by. Each entry of an index on
# a link table or on items carries an 8-byte item id, so a query that another
# index serves gets none: an article's own items are found by their
# paragraphs, and the items it reprints by item_reprints, not by
# items.article_id; a city's items by city_answers, which holds its mentions;
# and nothing asks which items name a person (item_named is read by item).
INDEXES = (
    ("items", ["speaker_id", "rank"]),
    ("items", ["rank"]),
    ("items", ["words_key"]),
    ("items", ["paragraph_id"]),  # the items of the paragraphs a search finds
    ("items", ["search_id"]),  # the items a search finds
    ("people", ["rank"]),
    ("item_reprints", ["article_id"]),
    ("people", ["city_id"]),
)
# The tables index_article fills, in the order a batch is written.
ARTICLE_TABLES = ("articles", "article_bigrams", "paragraphs", "items", "item_reprints", "item_named")
# The word of a token (word, start, end): mapped in C over a paragraph's tokens, not by a generator's step of Python each.
_word = itemgetter(0)
# The cities each item mentions, (item id, city id), while the answer lists are
# ranked: a table of the writing connection, not of the store, which holds them
# once, as the first two tiers of city_answers (a table of them cost 4.7 MB at 10,000 articles).
MENTIONS = "temp.mentions"
# The topics each item is on, (item id, topic number, hits), until they are
# ranked into item_topics, which is keyed by its rank: a table of the writing
# connection too (a change's holds the links of the items it writes).
TOPIC_LINKS = "temp.topic_links"


@dataclass
class Batch:
    """The rows of a few articles, written together and then dropped."""

    tables: dict[str, list[dict]] = field(default_factory=lambda: {name: [] for name in ARTICLE_TABLES})
    mentions: list[tuple[int, int]] = field(default_factory=list)  # (item id, city id): MENTIONS
    topic_links: list[tuple[int, int, int]] = field(default_factory=list)  # (item id, topic number, hits): TOPIC_LINKS
    search: list[tuple] = field(default_factory=list)  # (item id, *SEARCH_COLUMNS)
    paragraph_search: list[tuple] = field(default_factory=list)  # (paragraph id, its words)
    articles: int = 0


class Reprints:
    """The quotes and statements written so far, by what they say (a
    12-byte digest each), so a reprint in a later article finds its item."""

    def __init__(self) -> None:
        # digest -> the article of its item, whose id is said_id(digest): one
        # entry per quote and statement, so no more than that is kept.
        self.said: dict[bytes, int] = {}
        self.sources: Counter[int] = Counter()  # an item's sources after its first

    def owner(self, said: bytes) -> tuple[int, int] | None:
        """The item these words already are, and the article it is from."""
        article_id = self.said.get(said)
        return None if article_id is None else (said_id(said), article_id)

    def remember(self, said: bytes, article_id: int) -> None:
        self.said.setdefault(said, article_id)

    def next_position(self, item_id: int) -> int:
        self.sources[item_id] += 1
        return self.sources[item_id]


@dataclass
class Totals:
    """What outlives a batch: counts, bounded by the people and the
    vocabulary, not by the number of articles; and a digest of each quote
    and statement, so a reprint in a later batch finds its item."""

    articles: int = 0
    paragraphs: int = 0
    items: Counter[str] = field(default_factory=Counter)
    vocab: Counter[str] = field(default_factory=Counter)
    per_person: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    reprints: Reprints = field(default_factory=Reprints)
    # The next rows of the two search indexes, numbered in the order articles
    # are indexed (SEARCH_IDS in schema.py); a change starts after the store's largest.
    item_search_ids: Iterator[int] = field(default_factory=lambda: count(1))
    paragraph_search_ids: Iterator[int] = field(default_factory=lambda: count(1))


class Linker:
    """What linking an item needs: the gazetteer and lexicon with their ids,
    the keyword table, the tokenizer that knows every name."""

    def __init__(self, tokenizer: jieba.Tokenizer, extractor: Extractor, people: dict[str, PersonRecord], keywords: Keywords | None = None):
        self.tokenizer = tokenizer
        self.tokens = SearchTokens(tokenizer)
        self.extractor = extractor
        self.people = people
        self.cities = gazetteer.cities()
        self.topics = gazetteer.topics()
        self.spellings = gazetteer.city_by_name()
        self.city_ids = {city.name: stable_id("city", city.name) for city in self.cities}
        self.city_numbers = {city.name: number for number, city in enumerate(self.cities, start=1)}
        self.topic_ids = {topic.name: stable_id("topic", topic.name) for topic in self.topics}
        self.topic_numbers = {topic.name: number for number, topic in enumerate(self.topics, start=1)}
        self.keywords = keywords if keywords is not None else Keywords()
        self.topic_matcher = gazetteer.TopicMatcher(self.topics)
        self._person_ids: dict[str, int] = {}

    def person_id(self, key: str) -> int:
        """The id of the person of this key (a hash, made once per person, not once per row)."""
        found = self._person_ids.get(key)
        if found is None:
            found = self._person_ids[key] = self.people[key].id
        return found


def write_store(
    path: Path,
    articles: Iterable[LinkedArticle],
    linker: Linker,
    seeds_dir: Path,
    taught: dict[str, tuple[int, str, str]],
    terms: Counter[str],
    vocabulary: Counter[str],
    spelling_file: Path | None = None,
) -> BuildReport:
    """Write the store of these articles, linked (earliest first: a quote
    reprinted by several outlets is the item of the first to publish it, and
    lists the others after it), and of the linker's people to ``path``, a
    new file. Each article's rows are written a batch of articles at a time
    and dropped, and so is the article. terms: the short terms the articles
    quote, with how many quote each; vocabulary: every word of the
    articles' paragraphs with its count, once they are all read
    (link_article counts them where they are cut); spelling_file: a new
    file beside the store where a helper process writes the people's
    spellings (see spelt_apart), or None to spell them here."""
    import sqlite_utils

    people, tokenizer = linker.people, linker.tokenizer
    db = sqlite_utils.Database(path, recreate=True)
    db.conn.execute("pragma journal_mode = off")  # a throwaway file until it is renamed into place
    db.conn.execute("pragma synchronous = off")
    _create_tables(db)
    create_link_tables(db.conn, keyed=False)
    totals = Totals(vocab=vocabulary)
    batch = Batch()
    for linked in articles:
        place_article(linked, linker, batch, totals)
        if batch.articles >= BATCH_ARTICLES:
            write_batch(db, batch)
            batch = Batch()
    write_batch(db, batch)
    everyone = people_in_order(people)
    # The articles' runs of text will not come again: their cached tokens
    # go before pypinyin's tables and the ranking need room.
    linker.tokens = SearchTokens(tokenizer)
    # pypinyin and OpenCC load large tables on import: only once the seeds read cleanly.
    from . import phonetics

    # Read before any name is: pypinyin cuts a text by the phrases it has
    # been given, and a helper's names are not given to this process's.
    places = gazetteer_spellings(linker, phonetics)
    with spelt_apart(db, everyone, spelling_file) as first_readings:
        # What does not need the people's rows first, while a helper spells them.
        rank_items(db)
        person_rows(db, everyone, first_readings, linker, phonetics, totals)
    spelt_by_helper = first_readings is not None
    key_link_tables(db.conn)
    rank_cities(db.conn, {linker.city_ids[name]: number for name, number in linker.city_numbers.items()})
    gazetteer_rows(db, linker, places)
    name_vocabulary(db, linker.tokens, totals)
    finish(db, totals, tokenizer, seeds_dir, phonetics, taught, terms, spelt_by_helper)
    return BuildReport(
        path=path,
        articles=totals.articles,
        paragraphs=totals.paragraphs,
        people=len(people),
        items=totals.items,
        seconds=0.0,
        per_person={name: counts for name, counts in sorted(totals.per_person.items())},
    )


def write_batch(db: sqlite_utils.Database, batch: Batch) -> None:
    """A batch's rows, in a transaction of their own."""
    with db.conn:
        insert_batch(db.conn, batch)


def insert_batch(connection: sqlite3.Connection, batch: Batch) -> None:
    """A batch's rows, in the transaction the caller holds. In key order:
    ids are hashes, so rows in article order land all over each table's
    pages; and a search index starts a new segment whenever a rowid is lower
    than the last one's."""
    for name in ARTICLE_TABLES:
        _insert(connection, name, sorted(batch.tables[name], key=key_of(name)))
    connection.executemany(f"insert into {MENTIONS} (item_id, city_id) values (?, ?)", sorted(batch.mentions))
    connection.executemany(f"insert into {TOPIC_LINKS} (item_id, topic_number, hits) values (?, ?, ?)", sorted(batch.topic_links))
    connection.executemany(
        f"insert into item_search_fts (rowid, {', '.join(SEARCH_COLUMNS)}) values (?{', ?' * len(SEARCH_COLUMNS)})",
        sorted(batch.search, key=itemgetter(0)),
    )
    connection.executemany(f"insert into {PARAGRAPH_SEARCH} (rowid, text) values (?, ?)", sorted(batch.paragraph_search, key=itemgetter(0)))


def create_link_tables(connection: sqlite3.Connection, keyed: bool = True) -> None:
    """The writing connection's tables of MENTIONS and TOPIC_LINKS, each
    keyed by item, or, not keyed, rows in the order written: a full ingest
    writes each item's once, and keyed by hashed ids its rows landed all
    over the tables' pages (1.6 s of the main process at 10,000 articles,
    not 0.3). rank_cities needs MENTIONS keyed (key_link_tables)."""
    for table, columns, key in (
        (MENTIONS, "item_id integer, city_id integer", "item_id, city_id"),
        (TOPIC_LINKS, "item_id integer, topic_number integer, hits integer", "item_id, topic_number"),
    ):
        keyed_by = f", primary key ({key})) without rowid" if keyed else ")"
        connection.execute(f"create table if not exists {table} ({columns}{keyed_by}")


def key_link_tables(connection: sqlite3.Connection) -> None:
    """MENTIONS written not keyed (create_link_tables), indexed by item and
    city once written: what rank_cities asks of it for each item."""
    schema, table = MENTIONS.split(".")
    connection.execute(f"create unique index if not exists {schema}.{table}_key on {table} (item_id, city_id)")


def _insert(connection: sqlite3.Connection, table: str, rows: Iterable[dict]) -> None:
    """Rows of the same columns and plain values, by plain executemany:
    sqlite-utils' insert_all spent more time checking each value than SQLite writing it."""
    rows = iter(rows)
    first = next(rows, None)
    if first is not None:
        columns = list(first)
        values = itemgetter(*columns) if len(columns) > 1 else lambda row: (row[columns[0]],)
        connection.executemany(
            f"insert into [{table}] ({', '.join(f'[{column}]' for column in columns)}) values ({', '.join('?' * len(columns))})",
            map(values, chain([first], rows)),
        )


def article_digest(article: ParsedArticle) -> str:
    """What tells the same article under two file names: its rebuilt text."""
    text = "\n".join(paragraph.text for paragraph in article.layout.paragraphs)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def article_terms(article: ParsedArticle) -> set[str]:
    """The short terms an article quotes (“六小龙”): jieba is taught them."""
    return {term for paragraph in article.layout.paragraphs for term in quoted_terms(paragraph.text)}


def extract_items(article: ParsedArticle, extractor: Extractor) -> None:
    """The article's items, a homonym's name read as that homonym
    (王勇 -> 王勇（上海）) where the article means them. Who speaks in each
    paragraph is the extractor's business: the store keeps no passage speaker."""
    article.items, _ = extractor.extract(article.layout)
    if article.homonyms:
        for item in article.items:
            item.speaker = item.speaker and article.person_key(item.speaker)
            item.joint = tuple(map(article.person_key, item.joint))


def progress_bar(iterable: Iterable, enabled: bool | None, description: str, total: int | None = None) -> Iterable:
    """A progress bar on a terminal, when there is enough to wait for: total
    things, or as many as iterable holds."""
    total = len(iterable) if total is None else total  # type: ignore[arg-type]
    if enabled is None:
        enabled = sys.stderr.isatty() and total >= 20
    if not enabled:
        return iterable
    from tqdm import tqdm

    return tqdm(iterable, desc=description, unit="article", file=sys.stderr, total=total)


@dataclass(slots=True)
class LinkedItem:
    """An item with what its article alone decides of its rows: the people,
    cities, topics and keywords it names, and its words. What depends on the
    articles indexed before it (whether it reprints one, its id, its search
    row's number) is place_article's."""

    kind: str
    paragraph: int
    start: int
    speaker: str | None
    joint: tuple[str, ...]
    said: bytes | None  # _said_key's digest
    row: dict  # its row of items, but for its id, speaker_id and search_id
    named: list[str]  # the people it names, the speaker and joint speakers too, sorted
    cities: list[str]  # the cities it mentions, sorted
    topics: list[tuple[int, int]]  # (topic number, hits), by topic name
    search: tuple[str, str, str, str]  # its row of the search index but for the number (search_text)
    covers: bool  # it holds every word of its paragraph (see paragraph_search_words)

    def __reduce__(self) -> tuple[type, tuple]:
        return _fields_pickled(self)


@dataclass(slots=True)
class LinkedArticle:
    """An article's rows as link_article finds them, apart from every other
    article: a full ingest finds them in worker processes (see workers.py)
    and places them, in order, in the main one."""

    id: int
    slug: str
    row: dict  # its row of articles
    bits: bytes  # its row of article_bigrams
    paragraphs: list[dict]  # their rows, search_id None
    paragraph_words: dict[int, str]  # the words, each once, of each paragraph an item of which lacks one
    items: list[LinkedItem]

    def __reduce__(self) -> tuple[type, tuple]:
        return _fields_pickled(self)


def _fields_pickled(linked: LinkedItem | LinkedArticle) -> tuple[type, tuple]:
    """A linked article or item as pickle sends it from a worker: its class
    and its fields in order, made again by __init__. By default a slotted
    dataclass is sent as a list of its fields' values, which dataclasses'
    __setstate__ sets again one by one, asking fields() each time: the
    results of 2,000 articles took a fifth longer to unpickle (0.86 s, not
    0.67), and the main process unpickles every one."""
    return type(linked), tuple(getattr(linked, name) for name in linked.__slots__)


def index_article(article: ParsedArticle, linker: Linker, batch: Batch, totals: Totals) -> None:
    """An article's row, its paragraphs' and its items', each item linked to
    the people, cities, topics and keywords it names."""
    place_article(link_article(article, linker, totals.vocab), linker, batch, totals)


def link_article(article: ParsedArticle, linker: Linker, vocabulary: Counter[str]) -> LinkedArticle:
    """What an article's rows hold that depends on it alone; its words
    counted in vocabulary (a worker's own count, summed once at the end,
    where each article's count sent back with it was a tenth of the second
    pass's pickling and the main process's)."""
    layout = article.layout
    slug = article.seed.slug
    row = {
        "id": article.id,
        "slug": slug,
        "file": article.seed.path.name,
        "title": article.title,
        "subtitle": article.subtitle,
        "source": article.source,
        "date": article.date,
        "layout": layout.kind,
        "paragraphs": len(layout.paragraphs),
        "items": len(article.items),
        "url": article.url,
        "digest": article_digest(article),
    }
    paragraph_tokens: list[list[tuple[str, int, int]]] = []
    paragraphs = []
    for number, paragraph in enumerate(layout.paragraphs):
        tokens = linker.tokens(paragraph.text)
        paragraph_tokens.append(tokens)
        vocabulary.update(map(_word, tokens))
        paragraphs.append({"id": paragraph_id_of(slug, number), "article_id": article.id, "number": number, "text": paragraph.text, "search_id": None})
    paragraph_words = {number: _distinct_words(paragraph_tokens[number]) for number in {item.paragraph for item in article.items}}
    items = []
    for position, item in enumerate(article.items):
        tokens = span_words(paragraph_tokens[item.paragraph], item.start, item.end)
        named = {article.person_key(name) for _, name in linker.extractor.names_in(item.text)}
        if item.speaker:
            named.add(item.speaker)
        named.update(item.joint)
        mentioned = sorted(_cities_in(item.text, tokens, linker.spellings))
        on_topics = linker.topic_matcher.hits(item.text)
        by_id = sorted(on_topics, key=linker.topic_ids.__getitem__)
        keywords = item_keywords(linker.keywords, tokens)
        items.append(
            LinkedItem(
                kind=item.kind,
                paragraph=item.paragraph,
                start=item.start,
                speaker=item.speaker,
                joint=item.joint,
                said=_said_key(item),
                row={
                    "article_id": article.id,
                    "paragraph_id": paragraphs[item.paragraph]["id"],
                    "position": position,
                    "kind": item.kind,
                    "start": item.start,
                    "end": item.end,
                    "has_figures": int(item.has_figures),
                    "attribution": item.attribution,
                    "weight": _item_weight(item, len(on_topics)),
                    "rank": UNRANKED,
                    "latin_keywords": latin_keywords(keywords),
                    "words_key": words_key(item.text),
                    "topics": " ".join(str(linker.topic_numbers[name]) for name in by_id for _ in range(on_topics[name])) or None,
                    "cities": " ".join(str(linker.city_numbers[name]) for name in mentioned) or None,
                },
                named=sorted(named),
                cities=mentioned,
                topics=[(linker.topic_numbers[name], hits) for name, hits in sorted(on_topics.items())],
                search=search_text(tokens, item.speaker, sorted(on_topics), keywords),
                covers=holds_every_word(tokens, paragraph_words[item.paragraph]),
            )
        )
    return LinkedArticle(
        id=article.id,
        slug=slug,
        row=row,
        bits=article_filter(paragraph.text for paragraph in layout.paragraphs),
        paragraphs=paragraphs,
        # Only a paragraph some item of which lacks a word of it can have a row in the paragraphs' index.
        paragraph_words={item.paragraph: " ".join(paragraph_words[item.paragraph]) for item in items if not item.covers},
        items=items,
    )


def place_article(linked: LinkedArticle, linker: Linker, batch: Batch, totals: Totals) -> None:
    """An article's rows added to the batch, after the articles placed
    before it: an item that says what an earlier article's item said is
    that item's next source, not an item of its own."""
    rows = batch.tables
    batch.articles += 1
    totals.articles += 1
    totals.paragraphs += len(linked.paragraphs)
    rows["articles"].append(linked.row)
    rows["article_bigrams"].append({"article_id": linked.id, "bits": linked.bits})
    first_paragraph = len(rows["paragraphs"])
    rows["paragraphs"].extend(linked.paragraphs)
    reprints = totals.reprints
    covered: dict[int, bool] = {}  # paragraph number -> whether every item of this article's in it holds all its words
    for item in linked.items:
        said = item.said
        owner = reprints.owner(said) if said is not None else None
        if owner is not None and owner[1] != linked.id:
            # The same words by the same speaker in another outlet: one item, one more source.
            rows["item_reprints"].append({"item_id": owner[0], "article_id": linked.id, "position": reprints.next_position(owner[0])})
            continue
        if said is not None and owner is None:
            item_id = said_id(said)
            reprints.remember(said, linked.id)
        else:
            # A fact, words too short to be a reprint, or the same words again in one article.
            item_id = stable_id("item", linked.slug, str(item.paragraph), str(item.start), item.kind)
        totals.items[item.kind] += 1
        if item.speaker:
            totals.per_person[item.speaker][item.kind] += 1
        search_id = next(totals.item_search_ids)
        row = {"id": item_id, **item.row, "speaker_id": linker.person_id(item.speaker) if item.speaker else None, "search_id": search_id}
        rows["items"].append(row)
        # The speaker is items.speaker_id: a row of their own only as a joint speaker.
        rows["item_named"].extend(
            {"item_id": item_id, "person_id": linker.person_id(name), "joint": int(name in item.joint)}
            for name in item.named
            if name != item.speaker or name in item.joint
        )
        batch.mentions.extend((item_id, linker.city_ids[name]) for name in item.cities)
        batch.topic_links.extend((item_id, number, hits) for number, hits in item.topics)
        batch.search.append((search_id, *item.search))
        covered[item.paragraph] = covered.get(item.paragraph, True) and item.covers
    for number, covers in sorted(covered.items()):
        if not covers:
            search_id = next(totals.paragraph_search_ids)
            rows["paragraphs"][first_paragraph + number]["search_id"] = search_id
            batch.paragraph_search.append((search_id, linked.paragraph_words[number]))


def item_keywords(keywords: Keywords, tokens: list[str]) -> str:
    """An item's keywords as its row of the search index holds them: best first, space-separated."""
    return " ".join(word for word, _ in keywords.top(tokens))


def latin_keywords(keywords: str) -> str | None:
    """The keywords spelled in Latin letters (deepseek), in their order, or None."""
    return " ".join(word for word in keywords.split() if word[0].isascii() and word[0].isalpha()) or None


def span_words(paragraph_tokens: list[tuple[str, int, int]], start: int, end: int) -> list[str]:
    """The words of a paragraph that lie within an item's span."""
    return [word for word, first, last in paragraph_tokens if first >= start and last <= end]


def search_row(search_id: int, tokens: list[str], speaker: str | None, topics: list[str], keywords: str) -> tuple:
    """An item's row of the search index (its search_id): its words, speaker,
    topics and keywords. Taking a row out of the index needs these same
    values again (it keeps no copy)."""
    return (search_id, *search_text(tokens, speaker, topics, keywords))


def search_text(tokens: list[str], speaker: str | None, topics: list[str], keywords: str) -> tuple[str, str, str, str]:
    """The columns of an item's row of the search index (search_row)."""
    return (" ".join(tokens), speaker or "", " ".join(topics), keywords)


# The paragraphs' index is only asked whether a paragraph holds every word.
PARAGRAPH_DETAIL = "none"


def paragraph_search_words(paragraph_tokens: list[tuple[str, int, int]], item_words: list[list[str]]) -> str | None:
    """A paragraph's text in the paragraphs' index, given the words of each
    of its items: its words, each once (an item is found by whether its
    paragraph holds a word, not how often). None when every item holds
    every word of it: the items' own index already finds all it could (two
    paragraphs in five at 1,000 articles, a single item as the whole text),
    and the paragraph has no row there."""
    words = _distinct_words(paragraph_tokens)
    if all(holds_every_word(own, words) for own in item_words):
        return None
    return " ".join(words)


def _distinct_words(paragraph_tokens: list[tuple[str, int, int]]) -> dict[str, None]:
    """A paragraph's words, each once, in order."""
    return dict.fromkeys(map(_word, paragraph_tokens))


def holds_every_word(item_words: list[str], paragraph_words: dict[str, None]) -> bool:
    """Whether an item holds every word of its paragraph: then the items'
    index finds it by any word the paragraph's would (paragraph_search_words)."""
    return paragraph_words.keys() <= set(item_words)


def table_ddl(name: str) -> str:
    """The CREATE TABLE statement of a table of the schema (see _create_tables)."""
    table = SCHEMA[name]
    columns = [f"[{column}] {SQL_TYPES[kind]}" for column, kind in table.columns.items()]
    if isinstance(table.pk, str):
        columns[list(table.columns).index(table.pk)] += " PRIMARY KEY"
    elif table.pk:
        columns.append(f"PRIMARY KEY ({', '.join(f'[{column}]' for column in table.pk)})")
    columns += [f"FOREIGN KEY([{column}]) REFERENCES [{other}]([{key}])" for column, other, key in table.foreign_keys]
    keyed_by_rowid = isinstance(table.pk, str) and table.columns[table.pk] is int
    without_rowid = " WITHOUT ROWID" if table.pk and not keyed_by_rowid else ""
    return f"CREATE TABLE [{name}] (\n   {(','+chr(10)+'   ').join(columns)}\n){without_rowid}"


def search_index_ddl(name: str, columns: Iterable[str], detail: str = "full") -> str:
    """A full-text index over pre-segmented text that keeps no copy of it.
    Text is segmented by jieba with spaces; unicode61 then splits on the
    spaces. (The trigram tokenizer cannot match two-character words such as 武汉.)
    ``detail='none'`` keeps which rows hold a word, not where: half the size,
    and no phrase of several tokens can be searched."""
    return (
        f"CREATE VIRTUAL TABLE {name} USING fts5({', '.join(columns)}, content='', "
        f"tokenize='unicode61 remove_diacritics 2', detail={detail})"
    )


# People whose facts, spellings and typo keys (where no helper writes
# those) are written at a time: a million rows at 50,000 people, which
# would otherwise all wait in memory.
PEOPLE_PER_CHUNK = 1000


def people_in_order(people: dict[str, PersonRecord]) -> list[PersonRecord]:
    """The people as person_rows writes them: by key."""
    return [record for _, record in sorted(people.items())]


# People a helper spells per task: a few dozen tasks at 50,000 people.
PEOPLE_PER_TASK = 2000
# What a helper writes to its spelling file (spelt_apart): the people's
# spellings and the reversed_keys of theirs, and each character's readings.
HELPER_TABLES = ("names", "typo_keys", "reversed_keys", "chars")


@contextmanager
def spelt_apart(db: sqlite_utils.Database, everyone: list[PersonRecord], spelling_file: Path | None) -> Iterator[Iterator[tuple[list[str], str]] | None]:
    """With a spelling file, a helper process, started now, spells the
    people (their readings by pypinyin, their names and typo_keys rows:
    person_spelling) while this one goes on: what a person's row takes of
    it (their first reading and their syllables), in the order of everyone,
    is yielded for person_rows; the rows go to the file, and are copied
    into the store when the block ends, with the reversed_keys of their
    spellings and each character's readings (the table ``chars``). At
    50,000 people the spellings were half of the build's end, which had one
    process working. Without a file (an ingest with no workers) or anyone
    to spell, None: person_rows spells them, and finish writes the rest."""
    if spelling_file is None or not everyone:
        yield None
        return
    people = [(record.name, record.homonym, record.aliases, record.id) for record in everyone]
    tasks = ((people[start : start + PEOPLE_PER_TASK], start == 0) for start in range(0, len(people), PEOPLE_PER_TASK))
    with Workers(1, _start_spelling, (str(spelling_file),)) as helper:
        yield chain.from_iterable(helper.sent_now(_spell_in_helper, tasks))
    copy_spellings(db, spelling_file)


# The helper's connection to its spelling file, made by _start_spelling.
_spelling_file: sqlite3.Connection | None = None


def _start_spelling(path: str) -> None:
    """A helper's connection to the spelling file, and its pypinyin. It
    writes nothing yet: a full disk is said by the task that meets it, as
    a write of the store is (build.py), not as a helper that cannot start."""
    global _spelling_file
    import sqlite3

    _spelling_file = sqlite3.connect(path)
    _spelling_file.execute("pragma journal_mode = off")  # a throwaway file, copied into the store
    _spelling_file.execute("pragma synchronous = off")
    importlib.import_module(".phonetics", __package__)


def _spell_in_helper(task: tuple[list[tuple[str, str, list[str], int]], bool]) -> list[tuple[list[str], str]]:
    """A helper's task, (people, whether it is the first): these people's
    names, typo_keys and reversed_keys rows written to the spelling file,
    the first task making its tables and writing each character's readings;
    their first readings and syllables returned (all their readings,
    waiting in the main process, took 20 MB more at 50,000 people)."""
    from . import phonetics

    people, first = task
    connection = _spelling_file
    assert connection is not None, "made by _start_spelling"
    readings: list[tuple[list[str], str]] = []
    rows: dict[str, list[dict]] = {"names": [], "typo_keys": []}
    for name, homonym, aliases, person_id in people:
        spelling = person_spelling(PersonRecord(name, aliases=aliases, homonym=homonym), person_id, None, phonetics)
        readings.append((spelling.readings[0], spelling.syllables))
        rows["names"] += spelling.keys
        rows["typo_keys"] += spelling.typos
    with connection:
        if first:
            for table in HELPER_TABLES:
                connection.execute(table_ddl(table))
            _insert(connection, "chars", phonetics.char_rows())
        for table, table_rows in rows.items():
            _insert(connection, table, sorted(table_rows, key=key_of(table)))
        # Two people may share a Latin spelling, in this task or an earlier one.
        add_reversed_keys(connection, (row["key"] for row in rows["names"] if row["strength"] >= MEDIUM))
    return readings


def copy_spellings(db: sqlite_utils.Database, spelling_file: Path) -> None:
    """The rows a helper wrote to the spelling file (spelt_apart), copied
    into the store in one statement per table, once the helper has ended."""
    db.conn.execute("attach database ? as helper", [str(spelling_file)])
    try:
        with db.conn:
            for table in HELPER_TABLES:
                db.conn.execute(f"insert into [{table}] select * from helper.[{table}]")
    finally:
        db.conn.execute("detach database helper")


def key_of(table: str) -> Callable[[dict], Any]:
    """A row's primary key in a table of the schema, to write rows in key
    order: rows in any other order land all over the table's pages."""
    pk = SCHEMA[table].pk
    return itemgetter(*pk) if isinstance(pk, tuple) else itemgetter(pk)


def add_reversed_keys(connection: sqlite3.Connection, keys: Iterable[str]) -> None:
    """The reversed_keys rows of these names keys (reversed_keys), each once
    however many spellings reverse to it."""
    connection.executemany("insert or ignore into reversed_keys (reversed) values (?)", [(key,) for key in sorted(reversed_keys(keys))])


def person_rows(
    db: sqlite_utils.Database,
    everyone: list[PersonRecord],
    first_readings: Iterator[tuple[list[str], str]] | None,
    linker: Linker,
    phonetics,
    totals: Totals,
) -> None:
    """Each person with their facts (each with its source), counts and rank,
    and every spelling that names them, written a chunk of people at a time;
    the words of their spellings counted in the vocabulary. everyone: the
    people in key order (people_in_order); first_readings: each one's first
    reading and syllables where a helper spelt them and wrote their names
    and typo_keys rows (spelt_apart), or None."""
    counts = person_counts(db.conn)
    citations = article_citations(db.conn.execute(CITED_ARTICLES))
    ids = [record.id for record in everyone]  # a hash each time it is asked for
    # /who lists people with the most said first (see person_order); the
    # rank is known from the counts, before any row is made.
    placed = sorted(range(len(everyone)), key=lambda index: _count_order(everyone[index], counts.get(ids[index], {})))
    ranks = {ids[index]: (rank + 1) * RANK_GAP for rank, index in enumerate(placed)}
    del placed
    rows: list[dict] = []
    facts: list[dict] = []
    names: list[dict] = []
    typos: list[dict] = []

    def write_chunk() -> None:
        for table, table_rows in (("people", rows), ("person_facts", facts), ("names", names), ("typo_keys", typos)):
            _insert(db.conn, table, sorted(table_rows, key=key_of(table)))
        for chunk in (rows, facts, names, typos):
            chunk.clear()

    with db.conn:
        given = first_readings if first_readings is not None else repeat(None)
        # strict: a helper sends one reading per person, in their order.
        for record, person_id, read in zip(everyone, ids, given, strict=first_readings is not None):
            if read is None:
                spelling = person_spelling(record, person_id, linker.tokens, phonetics)
            else:
                first, syllables = read
                spelling = person_spelling(record, person_id, linker.tokens, phonetics, ([first], syllables), rows=False)
            row, person_facts = person_entry(record, person_id, counts.get(person_id, {}), spelling, linker, citations)
            row["rank"] = ranks[person_id]
            rows.append(row)
            facts += person_facts
            names += spelling.keys
            typos += spelling.typos
            totals.vocab.update(spelling.words)
            if len(rows) == PEOPLE_PER_CHUNK:
                write_chunk()
        write_chunk()


def _count_order(record: PersonRecord, counts: dict[str, int]) -> tuple:
    """person_order for a person not yet made into a row."""
    return person_order({"quotes": counts.get("quote", 0), "statements": counts.get("statement", 0), "facts": counts.get("fact", 0), "name": record.name})


def person_order(row: dict) -> tuple:
    """Where a person stands in /who: the most said first, then by name."""
    return (-(row["quotes"] + row["statements"] + row["facts"]), row["name"])


def person_counts(connection: sqlite3.Connection, ids: Iterable[int] | None = None) -> dict[int, dict[str, int]]:
    """Each speaker's quotes, statements and facts (the items they are the
    speaker of, each counted once however often reprinted), and articles."""
    where, params = "speaker_id is not null", []
    if ids is not None:
        params = list(ids)
        where = f"speaker_id in ({','.join('?' * len(params))})"
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {"quote": 0, "statement": 0, "fact": 0, "articles": 0})
    # One pass over the items, grouped once: 0.53 s at 10,000 articles, where
    # grouping by speaker and kind, then again by speaker, took 1.07.
    for speaker, quotes, statements, facts, articles in connection.execute(
        "select speaker_id, sum(kind = 'quote'), sum(kind = 'statement'), sum(kind = 'fact'), count(distinct article_id) "
        f"from items where {where} group by speaker_id",
        params,
    ):
        counts[speaker] = {"quote": quotes, "statement": statements, "fact": facts, "articles": articles}
    return counts


@dataclass(slots=True)
class PersonSpelling:
    """How a person's name is read and spelt: made from their name, homonym
    and aliases alone, by a full ingest and a change alike."""

    readings: list[list[str]]  # phonetics.name_readings
    syllables: str  # phonetics.char_syllables
    surname_length: int
    keys: list[dict]  # their names rows
    typos: list[dict]  # their typo_keys rows
    words: list[str]  # the words of their spellings in Han characters: queries segment as the index does


def person_spelling(
    record: PersonRecord,
    person_id: int,
    tokens: SearchTokens | None,
    phonetics,
    phonetics_of_name: tuple[list[list[str]], str] | None = None,
    rows: bool = True,
) -> PersonSpelling:
    """A person's readings, spellings and typo keys, and the words tokens
    cuts their spellings in Han characters into. person_id: record.id;
    tokens: None for no words; phonetics_of_name: phonetics.name_phonetics
    of their name, when read already; rows: False for no names and
    typo_keys rows (a helper wrote them from all the readings, and
    phonetics_of_name holds only the first, as the person's row takes it:
    spelt_apart)."""
    name = record.name
    surname_length = surname_length_of(name)
    readings, syllables = phonetics_of_name or phonetics.name_phonetics(name, surname_length)
    keys = list(_numbered(_person_keys(record, person_id, readings, surname_length))) if rows else []
    # The spellings in Han characters do not depend on the readings, which give the pinyin ones.
    han_keys = keys if rows else _person_keys(record, person_id, [], surname_length)
    return PersonSpelling(
        readings=readings,
        syllables=syllables,
        surname_length=surname_length,
        keys=keys,
        typos=list(_typo_rows("person", person_id, syllables)) if rows else [],
        words=[_word(token) for key in han_keys if has_cjk(key["key"]) for token in tokens(key["key"])] if tokens is not None else [],
    )


def person_entry(
    record: PersonRecord, person_id: int, counts: dict[str, int], spelling: PersonSpelling, linker: Linker, citations: Mapping[int, str]
) -> tuple[dict, list[dict]]:
    """A person's row (unranked) and facts. person_id: record.id;
    citations: the articles' citations by id (article_citations), which a
    fact's source is stored without."""
    city = record.facts.get("city")
    role = record.facts.get("role")
    affiliation = record.facts.get("affiliation")
    row = {
        "id": person_id,
        "name": record.name,
        "pinyin": " ".join(spelling.readings[0]),
        "syllables": spelling.syllables,
        "surname_length": spelling.surname_length,
        "city_id": linker.city_ids[city[0]] if city else None,
        "city": city[0] if city else None,
        "role": role[0] if role else None,
        "affiliation": affiliation[0] if affiliation else None,
        "aliases": json.dumps(record.aliases, ensure_ascii=False),
        "discovered": int(record.discovered),
        "quotes": counts.get("quote", 0),
        "statements": counts.get("statement", 0),
        "facts": counts.get("fact", 0),
        "articles": counts.get("articles", 0),
        "rank": UNRANKED,
    }
    facts = []
    for key, (value, source, article_id) in sorted(record.facts.items()):
        # A source that starts with its article's citation is stored without it (fact_sources puts it back).
        prefix = f"{citations[article_id]}: " if article_id in citations else None
        cited = prefix is not None and source.startswith(prefix)
        kept = source[len(prefix) :] if cited else source
        facts.append({"person_id": person_id, "field": key, "value": value, "source": kept, "article_id": article_id, "cited": int(cited)})
    return row, facts


# The articles' rows as cite takes them, after their id.
CITED_ARTICLES = "select id, title, file, source, date from articles"


def article_citations(rows: Iterable[tuple]) -> dict[int, str]:
    """Articles' citations by id, from their rows (CITED_ARTICLES)."""
    return {row[0]: cite(*row[1:]) for row in rows}


def person_row_keys(name: str, aliases: str, surname_length: int, syllables: str, phonetics) -> tuple[list[str], list[str]]:
    """The keys of the names and typo_keys rows person_entry writes for a
    person, made again from their row in the store (its name, aliases,
    surname length and syllables): neither table is indexed by person."""
    record = PersonRecord(name, aliases=json.loads(aliases))
    person_id = record.id
    readings = phonetics.name_readings(name, surname_length)
    keys = _person_keys(record, person_id, readings, surname_length)
    return [row["key"] for row in keys], [row["key"] for row in _typo_rows("person", person_id, syllables)]


@dataclass(slots=True)
class PlaceSpellings:
    """How the gazetteer's cities and topics read, by name: a city's reading
    as a phrase (重庆 is chongqing) and every reading of each character."""

    city_readings: dict[str, list[str]]
    syllables: dict[str, str]


def gazetteer_spellings(linker: Linker, phonetics) -> PlaceSpellings:
    """How the linker's cities and topics read, for gazetteer_rows: read
    before any person's name, so pypinyin has been given no phrase of theirs."""
    return PlaceSpellings(
        city_readings={city.name: phonetics.phrase_reading(city.name) for city in linker.cities},
        syllables={name: phonetics.char_syllables(name) for name in chain((city.name for city in linker.cities), (topic.name for topic in linker.topics))},
    )


def gazetteer_rows(db: sqlite_utils.Database, linker: Linker, places: PlaceSpellings) -> None:
    """Every city and topic with its counts, and every spelling that names
    it; places: how they read (gazetteer_spellings)."""
    city_people: Counter[str] = Counter(record.facts["city"][0] for record in linker.people.values() if "city" in record.facts)
    city_items = dict(db.execute(f"select city_id, count(*) from {MENTIONS} group by city_id").fetchall())
    topic_items = dict(db.execute("select topic_number, count(*) from item_topics group by topic_number").fetchall())
    cities: list[dict] = []
    topics: list[dict] = []
    names: list[dict] = []
    typos: list[dict] = []
    for city in linker.cities:
        city_id = linker.city_ids[city.name]
        reading = places.city_readings[city.name]
        cities.append(
            {
                "id": city_id,
                "name": city.name,
                "province": city.province,
                "kinds": json.dumps(city.kinds),
                "english": city.display_english,
                "pinyin": " ".join(reading),
                "syllables": places.syllables[city.name],
                "aliases": json.dumps([*city.aliases, *city.abbreviations], ensure_ascii=False),
                "people": city_people[city.name],
                "items": city_items.get(city_id, 0),
                "number": linker.city_numbers[city.name],
            }
        )
        names.extend(_numbered(_city_keys(city, city_id, reading)))
        typos.extend(_typo_rows("city", city_id, cities[-1]["syllables"]))
    for topic in linker.topics:
        topic_id = linker.topic_ids[topic.name]
        topics.append(
            {
                "id": topic_id,
                "name": topic.name,
                "english": topic.english[0] if topic.english else "",
                "syllables": places.syllables[topic.name],
                "synonyms": json.dumps(topic.synonyms, ensure_ascii=False),
                "items": topic_items.get(linker.topic_numbers[topic.name], 0),  # items on the topic, not mentions
                "number": linker.topic_numbers[topic.name],
            }
        )
        names.extend(_numbered(_topic_keys(topic, topic_id)))
        typos.extend(_typo_rows("topic", topic_id, topics[-1]["syllables"]))
    with db.conn:
        db["cities"].insert_all(cities)
        db["topics"].insert_all(topics)
        db["names"].insert_all(names)
        db["typo_keys"].insert_all(typos)


def name_vocabulary(db: sqlite_utils.Database, tokens: SearchTokens, totals: Totals) -> None:
    """Queries name cities and topics: their words must segment as the index
    does (people's, person_rows counts from their spellings)."""
    for (key,) in db.execute("select key from names where kind != 'person'"):
        if has_cjk(key):
            totals.vocab.update(map(_word, tokens(key)))


# The meta key of the number of items of a kind (items.quote): kept by each change, for its report.
ITEM_COUNT = "items."


def finish(
    db: sqlite_utils.Database,
    totals: Totals,
    tokenizer: jieba.Tokenizer,
    seeds_dir: Path,
    phonetics,
    taught: dict[str, tuple[int, str, str]],
    terms: Counter[str],
    spelt_by_helper: bool = False,
) -> None:
    """The store's facts, readings and vocabulary; every index; statistics for
    the planner. spelt_by_helper: the characters' readings and the people's
    reversed_keys are in already (a helper wrote them, spelt_apart)."""
    # Merging the search index's segments first frees pages that the tables and
    # indexes written after it then fill, instead of leaving them empty in the file.
    db.execute("insert into item_search_fts (item_search_fts) values ('optimize')")
    db.execute(f"insert into {PARAGRAPH_SEARCH} ({PARAGRAPH_SEARCH}) values ('optimize')")
    connection = db.conn
    with connection:
        _insert(
            connection,
            "meta",
            [
                {"key": "schema_version", "value": SCHEMA_VERSION},
                {"key": "seeds_fingerprint", "value": seeds_fingerprint(seeds_dir)},
                {"key": "seeds_dir", "value": str(seeds_dir.resolve())},
                {"key": "jieba_total", "value": str(tokenizer.total)},
                *({"key": ITEM_COUNT + kind, "value": str(number)} for kind, number in sorted(totals.items.items()) if number > 0),
            ],
        )
        if not spelt_by_helper:
            _insert(connection, "chars", phonetics.char_rows())
        if isinstance(tokenizer.FREQ, dictionary.LookedUp):
            # The vocabulary's frequencies in a few queries, not one per word (100,000 at 10,000 articles).
            tokenizer.FREQ.fetch(totals.vocab)
        _insert(
            connection,
            "vocab",
            ({"term": term, "freq": tokenizer.FREQ.get(term) or count, "count": count} for term, count in sorted(totals.vocab.items())),
        )
        _insert(connection, "taught", ({"word": word, "freq": freq, "tag": tag, "source": source} for word, (freq, tag, source) in taught.items()))
        _insert(connection, "terms", ({"term": term, "articles": count} for term, count in sorted(terms.items())))
        spellings_query = "select distinct key from names where strength >= ?" + (" and kind != 'person'" if spelt_by_helper else "")
        add_reversed_keys(connection, (key for (key,) in connection.execute(spellings_query, [MEDIUM])))
    for table, columns in INDEXES:
        db[table].create_index(columns)
    # The paragraphs a search of the paragraphs' index finds: only those it holds.
    db.execute("create index idx_paragraphs_search_id on paragraphs (search_id) where search_id is not null")
    db.execute("analyze")
    db.conn.commit()
    # Written in batches and then ranked and indexed, the file holds pages
    # left part full or empty; one copy packs them (about 6% of the file).
    db.execute("vacuum")
    db.close()


class Keywords:
    """TF-IDF keywords per item with jieba's IDF table, computed on tokens
    already cut, so each paragraph is segmented only once."""

    def __init__(self, idf: Mapping[str, float] | None = None, median: float | None = None) -> None:
        """These words' IDF and the median for the rest; by default jieba's,
        read from the words file as words are met (dictionary.py), not
        loaded whole (over a second, 30 MB)."""
        if idf is None or median is None:
            words = dictionary.words()
            idf, median = words.idf(), words.median_idf
        self.idf = idf
        self.median = median
        # Each word met so far: its IDF, or None when it cannot be a keyword.
        # Bounded by the vocabulary, and each word is judged once, not once per item.
        self._weights: dict[str, float | None] = {}

    def _weight(self, word: str) -> float | None:
        if len(word) < 2 or word in KEYWORD_STOPWORDS or word.replace(".", "").isdigit():
            return None
        return self.idf.get(word, self.median)

    def top(self, words: Iterable[str], limit: int = KEYWORDS_PER_ITEM) -> list[tuple[str, float]]:
        weights = self._weights
        counts: dict[str, int] = {}
        for word in words:
            if word in counts:
                counts[word] += 1
                continue
            if word not in weights:
                weights[word] = self._weight(word)
            if weights[word] is not None:
                counts[word] = 1
        total = sum(counts.values()) or 1
        # Sorted whole, as (-score, word) pairs compared in C, not by a key
        # function called for each: the same first ones as heapq.nsmallest.
        scored = [(-round(count / total * weights[w], 4), w) for w, count in counts.items()]
        scored.sort()
        return [(w, -score) for score, w in scored[:limit]]


# Words this short recur without being a reprint (“我们要加油”).
MIN_REPRINTED_LENGTH = 12
_SAID_PUNCTUATION = str.maketrans("，：；！？（）", ",:;!?()")


def _said_key(item: Item) -> bytes | None:
    """What makes two quotes or statements one: the same words (ASCII and
    full-width punctuation alike, spaces aside) by the same speaker. Kept as
    a digest, so remembering every quote costs a few bytes each, not its text."""
    if item.kind == "fact":
        return None
    words = "".join(item.text.translate(_SAID_PUNCTUATION).split())
    if len(words) < MIN_REPRINTED_LENGTH:
        return None
    return hashlib.blake2b("\x00".join((item.kind, item.speaker or "", words)).encode(), digest_size=12).digest()


def _item_weight(item: Item, topic_count: int) -> int:
    """A static score for ranking an item 'best first': quotes before
    statements before facts, then substance (topics, figures, length); in
    ten-thousandths, an integer of two or three bytes where a float takes eight."""
    weight = KIND_WEIGHT[item.kind]
    weight += 0.3 * min(topic_count, 3)
    weight += 0.3 if item.has_figures else 0.0
    weight += 0.5 * min(len(item.text), 120) / 120
    if len(item.text) > 400:
        weight -= 0.3
    if item.attribution == "cue":
        weight += 0.2
    elif item.attribution == "none":
        weight -= 0.5
    return round(weight * WEIGHT_SCALE)


def _create_tables(db: sqlite_utils.Database) -> None:
    """Every table of the schema, empty, before any row is written: a store
    whose articles name no city or no one still has every table the engine
    reads. A table keyed by anything but an integer id (several columns, a
    word, a character) is stored by that key alone (WITHOUT ROWID), so its
    rows are not kept twice, once in the table and once in the key's index.
    The search index keeps no copy of its text."""
    for name in SCHEMA:
        db.execute(table_ddl(name))
    db.execute(search_index_ddl("item_search_fts", SEARCH_COLUMNS))
    db.execute(search_index_ddl(PARAGRAPH_SEARCH, ["text"], PARAGRAPH_DETAIL))
    db.execute(ITEM_TEXTS_VIEW)
    db.execute(ITEM_SOURCES_VIEW)
    db.execute(ITEM_CITIES_VIEW)
    db.execute(ITEM_PEOPLE_VIEW)
    db.execute(FACT_SOURCES_VIEW)


def rank_items(db: sqlite_utils.Database) -> None:
    """Put the answer lists of people and topics in order once, at ingest,
    so a page of a topic with thousands of items reads five rows from an
    index instead of sorting them all on each query (a city's, which needs
    the people's rows, is rank_cities'). Done in SQL over the rows written,
    so no list of every item is kept in memory.

    * ``items.rank``: what was said before facts, then the static weight, the
      newest article, its order in the article. A person's items are shown so.
    * ``item_topics.rank``: for one topic, items naming it most often first.
    """
    db.conn.create_function("newest_first", 1, newest_first, deterministic=True)
    # The ranking is made once into a table keyed by item (an UPDATE ... FROM
    # the window query itself would run it once per row), in SQL, so no list
    # of every item waits in memory.
    db.execute("create temp table item_ranks (id integer primary key, rank integer)")
    # Each article's newest_first made once (10,000 calls at 10,000 articles), not
    # once per item joined to it (300,000): the ranking took 1.04 s, not 1.29.
    db.execute("create temp table article_order (id integer primary key, newest text)")
    db.execute(f"insert into article_order select * from {ARTICLE_ORDER}")
    db.execute(f"insert into item_ranks select i.id, row_number() over (order by {ITEM_ORDER}) * {RANK_GAP} from items i join temp.article_order a on a.id = i.article_id")
    db.execute("drop table article_order")
    db.execute("update items set rank = (select r.rank from item_ranks r where r.id = items.id)")
    db.execute("drop table item_ranks")
    rank_topics(db.conn)


# The order of every item, best first (see rank_items), as SQL and as a key. The
# SQL's ``a`` is ARTICLE_ORDER, or a table of its rows.
ITEM_ORDER = "i.kind = 'fact', -i.weight, a.newest, i.article_id, i.position"
ARTICLE_ORDER = "(select id, newest_first(date) as newest from articles)"


def item_order(kind: str, weight: float, date: str | None, article_id: int, position: int) -> tuple:
    return (kind == "fact", -weight, newest_first(date), article_id, position)


def topic_order(kind: str, hits: int, item_rank: int) -> tuple:
    """Where an item stands in a topic's answer: what was said first, then the
    items naming the topic most often, then the items' own order."""
    return (kind == "fact", -hits, item_rank)


def rank_topics(connection: sqlite3.Connection) -> None:
    """Each topic's items naming it most often first (see topic_order),
    spaced RANK_GAP apart, from the build's TOPIC_LINKS: written once, in
    key order. The window gives its rows topic by topic, each in its ranks'
    order, which is the table's key: sorted again by the key, as they were,
    the 450,000 rows at 10,000 articles took 1.83 s, not 1.26."""
    connection.execute(
        "insert into item_topics (topic_number, rank, item_id, hits) "
        f"select l.topic_number, row_number() over (partition by l.topic_number order by i.kind = 'fact', -l.hits, i.rank) * {RANK_GAP}, l.item_id, l.hits "
        f"from {TOPIC_LINKS} l join items i on i.id = l.item_id"
    )


# The rows of every city's answer (city_id, item_id, tier, fact, item_rank),
# in the order ``order by fact, tier, item_rank`` ranks them. Tier 0: a
# delegate's item about their city; 1: anyone else's about it; 2: a delegate's
# item about other things.
CITY_ANSWER_ROWS = (
    "select ic.city_id, ic.item_id, case when p.city_id = ic.city_id then 0 else 1 end as tier, i.kind = 'fact' as fact, i.rank as item_rank "
    f"from {MENTIONS} ic join items i on i.id = ic.item_id left join people p on p.id = i.speaker_id "
    "union all "
    "select p.city_id, i.id, 2, i.kind = 'fact', i.rank from items i join people p on p.id = i.speaker_id "
    f"where p.city_id is not null and not exists (select 1 from {MENTIONS} ic where ic.item_id = i.id and ic.city_id = p.city_id)"
)


def rank_cities(connection: sqlite3.Connection, city_numbers: dict[int, int]) -> None:
    """Each city's items its answer shows, ranked and spaced RANK_GAP apart,
    as topics' are: written once, in key order, each city by its number
    (city_numbers: city id -> cities.number, which the store has no rows of
    yet). For one city: its delegates' items about the city, then others'
    items about it, then the rest of its delegates' items. Partitioned by
    the city's number, the window gives its rows in the table's key order,
    as rank_topics' does (0.92 s at 10,000 articles, not 1.26, sorted by
    city id and then again by the key)."""
    connection.execute("create temp table city_numbers (id integer primary key, number integer)")
    connection.executemany("insert into temp.city_numbers (id, number) values (?, ?)", sorted(city_numbers.items()))
    connection.execute(
        "insert into city_answers (city_number, rank, item_id, tier) "
        f"select n.number, row_number() over (partition by n.number order by a.fact, a.tier, a.item_rank) * {RANK_GAP}, a.item_id, a.tier "
        f"from ({CITY_ANSWER_ROWS}) a join temp.city_numbers n on n.id = a.city_id"
    )
    connection.execute("drop table temp.city_numbers")


def newest_first(date: str | None) -> str:
    """A sort key that puts later dates first and undated articles last."""
    return "".join(chr(0x10FFFF - ord(char)) for char in date) if date else chr(0x10FFFF)


def _cities_in(text: str, tokens: list[str], spellings: dict[str, gazetteer.City]) -> set[str]:
    """The cities an item mentions: a name, alias or compound as a whole
    word (成渝), an unambiguous abbreviation anywhere (来沪), an English name."""
    found: set[str] = set()
    for token in tokens:
        if token in spellings:
            found.add(spellings[token].name)
        elif token in gazetteer.CITY_COMPOUNDS:
            found.update(gazetteer.CITY_COMPOUNDS[token])
    found |= gazetteer.cities_abbreviated_in(text)
    found |= gazetteer.cities_named_in_english(text)
    return found


def _typo_rows(kind: str, entity_id: int, syllables: str) -> Iterator[dict]:
    """The typo_keys rows of a name of two or more characters."""
    sounds = [part.split(",") for part in syllables.split(" ")]
    if len(sounds) >= 2:
        for key in sorted(typo_keys(sounds)):
            yield {"key": key, "kind": kind, "entity_id": entity_id}


def _key(key: str, kind: str, entity_id: int, key_kind: str, strength: int) -> dict:
    return {"key": key, "kind": kind, "entity_id": entity_id, "key_kind": key_kind, "strength": strength}


def reversed_keys(keys: Iterable[str]) -> set[str]:
    """The reversed_keys rows of these names keys (those of MEDIUM strength or more): each Latin one spelt backwards."""
    return {key[::-1] for key in keys if key.isascii()}


def _numbered(rows: Iterable[dict]) -> Iterator[dict]:
    """An entity's names rows, each with its position among them."""
    for position, row in enumerate(rows):
        yield {**row, "position": position}


def _person_keys(record: PersonRecord, pid: int, readings: list[list[str]], surname_length: int) -> Iterator[dict]:
    """Every spelling that names a person (pid: record.id): the name,
    aliases, the given name, the surname, and pinyin in both name orders and
    as initials."""
    name = record.name
    yield _key(name, "person", pid, "name", STRONG)
    for alias in record.aliases:
        yield _key(alias if has_cjk(alias) else latin_key(alias), "person", pid, "alias", STRONG)
    surname, given = name[:surname_length], name[surname_length:]
    if len(given) >= 2:
        yield _key(given, "person", pid, "given", WEAK)
    # Not an answer on its own: whom a surname and a title (马代表, 王院长) can mean.
    yield _key(surname, "person", pid, "surname", WEAK)
    seen: set[str] = set()
    for syllables in readings:
        family, personal = "".join(syllables[:surname_length]), "".join(syllables[surname_length:])
        for spelling, kind, strength in (
            (family + personal, "pinyin", MEDIUM),
            (personal + family, "pinyin", MEDIUM),
            ("".join(s[0] for s in syllables), "initials", WEAK),
        ):
            if kind == "initials" and len(syllables) < 3:
                continue
            if spelling and spelling not in seen:
                seen.add(spelling)
                yield _key(spelling, "person", pid, kind, strength)


def _city_keys(city: gazetteer.City, city_id: int, reading: list[str]) -> Iterator[dict]:
    yield _key(city.name, "city", city_id, "name", STRONG)
    yield _key(city.name + "市", "city", city_id, "name", STRONG)
    for alias in city.aliases:
        yield _key(alias, "city", city_id, "alias", STRONG)
    for abbreviation in city.abbreviations:
        yield _key(abbreviation, "city", city_id, "abbreviation", WEAK)
    spellings = {latin_key(english) for english in city.english} | {"".join(reading)}
    for spelling in sorted(spellings):
        yield _key(spelling, "city", city_id, "english", MEDIUM)


def _topic_keys(topic: gazetteer.Topic, topic_id: int) -> Iterator[dict]:
    yield _key(topic.name, "topic", topic_id, "name", STRONG)
    for synonym in topic.synonyms:
        yield _key(synonym if has_cjk(synonym) else latin_key(synonym), "topic", topic_id, "synonym", STRONG)
    for english in topic.english:
        yield _key(latin_key(english), "topic", topic_id, "english", MEDIUM)
