"""Articles that arrive in the chat, made into seeds: a ``.txt``, ``.html``
or ``.md`` file an admin sends, or a page fetched from a URL.

Each becomes ``<stem>.txt`` (the text, one paragraph per line) with a
``<stem>.toml`` sidecar giving what is known of it: its title, and for a
fetched page its URL and when it was fetched, so a rebuild never needs the
network. ``add_articles`` then takes the pair into the seeds and the store.
Whatever cannot be an article is refused with one line (``ArticleRefused``).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import BotError
from ..regexes import compiled
from .fetch import Fetched
from .seeds import ARTICLE_SUFFIX, META_SUFFIX

MAX_ARTICLE_BYTES = 5_000_000  # the same bound as a fetched page
UPLOAD_SUFFIXES = (".txt", ".html", ".htm", ".md")
_STEM_UNSAFE = compiled(r"[^0-9A-Za-z_\-\u3400-\u9fff]+")
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.I)
# Elements whose text is no part of the article.
_SKIPPED = frozenset({"script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "button", "select", "svg", "iframe"})
# Elements that end a paragraph.
_BLOCKS = frozenset(
    {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "blockquote", "tr", "table", "ul", "ol", "dd", "dt", "pre", "hr"}
)


class ArticleRefused(BotError):
    """What was sent cannot be an article; the message is one line for the chat."""


@dataclass(frozen=True)
class Incoming:
    """An article ready to become a seed."""

    stem: str
    text: str
    title: str | None = None
    url: str | None = None
    fetched: str | None = None  # ISO 8601 UTC, for a fetched page

    def stage(self, directory: Path) -> Path:
        """Write the article and its sidecar into directory; the article's path."""
        directory.mkdir(parents=True, exist_ok=True)
        article = directory / f"{self.stem}{ARTICLE_SUFFIX}"
        article.write_text(self.text, encoding="utf-8")
        fields = {"title": self.title, "url": self.url, "fetched": self.fetched}
        lines = [f"{key} = {json.dumps(value, ensure_ascii=False)}" for key, value in fields.items() if value]
        if lines:
            article.with_suffix(META_SUFFIX).write_text("[article]\n" + "\n".join(lines) + "\n", encoding="utf-8")
        return article


def stem_for(name: str) -> str:
    """A seed's file stem from a file name: letters, digits, Han characters, - and _."""
    stem = _STEM_UNSAFE.sub("-", Path(name).stem).strip("-_")[:60]
    return stem or "article"


def from_upload(name: str, data: bytes) -> Incoming:
    """A file sent in the chat, as an article; ArticleRefused when it cannot be one."""
    suffix = Path(name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise ArticleRefused(f"not an article: send a .txt, .html or .md file, not {suffix or 'a file without a suffix'}")
    if len(data) > MAX_ARTICLE_BYTES:
        raise ArticleRefused(f"too large: an article is at most {MAX_ARTICLE_BYTES // 1_000_000} MB")
    if suffix in (".html", ".htm"):
        title, text = html_article(_decode(data, _declared_charset(data)))
    elif suffix == ".md":
        title, text = markdown_article(_decode(data))
    else:
        title, text = None, _decode(data)
    return _checked(Incoming(stem_for(name), text, title))


def from_fetched(page: Fetched) -> Incoming:
    """A fetched page, as an article that remembers where and when it came from."""
    if page.content_type in ("text/html", "application/xhtml+xml"):
        title, text = html_article(_decode(page.body, page.charset or _declared_charset(page.body)))
    elif page.content_type == "text/markdown":
        title, text = markdown_article(_decode(page.body, page.charset))
    else:
        title, text = None, _decode(page.body, page.charset)
    parts = urlsplit(page.final_url)
    host = re.sub(r"[^0-9A-Za-z]+", "-", parts.hostname or "page").strip("-")
    stem = f"web-{host}-{hashlib.sha1(page.url.encode('utf-8')).hexdigest()[:8]}"
    return _checked(Incoming(stem, text, title, url=page.url, fetched=page.fetched_at))


def _checked(article: Incoming) -> Incoming:
    if "\x00" in article.text:
        raise ArticleRefused("not an article: the file is not text")
    if not article.text.strip():
        raise ArticleRefused("not an article: there is no text in it")
    return article


def _declared_charset(data: bytes) -> str | None:
    found = _CHARSET.search(data[:4096])
    return found.group(1).decode("ascii").lower() if found else None


def _decode(data: bytes, charset: str | None = None) -> str:
    """UTF-8 (with or without a byte-order mark), or the charset the page declares."""
    for encoding in dict.fromkeys(("utf-8-sig", charset or "utf-8-sig")):
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    raise ArticleRefused("unreadable encoding: the text is not UTF-8" + (f" nor {charset}" if charset and charset not in ("utf-8", "utf8") else ""))


class _PageText(HTMLParser):
    """The visible text of a page, one paragraph per line, and its title."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skipping = 0
        self.paragraphs: list[str] = []
        self.current: list[str] = []
        self.title = ""
        self.heading = ""
        self.meta_title = ""
        self.where: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta":
            values = dict(attrs)
            if values.get("property") == "og:title" and values.get("content"):
                self.meta_title = values["content"].strip()
            return
        if tag in _SKIPPED:
            self.skipping += 1
        if tag in _BLOCKS:
            self._end_paragraph()
        self.where.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED and self.skipping:
            self.skipping -= 1
        if tag in _BLOCKS:
            self._end_paragraph()
        if tag in self.where:
            del self.where[len(self.where) - 1 - self.where[::-1].index(tag) :]

    def handle_data(self, data: str) -> None:
        if "title" in self.where:
            self.title += data
            return
        if self.skipping:
            return
        if "h1" in self.where:
            self.heading += data
        self.current.append(data)

    def _end_paragraph(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self.current)).strip()
        self.current = []
        if text:
            self.paragraphs.append(text)

    def close(self) -> None:
        super().close()
        self._end_paragraph()


def html_article(page: str) -> tuple[str | None, str]:
    """A page's title and its text, one paragraph per line."""
    parser = _PageText()
    parser.feed(page)
    parser.close()
    title = parser.meta_title or parser.heading.strip() or parser.title.strip() or None
    return title, "\n".join(parser.paragraphs) + "\n"


def markdown_article(text: str) -> tuple[str | None, str]:
    """A Markdown file's first heading and its text without the markup."""
    title = None
    lines = []
    for line in text.splitlines():
        heading = re.match(r"\s*#{1,6}\s+(.*)", line)
        if heading and title is None:
            title = heading.group(1).strip() or None
        line = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", line)  # links and images: their text
        line = re.sub(r"^\s*(?:#{1,6}|>|[-*+]|\d+\.)\s+", "", line)
        line = re.sub(r"(\*\*|__|\*|_|`)", "", line)
        lines.append(line)
    return title, "\n".join(lines).strip() + "\n"
