"""jieba's own dictionary, read a word at a time from an indexed file.

Loading jieba's dictionary (its words, their frequencies and every prefix),
the part-of-speech tags and the IDF table takes a process two seconds or more,
longer than adding an article to the store. Cutting a text asks the dictionary
only about the text's own substrings, and the keywords only about its words:
an article added in place needs a few thousand entries of half a million,
and a full ingest of 10,000 articles about 12,000 (loaded whole, the three
tables take 150 MB in each of its processes).

So the three tables are written once into one SQLite file beside jieba's own
cache (the temporary folder), named by jieba's version and files and the
file's FORMAT, and read through mappings that look a word up on first use
and remember it; most pieces of text a cut asks about are no word, and a
filter of the file's words (a bit per CRC-32) answers most of those
without a query. The values
are the ones jieba computes (the file is written from jieba's loaded tables),
so a text is cut, tagged and weighed exactly as with jieba's tables in memory.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import os
import sqlite3
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any
from zlib import crc32


from ..schema import check_owned, read_only_uri
from .segmenter import jieba

log = logging.getLogger(__name__)

# Bumped when the file's layout changes.
FORMAT = "2"
# Words looked up per query when many are.
LOOKUP_CHUNK = 500
# The bits of the file's filter (one megabyte): a word's CRC-32 picks one.
# The file's 512,000 words set about 6% of them, so of the pieces of text a
# cut asks about that the file lacks (nine in ten) all but about 6% are
# answered without a query (see Words.may_hold).
FILTER_BITS = 1 << 23
_JIEBA_DIR = Path(jieba.__file__).parent
# The files jieba builds its tables from: the file's name follows them.
SOURCES = (_JIEBA_DIR / jieba.DEFAULT_DICT_NAME, _JIEBA_DIR / "analyse" / "idf.txt")


class LookedUp(dict):
    """A dict over one column of the words file. A word not met yet is looked
    up in the file, once, and remembered, a word the file lacks as None: so
    indexing (``looked_up[word]``), which a cut does millions of times, is
    dict's own lookup once the word has been met, and gives None for a word
    the file lacks where a dict would raise. ``in`` and ``get`` answer as a
    dict of the file's words would. Writes stay in memory, as they do in
    jieba's own dict (taught words, tags jieba adds). Listed, it holds the
    words looked up so far, those the file lacks too, and those written."""

    def __init__(self, words: Words, column: str):
        super().__init__()
        self._words = words
        self._column = column
        self._query = f"select {column} from words where word = ?"

    def prefetch(self, texts: Iterable[str]) -> None:
        """Look up together what cutting the texts will ask about: each
        character, then each piece one character longer than a piece found
        (the file holds every prefix of its words, as jieba's dictionary
        does), as jieba's cut extends a word. One query per few hundred
        pieces, where a cut asked about each of several thousand alone."""
        texts = list(texts)
        reach = [(text, start, start + 1) for text in texts for start in range(len(text))]
        while reach:
            self.fetch({text[start:end] for text, start, end in reach})
            reach = [(text, start, end + 1) for text, start, end in reach if end < len(text) and dict.__getitem__(self, text[start:end]) is not None]

    def fetch(self, words: Iterable[str]) -> None:
        """Look up together those of these words not met yet: one query per few hundred."""
        unknown = [word for word in set(words) if not dict.__contains__(self, word)]
        if unknown:
            may_hold = self._words.may_hold
            found = self._words.values(self._column, [word for word in unknown if may_hold(word)])
            for word in unknown:
                dict.__setitem__(self, word, found.get(word))

    def __missing__(self, word: Any) -> Any:
        value = self._words.value(self._query, word) if isinstance(word, str) and self._words.may_hold(word) else None
        dict.__setitem__(self, word, value)
        return value

    def __contains__(self, word: object) -> bool:
        return self[word] is not None

    def get(self, word: Any, default: Any = None) -> Any:
        value = self[word]
        return default if value is None else value


class Words:
    """jieba's dictionary file: a tokenizer over it, its tags, its IDF table."""

    def __init__(self, connection: sqlite3.Connection):
        self._connection = connection
        self._lock = threading.Lock()
        meta = dict(self._connection.execute("select key, value from meta"))
        self.total = int(meta["total"])
        self.median_idf = float(meta["median_idf"])
        (self._filter,) = self._connection.execute("select bits from filter").fetchone()

    def may_hold(self, word: str) -> bool:
        """False for a word the file surely lacks (its bit of the filter is
        clear), in a microsecond where a query takes several: most pieces a
        cut asks about are no word. True for every word the file holds."""
        bit = _filter_bit(word)
        return self._filter[bit >> 3] >> (bit & 7) & 1 == 1

    def value(self, query: str, word: str) -> Any:
        with self._lock:
            row = self._connection.execute(query, (word,)).fetchone()
        return row[0] if row else None

    def values(self, column: str, words: list[str]) -> dict[str, Any]:
        """The column's value for each of these words the file holds."""
        found: dict[str, Any] = {}
        with self._lock:
            for start in range(0, len(words), LOOKUP_CHUNK):
                chunk = words[start : start + LOOKUP_CHUNK]
                found.update(self._connection.execute(f"select word, {column} from words where word in ({','.join('?' * len(chunk))})", chunk))
        return found

    def tokenizer(self) -> jieba.Tokenizer:
        """A jieba tokenizer that reads its dictionary from the file as it
        cuts: the same cuts and frequencies as ``jieba.Tokenizer().initialize()``."""
        tokenizer = jieba.Tokenizer()
        tokenizer.FREQ = LookedUp(self, "freq")
        tokenizer.total = self.total
        tokenizer.initialized = True
        return tokenizer

    def tags(self) -> LookedUp:
        """Each dictionary word's part of speech, as jieba.posseg reads them."""
        return LookedUp(self, "tag")

    def idf(self) -> LookedUp:
        """Each word's inverse document frequency, as jieba.analyse reads them."""
        return LookedUp(self, "idf")


def _filter_bit(word: str) -> int:
    """The bit of the words file's filter that stands for word."""
    return crc32(word.encode("utf-8", "surrogatepass")) & (FILTER_BITS - 1)


def whole_tokenizer() -> jieba.Tokenizer:
    """jieba's tokenizer with its dictionary loaded whole (half a second,
    63 MB): what the words file is written from, and held to (the tests)."""
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def posseg() -> ModuleType:
    """jieba.posseg, for its tagger. Importing it makes a tagger over jieba's
    default tokenizer, which reads the tags of the whole dictionary (half a
    second) that no caller here uses: each tagger is given its tags (the
    words file's, or read_tags'). So the default tokenizer points at an empty dictionary
    while the module is imported."""
    if "jieba.posseg" not in sys.modules:
        default = jieba.dt.dictionary
        jieba.dt.dictionary = os.devnull
        try:
            module = importlib.import_module("jieba.posseg")
        finally:
            jieba.dt.dictionary = default
        viterbi_module = importlib.import_module("jieba.posseg.viterbi")
        module.viterbi = PathByPredecessors(viterbi_module.viterbi, viterbi_module.MIN_FLOAT)
    return sys.modules["jieba.posseg"]


class PathByPredecessors:
    """jieba.posseg's viterbi (the tags of a run of characters that no word
    of the dictionary covers), the same path with the same probability,
    found in about a third of the time: a speaker's name that no cue
    follows is read by it (the 1,000-article corpus tags 718, in 0.08 s
    against jieba's 0.21). For each state of a character jieba tries every state of the
    one before, most of which cannot precede it (a sum with minus infinity,
    never the best); this tries only those that can, with the same sums in
    the same order, so the same best wins and a tie goes to the same state.
    Where no state of the character follows one of the one before, jieba's
    own rule decides (its other states, or jieba itself)."""

    def __init__(self, jieba_viterbi: Callable, never_emitted: float):
        self._jieba_viterbi = jieba_viterbi
        self._never_emitted = never_emitted  # jieba's log probability of a character a state never emits
        self._transitions: dict | None = None
        self._into: dict[Any, list[tuple[Any, float]]] = {}  # each state's predecessors, with the transition's log probability

    def __call__(self, characters: str, states: dict, start: dict, transitions: dict, emissions: dict) -> tuple[float, list]:
        if transitions is not self._transitions:
            self._into = {}
            for before, row in transitions.items():
                for state, probability in row.items():
                    self._into.setdefault(state, []).append((before, probability))
            self._transitions = transitions
        every_state = transitions.keys()
        previous = {state: start[state] + emissions[state].get(characters[0], self._never_emitted) for state in states.get(characters[0], every_state)}
        came_from = [dict.fromkeys(previous, "")]
        for character in characters[1:]:
            column, back = self._column(previous, states.get(character, every_state), character, emissions)
            if not column:
                # No state of this character follows one before: jieba takes any state that follows one.
                following = {state for before in previous for state in transitions[before]}
                if not following:
                    return self._jieba_viterbi(characters, states, start, transitions, emissions)
                column, back = self._column(previous, following, character, emissions)
            came_from.append(back)
            previous = column
        probability, state = max((value, state) for state, value in previous.items())
        route = [None] * len(characters)
        for position in range(len(characters) - 1, -1, -1):
            route[position] = state
            state = came_from[position][state]
        return probability, route

    def _column(self, previous: dict, candidates: Iterable, character: str, emissions: dict) -> tuple[dict, dict]:
        """The best path's probability into each candidate state that follows
        a state of previous, and the state it comes from."""
        column: dict = {}
        back: dict = {}
        for state in candidates:
            emitted = emissions[state].get(character, self._never_emitted)
            paths = [(previous[before] + probability + emitted, before) for before, probability in self._into.get(state, ()) if before in previous]
            if paths:
                column[state], back[state] = max(paths)
        return column, back


def _pos_tokenizer(tokenizer: jieba.Tokenizer, tags: dict[str, str]):
    """jieba's POSTokenizer over tokenizer with these word tags, made without
    the constructor, which would read the default tokenizer's."""
    module = posseg()
    made = module.POSTokenizer.__new__(module.POSTokenizer)
    made.tokenizer = tokenizer
    made.word_tag_tab = tags
    return made


class Tagger:
    """jieba's part-of-speech tagger over tokenizer with these word tags,
    made on its first cut: importing jieba.posseg loads its model (30 ms of
    the second an article added in place takes), and most articles never ask,
    for only a name that no cue follows is tagged."""

    def __init__(self, tokenizer: jieba.Tokenizer, tags: dict[str, str]):
        self._parts = (tokenizer, tags)
        self._made = None

    def cut(self, text: str) -> Iterator:
        if self._made is None:
            self._made = _pos_tokenizer(*self._parts)
        return self._made.cut(text)


def read_tags() -> dict[str, str]:
    """Each word of jieba's dictionary with its part of speech, as jieba.posseg
    reads them: read again on each call (half a second, about 56 MB held)."""
    reader = _pos_tokenizer(jieba.Tokenizer(), {})
    reader.load_word_tag(reader.tokenizer.get_dict_file())
    return reader.word_tag_tab


_words: Words | None = None
_opening = threading.Lock()


def words() -> Words:
    """The process's view of the words file, written first if there is none
    for this jieba (a few seconds, once per machine). A file that cannot be
    written or read costs the change speed, not its result: the tables are
    then kept in memory."""
    global _words
    with _opening:
        if _words is None:
            path = words_path()
            try:
                _words = Words(open_lookup(path, _fill))
            except (OSError, sqlite3.Error) as error:
                log.warning("jieba's words are kept in memory: %s cannot be written or read (%s)", path, error)
                connection = sqlite3.connect(":memory:", check_same_thread=False)
                _fill(connection)
                _words = Words(connection)
        return _words


def words_path() -> Path:
    digest = hashlib.sha256(f"{FORMAT}\0{jieba.__version__}".encode())
    for source in SOURCES:
        status = source.stat()
        digest.update(f"\0{source}\0{status.st_size}\0{status.st_mtime_ns}".encode())
    return Path(tempfile.gettempdir()) / f"lianghui-jieba-words.{digest.hexdigest()[:16]}.sqlite"


def open_lookup(path: Path, fill: Callable[[sqlite3.Connection], None]) -> sqlite3.Connection:
    """A lookup file opened read-only, written first when there is none; one
    that another user owns is refused (check_owned)."""
    if not path.is_file():
        write_once(path, fill)
    check_owned(path)
    return sqlite3.connect(read_only_uri(path), uri=True, check_same_thread=False)


def write_once(path: Path, fill: Callable[[sqlite3.Connection], None]) -> None:
    """A lookup file (``fill`` writes its tables), written under a temporary
    name and renamed into place: a process reading it never sees half of it,
    and two writing it at once each write a whole one."""
    handle, temporary = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        connection = sqlite3.connect(temporary)
        try:
            connection.execute("pragma journal_mode = off")
            fill(connection)
        finally:
            connection.close()
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)


def _fill(connection: sqlite3.Connection) -> None:
    """The three tables, from jieba's as jieba loads them, and the filter of
    their words (Words.may_hold). Read here and let
    go: the process that writes the file (an ingest's main process, the bot
    on its first change) keeps none of them (150 MB)."""
    tokenizer = whole_tokenizer()
    tags = read_tags()
    idf, median_idf = read_idf()
    connection.execute("create table words (word text primary key, freq integer, tag text, idf real) without rowid")
    connection.execute("create table meta (key text primary key, value text)")
    connection.executemany(
        "insert into words values (?, ?, ?, ?)",
        ((word, tokenizer.FREQ.get(word), tags.get(word), idf.get(word)) for word in sorted(set(tokenizer.FREQ) | set(tags) | set(idf))),
    )
    connection.executemany("insert into meta values (?, ?)", [("total", str(tokenizer.total)), ("median_idf", repr(median_idf))])
    bits = bytearray(FILTER_BITS // 8)
    for (word,) in connection.execute("select word from words"):
        bit = _filter_bit(word)
        bits[bit >> 3] |= 1 << (bit & 7)
    connection.execute("create table filter (bits blob)")
    connection.execute("insert into filter values (?)", [bytes(bits)])
    connection.commit()


def read_idf() -> tuple[dict[str, float], float]:
    """jieba's IDF table and its median, read from its file as jieba.analyse's
    IDFLoader reads them: importing jieba.analyse would load them into a table
    of the module's, kept as long as the process."""
    idf: dict[str, float] = {}
    for line in SOURCES[1].read_bytes().decode("utf-8").splitlines():
        word, weight = line.strip().split(" ")
        idf[word] = float(weight)
    return idf, sorted(idf.values())[len(idf) // 2]
