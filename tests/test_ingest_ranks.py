"""The answer lists ingest ranks in SQL, once (write.rank_items, rank_topics,
rank_cities), are in the order their Python keys say, spaced RANK_GAP apart;
and each person's counts (person_counts) are their items'. On the generated
corpus's store, whose articles have many dates, kinds, topics and cities."""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from pathlib import Path

from bot.ingest.write import RANK_GAP, item_order, topic_order


def spaced(count: int) -> list[int]:
    return [RANK_GAP * (place + 1) for place in range(count)]


def test_every_item_is_ranked_by_item_order(corpus_db: Path) -> None:
    with sqlite3.connect(corpus_db) as connection:
        items = connection.execute(
            "select i.rank, i.kind, i.weight, a.date, i.article_id, i.position from items i join articles a on a.id = i.article_id"
        ).fetchall()
    assert len(items) > 500 and len({date for _, _, _, date, _, _ in items}) > 5
    assert [rank for rank, *_ in sorted(items, key=lambda item: item_order(*item[1:]))] == spaced(len(items))


def test_each_topics_items_and_each_citys_are_ranked_by_their_keys(corpus_db: Path) -> None:
    """A topic's items: what was said first, then those naming it most
    often, then the items' own order (topic_order). A city's: what was said
    first, then by tier (its delegates' items about it, others' about it,
    its delegates' others), then the items' own order."""
    with sqlite3.connect(corpus_db) as connection:
        topics = defaultdict(list)
        for number, rank, kind, hits, item_rank in connection.execute(
            "select t.topic_number, t.rank, i.kind, t.hits, i.rank from item_topics t join items i on i.id = t.item_id"
        ):
            topics[number].append((rank, topic_order(kind, hits, item_rank)))
        cities = defaultdict(list)
        for number, rank, kind, tier, item_rank in connection.execute(
            "select c.city_number, c.rank, i.kind, c.tier, i.rank from city_answers c join items i on i.id = c.item_id"
        ):
            cities[number].append((rank, (kind == "fact", tier, item_rank)))
    assert len(topics) > 20 and len(cities) > 20
    assert any(len({key[1] for _, key in ranked}) > 1 for ranked in topics.values())  # hits tell some apart
    assert {tier for ranked in cities.values() for _, (_, tier, _) in ranked} == {0, 1, 2}
    for lists in (topics, cities):
        for ranked in lists.values():
            assert [rank for rank, _ in sorted(ranked, key=lambda entry: entry[1])] == spaced(len(ranked))


def test_each_persons_counts_are_their_items(corpus_db: Path) -> None:
    with sqlite3.connect(corpus_db) as connection:
        counted: dict[int, Counter[str]] = defaultdict(Counter)
        articles: dict[int, set[int]] = defaultdict(set)
        for speaker, kind, article in connection.execute("select speaker_id, kind, article_id from items where speaker_id is not null"):
            counted[speaker][kind] += 1
            articles[speaker].add(article)
        people = connection.execute("select id, quotes, statements, facts, articles from people").fetchall()
    assert sum(1 for *_, article_count in people if article_count > 1) > 10
    assert {person: (quotes, statements, facts, article_count) for person, quotes, statements, facts, article_count in people} == {
        person: (counted[person]["quote"], counted[person]["statement"], counted[person]["fact"], len(articles[person])) for person, *_ in people
    }
