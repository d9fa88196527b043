"""Validator for the subset of HTML that the Telegram Bot API accepts (``parse_mode=HTML``).

Telegram rejects a whole message with ``400 Bad Request: can't parse entities`` when the HTML
is off, so tests check every text the bot produces with :func:`validate_telegram_html` instead
of discovering the problem in production.  The rules follow
https://core.telegram.org/bots/api#html-style and are deliberately a little stricter than
Telegram's parser (e.g. a bare ``&`` or ``>`` is reported even though Telegram sometimes
tolerates it), because text produced with ``html.escape`` never contains them.

Hand-written scanner instead of :mod:`html.parser`: the standard parser silently repairs bare
``<`` and ``&`` and unbalanced tags, which are exactly the errors we want to report.
"""

from __future__ import annotations

import re

__all__ = ["MAX_MESSAGE_LENGTH", "utf16_len", "validate_telegram_html", "visible_text"]

MAX_MESSAGE_LENGTH = 4096
"""Telegram's limit for a message text after entity parsing, in UTF-16 code units."""

_ALLOWED_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a",
     "code", "pre", "blockquote", "tg-emoji"}
)
_TAG_RE = re.compile(
    r"<(?P<close>/?)(?P<name>[A-Za-z][A-Za-z0-9-]*)"
    r"(?P<attrs>(?:\s+[^\s=/>\"']+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?)*)"
    r"\s*(?P<selfclose>/?)>"
)
_ATTR_RE = re.compile(r"([^\s=/>\"']+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?")
_ENTITY_RE = re.compile(r"&(?:(?P<named>lt|gt|amp|quot)|#(?P<dec>[0-9]{1,7})|#[xX](?P<hex>[0-9a-fA-F]{1,6}));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _decode_entity(match: re.Match[str]) -> str | None:
    """Decode one matched entity; ``None`` when the code point is not a valid character."""
    if match["named"]:
        return _NAMED[match["named"]]
    code = int(match["dec"]) if match["dec"] else int(match["hex"], 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code)


def _unescape_attr(value: str) -> str:
    if value[:1] in "\"'" and len(value) >= 2:
        value = value[1:-1]
    return _ENTITY_RE.sub(lambda m: _decode_entity(m) or m.group(0), value)


def _check_start_tag(name: str, attrs: dict[str, str | None], stack: list[str]) -> list[str]:
    """Tag-specific attribute rules and the documented nesting restrictions."""
    problems: list[str] = []
    if name == "a" and not attrs.get("href"):
        problems.append('<a> must have a non-empty href attribute')
    if name == "span" and attrs.get("class") != "tg-spoiler":
        problems.append('<span> is only allowed with class="tg-spoiler"')
    if name == "code" and "class" in attrs and not (attrs["class"] or "").startswith("language-"):
        problems.append('<code> class must start with "language-"')
    if name == "tg-emoji" and not (attrs.get("emoji-id") or "").isdigit():
        problems.append("<tg-emoji> must have a numeric emoji-id attribute")
    if stack and stack[-1] == "code":
        problems.append(f"<{name}> is not allowed inside <code>")
    elif stack and stack[-1] == "pre" and name != "code":
        problems.append(f"<{name}> is not allowed inside <pre> (only <code>)")
    if name == "a" and "a" in stack:
        problems.append("links can't be nested")
    if name == "blockquote" and "blockquote" in stack:
        problems.append("<blockquote> can't be nested")
    return problems


def _scan(html: str) -> tuple[str, list[str]]:
    """Walk the text once, returning (visible text, problems)."""
    out: list[str] = []
    problems: list[str] = []
    stack: list[str] = []
    i, n = 0, len(html)
    while i < n:
        ch = html[i]
        if ch == "<":
            m = _TAG_RE.match(html, i)
            if m is None:
                problems.append(f"bare '<' at position {i} (escape it as &lt;)")
                out.append(ch)
                i += 1
                continue
            i = m.end()
            name = m["name"].lower()
            if name not in _ALLOWED_TAGS:
                problems.append(f"unsupported tag <{m['close']}{name}> at position {m.start()}")
                continue
            if m["selfclose"]:
                problems.append(f"self-closing <{name}/> at position {m.start()} is not supported")
                continue
            if m["close"]:
                if m["attrs"].strip():
                    problems.append(f"closing tag </{name}> must not have attributes")
                if stack and stack[-1] == name:
                    stack.pop()
                elif name in stack:
                    problems.append(f"</{name}> at position {m.start()} closes <{name}> "
                                    f"before inner <{stack[-1]}> is closed")
                    del stack[len(stack) - 1 - stack[::-1].index(name):]
                else:
                    problems.append(f"</{name}> at position {m.start()} has no matching <{name}>")
                continue
            # findall yields '' for a valueless attribute (``expandable``); a quoted empty
            # value is '""', which unescapes to ''.
            attrs = {k.lower(): (_unescape_attr(v) if v else None)
                     for k, v in _ATTR_RE.findall(m["attrs"])}
            problems.extend(f"{p} (position {m.start()})" for p in _check_start_tag(name, attrs, stack))
            stack.append(name)
        elif ch == "&":
            m = _ENTITY_RE.match(html, i)
            decoded = _decode_entity(m) if m else None
            if m is None or decoded is None:
                problems.append(f"bare '&' at position {i} (escape it as &amp;; only &lt; &gt; "
                                "&amp; &quot; and numeric entities are supported)")
                out.append(ch)
                i += 1
                continue
            out.append(decoded)
            i = m.end()
        elif ch == ">":
            problems.append(f"bare '>' at position {i} (escape it as &gt;)")
            out.append(ch)
            i += 1
        else:
            out.append(ch)
            i += 1
    problems.extend(f"unclosed <{name}>" for name in reversed(stack))
    return "".join(out), problems


def visible_text(html: str) -> str:
    """The text a user would see: tags removed and entities decoded (best effort if invalid)."""
    return _scan(html)[0]


def validate_telegram_html(text: str) -> list[str]:
    """Return the problems Telegram's HTML parse mode would have with ``text`` (empty = valid)."""
    visible, problems = _scan(text)
    if not visible.strip():
        problems.append("message text is empty after removing tags")
    length = utf16_len(visible)
    if length > MAX_MESSAGE_LENGTH:
        problems.append(f"message is too long: {length} UTF-16 code units > {MAX_MESSAGE_LENGTH}")
    return problems
