"""Reading seed articles and their metadata sidecars, with errors that name
the file and line.

A seed is ``seeds/<name>.txt``: UTF-8 text exactly as it came off a newspaper
page or a web page. An optional ``seeds/<name>.toml`` carries what the text
does not say: the title, source and date, and facts about people, each with
its source::

    [article]
    title = "同饮一江春水 各领风骚向未来"
    source = "长江日报"
    date = "2025-03"

    [[people]]
    name = "马新强"
    city = { value = "武汉", source = "..." }
    role = { value = "全国人大代表", source = "npc.gov.cn profile" }
"""

from __future__ import annotations

import datetime
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import SeedError

ARTICLE_SUFFIX = ".txt"
META_SUFFIX = ".toml"
ARTICLE_KEYS = {"title", "subtitle", "source", "date", "url", "fetched"}
PERSON_FACTS = ("city", "role", "affiliation")
PERSON_KEYS = {"name", "aliases", *PERSON_FACTS}
DATE = re.compile(r"\d{4}-\d{2}(-\d{2})?")


@dataclass(frozen=True)
class Fact:
    value: str
    source: str
    line: int = field(default=0, compare=False)  # where the sidecar gives it, for errors found later


@dataclass
class PersonMeta:
    name: str
    line: int
    aliases: list[str] = field(default_factory=list)
    facts: dict[str, Fact] = field(default_factory=dict)


@dataclass
class ArticleMeta:
    title: str | None = None
    subtitle: str | None = None
    source: str | None = None
    date: str | None = None
    url: str | None = None
    fetched: str | None = None  # when a page added from its URL was fetched (ISO 8601 UTC)
    people: list[PersonMeta] = field(default_factory=list)


@dataclass
class Seed:
    path: Path
    text: str
    meta: ArticleMeta | None
    meta_path: Path | None

    @property
    def slug(self) -> str:
        return self.path.stem


def find_seeds(directory: Path) -> list[Path]:
    """Article files in a directory, in name order. A sidecar without its
    article is an error: its facts would silently go nowhere."""
    if not directory.is_dir():
        raise SeedError(directory, None, "the seeds directory does not exist")
    articles = sorted(directory.glob(f"*{ARTICLE_SUFFIX}"))
    stems = {path.stem for path in articles}
    for meta in sorted(directory.glob(f"*{META_SUFFIX}")):
        if meta.stem not in stems:
            raise SeedError(meta, None, f"metadata without an article: expected {meta.stem}{ARTICLE_SUFFIX} beside it")
    return articles


def read_text(path: Path) -> str:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise SeedError(path, line, f"not UTF-8 text (byte 0x{raw[error.start]:02x} at offset {error.start})") from None
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise SeedError(path, 1, "the file is empty")
    return text


def read_seed(path: Path) -> Seed:
    text = read_text(path)
    meta_path = path.with_suffix(META_SUFFIX)
    meta = read_meta(meta_path) if meta_path.exists() else None
    return Seed(path, text, meta, meta_path if meta else None)


def _line_of(source: str, needle: str, after: int = 0) -> int | None:
    """The 1-based line where needle first appears at or after line ``after``."""
    lines = source.splitlines()
    for number in range(max(after, 1), len(lines) + 1):
        if needle in lines[number - 1]:
            return number
    return None


def _key_line(source: str, key: str, after: int = 0) -> int | None:
    """The 1-based line, at or after line ``after``, where ``key`` is set
    (``key = ...``) or opens a table (``[key]`` / ``[[key]]``). Unlike a
    plain search, a key's name inside a comment or a value does not count."""
    pattern = re.compile(rf"""\s*(?:\[\[?\s*)?["']?{re.escape(key)}["']?\s*(?:=|\]\]?)""")
    lines = source.splitlines()
    for number in range(max(after, 1), len(lines) + 1):
        if pattern.match(lines[number - 1]):
            return number
    return None


def read_meta(path: Path) -> ArticleMeta:
    """The sidecar's metadata. Whether each person it lists is named in the
    article is checked by ingest, on the rebuilt paragraphs: a name can be
    broken across a column line break (王/行环) in the file."""
    source = read_text(path)
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"line (\d+)", str(error))
        raise SeedError(path, int(found.group(1)) if found else None, f"malformed TOML: {error}") from None

    def fail(message: str, needle: str | None = None, after: int = 0) -> SeedError:
        return SeedError(path, _key_line(source, needle, after) if needle else None, message)

    for key in data:
        if key not in ("article", "people"):
            raise fail(f"unknown section {key!r}; expected [article] and [[people]]", key)
    meta = ArticleMeta()
    article = data.get("article", {})
    if not isinstance(article, dict):
        raise fail("[article] must be a table", "article")
    for key, value in article.items():
        if key not in ARTICLE_KEYS:
            raise fail(f"unknown article field {key!r}; expected one of {sorted(ARTICLE_KEYS)}", key)
        if isinstance(value, datetime.date):
            value = value.isoformat()
        if not isinstance(value, str) or not value.strip():
            raise fail(f"article field {key!r} must be a non-empty string", key)
        if key == "date" and not DATE.fullmatch(value):
            raise fail(f"date {value!r} must be YYYY-MM or YYYY-MM-DD", key)
        setattr(meta, key, value.strip())

    people = data.get("people", [])
    if not isinstance(people, list):
        raise fail("people must be an array of tables: [[people]]", "people")
    seen: set[str] = set()
    cursor = 0
    for entry in people:
        if not isinstance(entry, dict):
            raise fail("each [[people]] entry must be a table", "people", cursor)
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise fail("a [[people]] entry has no name", "people", cursor + 1)
        name = name.strip()
        line = _line_of(source, f'"{name}"', cursor) or _line_of(source, name) or 0
        cursor = line
        if name in seen:
            raise SeedError(path, line, f"person {name} is listed twice")
        seen.add(name)
        person = PersonMeta(name=name, line=line)
        for key, value in entry.items():
            if key not in PERSON_KEYS:
                raise SeedError(path, _key_line(source, key, line) or line, f"unknown field {key!r} for {name}")
        aliases = entry.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
            raise SeedError(path, _key_line(source, "aliases", line) or line, f"aliases of {name} must be a list of strings")
        person.aliases = [alias.strip() for alias in aliases]
        for key in PERSON_FACTS:
            if key not in entry:
                continue
            fact = entry[key]
            fact_line = _key_line(source, key, line) or line
            if not isinstance(fact, dict) or set(fact) != {"value", "source"}:
                raise SeedError(path, fact_line, f"{key} of {name} must be {{ value = \"...\", source = \"...\" }}")
            value, origin = fact["value"], fact["source"]
            if not (isinstance(value, str) and value.strip() and isinstance(origin, str) and origin.strip()):
                raise SeedError(path, fact_line, f"{key} of {name} needs a non-empty value and source")
            person.facts[key] = Fact(value.strip(), origin.strip(), fact_line)
        meta.people.append(person)
    return meta
