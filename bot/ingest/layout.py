"""Rebuild an article's paragraphs from the text a newspaper page or web page gave us.

Two layouts occur:

* ``newspaper``: text extracted from a printed page. Lines are broken by the
  column width, blank lines separate paragraphs but a column break can also
  fall mid-sentence, each delegate's box has its own column width, the boxes'
  headings are lost, and page furniture (a vertical label such as 杭/州) is
  mixed in.
* ``web``: one paragraph per line.

The result keeps every paragraph's text exactly as printed (only line breaks
are removed) with the source line numbers, and marks where a new box starts so
attribution can tell one delegate's passage from the next.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

from ..regexes import compiled
from ..text import CLOSERS, TERMINAL, display_width, ends_sentence, is_cjk
from .genre import GENRE

# A line this much narrower than its column, ending a sentence, ends its paragraph.
SHORT_LINE_MARGIN = 4
# A paragraph's first line lost this much width to its indent (two characters).
INDENT = 4
# Paragraph column widths differing by this much mean a different box.
BOX_WIDTH_CHANGE = 4
# Leading lines without final punctuation are the headline, at most this many.
MAX_TITLE_LINES = 3
# A web page's subtitle line is at most this long; a longer line is a paragraph.
MAX_SUBTITLE_LENGTH = 40
# Punctuation inside a sentence: a headline block of several lines holds none.
HEADLINE_NEVER = set("，。！？；：")
# Lines longer than this cannot come from a newspaper column.
MAX_COLUMN_WIDTH = 60
# A quoted span is speech when it holds sentence punctuation, or is this long:
# “六小龙” and “校院地企协同创新” are quoted terms.
SPEECH_PUNCTUATION = set("，。！？；：,!?;:…")
LONG_QUOTE = 16
# Share of lines ending a sentence above which the text is one paragraph per line.
WEB_TERMINAL_SHARE = 0.5
# A paragraph longer than this (no article has one; a file run into one line
# does) is cut at sentence ends into pieces of at most this length: every later
# step works per paragraph, and must cost in proportion to the text, not its square.
MAX_PARAGRAPH = 2000
_SENTENCE_END = compiled(f"[{TERMINAL}]+[{CLOSERS}]*")


@dataclass(frozen=True)
class Line:
    number: int  # 1-based line number in the source file
    text: str  # stripped
    indented: bool  # the raw line started with whitespace

    @cached_property
    def width(self) -> int:
        # Measured once: rebuilding a newspaper page asks each line's width four times.
        return display_width(self.text)


@dataclass
class Paragraph:
    text: str
    first_line: int
    last_line: int
    box: int = 0  # boxes are numbered from 0 in reading order
    lines: list[Line] = field(default_factory=list, repr=False)


@dataclass
class Layout:
    kind: str  # "newspaper" or "web"
    title: str
    subtitle: str | None
    paragraphs: list[Paragraph]
    furniture: list[Line]  # lines dropped as page furniture
    boxes_detected: bool  # True when box starts come from the page layout
    header: list[str] = field(default_factory=list)  # the page's date, source and byline lines


# Web copy often prints ASCII punctuation inside Chinese text (来源:湖北日报,
# 他说,“……”). Next to a Han character each mark is read as its full-width
# form, so the rules of the genre see one punctuation; a colon between digits
# (08:01) is left alone.
_ASCII_MARKS = {",": "，", ":": "：", ";": "；", "!": "！", "?": "？", "(": "（", ")": "）"}
_ASCII_MARK = compiled("[{}]".format("".join(_ASCII_MARKS)))
_ASCII_BESIDE_HAN = compiled(r"(?<=[\u4e00-\u9fff“”‘’）》】])\s*([,:;!?()])|([,:;!?()])\s*(?=[\u4e00-\u9fff“”‘’（《【])")
# Header lines a web page prints above or below its headline: the date and
# source line, breadcrumbs, sharing widgets, the byline (see data/genre.toml).
_HEADER_LINE = compiled("|".join(GENRE["header"]["lines"]))
# A page's header sits among its first lines.
HEADER_LINES_AT_MOST = 6
# The outlet a header line names (2018-03-05 13:07:00来源：央广网).
_HEADER_OUTLET = compiled(r"(?:来源|稿源)：\s*([^\s－：]+)")


def full_width_punctuation(text: str) -> str:
    """ASCII punctuation beside Han characters as its full-width form."""
    if _ASCII_MARK.search(text) is None:
        # Most lines: _ASCII_BESIDE_HAN opens with a look-behind, which re
        # tries at every character, and a match needs a mark.
        return text
    return _ASCII_BESIDE_HAN.sub(lambda match: _ASCII_MARKS[match.group(1) or match.group(2)], text)


def is_header_line(text: str) -> bool:
    return _HEADER_LINE.search(text) is not None


def join_lines(parts: list[str]) -> str:
    """Join column lines: no space between Chinese characters, one space between
    two Latin words that a line break separated."""
    joined = ""
    for part in parts:
        if joined and joined[-1].isascii() and joined[-1].isalpha() and part[:1].isascii() and part[:1].isalpha():
            joined += " "
        joined += part
    return joined


def _blocks(lines: list[Line | None]) -> list[list[Line]]:
    blocks: list[list[Line]] = []
    current: list[Line] = []
    for line in lines:
        if line is None:
            if current:
                blocks.append(current)
                current = []
        else:
            current.append(line)
    if current:
        blocks.append(current)
    return blocks


def _split_lines(text: str) -> list[Line | None]:
    """Source lines, None for a blank line."""
    result: list[Line | None] = []
    for number, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        stripped = raw.strip()
        if not stripped:
            result.append(None)
        else:
            result.append(Line(number, stripped, indented=raw[:1].isspace()))
    return result


def is_furniture(block: list[Line]) -> bool:
    """Page furniture: a vertical label or stray page mark, i.e. every line at
    most two characters with no punctuation."""
    return all(len(line.text) <= 2 and line.text.isalnum() for line in block)


def _split_labels(block: list[Line]) -> tuple[list[Line], list[Line]]:
    """A block's column lines, and the vertical label printed among them.

    A label (杭/州, 西/安) is a run of lines of one Han character each. Text
    extraction can put it between two column lines, with no blank line
    around it; it is dropped there too. A single one-character line is kept:
    a column can break before the last character of a sentence."""
    kept: list[Line] = []
    labels: list[Line] = []
    run: list[Line] = []
    for line in [*block, None]:
        if line is not None and len(line.text) == 1 and is_cjk(line.text):
            run.append(line)
            continue
        (labels if len(run) >= 2 else kept).extend(run)
        run = []
        if line is not None:
            kept.append(line)
    return kept, labels


def _headline_like(text: str) -> bool:
    """A line that can be part of a headline: it ends no sentence or clause."""
    return not ends_sentence(text) and text[-1] not in "，、：；"


# A headline is short, and never opens with the day (3月4日，……举行 is a photo caption).
MAX_HEADLINE_LENGTH = 60
_OPENS_WITH_DAY = compiled(r"^\d{1,2}月\d{1,2}日")


def is_headline_text(text: str) -> bool:
    return len(text) <= MAX_HEADLINE_LENGTH and not _OPENS_WITH_DAY.match(text)


def _is_headline(block: list[Line], lines_before: int) -> bool:
    """A block of the headline at the top of a page: at most MAX_TITLE_LINES
    headline lines in all. A headline and subtitle printed with no blank
    line between make a block of several lines: they hold no sentence
    punctuation at all, which column text that a break cut mid-sentence does."""
    if lines_before + len(block) > MAX_TITLE_LINES or not all(_headline_like(line.text) for line in block):
        return False
    return len(block) == 1 or not any(char in HEADLINE_NEVER for line in block for char in line.text)


# A caption or heading line: 代表 沈十三： / ■ 全国政协委员、某馆馆长卫十一：. Two
# or more of them make a transcript or a heading layout, one line a paragraph.
_CAPTION = compiled(r"^(?:■+\s*)?[^，。！？“”：]{2,40}：$")


def detect_kind(lines: list[Line]) -> str:
    body = lines[2:] if len(lines) > 4 else lines
    if not body:
        return "web"
    if sum(1 for line in lines if _CAPTION.match(line.text)) >= 2:
        return "web"
    # A line wider than two columns (measured only up to the first: a web page's are whole paragraphs).
    if any(line.width > MAX_COLUMN_WIDTH * 2 for line in body):
        return "web"
    share = sum(1 for line in body if ends_sentence(line.text)) / len(body)
    return "web" if share >= WEB_TERMINAL_SHARE else "newspaper"


def rebuild(text: str) -> Layout:
    """Rebuild paragraphs from an article's text. See the module docstring."""
    lines = [Line(line.number, full_width_punctuation(line.text), line.indented) if line else None for line in _split_lines(text)]
    header: list[str] = []
    header_at: int | None = None
    seen = 0
    for index, line in enumerate(lines):
        if line is None:
            continue
        seen += 1
        if seen > HEADER_LINES_AT_MOST:
            break
        if is_header_line(line.text):
            header.append(line.text)
            lines[index] = None
            header_at = index if header_at is None else header_at
    _drop_masthead(lines, header)
    if header_at is not None:
        _drop_navigation(lines, header, header_at)
    present = [line for line in lines if line is not None]
    if not present:
        return Layout("web", "", None, [], [], False, header)
    layout = _rebuild_web(present) if detect_kind(present) == "web" else _rebuild_newspaper(lines)
    layout.paragraphs = [piece for paragraph in _captions_apart(layout.paragraphs) for piece in _bounded(paragraph)]
    layout.header = header
    return layout


def _drop_masthead(lines: list[Line | None], header: list[str]) -> None:
    """A saved page can open with the site's name on a line of its own
    (央广网), above the headline; when a header line names that outlet as
    the source, the line is the masthead, not the headline, and goes to the
    header."""
    outlets = {found.group(1) for text in header for found in _HEADER_OUTLET.finditer(text)}
    for index, line in enumerate(lines):
        if line is None:
            continue
        if line.text.strip() in outlets:
            header.append(line.text)
            lines[index] = None
        return


# A page's menu or breadcrumb line: 闽南网 > 新闻中心 > 正文 / 当前位置：…… / a
# menu's word of two to four characters (注册 / 会议).
_BREADCRUMB = compiled(r"[>＞]|位置")
_MENU_WORD = compiled(r"^[\u4e00-\u9fff]{2,4}$")


def _drop_navigation(lines: list[Line | None], header: list[str], header_at: int) -> None:
    """A saved page's navigation above its headline: when the line just
    above the first header line (来源：新华网 2015-03-02) reads as a headline,
    and a line above that one is a menu word or a breadcrumb, every line
    above the headline is the page's, not the article's, and goes to the
    header. When the first header line is itself a breadcrumb (首页>地方频道>
    扬州>要闻), the headline comes after it, and menu words above it (the
    channel, 扬州) are the page's too."""
    above = [index for index in range(header_at) if lines[index] is not None]
    if above and _BREADCRUMB.search(header[0]) and all(_MENU_WORD.match(lines[index].text.strip()) for index in above):
        for index in above:
            header.append(lines[index].text)
            lines[index] = None
        return
    if len(above) < 2:
        return
    # A headline may ask (委员都带了哪些“干货”？).
    headline = lines[above[-1]].text.rstrip("？！")
    if not (_headline_like(headline) and is_headline_text(headline)):
        return
    if any(_BREADCRUMB.search(text) or _MENU_WORD.match(text) for text in (lines[index].text.strip() for index in above[:-1])):
        for index in above[:-1]:
            header.append(lines[index].text)
            lines[index] = None


# A radio or TV transcript's caption run on at the end of the reporting
# before it: ……充满期待。全国人大代表方敏：
_CAPTION_AT_END = compiled(f"(?<=[{TERMINAL}{CLOSERS}])(?P<caption>[^，。！？“”：]{{2,40}})：$")
_SPEAKER_LABEL = compiled(r"^(?P<label>[\u4e00-\u9fff·]{2,6})：")


def _captions_apart(paragraphs: list[Paragraph]) -> list[Paragraph]:
    """Each paragraph, with a caption that ends it split off as a paragraph
    of its own when the next paragraph opens with its speaker's label
    (方敏：全国两会是……): the caption introduces what follows, and the
    reporting before it is no one's."""
    apart: list[Paragraph] = []
    for index, paragraph in enumerate(paragraphs):
        caption = _CAPTION_AT_END.search(paragraph.text)
        label = _SPEAKER_LABEL.match(paragraphs[index + 1].text) if caption and index + 1 < len(paragraphs) else None
        if caption and label and caption["caption"].endswith(label["label"]):
            apart.append(replace(paragraph, text=paragraph.text[: caption.start()]))
            apart.append(replace(paragraph, text=paragraph.text[caption.start() :]))
        else:
            apart.append(paragraph)
    return apart


def _bounded(paragraph: Paragraph) -> list[Paragraph]:
    """The paragraph, or its pieces of at most MAX_PARAGRAPH characters, cut
    after the last sentence end that fits (mid-sentence only when one
    sentence is longer than that)."""
    text = paragraph.text
    if len(text) <= MAX_PARAGRAPH:
        return [paragraph]
    pieces: list[str] = []
    start = 0
    while len(text) - start > MAX_PARAGRAPH:
        ends = [found.end() for found in _SENTENCE_END.finditer(text, start, start + MAX_PARAGRAPH)]
        cut = ends[-1] if ends else start + MAX_PARAGRAPH
        pieces.append(text[start:cut])
        start = cut
    pieces.append(text[start:])
    return [Paragraph(piece, paragraph.first_line, paragraph.last_line, paragraph.box, paragraph.lines) for piece in pieces if piece.strip()]


def _rebuild_web(lines: list[Line]) -> Layout:
    # The headline is the first line when it reads as one; a page that opens
    # with a paragraph has no headline, and none is made up.
    headline = _headline_like(lines[0].text) and len(lines) > 1 and is_headline_text(lines[0].text)
    title = lines[0].text if headline else ""
    rest = lines[1:] if headline else lines
    subtitles: list[str] = []
    while (
        len(rest) > 1
        and len(subtitles) < MAX_TITLE_LINES - 1
        and _headline_like(rest[0].text)
        and len(rest[0].text) <= MAX_SUBTITLE_LENGTH
    ):
        subtitles.append(rest[0].text)
        rest = rest[1:]
    subtitle = " ".join(subtitles) or None
    paragraphs = [Paragraph(line.text, line.number, line.number, 0, [line]) for line in rest]
    return Layout("web", title, subtitle, paragraphs, [], False)


def _column_widths(body: list[Line], window: int = 8) -> dict[int, float]:
    """Each line's column width: the 75th percentile of the widths around it.

    A box's column width is unknown in advance and changes from box to box, so
    it is read off the neighbouring lines, which are mostly full.
    """
    widths = [line.width for line in body]
    result: dict[int, float] = {}
    for index, line in enumerate(body):
        near = sorted(widths[max(0, index - window) : index + window + 1])
        result[line.number] = near[(len(near) * 3) // 4]
    return result


def _rebuild_newspaper(lines: list[Line | None]) -> Layout:
    blocks = _blocks(lines)
    furniture: list[Line] = []
    titles: list[str] = []
    body_blocks: list[list[Line]] = []
    for block in blocks:
        if is_furniture(block):
            furniture.extend(block)
            continue
        block, labels = _split_labels(block)
        furniture.extend(labels)
        if not block:
            continue
        if not body_blocks and _is_headline(block, len(titles)):
            titles.extend(line.text for line in block)
            continue
        body_blocks.append(block)

    body = [line for block in body_blocks for line in block]
    column = _column_widths(body) if body else {}
    # Next to a wider box the window overestimates a narrow column, and every
    # full line would look short: a run of lines between blank lines and
    # indents is one column, and its widest line is as wide as the column.
    for run in _runs(body_blocks):
        if len(run) >= 3:
            widest = max(line.width for line in run)
            for line in run:
                column[line.number] = min(column[line.number], widest)
    indent_share = (
        sum(1 for block in body_blocks if block[0].indented) / len(body_blocks) if body_blocks else 0
    )

    paragraphs: list[Paragraph] = []
    current: list[Line] = []
    # A paragraph that opened with an indented line (when indents are rare) starts a box.
    indent_starts: set[int] = set()

    def close() -> None:
        nonlocal current
        if current:
            paragraphs.append(
                Paragraph(join_lines([line.text for line in current]), current[0].number, current[-1].number, 0, current)
            )
            if current[0].indented and indent_share < 0.3:
                indent_starts.add(len(paragraphs) - 1)
            current = []

    for block in body_blocks:
        for position, line in enumerate(block):
            if current and line.indented:
                close()
            # A paragraph's first line lost its indent: it is that much narrower when full.
            width = line.width + (INDENT if not current else 0)
            current.append(line)
            last_in_block = position == len(block) - 1
            if (
                not last_in_block
                and ends_sentence(line.text)
                and width <= column[line.number] - SHORT_LINE_MARGIN
            ):
                close()
        # A column break can fall mid-sentence: only a finished sentence, or a
        # finished quote (“……位置” with no full stop), ends the paragraph.
        if current and (ends_sentence(current[-1].text) or _ends_speech_quote(current)):
            close()
    close()

    boxes_detected = _assign_boxes(paragraphs, indent_starts)
    title = titles[0] if titles else ""
    subtitle = " ".join(titles[1:]) or None
    return Layout("newspaper", title, subtitle, paragraphs, furniture, boxes_detected)


def _runs(blocks: list[list[Line]]) -> list[list[Line]]:
    """Blocks split before indented lines: each run is printed in one column."""
    runs: list[list[Line]] = []
    for block in blocks:
        runs.append([])
        for line in block:
            if line.indented and runs[-1]:
                runs.append([])
            runs[-1].append(line)
    return runs


def is_speech(inner: str) -> bool:
    """True when the text inside quotation marks is speech, not a quoted term."""
    return len(inner) >= LONG_QUOTE or any(char in SPEECH_PUNCTUATION for char in inner)


def _ends_speech_quote(lines: list[Line]) -> bool:
    """True when the lines end by closing a quote that is speech, not a
    quoted term such as “校院地企协同创新”, after which the sentence may go
    on past a column break."""
    text = join_lines([line.text for line in lines]).rstrip()
    if not text.endswith("”"):
        return False
    opening = text.rfind("“")
    return is_speech(text[opening + 1 : -1] if opening >= 0 else "")


def _paragraph_width(paragraph: Paragraph) -> float | None:
    """The column width of a paragraph, when its lines can tell.

    A line is never wider than its column, but many are narrower: the last
    line, a line that ends before a number that may not break, and the first
    line, which lost its two-character indent. So the widest middle line, or
    the first line plus the indent, measures the column.
    """
    lines = paragraph.lines
    if len(lines) < 2:
        return None
    # A line followed by a number or a Latin word (2802.1亿元, DeepSeek) ended
    # early, because the run may not break: it does not measure the column.
    measured = [
        line.width + (INDENT if index == 0 else 0)
        for index, line in enumerate(lines[:-1])
        if not _starts_unbreakable(lines[index + 1].text)
    ]
    return max(measured) if measured else None


def _starts_unbreakable(text: str) -> bool:
    return text[:1].isascii() and text[:1].isalnum()


def _assign_boxes(paragraphs: list[Paragraph], indent_starts: set[int]) -> bool:
    """Number the boxes: a new box starts where the column width changes or
    where a rare indented line opens a paragraph."""
    box = 0
    previous_width: float | None = None
    detected = False
    for index, paragraph in enumerate(paragraphs):
        width = _paragraph_width(paragraph)
        changed = width is not None and previous_width is not None and abs(width - previous_width) >= BOX_WIDTH_CHANGE
        if index > 0 and (changed or index in indent_starts):
            box += 1
            detected = True
        paragraph.box = box
        if width is not None:
            previous_width = width
    return detected


__all__ = ["Layout", "Line", "Paragraph", "rebuild", "join_lines", "is_speech"]
