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
import re
from collections.abc import Callable, Iterable

from ..text import is_cjk

# jieba's longest dictionary words are rarely longer than this.
MAX_WORD = 8
# A run of Latin letters, digits and number punctuation is one token, as in jieba.
_LATIN_RUN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+%#\-]*")


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
    # route[i] = (best log probability of run[i:], end of the first word)
    route: list[tuple[float, int]] = [(0.0, 0)] * (length + 1)
    for start in range(length - 1, -1, -1):
        best: tuple[float, int] | None = None
        for end in range(start + 1, min(length, start + MAX_WORD) + 1):
            word = run[start:end]
            frequency = frequencies.get(word, 0)
            if end - start > 1 and not frequency:
                continue  # not a word: only single characters stand without being words
            score = math.log(frequency or 1) - log_total + route[end][0]
            if best is None or score > best[0]:
                best = (score, end)
        route[start] = best or (0.0, start + 1)
    words: list[str] = []
    position = 0
    while position < length:
        end = route[position][1]
        words.append(run[position:end])
        position = end
    return words
