"""Build the store from the seed articles.

Ingest is the only writer. It reads every seed and sidecar (failing with the
file and line on bad input), rebuilds paragraphs, discovers the speakers,
extracts and attributes quotes, statements and facts, links them to people,
cities, topics and keywords, and writes one SQLite file with sqlite-utils.

The file is built under a temporary name beside the store and renamed over
it at the end, so a running bot never sees a half-built store and a failed
build leaves the old one untouched.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import jieba
import sqlite_utils

from . import gazetteer
from .errors import SeedError, StoreError
from .extract import COMPOUND_SURNAMES, Extractor, Item, discover_people, quoted_terms
from .layout import Layout, rebuild
from .schema import MEDIUM, SCHEMA, SCHEMA_VERSION, STRONG, WEAK, stable_id
from .seeds import Seed, find_seeds, read_seed
from .store import mark_built, seeds_fingerprint, store_is_current
from .text import display_width, has_cjk, latin_key

log = logging.getLogger(__name__)

# Kinds weigh differently when ranking: a direct quote is the best answer to "what did X say".
KIND_WEIGHT = {"quote": 3.0, "statement": 2.0, "fact": 1.5}
KEYWORDS_PER_ITEM = 8
# Words that look like keywords to TF-IDF but say nothing about the subject.
KEYWORD_STOPWORDS = frozenset(
    "我们 他们 一个 这个 那个 已经 可以 进一步 以及 通过 没有 不是 就是 还是 更是 其中 表示 认为 建议 指出 介绍 强调 "
    "举例 总结 提到 解释 目前 未来 此外 同时 今年 去年 方面 领域 发展 推动 加快 进行 实现 相关 一些 更多 不断 持续".split()
)
_PUNCTUATION_TOKEN = re.compile(r"^[\W_]+$")
# The reporter's byline in an article's introduction: 3月7日，湖北日报记者邀请…
# (本报记者 names no paper). Only the first paragraphs are the introduction.
BYLINE = re.compile(r"(?P<month>1[0-2]|0?[1-9])月(?P<day>3[01]|[12]\d|0?[1-9])日，(?!本报)(?P<paper>[\u4e00-\u9fff]{1,6}?报)记者")
BYLINE_PARAGRAPHS = 3
YEAR_IN_NAME = re.compile(r"(?:19|20)\d{2}(?!\d)")
_CITY_ROLE = None  # compiled lazily: the gazetteer's names make a large pattern


@dataclass
class BuildReport:
    path: Path
    articles: int
    paragraphs: int
    people: int
    items: Counter[str]
    seconds: float
    per_person: dict[str, Counter[str]] = field(default_factory=dict)


# Seeds and freshness --------------------------------------------------------


def ensure_store(db_path: Path, seeds_dir: Path, progress: bool | None = None) -> BuildReport | None:
    """Build the store when it is missing, corrupt or older than its seeds.
    Returns the build report, or None when the store was already current."""
    if store_is_current(db_path, seeds_dir):
        return None
    if not seeds_dir.is_dir():
        raise StoreError(f"{db_path} is missing or unreadable, and there is no seeds directory at {seeds_dir} to build it from")
    log.info("building the store %s from %s", db_path, seeds_dir)
    return build_store(seeds_dir, db_path, progress=progress)


# The build ------------------------------------------------------------------


def _progress(iterable: list, enabled: bool | None, description: str) -> Iterable:
    """A progress bar on a terminal, when there is enough to wait for."""
    if enabled is None:
        enabled = sys.stderr.isatty() and len(iterable) >= 20
    if not enabled:
        return iterable
    from tqdm import tqdm

    return tqdm(iterable, desc=description, unit="article", file=sys.stderr)


def _new_tokenizer() -> jieba.Tokenizer:
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


@dataclass
class ParsedArticle:
    seed: Seed
    layout: Layout
    items: list[Item] = field(default_factory=list)
    passage: list[str | None] = field(default_factory=list)

    @property
    def id(self) -> int:
        return stable_id("article", self.seed.slug)

    @property
    def title(self) -> str:
        meta = self.seed.meta
        return (meta.title if meta and meta.title else self.layout.title) or self.seed.slug

    @property
    def subtitle(self) -> str | None:
        """The sidecar's subtitle; with a sidecar title and no subtitle, none
        (the page's second headline line may be the title it replaces)."""
        meta = self.seed.meta
        if meta and meta.subtitle:
            return meta.subtitle
        if meta and meta.title:
            return None
        return self.layout.subtitle

    @property
    def url(self) -> str | None:
        return self.seed.meta.url if self.seed.meta else None

    @property
    def source(self) -> str | None:
        """The sidecar's paper, else the one the introduction's byline names."""
        if self.seed.meta and self.seed.meta.source:
            return self.seed.meta.source
        return self._byline[0]

    @property
    def date(self) -> str | None:
        """The sidecar's date, else the byline's month and day when the file
        name gives the year (2025-03-...): the text never does."""
        if self.seed.meta and self.seed.meta.date:
            return self.seed.meta.date
        return self._byline[1]

    @cached_property
    def _byline(self) -> tuple[str | None, str | None]:
        for paragraph in self.layout.paragraphs[:BYLINE_PARAGRAPHS]:
            if found := BYLINE.search(paragraph.text):
                year = YEAR_IN_NAME.match(self.seed.slug)
                date = f"{year.group(0)}-{int(found['month']):02d}-{int(found['day']):02d}" if year else None
                return found["paper"], date
        return None, None


def build_store(seeds_dir: Path, db_path: Path, progress: bool | None = None) -> BuildReport:
    """Ingest every seed in seeds_dir into a new store at db_path, atomically."""
    started = time.perf_counter()
    paths = find_seeds(seeds_dir)
    if not paths:
        raise SeedError(seeds_dir, None, "no articles (*.txt) to ingest")
    articles = [ParsedArticle(seed, rebuild(seed.text)) for seed in map(read_seed, _progress(paths, progress, "reading"))]
    cities_by_spelling = gazetteer.city_by_name()
    for article in articles:
        if not article.layout.paragraphs:
            raise SeedError(article.seed.path, None, "no paragraphs of text after the title")
        for person in article.seed.meta.people if article.seed.meta else []:
            city = person.facts.get("city")
            if city and city.value not in cities_by_spelling:
                raise SeedError(article.seed.meta_path or article.seed.path, city.line or person.line, f"unknown city {city.value!r} for {person.name}")

    tokenizer = _new_tokenizer()
    people = _people(articles, tokenizer)
    terms = sorted({term for article in articles for paragraph in article.layout.paragraphs for term in quoted_terms(paragraph.text)})
    _teach(tokenizer, people, terms)
    extractor = Extractor(people)
    for article in articles:
        _check_named(article, extractor)
    for article in _progress(articles, progress, "extracting"):
        article.items, article.passage = extractor.extract(article.layout)

    db_path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=db_path.name + ".", suffix=".tmp", dir=db_path.parent)
    os.close(handle)
    temporary_path = Path(temporary)
    try:
        report = _write(temporary_path, articles, people, tokenizer, extractor, seeds_dir, progress)
        os.replace(temporary_path, db_path)
        mark_built(db_path)
    except BaseException:
        temporary_path.unlink(missing_ok=True)
        raise
    report.path = db_path
    report.seconds = time.perf_counter() - started
    return report


@dataclass
class PersonRecord:
    name: str
    facts: dict[str, tuple[str, str, int]] = field(default_factory=dict)  # field -> (value, source, article id)
    aliases: list[str] = field(default_factory=list)
    discovered: bool = False

    @property
    def id(self) -> int:
        return stable_id("person", self.name)


def _people(articles: list[ParsedArticle], tokenizer: jieba.Tokenizer) -> dict[str, PersonRecord]:
    """Everyone who speaks: discovered in the text, merged with the metadata.
    Metadata facts win over what the text implies, and each keeps its source."""
    spellings = gazetteer.city_by_name()
    provinces = gazetteer.provinces()
    topic_terms = {term for topic in gazetteer.topics() for term in (topic.name, *topic.synonyms)}

    def rejects(name: str) -> bool:
        # Place names and common words sit before speech verbs too: 武汉还提出…… / 安徽表示…… / 公司表示……
        return name in spellings or name in provinces or name in topic_terms or tokenizer.FREQ.get(name, 0) >= 2000

    people: dict[str, PersonRecord] = {}
    for article in articles:
        texts = [paragraph.text for paragraph in article.layout.paragraphs]
        cities_named = _cities_from_text(texts)
        for name, evidence in discover_people(texts, rejects).items():
            record = people.setdefault(name, PersonRecord(name))
            record.discovered = True
            where = _citation(article)
            for role, phrase in evidence.roles.items():
                record.facts.setdefault("role", (role, f"{where}: “{phrase}”", article.id))
            for affiliation, phrase in evidence.affiliations.items():
                record.facts.setdefault("affiliation", (affiliation, f"{where}: “{phrase}”", article.id))
            said, city = next(((said, found) for said, found in cities_named.items() if said.startswith(name)), ("", None))
            if city:
                # The phrase ends with the name, not with what follows it (柯云舟表示 -> 柯云舟).
                phrase = city[1][: len(city[1]) - len(said) + len(name)]
                record.facts.setdefault("city", (city[0], f"{where}: “{phrase}”", article.id))
    for article in articles:
        for person in article.seed.meta.people if article.seed.meta else []:
            record = people.setdefault(person.name, PersonRecord(person.name))
            for key, fact in person.facts.items():
                value = spellings[fact.value].name if key == "city" else fact.value
                record.facts[key] = (value, fact.source, article.id)
            record.aliases.extend(alias for alias in person.aliases if alias not in record.aliases)
    return people


def _check_named(article: ParsedArticle, extractor: Extractor) -> None:
    """Every person the sidecar lists must be named in the article's rebuilt
    paragraphs, as a name of its own: 王行 inside 王行环 names no one, and a
    name broken across a column line break (王/行环) is named once the lines
    are joined."""
    meta = article.seed.meta
    if not meta:
        return
    named = {name for paragraph in article.layout.paragraphs for _, name in extractor.names_in(paragraph.text)}
    for person in meta.people:
        if person.name in named:
            continue
        inside = sorted(name for name in named if person.name in name)
        where = f" except inside {'、'.join(inside)}" if inside else ""
        raise SeedError(
            article.seed.meta_path or article.seed.path, person.line, f"person {person.name} never appears in {article.seed.path.name}{where}"
        )


def _citation(article: ParsedArticle) -> str:
    parts = [part for part in (article.source, article.date) if part]
    return f"{article.title}（{'，'.join(parts)}）" if parts else article.title


def _cities_from_text(texts: list[str]) -> dict[str, tuple[str, str]]:
    """Cities the text gives people: 来自武汉的全国人大代表张三 / 武汉市人大代表张三.
    Maps the characters after the role (the name and perhaps more) to the
    city and the phrase that says so."""
    global _CITY_ROLE
    if _CITY_ROLE is None:
        spellings = sorted(gazetteer.city_by_name(), key=len, reverse=True)
        _CITY_ROLE = re.compile(
            "(?P<city>{})的?(?:全国人大代表|全国政协委员|人大代表|政协委员|代表|委员)[、，]?(?P<name>[\u4e00-\u9fff]{{2,4}})".format(
                "|".join(map(re.escape, spellings))
            )
        )
    spellings = gazetteer.city_by_name()
    found: dict[str, tuple[str, str]] = {}
    for text in texts:
        for match in _CITY_ROLE.finditer(text):
            found.setdefault(match.group("name"), (spellings[match.group("city")].name, match.group(0)))
    return found


def _teach(tokenizer: jieba.Tokenizer, people: dict[str, PersonRecord], terms: Iterable[str]) -> None:
    """Teach jieba every name it must keep whole: its dictionary splits
    罗卫东 into 罗/卫东 and 王行环 into 王行/环; and the short terms the text
    quotes, which it would split too (六小龙 into 六/小龙), so the index and
    the vocabulary queries are cut with hold them whole."""
    for name in people:
        tokenizer.add_word(name, max(tokenizer.suggest_freq(name), 1000), "nr")
    for term in terms:
        if tokenizer.lcut(term, HMM=False) != [term]:
            tokenizer.add_word(term, tokenizer.suggest_freq(term), "n")
    for city in gazetteer.cities():
        for spelling in (city.name, *city.aliases):
            if tokenizer.FREQ.get(spelling, 0) == 0:
                tokenizer.add_word(spelling, tag="ns")
    for compound in gazetteer.CITY_COMPOUNDS:
        if tokenizer.FREQ.get(compound, 0) == 0:
            tokenizer.add_word(compound, tag="ns")
    for topic in gazetteer.topics():
        for term in (topic.name, *topic.synonyms):
            if has_cjk(term) and tokenizer.FREQ.get(term, 0) == 0:
                tokenizer.add_word(term, tag="n")


# Writing --------------------------------------------------------------------


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


def _write(
    path: Path,
    articles: list[ParsedArticle],
    people: dict[str, PersonRecord],
    tokenizer: jieba.Tokenizer,
    extractor: Extractor,
    seeds_dir: Path,
    progress: bool | None,
) -> BuildReport:
    # pypinyin and OpenCC load large tables on import: only once the seeds read cleanly.
    from . import phonetics

    db = sqlite_utils.Database(path, recreate=True)
    db.conn.execute("pragma journal_mode = off")  # a throwaway file until it is renamed into place
    db.conn.execute("pragma synchronous = off")

    cities = gazetteer.cities()
    topics = gazetteer.topics()
    spellings = gazetteer.city_by_name()
    city_ids = {city.name: stable_id("city", city.name) for city in cities}
    topic_ids = {topic.name: stable_id("topic", topic.name) for topic in topics}
    keywords = _Keywords()
    topic_matcher = gazetteer.TopicMatcher(topics)
    vocab: Counter[str] = Counter()

    article_rows, paragraph_rows, item_rows, search_rows = [], [], [], []
    item_people, item_cities, item_topics, item_keywords = [], [], [], []
    per_person: dict[str, Counter[str]] = defaultdict(Counter)
    person_articles: dict[str, set[int]] = defaultdict(set)
    city_items: Counter[str] = Counter()
    topic_items: Counter[str] = Counter()

    for article in _progress(articles, progress, "indexing"):
        layout = article.layout
        passage = article.passage
        article_rows.append(
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
            tokens = _tokens(tokenizer, paragraph.text)
            paragraph_tokens.append(tokens)
            vocab.update(word for word, _, _ in tokens)
            paragraph_rows.append(
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
            item_id = stable_id("item", article.seed.slug, str(item.paragraph), str(item.start), item.kind)
            tokens = [w for w, start, end in paragraph_tokens[item.paragraph] if start >= item.start and end <= item.end]
            named = {name for _, name in extractor.names_in(item.text)}
            if item.speaker:
                named.add(item.speaker)
                per_person[item.speaker][item.kind] += 1
                person_articles[item.speaker].add(article.id)
            mentioned = _cities_in(item.text, tokens, spellings)
            on_topics = topic_matcher.hits(item.text)
            top = keywords.top(tokens)
            item_rows.append(
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
            item_people.extend({"item_id": item_id, "person_id": people[name].id} for name in sorted(named))
            item_cities.extend({"item_id": item_id, "city_id": city_ids[name]} for name in sorted(mentioned))
            item_topics.extend(
                {"item_id": item_id, "topic_id": topic_ids[name], "hits": hits} for name, hits in sorted(on_topics.items())
            )
            item_keywords.extend({"item_id": item_id, "keyword": word, "weight": weight} for word, weight in top)
            city_items.update(mentioned)
            topic_items.update(on_topics.keys())  # items on the topic, not mentions
            context = " ".join(w for w, _, _ in paragraph_tokens[item.paragraph])
            search_rows.append(
                {
                    "item_id": item_id,
                    "text": " ".join(tokens),
                    "speaker": item.speaker or "",
                    "topics": " ".join(sorted(on_topics)),
                    "keywords": " ".join(word for word, _ in top),
                    "context": context,
                }
            )

    city_people: Counter[str] = Counter(record.facts["city"][0] for record in people.values() if "city" in record.facts)
    speaker_city = {record.id: city_ids[record.facts["city"][0]] for record in people.values() if "city" in record.facts}
    dates = {row["id"]: row["date"] for row in article_rows}
    city_answers = _rank_answers(item_rows, item_topics, item_cities, speaker_city, dates)
    person_rows, fact_rows, name_rows = [], [], []
    for name, record in sorted(people.items()):
        surname_length = 2 if name[:2] in COMPOUND_SURNAMES else 1
        readings = phonetics.name_readings(name, surname_length)
        counts = per_person.get(name, Counter())
        city = record.facts.get("city")
        role = record.facts.get("role")
        affiliation = record.facts.get("affiliation")
        person_rows.append(
            {
                "id": record.id,
                "name": name,
                "pinyin": " ".join(readings[0]),
                "syllables": phonetics.char_syllables(name),
                "surname_length": surname_length,
                "city_id": city_ids[city[0]] if city else None,
                "city": city[0] if city else None,
                "role": role[0] if role else None,
                "affiliation": affiliation[0] if affiliation else None,
                "aliases": json.dumps(record.aliases, ensure_ascii=False),
                "discovered": int(record.discovered),
                "quotes": counts["quote"],
                "statements": counts["statement"],
                "facts": counts["fact"],
                "articles": len(person_articles.get(name, ())),
            }
        )
        for key, (value, source, article_id) in sorted(record.facts.items()):
            fact_rows.append({"person_id": record.id, "field": key, "value": value, "source": source, "article_id": article_id})
        name_rows.extend(_person_keys(record, readings, surname_length))
    # /who lists people with the most said first.
    for rank, row in enumerate(sorted(person_rows, key=lambda row: (-(row["quotes"] + row["statements"] + row["facts"]), row["name"]))):
        row["rank"] = rank

    city_rows = []
    for city in cities:
        reading = phonetics.phrase_reading(city.name)
        city_rows.append(
            {
                "id": city_ids[city.name],
                "name": city.name,
                "province": city.province,
                "kinds": json.dumps(city.kinds),
                "english": city.display_english,
                "pinyin": " ".join(reading),
                "syllables": phonetics.char_syllables(city.name),
                "aliases": json.dumps([*city.aliases, *city.abbreviations], ensure_ascii=False),
                "people": city_people[city.name],
                "items": city_items[city.name],
            }
        )
        name_rows.extend(_city_keys(city, city_ids[city.name], reading))
    topic_rows = []
    for topic in topics:
        topic_rows.append(
            {
                "id": topic_ids[topic.name],
                "name": topic.name,
                "english": topic.english[0] if topic.english else "",
                "syllables": phonetics.char_syllables(topic.name),
                "synonyms": json.dumps(topic.synonyms, ensure_ascii=False),
                "items": topic_items[topic.name],
            }
        )
        name_rows.extend(_topic_keys(topic, topic_ids[topic.name]))

    # Queries name people, cities and topics: their words must segment as the index does.
    for row in name_rows:
        if has_cjk(row["key"]):
            vocab.update(word for word, _, _ in _tokens(tokenizer, row["key"]))

    _create_tables(db)
    db["meta"].insert_all(
        [
            {"key": "schema_version", "value": SCHEMA_VERSION},
            {"key": "seeds_fingerprint", "value": seeds_fingerprint(seeds_dir)},
            {"key": "seeds_dir", "value": str(seeds_dir.resolve())},
            {"key": "jieba_total", "value": str(tokenizer.total)},
        ]
    )
    for table, rows in (
        ("articles", article_rows),
        ("paragraphs", paragraph_rows),
        ("cities", city_rows),
        ("topics", topic_rows),
        ("people", person_rows),
        ("person_facts", fact_rows),
        ("items", item_rows),
        ("item_people", item_people),
        ("item_cities", item_cities),
        ("item_topics", item_topics),
        ("city_answers", city_answers),
        ("item_keywords", item_keywords),
        ("item_search", search_rows),
    ):
        db[table].insert_all(rows)
    # Text is pre-segmented by jieba with spaces; unicode61 then splits on the spaces.
    # (The trigram tokenizer cannot match two-character words such as 武汉.)
    db["item_search"].enable_fts(["text", "speaker", "topics", "keywords", "context"], tokenize="unicode61 remove_diacritics 2")
    db["names"].insert_all(name_rows)
    db["chars"].insert_all(phonetics.char_rows())
    db["vocab"].insert_all({"term": term, "freq": tokenizer.FREQ.get(term) or count} for term, count in sorted(vocab.items()))
    for table, columns in (
        ("names", ["key"]),
        ("items", ["speaker_id", "rank"]),
        ("items", ["kind"]),
        ("items", ["article_id", "position"]),
        ("item_cities", ["city_id"]),
        ("item_topics", ["topic_id", "rank"]),
        ("city_answers", ["city_id", "rank"]),
        ("people", ["rank"]),
        ("item_people", ["person_id"]),
        ("item_keywords", ["keyword"]),
        ("people", ["city_id"]),
    ):
        db[table].create_index(columns)
    db.conn.execute("analyze")
    db.conn.commit()
    db.conn.execute("vacuum")
    db.close()

    return BuildReport(
        path=path,
        articles=len(article_rows),
        paragraphs=len(paragraph_rows),
        people=len(person_rows),
        items=Counter(row["kind"] for row in item_rows),
        seconds=0.0,
        per_person={name: counts for name, counts in sorted(per_person.items())},
    )


def _create_tables(db: sqlite_utils.Database) -> None:
    """Every table of the schema, empty: sqlite-utils creates a table from
    its first rows, so a list with none (no city mentioned, no fact about
    anyone) would otherwise leave the table out of the store."""
    for name, table in SCHEMA.items():
        db.create_table(name, table.columns, pk=table.pk, foreign_keys=list(table.foreign_keys))


def _rank_answers(
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


def summary(report: BuildReport) -> str:
    items = report.items
    return (
        f"{report.path}: {report.articles} articles, {report.paragraphs} paragraphs, {report.people} people, "
        f"{items['quote']} quotes, {items['statement']} statements, {items['fact']} facts in {report.seconds:.2f} s"
    )


def per_person_table(report: BuildReport) -> str:
    """Counts per person in columns. Names are padded by display width (a Han
    character takes two columns), so the counts line up under their heads."""
    width = max([display_width("person"), *map(display_width, report.per_person)])

    def padded(name: str) -> str:
        return name + " " * (width - display_width(name))

    lines = [f"{padded('person')} {'quotes':>6} {'statements':>10} {'facts':>5}"]
    for name, counts in report.per_person.items():
        lines.append(f"{padded(name)} {counts['quote']:>6} {counts['statement']:>10} {counts['fact']:>5}")
    return "\n".join(lines)

