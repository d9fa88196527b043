"""Which articles can hold a word, without reading their text.

Each article keeps a 1,000-byte filter of the character pairs (bigrams) of
its paragraphs: two bits of 8,000 per pair, set by two fixed hashes. Not 1,024
bytes: four rows of 1,000 fit in a 4 KB page of the store, three of 1,024. A word of two or
more characters can only occur in an article whose filter has the bits of all
its pairs, so a change reads the text of those articles alone to find where
a new name or quoted term occurs: exactly the articles a pass over every
paragraph finds, with a few more read for nothing. An article's 1,000 or so
pairs set about a fifth of its bits. With one bit a pair (an eighth set), a
name whose two pairs fell on bits of common pairs passed half the articles
(王行环 at 10,000 articles: 4,747, whose paragraphs took 1.5 s to read); with
two, on 1,500 articles of the 10,000-article corpus, 300 people's names pass
0.9% of the articles on average (3.2% with one bit), 28% at most (77%), and
王行环 2.2%.
"""

from __future__ import annotations

import sys
from collections import deque
from collections.abc import Iterable, Iterator
from itertools import repeat

BITS = 8000  # the filter's size; the one constant a build and a change share
# A pair (first << 21 | second: a character's code takes 21 bits) has two
# slots, one per multiplier: the pair times it, as a 64-bit fraction, scaled
# to BITS (its top bits decide). Fibonacci hashing: pairs of neighbouring
# characters spread apart; the second, another odd constant, apart from the first.
_MULTIPLIERS = (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F)

# The slots of a text's pairs are reckoned in a few operations on integers of
# thousands of bits, not a few per pair in Python, which took four times as
# long (a tenth of a build's second pass). Each character is a lane of 128
# bits of one integer: shifted, the integer holds every pair, one per lane;
# times a multiplier, every product, none reaching the next lane (42 + 64
# bits); the low 64 bits of each kept and times BITS, every slot in its
# lane's bits 64 to 76 (BITS < 2**13).
_LANE_BYTES = 16
_CHUNK = 4096  # characters reckoned in one integer at most: 64 KB
_LOW_BITS = int.from_bytes((b"\xff" * 8 + bytes(8)) * _CHUNK, "little")  # every lane's low 64 bits
# A lane whose pair is not a pair of the text (across two paragraphs, or the
# last character's with nothing) gets this slot, beyond BITS, in the 16 bits
# that hold a slot: OR'd over the lane's scaled product.
_NO_PAIR = 0xFFFF
_NO_PAIR_LANE = bytes(8) + _NO_PAIR.to_bytes(2, "little") + bytes(6)
# A lane's 16-bit unit (of eight) that holds its slot, the integer's bytes
# in this machine's order, as memoryview reads a unit: its bits 64 to 79
# are the fifth unit of a lane little-endian, the fourth big-endian.
_SLOT_OF_LANE = 4 if sys.byteorder == "little" else 3


def _runs(texts: Iterable[str]) -> Iterator[list[str]]:
    """The texts with pairs (two or more characters), gathered into runs of
    at most _CHUNK characters once joined by one character between them; a
    longer text in pieces that overlap by a character, so each pair is in one."""
    run: list[str] = []
    size = 0
    for text in texts:
        if len(text) < 2:
            continue
        if len(text) > _CHUNK:
            yield from ([text[start : start + _CHUNK]] for start in range(0, len(text) - 1, _CHUNK - 1))
            continue
        if run and size + 1 + len(text) > _CHUNK:
            yield run
            run, size = [], 0
        run.append(text)
        size += len(text) + 1
    if run:
        yield run


def _slot_lanes(run: list[str]) -> Iterator[memoryview]:
    """For each multiplier, the slot of each pair of the run's texts (pairs
    within a text only; _NO_PAIR where the run's joined characters pair across two)."""
    joined = "\x00".join(run)
    lanes = len(joined)
    codes = joined.encode("utf-32-le", "surrogatepass")  # a lone surrogate as its code, as ord() gives it
    spread = bytearray(_LANE_BYTES * lanes)
    for byte in range(3):  # a code's three low bytes, each to its lane
        spread[byte::_LANE_BYTES] = codes[byte::4]
    characters = int.from_bytes(spread, "little")
    pairs = (characters << 21) | (characters >> (8 * _LANE_BYTES))
    no_pair = bytearray(_LANE_BYTES * lanes)
    end = -1
    for text in run[:-1]:
        end += len(text) + 1  # the joining character's lane: its pair, and the one before it, are not pairs
        no_pair[_LANE_BYTES * (end - 1) : _LANE_BYTES * (end + 1)] = _NO_PAIR_LANE * 2
    no_pair[_LANE_BYTES * (lanes - 1) :] = _NO_PAIR_LANE
    not_pairs = int.from_bytes(no_pair, "little")
    for multiplier in _MULTIPLIERS:
        scaled = ((pairs * multiplier) & _LOW_BITS) * BITS | not_pairs
        yield memoryview(scaled.to_bytes(_LANE_BYTES * lanes, sys.byteorder)).cast("H")[_SLOT_OF_LANE :: _LANE_BYTES // 2]


def _slots(text: str) -> set[int]:
    """The slots of the pairs of text."""
    slots = {slot for run in _runs([text]) for lane in _slot_lanes(run) for slot in lane}
    slots.discard(_NO_PAIR)
    return slots


def article_filter(texts: Iterable[str]) -> bytes:
    """The filter of an article's paragraphs (pairs within a paragraph only:
    a word never spans two). Each slot met is marked in a byte of its own
    (by map, in C), and the marks are packed eight to a byte at the end."""
    marked = bytearray(_NO_PAIR + 1)
    for run in _runs(texts):
        for slots in _slot_lanes(run):
            deque(map(marked.__setitem__, slots, repeat(1)), maxlen=0)
    bits = 0
    for bit in range(8):
        bits |= int.from_bytes(marked[bit:BITS:8], "little") << bit
    return bits.to_bytes(BITS // 8, "little")


# Each byte value at its own offset: instr(_BYTE_VALUES, b) - 1 is the value of
# the one-byte blob b, which no SQLite function gives.
_BYTE_VALUES = bytes(range(256))


def holding_any(words: Iterable[str]) -> tuple[str, list[bytes]] | None:
    """An SQL condition that a filter (the column ``bits``) has every bit of
    at least one word's pairs, and its parameters; None when a word has one
    character, which any article may hold. SQLite tests each filter where it
    reads it: copied into Python, a row and a big integer each, the 10,000
    filters took 80 ms of an article added in place; tested here, 30 ms."""
    tests, parameters = [], []
    for word in words:
        if len(word) < 2:
            return None
        slots = sorted(_slots(word))
        tests.append(" and ".join(f"(instr(?, substr(bits, {(slot >> 3) + 1}, 1)) - 1) & {1 << (slot & 7)}" for slot in slots))
        parameters += [_BYTE_VALUES] * len(slots)
    return " or ".join(f"({test})" for test in tests) or "0", parameters
