"""What ingest knows about an article and a person before it writes them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from ..regexes import compiled
from ..schema import stable_id
from .extract import Item
from .genre import GENRE
from .layout import Layout
from .seeds import Seed

# The reporter's byline in an article's introduction: 3月7日，湖北日报记者邀请…
# (本报记者 names no paper). Only the first paragraphs are the introduction.
BYLINE = compiled(r"(?P<month>1[0-2]|0?[1-9])月(?P<day>3[01]|[12]\d|0?[1-9])日，(?!本报)(?P<paper>[\u4e00-\u9fff]{1,6}?报)记者")
BYLINE_PARAGRAPHS = 3
YEAR_IN_NAME = compiled(r"(?:19|20)\d{2}(?!\d)")
HEADER_SOURCES = [compiled(pattern) for pattern in GENRE["header"]["sources"]]
HEADER_DATES = [compiled(pattern) for pattern in GENRE["header"]["dates"]]
DATELINES = [compiled(pattern) for pattern in GENRE["header"]["datelines"]]
# A wire's first line may hold its dateline and its headline: 中新社北京3月15日电 题：……
WIRE_HEADLINE = compiled(r"^(?P<dateline>[^，。：]{2,30}?日电)\s*题：\s*(?P<title>.+)$")
# A month and day in the opening paragraphs: 3月5日，十四届全国人大二次会议…… (not 3月5日至,
# nor a day to come: 会议将于3月5日开幕 is not the day the article was written; nor
# the month of a full date FULL_DATE did not take, 定于2026年3月5日).
_NOT_TO_COME = "(?<!将于)(?<!将在)(?<!定于)"
MONTH_DAY = compiled(rf"{_NOT_TO_COME}(?<![\d年])(?P<month>1[0-2]|0?[1-9])月(?P<day>3[01]|[12]\d|0?[1-9])日(?!至)")
FULL_DATE = compiled(rf"{_NOT_TO_COME}(?P<year>20\d{{2}})年(?P<month>1[0-2]|0?[1-9])月(?P<day>3[01]|[12]\d|0?[1-9])日")
# A national session's ordinal gives its year: 十四届全国政协二次会议 /
# 全国政协十四届二次会议 is 2024. A local session's ordinal does not.
NATIONAL_SESSION = compiled(
    r"(?:(?P<term>十[一二三四五])届全国(?:人大|政协|人民代表大会)|全国(?:人大|政协|人民代表大会)(?P<term2>十[一二三四五])届)(?P<sitting>[一二三四五])次会议"
)
FIRST_YEAR_OF_TERM = {"十一": 2008, "十二": 2013, "十三": 2018, "十四": 2023, "十五": 2028}
SITTING = "一二三四五"


def _date(year: int | str, month: str, day: str) -> str:
    return f"{int(year)}-{int(month):02d}-{int(day):02d}"


def session_year(text: str) -> int | None:
    """The year of the national session a text names by its ordinal."""
    if found := NATIONAL_SESSION.search(text):
        term = found["term"] or found["term2"]
        return FIRST_YEAR_OF_TERM[term] + SITTING.index(found["sitting"])
    return None


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
    # Names that mean a homonym in this article: 王勇 -> 王勇（上海）.
    homonyms: dict[str, str] = field(default_factory=dict)

    def person_key(self, name: str) -> str:
        return self.homonyms.get(name, name)

    @cached_property
    def id(self) -> int:
        # Asked for by every row the article writes: hashed once.
        return stable_id("article", self.seed.slug)

    @property
    def title(self) -> str | None:
        """The sidecar's title, else the headline; none when the text opens
        with a paragraph."""
        meta = self.seed.meta
        if meta and meta.title:
            return meta.title
        if self._wire_headline:
            return self._wire_headline[1]
        return self.layout.title or None

    @cached_property
    def _wire_headline(self) -> tuple[str, str] | None:
        """The dateline and headline of a first line that holds both, read
        once for the title and for the source and date (as strings: the
        article is pickled when ingest spills it)."""
        found = WIRE_HEADLINE.match(self.layout.title)
        return (found["dateline"], found["title"]) if found else None

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
        """The sidecar's paper, else the page header's 来源, else the
        dateline's agency, else the one the introduction's byline names."""
        if self.seed.meta and self.seed.meta.source:
            return self.seed.meta.source
        return self._stated[0] or self._byline[0]

    @property
    def date(self) -> str | None:
        """The sidecar's date, else the page header's, else a full date or a
        dateline in the opening paragraphs (a month and day take their year
        from the national session's ordinal), else the byline's month and
        day when the file name gives the year (2025-03-...)."""
        if self.seed.meta and self.seed.meta.date:
            return self.seed.meta.date
        return self._stated[1] or self._byline[1]

    @cached_property
    def _stated(self) -> tuple[str | None, str | None]:
        """The source and date the article's own header and dateline state."""
        source = date = None
        for line in self.layout.header:
            for pattern in HEADER_SOURCES:
                if source is None and (found := pattern.search(line)):
                    source = found["source"]
            for pattern in HEADER_DATES:
                if date is None and (found := pattern.search(line)):
                    date = _date(found["year"], found["month"], found["day"])
        opening = [paragraph.text for paragraph in self.layout.paragraphs[:BYLINE_PARAGRAPHS]]
        year = session_year(" ".join([self.layout.title, *(paragraph.text for paragraph in self.layout.paragraphs)]))
        # A dateline (新华社北京3月12日电) names the agency that wrote the story
        # and its day, which a mirror's header (来源：新华网 2023-03-13) does not.
        for text in [self._wire_headline[0]] if self._wire_headline else opening[:1]:
            for pattern in DATELINES:
                if found := pattern.search(text):
                    source = found.groupdict().get("source") or source
                    if year and found.groupdict().get("month"):
                        date = _date(year, found["month"], found["day"])
        for text in opening[:2]:
            if date is None and (found := FULL_DATE.search(text)):
                date = _date(found["year"], found["month"], found["day"])
            if date is None and year and (found := MONTH_DAY.search(text)):
                date = _date(year, found["month"], found["day"])
        return source, date

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
    # Another person of the same name whose city or role conflicts with the
    # first one's: what tells them apart (王勇 of 上海, beside 王勇 of 潍坊).
    homonym: str = ""

    @property
    def id(self) -> int:
        return stable_id("person", self.name, self.homonym) if self.homonym else stable_id("person", self.name)

    @property
    def key(self) -> str:
        """The person's key among ingest's people: the name, or for a
        homonym the name and what tells them apart, 王勇（上海）."""
        return f"{self.name}（{self.homonym}）" if self.homonym else self.name

    def conflicts_with(self, other: PersonRecord) -> bool:
        """Two people, not one: their stated cities or role levels differ."""
        return any(
            key in self.facts and key in other.facts and self.facts[key][0] != other.facts[key][0] for key in ("city", "level")
        )


def citation(article: ParsedArticle) -> str:
    return cite(article.title, article.seed.path.name, article.source, article.date)


def cite(title: str | None, file: str, source: str | None, date: str | None) -> str:
    """An article's citation from its title (else its file's name), outlet and
    date: what a fact from its text cites (schema.ARTICLE_CITATION makes it in SQL)."""
    parts = [part for part in (source, date) if part]
    return f"{title or file}（{'，'.join(parts)}）" if parts else (title or file)
