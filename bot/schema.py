"""The store's schema: the one module ingest (which writes) and the engine
(which reads) share.

One SQLite file holds everything. ``sqlite-utils tables`` and Datasette open
it as it is. Ids are stable hashes of what an entity is (a person's name, an
article's file name, an item's place in its paragraph), so ingesting the same
seeds twice gives the same store, and adding an article does not renumber
anything else.
"""

from __future__ import annotations

import hashlib

# Bump when the tables change meaning: an older store is then rebuilt.
SCHEMA_VERSION = "5"

# Key kinds in the ``names`` table and how strongly each identifies an entity.
# A strong key names one thing; a weak key (a given name, initials, a surname
# with a title, a one-character abbreviation) only counts when it is the whole
# query and no strong key matched.
STRONG = 3
MEDIUM = 2
WEAK = 1

# The tables, for documentation and for tests that walk the schema.
TABLES = (
    "meta",  # key, value: schema version, seed fingerprint, jieba total
    "articles",  # one row per seed file
    "paragraphs",  # rebuilt paragraphs, with the passage speaker
    "people",  # delegates: name, pinyin, city, role, affiliation, counts
    "person_facts",  # every fact about a person with its source
    "cities",  # the gazetteer, with counts
    "topics",  # the topic lexicon, with counts
    "items",  # quotes, statements and facts with speaker and offsets
    "item_people",  # people named in an item
    "item_cities",  # cities mentioned in an item
    "item_topics",  # topics an item is on, ranked within each topic
    "city_answers",  # the items a /city answer shows, ranked: by its delegates or about it
    "item_keywords",  # TF-IDF keywords per item
    "item_search",  # jieba-segmented text, indexed by item_search_fts (FTS5)
    "names",  # every spelling that resolves to an entity
    "chars",  # Han character -> simplified form and pinyin, for queries
    "vocab",  # the segmented vocabulary with jieba frequencies, for queries
)


def stable_id(*parts: str) -> int:
    """A 53-bit id from what a thing is: stable across rebuilds, exact in
    JSON and JavaScript, short enough for Telegram's 64-byte button data."""
    digest = hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 11
