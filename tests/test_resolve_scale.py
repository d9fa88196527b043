"""Name resolution among hundreds of people (the generated corpus).

Character-level similarity alone fails at scale: among hundreds of names,
马欣强 shares two characters with every 马新X and every X欣强, and homophone
twins (赵翰/赵汉) share every sound. These tests use the corpus store, whose
manifest lists the homophone twins it planted.
"""

from __future__ import annotations

import random
from collections import defaultdict
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.engine.resolve import Resolver
from bot.engine.store import Store

SAMPLE = 120  # three-character names given a homophone typo
TYPO_SEED = 20250306


@pytest.fixture(scope="module")
def corpus_engine(corpus_db: Path) -> Engine:
    return Engine(corpus_db)


@pytest.fixture(scope="module")
def people(corpus_engine: Engine) -> dict[str, str]:
    """Every stored person's name and pinyin."""
    return {row["name"]: row["pinyin"] for row in corpus_engine.store.rows("select name, pinyin from people")}


def test_corpus_holds_hundreds_of_people_and_homophone_twins(people: dict[str, str], corpus: tuple[Path, dict]) -> None:
    """The tests below mean something only if the store is crowded and the twins are in it."""
    pairs = corpus[1]["homophone_pairs"]
    assert len(people) >= 300
    assert len(pairs) >= 3
    assert [] == [name for pair in pairs for name in pair if name not in people]


def test_every_exact_name_resolves_to_that_person(corpus_engine: Engine, people: dict[str, str]) -> None:
    wrong = {}
    for name in sorted(people):
        answer = corpus_engine.answer(f"/who {name}")
        got = answer.match.name if answer.match else None
        if got != name:
            wrong[name] = got
    assert {} == wrong


def test_every_name_as_bare_text_resolves_to_that_person(corpus_db: Path, people: dict[str, str]) -> None:
    resolver = Resolver(Store(corpus_db))
    wrong = {}
    for name in sorted(people):
        resolution = resolver.resolve(name)
        got = resolution.match.candidate if resolution.match else None
        if got is None or (got.kind, got.name) != ("person", name):
            wrong[name] = got
    assert {} == wrong


def test_homophone_twins_resolve_to_themselves(corpus_engine: Engine, corpus: tuple[Path, dict]) -> None:
    for pair in corpus[1]["homophone_pairs"]:
        for name in pair:
            answer = corpus_engine.answer(f"/who {name}")
            assert ("person", name, 100.0) == (answer.intent, answer.match.name, answer.match.score)


def test_shared_pinyin_of_twins_suggests_both_never_one(corpus_engine: Engine, corpus: tuple[Path, dict], people: dict[str, str]) -> None:
    for first, second in corpus[1]["homophone_pairs"]:
        assert people[first] == people[second], (first, second)
        syllables = people[first].split()
        for typed in (
            people[first],  # zhao han
            "".join(syllables),  # zhaohan
            " ".join(s.capitalize() for s in syllables),  # Zhao Han
        ):
            for message in (typed, f"/who {typed}"):
                answer = corpus_engine.answer(message)
                assert ("not_found", None) == (answer.intent, answer.match), message
                assert {first, second} <= {s.name for s in answer.suggestions}, message


def _same_sound_replacements(store: Store) -> dict[str, list[str]]:
    """Simplified characters of the common block, by their first reading."""
    by_sound: dict[str, list[str]] = defaultdict(list)
    for row in store.rows("select char, simplified, pinyin from chars where char = simplified and pinyin != '' order by char"):
        if "\u4e00" <= row["char"] <= "\u9fff":
            by_sound[row["pinyin"].split()[0]].append(row["char"])
    return by_sound


def _homophone_typos(store: Store, names: set[str]) -> list[tuple[str, str]]:
    """(name, typo) for a fixed sample of three-character names: one character
    replaced by another of the same reading that is not itself a stored name."""
    rng = random.Random(TYPO_SEED)
    by_sound = _same_sound_replacements(store)
    readings = {row["char"]: row["pinyin"].split()[0] for row in store.rows("select char, pinyin from chars where pinyin != ''")}
    typos = []
    for name in rng.sample(sorted(n for n in names if len(n) == 3), SAMPLE):
        position = rng.randrange(3)
        original = name[position]
        options = [
            c
            for c in by_sound.get(readings.get(original, ""), [])
            if c != original and name[:position] + c + name[position + 1 :] not in names
        ]
        if options:
            typos.append((name, name[:position] + rng.choice(options) + name[position + 1 :]))
    return typos


def test_homophone_typo_finds_the_person_never_another(corpus_db: Path, corpus_engine: Engine, people: dict[str, str]) -> None:
    typos = _homophone_typos(corpus_engine.store, set(people))
    assert len(typos) >= SAMPLE * 0.9  # nearly every sampled name gets a typo
    wrong, missed = {}, {}
    for name, typo in typos:
        answer = corpus_engine.answer(f"/who {typo}")
        if answer.match is not None:
            if answer.match.name != name:
                wrong[typo] = (name, answer.match.name)
        elif name not in [s.name for s in answer.suggestions]:
            missed[typo] = (name, [s.name for s in answer.suggestions])
    assert {} == wrong
    assert {} == missed


def test_most_homophone_typos_are_answered_not_just_suggested(corpus_engine: Engine, people: dict[str, str]) -> None:
    """Suggestions are the fallback for real doubt (a twin nearby), not the rule."""
    typos = _homophone_typos(corpus_engine.store, set(people))
    answered = [name for name, typo in typos if name == _answered_as(corpus_engine, typo)]
    assert len(answered) >= len(typos) * 0.8


def _answered_as(engine: Engine, message: str) -> str | None:
    answer = engine.answer(message)
    return answer.match.name if answer.match else None


def test_latin_typo_of_a_two_character_name_is_never_another_person(corpus_engine: Engine, people: dict[str, str]) -> None:
    """luian (liuan with two letters swapped) must not become 陆坚, whose 陆 also reads liu."""
    rng = random.Random(TYPO_SEED)
    wrong = {}
    for name in rng.sample(sorted(n for n in people if len(n) == 2), 80):
        key = people[name].replace(" ", "")
        position = rng.randrange(1, len(key))
        typo = key[: position - 1] + key[position] + key[position - 1] + key[position + 1 :]
        answer = corpus_engine.answer(f"/who {typo}")
        if answer.match is not None and answer.match.name != name and answer.match.how == "fuzzy":
            wrong[typo] = (name, answer.match.name)
    assert {} == wrong
