"""Search-mode tokens of a text, with each run of it cut once.

jieba cuts a text as the runs of characters between punctuation and spaces
(its ``re_han_default`` blocks), each on its own, so the tokens of a text are
the tokens of its runs one after another. News text repeats its runs: roles
(全国人大代表), set phrases, a reprinted quote, a byline. Cutting is most of
what ingest spends, so the tokens of a run met twice are kept (a bounded
cache) and reused where the run comes again: the tokens are the ones jieba
gives the whole text, at the same offsets.

A run met for the first time is cut by ``_words``, jieba's own algorithm
(``Tokenizer.get_DAG``, ``calc`` and ``__cut_DAG``: the most probable path
through the dictionary's words, the runs of single characters it leaves
given to jieba's HMM) in one loop over plain lists instead of jieba's
generators, dicts of lists and tuples: the same words, at about half the
cost, which at 10,000 articles is a minute of ingest (4 million characters
in new runs). tests/test_ingest_tokens.py holds it to jieba's cut.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from math import log

from ..regexes import compiled
from .dictionary import LookedUp
from .segmenter import jieba

_PUNCTUATION_TOKEN = compiled(r"^[\W_]+$")
# Runs kept; a run and its tokens take about a kilobyte. Over 2,500 articles
# of the 10,000-article corpus, 8,192 runs kept find 82.5% of the runs again,
# 16,384 find 85% and 65,536 88%, for 0.2 and 0.85 s less CPU: the runs that
# recur (roles, set phrases, bylines) stay, most met once go, and with two
# workers the ingest's processes together stay under 500 MB (bench.py).
# A run is kept the second time it is met, not the first: nine in ten runs
# of a season's text are met once (a name, a figure, a sentence of its
# own), and kept at once they pushed out the ones that recur. A worker of a
# 10,000-article ingest (half the articles) cuts 203,000 runs so, against
# 232,000 kept at once, most recently used first. Once CACHED_RUNS are
# kept, no more are: an ingest's recurring runs recur from its start.
CACHED_RUNS = 8192
# Runs met once, as a bit per hash: 4 million bits (512 KB) for the 164,000
# different runs of a worker's 5,000 articles, of which 4% are set.
SEEN_RUN_BITS = 1 << 22
# Runs of characters the dictionary leaves single whose HMM cut is kept.
CACHED_UNKNOWN = 65536


def _lookup(tokenizer: jieba.Tokenizer) -> Callable[[str], int | None]:
    """The frequency of a word in the tokenizer's dictionary, None for one it
    lacks: for a dictionary read from the words file, its own lookup, which
    costs dict's alone once a word has been met (dictionary.LookedUp)."""
    frequencies = tokenizer.FREQ
    return frequencies.__getitem__ if isinstance(frequencies, LookedUp) else frequencies.get


@lru_cache(maxsize=CACHED_UNKNOWN)
def _hmm_words(characters: str) -> tuple[str, ...]:
    """jieba's HMM cut of characters its dictionary leaves single (its
    ``finalseg``): the same for any tokenizer, so kept across them."""
    from jieba import finalseg

    return tuple(finalseg.cut(characters))


def _best_path(run: str, frequency: Callable[[str], int | None], log_total: float) -> list[int]:
    """jieba's most probable path through the dictionary's words of a run
    (``Tokenizer.get_DAG`` and ``calc``): where the word starting at each
    position ends. frequency: _lookup of the tokenizer; log_total: the log
    of its total."""
    length = len(run)
    # Backwards from the end, as jieba's calc: the best score of the rest
    # of the run from each position, and where the first word from there
    # ends. Each candidate word is a prefix in the dictionary with a
    # frequency; on a tie the longer word wins, as max() of (score, end)
    # does in jieba.
    score = [0.0] * (length + 1)
    last = list(range(length))
    for first in range(length - 1, -1, -1):
        best = None
        end = first
        found = frequency(run[first])
        while found is not None:
            if found:
                value = log(found) - log_total + score[end + 1]
                if best is None or value >= best:
                    best, last[first] = value, end
            end += 1
            if end >= length:
                break
            found = frequency(run[first : end + 1])
        if best is None:
            # No word starts here: the character alone (jieba's DAG falls back to it).
            best = log(frequency(run[first]) or 1) - log_total + score[first + 1]
        score[first] = best
    return last


_HAN_WORD = compiled("[\u4e00-\u9fd5]+")


def suggested_frequency(tokenizer: jieba.Tokenizer, word: str) -> int:
    """jieba's ``suggest_freq(word)``: the frequency that keeps word whole.
    For a word of Han characters alone (a name, a quoted term), its cut
    without the HMM is the most probable path itself (_best_path), which
    jieba reaches through its generators, a DAG of lists and tuples to
    max(): its suggest_freq took 0.50 s of the 0.87 s an ingest spent
    teaching 50,000 names (0.69 s so). Any other word, jieba's own."""
    if not _HAN_WORD.fullmatch(word):
        return tokenizer.suggest_freq(word)
    tokenizer.check_initialized()
    frequency = _lookup(tokenizer)
    total = tokenizer.total
    last = _best_path(word, frequency, log(total))
    suggested = 1.0
    position = 0
    while position < len(word):
        following = last[position] + 1
        suggested *= tokenizer.FREQ.get(word[position:following], 1) / float(total)
        position = following
    return max(int(suggested * total) + 1, tokenizer.FREQ.get(word, 1))


class SearchTokens:
    """``tokens(text)``: jieba's search-mode tokens of text (whole words plus
    the dictionary words inside them: 光电子信息 also yields 光电子, 电子, 信息),
    lower-cased, without punctuation, as (word, start, end).

    Made once the tokenizer knows every word it will be taught: a word added
    later would change the cut of runs already kept."""

    def __init__(self, tokenizer: jieba.Tokenizer, cached_runs: int = CACHED_RUNS):
        self._tokenizer = tokenizer
        self._kept: dict[str, tuple[tuple[str, int, int], ...]] = {}
        self._room = cached_runs
        self._seen = bytearray(SEEN_RUN_BITS // 8)

    def __call__(self, text: str) -> list[tuple[str, int, int]]:
        tokens: list[tuple[str, int, int]] = []
        offset = 0
        kept = self._kept
        for run in jieba.re_han_default.split(text):
            if not run:
                continue
            run_tokens = kept.get(run)
            if run_tokens is None:
                run_tokens = self._cut_run(run)
                self._keep(run, run_tokens)
            if offset:
                tokens += [(word, start + offset, end + offset) for word, start, end in run_tokens]
            else:
                tokens += run_tokens
            offset += len(run)
        return tokens

    def _keep(self, run: str, run_tokens: tuple[tuple[str, int, int], ...]) -> None:
        """Keep a run just cut if it was met before and there is room (see CACHED_RUNS)."""
        if len(self._kept) >= self._room:
            return
        bit = hash(run) & (SEEN_RUN_BITS - 1)  # the dict lookup hashed it already: the hash is kept in the string
        if self._seen[bit >> 3] & (1 << (bit & 7)):
            self._kept[run] = run_tokens
        else:
            self._seen[bit >> 3] |= 1 << (bit & 7)

    def _cut_run(self, run: str) -> tuple[tuple[str, int, int], ...]:
        if not jieba.re_han_default.fullmatch(run):
            # Punctuation and spaces: jieba gives them a character at a time.
            return tuple(
                (word.lower(), start, end)
                for word, start, end in self._tokenizer.tokenize(run, mode="search")
                if word.strip() and not _PUNCTUATION_TOKEN.match(word)
            )
        # jieba's search mode (Tokenizer.tokenize): each word, after the
        # dictionary's two- and then three-character words inside it.
        # Initialised first: jieba's initialize gives the tokenizer a new FREQ.
        self._tokenizer.check_initialized()
        frequency = _lookup(self._tokenizer)
        tokens: list[tuple[str, int, int]] = []
        start = 0
        for word in self._words(run, frequency):
            width = len(word)
            if width > 2:
                for inside in range(width - 1):
                    if frequency(word[inside : inside + 2]):
                        tokens.append((word[inside : inside + 2], start + inside, start + inside + 2))
            if width > 3:
                for inside in range(width - 2):
                    if frequency(word[inside : inside + 3]):
                        tokens.append((word[inside : inside + 3], start + inside, start + inside + 3))
            tokens.append((word, start, start + width))
            start += width
        return tuple((word.lower(), first, last) for word, first, last in tokens if word.strip() and not _PUNCTUATION_TOKEN.match(word))

    def _words(self, run: str, frequency: Callable[[str], int | None]) -> list[str]:
        """jieba's cut of a run of its Han-and-Latin characters, with the HMM;
        frequency: _lookup of the tokenizer."""
        length = len(run)
        last = _best_path(run, frequency, log(self._tokenizer.total))
        # Forwards along the best path, as jieba's __cut_DAG: single
        # characters gather and go to the HMM unless they are one word.
        words: list[str] = []
        pending = ""
        position = 0
        while position < length:
            following = last[position] + 1
            if following - position == 1:
                pending += run[position]
            else:
                if pending:
                    words.extend(self._single(pending, frequency))
                    pending = ""
                words.append(run[position:following])
            position = following
        if pending:
            words.extend(self._single(pending, frequency))
        return words

    @staticmethod
    def _single(characters: str, frequency: Callable[[str], int | None]) -> tuple[str, ...] | str:
        if len(characters) == 1:
            return (characters,)
        if not frequency(characters):
            return _hmm_words(characters)
        return characters
