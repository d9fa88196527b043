"""The seeds folder's files, checked before anything reads them, and decoded.

A seeds folder is filled by hand and by editors: it can hold an editor's lock
file (a dangling symlink ``.#x.txt``), a link to ``/etc/passwd`` or
``/dev/zero``, a FIFO or a directory named like an article, a file far too
large, text in GBK or UTF-16 or traditional characters, a saved web page.
Each file is looked at (``lstat``, where a symlink leads) before it is opened;
what cannot be an article is skipped with a warning naming it, and what is
read comes out as simplified-Chinese text without NUL or control characters.
"""

from __future__ import annotations

import codecs
import logging
import os
import re
import stat
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..errors import SeedError
from ..regexes import compiled

log = logging.getLogger(__name__)

TEXT_SUFFIX = ".txt"
MARKDOWN_SUFFIX = ".md"
HTML_SUFFIXES = (".html", ".htm")
ARTICLE_SUFFIXES = (TEXT_SUFFIX, MARKDOWN_SUFFIX, *HTML_SUFFIXES)
META_SUFFIX = ".toml"
# Editors' lock, swap and backup files (.#x.txt, .x.txt.swp, x.txt~), and
# hidden files (.DS_Store, .gitkeep): never articles, and not worth a warning.
_IGNORED = compiled(r"^\..*|.*~$")
# C0 and C1 control characters except tab, line feed and carriage return.
# Vertical tab and form feed would also split lines where the text has none.
_CONTROL = compiled("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# A file that is UTF-8 but for this share of bad bytes is damaged UTF-8, not another encoding.
DAMAGED_UTF8_SHARE = 0.001
# A file with this share of NUL bytes is UTF-16 or UTF-32 without a BOM, whatever UTF-8 says.
WIDE_NUL_SHARE = 0.125
# Han characters OpenCC can map: basic block, extension A, compatibility ideographs.
_HAN_BLOCKS = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))


@dataclass(frozen=True)
class PageMeta:
    """What a saved web page says of itself (trafilatura reads it)."""

    title: str | None
    source: str | None
    date: str | None
    url: str | None


# Which files are read ---------------------------------------------------------


def listed_files(directory: Path, max_bytes: int) -> list[Path]:
    """The files in a seeds folder that can be read, in name order: articles
    and sidecars. Everything else is skipped, with a warning unless it is an
    editor's or hidden file, or a subfolder not named like an article."""
    if not directory.is_dir():
        raise SeedError(directory, None, "the seeds directory does not exist")
    root = directory.resolve()
    readable: list[Path] = []
    with os.scandir(directory) as entries:
        names = sorted(entry.name for entry in entries)
    for name in names:
        if _IGNORED.match(name):
            continue
        path = directory / name
        suffix = path.suffix.lower()
        wanted = suffix in ARTICLE_SUFFIXES or suffix == META_SUFFIX
        problem = file_problem(path, root, max_bytes)
        if problem is None and wanted:
            readable.append(path)
        elif problem == _A_FOLDER and not wanted:
            continue  # a subfolder (an archive, a .git): not the seeds' business
        elif problem is not None:
            log.warning("skipping %s: %s", path, problem)
        else:
            log.warning("skipping %s: not an article (only %s and %s sidecars are read)", path, ", ".join(ARTICLE_SUFFIXES), META_SUFFIX)
    return readable


_A_FOLDER = "a folder, not a file"


def file_problem(path: Path, root: Path, max_bytes: int) -> str | None:
    """Why the file at path cannot be read as a seed, or None when it can.
    Only the file's metadata is read: a FIFO or a device is never opened."""
    try:
        status = path.lstat()
        if stat.S_ISLNK(status.st_mode):
            target = path.resolve()
            if not target.exists():
                return f"a symlink to {os.readlink(path)}, which does not exist"
            if not target.is_relative_to(root):
                return f"a symlink to {target}, outside the seeds folder"
            status = target.stat()
    except (OSError, RuntimeError) as error:  # RuntimeError: a symlink loop
        return f"cannot be read ({getattr(error, 'strerror', None) or error})"
    if stat.S_ISDIR(status.st_mode):
        return _A_FOLDER
    if not stat.S_ISREG(status.st_mode):
        return "not a regular file (a FIFO, socket or device)"
    if status.st_size > max_bytes:
        return f"{status.st_size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit (LIANGHUI_MAX_SEED_MB)"
    return None


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, checked again on the open file: it may have been
    replaced by a FIFO or grown since it was listed."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as error:
        raise SeedError(path, None, f"cannot be read ({error.strerror})") from None
    with os.fdopen(descriptor, "rb") as handle:
        status = os.fstat(handle.fileno())
        if not stat.S_ISREG(status.st_mode):
            raise SeedError(path, None, "not a regular file (a FIFO, socket or device)")
        try:
            # Asked for its size, not the limit: a read of the limit allocates
            # it whole (20 MB) for each article of a few kilobytes, a quarter
            # of a millisecond each in an ingest's workers.
            expected = min(status.st_size, max_bytes) + 1
            raw = handle.read(expected)
            if len(raw) == expected:  # grown since: read on to the limit
                raw += handle.read(max_bytes + 1 - len(raw))
        except OSError as error:  # a folder opened by name, an I/O error
            raise SeedError(path, None, f"cannot be read ({error.strerror})") from None
    if len(raw) > max_bytes:
        raise SeedError(path, None, f"over the {max_bytes / 1e6:.0f} MB limit (LIANGHUI_MAX_SEED_MB)")
    return raw


# Decoding ---------------------------------------------------------------------------


def decode(path: Path, raw: bytes) -> str:
    """The file's text: UTF-8 (with or without a BOM), UTF-16 or UTF-32 with a
    BOM, or whatever charset-normalizer finds (GB18030, GBK, Big5, UTF-16
    without a BOM). A UTF-8 file with a stray bad byte is damaged, not in
    another encoding: the error names its line, where GBK would read it as
    nonsense."""
    for bom, codec in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
                       (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            try:
                return raw.decode(codec)
            except UnicodeDecodeError as error:
                raise SeedError(path, raw[: error.start].count(b"\n") + 1, f"not {codec.upper()} text after its byte-order mark") from None
    wide = raw.count(0) > len(raw) * WIDE_NUL_SHARE
    if not wide:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as error:
            if raw.decode("utf-8", errors="replace").count("\ufffd") <= max(1, len(raw) * DAMAGED_UTF8_SHARE):
                line = raw[: error.start].count(b"\n") + 1
                raise SeedError(path, line, f"not UTF-8 text (byte 0x{raw[error.start]:02x} at offset {error.start})") from None
    from charset_normalizer import from_bytes

    guess = from_bytes(raw).best()
    if guess is None:
        raise SeedError(path, None, "not text in any encoding charset-normalizer knows (UTF-8, GB18030, GBK, Big5, UTF-16, …)")
    return str(guess)


# A mirror's pinyin after a character, as a ruby annotation flattened into
# the text: 全國(guó)人大代表. A tone mark tells it from a word in brackets.
_RUBY_PINYIN = compiled("(?<=[\u3400-\u9fff])[（(][a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]*[)）]")


def clean(text: str) -> str:
    """Text with no NUL or other control character (they would reach replies)
    and no flattened pinyin annotation, in simplified characters."""
    return to_simplified(_RUBY_PINYIN.sub("", _CONTROL.sub("", text)))


@cache
def _simplified_table() -> dict[int, str]:
    import opencc

    converter = opencc.OpenCC("t2s")
    characters = [chr(code) for low, high in _HAN_BLOCKS for code in range(low, high + 1)]
    # One character per line: OpenCC converts phrases, and neighbours must not interact.
    converted = converter.convert("\n".join(characters)).split("\n")
    return {ord(char): simple for char, simple in zip(characters, converted) if simple != char and len(simple) == 1}


@cache
def _traditional() -> re.Pattern[str]:
    """Any character _simplified_table converts: one search in C tells a
    text with none, where translating it looks up every character."""
    return compiled("[" + "".join(re.escape(chr(code)) for code in sorted(_simplified_table())) + "]")


@cache
def _phrase_converter():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional characters as simplified ones, keeping the text's length so
    every offset into it holds. A line with traditional characters is
    converted as OpenCC reads it, by phrase: some characters' simplified form
    depends on their word (著手 → 着手 but 著名 stays, 復甦 → 复苏 where 甦 alone
    stays), and character by character those stay as written. A line whose
    phrase conversion would change its length is converted character by
    character."""
    if _traditional().search(text) is None:
        return text  # most articles: no line to convert
    table = _simplified_table()
    lines = text.split("\n")
    for number, line in enumerate(lines):
        simplified = line.translate(table)
        if simplified != line:
            phrased = _phrase_converter().convert(line)
            lines[number] = phrased if len(phrased) == len(line) else simplified
    return "\n".join(lines)


# Formats other than plain text --------------------------------------------------------


def markdown_text(text: str) -> str:
    """A Markdown article as the plain text ingest reads: the ``# `` headline
    on the first line, each paragraph and heading on a line of its own,
    emphasis and link markup dropped."""
    lines: list[str] = []
    headline: str | None = None
    for raw in text.splitlines():
        line = raw.strip()
        heading = re.match(r"(#{1,6})\s+(.*?)\s*#*$", line)
        if heading:
            line = heading.group(2)
            if heading.group(1) == "#" and headline is None and not lines:
                headline = line
                continue
        line = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", line)  # links and images: their text
        line = re.sub(r"(\*\*|__|\*|`)", "", line)
        line = re.sub(r"^(?:[-*+]|\d+\.|>)\s+", "", line)
        if line:
            lines.append(line)
    return "\n".join([headline, *lines] if headline else lines) + "\n"


def html_text(path: Path, html: str) -> tuple[str, PageMeta]:
    """A saved web page's article text (headline first, one paragraph per line)
    and what its metadata says: title, outlet (site name), date and address."""
    import trafilatura

    document = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False, include_tables=False)
    body = (document.text or "").strip() if document else ""
    if not body:
        raise SeedError(path, None, "no article text found in the page")
    title = _meta_value(document.title)
    page = PageMeta(title=title, source=_meta_value(document.sitename), date=_page_date(document.date), url=_meta_value(document.url))
    lines = [line.strip() for line in body.splitlines() if line.strip()]
    return "\n".join([title, *lines] if title else lines) + "\n", page


def _meta_value(value: str | None) -> str | None:
    return (clean(value).strip() or None) if value else None


def _page_date(value: str | None) -> str | None:
    found = re.match(r"\d{4}-\d{2}(-\d{2})?", value or "")
    return found.group(0) if found else None
