"""Reading seed articles and their metadata sidecars, with errors that name
the file and line.

A seed is ``seeds/<name>.txt``: text exactly as it came off a newspaper page
or a web page (UTF-8, GB18030/GBK, UTF-16, traditional or simplified: see
files.py), or a saved page ``<name>.html`` or ``<name>.md``. An optional
``seeds/<name>.toml`` carries what the text does not say: the title, source
and date, and facts about people, each with its source::

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

from ..config import load_settings
from ..errors import SeedError
from ..regexes import compiled
from .files import (
    ARTICLE_SUFFIXES,
    HTML_SUFFIXES,
    MARKDOWN_SUFFIX,
    META_SUFFIX,
    TEXT_SUFFIX,
    clean,
    decode,
    file_problem,
    html_text,
    listed_files,
    markdown_text,
    read_bytes,
)

# The plain-text article, as `add` and `remove` name it.
ARTICLE_SUFFIX = TEXT_SUFFIX
ARTICLE_KEYS = {"title", "subtitle", "source", "date", "url", "fetched"}
PERSON_FACTS = ("city", "role", "affiliation")
PERSON_KEYS = {"name", "aliases", *PERSON_FACTS}
DATE = compiled(r"\d{4}-\d{2}(-\d{2})?")


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


def seed_size_limit() -> int:
    """The largest seed file read, in bytes (LIANGHUI_MAX_SEED_MB)."""
    return load_settings().max_seed_bytes


def find_seeds(directory: Path, max_bytes: int | None = None) -> list[Path]:
    """Article files in a directory, in name order, each checked before it is
    read (see files.py: what cannot be read is skipped with a warning). A
    sidecar without its article is an error: its facts would silently go
    nowhere; so are two articles of one name (x.txt and x.html)."""
    files = listed_files(directory, seed_size_limit() if max_bytes is None else max_bytes)
    articles = [path for path in files if path.suffix.lower() in ARTICLE_SUFFIXES]
    by_stem: dict[str, Path] = {}
    for path in articles:
        if path.stem in by_stem:
            raise SeedError(path, None, f"two articles named {path.stem}: {by_stem[path.stem].name} and {path.name}; rename one")
        by_stem[path.stem] = path
    for meta in files:
        if meta.suffix.lower() == META_SUFFIX and meta.stem not in by_stem:
            raise SeedError(meta, None, f"metadata without an article: expected {meta.stem}{ARTICLE_SUFFIX} beside it")
    return articles


def read_text(path: Path, max_bytes: int | None = None) -> str:
    """The file's text, decoded, in simplified characters, without control
    characters."""
    text = clean(decode(path, read_bytes(path, seed_size_limit() if max_bytes is None else max_bytes)))
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise SeedError(path, 1, "the file is empty")
    return text


def read_seed(path: Path, max_bytes: int | None = None) -> Seed:
    max_bytes = seed_size_limit() if max_bytes is None else max_bytes
    text = read_text(path, max_bytes)
    suffix = path.suffix.lower()
    page = None
    if suffix == MARKDOWN_SUFFIX:
        text = markdown_text(text)
    elif suffix in HTML_SUFFIXES:
        text, page = html_text(path, text)
    meta_path = path.with_suffix(META_SUFFIX)
    # A sidecar that cannot be read was skipped, with a warning, when the folder was listed.
    has_meta = meta_path.exists() and file_problem(meta_path, path.parent.resolve(), max_bytes) is None
    meta = read_meta(meta_path, max_bytes) if has_meta else None
    if page:
        # The sidecar says what the page does not, or corrects it.
        meta = meta or ArticleMeta()
        for key in ("title", "source", "date", "url"):
            if getattr(meta, key) is None:
                setattr(meta, key, getattr(page, key))
    return Seed(path, text, meta, meta_path if has_meta else None)


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


def read_meta(path: Path, max_bytes: int | None = None) -> ArticleMeta:
    """The sidecar's metadata. Whether each person it lists is named in the
    article is checked by ingest, on the rebuilt paragraphs: a name can be
    broken across a column line break (王/行环) in the file."""
    source = read_text(path, max_bytes)
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"line (\d+)", str(error))
        raise SeedError(path, int(found.group(1)) if found else None, f"malformed TOML: {error}") from None
    except RecursionError:
        raise SeedError(path, None, "malformed TOML: arrays or tables nested too deeply") from None

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
