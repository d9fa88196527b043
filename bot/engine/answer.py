"""What the engine returns: plain data that every surface renders.

``Answer.to_json`` is the public, stable interface of ``python bot.py ask
--json``: the fields query, intent, match, suggestions, items and text keep
their meaning; fields may be added.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

class Intent(StrEnum):
    """What an answer is: its value is the ``intent`` field of ``ask --json``."""

    HELP = "help"
    PERSON = "person"
    CITY = "city"
    TOPIC = "topic"
    SEARCH = "search"
    QUOTE = "quote"
    NOT_FOUND = "not_found"
    PERSON_LIST = "person_list"
    CITY_LIST = "city_list"
    TOPIC_LIST = "topic_list"
    CONTEXT = "context"
    UNKNOWN_COMMAND = "unknown_command"
    EXPIRED = "expired"
    LANGUAGE = "language"


class Notice(StrEnum):
    """Why an answer is unusual: its value is the ``notice`` field of ``ask --json``."""

    EMPTY = "empty"  # nothing was asked: help, with a hint
    AMBIGUOUS = "ambiguous"  # several entities fit equally well
    NO_COVERAGE = "no_coverage"  # a known city or topic with nothing said about it
    NOTHING_TO_SEARCH = "nothing_to_search"  # only words that frame a question
    NOT_A_TOPIC = "not_a_topic"  # /topic with a word outside the lexicon, found by its words
    ANY_WORD = "any_word"  # no item has every word: these have some
    IN_CONTEXT = "in_context"  # some items lack the words: their paragraph (or topic) has them
    NO_QUOTES = "no_quotes"
    NO_ITEMS_FOR_FILTERS = "no_items_for_filters"  # 马新强 人工智能: he said nothing on it
    TERMS_NOT_FOUND = "terms_not_found"  # the person's items, none with the words asked for


def pinyin_name(pinyin: str | None, surname_length: int | None) -> str | None:
    """A name's pinyin as English text writes it: 'ma xin qiang' -> 'Ma Xinqiang'
    (a surname of one character when its length is not known)."""
    syllables = (pinyin or "").split()
    if not syllables:
        return None
    surname_length = surname_length or 1
    parts = ("".join(syllables[:surname_length]), "".join(syllables[surname_length:]))
    return " ".join(part.capitalize() for part in parts if part)


def to_base36(number: int) -> str:
    """Ids in commands and buttons: 53-bit ids in 11 characters."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, remainder = divmod(number, 36)
        out = digits[remainder] + out
        if not number:
            return out


def from_base36(text: str) -> int | None:
    """The id a command or button carries; None when the text is not one."""
    if not re.fullmatch(r"[0-9a-z]{1,12}", text):
        return None
    return int(text, 36)


@dataclass(frozen=True)
class Source:
    article_id: int
    title: str | None  # None when the article has no headline
    paper: str | None
    date: str | None
    url: str | None = None  # the article's address, when its sidecar gives one
    file: str | None = None  # the seed's file name

    def line(self) -> str:
        """A short source line: 长江日报 2025-03《同饮一江春水 各领风骚向未来》. An
        article without a headline is named by its file, as a fact's citation
        names it (records.cite)."""
        prefix = " ".join(part for part in (self.paper, self.date) if part)
        if self.title:
            return f"{prefix}《{self.title}》"
        return " ".join(part for part in (prefix, self.file) if part) or "—"

    def to_json(self) -> dict[str, str | None]:
        """The ``sources`` entries of ``ask --json`` and of an export."""
        return {"outlet": self.paper, "title": self.title, "date": self.date, "url": self.url}


# Deep links (https://t.me/<bot>?start=<payload>): a kind's tag and a base-36
# id, which Telegram's payload alphabet (A-Z a-z 0-9 _ -, 64 at most) takes.
DEEP_LINK_TAGS = {"person": "p", "city": "c", "topic": "t", "item": "i"}


def deep_link_payload(kind: str, entity_id: int) -> str:
    """The /start payload that opens the bot on a person, city, topic or item."""
    return DEEP_LINK_TAGS[kind] + to_base36(entity_id)


@dataclass(frozen=True)
class Match:
    kind: str  # person, city or topic
    id: int
    name: str  # canonical simplified-Chinese name
    city: str | None  # the person's city
    score: float  # 0-100: 100 for an exact name
    how: str  # name, alias, pinyin, fuzzy, ...
    typed: str | None = None  # what the person wrote that matched it


@dataclass(frozen=True)
class Suggestion:
    kind: str
    id: int
    name: str
    city: str | None = None


@dataclass(frozen=True)
class Item:
    id: int
    kind: str  # quote, statement or fact
    speaker: str | None
    speaker_id: int | None
    speaker_city: str | None
    text: str
    source: Source
    paragraph_id: int
    start: int
    end: int
    has_figures: bool
    topics: tuple[str, ...] = ()
    speaker_latin: str | None = None  # the speaker in pinyin (Ma Xinqiang), for English readers
    speaker_city_latin: str | None = None  # the speaker's city in English (Wuhan)
    # Every article the item appears in, earliest first: its own and each
    # reprint's. Never empty once read from a store.
    sources: tuple[Source, ...] = ()

    @property
    def context_command(self) -> str:
        """The message that shows this item's paragraph."""
        return f"/context {to_base36(self.id)}"


@dataclass(frozen=True)
class Fact:
    """A fact about a person, with where it comes from."""

    value: str
    source: str


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    city: str | None
    role: Fact | None
    affiliation: Fact | None
    city_fact: Fact | None
    quotes: int
    statements: int
    facts: int
    topics: tuple[str, ...] = ()
    latin: str | None = None  # the name in pinyin (Ma Xinqiang), for English readers
    city_latin: str | None = None  # the city in English (Wuhan)


@dataclass(frozen=True)
class Entry:
    """A line in a list answer: a city, person or topic with its count."""

    kind: str
    id: int
    name: str
    count: int
    detail: str | None = None


@dataclass(frozen=True)
class Context:
    item: Item
    paragraph: str
    before: str | None  # the previous paragraph, for orientation
    after: str | None


@dataclass
class Answer:
    query: str
    intent: Intent
    match: Match | None = None
    suggestions: list[Suggestion] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)  # this page, best first
    total: int = 0  # items over all pages
    offset: int = 0
    next: str | None = None  # the /more command for the next page
    prev: str | None = None
    people: list[Person] = field(default_factory=list)  # the person, or a city's delegates
    people_total: int = 0  # a city's delegates in all, of which ``people`` are the most quoted
    figures: list[Item] = field(default_factory=list)  # a city's best facts and figures, on its first page
    filters: list[Match] = field(default_factory=list)  # further entities the items are limited to
    terms: list[str] = field(default_factory=list)  # the words searched for
    entries: list[Entry] = field(default_factory=list)  # list answers
    context: Context | None = None
    examples: list[str] = field(default_factory=list)  # tappable example queries
    stats: dict[str, int] = field(default_factory=dict)
    notice: Notice | None = None  # why an answer is unusual
    subject: str | None = None  # what was asked about, as typed or as understood (北京 with no coverage)
    command: str | None = None  # the command as typed, for unknown commands
    export: str | None = None  # the /export command for every item of this answer, all pages

    @property
    def followable(self) -> Match | None:
        """The person, city or topic a reader could follow from this answer:
        its one entity, on an answer about that entity alone."""
        if self.intent not in (Intent.PERSON, Intent.CITY, Intent.TOPIC) or not self.match or self.filters:
            return None
        if self.intent == Intent.PERSON and len(self.people) > 1:
            return None  # 马新强 王行环: what either said, not one person to follow
        return self.match

    def to_json(self, text: str) -> dict[str, Any]:
        match = None
        if self.match:
            match = {"kind": self.match.kind, "name": self.match.name, "city": self.match.city, "score": self.match.score}
        return {
            "query": self.query,
            "intent": self.intent,
            "match": match,
            "suggestions": [s.name for s in self.suggestions],
            "items": [
                {
                    "kind": item.kind,
                    "speaker": item.speaker,
                    "text": item.text,
                    "source": item.source.line(),
                    "sources": [source.to_json() for source in item.sources],
                    "id": item.id,
                    "context": item.context_command,
                    "topics": list(item.topics),
                }
                for item in self.items
            ],
            "text": text,
            "figures": [
                {"kind": item.kind, "speaker": item.speaker, "text": item.text, "source": item.source.line(), "sources": [s.to_json() for s in item.sources]}
                for item in self.figures
            ],
            "total": self.total,
            "offset": self.offset,
            "next": self.next,
            "notice": self.notice,
            "subject": self.subject,
            "filters": [{"kind": f.kind, "name": f.name} for f in self.filters],
            "people": [
                {
                    "name": p.name,
                    "city": p.city,
                    "role": p.role.value if p.role else None,
                    "affiliation": p.affiliation.value if p.affiliation else None,
                    "pinyin": p.latin,
                }
                for p in self.people
            ],
            "entries": [{"kind": e.kind, "name": e.name, "count": e.count} for e in self.entries],
        }
