"""What ingest knows about an article and a person before it writes them."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from ..schema import stable_id
from .extract import Item
from .layout import Layout
from .seeds import Seed

# The reporter's byline in an article's introduction: 3月7日，湖北日报记者邀请…
# (本报记者 names no paper). Only the first paragraphs are the introduction.
BYLINE = re.compile(r"(?P<month>1[0-2]|0?[1-9])月(?P<day>3[01]|[12]\d|0?[1-9])日，(?!本报)(?P<paper>[\u4e00-\u9fff]{1,6}?报)记者")
BYLINE_PARAGRAPHS = 3
YEAR_IN_NAME = re.compile(r"(?:19|20)\d{2}(?!\d)")


@dataclass
class BuildReport:
    path: Path
    articles: int
    paragraphs: int
    people: int
    items: Counter[str]
    seconds: float
    per_person: dict[str, Counter[str]] = field(default_factory=dict)


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


@dataclass
class PersonRecord:
    name: str
    facts: dict[str, tuple[str, str, int]] = field(default_factory=dict)  # field -> (value, source, article id)
    aliases: list[str] = field(default_factory=list)
    discovered: bool = False

    @property
    def id(self) -> int:
        return stable_id("person", self.name)


def citation(article: ParsedArticle) -> str:
    parts = [part for part in (article.source, article.date) if part]
    return f"{article.title}（{'，'.join(parts)}）" if parts else article.title
