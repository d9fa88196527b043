"""The city gazetteer and topic lexicon shipped in ``bot/data``.

Ingest reads them once and copies what the engine needs into the store, so the
engine never parses TOML.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

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

    @property
    def patterns(self) -> tuple[re.Pattern[str], ...]:
        """How the topic is recognised in text: Chinese terms as substrings,
        Latin terms case-insensitively at word boundaries."""
        return _topic_patterns(self.name, self.synonyms)


@cache
def _topic_patterns(name: str, synonyms: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    patterns = []
    for term in (name, *synonyms):
        if term.isascii():
            patterns.append(re.compile(rf"(?<![A-Za-z]){re.escape(term)}(?![A-Za-z])", re.IGNORECASE))
        else:
            patterns.append(re.compile(re.escape(term)))
    return tuple(patterns)


@cache
def cities() -> tuple[City, ...]:
    with open(DATA / "cities.toml", "rb") as handle:
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
def topics() -> tuple[Topic, ...]:
    with open(DATA / "topics.toml", "rb") as handle:
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


# Compounds that name two cities at once: 成渝地区双城经济圈.
CITY_COMPOUNDS = {"成渝": ("成都", "重庆"), "京津": ("北京", "天津"), "沪杭": ("上海", "杭州"), "沪宁": ("上海", "南京"), "广深": ("广州", "深圳"), "京沪": ("北京", "上海")}
