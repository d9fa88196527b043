"""Segment a query the way ingest segmented the text, without loading jieba.

Loading jieba's dictionary takes about a second, which a one-shot ``ask``
cannot afford. Ingest stores every word it produced, with jieba's frequency,
in the ``vocab`` table; a query only needs the words among its own
substrings, so they are fetched with one indexed lookup and the query is cut
with jieba's own method: the route through the word graph with the highest
product of word probabilities (``jieba.Tokenizer.calc``). Words the index
holds therefore come out of the query whole.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

from ..regexes import compiled
from ..text import is_cjk

# jieba's longest dictionary words are rarely longer than this.
MAX_WORD = 8
# A run of Latin letters, digits and number punctuation is one token, as in jieba.
_LATIN_RUN = compiled(r"[A-Za-z0-9][A-Za-z0-9.+%#\-]*")


def segment(text: str, lookup: Callable[[Iterable[str]], dict[str, int]], total: int) -> list[str]:
    """Cut text into words. ``lookup`` maps candidate substrings to their
    frequencies (missing ones are not words); ``total`` is jieba's total.
    Every run of Han characters is looked up at once: one store query."""
    runs = _runs(text)
    candidates = {
        run[i:j] for run, is_han in runs if is_han for i in range(len(run)) for j in range(i + 1, min(len(run), i + MAX_WORD) + 1)
    }
    frequencies = lookup(candidates) if candidates else {}
    tokens: list[str] = []
    for run, is_han in runs:
        if is_han:
            tokens.extend(_cut_han(run, frequencies, total))
        else:
            tokens.extend(match.group(0) for match in _LATIN_RUN.finditer(run))
    return tokens


def _runs(text: str) -> list[tuple[str, bool]]:
    """Split text into maximal runs of Han characters and of everything else."""
    runs: list[tuple[str, bool]] = []
    for char in text:
        han = is_cjk(char)
        if runs and runs[-1][1] == han:
            runs[-1] = (runs[-1][0] + char, han)
        else:
            runs.append((char, han))
    return runs


def _cut_han(run: str, frequencies: dict[str, int], total: int) -> list[str]:
    length = len(run)
    log_total = math.log(total)
    # The words of several characters in the run, by where they start: only
    # these and single characters are steps of a route, so a place is scored
    # over them alone, not over every substring up to MAX_WORD (most of which,
    # in a question and still more in pasted text, are no word).
    words_at: dict[int, list[tuple[int, int]]] = {}
    for word, frequency in frequencies.items():
        if 1 < len(word) <= MAX_WORD and frequency:
            found = run.find(word)
            while found != -1:
                words_at.setdefault(found, []).append((found + len(word), frequency))
                found = run.find(word, found + 1)
    # route[i] = (best log probability of run[i:], end of the first word)
    route: list[tuple[float, int]] = [(0.0, 0)] * (length + 1)
    for start in range(length - 1, -1, -1):
        # A single character stands whether or not it is a word; on a tie the shorter step wins.
        best = (math.log(frequencies.get(run[start], 0) or 1) - log_total + route[start + 1][0], start + 1)
        for end, frequency in sorted(words_at.get(start, ())):
            score = math.log(frequency) - log_total + route[end][0]
            if score > best[0]:
                best = (score, end)
        route[start] = best
    words: list[str] = []
    position = 0
    while position < length:
        end = route[position][1]
        words.append(run[position:end])
        position = end
    return words
