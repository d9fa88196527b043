"""What an added article brings, as plain data from the store: which new
items are about the people, cities and topics readers follow, and what the
article holds (for the admin who added it).

A subject is a ``(kind, id)`` pair: ``("person", 123)``. The surfaces keep
who follows what; this module only says which items match.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..schema import paragraph_id_of
from .store import Store

# Each kind's items, as (item_id, subject_id) rows: a person's are the items
# they said or are named in; a city's, those its answer ranks (by its
# delegates or about it); a topic's, those on it. A city's and a topic's are
# read from the items' rows: their lists are keyed by rank, with no way in by item.
_MATCHING = {
    "person": (
        "select id as item_id, speaker_id as subject_id from items where id in ({items}) and speaker_id in ({subjects}) "
        "union select item_id, person_id from item_named where item_id in ({items}) and person_id in ({subjects})"
    ),
    "city": (
        "select i.id as item_id, c.id as subject_id from items i, cities c where i.id in ({items}) and c.id in ({subjects}) "
        "and city_tier(i.cities, c.number, (select city_id from people where id = i.speaker_id), c.id) is not null"
    ),
    "topic": (
        "select i.id as item_id, t.id as subject_id from items i, topics t where i.id in ({items}) and t.id in ({subjects}) "
        "and topic_hits(i.topics, t.number) > 0"
    ),
}
CHUNK = 400  # ids bound per query: two lists of them stay under SQLite's 999 parameters


def items_for_subjects(store: Store, item_ids: list[int], subjects: Iterable[tuple[str, int]]) -> dict[tuple[str, int], list[int]]:
    """For each subject with any, the items among ``item_ids`` about it, in
    the order of ``item_ids``."""
    wanted: dict[str, list[int]] = {}
    for kind, subject_id in set(subjects):
        if kind in _MATCHING:
            wanted.setdefault(kind, []).append(subject_id)
    found: dict[tuple[str, int], set[int]] = {}
    for kind, subject_ids in wanted.items():
        for item_start in range(0, len(item_ids), CHUNK):
            items = item_ids[item_start : item_start + CHUNK]
            for subject_start in range(0, len(subject_ids), CHUNK):
                some = subject_ids[subject_start : subject_start + CHUNK]
                sql = _MATCHING[kind].format(items=",".join("?" * len(items)), subjects=",".join("?" * len(some)))
                params = [*items, *some] * (2 if kind == "person" else 1)
                for row in store.rows(sql, params):
                    found.setdefault((kind, row["subject_id"]), set()).add(row["item_id"])
    return {subject: [item_id for item_id in item_ids if item_id in matched] for subject, matched in found.items()}


@dataclass(frozen=True)
class Article:
    """An article in the store, as /articles lists it."""

    id: int
    slug: str  # the seed's file stem: what /remove takes
    title: str
    source: str | None
    date: str | None
    url: str | None
    items: int


_ARTICLE_COLUMNS = "select id, slug, title, source, date, url, items from articles"


def _article(row) -> Article:
    return Article(row["id"], row["slug"], row["title"], row["source"], row["date"], row["url"] or None, row["items"] or 0)


def articles(store: Store) -> list[Article]:
    """Every article, the newest (by its date) first."""
    return [_article(row) for row in store.rows(f"{_ARTICLE_COLUMNS} order by coalesce(date, '') desc, slug")]


def article(store: Store, slug: str | None = None, article_id: int | None = None) -> Article | None:
    """One article, by its file stem or its id (a button's): read by key, not
    found among every article."""
    row = store.row(f"{_ARTICLE_COLUMNS} where slug = ?", (slug,)) if slug is not None else store.row(f"{_ARTICLE_COLUMNS} where id = ?", (article_id,))
    return _article(row) if row else None


@dataclass(frozen=True)
class ArticleReport:
    """What one article holds once it is in the store."""

    slug: str
    title: str
    url: str | None
    people: tuple[str, ...]  # the people it quotes or reports, most items first
    kinds: Counter[str] = field(default_factory=Counter)  # quote, statement, fact -> count
    reprints: int = 0  # its items the store held already, from another article
    new_items: tuple[int, ...] = ()  # its items the store did not hold before


def article_report(store: Store, slug: str, new_items: set[int]) -> ArticleReport | None:
    """The report for an article by its file stem; None when the store does not hold it."""
    article = store.row("select id, title, url, paragraphs from articles where slug = ?", (slug,))
    if article is None:
        return None
    # Its own items are found by its paragraphs (items has no index by
    # article), the items it reprints by item_reprints.
    paragraphs = [paragraph_id_of(slug, number) for number in range(article["paragraphs"] or 0)]
    own = f"i.paragraph_id in ({','.join('?' * len(paragraphs))})"
    rows = store.rows(
        f"select i.id, i.kind, p.name, i.rank from items i left join people p on p.id = i.speaker_id where {own} "
        "union all select i.id, i.kind, p.name, i.rank from item_reprints r join items i on i.id = r.item_id "
        "left join people p on p.id = i.speaker_id where r.article_id = ? order by 4",
        (*paragraphs, article["id"]),
    )
    # A reprint is an item the store had before: kept as one item with this
    # article as a further source, or stored again with the same words.
    repeated = {
        row["id"]
        for row in store.rows(
            # words_key is a short hash: the words themselves are compared too.
            "select i.id from items i join items other on other.words_key = i.words_key and other.article_id != i.article_id "
            "join paragraphs pi on pi.id = i.paragraph_id join paragraphs po on po.id = other.paragraph_id "
            f"where {own} and substr(pi.text, i.start + 1, i.end - i.start) = substr(po.text, other.start + 1, other.end - other.start)",
            paragraphs,
        )
    }
    people = Counter(row["name"] for row in rows if row["name"])
    return ArticleReport(
        slug=slug,
        title=article["title"],
        url=article["url"] or None,
        people=tuple(name for name, _ in people.most_common()),
        kinds=Counter(row["kind"] for row in rows),
        reprints=sum(1 for row in rows if row["id"] not in new_items or row["id"] in repeated),
        new_items=tuple(row["id"] for row in rows if row["id"] in new_items and row["id"] not in repeated),
    )
