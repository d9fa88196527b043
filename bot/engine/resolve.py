"""Resolve what a person typed to a person, city or topic in the store.

People type names every way: exact (马新强), with a homophone typo (马欣强),
a look-alike character (王行坏), in pinyin (maxinqiang, Ma Xinqiang, Xinqiang
Ma, mxq), in traditional characters (馬新強), as a given name (新强), with a
title (马新强代表, 马代表), as an alias (江城, 申城, 沪) or in English (Wuhan).

Two rules keep answers right:

* Character overlap alone cannot rank names: among thousands of people,
  马欣强 shares two characters with every 马新X and every X欣强. Each
  position is compared by character and by pinyin, so 马新强 (same sound at
  every position) stands out from 马新华.
* The resolver answers only when one candidate is clearly best. Otherwise it
  returns suggestions, and the engine says it is not sure. A two-character
  name is never guessed from a typo: one wrong character is half the name.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from operator import itemgetter
from typing import TypeVar

from rapidfuzz import fuzz

from ..regexes import compiled
from ..schema import MEDIUM, STRONG, WEAK, typo_keys
from .cache import StoreCache
from .store import Store
from ..text import clean_message, is_cjk, is_latin_query, latin_key

T = TypeVar("T")

# Titles people add after a name: 马新强代表, 丁光宏委员, 王院长.
TITLE_SUFFIXES = ("全国人大代表", "全国政协委员", "代表", "委员", "先生", "女士", "同志", "教授", "院长", "董事长", "主任", "书记", "市长")
# Titles that say nothing about which person is meant: any 马 may be 马先生.
POLITE_TITLES = ("先生", "女士", "同志")
# A deputy is not a member: 王代表 is not 王行环, who sits in the CPPCC.
BODY_TITLES = {"代表": "代表", "全国人大代表": "代表", "委员": "委员", "全国政协委员": "委员"}
# Latin words people add after a name or city: wuhan shi, ma xinqiang daibiao.
LATIN_SUFFIXES = (("shi", frozenset({"city"})), ("daibiao", frozenset({"person"})), ("weiyuan", frozenset({"person"})))
# Characters that follow a name in a question (马欣强说了什么, 罗卫冬怎么看, 马欣强对人才…).
NAME_FOLLOWERS = frozenset("说讲谈对怎认表建提指介强举总坦期的在关是有如为和与跟代委觉看呼透希回称还都也曾会")
# Scores: an exact key scores by its strength; fuzzy matches score 0-100.
EXACT_SCORE = {STRONG: 100.0, MEDIUM: 97.0, WEAK: 92.0}
# Per-position similarity of two characters.
SAME_CHAR, SAME_SOUND, RARE_SOUND, NEAR_SOUND = 1.0, 0.9, 0.85, 0.6
# A fuzzy match is an answer only above this score and this far ahead of the next candidate.
ACCEPT = 85.0
MARGIN = 5.0
LATIN_ACCEPT = 90.0
SUGGEST = 60.0
# Latin keys are long runs of few letters: below this, zhangsan looks like yuhanghuan (王行环).
LATIN_SUGGEST = 70.0
LATIN_PREFIX = 4  # typed pinyin this long that starts a stored key (maxin) suggests its owner
MAX_SUGGESTIONS = 3
MAX_QUERY = 24  # longer text is a sentence, not a name
MAX_FUZZY = 10  # typo matching only for text this short: names, cities and topics are
MAX_KEY = 12  # the longest name, alias or topic term looked for inside a sentence
# A text this short is scanned by one query of its substrings until the
# store's scan table is loaded: at most SHORT_SCAN * (MAX_KEY - 1) keys, within
# SQLite's 999 bound parameters.
SHORT_SCAN = 48
MAX_SCAN = 200  # a message's first characters are scanned for names
MAX_TYPO_WINDOWS = 12  # places in a message tried as a name with a typo

# What a Candidate is read from, per kind.
_ENTITY_SQL = {
    "person": "select id, name, city, syllables, quotes + statements + facts as weight from people",
    "city": "select id, name, null as city, syllables, people + items as weight from cities",
    "topic": "select id, name, null as city, syllables, items as weight from topics",
}
TYPO_POOL = 2000  # candidates read for one Han typo: a two-character name shares one sound with many
TYPO_SCORED = 4096  # words whose typo scores are remembered (a few candidates each); cleared when full
LATIN_CANDIDATES = 300  # keys read per side (prefix, suffix) for a Latin typo
# Three Han characters or more: a name with a typo may be in it.
_HAN_RUN = compiled("[\u4e00-\u9fff]{3,}")
# Pinyin has a vowel in every syllable: a longer run of consonants is no name (asdfghjkl).
_NOT_PINYIN = compiled(r"[^aeiouv]{5,}|^[^aeiouv]*$")

# Pinyin confusions that people make when typing: z/zh, c/ch, s/sh, n/l, an/ang, en/eng, in/ing.
_FUZZY_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("l", "n"), ("r", "l"), ("f", "h"))
_FUZZY_FINALS = (("ang", "an"), ("eng", "en"), ("ing", "in"), ("iang", "ian"), ("uang", "uan"))


@dataclass(frozen=True)
class Candidate:
    kind: str  # person, city or topic
    id: int
    name: str
    city: str | None = None  # a person's city
    weight: int = 0  # how much the store holds about it: breaks ties in suggestions


@dataclass(frozen=True)
class Resolved:
    candidate: Candidate
    score: float
    how: str  # name, alias, pinyin, initials, given, title, abbreviation, english, synonym, fuzzy


@dataclass
class Resolution:
    match: Resolved | None = None
    suggestions: list[Candidate] = field(default_factory=list)
    ambiguous: bool = False  # several entities fit equally well


@cache
def _fuzzy_syllable(syllable: str) -> str:
    for long, short in _FUZZY_INITIALS:
        if syllable.startswith(long):
            syllable = short + syllable[len(long) :]
            break
    for long, short in _FUZZY_FINALS:
        if syllable.endswith(long):
            syllable = syllable[: -len(long)] + short
            break
    return syllable


@cache
def _near(a: str, b: str) -> bool:
    """Syllables a typist confuses: fuzzy initials and finals, or one letter apart (huai/huan)."""
    if _fuzzy_syllable(a) == _fuzzy_syllable(b):
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    return fuzz.ratio(a, b) >= 70 and sum(1 for x, y in zip(a, b) if x != y) + abs(len(a) - len(b)) <= 1


def position_score(query_char: str, query_sounds: list[str], name_char: str, name_sounds: list[str]) -> float:
    if query_char == name_char:
        return SAME_CHAR
    if not query_sounds or not name_sounds or "-" in name_sounds:
        return 0.0
    if query_sounds[0] == name_sounds[0]:
        return SAME_SOUND
    if set(query_sounds) & set(name_sounds):
        return RARE_SOUND
    if any(_near(q, n) for q in query_sounds[:2] for n in name_sounds[:2]):
        return NEAR_SOUND
    return 0.0


class Resolver:
    """Resolution against one store. Exact keys are looked up in SQL; the
    tables for fuzzy matching are loaded on first need and dropped when the
    store is rebuilt."""

    def __init__(self, store: Store):
        self.store = store
        # The typo tables, Latin keys, syllables, scan table and suggestion
        # names: a few large values, each built once per store.
        self._tables = StoreCache(store, 16)
        self._entities = StoreCache(store, 10_000)
        self._chars = StoreCache(store, 50_000)  # the Han blocks hold about 27,000 characters
        # Words scored as typos, and their scores: a message is resolved without
        # suggestions and then, when nothing matched, with them, and an unknown
        # name is asked again (/who 王金严, 王金严说了什么). Scoring reads a pool
        # of up to TYPO_POOL rows (every 张X for 张三: 1.5-2 ms at 50,000 people);
        # the scores depend on the store alone.
        self._typo_scored = StoreCache(store, TYPO_SCORED)

    # Characters -------------------------------------------------------------

    def char_info(self, text: str) -> dict[str, tuple[str, list[str]]]:
        """Simplified form and readings of each Han character in text.
        Threads share the cache; a rebuild swaps it, so it is read through one
        reference and never re-read after a check."""
        cache = self._chars.values()
        wanted = set(text)  # each character once: a pasted text repeats most
        # The cache holds Han characters alone; one get each, as another thread may clear it between a test and a read.
        info = {c: forms for c in wanted if (forms := cache.get(c)) is not None}
        missing = [c for c in wanted.difference(info) if is_cjk(c)]
        if missing:
            for row in self.store.rows(
                f"select char, simplified, pinyin from chars where char in ({','.join('?' * len(missing))})", missing
            ):
                info[row["char"]] = (row["simplified"], row["pinyin"].split() if row["pinyin"] else [])
            for char in missing:
                info.setdefault(char, (char, []))
            self._chars.update({char: info[char] for char in missing})
        return info

    def simplify(self, text: str) -> str:
        """Text with each Han character in its simplified form. The forms of
        the characters met so far are kept per store (one table for
        str.translate): building a table from a message's own characters
        cost about a millisecond for a pasted text of a thousand different
        ones, and a text holding no traditional character is returned as it
        is."""
        seen, forms, traditional = self._tables.get("simplified", lambda: (set(), {}, set()))
        unseen = [char for char in set(text).difference(seen) if is_cjk(char)]  # only Han characters are translated
        if unseen:
            for char, (simplified, _) in self.char_info("".join(unseen)).items():
                if simplified != char:
                    forms[ord(char)] = simplified
                    traditional.add(char)
            seen.update(unseen)  # after its form: a character seen is one whose form is known
        return text if traditional.isdisjoint(text) else text.translate(forms)

    def sounds(self, text: str) -> list[list[str]]:
        info = self.char_info(text)
        return [info[c][1] if c in info else [] for c in text]

    # Entities -----------------------------------------------------------------

    def entity(self, kind: str, entity_id: int) -> Candidate | None:
        cached = self._entities.values().get((kind, entity_id))
        if cached is not None:
            return cached
        row = self.store.row(f"{_ENTITY_SQL[kind]} where id = ?", (entity_id,))
        if row is None:
            return None
        return self._entities.get((kind, entity_id), lambda: Candidate(kind, row["id"], row["name"], row["city"], row["weight"] or 0))

    def entities(self, wanted: Iterable[tuple[str, int]]) -> dict[tuple[str, int], Candidate]:
        """Several entities at once: one query per table for those not cached."""
        cached = self._entities.values()
        found = {pair: cached[pair] for pair in wanted if pair in cached}
        missing: dict[str, list[int]] = defaultdict(list)
        for kind, entity_id in wanted:
            if (kind, entity_id) not in found:
                missing[kind].append(entity_id)
        for kind, ids in missing.items():
            for start in range(0, len(ids), 900):  # SQLite's limit on bound parameters
                chunk = ids[start : start + 900]
                for row in self.store.rows(f"{_ENTITY_SQL[kind]} where id in ({','.join('?' * len(chunk))})", chunk):
                    found[(kind, row["id"])] = Candidate(kind, row["id"], row["name"], row["city"], row["weight"] or 0)
        self._entities.update({pair: found[pair] for kind, ids in missing.items() for pair in ((kind, i) for i in ids) if pair in found})
        return found

    def _keyed(self, key: str) -> list:
        """The names rows of a key: what _exact and _surname_owners read."""
        return self.store.rows("select kind, entity_id, key_kind, strength from names where key = ?", (key,))

    def _exact(self, key: str, kinds: frozenset[str], rows: list | None = None) -> list[tuple[Candidate, int, str]]:
        """Entities whose key this is (``rows``: its names rows, when read
        already). A surname names no one by itself: with a title (马代表) it is
        _titled's, which checks the title against what the person is."""
        rows = [row for row in (self._keyed(key) if rows is None else rows) if row["kind"] in kinds and row["key_kind"] != "surname"]
        entities = self.entities([(row["kind"], row["entity_id"]) for row in rows])
        return [
            (entities[(row["kind"], row["entity_id"])], row["strength"], row["key_kind"])
            for row in rows
            if (row["kind"], row["entity_id"]) in entities
        ]

    def _surname_owners(self, surname: str, rows: list | None = None) -> list[Candidate]:
        """People with this surname, most quoted first (``rows``: its names rows, when read already)."""
        wanted = [
            ("person", row["entity_id"])
            for row in (self._keyed(surname) if rows is None else rows)
            if row["kind"] == "person" and row["key_kind"] == "surname"
        ]
        return sorted(self.entities(wanted).values(), key=lambda c: (-c.weight, c.name))

    def _fitting(self, owners: list[Candidate], title: str) -> list[Candidate]:
        """The owners a title can be: 代表 and 委员 must not contradict the role
        the sources give; 院长, 教授, 董事长… must be in the role or affiliation
        the sources give; 先生 and the like fit anyone. Their facts are read
        in one query per 900 people."""
        if title in POLITE_TITLES:
            return owners
        known: dict[int, dict[str, str]] = defaultdict(dict)
        for start in range(0, len(owners), 900):
            chunk = [candidate.id for candidate in owners[start : start + 900]]
            for row in self.store.rows(
                f"select person_id, field, value from person_facts where person_id in ({','.join('?' * len(chunk))}) "
                "and field in ('role', 'affiliation')",
                chunk,
            ):
                known[row["person_id"]][row["field"]] = row["value"]
        if title in BODY_TITLES:
            return [c for c in owners if known[c.id].get("role") is None or BODY_TITLES[title] in known[c.id]["role"]]
        return [c for c in owners if any(title in value for value in known[c.id].values())]

    def _titled(self, key: str) -> Resolution | None:
        """A surname and a title (马代表, 王院长, 欧阳教授): the one person of that
        surname the title fits. None when key is not a surname and a title."""
        for title in sorted(TITLE_SUFFIXES, key=len, reverse=True):
            surname = key[: -len(title)]
            if not key.endswith(title) or not 1 <= len(surname) <= 2:
                continue
            owners = self._surname_owners(surname)
            if not owners:
                continue
            fitting = self._fitting(owners, title)
            if len(fitting) == 1:
                return Resolution(Resolved(fitting[0], EXACT_SCORE[WEAK], "title"))
            # Several fit (two 王 deputies), or none does (王代表 for a CPPCC member): ask.
            return Resolution(None, (fitting or owners)[:MAX_SUGGESTIONS], ambiguous=len(fitting) > 1)
        return None

    def _typo_pool(self, kind: str, query_sounds: list[list[str]]) -> list:
        """Entities of one kind, as long as the query, that share the sound of
        all positions but one: the only ones a typo of it can be. The store
        keys every name by its readings with one position left out (typo_keys),
        so they are found by key, not by scanning every name. Each row is
        (id, name, city, syllables, weight), the syllables its readings per
        position as stored ("jiang,qiang": one string each, space-separated)."""
        if len(query_sounds) > self._longest_name(kind):
            return []  # no name of this kind is as long: nothing to look up
        keys = sorted(typo_keys(query_sounds))
        if not keys or len(keys) > 900:
            return []
        return self.store.rows(
            f"{_ENTITY_SQL[kind]} where id in (select entity_id from typo_keys where key in ({','.join('?' * len(keys))}) "
            f"and kind = ? limit {TYPO_POOL})",
            [*keys, kind],
        )

    def _longest_name(self, kind: str) -> int:
        """The length of the longest name of a kind (9 for topics, 4 for people), read once per store."""
        table = {"person": "people", "city": "cities", "topic": "topics"}[kind]
        return self._tables.get(("longest", kind), lambda: self.store.value(f"select max(length(name)) from {table}") or 0)

    def _name_characters(self) -> dict[tuple[int, int], frozenset[str]]:
        """The characters people's names have at each place, by the name's
        length and the place: (3, 0) holds every surname of a three-character
        name. Read once per store, for typos_in."""

        def read() -> dict[tuple[int, int], frozenset[str]]:
            names = [row["name"] for row in self.store.rows("select name from people where length(name) between 3 and 4")]
            found: dict[tuple[int, int], frozenset[str]] = {}
            for length in (3, 4):
                alike = [name for name in names if len(name) == length]
                for place in range(length):
                    found[(length, place)] = frozenset(name[place] for name in alike)
            return found

        return self._tables.get("name_characters", read)

    def _syllables(self) -> frozenset[str]:
        """Every toneless pinyin syllable, from the store's character readings."""

        def read() -> frozenset[str]:
            found: set[str] = set()
            for row in self.store.rows("select distinct pinyin from chars where pinyin != ''"):
                found.update(row["pinyin"].split())
            return frozenset(found)

        return self._tables.get("syllables", read)

    # Resolution -------------------------------------------------------------

    def resolve(self, text: str, kinds: Iterable[str] = ("person", "city", "topic"), fuzzy: bool = True, suggest: bool = True) -> Resolution:
        """Resolve the whole of text to one entity of the given kinds. Without
        ``suggest``, Han near misses are not looked for among all names (a
        search that finds something never shows them)."""
        kinds = frozenset(kinds)
        if len(text) > MAX_QUERY * 6:
            return Resolution()  # a paragraph, not a name: no need to clean it first
        text = clean_message(text)
        if not text or len(text) > MAX_QUERY * 3:
            return Resolution()
        if is_latin_query(text):
            key = latin_key(text)
            if not key:
                return Resolution()
            return (
                self._resolve_key(key, kinds)
                or self._latin_suffixed(key, kinds)
                or (self._fuzzy_latin(key, kinds) if fuzzy else Resolution())
            )
        key = re.sub(r"[\s\W_]+", "", self.simplify(text))
        if not key or len(key) > MAX_QUERY:
            return Resolution()
        rows = self._keyed(key)
        exact = self._resolve_key(key, kinds, rows)
        if exact:
            return exact
        titled = self._titled(key) if "person" in kinds else None
        if titled:
            return titled
        for title in TITLE_SUFFIXES:
            if key.endswith(title) and len(key) > len(title) + 1 and "person" in kinds:
                stripped = self._resolve_key(key[: -len(title)], frozenset({"person"}))
                if stripped:
                    return stripped
                if fuzzy and _typo_candidate(key[: -len(title)]):
                    # 马欣强代表: a typo and a title; the name alone must still resolve clearly.
                    typo = self._fuzzy_han(key[: -len(title)], frozenset({"person"}))
                    if typo.match:
                        return typo
        if "person" in kinds and len(key) <= 2 and (owners := self._surname_owners(key, rows)):
            # A surname alone (马, 欧阳): too little to answer with, enough to suggest.
            return Resolution(None, owners[:MAX_SUGGESTIONS])
        return self._fuzzy_han(key, kinds, suggest) if fuzzy and _typo_candidate(key) else Resolution()

    def _latin_suffixed(self, key: str, kinds: frozenset[str]) -> Resolution | None:
        """wuhanshi, maxinqiangdaibiao: a name spelt right with 市 or a title after it."""
        for suffix, suffix_kinds in LATIN_SUFFIXES:
            if key.endswith(suffix) and len(key) >= len(suffix) + 4 and kinds & suffix_kinds:
                found = self._resolve_key(key[: -len(suffix)], kinds & suffix_kinds)
                if found:
                    return found
        return None

    def _resolve_key(self, key: str, kinds: frozenset[str], rows: list | None = None) -> Resolution | None:
        hits = self._exact(key, kinds, rows)
        if not hits:
            return None
        strongest = max(strength for _, strength, _ in hits)
        tier = {c.id: (c, how) for c, strength, how in hits if strength == strongest}
        if len(tier) == 1:
            candidate, how = next(iter(tier.values()))
            return Resolution(Resolved(candidate, EXACT_SCORE[strongest], how))
        choices = sorted((c for c, _ in tier.values()), key=lambda c: (-c.weight, c.name))
        return Resolution(None, choices[:MAX_SUGGESTIONS], ambiguous=True)

    def _fuzzy_han(self, key: str, kinds: frozenset[str], suggest: bool = True) -> Resolution:
        scored = self._typo_scores(key, kinds)
        if scored:
            best_score, best, acceptable = scored[0]
            runner_up = scored[1][0] if len(scored) > 1 else 0.0
            if acceptable and best_score >= ACCEPT and best_score - runner_up >= MARGIN:
                return Resolution(Resolved(best, round(best_score, 1), "fuzzy"))
        suggestions = self._suggest_han(key, kinds, scored) if suggest else []
        return Resolution(None, suggestions, ambiguous=bool(scored) and scored[0][0] >= ACCEPT)

    def _typo_scores(self, key: str, kinds: frozenset[str]) -> list[tuple[float, Candidate, bool]]:
        """(score, candidate, acceptable as a typo) for the entities key may be
        a typo of, best first: the two best (whether the best is clear) and
        then as far as the third with anything said (the suggestions read no
        further). A two-character name's pool is every 张X for 张三, up to
        TYPO_POOL rows: each is scored from its row, and only those kept
        become candidates."""
        return self._typo_scored.get((key, kinds), lambda: self._score_typo(key, kinds))

    def _score_typo(self, key: str, kinds: frozenset[str]) -> list[tuple[float, Candidate, bool]]:
        query_sounds = self.sounds(key)
        length = len(key)
        ranked: list[tuple[float, int, str, str, int, str | None, bool]] = []
        # A pool's names share most characters (every 张X of 张三): a character
        # the query has in the same place scores without its readings, and
        # each other character and reading is compared once per place.
        compared: dict[tuple[int, str, str], float] = {}
        for kind in sorted(kinds):
            for entity_id, name, city, syllables, weight in self._typo_pool(kind, query_sounds):
                readings = syllables.split(" ")
                if len(name) != length or len(readings) != length:
                    continue
                total, zero, near = 0.0, False, 0
                for place, char in enumerate(name):
                    if char == key[place]:
                        total += SAME_CHAR
                        continue
                    reading = readings[place]
                    score = compared.get((place, char, reading))
                    if score is None:
                        score = compared[(place, char, reading)] = position_score(key[place], query_sounds[place], char, reading.split(","))
                    total += score
                    zero = zero or score == 0.0
                    near += score == NEAR_SOUND
                acceptable = not zero and near <= 1 and (length >= 3 or (kind != "person" and not near))
                ranked.append((-100.0 * total / length, -(weight or 0), name, kind, entity_id, city, acceptable))
        ranked.sort(key=itemgetter(0, 1, 2))
        scored: list[tuple[float, Candidate, bool]] = []
        weighty = 0
        for negative_score, negative_weight, name, kind, entity_id, city, acceptable in ranked:
            if len(scored) >= 2 and weighty >= MAX_SUGGESTIONS:
                break
            scored.append((-negative_score, Candidate(kind, entity_id, name, city, -negative_weight), acceptable))
            weighty += negative_weight < 0
        return scored

    def _suggest_han(self, key: str, kinds: frozenset[str], scored: list[tuple[float, Candidate, bool]]) -> list[Candidate]:
        suggestions = [candidate for score, candidate, _ in scored if score >= SUGGEST]
        if len(suggestions) < MAX_SUGGESTIONS and len(key) >= 2:
            # Different lengths (马新, 马新强委员会): names sharing two of key's
            # characters, found through the character index, compared as text.
            names = self._names_by_char(kinds)
            chars = sorted(set(key))
            sharing: set[Candidate] = set()
            for index, first in enumerate(chars):
                for second in chars[index + 1 :]:
                    sharing |= names.get(first, set()) & names.get(second, set())
            ranked = sorted(
                ((fuzz.ratio(key, candidate.name), candidate) for candidate in sharing),
                key=lambda entry: (-entry[0], -entry[1].weight, entry[1].name),
            )
            suggestions += [candidate for score, candidate in ranked[:10] if score >= SUGGEST and candidate not in suggestions]
        return [c for c in unique_entities(suggestions) if c.weight > 0][:MAX_SUGGESTIONS]

    def _names_by_char(self, kinds: frozenset[str]) -> dict[str, set[Candidate]]:
        """Entities of the given kinds by each character of their names, built once per store."""

        def read() -> dict[str, set[Candidate]]:
            by_char: dict[str, set[Candidate]] = defaultdict(set)
            for kind in kinds:
                for row in self.store.rows(_ENTITY_SQL[kind]):
                    candidate = Candidate(kind, row["id"], row["name"], row["city"], row["weight"] or 0)
                    for char in candidate.name:
                        by_char[char].add(candidate)
            return dict(by_char)

        return self._tables.get(("by_char", kinds), read)

    def _latin_near(self, key: str) -> list[tuple[str, str, int]]:
        """Latin keys a typo of key can be: (key, kind, entity id). One edit
        leaves either the first half of a key or the rest of it as it was, so
        the keys that start with key's first half (names, by key) or end
        with its second half (reversed_keys) are the only ones to compare: a
        few dozen, not every spelling in the store. Each side reads at most
        LATIN_CANDIDATES rows of names, nearest first."""
        half = (len(key) + 1) // 2
        head, tail = key[:half], key[half:][::-1]
        found = {
            (row["key"], row["kind"], row["entity_id"])
            for row in self.store.rows(
                "select key, kind, entity_id from names where key >= ? and key < ? and strength >= ? limit ?",
                (head, head + "\U0010ffff", MEDIUM, LATIN_CANDIDATES),
            )
        }
        # The keys that end so, nearest first (each has a row of MEDIUM or
        # more), then their rows: the first LATIN_CANDIDATES in that order.
        ends = [
            row["reversed"][::-1]
            for row in self.store.rows(
                "select reversed from reversed_keys where reversed >= ? and reversed < ? limit ?", (tail, tail + "\U0010ffff", LATIN_CANDIDATES)
            )
        ]
        order = {key: place for place, key in enumerate(ends)}
        marks = ",".join("?" * len(ends))
        rows = self.store.rows(f"select key, kind, entity_id from names where key in ({marks}) and strength >= ?", (*ends, MEDIUM)) if ends else []
        ranked = sorted(rows, key=lambda row: order[row["key"]])[:LATIN_CANDIDATES]
        return list(found | {(row["key"], row["kind"], row["entity_id"]) for row in ranked})

    def _fuzzy_latin(self, key: str, kinds: frozenset[str]) -> Resolution:
        if _NOT_PINYIN.search(key):
            return Resolution()
        scored: dict[tuple[str, int], float] = {}
        for stored, kind, entity_id in self._latin_near(key):
            if kind not in kinds:
                continue
            score = fuzz.ratio(key, stored)
            # Typed pinyin that starts a stored key (maxin) suggests its owner however short it is.
            if score >= LATIN_SUGGEST or (len(key) >= LATIN_PREFIX and stored.startswith(key)):
                scored[(kind, entity_id)] = max(score, scored.get((kind, entity_id), 0.0))
        candidates = self.entities(scored)
        ranked = sorted(
            ((score, candidates[pair]) for pair, score in scored.items() if pair in candidates),
            key=lambda entry: (-entry[0], -entry[1].weight, entry[1].name),
        )
        if ranked:
            top_score, top = ranked[0]
            runner_up = ranked[1][0] if len(ranked) > 1 else 0.0
            # As in Han: a two-character name is never guessed from a typo (luian is not 陆坚).
            two_character_person = top.kind == "person" and len(top.name) < 3
            if top_score >= LATIN_ACCEPT and len(key) >= 5 and top_score - runner_up >= MARGIN and not two_character_person:
                return Resolution(Resolved(top, round(top_score, 1), "fuzzy"))
        suggestions = [c for _, c in ranked if c.weight > 0][:MAX_SUGGESTIONS]
        return Resolution(None, suggestions, ambiguous=bool(ranked) and ranked[0][0] >= LATIN_ACCEPT)

    # Scanning free text --------------------------------------------------------

    def _scan_table(self) -> tuple[dict[str, dict[tuple[str, int], tuple[int, str]]], dict[str, tuple[int, ...]], re.Pattern]:
        """Every Han spelling with a strong or medium key, and its owners; by
        the first two characters of each, the lengths of those that start with
        them, up to MAX_KEY; and a pattern of the characters any of them
        starts with (a few hundred). Most places in a text start none: the
        pattern passes them in C, and a place it stops at tries only the
        lengths some key has.
        Loaded once per store: scanning a text is then lookups in memory."""

        def read() -> tuple[dict[str, dict[tuple[str, int], tuple[int, str]]], dict[str, tuple[int, ...]], re.Pattern]:
            table: dict[str, dict[tuple[str, int], tuple[int, str]]] = defaultdict(dict)
            # Latin keys sort before Han ones; persons' many pinyin spellings stay in SQL.
            for row in self.store.rows(
                "select key, kind, entity_id, key_kind, strength from names where strength >= ? and key > ?", (MEDIUM, "\u2e80")
            ):
                table[row["key"]][(row["kind"], row["entity_id"])] = (row["strength"], row["key_kind"])
            lengths: dict[str, set[int]] = defaultdict(set)
            for key in table:
                if 2 <= len(key) <= MAX_KEY:
                    lengths[key[:2]].add(len(key))
            openings = {opening: tuple(sorted(found)) for opening, found in lengths.items()}
            first = "".join(sorted({re.escape(opening[0]) for opening in openings}))
            starts = re.compile(f"[{first}]" if first else "(?!)")  # (?!) matches nowhere: a store that names no one
            return dict(table), openings, starts

        return self._tables.get("scan", read)

    def _han_keys_in_table(self, simplified: str) -> tuple[dict, dict[str, list[tuple[int, int]]]]:
        """The Han keys in a text, by the store's scan table: each one's
        owners, and where it stands."""
        table, openings, starts = self._scan_table()
        hits: dict[str, dict[tuple[str, int], tuple[int, str]]] = {}
        spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
        length = len(simplified)
        for start in starts.finditer(simplified):
            position = start.start()
            # Only keys of these lengths start here: no other substring can match.
            lengths = openings.get(simplified[position : position + 2])
            if lengths and is_cjk(simplified[position]):
                for width in lengths:
                    end = position + width
                    if end > length:
                        break
                    key = simplified[position:end]
                    owners = table.get(key)
                    if owners is not None:
                        hits[key] = owners
                        spans[key].append((position, end))
        return hits, spans

    def _han_keys_looked_up(self, simplified: str) -> tuple[dict, dict[str, list[tuple[int, int]]]]:
        """The same as _han_keys_in_table, for a short text, by one indexed
        query of its substrings: the table holds every spelling in the store
        (0.5-1 s to read at 10,000 articles), which a fresh process answering
        one question (`ask 某某说了什么`) would read for a dozen characters."""
        places: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for position, character in enumerate(simplified):
            if is_cjk(character):
                for end in range(position + 2, min(len(simplified), position + MAX_KEY) + 1):
                    places[simplified[position:end]].append((position, end))
        hits: dict[str, dict[tuple[str, int], tuple[int, str]]] = defaultdict(dict)
        if places:
            keys = list(places)
            for row in self.store.rows(
                f"select key, kind, entity_id, key_kind, strength from names where strength >= ? and key in ({','.join('?' * len(keys))})",
                [MEDIUM, *keys],
            ):
                hits[row["key"]][(row["kind"], row["entity_id"])] = (row["strength"], row["key_kind"])
        return dict(hits), {key: places[key] for key in hits}

    def scan(self, text: str, limit: int = MAX_SCAN) -> list[tuple[int, int, Resolved]]:
        """Entities named inside free text (its first ``limit`` characters) by
        a strong or medium key: the longest match at each position. Weak keys
        (a given name, 沪) never count inside a sentence: 新强 hides in 创新强国."""
        simplified = self.simplify(text[:limit]).lower()
        if len(simplified) <= SHORT_SCAN and "scan" not in self._tables.values():
            hits, spans = self._han_keys_looked_up(simplified)
        else:
            hits, spans = self._han_keys_in_table(simplified)
        words: dict[str, list[tuple[int, int]]] = defaultdict(list)
        latin = list(re.finditer(r"[a-z]+", simplified))
        for index, word in enumerate(latin):
            words[word.group(0)].append(word.span())
            # Ma Xinqiang talent: a name in pinyin is two or three words.
            for width in (2, 3):
                run = latin[index : index + width]
                if len(run) == width and all(simplified[a.end() : b.start()].isspace() for a, b in zip(run, run[1:])):
                    words["".join(w.group(0) for w in run)].append((run[0].start(), run[-1].end()))
        if words:
            keys = list(words)[:900]  # SQLite's limit on bound parameters
            for row in self.store.rows(
                f"select key, kind, entity_id, key_kind, strength from names where strength >= ? and key in ({','.join('?' * len(keys))})",
                [MEDIUM, *keys],
            ):
                hits.setdefault(row["key"], {})[(row["kind"], row["entity_id"])] = (row["strength"], row["key_kind"])
                spans[row["key"]] = words[row["key"]]
        by_start: dict[int, tuple[int, str]] = {}
        for key, owners in hits.items():
            if len(owners) != 1:
                continue  # a key naming two things names neither
            if next(iter(owners.values()))[1] == "synonym":
                continue  # 谁提到了DeepSeek asks for that word, not for everything on 人工智能
            if key.isascii() and key in self._syllables() and next(iter(owners))[0] != "topic":
                continue  # jian (Ji'an, 吉安) and xian (Xi'an) are also syllables of names: zhou jian xian is a person
            for start, end in spans[key]:
                if end > by_start.get(start, (0, ""))[0]:
                    by_start[start] = (end, key)
        found: list[tuple[int, int, Resolved]] = []
        position = 0
        for start in sorted(by_start):
            if start < position:
                continue
            end, key = by_start[start]
            (kind, entity_id), (strength, how) = next(iter(hits[key].items()))
            candidate = self.entity(kind, entity_id)
            if candidate:
                found.append((start, end, Resolved(candidate, EXACT_SCORE[strength], how)))
                position = end
        return found

    def typos_in(self, text: str) -> list[tuple[int, int, Resolved]]:
        """People named with a typo inside a question: 马欣强说了什么, 罗卫冬怎么看….

        scan() only finds names spelt right. Here a run of three or four Han
        characters that ends the text or comes before a word that follows names
        (说, 对, 怎么…) is tried as a name with a typo. It must resolve clearly
        and keep all but one character exactly, so a word that only sounds like
        a name (科技创) is never read as one."""
        found: list[tuple[int, int, Resolved]] = []
        taken, attempts = 0, 0
        simplified = self.simplify(text[:MAX_SCAN])
        characters = self._name_characters()
        for run in _HAN_RUN.finditer(simplified):
            start, word = run.start(), run.group(0)
            for offset in range(len(word) - 2):
                for width in (3, 4):
                    end = offset + width
                    if start + offset < taken or end > len(word) or (end < len(word) and word[end] not in NAME_FOLLOWERS):
                        continue
                    attempts += 1
                    if attempts > MAX_TYPO_WINDOWS:
                        return found
                    window = word[offset:end]
                    if sum(char in characters.get((width, place), ()) for place, char in enumerate(window)) < width - 1:
                        continue  # a typo keeps all but one character of a name in its place: 怎么看 keeps none
                    resolution = self._fuzzy_han(window, frozenset({"person"}), suggest=False)
                    match = resolution.match
                    if match and sum(a == b for a, b in zip(window, match.candidate.name)) >= width - 1:
                        found.append((start + offset, start + end, match))
                        taken = start + end
        return found


def _typo_candidate(key: str) -> bool:
    """Only short all-Han text can be a name, city or topic with a typo."""
    return 2 <= len(key) <= MAX_FUZZY and all(is_cjk(char) for char in key)


def unique_entities(entities: Iterable[T]) -> list[T]:
    """Entities (candidates or matches) without repeats of the same kind and id, in order."""
    seen: set[tuple[str, int]] = set()
    unique = []
    for entity in entities:
        if (entity.kind, entity.id) not in seen:
            seen.add((entity.kind, entity.id))
            unique.append(entity)
    return unique
