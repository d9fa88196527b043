"""The store's schema: the one module ingest (which writes) and the engine
(which reads) share.

One SQLite file holds everything. ``sqlite-utils tables`` and Datasette open
it as it is. Ids are stable hashes of what an entity is (a person's name, an
article's file name, a quote's speaker and words, a fact's place in its
paragraph), so ingesting the same seeds twice gives the same store, and adding
or removing an article does not renumber anything else.
"""

from __future__ import annotations

import hashlib
from itertools import islice, product
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

# Bump when the tables change meaning: an older store is then rebuilt.
SCHEMA_VERSION = "17"

# Key kinds in the ``names`` table and how strongly each identifies an entity.
# A strong key names one thing; a weak key (a given name, initials, a
# one-character abbreviation) only counts when it is the whole query and no
# strong key matched. A surname (also weak) names no one by itself: it finds
# whom a surname and a title (马代表, 王院长) can mean.
STRONG = 3
MEDIUM = 2
WEAK = 1
# Reading combinations kept per left-out position: names of characters with
# many readings would otherwise multiply keys.
TYPO_READINGS = 16


@dataclass(frozen=True)
class Table:
    """One table's columns (name -> Python type, as sqlite-utils maps them),
    primary key and foreign keys (column, other table, other column)."""

    columns: dict[str, type]
    pk: str | tuple[str, ...] | None = None
    foreign_keys: tuple[tuple[str, str, str], ...] = ()


def _references(*pairs: tuple[str, str]) -> tuple[tuple[str, str, str], ...]:
    return tuple((column, table, "id") for column, table in pairs)


# Every table, created with its columns before any row is written: a store
# whose articles name no city or no one still has every table the engine reads.
SCHEMA: dict[str, Table] = {
    # key, value: schema version, seed fingerprint, seeds directory (absolute), jieba total
    "meta": Table({"key": str, "value": str}, pk="key"),
    # one row per seed file, with the sidecar's title, source, date and url
    "articles": Table(
        {
            "id": int, "slug": str, "file": str, "title": str, "subtitle": str, "source": str, "date": str,
            "layout": str, "paragraphs": int, "items": int, "url": str,
            "digest": str,  # of its rebuilt text: the same article under another name is found by it
        },
        pk="id",
    ),
    # rebuilt paragraphs; search_id is the paragraph's row in the paragraphs'
    # index (SEARCH_IDS), null when it has none. Where a paragraph lay on the
    # page (lines, column) and who speaks in it serve extraction, not answers: not kept.
    "paragraphs": Table(
        {"id": int, "article_id": int, "number": int, "text": str, "search_id": int},
        pk="id",
        foreign_keys=_references(("article_id", "articles")),
    ),
    # each article's filter of the character pairs in its paragraphs: which
    # articles can hold a word, so an added name is looked for in those alone (bot/ingest/bigrams.py)
    "article_bigrams": Table({"article_id": int, "bits": bytes}, pk="article_id", foreign_keys=_references(("article_id", "articles"))),
    # the gazetteer, with counts
    # (number: its place in the gazetteer, from 1, which items.cities and city_answers name it by)
    "cities": Table(
        {
            "id": int, "name": str, "province": str, "kinds": str, "english": str, "pinyin": str, "syllables": str,
            "aliases": str, "people": int, "items": int, "number": int,
        },
        pk="id",
    ),
    # the topic lexicon, with counts
    # (number: its place in the lexicon, from 1, which items.topics and item_topics name it by;
    # the lexicon is part of the seeds' fingerprint, so a store's numbers hold until it is rebuilt)
    "topics": Table({"id": int, "name": str, "english": str, "syllables": str, "synonyms": str, "items": int, "number": int}, pk="id"),
    # delegates: name, pinyin, city, role, affiliation, counts
    "people": Table(
        {
            "id": int, "name": str, "pinyin": str, "syllables": str, "surname_length": int, "city_id": int, "city": str,
            "role": str, "affiliation": str, "aliases": str, "discovered": int, "quotes": int, "statements": int,
            "facts": int, "articles": int, "rank": int,
        },
        pk="id",
        foreign_keys=_references(("city_id", "cities")),
    ),
    # every fact about a person with its source; cited = 1 when the source is
    # the article's text: then it holds the words that say it, and the view
    # fact_sources puts the article's citation (title, outlet, date) before
    # them, from the article's row, not in every fact
    "person_facts": Table(
        {"person_id": int, "field": str, "value": str, "source": str, "article_id": int, "cited": int},
        pk=("person_id", "field"),
        foreign_keys=_references(("person_id", "people"), ("article_id", "articles")),
    ),
    # quotes, statements and facts with speaker and offsets: an item's words
    # are its paragraph's from start to end (ITEM_TEXT), kept once
    "items": Table(
        {
            "id": int, "article_id": int, "paragraph_id": int, "position": int, "kind": str, "speaker_id": int,
            "start": int, "end": int, "has_figures": int, "attribution": str, "weight": int, "rank": int,
            # its TF-IDF keywords spelled in Latin letters (deepseek), best first, space-separated, or
            # null: the help's example of a word search is one. All its keywords are in the search
            # index (a change works them out again), not here: they cost more than the index's own postings.
            "latin_keywords": str,
            # a 31-bit hash of its words (words_key): the same words stored under another speaker or
            # kind share it; four bytes, where an id takes eight, so two items may share one by chance
            # and a reader compares their words too
            "words_key": int,
            "search_id": int,  # its row in the items' search index (SEARCH_IDS)
            # the numbers (topics.number) of the topics it is on, space-separated
            # in the order of their ids, each as many times as the item names the
            # topic (its hits), or null: what an item's topics are read by, and
            # where it stands in a topic's list (ITEM_ROW_FUNCTIONS), as item_topics
            # is keyed by topic; a number takes a byte or two, a name ten
            "topics": str,
            # the numbers (cities.number) of the cities it mentions, space-separated,
            # or null: with its speaker's city, where it stands in a city's list
            "cities": str,
        },
        pk="id",
        foreign_keys=_references(("article_id", "articles"), ("paragraph_id", "paragraphs"), ("speaker_id", "people")),
    ),
    # every later article an item appears in: each reprint of the same words
    # (position orders them from 1, earliest first). An item's own article is
    # items.article_id, its source 0: a row for it was 31,148 rows of 31,365
    # at 1,000 articles. The view item_sources (ITEM_SOURCES_VIEW) lists both.
    "item_reprints": Table(
        {"item_id": int, "article_id": int, "position": int},
        pk=("item_id", "article_id"),
        foreign_keys=_references(("item_id", "items"), ("article_id", "articles")),
    ),
    # people an item names besides its speaker (items.speaker_id); joint = 1
    # for a speaker named with the item's own in one cue (朱一、秦二委员建议:
    # 秦二 speaks with 朱一). The speaker's own row was nearly every row (all
    # 29,094 at 1,000 generated articles): the view item_people lists both.
    "item_named": Table(
        {"item_id": int, "person_id": int, "joint": int},
        pk=("item_id", "person_id"),
        foreign_keys=_references(("item_id", "items"), ("person_id", "people")),
    ),
    # each topic's items, ranked (items naming it most often first), keyed by
    # the topic's list alone: a page of a topic reads its rows in order, and
    # the list is stored once, not again in an index by (topic, rank). An
    # item's own topics are items.topics. The topic is its number
    # (topics.number), a byte in every row where its id took eight.
    "item_topics": Table(
        {"topic_number": int, "rank": int, "item_id": int, "hits": int},
        pk=("topic_number", "rank"),
        foreign_keys=(("topic_number", "topics", "number"), ("item_id", "items", "id")),
    ),
    # the items a /city answer shows, ranked: by its delegates or about it,
    # keyed by the city's list alone (stored once, as item_topics is). Tiers 0
    # and 1 are the items that mention the city (items.cities; the view
    # item_cities), tier 2 its delegates' other items. The city is its number
    # (cities.number), one or two bytes where its id took eight.
    "city_answers": Table(
        {"city_number": int, "rank": int, "item_id": int, "tier": int},
        pk=("city_number", "rank"),
        foreign_keys=(("city_number", "cities", "number"), ("item_id", "items", "id")),
    ),
    # every spelling that resolves to an entity, keyed by the spelling
    # (WITHOUT ROWID): read by key, and not kept again in an index of keys.
    # position: the spelling's place among its entity's, in the order ingest
    # makes them; an entity with one key twice (ai: a topic's synonym and its
    # English name) has it read in that order, as a table by rowid gave it
    "names": Table(
        {"key": str, "kind": str, "entity_id": int, "position": int, "key_kind": str, "strength": int}, pk=("key", "kind", "entity_id", "position")
    ),
    # every Latin key of names spelt backwards, once, if it names something
    # strongly enough to be a typo's candidate (MEDIUM or more): candidates are
    # found by the end of a key as well as by its start (names' own order)
    "reversed_keys": Table({"reversed": str}, pk=("reversed",)),
    # a name's readings with one position left out (wang|*|huan): what a typo
    # of it, wrong in at most that position, is looked up by
    "typo_keys": Table({"key": str, "kind": str, "entity_id": int}, pk=("key", "kind", "entity_id")),
    # Han character -> simplified form and pinyin, for queries
    "chars": Table({"char": str, "simplified": str, "pinyin": str}, pk="char"),
    # the segmented vocabulary with jieba frequencies, for queries; count is
    # how often the store's text and names hold the term, so adding or
    # removing an article knows when a term is gone
    "vocab": Table({"term": str, "freq": int, "count": int}, pk="term"),
    # the words ingest taught jieba (names, quoted terms, the gazetteer's
    # spellings) with the frequency each was given: an added article is cut
    # exactly as a full ingest cuts it
    "taught": Table({"word": str, "freq": int, "tag": str, "source": str}, pk=("word",)),
    # the short quoted terms (“六小龙”) and how many articles quote each
    "terms": Table({"term": str, "articles": int}, pk=("term",)),
}
TABLES = tuple(SCHEMA)
# An item's words, read from its paragraph (``pt``) by its offsets: storing
# them again in items cost more than the articles' whole text at 10,000 articles.
ITEM_TEXT = "substr(pt.text, i.start + 1, i.end - i.start)"
# Items with their words, as a view for SQL by hand and Datasette (which searches it).
ITEM_TEXTS_VIEW = (
    f"create view item_texts as select i.id, i.search_id, i.kind, i.speaker_id, i.article_id, {ITEM_TEXT} as text, i.rank "
    "from items i join paragraphs pt on pt.id = i.paragraph_id"
)
# Every article an item appears in, its own first (position 0), as a view
# for SQL by hand, Datasette and the tests: the engine reads the two parts.
ITEM_SOURCES_VIEW = (
    "create view item_sources as select id as item_id, article_id, 0 as position from items "
    "union all select item_id, article_id, position from item_reprints"
)
# The cities each item mentions, with their names (a view has no foreign keys
# for Datasette to label them by), for SQL by hand, Datasette and the tests: no
# table of their own, as an item's answer lists already hold them.
ITEM_CITIES_VIEW = (
    "create view item_cities as select ca.item_id, c.id as city_id, c.name as city from city_answers ca "
    "join cities c on c.number = ca.city_number where ca.tier < 2"
)
# Everyone an item names, its speaker among them, as a view for SQL by hand,
# Datasette and the tests.
ITEM_PEOPLE_VIEW = (
    "create view item_people as select i.id as item_id, i.speaker_id as person_id, 0 as joint from items i "
    "where i.speaker_id is not null and not exists (select 1 from item_named n where n.item_id = i.id and n.person_id = i.speaker_id) "
    "union all select item_id, person_id, joint from item_named"
)
# An article's citation from its row, as ingest writes it (records.cite): its
# title (else its file's name), then its outlet and date in brackets.
ARTICLE_CITATION = (
    "coalesce(nullif(a.title, ''), a.file) || case when coalesce(a.source, '') = '' and coalesce(a.date, '') = '' then '' "
    "else '（' || coalesce(a.source, '') || case when coalesce(a.source, '') != '' and coalesce(a.date, '') != '' then '，' else '' end "
    "|| coalesce(a.date, '') || '）' end"
)
# Every fact about a person with its whole source, as a view for the engine,
# SQL by hand, Datasette and the tests: a fact the text gave (cited) keeps the
# words that say it, and its article's citation is made from the article's row.
FACT_SOURCES_VIEW = (
    "create view fact_sources as select f.person_id, f.field, f.value, "
    f"case when f.cited then {ARTICLE_CITATION} || ': ' || f.source else f.source end as source, f.article_id "
    "from person_facts f left join articles a on a.id = f.article_id"
)
# The full-text index, item_search_fts (FTS5 over jieba-segmented text, rowid =
# the item's search_id), indexes these columns and keeps no copy of them: answers are
# read from items, so the index holds only what finds them.
SEARCH_COLUMNS = ("text", "speaker", "topics", "keywords")
# The paragraphs' index, paragraph_search_fts (rowid = the paragraph's
# search_id, one column of its words), finds an item by the words around it.
# Each paragraph is indexed once, not once per item in it, and only a
# paragraph that holds an item: a word common in the text then costs one
# posting per paragraph, and the items' own index stays as small as their own words.
#
# SEARCH_IDS: a row of either index is numbered by a search_id, not by the
# item's or paragraph's 53-bit id. An index stores each word's rows as gaps
# from one rowid to the next: between hashes a gap takes 6 to 8 bytes, between
# small numbers given in order one or two, and both indexes are a third of
# their size. Ingest numbers the rows 1, 2, 3 ... in the order it indexes
# articles (earliest first); an article added later, or indexed again, takes
# numbers after the largest in its index. Search ids are not ids: nothing
# outside the store keeps them, and an article indexed again gets new ones.
PARAGRAPH_SEARCH = "paragraph_search_fts"


def topic_counts(topics: str | None) -> dict[str, int]:
    """An item's topics as items.topics spells them: each number (as a
    string) with how often the item names it, in the column's order."""
    counts: dict[str, int] = {}
    for number in topics.split(" ") if topics else ():
        counts[number] = counts.get(number, 0) + 1
    return counts


def topic_hits(topics: str | None, number: int) -> int:
    """How often an item (by its items.topics) names the topic of this
    number; 0 when it is not on it."""
    return topic_counts(topics).get(str(number), 0)


def city_tier(cities: str | None, number: int, speaker_city_id: int | None, city_id: int) -> int | None:
    """The tier of an item in the list of the city with this number and id
    (city_answers.tier), from the item's row and its speaker's city: 0 for a
    delegate's item about their city, 1 for anyone else's about it, 2 for a
    delegate's item about other things; None when it is not on the list."""
    if str(number) in (cities.split(" ") if cities else ()):
        return 0 if speaker_city_id == city_id else 1
    return 2 if speaker_city_id == city_id else None


# SQL functions of a store's connection (name -> number of arguments, function):
# a filter by a list, or a page ordered by a list it does not walk, reads an
# item's place in a topic's or city's list from the item's row, as the lists
# are keyed by rank alone and have no way in by item.
ITEM_ROW_FUNCTIONS = {"topic_hits": (2, topic_hits), "city_tier": (4, city_tier)}


def typo_keys(sounds: list[list[str]]) -> set[str]:
    """The keys a name with these readings per position (a list of readings
    for each character) is found by when one position may be wrong: each
    position left out in turn ('*'), the others in each of their readings.
    Ingest stores a name's keys; the engine looks up a query's."""
    keys: set[str] = set()
    for skipped in range(len(sounds)):
        kept = [["*"] if position == skipped else options for position, options in enumerate(sounds)]
        keys.update("|".join(combination) for combination in islice(product(*kept), TYPO_READINGS))
    return keys


def words_key(words: str) -> int:
    """An item's words_key: the top 31 bits of its words' stable id, which
    SQLite keeps in four bytes."""
    return stable_id("words", words) >> 22


def paragraph_id_of(slug: str, number: int) -> int:
    """A paragraph's id, from its article's file stem and its number in the
    article: ingest gives it, and a change finds an article's paragraphs by it."""
    return stable_id("paragraph", slug, str(number))


def said_id(digest: bytes) -> int:
    """The id of a quote or statement by what it says (its speaker, kind and
    words): the same whichever article printed it first, so a reprint keeps
    its item when that article is removed, and a rebuild gives the same id."""
    return stable_id("said", digest.hex())


def stable_id(*parts: str) -> int:
    """A 53-bit id from what a thing is: stable across rebuilds, exact in
    JSON and JavaScript, short enough for Telegram's 64-byte button data."""
    digest = hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 11


def read_only_uri(path: Path) -> str:
    """An SQLite URI that opens path read-only. The path is percent-encoded:
    a '?', '#' or '%' in a directory name would otherwise end the file name."""
    return f"file:{quote(str(path))}?mode=ro"


def check_owned(path: Path) -> None:
    """Raise PermissionError when another user owns path: a lookup file in the
    shared temporary folder (jieba's words, pypinyin's tables, compiled
    expressions) decides how texts are cut and read, so only our own is used."""
    if path.stat().st_uid != os.getuid():
        raise PermissionError(f"{path} belongs to another user")


def file_identity(path: Path) -> tuple[int, int, int]:
    """What tells one file from another at a path: a rename puts a new inode there."""
    stat = os.stat(path)
    return stat.st_ino, stat.st_size, stat.st_mtime_ns


def built_marker(db_path: Path) -> Path:
    """Where ingest records the identity of the store file it wrote, whole."""
    return db_path.with_name(db_path.name + ".built")


def is_as_built(db_path: Path, identity: tuple[int, int, int] | None = None) -> bool:
    """Whether the file at db_path (of this identity) is the one ingest
    wrote, so its pages need no check: anything copied, moved in or written
    over since has another identity."""
    try:
        recorded = tuple(map(int, built_marker(db_path).read_text(encoding="ascii").split()))
        return recorded == (identity or file_identity(db_path))
    except (OSError, ValueError):
        return False
