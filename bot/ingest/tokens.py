"""Search-mode tokens of a text, with each run of it cut once.

jieba cuts a text as the runs of characters between punctuation and spaces
(its ``re_han_default`` blocks), each on its own, so the tokens of a text are
the tokens of its runs one after another. News text repeats its runs: roles
(全国人大代表), set phrases, a reprinted quote, a byline. Cutting is most of
what ingest spends, so each run's tokens are kept (a bounded cache, most
recently used first) and reused where the run comes again: the tokens are the
ones jieba gives the whole text, at the same offsets.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .segmenter import jieba

_PUNCTUATION_TOKEN = re.compile(r"^[\W_]+$")
# Runs kept; a run and its tokens take about a kilobyte.
CACHED_RUNS = 65536


class SearchTokens:
    """``tokens(text)``: jieba's search-mode tokens of text (whole words plus
    the dictionary words inside them: 光电子信息 also yields 光电子, 电子, 信息),
    lower-cased, without punctuation, as (word, start, end).

    Made once the tokenizer knows every word it will be taught: a word added
    later would change the cut of runs already kept."""

    def __init__(self, tokenizer: jieba.Tokenizer, cached_runs: int = CACHED_RUNS):
        self._tokenizer = tokenizer
        self._run_tokens = lru_cache(maxsize=cached_runs)(self._cut_run)

    def __call__(self, text: str) -> list[tuple[str, int, int]]:
        tokens: list[tuple[str, int, int]] = []
        offset = 0
        for run in jieba.re_han_default.split(text):
            if not run:
                continue
            if offset:
                tokens.extend((word, start + offset, end + offset) for word, start, end in self._run_tokens(run))
            else:
                tokens.extend(self._run_tokens(run))
            offset += len(run)
        return tokens

    def _cut_run(self, run: str) -> tuple[tuple[str, int, int], ...]:
        return tuple(
            (word.lower(), start, end)
            for word, start, end in self._tokenizer.tokenize(run, mode="search")
            if word.strip() and not _PUNCTUATION_TOKEN.match(word)
        )
