"""The city gazetteer and topic lexicon shipped in ``bot/ingest/data``.

Ingest reads them once and copies what the engine needs into the store, so the
engine never parses TOML.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..regexes import compiled

DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class City:
    name: str
    province: str
    kinds: tuple[str, ...]
    english: tuple[str, ...]
    aliases: tuple[str, ...]
    abbreviations: tuple[str, ...]
    traditional: tuple[str, ...]

    @property
    def display_english(self) -> str:
        return self.english[0] if self.english else ""


@dataclass(frozen=True)
class Topic:
    name: str
    english: tuple[str, ...]
    synonyms: tuple[str, ...]


class TopicMatcher:
    """Finds every topic named in a text in one pass: Chinese terms as
    substrings (overlapping, so 健康医疗大数据 also counts for 大数据), Latin
    terms case-insensitively at word boundaries (AI, not SAID)."""

    def __init__(self, topics: tuple[Topic, ...]):
        self._by_first: dict[str, list[tuple[str, str]]] = {}
        latin: dict[str, str] = {}
        for topic in topics:
            for term in (topic.name, *topic.synonyms):
                if term.isascii():
                    latin[term.lower()] = topic.name
                else:
                    self._by_first.setdefault(term[0], []).append((term, topic.name))
        for terms in self._by_first.values():
            terms.sort(key=lambda entry: -len(entry[0]))  # longest first, so it covers its own synonyms
        # The same terms by their first two characters, and the one-character
        # terms apart: where a term may start, one lookup finds the few that
        # can, instead of trying every term with that first character.
        self._by_prefix: dict[str, list[tuple[str, str]]] = {}
        self._singles: dict[str, list[tuple[str, str]]] = {}
        for terms in self._by_first.values():
            for term, topic in terms:
                (self._by_prefix if len(term) > 1 else self._singles).setdefault(term[:2], []).append((term, topic))
        # Where a term may start: the regex engine skips the other characters
        # (and, without one-character terms, those not followed by a term's second).
        firsts = "".join(map(re.escape, sorted(self._by_first)))
        seconds = "".join(map(re.escape, sorted({term[1] for term in self._by_prefix})))
        starts = f"[{firsts}]" if self._singles or not seconds else f"[{firsts}](?=[{seconds}])"
        self._starts = compiled(starts) if self._by_first else None
        self._latin_topic = latin
        alternation = "|".join(re.escape(term) for term in sorted(latin, key=len, reverse=True))
        self._latin = compiled(rf"(?<![A-Za-z])(?:{alternation})(?![A-Za-z])", re.IGNORECASE) if latin else None
        # The letters a Latin term starts with, any case: _latin opens with a
        # look-behind, so re tries it at every character; it is asked only
        # from the first of these on, and not at all where there is none
        # (most texts: half of hits' time was that search).
        latin_firsts = "".join(sorted({re.escape(term[0]) for term in latin}))
        self._latin_starts = compiled(f"[{latin_firsts}]", re.IGNORECASE) if latin else None

    def hits(self, text: str) -> dict[str, int]:
        """Topic name -> how often it is named in text. Within one topic the
        longest term wins: 光电子信息 is one mention, not two (光电子 is its synonym)."""
        counts: dict[str, int] = {}
        covered: dict[str, int] = {}  # topic -> where its last mention ends
        for start in self._starts.finditer(text) if self._starts is not None else ():
            position = start.start()
            terms = self._by_prefix.get(text[position : position + 2], ())
            if self._singles and text[position] in self._singles:
                terms = [*terms, *self._singles[text[position]]]  # still longest first
            for term, topic in terms:
                if position >= covered.get(topic, 0) and text.startswith(term, position):
                    counts[topic] = counts.get(topic, 0) + 1
                    covered[topic] = position + len(term)
        if self._latin is not None and (first := self._latin_starts.search(text)) is not None:
            for match in self._latin.finditer(text, first.start()):
                topic = self._latin_topic[match.group(0).lower()]
                counts[topic] = counts.get(topic, 0) + 1
        return counts


@cache
def cities(data: Path = DATA) -> tuple[City, ...]:
    with open(data / "cities.toml", "rb") as handle:
        data = tomllib.load(handle)
    return tuple(
        City(
            name=entry["name"],
            province=entry.get("province", ""),
            kinds=tuple(entry.get("kinds", ())),
            english=tuple(entry.get("english", ())),
            aliases=tuple(entry.get("aliases", ())),
            abbreviations=tuple(entry.get("abbreviations", ())),
            traditional=tuple(entry.get("traditional", ())),
        )
        for entry in data["city"]
    )


@cache
def topics(data: Path = DATA) -> tuple[Topic, ...]:
    with open(data / "topics.toml", "rb") as handle:
        data = tomllib.load(handle)
    return tuple(
        Topic(name=entry["name"], english=tuple(entry.get("english", ())), synonyms=tuple(entry.get("synonyms", ())))
        for entry in data["topic"]
    )


@cache
def city_by_name() -> dict[str, City]:
    """Every spelling a city goes by in text (name, name+市, aliases,
    traditional forms) mapped to the city."""
    table: dict[str, City] = {}
    for city in cities():
        for spelling in (city.name, *city.aliases, *city.traditional):
            table.setdefault(spelling, city)
            table.setdefault(spelling + "市", city)
    return table


@cache
def districts(data: Path = DATA) -> dict[str, City]:
    """District names as text writes them (海淀区) mapped to their city."""
    with open(data / "districts.toml", "rb") as handle:
        table = tomllib.load(handle)["districts"]
    by_name = city_by_name()
    return {name + "区": by_name[city] for city, names in table.items() for name in names}


@cache
def provinces() -> frozenset[str]:
    """Provincial-level names as text writes them before a verb: 安徽, 安徽省."""
    names = {city.province for city in cities() if city.province}
    return frozenset(names | {name + "省" for name in names})


# Compounds that name two cities at once: 成渝地区双城经济圈. Matched as whole
# words (jieba is taught them), never as substrings: 推广深化 holds 广深.
CITY_COMPOUNDS = {
    "成渝": ("成都", "重庆"), "京津": ("北京", "天津"), "沪杭": ("上海", "杭州"), "沪宁": ("上海", "南京"), "广深": ("广州", "深圳"),
    "京沪": ("北京", "上海"), "沪汉": ("上海", "武汉"), "汉沪": ("武汉", "上海"), "渝汉": ("重庆", "武汉"), "汉渝": ("武汉", "重庆"),
}
# One-character abbreviations that name their city wherever they stand in
# text (来沪, 渝企, 沪渝两地). The other abbreviations are ambiguous in running
# text (汉字, 芙蓉, 京剧, 津贴) and count only as a whole query.
TEXT_ABBREVIATIONS = {"沪": "上海", "渝": "重庆"}


@cache
def _english_names() -> tuple[re.Pattern[str], dict[str, str]]:
    """English city names that belong to one city (not Suzhou: 苏州 and 宿州),
    as a pattern matching them capitalised, as whole words."""
    owners: dict[str, set[str]] = {}
    for city in cities():
        for english in city.english:
            owners.setdefault(english, set()).add(city.name)
    unique = {english: next(iter(names)) for english, names in owners.items() if len(names) == 1}
    alternation = "|".join(re.escape(english) for english in sorted(unique, key=len, reverse=True))
    return compiled(rf"(?<![A-Za-z])(?:{alternation})(?![A-Za-z])"), unique


_CAPITAL = compiled("[A-Z]")


def cities_named_in_english(text: str) -> set[str]:
    """Cities an English text names on word boundaries: Wuhan and Chengdu."""
    if _CAPITAL.search(text) is None:
        return set()
    pattern, city_of = _english_names()
    return {city_of[match.group(0)] for match in pattern.finditer(text)}


def cities_abbreviated_in(text: str) -> set[str]:
    """Cities named by an unambiguous one-character abbreviation in text."""
    return {city for abbreviation, city in TEXT_ABBREVIATIONS.items() if abbreviation in text}
