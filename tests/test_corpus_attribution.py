"""Attribution measured on the generated corpus against its manifest.

The generator records every quote, statement and fact with its speaker as it
wrote them (tests/tools/corpus.py). Each unit is found in its article's rebuilt
paragraphs; the store's item of the same kind that overlaps it must name the
same speaker. Facts before a delegate is first named in a web article
("preamble" units) are skipped: one paragraph per line, no boxes, nothing in
the text tells whose they are.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

THRESHOLDS = {"quote": 0.99, "statement": 0.99, "fact": 0.90}


@dataclass(frozen=True)
class Stored:
    paragraph: int
    kind: str
    start: int
    end: int
    speaker: str | None


@dataclass
class Measure:
    outcomes: dict[str, Counter[str]]  # kind -> "right" / "wrong" / "missing" / "unlocated"
    strangers: list[tuple[str, str]]  # (article file, speaker) for items given to someone not in the article
    examples: list[str]  # a few mistakes, for the failure message

    def rate(self, kind: str) -> float:
        counts = self.outcomes[kind]
        return counts["right"] / max(1, sum(counts.values()))

    def describe(self) -> str:
        rates = ", ".join(
            f"{kind} {self.rate(kind):.2%} of {sum(self.outcomes[kind].values())} {dict(self.outcomes[kind])}"
            for kind in THRESHOLDS
        )
        return rates + ("; e.g. " + " | ".join(self.examples[:5]) if self.examples else "")


def _locate(texts: list[str], unit: str, cursor: tuple[int, int], has_item) -> tuple[int, int] | None:
    """Where a unit's text is: from the previous unit on (units are in reading
    order, and the same sentence can recur in an article), preferring a place
    where an item of the unit's kind lies."""
    order = list(range(cursor[0], len(texts))) + list(range(cursor[0]))
    places = []
    for index in order:
        start = texts[index].find(unit, cursor[1] if index == cursor[0] else 0)
        while start >= 0:
            places.append((index, start))
            start = texts[index].find(unit, start + 1)
    if not places and cursor[1]:
        return _locate(texts, unit, (cursor[0], 0), has_item)
    return next((place for place in places if has_item(place[0], place[1], place[1] + len(unit))), places[0] if places else None)


def _measure(corpus: tuple[Path, dict], corpus_db: Path) -> Measure:
    _, manifest = corpus
    db = sqlite3.connect(corpus_db)
    articles = dict(db.execute("select file, id from articles"))
    names = dict(db.execute("select id, name from people"))
    outcomes: dict[str, Counter[str]] = {kind: Counter() for kind in THRESHOLDS}
    strangers: list[tuple[str, str]] = []
    examples: list[str] = []
    for article in manifest["articles"]:
        article_id = articles[article["file"]]
        texts = [text for (text,) in db.execute("select text from paragraphs where article_id = ? order by number", (article_id,))]
        stored = [
            Stored(number, kind, start, end, names.get(speaker))
            for number, kind, start, end, speaker in db.execute(
                """select p.number, i.kind, i.start, i.end, i.speaker_id from items i
                   join paragraphs p on p.id = i.paragraph_id where i.article_id = ?""",
                (article_id,),
            )
        ]
        people = {person["name"] for person in article["people"]}
        strangers.extend((article["file"], item.speaker) for item in stored if item.speaker and item.speaker not in people)
        cursor = (0, 0)
        for unit in article["units"]:
            kind = unit["kind"]
            if article["layout"] == "web" and unit.get("preamble"):
                continue

            def overlapping(paragraph: int, start: int, end: int, kind: str = kind) -> list[Stored]:
                return [i for i in stored if i.paragraph == paragraph and i.kind == kind and i.start < end and start < i.end]

            place = _locate(texts, unit["text"], cursor, lambda p, s, e: bool(overlapping(p, s, e)))
            if place is None:
                outcomes[kind]["unlocated"] += 1
                examples.append(f"{article['file']} {kind} not in any paragraph: {unit['text'][:30]}")
                continue
            cursor = place
            paragraph, start = place
            end = start + len(unit["text"])
            found = overlapping(paragraph, start, end)
            if not found:
                outcomes[kind]["missing"] += 1
                examples.append(f"{article['file']} {kind} of {unit['speaker']} not extracted: {unit['text'][:30]}")
                continue
            best = max(found, key=lambda item: min(end, item.end) - max(start, item.start))
            if best.speaker == unit["speaker"]:
                outcomes[kind]["right"] += 1
            else:
                outcomes[kind]["wrong"] += 1
                examples.append(f"{article['file']} {kind} of {unit['speaker']} given to {best.speaker}: {unit['text'][:30]}")
    db.close()
    return Measure(outcomes, strangers, examples)


@pytest.fixture(scope="module")
def measure(corpus: tuple[Path, dict], corpus_db: Path) -> Measure:
    return _measure(corpus, corpus_db)


def test_every_kind_was_measured(measure: Measure) -> None:
    """Thousands of units, so a rate of 99% means something."""
    for kind, at_least in (("quote", 1000), ("statement", 1000), ("fact", 400)):
        assert sum(measure.outcomes[kind].values()) >= at_least, measure.describe()


@pytest.mark.parametrize("kind", sorted(THRESHOLDS))
def test_attribution_rate(measure: Measure, kind: str) -> None:
    assert measure.rate(kind) >= THRESHOLDS[kind], measure.describe()


def test_no_item_is_given_to_someone_outside_its_article(measure: Measure) -> None:
    assert [] == measure.strangers, measure.describe()
