"""Character-level helpers shared by ingest and the answer engine.

Nothing here imports jieba, pypinyin or OpenCC: the engine must start fast, so
everything it needs at query time is either here or already in the store.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from .regexes import compiled

# Sentence-final punctuation. A paragraph or sentence whose last character (after
# closing quotes and brackets) is one of these is complete.
TERMINAL = "。！？!?…"
CLOSERS = "”’」』）)》"

# Characters that are invisible or reorder text: they must never reach matching
# or rendering, because they make equal-looking strings compare unequal.
_INVISIBLE = compiled(
    "[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]"
)
_CONTROL = compiled("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACES = compiled(r"\s+")


def is_cjk(char: str) -> bool:
    """True for a Han character (CJK unified ideographs and extensions)."""
    # Called for every character of every message: the common block first, no loop.
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf" or "\uf900" <= char <= "\ufaff" or "\U00020000" <= char <= "\U0002ebef"


def has_cjk(text: str) -> bool:
    return any(is_cjk(c) for c in text)


def display_width(text: str) -> int:
    """Columns a line occupies on the page: full-width characters count 2.

    Quotation marks count 1: the page compresses them (标点挤压), and on the
    first seed lines holding “” measure exactly as full as their neighbours.
    """
    return sum(map(_char_width, text))


@cache
def _char_width(char: str) -> int:
    # Layout measures every line of every article: a character's width is looked up once.
    return 2 if unicodedata.east_asian_width(char) in "WF" else 1


def ends_sentence(text: str) -> bool:
    """True when text ends a sentence, ignoring closing quotes and brackets."""
    stripped = text.rstrip().rstrip(CLOSERS)
    return bool(stripped) and stripped[-1] in TERMINAL


def clean_message(text: str, limit: int | None = None) -> str:
    """Normalise a chat message: NFKC (full-width to half-width, ideographic
    space to space), no invisible or control characters, single spaces."""
    text = unicodedata.normalize("NFKC", text or "")
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub(" ", text)
    text = _SPACES.sub(" ", text).strip()
    if limit is not None:
        text = text[:limit]
    return text


_U_UMLAUT = str.maketrans({char: "v" for char in "üǖǘǚǜÜǕǗǙǛ"})


def strip_tones(text: str) -> str:
    """Latin text without diacritics: 'Mǎ Xīnqiáng' -> 'Ma Xinqiang'. Pinyin ü
    is written v, as stored (lǚ -> lv), so it is mapped before decomposing."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_U_UMLAUT))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def well_formed(text: str) -> str:
    """text as valid Unicode. Lone surrogates arrive from JSON ("\\ud800" in a
    Telegram update) and from bytes that were not UTF-8 (Python passes such
    command-line and stdin bytes as surrogates); SQLite cannot take them, so
    each becomes U+FFFD."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def latin_key(text: str) -> str:
    """The lookup key for Latin input: lower-case letters only.

    'Ma Xinqiang', 'ma3 xin1 qiang2', 'Mǎ Xīnqiáng' and "Xi'an" all reduce to
    letters, which is how pinyin and English keys are stored.
    """
    return re.sub(r"[^a-z]", "", strip_tones(text).lower())


def is_latin_query(text: str) -> bool:
    """True when the text is made of Latin letters, digits, spaces and light
    punctuation only (pinyin or an English name)."""
    stripped = strip_tones(text)
    return bool(re.fullmatch(r"[A-Za-z][A-Za-z0-9 '\-.]*", stripped))
