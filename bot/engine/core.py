"""The answer engine: a chat message in, an ``Answer`` out.

It imports nothing from telegram. The Telegram bot, the console and ``ask``
parse, call :meth:`Engine.answer`, and render the same answer.

    >>> engine = Engine("store/lianghui.db")
    >>> engine.answer("/who 马欣强").match.name
    '马新强'
"""

from __future__ import annotations

import random
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path

from .answer import (
    DEEP_LINK_TAGS,
    Answer,
    Context,
    Entry,
    Fact,
    Intent,
    Item,
    Match,
    Notice,
    Person,
    Source,
    Suggestion,
    from_base36,
    pinyin_name,
    to_base36,
)
from .follows import Article, ArticleReport, article, article_report, articles, items_for_subjects
from .resolve import MAX_SCAN, Candidate, Resolution, Resolved, Resolver, unique_entities
from .segment import segment
from .cache import StoreCache
from .store import Store
from ..regexes import compiled
from ..schema import ITEM_TEXT, PARAGRAPH_SEARCH, paragraph_id_of, topic_counts
from ..text import clean_message, is_cjk

PAGE_SIZE = 5
LIST_PAGE_SIZE = 30
MAX_MESSAGE = 1024  # characters of a message the engine reads; longer input is cut, never rejected
MAX_SEARCH = 80  # characters of a message used for full-text search: a question is shorter; longer text is pasted
MAX_NAMED = 4  # people a pasted text's answer is about: a /more token carries four entities
MAX_DELEGATES = 12  # delegates listed in a city answer
MAX_FIGURES = 3  # facts and figures shown on the first page of a city answer
MAX_TOPICS = 6  # topics listed on a person's card
# A ranked list is walked in its order, the shorter list a filter, unless it is
# this many times longer: a list's row costs about an eighth of an item's row
# (科技创新's 3,835 rows walked in 0.46 ms, 安庆's 67 items read in 0.06 at 1,000 articles).
WALK_RATIO = 8
# A city's list that filters a walked list is read whole as a set unless its
# length squared passes this many times the store's items: then it is tested
# on the walked rows. With a city's items spread through the list, a first page
# walks PAGE_SIZE × items / length rows, each test costing about WALK_RATIO
# members of a set (上海 住房 at 10,000 articles: Shanghai's 5,372 items read for
# a page took 2.7 ms, the rows tested 0.3).
ROW_TESTED = WALK_RATIO * PAGE_SIZE
# Each ranked list (table, the column of its key, the table that numbers it):
# a list is keyed by its topic's or city's number, not its id.
LISTS = {"topic": ("item_topics", "topic_number", "topics"), "city": ("city_answers", "city_number", "cities")}
MAX_TOKEN = 400  # bytes of a /more token: eight search words and four entities fit with room
VOCAB_CACHE = 20_000  # vocabulary answers remembered (words and non-words, a few MB); cleared when full
CARD_CACHE = 2048  # people's cards and cities' delegate lists remembered; cleared when full
ITEM_CACHE = 4096  # items remembered with their sources (about 1 KB each); cleared when full
CACHED_PAGE = 50  # a page longer than this (an export) is read and not remembered
COUNT_CACHE = 4096  # item counts of lists and searches remembered (a statement and a number each); cleared when full
MAX_CHUNKS = 6  # space-separated words of a message tried as names with a typo
MAX_TERMS = 8  # words of a message searched for together
OR_TERMS = 4  # the rarest words searched for one by one when not all of them match together
EXPORT_LIMIT = 5000  # items in one export: a whole city's or topic's, with room
RANKED_HITS = 200  # hits of a search ranked for its first pages; later hits follow in the index's order
# bm25 by column (text, speaker, topics, keywords): the item's own words count most.
SEARCH_RANK = "bm25(item_search_fts, 1.0, 0.4, 0.8, 0.6)"
PARAGRAPH_HITS = 200  # paragraphs whose items follow a search's own hits, the best of this many first found
# A word in more than this share of the paragraphs is too common to narrow a
# search that has a rarer word: see _narrowing.
COMMON_SHARE = 0.1

COMMANDS = ("start", "help", "city", "who", "topic", "quote", "search", "more", "context", "lang")
_COMMAND = compiled(r"^/(?P<name>[A-Za-z0-9_]{1,32})(?:@(?P<bot>[A-Za-z0-9_]{1,64}))?(?:\s+(?P<args>.*))?$", re.S)
# Words that frame a question but do not say what it is about.
QUERY_STOPWORDS = frozenset(
    "谁 什么 哪些 哪个 哪位 哪里 怎么 怎样 怎么样 如何 为什么 多少 几 吗 呢 吧 啊 呀 的 了 过 是 在 和 与 及 跟 对 对于 关于 有关 "
    "说 说了 说过 谈 谈到 谈了 提到 提及 提过 讲 讲了 认为 表示 看 看法 观点 怎么看 有 没有 请问 告诉 我 你 他 她 他们 一下 都 "
    "代表 委员 代表们 委员们 人大代表 政协委员 全国人大代表 全国政协委员 建议 提出 发言 "
    "what who whom which said say says about on the a an of in did do does is are was were mention mentioned or and not "
    "talk talks talked talking speak speaks spoke tell told think thinks thought view views opinion opinions propose proposed "
    "delegate delegates deputy deputies member members npc cppcc me us from with by for to at any all has have had "
    "shi daibiao weiyuan shuo shuole shuoguo le shenme".split()
)
_KIND_TAG = {"person": "p", "city": "c", "topic": "t"}
_TAG_KIND = {tag: kind for kind, tag in _KIND_TAG.items()}
_DEEP_LINK = compiled(r"(?P<tag>[{}])(?P<id>[0-9a-z]{{1,12}})".format("".join(DEEP_LINK_TAGS.values())))
# A subject as a button names it (/follow #p1a2b): the '#' keeps it apart from any name typed.
_SUBJECT_KEY = compiled(r"#(?P<tag>[pct])(?P<id>[0-9a-z]{1,12})")
_LIST_INTENT = {"p": Intent.PERSON_LIST, "c": Intent.CITY_LIST, "t": Intent.TOPIC_LIST}


@dataclass
class Query:
    """Where a page of items comes from: ``source`` names the items ``i``
    (perhaps joined to a ranked list), ``clauses`` filter them, ``order`` ranks them."""

    source: str
    clauses: list[str]
    params: list
    order: str
    # The ranked list alone (its ids are ranked.item_id), when the clauses need
    # nothing of the items: pages and totals read from it skip a row of items
    # per listed id, most of a page's cost when the clauses filter out most.
    lean: str | None = None
    # A clause reads one list whole (an IN list): every match is found to sort
    # the page anyway, so the page and the total are cut from one read of them.
    whole: bool = False
    # The same items and order read from the items' rows, for a read that does
    # not walk the ranked list in its order (a search's hits): the lists are
    # keyed by rank alone, so finding an item in one would scan the list.
    by_item: Query | None = None

    def where(self, clause: str, *params) -> Query:
        by_item = self.by_item.where(clause, *params) if self.by_item else None
        return Query(self.source, [*self.clauses, clause], [*self.params, *params], self.order, by_item=by_item)


class Request:
    """What a page shows: entities to filter by, words to search, or a list.
    Encoded into continuation tokens so a button can ask for the next page."""

    def __init__(self, entities: list[Match] | None = None, terms: str | None = None, listing: str | None = None):
        self.entities = entities or []
        self.terms = terms
        self.listing = listing


class Engine:
    """Answers chat messages from one store."""

    def __init__(self, store: Store | Path | str, rng: random.Random | None = None):
        self.store = store if isinstance(store, Store) else Store(store)
        self.resolver = Resolver(self.store)
        self.rng = rng or random.Random()
        self._cards = StoreCache(self.store, CARD_CACHE)  # people's cards and cities' delegates
        self._vocab = StoreCache(self.store, VOCAB_CACHE)  # words and non-words: (jieba frequency, count in the store)
        self._facts = StoreCache(self.store, 5)  # the help examples and counts; jieba's total; the paragraphs' and items' counts; topics' names
        self._counts = StoreCache(self.store, COUNT_CACHE)  # how many items a list or a search matches
        # Items shown on a page: an item's row, speaker, article, topics and
        # sources depend on the store alone, and a page read them in two
        # queries (0.2-0.3 ms; 0.6 ms for an item reprinted in 143 articles).
        self._item_cache = StoreCache(self.store, ITEM_CACHE)

    # Entry point ------------------------------------------------------------

    def answer(self, message: str, lang: str = "zh") -> Answer:
        """Answer one chat message. Never raises on any input."""
        self.store.refresh()
        # Cut before normalising: a 4,000-character paste costs no more than a question.
        text = clean_message((message or "")[:MAX_MESSAGE])
        if not text:
            return self._help(text, notice=Notice.EMPTY)
        command = _COMMAND.match(text)
        if not command:
            if text.startswith("/"):
                return Answer(text, Intent.UNKNOWN_COMMAND, command=text.split()[0][:40], examples=self._help_examples()[0])
            return self._search(text, text)
        name = command.group("name").lower()
        args = (command.group("args") or "").strip()
        if name == "start" and args:
            return self._deep_link(text, args)
        if name in ("start", "help"):
            return self._help(text)
        if name == "who":
            return self._entity_command(text, args, "person")
        if name == "city":
            return self._entity_command(text, args, "city")
        if name == "topic":
            return self._entity_command(text, args, "topic")
        if name == "search":
            return self._search(text, args) if args else self._help(text, notice=Notice.EMPTY)
        if name == "quote":
            return self._quote(text, args)
        if name == "more":
            return self._more(text, args)
        if name == "context":
            return self._context(text, args)
        if name == "lang":
            code = args.lower()[:2] if args else None
            return Answer(text, Intent.LANGUAGE, subject=code if code in ("zh", "en") else None)
        return Answer(text, Intent.UNKNOWN_COMMAND, command="/" + name, examples=self._help_examples()[0])

    # Help -------------------------------------------------------------------

    def _help(self, query: str, notice: Notice | None = None) -> Answer:
        examples, stats = self._help_examples()
        return Answer(query, Intent.HELP, examples=examples, stats=stats, notice=notice)

    def _help_examples(self) -> tuple[list[str], dict[str, int]]:
        """Examples that work on this store, and what it holds. Cached per store build."""
        return self._facts.get("examples", self._examples)

    def _examples(self) -> tuple[list[str], dict[str, int]]:
        store = self.store
        stats = {
            "articles": store.value("select count(*) from articles") or 0,
            "people": store.value("select count(*) from people") or 0,
            "cities": store.value("select count(*) from cities where people > 0 or items > 0") or 0,
            "topics": store.value("select count(*) from topics where items > 0") or 0,
            "items": store.value("select count(*) from items") or 0,
        }
        examples: list[str] = []
        person = store.row("select name, pinyin, surname_length from people order by rank limit 1")
        city = store.row("select name from cities order by people desc, items desc, name limit 1")
        topic = store.row("select name from topics where items > 0 order by items desc, name limit 1")
        keyword = store.row(
            f"select i.latin_keywords, {ITEM_TEXT} as text from items i join paragraphs pt on pt.id = i.paragraph_id "
            "where i.latin_keywords is not null order by i.weight desc, i.id limit 1"
        )
        if person:
            examples.append(f"/who {person['name']}")
        if city:
            examples.append(f"/city {city['name']}")
        if topic:
            examples.append(f"/topic {topic['name']}")
        spelled_in_pinyin = pinyin_name(person["pinyin"], person["surname_length"]) if person else None
        if spelled_in_pinyin:
            examples.append(spelled_in_pinyin)
        if keyword:
            # An item's Latin keywords are stored best first, lower-case; show
            # the first as the text spells it (DeepSeek).
            word = keyword["latin_keywords"].split()[0]
            spelled = re.search(re.escape(word), keyword["text"], re.IGNORECASE)
            examples.append(f"谁提到了{spelled.group(0) if spelled else word}")
        examples.append("/quote")
        return examples, stats

    # Entities ---------------------------------------------------------------

    def _entity_command(self, query: str, args: str, kind: str) -> Answer:
        if not args:
            return self._listing(query, _KIND_TAG[kind], 0)
        resolution = self.resolver.resolve(args, (kind,))
        if resolution.match:
            return self._entity_answer(query, resolution.match, args)
        if " " in args:
            # /who 马新强 人才, /city 武汉 马新强: a name and more; read it as a
            # message would be read, and keep the reading if it names a `kind`.
            read = self._search(query, args)
            if any(entity.kind == kind for entity in [read.match, *read.filters] if entity):
                return read
        suggestions = list(resolution.suggestions)
        # /who 武汉, /topic 马新强: the name is of another kind; say so rather than guess.
        other = self.resolver.resolve(args, {"person", "city", "topic"} - {kind}, fuzzy=False)
        if other.match:
            suggestions.insert(0, other.match.candidate)
        elif kind == "topic":
            # A subject outside the lexicon can still be found by its words.
            found = self._full_text(query, self._terms(self.resolver.simplify(args)), [], notice=Notice.NOT_A_TOPIC)
            if found.items:
                return found
        return self._not_found(query, args, suggestions, Notice.AMBIGUOUS if resolution.ambiguous else None)

    def _not_found(self, query: str, subject: str, candidates: Iterable[Candidate], notice: Notice | None = None) -> Answer:
        suggestions = [
            Suggestion(candidate.kind, candidate.id, candidate.name, candidate.city) for candidate in unique_entities(candidates)
        ][:3]
        if notice == Notice.AMBIGUOUS and len(suggestions) < 2:
            notice = None  # one near miss (张非 for 张飞) is a "did you mean", not several meanings
        return Answer(query, Intent.NOT_FOUND, suggestions=suggestions, subject=subject[:60], notice=notice)

    def _entity_answer(self, query: str, resolved: Resolved, typed: str) -> Answer:
        return self._filtered(query, [_as_match(resolved, typed)], 0)

    def _filtered(self, query: str, entities: list[Match], offset: int, notice: Notice | None = None, size: int = PAGE_SIZE) -> Answer:
        """Items of one entity, or of a combination (马新强 人才, 武汉 人工智能)."""
        primary = _primary(entities)
        source = self._entity_filter(entities)
        total, items = self._items(source, offset, size)
        answer = Answer(query, primary.kind, match=primary, items=items, total=total, offset=offset)
        answer.filters = [e for e in entities if e is not primary]
        answer.notice = notice
        people = [e for e in entities if e.kind == "person"]
        if len(people) > 1:
            # 马新强 王行环: what either said; each is named, none gets the whole card.
            answer.people = self._people([e.id for e in people])
            answer.filters = [e for e in answer.filters if e.kind != "person"]
        elif primary.kind == "person":
            answer.people = [self._person(primary.id)]
        elif primary.kind == "city":
            answer.people, answer.people_total = self._delegates(primary.id)
            if len(entities) == 1 and offset == 0 and not any(item.kind == "fact" for item in items):
                # The facts and figures come last in the list: the first page shows the best of them.
                answer.figures = self._city_figures(primary.id)
        if total == 0 and not answer.people and not answer.filters:
            # A city or topic we know of, with nothing said about it yet.
            return Answer(query, Intent.NOT_FOUND, subject=primary.name, notice=Notice.NO_COVERAGE)
        if total == 0 and answer.filters:
            answer.notice = Notice.NO_ITEMS_FOR_FILTERS
        self._paginate(answer, Request(entities), offset, size)
        return answer

    def _city_figures(self, city_id: int) -> list[Item]:
        """A city's best facts and figures. Ingest ranks them after everything
        said, so the first is found by halving the ranks (whether the first
        row at or after a rank is a fact only turns from no to yes once): a
        few index reads, where reading on to it read every item before it."""
        number = self.store.value("select number from cities where id = ?", [city_id])
        last = self.store.value("select max(rank) from city_answers where city_number = ?", [number])
        if last is None:
            return []
        low, high = 0, last + 1
        while low < high:
            middle = (low + high) // 2
            kind = self.store.value(
                "select i.kind from city_answers ranked join items i on i.id = ranked.item_id "
                "where ranked.city_number = ? and ranked.rank >= ? order by ranked.rank limit 1",
                [number, middle],
            )
            if kind == "fact":
                high = middle
            else:
                low = middle + 1
        facts = Query(
            "city_answers ranked join items i on i.id = ranked.item_id",
            ["ranked.city_number = ?", "ranked.rank >= ?", "i.kind = 'fact'"],
            [number, low],
            "ranked.rank",
        )
        return self._items(facts, 0, MAX_FIGURES, count=False)[1]

    def _uncovered(self, entity: Match) -> bool:
        """A city or topic the store knows of, with no delegate and nothing said about it (北京)."""
        candidate = self.resolver.entity(entity.kind, entity.id)
        return candidate is None or candidate.weight == 0

    def _entity_filter(self, entities: list[Match]) -> Query:
        """Where a page of items comes from, for a set of entities: people are
        OR-ed (马新强 王行环: what either said), cities and topics AND-ed
        (上海 武汉: what links the two; 武汉 人工智能: Wuhan on AI).

        The order is the most specific ranked list among them: a topic's (items
        most about it first), else a city's, else the items' own rank. The list
        is read in the order ingest stored it, so a page costs a few index
        reads however many items match, and the other entities filter it. A
        list is keyed by rank and has no way in by item: a speaker's items, or
        a list much shorter than the ranked one, are read instead and put in
        the ranked list's order by their rows (its order key is the item's:
        _list_order), and so are a search's hits (Query.by_item).
        """
        ranked = next((e for e in entities if e.kind == "topic"), None) or next((e for e in entities if e.kind == "city"), None)
        speakers = [e.id for e in entities if e.kind == "person"]
        others = [e for e in entities if e.kind != "person" and not (ranked and (e.kind, e.id) == (ranked.kind, ranked.id))]
        # The shortest list is read whole (as an IN list, whose ids SQLite
        # walks), unless a speaker's items or the ranked list are shorter; every
        # other list is probed by the item's row for each item read. Listing them all as IN
        # lists had SQLite read each whole, and walk whichever came first.
        driver = min(others, key=self._list_length, default=None)
        if speakers or (driver and ranked and self._list_length(ranked) <= self._list_length(driver)):
            driver = None
        by_item = Query("items i", [], [], "i.rank", whole=driver is not None)
        if speakers:
            by_item.clauses.append(f"i.speaker_id in ({','.join('?' * len(speakers))})")
            by_item.params.extend(speakers)
        # A speaker's few items are tested on their own rows. Otherwise a city's
        # list (short) is a set SQLite reads once, and a search's hits are
        # tested by the id idx_items_search_id gives, not by a row of items each
        # (吕梁创新 took 9.8 ms, main's 3.6, at 1,000 articles). The unary + keeps
        # SQLite from reading the set first and asking the search index of each
        # of its items (25 ms for 深圳应发挥区位优势).
        for entity in others:
            if entity is driver:
                by_item.clauses.append(_in_list(entity, "i.id"))
            else:
                by_item.clauses.append(_in_list(entity, "+i.id") if entity.kind == "city" and not speakers else _on_list(entity, "i"))
        if not ranked:
            return by_item
        by_item.clauses.append(_in_list(ranked, "+i.id") if ranked.kind == "city" and not speakers else _on_list(ranked, "i"))
        by_item.order = _list_order(ranked, "i")
        if speakers or (driver and self._list_length(ranked) > WALK_RATIO * self._list_length(driver)):
            return by_item
        table, column, numbered = LISTS[ranked.kind]
        # Walked in its order, the driver and a city's list _city_as_set takes
        # are sets read once; a topic's, or a city's longer list, is tested on the
        # row of ranked.item_id: the page and the total need no join to items.
        walked = WALK_RATIO * self._list_length(ranked)
        clauses = [f"ranked.{column} = (select number from {numbered} where id = ?)"] + [
            _in_list(entity, "ranked.item_id") if entity is driver or self._city_as_set(entity, walked) else _on_list(entity, "x", "ranked.item_id")
            for entity in others
        ]
        return Query(
            f"{table} ranked join items i on i.id = ranked.item_id", clauses, [ranked.id], "ranked.rank",
            lean=f"{table} ranked", whole=driver is not None, by_item=by_item,
        )

    def _city_as_set(self, entity: Match, walked: int) -> bool:
        """Whether a city's list that filters a walked list is read whole as a
        set: not much longer than the walked one, nor long enough to fill a
        page soon when tested on the walked rows (ROW_TESTED)."""
        if entity.kind != "city":
            return False
        length = self._list_length(entity)
        return length <= walked and length**2 <= ROW_TESTED * self._item_total()

    def _item_total(self) -> int:
        return self._facts.get("items", lambda: self.store.value("select count(*) from items") or 0)

    def _list_length(self, entity: Match) -> int:
        """About how many items a city's or topic's list holds (its weight), to choose which list to read."""
        candidate = self.resolver.entity(entity.kind, entity.id)
        return candidate.weight if candidate else 0

    def _items(
        self,
        query: Query,
        offset: int,
        limit: int,
        search: str | None = None,
        count: bool = True,
        paragraphs: str | None = None,
        filtering: bool = False,
    ) -> tuple[int, list[Item]]:
        """One page of items and how many match in all (without ``count``,
        only how many are on the page). With ``search``, an FTS5 expression,
        items are limited to its hits, best match first; with ``paragraphs``,
        the expression for the paragraphs' index, the items whose paragraph
        matches follow (see _search_page). ``filtering``: ``search`` alone
        passes only the items the query's filters pass.

        The page is chosen on ids and ranks alone; only its rows are then read
        in full, with their topics, in one query."""
        if search and query.by_item:
            query = query.by_item
        where = " and ".join(query.clauses) or "1"
        if search:
            total, page = self._search_page(query, where, search, offset, limit, paragraphs, filtering)
        else:
            source, item = (query.lean, "ranked.item_id") if query.lean else (query.source, "i.id")
            if query.whole and count:
                matches = self.store.rows(f"select {item} as id from {source} where {where} order by {query.order}", query.params)
                total, page = len(matches), matches[offset : offset + limit]
            else:
                page = self.store.rows(
                    f"select {item} as id from {source} where {where} order by {query.order} limit ? offset ?", [*query.params, limit, offset]
                )
                total = self._count(f"select count(*) from {source} where {where}", query.params) if count else len(page)
        ids = [row["id"] for row in page]
        if not ids:
            return total, []
        if len(ids) > CACHED_PAGE:
            found = self._read_items(ids)
        else:
            # One get per id: another thread may clear the cache between a test and a read.
            remembered = self._item_cache.values()
            found = {item_id: item for item_id in ids if (item := remembered.get(item_id)) is not None}
            missing = [item_id for item_id in ids if item_id not in found]
            if missing:
                read = self._read_items(missing)
                self._item_cache.update(read)
                found.update(read)
        return total, [found[item_id] for item_id in ids]

    def _read_items(self, ids: list[int]) -> dict[int, Item]:
        """Items by id, each with its row, speaker, article, topics and
        sources: two queries however many."""
        marks = ",".join("?" * len(ids))
        rows = {
            row["id"]: row
            for row in self.store.rows(
                f"select i.id, i.kind, {ITEM_TEXT} as text, i.start, i.end, i.has_figures, i.paragraph_id, i.speaker_id, "
                "p.name as speaker, p.city as speaker_city, p.pinyin, p.surname_length, c.english as city_english, "
                "a.id as article_id, a.title, a.source, a.date, a.url, a.file, i.topics "
                "from items i join paragraphs pt on pt.id = i.paragraph_id join articles a on a.id = i.article_id "
                "left join people p on p.id = i.speaker_id "
                f"left join cities c on c.id = p.city_id where i.id in ({marks})",
                ids,
            )
        }
        reprints: dict[int, list[Source]] = {}
        for row in self.store.rows(
            "select r.item_id, a.id, a.title, a.source, a.date, a.url, a.file from item_reprints r join articles a on a.id = r.article_id "
            f"where r.item_id in ({marks}) order by r.item_id, r.position, a.date, a.id",
            ids,
        ):
            reprints.setdefault(row["item_id"], []).append(Source(row["id"], row["title"], row["source"], row["date"], row["url"] or None, row["file"]))
        names = self._topic_names()
        return {
            item_id: _item(row, reprints.get(item_id, ()), tuple(names[number] for number in topic_counts(row["topics"])))
            for item_id, row in rows.items()
        }

    def _topic_names(self) -> dict[str, str]:
        """Each topic's name by its number as items.topics spells it."""
        return self._facts.get("topic_names", lambda: {str(row["number"]): row["name"] for row in self.store.rows("select number, name from topics")})

    def _person(self, person_id: int) -> Person:
        """A person's card, with the topics they spoke on."""

        def card() -> Person:
            names = self._topic_names()
            counts = Counter(
                names[number]
                for row in self.store.rows("select topics from items where speaker_id = ? and kind != 'fact' and topics is not null", (person_id,))
                for number in topic_counts(row["topics"])
            )
            topics = sorted(counts, key=lambda name: (-counts[name], name))[:MAX_TOPICS]
            return self._people([person_id], {person_id: tuple(topics)})[0]

        return self._cards.get(("person", person_id), card)

    def _people(self, ids: list[int], topics: dict[int, tuple[str, ...]] | None = None) -> list[Person]:
        """People by id, in that order, with their facts: three queries however many."""
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = {
            row["id"]: row
            for row in self.store.rows(
                f"select p.*, c.english as city_english from people p left join cities c on c.id = p.city_id where p.id in ({marks})", ids
            )
        }
        facts: dict[int, dict[str, Fact]] = {}
        for fact in self.store.rows(f"select person_id, field, value, source from fact_sources where person_id in ({marks})", ids):
            facts.setdefault(fact["person_id"], {})[fact["field"]] = Fact(fact["value"], fact["source"])
        people = []
        for person_id in ids:
            row, known = rows[person_id], facts.get(person_id, {})
            people.append(
                Person(
                    id=row["id"],
                    name=row["name"],
                    city=row["city"],
                    role=known.get("role"),
                    affiliation=known.get("affiliation"),
                    city_fact=known.get("city"),
                    quotes=row["quotes"],
                    statements=row["statements"],
                    facts=row["facts"],
                    topics=(topics or {}).get(person_id, ()),
                    latin=pinyin_name(row["pinyin"], row["surname_length"]),
                    city_latin=row["city_english"] or None,
                )
            )
        return people

    def _delegates(self, city_id: int) -> tuple[list[Person], int]:
        """The city's most quoted delegates, and how many it has in all."""

        def delegates() -> tuple[tuple[Person, ...], int]:
            rows = self.store.rows(
                "select id, count(*) over () as total from people where city_id = ? "
                "order by quotes + statements + facts desc, name limit ?",
                (city_id, MAX_DELEGATES),
            )
            return tuple(self._people([row["id"] for row in rows])), rows[0]["total"] if rows else 0

        people, total = self._cards.get(("city", city_id), delegates)
        return list(people), total

    # Search -----------------------------------------------------------------

    def _search_page(
        self, query: Query, where: str, search: str, offset: int, limit: int, paragraphs: str | None = None, filtering: bool = False
    ) -> tuple[int, list]:
        """How many items match the FTS5 expression ``search`` and pass the
        query's filters, and one page of them.

        The first RANKED_HITS hits in the index's order are ranked (bm25, then
        the query's own order) and come first; any hits after them follow in
        the index's order. So a word in ten thousand paragraphs costs what one
        in a thousand does, its first pages are the best of two hundred hits,
        and every page cuts the same order. Fewer hits than that are the total;
        only a search with more counts them, from the index's lists alone.

        With ``paragraphs``, a search with fewer own hits than that goes on
        with the items whose paragraph matches that expression, after them
        (_paragraph_hits). When ``search`` does the filtering itself, its hits
        are read and counted from the index alone.
        The total counts both, so every item it counts is on some page."""
        unfiltered = filtering or (query.source == "items i" and not query.clauses)
        if unfiltered:
            matching = (
                "select i.id as item_id{} from item_search_fts join items i on i.search_id = item_search_fts.rowid "
                "where item_search_fts match ? order by item_search_fts.rowid limit ? offset ?"
            )
            params = [search]
        else:
            # Ordered by the index's rowid, not i.search_id (the same number), so the index's
            # order is the join's and a page stops reading hits once it is full.
            matching = (
                "select i.id as item_id{} from " + query.source + " join item_search_fts on item_search_fts.rowid = i.search_id "
                f"where item_search_fts match ? and {where} order by item_search_fts.rowid limit ? offset ?"
            )
            params = [search, *query.params]
        page = []
        if offset < RANKED_HITS or paragraphs:
            # Every ranked hit (two hundred at most): the page is cut from them, and with
            # fewer, they are all the own hits, which the paragraphs' hits then follow.
            ranked: list[int] | None
            if query.source == "items i" and not query.clauses:
                # Nothing to filter: the hits are scored from the index alone, and
                # of all two hundred only the page's items (and their ties) are read.
                scores = self.store.rows(
                    f"select rowid as search_id, {SEARCH_RANK} as score from item_search_fts where item_search_fts match ? "
                    "order by rowid limit ?",
                    [search, RANKED_HITS],
                )
                full = len(scores) == RANKED_HITS
                ranked = None if full else self._ranked_slice(scores, 0, len(scores))
                if full and offset < RANKED_HITS:
                    page = [{"id": item_id} for item_id in self._ranked_slice(scores, offset, min(offset + limit, RANKED_HITS))]
            else:
                # The ranked list alone (query.lean) orders them when the items' rows add nothing.
                source, item = (query.lean, "ranked.item_id") if query.lean else (query.source, "i.id")
                # The hits passed the clauses already: only a ranked list joined again needs them, to give each hit its own row.
                again, again_params = ("1", []) if source == "items i" else (where, query.params)
                ranked = [
                    row["item_id"]
                    for row in self.store.rows(
                        f"with hits as materialized ({matching.format(', ' + SEARCH_RANK + ' as score')}) "
                        f"select hits.item_id from {source} join hits on hits.item_id = {item} where {again} order by hits.score, {query.order}",
                        [*params, RANKED_HITS, 0, *again_params],
                    )
                ]
            if ranked is not None:
                if len(ranked) < RANKED_HITS:
                    if paragraphs:
                        ranked += self._paragraph_hits(query, where, paragraphs, set(ranked))
                    return len(ranked), [{"id": item_id} for item_id in ranked[offset : offset + limit]]
                page = [{"id": item_id} for item_id in ranked[offset : offset + limit]]
        if offset + limit > RANKED_HITS:
            start = max(offset, RANKED_HITS)
            page += self.store.rows(
                f"select item_id as id from ({matching.format('')})", [*params, offset + limit - start, start]
            )
        counted = "select count(*) from " + (
            "item_search_fts where item_search_fts match ?"
            if unfiltered
            else f"{query.source} join item_search_fts on item_search_fts.rowid = i.search_id where item_search_fts match ? and {where}"
        )
        return self._count(counted, params), page

    def _count(self, sql: str, params: list) -> int:
        """A count(*) statement's answer, remembered until the store changes.
        Counting walks every match (9,734 hits of 沿途下蛋 in the items' index,
        0.4-0.6 ms at 10,000 articles; the items of a city's list), and the
        same list or words are counted for every page and every message that
        asks for them."""
        return self._counts.get((sql, *params), lambda: self.store.value(sql, params) or 0)

    def _ranked_slice(self, scores: list, start: int, stop: int) -> list[int]:
        """The item ids at [start, stop) of hits ordered by score, then by the
        items' own rank. ``scores`` are (search_id, score) rows. Only the
        hits scoring from the slice's first score to its last can fall in
        it, so only their items are read (a page and its ties, not two
        hundred rows)."""
        ordered = sorted(scores, key=itemgetter(1))
        if start >= len(ordered):
            return []
        values = [row[1] for row in ordered]
        first = bisect_left(values, values[start])
        last = bisect_right(values, values[stop - 1])
        block = ordered[first:last]
        marks = ",".join("?" * len(block))
        items = {
            row["search_id"]: (row["rank"], row["id"])
            for row in self.store.rows(f"select search_id, rank, id from items where search_id in ({marks})", [row[0] for row in block])
        }
        # SQLite's order by score, rank: a rank that is null sorts first.
        ranked = sorted(
            ((row[1], *items[row[0]]) for row in block if row[0] in items), key=lambda entry: (entry[0], entry[1] is not None, entry[1] or 0)
        )
        return [item_id for _, _, item_id in ranked[start - first : stop - first]]

    def _paragraph_hits(self, query: Query, where: str, search: str, own: set[int]) -> list[int]:
        """The items, passing the query's filters, whose paragraph matches
        ``search``, but not the ``own`` hits (all the items matching by their
        own words): those in the first PARAGRAPH_HITS paragraphs the index
        finds, the best-matching paragraph first. The bound keeps a search
        for common words from walking every paragraph; the answer counts
        only what it lists."""
        rows = self.store.rows(
            f"with found as materialized (select pg.id as paragraph_id, bm25({PARAGRAPH_SEARCH}) as score from {PARAGRAPH_SEARCH} "
            f"join paragraphs pg on pg.search_id = {PARAGRAPH_SEARCH}.rowid where {PARAGRAPH_SEARCH} match ? order by {PARAGRAPH_SEARCH}.rowid limit ?) "
            f"select i.id from {query.source} join found on found.paragraph_id = i.paragraph_id where {where} "
            f"order by found.score, {query.order}",
            [search, PARAGRAPH_HITS, *query.params],
        )
        return [row["id"] for row in rows if row["id"] not in own]

    def _search(self, query: str, text: str) -> Answer:
        """Plain text and /search: a message naming one thing answers as that
        thing; names plus words filter; anything else is a full-text search.
        Text longer than a question was pasted (see _pasted)."""
        if len(text) > MAX_SEARCH and _question_length(text) > MAX_SEARCH:
            return self._pasted(query, text)
        resolution, entities, terms = self._plan(text)
        if resolution.match and resolution.match.how == "synonym":
            # DeepSeek is a synonym of 人工智能, but who said "DeepSeek" asks for that word first.
            found = self._full_text(query, self._terms(self.resolver.simplify(text)), [])
            if found.items:
                return found
        if resolution.match:
            return self._entity_answer(query, resolution.match, text)
        if entities and not terms:
            return self._filtered(query, entities, 0)
        if terms:
            answer = self._full_text(query, terms, entities)
            if answer.items:
                return answer
            if entities:
                answer = self._filtered(query, entities, 0, notice=Notice.TERMS_NOT_FOUND)
                answer.terms = terms  # shown instead of the whole message, which may be 4,000 characters
                if answer.items:
                    return answer
                # Names that never meet (three topics no item shares, in 长江经济带城市的科技创新与产业创新):
                # search all the words rather than answer with nothing.
                found = self._full_text(query, self._terms(self.resolver.simplify(text)), [])
                return found if found.items else answer
        if not resolution.ambiguous:
            resolution = self.resolver.resolve(text)  # now the near misses are worth looking for
        if resolution.ambiguous or resolution.suggestions:
            return self._not_found(query, text, resolution.suggestions, Notice.AMBIGUOUS if resolution.ambiguous else None)
        # "Tell me a name, a city or a topic" only when the message names nothing
        # (谁说了什么, ？？？); 张三 is a name we do not know, and is told so.
        return self._not_found(query, text, [], Notice.NOTHING_TO_SEARCH if not entities and not self._has_content(text) else None)

    def _pasted(self, query: str, text: str) -> Answer:
        """Text longer than a question: an article or a paragraph pasted in.

        It was copied, not typed, so its names are read as spelt, over all the
        engine reads of it (MAX_MESSAGE): a lookup in memory at each place. No
        run of characters is tried as a name with a typo (_plan tries a dozen,
        each a query), and no name is tried as a filter with another: the six
        names of an article seldom meet in one item, and proving it reads their
        lists whole. The answer is the people it names and what they said (the
        first MAX_NAMED named); naming no one, what it is most about: the topic
        it names most, else the city (first named on a tie); naming nothing,
        the items holding all of its opening's rarest words. Items holding any
        one of them are no answer: thousands hold one word of an article."""
        found = self.resolver.scan(text, MAX_MESSAGE)
        named = unique_entities([_as_match(resolved, text[start:end]) for start, end, resolved in found])
        people = [entity for entity in named if entity.kind == "person"][:MAX_NAMED]
        if people:
            return self._filtered(query, people, 0)
        if named:
            times = Counter((resolved.candidate.kind, resolved.candidate.id) for _, _, resolved in found)
            subject = max(named, key=lambda entity: (entity.kind == "topic", times[(entity.kind, entity.id)], -named.index(entity)))
            return self._filtered(query, [subject], 0)
        terms = self._terms(self.resolver.simplify(text[:MAX_SEARCH]))
        answer = self._full_text(query, terms, [], loosen=False)
        if answer.items:
            return answer
        return self._not_found(query, text, [], None if terms or self._has_content(text) else Notice.NOTHING_TO_SEARCH)

    def _plan(self, text: str) -> tuple[Resolution, list[Match], list[str]]:
        """How a free-text message reads: one entity it names as a whole, or
        the entities named inside it and the words left to search for."""
        resolution = self.resolver.resolve(text, suggest=False)
        if resolution.match:
            return resolution, [_as_match(resolution.match, text)], []
        if resolution.ambiguous:
            # liu jian gang names two twins as a whole; its pieces are not to be
            # searched (jian is 吉安's English name): the caller asks which twin.
            return resolution, [], []
        found = self.resolver.scan(text)
        leftover = self.resolver.simplify(text[:MAX_SCAN])
        entities = unique_entities([_as_match(resolved, leftover[start:end]) for start, end, resolved in found])
        for start, end, _ in sorted(found, key=lambda span: span[0], reverse=True):
            leftover = leftover[:start] + " " + leftover[end:]
        if " " in text:
            # A word set apart by spaces may be a name with a typo (马欣强 人才):
            # the scan above only sees names spelt right.
            for chunk in leftover.split()[:MAX_CHUNKS]:
                if 2 <= len(chunk) <= 8 and all(is_cjk(c) for c in chunk):
                    person = self.resolver.resolve(chunk, ("person",), suggest=False)
                    if person.match:
                        entities = unique_entities(entities + [_as_match(person.match, chunk)])
                        leftover = leftover.replace(chunk, " ")
        if not any(entity.kind == "person" for entity in entities):
            # 马欣强说了什么: a name with a typo, inside the question.
            typos = self.resolver.typos_in(leftover)
            entities = unique_entities(entities + [_as_match(resolved, leftover[start:end]) for start, end, resolved in typos])
            for start, end, _ in reversed(typos):
                leftover = leftover[:start] + " " + leftover[end:]
        return resolution, entities, self._terms(leftover)

    def share(self, text: str, offset: int = 0, limit: int = 50) -> Answer:
        """What was said that matches text, to share from inline mode: the same
        reading as a chat message, only quotes and statements, a long page.
        Empty text gives the best quotes overall."""
        self.store.refresh()
        text = clean_message(text, limit=MAX_SEARCH)
        offset = max(0, offset)
        entities: list[Match] = []
        terms: list[str] = []
        if text:
            resolution, entities, terms = self._plan(text)
            if not entities and not terms:
                return Answer(text, Intent.NOT_FOUND, suggestions=[], subject=text)
        source = self._entity_filter(entities).where("i.kind != 'fact'")
        # Only items whose own words (or speaker) hold every term: an inline
        # result has no room to say it was found by its paragraph or topics.
        # Words too common to narrow are left out, and topics and speakers
        # matched in the index, as in a chat's search.
        terms = self._narrowing(terms)
        expression = f"{{text speaker}} : ({self._expression(terms, ' AND ')})" if terms else None
        named = self._named_in_index(entities)
        if expression and named:
            expression = f"{expression} AND {named}"
        total, items = self._items(source, offset, limit, search=expression)
        match = _primary(entities) if entities else None
        return Answer(text, Intent.SEARCH if terms or not match else match.kind, match=match, items=items, total=total, offset=offset, terms=terms)

    def _terms(self, text: str) -> list[str]:
        """The words of a query worth searching for, segmented as the index was.
        Latin words keep their case for display; the index ignores case."""
        text = text[:MAX_SEARCH]
        total = self._jieba_total()
        terms: list[str] = []
        seen: set[str] = set()
        for word in segment(text, self._vocab_lookup, total):
            folded = word.lower()
            if folded in QUERY_STOPWORDS or folded in seen:
                continue
            if len(word) < 2:
                continue  # one character (or digit) matches half the index and says nothing
            seen.add(folded)
            terms.append(word)
        if len(terms) > MAX_TERMS:
            # A pasted paragraph: search for its rarest words, which say most about it.
            rarest = set(self._rarest(terms, MAX_TERMS))
            terms = [term for term in terms if term in rarest]
        return terms

    def _expression(self, terms: list[str], joiner: str) -> str:
        """An FTS5 query for the terms, each quoted so user text is never FTS5
        syntax. A word the index holds is matched whole (cheap and exact); any
        other word as a prefix, so 营收 finds 营收达."""
        indexed = self._vocab_lookup(term.lower() for term in terms)
        return joiner.join(_quoted(term) + ("" if term.lower() in indexed else "*") for term in terms)

    def _named_in_index(self, entities: list[Match]) -> str | None:
        """The topics and speakers of a search's filter as an FTS5 expression
        over the items' index (its topics and speaker columns hold the same
        names as item_topics and items.speaker_id): the index then gives only
        the items that pass them, and the filter's tables are read for those
        alone, not for every item holding the words (我们企业在氢能上投入很大:
        219 of 6,000 items with 很大 are on 氢能). Cities' lists are ranked
        apart and stay a filter."""
        parts = [f"topics : {_quoted(entity.name)}" for entity in entities if entity.kind == "topic"]
        speakers = [_quoted(entity.name) for entity in entities if entity.kind == "person"]
        if speakers:
            parts.append(f"speaker : ({' OR '.join(speakers)})")
        return " AND ".join(parts) or None

    def _jieba_total(self) -> int:
        """jieba's total frequency at ingest, which word probabilities divide by."""
        return self._facts.get("jieba_total", lambda: int(self.store.value("select value from meta where key = 'jieba_total'") or 60_000_000))

    def _rarest(self, terms: list[str], count: int) -> list[str]:
        if len(terms) <= count:
            return terms
        frequencies = self._vocab_lookup(term.lower() for term in terms)
        return sorted(terms, key=lambda term: frequencies.get(term.lower(), 0))[:count]

    def _has_content(self, text: str) -> bool:
        """True when text holds a letter, digit or Han character outside the
        words that only frame a question."""
        words = segment(self.resolver.simplify(text[:MAX_SEARCH]).lower(), self._vocab_lookup, self._jieba_total())
        return any(word not in QUERY_STOPWORDS and any(c.isalnum() for c in word) for word in words)

    def _vocab_lookup(self, candidates: Iterable[str]) -> dict[str, int]:
        """jieba frequencies of the candidates that are indexed words."""
        return {word: frequency for word, (frequency, _) in self._vocab_rows(candidates).items() if frequency}

    def _vocab_rows(self, candidates: Iterable[str]) -> dict[str, tuple[int, int]]:
        """Each candidate's jieba frequency and count in the store's text,
        (0, 0) for a word the store does not hold. Answers are remembered
        (absent words too), up to a bound, until the store changes."""
        words = set(candidates)
        remembered = self._vocab.values()
        # One get per word: another thread may clear the cache between a test and a read.
        known = {word: pair for word in words if (pair := remembered.get(word)) is not None}
        missing = [word for word in words if word not in known]
        for start in range(0, len(missing), 900):  # SQLite's limit on bound parameters
            chunk = missing[start : start + 900]
            found = {row["term"]: (row["freq"], row["count"]) for row in self.store.rows(
                f"select term, freq, count from vocab where term in ({','.join('?' * len(chunk))})", chunk
            )}
            known.update({word: found.get(word, (0, 0)) for word in chunk})
        if missing:
            self._vocab.update({word: known[word] for word in missing})
        return known

    def _narrowing(self, terms: list[str]) -> list[str]:
        """The terms worth matching: each but those too common to narrow the
        search when a rarer one remains.

        A word in more than COMMON_SHARE of the paragraphs (vocab.count, its
        occurrences in the store's text, against the paragraphs' count: the
        store's own numbers, not a list) costs a walk over that much of the
        index, and the items the rarer words find hold it or sit beside it
        about as often as not. 我们企业在氢能上投入很大 searches 很大 within
        氢能's items, not 我们, 企业 and 投入 too. A word in no more
        paragraphs than a search ranks hits (RANKED_HITS) costs what the
        ranking does, so a small store leaves nothing out. When every word is
        too common, the rarest is kept. The answer shows the words it searched."""
        if len(terms) < 2:
            return terms
        counts = {word: count for word, (_, count) in self._vocab_rows(term.lower() for term in terms).items()}
        common = max(COMMON_SHARE * self._paragraph_count(), RANKED_HITS)
        kept = [term for term in terms if counts[term.lower()] <= common]
        return kept or [min(terms, key=lambda term: counts[term.lower()])]

    def _paragraph_count(self) -> int:
        return self._facts.get("paragraphs", lambda: self.store.value("select coalesce(sum(paragraphs), 0) from articles") or 1)

    def _full_text(
        self,
        query: str,
        terms: list[str],
        entities: list[Match],
        offset: int = 0,
        notice: Notice | None = None,
        size: int = PAGE_SIZE,
        loosen: bool = True,
    ) -> Answer:
        """Items holding every term; with ``loosen``, when none does, those
        holding any of the rarest OR_TERMS (the answer says so)."""
        if not terms:
            return Answer(query, Intent.SEARCH, notice=notice)
        source = self._entity_filter(entities)
        terms = self._narrowing(terms)
        named = self._named_in_index(entities)
        filtering = all(entity.kind in ("topic", "person") for entity in entities)
        total, items, any_word = 0, [], False
        tries = [(" AND ", terms)] + ([(" OR ", self._rarest(terms, OR_TERMS))] if loosen else [])
        for joiner, words in tries:
            expression = self._expression(words, joiner)
            # The paragraphs' index keeps no positions: a word of several tokens (8729.9) is searched in the items' alone.
            paragraphs = expression if all(character.isalnum() for term in words for character in term) else None
            own = f"({expression}) AND {named}" if named else expression
            total, items = self._items(source, offset, size, search=own, paragraphs=paragraphs, filtering=filtering)
            if total or len(terms) == 1:
                any_word = joiner == " OR " and bool(total)
                break
        answer = Answer(query, Intent.SEARCH, match=_primary(entities) if entities else None, items=items, total=total, offset=offset)
        answer.filters = [e for e in entities if e is not answer.match]
        answer.terms = terms
        # Say so when no item has every word: the answer is looser than the question.
        answer.notice = notice or (Notice.ANY_WORD if any_word else None)
        if answer.notice is None and any(
            term.lower() not in self.resolver.simplify(f"{item.text} {item.speaker or ''}").lower() for item in items for term in terms
        ):
            # An item found by its paragraph or its topics lacks some word in its
            # own text, and the answer says why it is here.
            answer.notice = Notice.IN_CONTEXT
        self._paginate(answer, Request(entities, " ".join(terms)), offset, size)
        return answer

    # Quotes, lists, pages, context -------------------------------------------

    def _quote(self, query: str, args: str) -> Answer:
        entities: list[Match] = []
        if args:
            resolution = self.resolver.resolve(args)
            if not resolution.match:
                return self._not_found(query, args, resolution.suggestions, Notice.AMBIGUOUS if resolution.ambiguous else None)
            entities = [_as_match(resolution.match, args)]
        if not entities:
            return self._any_quote(query)
        quotes = self._entity_filter(entities).where("i.kind = 'quote'")
        quotes.order = "i.id"
        total = self.store.value(f"select count(*) from {quotes.source} where {' and '.join(quotes.clauses)}", quotes.params) or 0
        if not total and entities and self._uncovered(entities[0]):
            # /quote 北京: a city we know of, with nothing said about it yet.
            return Answer(query, Intent.NOT_FOUND, subject=entities[0].name, notice=Notice.NO_COVERAGE)
        if not total:
            return Answer(query, Intent.QUOTE, match=entities[0] if entities else None, notice=Notice.NO_QUOTES)
        _, items = self._items(quotes, self.rng.randrange(total), 1, count=False)  # counted above
        return Answer(query, Intent.QUOTE, match=entities[0] if entities else None, items=items, total=1)

    def _any_quote(self, query: str) -> Answer:
        """A random quote of the whole store: the first at or after a random
        id. Ids are hashes, spread evenly over their range, so this is close to
        a uniform draw, and it reads items from there by id: a third of them are
        quotes, so about three rows (an index of quotes alone cost 0.23 MB at
        1,000 articles), where counting the quotes and skipping to a random one read them all."""
        pivot = self.rng.randrange(1 << 53)
        found = self.store.value("select id from items where kind = 'quote' and id >= ? order by id limit 1", [pivot])
        if found is None:
            found = self.store.value("select id from items where kind = 'quote' order by id limit 1")
        if found is None:
            return Answer(query, Intent.QUOTE, notice=Notice.NO_QUOTES)
        _, items = self._items(Query("items i", ["i.id = ?"], [found], "i.id"), 0, 1, count=False)
        return Answer(query, Intent.QUOTE, items=items, total=1)

    def _listing(self, query: str, tag: str, offset: int) -> Answer:
        source, columns, order = {
            "p": ("people", "quotes + statements + facts as n, city as detail", "rank"),
            "c": ("cities where people > 0 or items > 0", "people as n, english as detail", "people desc, items desc, name"),
            "t": ("topics where items > 0", "items as n, english as detail", "items desc, name"),
        }[tag]
        total = self.store.value(f"select count(*) from {source}") or 0
        rows = self.store.rows(f"select id, name, {columns} from {source} order by {order} limit ? offset ?", (LIST_PAGE_SIZE, offset))
        kind = _TAG_KIND[tag]
        answer = Answer(query, _LIST_INTENT[tag], total=total, offset=offset)
        answer.entries = [Entry(kind, row["id"], row["name"], row["n"], row["detail"]) for row in rows]
        self._paginate(answer, Request(listing=tag), offset, LIST_PAGE_SIZE)
        return answer

    def _paginate(self, answer: Answer, request: Request, offset: int, size: int) -> None:
        if answer.total and not request.listing:
            answer.export = "/export " + self._token(request, 0).removeprefix("/more ")
        if offset + size < answer.total:
            answer.next = self._token(request, offset + size)
        if offset > 0:
            answer.prev = self._token(request, max(0, offset - size))

    def _token(self, request: Request, offset: int) -> str:
        """The '/more …' command for a page: it carries everything it needs, so
        it works in any process (a later ask, a restarted bot)."""
        parts = [f"{_KIND_TAG[e.kind]}{to_base36(e.id)}" for e in request.entities]
        if request.listing:
            parts.append("L" + request.listing)
        if request.terms:
            parts.append("s" + request.terms.replace(";", " "))
        parts.append(f"o{offset}")
        return "/more " + ";".join(parts)

    def _more(self, query: str, token: str, size: int = PAGE_SIZE) -> Answer:
        request, offset = self._parse_token(token)
        if request is None:
            return Answer(query, Intent.EXPIRED)
        if request.listing:
            answer = self._listing(query, request.listing, offset)
        elif request.terms:
            answer = self._full_text(query, request.terms.split(), request.entities, offset, size=size)
        else:
            answer = self._filtered(query, request.entities, offset, size=size)
        if not answer.items and not answer.entries:
            # The bot only hands out tokens for pages that hold something: an
            # empty page means the token was forged or the store has changed.
            return Answer(query, Intent.EXPIRED)
        return answer

    def _parse_token(self, token: str) -> tuple[Request | None, int]:
        """Parse a continuation token strictly: anything forged or stale is None."""
        if not token or len(token.encode("utf-8")) > MAX_TOKEN:
            return None, 0
        request = Request()
        offset = None
        for part in token.split(";"):
            tag, value = part[:1], part[1:]
            if tag in _TAG_KIND:
                entity_id = from_base36(value)
                candidate = self.resolver.entity(_TAG_KIND[tag], entity_id) if entity_id is not None else None
                if candidate is None or len(request.entities) >= 4:
                    return None, 0
                request.entities.append(Match(candidate.kind, candidate.id, candidate.name, candidate.city, 100.0, "token"))
            elif tag == "L" and value in _LIST_INTENT:
                request.listing = value
            elif tag == "s" and value.strip():
                request.terms = value.strip()
            elif tag == "o" and re.fullmatch(r"[0-9]{1,7}", value):  # str.isdigit() admits digits int() rejects (፩)
                offset = int(value)
            else:
                return None, 0
        if offset is None or not (request.entities or request.terms or request.listing):
            return None, 0
        if request.listing and (request.entities or request.terms):
            return None, 0  # no page is both a list and a search: forged
        return request, offset

    def _context(self, query: str, args: str) -> Answer:
        item_id = from_base36(args.strip().lower()) if args.strip() else None
        if item_id is None:
            return Answer(query, Intent.EXPIRED)
        _, items = self._items(Query("items i", ["i.id = ?"], [item_id], "i.id"), 0, 1)
        if not items:
            return Answer(query, Intent.EXPIRED)
        item = items[0]
        paragraph = self.store.row(
            "select a.slug, pt.number, pt.text from paragraphs pt join articles a on a.id = pt.article_id where pt.id = ?",
            (item.paragraph_id,),
        )
        # The neighbours are found by their ids, which their article's slug and
        # their numbers give: nothing indexes paragraphs by article, and a scan
        # for them took over 100 ms at 10,000 articles.
        around = {paragraph_id_of(paragraph["slug"], number): number for number in (paragraph["number"] - 1, paragraph["number"] + 1)}
        neighbours = {
            around[row["id"]]: row["text"] for row in self.store.rows("select id, text from paragraphs where id in (?, ?)", tuple(around))
        }
        context = Context(item, paragraph["text"], neighbours.get(paragraph["number"] - 1), neighbours.get(paragraph["number"] + 1))
        return Answer(query, Intent.CONTEXT, items=[item], total=1, context=context)

    # Deep links, follows, exports, added articles ------------------------------

    def _deep_link(self, query: str, payload: str) -> Answer:
        """/start with a deep link's payload (p…, c…, t…, i…): the answer it
        stands for. A payload the bot did not make is help, as /start is."""
        found = _DEEP_LINK.fullmatch(payload.strip().lower())
        if not found:
            return self._help(query)
        if found.group("tag") == DEEP_LINK_TAGS["item"]:
            return self._context(query, found.group("id"))
        candidate = self.resolver.entity(_TAG_KIND[found.group("tag")], int(found.group("id"), 36))
        if candidate is None:
            return Answer(query, Intent.EXPIRED)
        return self._filtered(query, [Match(candidate.kind, candidate.id, candidate.name, candidate.city, 100.0, "link")], 0)

    def subject(self, text: str) -> Answer:
        """What /follow X means: the person, city or topic X names, resolved
        as everywhere else (typos, pinyin, traditional, aliases), or a
        NOT_FOUND with suggestions. A button's ``#p1a2b`` names one by id."""
        self.store.refresh()
        text = clean_message(text[:MAX_SEARCH])
        key = _SUBJECT_KEY.fullmatch(text.lower())
        if key:
            candidate = self.resolver.entity(_TAG_KIND[key.group("tag")], int(key.group("id"), 36))
            if candidate is None:
                return Answer(text, Intent.EXPIRED)
            return Answer(text, Intent(candidate.kind), match=Match(candidate.kind, candidate.id, candidate.name, candidate.city, 100.0, "key"))
        if not text:
            return Answer(text, Intent.NOT_FOUND, subject="")
        resolution = self.resolver.resolve(text)
        if resolution.match:
            match = _as_match(resolution.match, text)
            return Answer(text, Intent(match.kind), match=match)
        return self._not_found(text, text, resolution.suggestions, Notice.AMBIGUOUS if resolution.ambiguous else None)

    def items(self, item_ids: list[int]) -> list[Item]:
        """Items by id, in that order; ids the store no longer holds are left out."""
        self.store.refresh()
        found: list[Item] = []
        for start in range(0, len(item_ids), 900):  # SQLite's limit on bound parameters
            chunk = item_ids[start : start + 900]
            _, items = self._items(Query("items i", [f"i.id in ({','.join('?' * len(chunk))})"], chunk, "i.rank"), 0, len(chunk), count=False)
            by_id = {item.id: item for item in items}
            found.extend(by_id[item_id] for item_id in chunk if item_id in by_id)
        return found

    def followed(self, item_ids: list[int], subjects: Iterable[tuple[str, int]]) -> dict[tuple[str, int], list[int]]:
        """Which of the items (new ones, from an added article) are about each
        followed subject, a (kind, id) pair: a person's by them or naming
        them, a city's as its answer ranks them, a topic's."""
        self.store.refresh()
        return items_for_subjects(self.store, item_ids, subjects)

    def article_report(self, slug: str, new_items: Iterable[int]) -> ArticleReport | None:
        """What an added article brought: its people, its items by kind, and
        which were reprints of items the store had already."""
        self.store.refresh()
        return article_report(self.store, slug, set(new_items))

    def articles(self) -> list[Article]:
        """Every article in the store, the newest first."""
        self.store.refresh()
        return articles(self.store)

    def article(self, slug: str | None = None, article_id: int | None = None) -> Article | None:
        """The article with this file stem, or this id; None when the store does not hold it."""
        self.store.refresh()
        return article(self.store, slug, article_id)

    def export(self, message: str, limit: int = EXPORT_LIMIT) -> tuple[Answer, list[Item]]:
        """Every item of an answer, all pages (up to ``limit``): for
        ``/export TOKEN`` (a button under an answer), ``/export QUESTION``, or
        a question as it is. Nothing asked is the whole store, best first."""
        self.store.refresh()
        text = clean_message((message or "")[:MAX_MESSAGE])
        if text.lower().startswith("/export"):
            text = text[len("/export") :].strip()
        if not text:
            total, items = self._items(Query("items i", [], [], "i.rank"), 0, limit)
            return Answer(message, Intent.SEARCH, items=items, total=total), items
        request, _ = self._parse_token(text)
        if request is None or request.listing:
            answer = self.answer(text)
            if not answer.export:
                return answer, list(answer.items)
            text = answer.export.removeprefix("/export ")
        exported = self._more(message, text, size=limit)
        return exported, list(exported.items)


# A Latin word in a message: one unit of its length, as a Han character is.
_LATIN_WORD = compiled("[A-Za-z]+")
# The Han characters bot.text.is_cjk admits, as one class: a 4,000-character paste is counted in C.
_HAN = compiled("[\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff\U00020000-\U0002ebef]")


def _question_length(text: str) -> int:
    """A message's length as a question's: Han characters and Latin words,
    one each. An English question typed in full runs past MAX_SEARCH
    characters (what did the wuhan delegates say about artificial
    intelligence at this year's two sessions?), and is no pasted text."""
    return len(_HAN.findall(text)) + len(_LATIN_WORD.findall(text))


def _quoted(text: str) -> str:
    """Text as one FTS5 string: user text is never FTS5 syntax."""
    return '"' + text.replace('"', '""') + '"'


def _in_list(entity: Match, item: str) -> str:
    """SQL that is true when the item of id ``item`` is on a topic's or city's
    list, which SQLite reads whole once (an IN list)."""
    table, column, numbered = LISTS[entity.kind]
    return f"{item} in (select item_id from {table} where {column} = (select number from {numbered} where id = {int(entity.id)}))"


def _on_list(entity: Match, row: str, item: str | None = None) -> str:
    """SQL that is true when an item is on a topic's or city's list, from the
    item's row (alias ``row``; with ``item``, the row of that item id is read):
    its number among the row's, or for a city its speaker's city. In SQL alone,
    not by topic_hits or city_tier: a filter tests every item it reads, and a
    call into Python for each cost a fifth more (深圳 人工智能: 0.66 ms, 0.53 without)."""
    _, _, numbered = LISTS[entity.kind]
    column = "topics" if entity.kind == "topic" else "cities"
    test = f"instr(' ' || {row}.{column} || ' ', ' ' || (select number from {numbered} where id = {int(entity.id)}) || ' ') > 0"
    if entity.kind == "city":
        test = f"({test} or (select city_id from people where id = {row}.speaker_id) = {int(entity.id)})"
    return f"exists (select 1 from items {row} where {row}.id = {item} and {test})" if item else test


def _tier(city: Match, row: str) -> str:
    return (
        f"city_tier({row}.cities, (select number from cities where id = {int(city.id)}), "
        f"(select city_id from people where id = {row}.speaker_id), {int(city.id)})"
    )


def _list_order(entity: Match, row: str) -> str:
    """The order of a topic's or city's list (item_topics.rank, city_answers.rank)
    from its items' rows: what was said first; then a topic's items naming it
    most often, a city's by tier; then the items' own rank."""
    if entity.kind == "topic":
        key = f"-topic_hits({row}.topics, (select number from topics where id = {int(entity.id)}))"
    else:
        key = _tier(entity, row)
    return f"{row}.kind = 'fact', {key}, {row}.rank"


def _item(row, reprints: Iterable[Source] = (), topics: tuple[str, ...] = ()) -> Item:
    """An item from its row, with the later articles that reprint it after its own, and its topics' names."""
    own = Source(row["article_id"], row["title"], row["source"], row["date"], row["url"] or None, row["file"])
    return Item(
        id=row["id"],
        kind=row["kind"],
        speaker=row["speaker"],
        speaker_id=row["speaker_id"],
        speaker_city=row["speaker_city"],
        speaker_latin=pinyin_name(row["pinyin"], row["surname_length"]),
        speaker_city_latin=row["city_english"] or None,
        text=row["text"],
        source=own,
        sources=(own, *reprints),
        paragraph_id=row["paragraph_id"],
        start=row["start"],
        end=row["end"],
        has_figures=bool(row["has_figures"]),
        topics=topics,
    )


def _as_match(resolved: Resolved, typed: str | None = None) -> Match:
    candidate = resolved.candidate
    return Match(candidate.kind, candidate.id, candidate.name, candidate.city, resolved.score, resolved.how, typed)


def _primary(entities: list[Match]) -> Match:
    """The entity an answer is about: a person before a city before a topic."""
    rank = {"person": 0, "city": 1, "topic": 2}
    return min(entities, key=lambda e: rank[e.kind])


__all__ = ["Engine", "Answer", "Resolution", "PAGE_SIZE", "COMMANDS"]
