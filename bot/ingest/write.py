"""Writing the store: the articles read and the people found, linked and
indexed, in named steps.

1. ``index_article``: each article's paragraphs and items, with the people,
   cities, topics and keywords each item names, and its search text.
2. ``rank_answers``: every answer list put in order once (a person's items, a
   topic's, a city's).
3. ``person_rows``, ``gazetteer_rows``: people with their facts and counts;
   cities and topics with theirs; every spelling that names each of them.
4. ``name_vocabulary``: the words of those spellings, so queries segment as
   the index does.
5. ``insert``: every table created, filled and indexed, then analysed and
   vacuumed.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import jieba
import sqlite_utils

from ..schema import MEDIUM, SCHEMA, SCHEMA_VERSION, STRONG, WEAK, stable_id
from ..text import has_cjk, latin_key
from . import gazetteer
from .extract import COMPOUND_SURNAMES, Extractor, Item
from .freshness import seeds_fingerprint
from .records import BuildReport, ParsedArticle, PersonRecord

# Kinds weigh differently when ranking: a direct quote is the best answer to "what did X say".
KIND_WEIGHT = {"quote": 3.0, "statement": 2.0, "fact": 1.5}
KEYWORDS_PER_ITEM = 8
# Words that look like keywords to TF-IDF but say nothing about the subject.
KEYWORD_STOPWORDS = frozenset(
    "我们 他们 一个 这个 那个 已经 可以 进一步 以及 通过 没有 不是 就是 还是 更是 其中 表示 认为 建议 指出 介绍 强调 "
    "举例 总结 提到 解释 目前 未来 此外 同时 今年 去年 方面 领域 发展 推动 加快 进行 实现 相关 一些 更多 不断 持续".split()
)
_PUNCTUATION_TOKEN = re.compile(r"^[\W_]+$")
# Indexes the engine's queries read by.
INDEXES = (
    ("names", ["key"]),
    ("items", ["speaker_id", "rank"]),
    ("items", ["kind"]),
    ("items", ["article_id", "position"]),
    ("item_cities", ["city_id"]),
    ("item_topics", ["topic_id", "rank"]),
    ("city_answers", ["city_id", "rank"]),
    ("people", ["rank"]),
    ("item_people", ["person_id"]),
    ("item_sources", ["article_id"]),
    ("item_keywords", ["keyword"]),
    ("people", ["city_id"]),
)


@dataclass
class Rows:
    """Every row of the store, gathered before any is written, and the
    counts the later steps need."""

    articles: list[dict] = field(default_factory=list)
    paragraphs: list[dict] = field(default_factory=list)
    items: list[dict] = field(default_factory=list)
    item_search: list[dict] = field(default_factory=list)
    item_sources: list[dict] = field(default_factory=list)
    item_people: list[dict] = field(default_factory=list)
    item_cities: list[dict] = field(default_factory=list)
    item_topics: list[dict] = field(default_factory=list)
    item_keywords: list[dict] = field(default_factory=list)
    city_answers: list[dict] = field(default_factory=list)
    people: list[dict] = field(default_factory=list)
    person_facts: list[dict] = field(default_factory=list)
    cities: list[dict] = field(default_factory=list)
    topics: list[dict] = field(default_factory=list)
    names: list[dict] = field(default_factory=list)
    vocab: Counter[str] = field(default_factory=Counter)
    per_person: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    person_articles: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    city_items: Counter[str] = field(default_factory=Counter)
    topic_items: Counter[str] = field(default_factory=Counter)
    said: dict[tuple[str, str | None, str], tuple[int, int]] = field(default_factory=dict)  # words -> (item, its article)
    source_count: Counter[int] = field(default_factory=Counter)  # item -> articles it appears in


class Linker:
    """What linking an item needs: the gazetteer and lexicon with their ids,
    the keyword table, the tokenizer that knows every name."""

    def __init__(self, tokenizer: jieba.Tokenizer, extractor: Extractor, people: dict[str, PersonRecord]):
        self.tokenizer = tokenizer
        self.extractor = extractor
        self.people = people
        self.cities = gazetteer.cities()
        self.topics = gazetteer.topics()
        self.spellings = gazetteer.city_by_name()
        self.city_ids = {city.name: stable_id("city", city.name) for city in self.cities}
        self.topic_ids = {topic.name: stable_id("topic", topic.name) for topic in self.topics}
        self.keywords = _Keywords()
        self.topic_matcher = gazetteer.TopicMatcher(self.topics)


def write_store(
    path: Path,
    articles: list[ParsedArticle],
    people: dict[str, PersonRecord],
    tokenizer: jieba.Tokenizer,
    extractor: Extractor,
    seeds_dir: Path,
    progress: bool | None,
) -> BuildReport:
    """Write the store for these articles and people to ``path``, a new file."""
    # pypinyin and OpenCC load large tables on import: only once the seeds read cleanly.
    from . import phonetics

    linker = Linker(tokenizer, extractor, people)
    rows = Rows()
    # Earliest first: a quote reprinted by several outlets is the item of the
    # first to publish it, and lists the others after it.
    for article in progress_bar(sorted(articles, key=lambda article: (article.date or "9999", article.seed.slug)), progress, "indexing"):
        index_article(article, linker, rows)
    speaker_city = {record.id: linker.city_ids[record.facts["city"][0]] for record in people.values() if "city" in record.facts}
    dates = {row["id"]: row["date"] for row in rows.articles}
    rows.city_answers = rank_answers(rows.items, rows.item_topics, rows.item_cities, speaker_city, dates)
    person_rows(people, linker, rows, phonetics)
    gazetteer_rows(linker, rows, phonetics)
    name_vocabulary(tokenizer, rows)
    insert(path, rows, tokenizer, seeds_dir, phonetics)
    return BuildReport(
        path=path,
        articles=len(rows.articles),
        paragraphs=len(rows.paragraphs),
        people=len(rows.people),
        items=Counter(row["kind"] for row in rows.items),
        seconds=0.0,
        per_person={name: counts for name, counts in sorted(rows.per_person.items())},
    )


def progress_bar(iterable: list, enabled: bool | None, description: str) -> Iterable:
    """A progress bar on a terminal, when there is enough to wait for."""
    if enabled is None:
        enabled = sys.stderr.isatty() and len(iterable) >= 20
    if not enabled:
        return iterable
    from tqdm import tqdm

    return tqdm(iterable, desc=description, unit="article", file=sys.stderr)


def index_article(article: ParsedArticle, linker: Linker, rows: Rows) -> None:
    """An article's row, its paragraphs' and its items', each item linked to
    the people, cities, topics and keywords it names."""
    layout = article.layout
    passage = article.passage
    people = linker.people
    rows.articles.append(
        {
            "id": article.id,
            "slug": article.seed.slug,
            "file": article.seed.path.name,
            "title": article.title,
            "subtitle": article.subtitle,
            "source": article.source,
            "date": article.date,
            "layout": layout.kind,
            "paragraphs": len(layout.paragraphs),
            "items": len(article.items),
            "url": article.url,
        }
    )
    paragraph_tokens: list[list[tuple[str, int, int]]] = []
    for number, paragraph in enumerate(layout.paragraphs):
        tokens = _tokens(linker.tokenizer, paragraph.text)
        paragraph_tokens.append(tokens)
        rows.vocab.update(word for word, _, _ in tokens)
        rows.paragraphs.append(
            {
                "id": stable_id("paragraph", article.seed.slug, str(number)),
                "article_id": article.id,
                "number": number,
                "text": paragraph.text,
                "first_line": paragraph.first_line,
                "last_line": paragraph.last_line,
                "box": paragraph.box,
                "speaker_id": people[passage[number]].id if passage[number] else None,
            }
        )
    for position, item in enumerate(article.items):
        said = _said_key(item)
        if said in rows.said and rows.said[said][1] != article.id:
            # The same words by the same speaker in another outlet: one item, one more source.
            item_id = rows.said[said][0]
            rows.item_sources.append({"item_id": item_id, "article_id": article.id, "position": rows.source_count[item_id]})
            rows.source_count[item_id] += 1
            continue
        item_id = stable_id("item", article.seed.slug, str(item.paragraph), str(item.start), item.kind)
        if said is not None:
            rows.said.setdefault(said, (item_id, article.id))
        rows.source_count[item_id] = 1
        tokens = [w for w, start, end in paragraph_tokens[item.paragraph] if start >= item.start and end <= item.end]
        named = {article.person_key(name) for _, name in linker.extractor.names_in(item.text)}
        if item.speaker:
            named.add(item.speaker)
            rows.per_person[item.speaker][item.kind] += 1
            rows.person_articles[item.speaker].add(article.id)
        mentioned = _cities_in(item.text, tokens, linker.spellings)
        on_topics = linker.topic_matcher.hits(item.text)
        top = linker.keywords.top(tokens)
        rows.items.append(
            {
                "id": item_id,
                "article_id": article.id,
                "paragraph_id": stable_id("paragraph", article.seed.slug, str(item.paragraph)),
                "position": position,
                "kind": item.kind,
                "speaker_id": people[item.speaker].id if item.speaker else None,
                "text": item.text,
                "start": item.start,
                "end": item.end,
                "has_figures": int(item.has_figures),
                "attribution": item.attribution,
                "weight": _item_weight(item, len(on_topics)),
            }
        )
        rows.item_sources.append({"item_id": item_id, "article_id": article.id, "position": 0})
        named.update(item.joint)
        rows.item_people.extend(
            {"item_id": item_id, "person_id": people[name].id, "joint": int(name in item.joint)} for name in sorted(named)
        )
        rows.item_cities.extend({"item_id": item_id, "city_id": linker.city_ids[name]} for name in sorted(mentioned))
        rows.item_topics.extend(
            {"item_id": item_id, "topic_id": linker.topic_ids[name], "hits": hits} for name, hits in sorted(on_topics.items())
        )
        rows.item_keywords.extend({"item_id": item_id, "keyword": word, "weight": weight} for word, weight in top)
        rows.city_items.update(mentioned)
        rows.topic_items.update(on_topics.keys())  # items on the topic, not mentions
        rows.item_search.append(
            {
                "item_id": item_id,
                "text": " ".join(tokens),
                "speaker": item.speaker or "",
                "topics": " ".join(sorted(on_topics)),
                "keywords": " ".join(word for word, _ in top),
                "context": " ".join(w for w, _, _ in paragraph_tokens[item.paragraph]),
            }
        )


def person_rows(people: dict[str, PersonRecord], linker: Linker, rows: Rows, phonetics) -> None:
    """Each person with their facts (each with its source), counts and rank,
    and every spelling that names them."""
    for key, record in sorted(people.items()):
        name = record.name
        surname_length = 2 if name[:2] in COMPOUND_SURNAMES else 1
        readings = phonetics.name_readings(name, surname_length)
        counts = rows.per_person.get(key, Counter())
        city = record.facts.get("city")
        role = record.facts.get("role")
        affiliation = record.facts.get("affiliation")
        rows.people.append(
            {
                "id": record.id,
                "name": name,
                "pinyin": " ".join(readings[0]),
                "syllables": phonetics.char_syllables(name),
                "surname_length": surname_length,
                "city_id": linker.city_ids[city[0]] if city else None,
                "city": city[0] if city else None,
                "role": role[0] if role else None,
                "affiliation": affiliation[0] if affiliation else None,
                "aliases": json.dumps(record.aliases, ensure_ascii=False),
                "discovered": int(record.discovered),
                "quotes": counts["quote"],
                "statements": counts["statement"],
                "facts": counts["fact"],
                "articles": len(rows.person_articles.get(key, ())),
            }
        )
        for key, (value, source, article_id) in sorted(record.facts.items()):
            rows.person_facts.append({"person_id": record.id, "field": key, "value": value, "source": source, "article_id": article_id})
        rows.names.extend(_person_keys(record, readings, surname_length))
    # /who lists people with the most said first.
    for rank, row in enumerate(sorted(rows.people, key=lambda row: (-(row["quotes"] + row["statements"] + row["facts"]), row["name"]))):
        row["rank"] = rank


def gazetteer_rows(linker: Linker, rows: Rows, phonetics) -> None:
    """Every city and topic with its counts, and every spelling that names it."""
    city_people: Counter[str] = Counter(record.facts["city"][0] for record in linker.people.values() if "city" in record.facts)
    for city in linker.cities:
        reading = phonetics.phrase_reading(city.name)
        rows.cities.append(
            {
                "id": linker.city_ids[city.name],
                "name": city.name,
                "province": city.province,
                "kinds": json.dumps(city.kinds),
                "english": city.display_english,
                "pinyin": " ".join(reading),
                "syllables": phonetics.char_syllables(city.name),
                "aliases": json.dumps([*city.aliases, *city.abbreviations], ensure_ascii=False),
                "people": city_people[city.name],
                "items": rows.city_items[city.name],
            }
        )
        rows.names.extend(_city_keys(city, linker.city_ids[city.name], reading))
    for topic in linker.topics:
        rows.topics.append(
            {
                "id": linker.topic_ids[topic.name],
                "name": topic.name,
                "english": topic.english[0] if topic.english else "",
                "syllables": phonetics.char_syllables(topic.name),
                "synonyms": json.dumps(topic.synonyms, ensure_ascii=False),
                "items": rows.topic_items[topic.name],
            }
        )
        rows.names.extend(_topic_keys(topic, linker.topic_ids[topic.name]))


def name_vocabulary(tokenizer: jieba.Tokenizer, rows: Rows) -> None:
    """Queries name people, cities and topics: their words must segment as the index does."""
    for row in rows.names:
        if has_cjk(row["key"]):
            rows.vocab.update(word for word, _, _ in _tokens(tokenizer, row["key"]))


def insert(path: Path, rows: Rows, tokenizer: jieba.Tokenizer, seeds_dir: Path, phonetics) -> None:
    """Create every table, fill it, index it; analyse and vacuum the file."""
    db = sqlite_utils.Database(path, recreate=True)
    db.conn.execute("pragma journal_mode = off")  # a throwaway file until it is renamed into place
    db.conn.execute("pragma synchronous = off")
    _create_tables(db)
    db["meta"].insert_all(
        [
            {"key": "schema_version", "value": SCHEMA_VERSION},
            {"key": "seeds_fingerprint", "value": seeds_fingerprint(seeds_dir)},
            {"key": "seeds_dir", "value": str(seeds_dir.resolve())},
            {"key": "jieba_total", "value": str(tokenizer.total)},
        ]
    )
    for table in (
        "articles", "paragraphs", "cities", "topics", "people", "person_facts", "items", "item_sources",
        "item_people", "item_cities", "item_topics", "city_answers", "item_keywords", "item_search",
    ):
        db[table].insert_all(getattr(rows, table))
    # Text is pre-segmented by jieba with spaces; unicode61 then splits on the spaces.
    # (The trigram tokenizer cannot match two-character words such as 武汉.)
    db["item_search"].enable_fts(["text", "speaker", "topics", "keywords", "context"], tokenize="unicode61 remove_diacritics 2")
    db["names"].insert_all(rows.names)
    db["chars"].insert_all(phonetics.char_rows())
    db["vocab"].insert_all({"term": term, "freq": tokenizer.FREQ.get(term) or count} for term, count in sorted(rows.vocab.items()))
    for table, columns in INDEXES:
        db[table].create_index(columns)
    db.conn.execute("analyze")
    db.conn.commit()
    db.conn.execute("vacuum")
    db.close()


def _tokens(tokenizer: jieba.Tokenizer, text: str) -> list[tuple[str, int, int]]:
    """Search-mode tokens with offsets: whole words plus the dictionary words
    inside them (光电子信息 also yields 光电子, 电子, 信息), so a query for a
    part of a long word still matches."""
    return [
        (word.lower(), start, end)
        for word, start, end in tokenizer.tokenize(text, mode="search")
        if word.strip() and not _PUNCTUATION_TOKEN.match(word)
    ]


class _Keywords:
    """TF-IDF keywords per item with jieba's IDF table, computed on tokens
    already cut, so each paragraph is segmented only once."""

    def __init__(self) -> None:
        # jieba.analyse loads its IDF table on import (over a second): only once seeds are known good.
        import jieba.analyse

        loader = jieba.analyse.TFIDF()
        self.idf = loader.idf_freq
        self.median = loader.median_idf

    def top(self, words: Iterable[str], limit: int = KEYWORDS_PER_ITEM) -> list[tuple[str, float]]:
        counts = Counter(
            w for w in words if len(w) >= 2 and w not in KEYWORD_STOPWORDS and not w.replace(".", "").isdigit()
        )
        total = sum(counts.values()) or 1
        scored = [(w, round(count / total * self.idf.get(w, self.median), 4)) for w, count in counts.items()]
        scored.sort(key=lambda pair: (-pair[1], pair[0]))
        return scored[:limit]


# Words this short recur without being a reprint (“我们要加油”).
MIN_REPRINTED_LENGTH = 12
_SAID_PUNCTUATION = str.maketrans("，：；！？（）", ",:;!?()")


def _said_key(item: Item) -> tuple[str, str | None, str] | None:
    """What makes two quotes or statements one: the same words (ASCII and
    full-width punctuation alike, spaces aside) by the same speaker."""
    if item.kind == "fact":
        return None
    words = "".join(item.text.translate(_SAID_PUNCTUATION).split())
    return (item.kind, item.speaker, words) if len(words) >= MIN_REPRINTED_LENGTH else None


def _item_weight(item: Item, topic_count: int) -> float:
    """A static score for ranking an item 'best first': quotes before
    statements before facts, then substance (topics, figures, length)."""
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
    return round(weight, 4)


def _create_tables(db: sqlite_utils.Database) -> None:
    """Every table of the schema, empty: sqlite-utils creates a table from
    its first rows, so a list with none (no city mentioned, no fact about
    anyone) would otherwise leave the table out of the store."""
    for name, table in SCHEMA.items():
        db.create_table(name, table.columns, pk=table.pk, foreign_keys=list(table.foreign_keys))


def rank_answers(
    item_rows: list[dict], item_topics: list[dict], item_cities: list[dict], speaker_city: dict[int, int], dates: dict[int, str | None]
) -> list[dict]:
    """Put every answer list in order once, at ingest, so a page of a city or
    topic with thousands of items reads five rows from an index instead of
    sorting them all on each query.

    * ``items.rank``: what was said before facts, then the static weight, the
      newest article, its order in the article. A person's items are shown so.
    * ``item_topics.rank``: for one topic, items naming it most often first.
    * ``city_answers``: for one city, its delegates' items about the city,
      then others' items about it, then the rest of its delegates' items.
    Returns the rows of city_answers; ranks are set on the other rows in place.
    """

    def newest_first(date: str | None) -> str:
        return "".join(chr(0x10FFFF - ord(char)) for char in date) if date else chr(0x10FFFF)

    said_first = {row["id"]: row["kind"] == "fact" for row in item_rows}
    ordered = sorted(
        item_rows, key=lambda row: (said_first[row["id"]], -row["weight"], newest_first(dates[row["article_id"]]), row["article_id"], row["position"])
    )
    rank = {row["id"]: index for index, row in enumerate(ordered)}
    for row in item_rows:
        row["rank"] = rank[row["id"]]
    by_topic: dict[int, list[dict]] = defaultdict(list)
    for row in item_topics:
        by_topic[row["topic_id"]].append(row)
    for rows in by_topic.values():
        rows.sort(key=lambda row: (said_first[row["item_id"]], -row["hits"], rank[row["item_id"]]))
        for index, row in enumerate(rows):
            row["rank"] = index
    mentions: dict[int, set[int]] = defaultdict(set)
    for row in item_cities:
        mentions[row["city_id"]].add(row["item_id"])
    delegates: dict[int, set[int]] = defaultdict(set)
    for row in item_rows:
        if row["speaker_id"] in speaker_city:
            delegates[speaker_city[row["speaker_id"]]].add(row["id"])
    answers: list[dict] = []
    for city_id in sorted(set(mentions) | set(delegates)):
        about, by = mentions[city_id], delegates[city_id]
        tiers = {item_id: 0 if item_id in by else 1 for item_id in about}
        tiers.update({item_id: 2 for item_id in by - about})
        for index, item_id in enumerate(sorted(tiers, key=lambda item_id: (said_first[item_id], tiers[item_id], rank[item_id]))):
            answers.append({"city_id": city_id, "item_id": item_id, "tier": tiers[item_id], "rank": index})
    return answers


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


def _key(key: str, kind: str, entity_id: int, key_kind: str, strength: int) -> dict:
    return {"key": key, "kind": kind, "entity_id": entity_id, "key_kind": key_kind, "strength": strength}


def _person_keys(record: PersonRecord, readings: list[list[str]], surname_length: int) -> Iterator[dict]:
    """Every spelling that names a person: the name, aliases, the given name,
    the surname, and pinyin in both name orders and as initials."""
    name, pid = record.name, record.id
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
