"""Continuation tokens: "/more …" commands behind the More button (issue #3).

A token must fit Telegram's 64 bytes of callback data, lead to the next page
with different items, and never raise: anything forged or stale is "expired".
Long answers come from the generated corpus, which holds thousands of items.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine import Engine
from bot.engine.answer import Answer, Intent, Notice, to_base36
from bot.telegram.buttons import BUTTON_BYTES, CallbackData
from bot.render import to_text

# A topic and many words: the token cannot carry them and stores a digest.
# Eight words, none too common to search (企业 and 推动 would be: a search leaves them out), so its tokens are long.
LONG_SEARCH = "人才 培养 高校 合作 机制 建立 产学研 攻关"


@pytest.fixture(scope="module")
def corpus_engine(corpus_db: Path) -> Engine:
    return Engine(corpus_db)


def pages_of(engine: Engine, message: str, limit: int = 400) -> list[Answer]:
    pages = [engine.answer(message)]
    while pages[-1].next and len(pages) < limit:
        pages.append(engine.answer(pages[-1].next))
    return pages


@pytest.mark.parametrize(
    "message",
    ["/city 武汉", "/topic 人工智能", "发展 创新 产业", "/who", "/city", "/topic", LONG_SEARCH, "武汉 发展", "中试"],
)
def test_pages_cover_every_item_once(corpus_engine: Engine, message: str) -> None:
    pages = pages_of(corpus_engine, message)
    first = pages[0]
    assert len(pages) > 1, "the corpus should give this answer several pages"
    keys = [(e.kind, e.id) for page in pages for e in page.entries] + [("item", i.id) for page in pages for i in page.items]
    assert first.total == len(keys) == len(set(keys))
    assert {first.intent} == {page.intent for page in pages}
    assert [page.offset for page in pages] == sorted({page.offset for page in pages})
    assert None is pages[-1].next


@pytest.mark.parametrize("message", ["/city 武汉", "/who", LONG_SEARCH, "武汉 发展", "/topic 人工智能"])
def test_tokens_fit_in_telegram_callback_data(corpus_engine: Engine, message: str) -> None:
    pages = pages_of(corpus_engine, message)
    callback_data = CallbackData()
    tokens = [callback_data.encode(page.next) for page in pages[:-1]] + [callback_data.encode(page.prev) for page in pages[1:]]
    assert tokens
    assert [] == [token for token in tokens if token is None or len(token.encode("utf-8")) > BUTTON_BYTES]
    assert all(token.startswith("/more ") for token in tokens)


CHAT = 5001


def test_long_search_button_uses_a_digest_that_does_not_survive_a_restart(corpus_engine: Engine) -> None:
    """The digest points into this process's memory: after a restart the button has expired."""
    command = corpus_engine.answer(LONG_SEARCH).next
    callback_data = CallbackData()
    button = callback_data.encode(command)
    assert button is not None and button != command
    assert ";h" in button or button.startswith("/more h")
    callback_data.allow(button, CHAT)
    assert command == callback_data.decode(button, CHAT)
    assert Intent.SEARCH == corpus_engine.answer(callback_data.decode(button, CHAT)).intent
    restarted = CallbackData()
    restarted.allow(button, CHAT)
    assert None is restarted.decode(button, CHAT)
    # Typed or forged, a digest means nothing to the engine.
    assert Intent.EXPIRED == corpus_engine.answer(button).intent


def test_long_search_command_works_in_another_process(corpus_db: Path, corpus_engine: Engine) -> None:
    """The command itself (what ask and the console print) carries its words."""
    command = corpus_engine.answer(LONG_SEARCH).next
    first = corpus_engine.answer(command)
    again = Engine(corpus_db).answer(command)
    assert Intent.SEARCH == again.intent
    assert [item.id for item in first.items] == [item.id for item in again.items]


def test_back_returns_the_previous_page(corpus_engine: Engine) -> None:
    first = corpus_engine.answer("/city 武汉")
    second = corpus_engine.answer(first.next)
    assert first.prev is None
    assert [i.id for i in first.items] == [i.id for i in corpus_engine.answer(second.prev).items]
    assert not {i.id for i in first.items} & {i.id for i in second.items}


def test_later_pages_keep_the_scope_and_say_where_they_are(corpus_engine: Engine) -> None:
    pages = pages_of(corpus_engine, "武汉 发展")
    assert len(pages) > 1
    assert [("search", "武汉", ["发展"])] * len(pages) == [(p.intent, p.match.name, p.terms) for p in pages]
    assert f"第 6–10 条，共 {pages[0].total} 条" in to_text(pages[1], "zh")


def test_more_hint_is_shown_with_the_command(corpus_engine: Engine) -> None:
    answer = corpus_engine.answer("/city 武汉")
    assert f"/more {answer.next.split(' ', 1)[1]}" in to_text(answer, "zh")
    assert f"send {answer.next} for more" in to_text(answer, "en")


FORGED = [
    "/more",
    "/more xyz",
    "/more ;;;",
    "/more o5",
    "/more Lp",
    "/more Lq;o5",
    "/more Lp;o-1",
    "/more Lp;o፩",  # a digit to str.isdigit() that int() rejects
    "/more Lp;o99999999",
    "/more Lp;o9999999",  # past the end: a stale page
    "/more s发展;o999999",
    "/more s*;o0",
    '/more s";o0',
    "/more sNEAR(;o0",
    "/more s;o5",
    "/more p0;o5",
    "/more pzzzzzzzzzzzz;o5",
    "/more pzzzzzzzzzzzzz;o5",
    "/more p-1;o5",
    "/more P1;o5",
    "/more hdeadbeef00;o5",
    "/more h;o5",
    "/more t;o5",
    "/more c!;o5",
    "/more " + "p1;" * 40 + "o5",
    "/more " + "x" * 1000,
    "/more Lp;o5;" + "s" * 300,
    "/more Lp;o5 extra words",
]


@pytest.mark.parametrize("token", FORGED)
def test_forged_or_stale_tokens_have_expired(engine: Engine, token: str) -> None:
    answer = engine.answer(token)
    assert Intent.EXPIRED == answer.intent
    assert to_text(answer, "zh").strip()


def test_token_for_a_removed_entity_has_expired(engine: Engine) -> None:
    """An id no longer in the store (a rebuilt store): expired, not an empty page."""
    missing = (engine.store.value("select max(id) from people") or 0) + 1
    assert Intent.EXPIRED == engine.answer(f"/more p{to_base36(missing)};o5").intent


def test_genuine_tokens_work_in_another_engine_on_the_same_store(seed_db: Path, engine: Engine) -> None:
    """Short tokens carry everything they need: a restarted bot still follows them."""
    token = engine.answer("/who 马新强").next
    assert token is not None
    again = Engine(seed_db).answer(token)
    assert (Intent.PERSON, "马新强", 5) == (again.intent, again.match.name, again.offset)


def test_a_search_with_more_hits_than_it_ranks_counts_and_pages_them_all(corpus_engine: Engine) -> None:
    """The first page ranks RANKED_HITS of the hits; the total and the pages still cover every one."""
    from bot.engine.core import RANKED_HITS

    hits = corpus_engine.store.value("select count(*) from item_search_fts where item_search_fts match ?", ['"发展"'])
    assert hits > RANKED_HITS
    pages = pages_of(corpus_engine, "发展", limit=hits)
    ids = [item.id for page in pages for item in page.items]
    assert hits == pages[0].total == len(ids) == len(set(ids))


def test_the_ranked_pages_of_a_search_cut_its_hits_by_score_then_rank(corpus_engine: Engine) -> None:
    """A search with nothing to filter reads only each page's items (and those
    tied in score with its first or last), yet its first RANKED_HITS items come
    in the order of all of them by bm25 and then the items' own rank."""
    from bot.engine.core import RANKED_HITS, SEARCH_RANK

    ranked = corpus_engine.store.rows(
        f"with hits as (select rowid as search_id, {SEARCH_RANK} as score from item_search_fts where item_search_fts match ? "
        "order by rowid limit ?) select i.id, hits.score from hits join items i on i.search_id = hits.search_id order by hits.score, i.rank",
        ['"发展"', RANKED_HITS],
    )
    scores = [row["score"] for row in ranked]
    assert len(ranked) == RANKED_HITS and len(set(scores)) < len(scores), "the corpus should give ties to cut"
    pages = pages_of(corpus_engine, "发展", limit=RANKED_HITS // 5 + 1)
    assert [row["id"] for row in ranked] == [item.id for page in pages for item in page.items][:RANKED_HITS]


def test_items_found_by_their_paragraph_follow_every_item_holding_the_word(corpus_engine: Engine) -> None:
    """中试 is in 128 items' own words and in the paragraphs of 61 more: the
    128 come first, then the others, each page saying so once it has them,
    and the total counts both (the pages reach every item it counts)."""
    pages = pages_of(corpus_engine, "中试")
    items = [item for page in pages for item in page.items]
    holding = [page_item for page_item in items if "中试" in page_item.text]
    assert pages[0].total == len(items) > len(holding) > 0
    assert items[: len(holding)] == holding
    assert all(page.notice is Notice.IN_CONTEXT for page in pages if any("中试" not in item.text for item in page.items))
    assert pages[0].notice is None


def test_a_word_too_common_to_narrow_is_left_out_when_a_rarer_one_remains(corpus_engine: Engine) -> None:
    """企业 is in about half the corpus's paragraphs: searched with 产学研, the
    answer is 产学研's and says it searched for 产学研 alone; with 创新, as
    common, the rarer of the two is searched."""
    rarer = corpus_engine.answer("企业 产学研")
    alone = corpus_engine.answer("产学研")
    assert ["产学研"] == rarer.terms
    assert (rarer.total, [item.id for item in rarer.items]) == (alone.total, [item.id for item in alone.items])
    assert ["创新"] == corpus_engine.answer("企业 创新").terms


def test_a_word_of_several_tokens_is_searched_without_the_paragraphs_index(corpus_engine: Engine) -> None:
    """The paragraphs' index keeps no positions, so it cannot match A-1 (two
    tokens in a row): such a search asks the items' index alone."""
    answer = corpus_engine.answer("中试 A-1")
    assert answer.intent is Intent.SEARCH and ["中试", "A-1"] == answer.terms and answer.items


def test_a_search_on_a_topic_lists_the_topics_items_holding_the_word_then_those_beside_it(corpus_engine: Engine) -> None:
    """人才 产学研: the topic is matched in the items' index with the word (its
    topics column), and every item listed is on 人才: first the 15 whose own
    words hold 产学研, then those whose paragraph does."""
    pages = pages_of(corpus_engine, "人才 产学研")
    items = [item for page in pages for item in page.items]
    topic = pages[0].match
    own = corpus_engine.store.value(
        "select count(*) from item_topics where topic_number = (select number from topics where id = ?) and item_id in (select i.id from item_search_fts join items i on i.search_id = item_search_fts.rowid where item_search_fts match ?)",
        [topic.id, '"产学研"'],
    )
    assert "人才" == topic.name and ["产学研"] == pages[0].terms
    assert all("人才" in item.topics for item in items)
    assert pages[0].total == len(items) > own > 0
    assert all("产学研" in item.text for item in items[:own])


def test_inline_sharing_leaves_out_a_common_word_and_keeps_to_the_items_own_words(corpus_engine: Engine) -> None:
    shared = corpus_engine.share("人才 企业 产学研")
    assert ["产学研"] == shared.terms and shared.items
    assert all("产学研" in item.text and "人才" in item.topics and item.kind != "fact" for item in shared.items)


def test_a_city_filtering_a_topic_gives_the_same_pages_read_whole_or_tested_by_row(corpus_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A big city's list that filters a topic's is tested on the topic's rows
    (core.ROW_TESTED), a smaller one read whole as a set: the pages are the same."""
    from bot.engine import core

    probe = Engine(corpus_db)
    cities = [row["name"] for row in probe.store.rows("select name from cities where items > 0 order by items desc limit 3")]
    topics = [row["name"] for row in probe.store.rows("select name from topics where items > 0 order by items limit 8")]
    messages = [f"{city} {topic}" for city in cities for topic in topics]
    tested: list[str] = []
    on_list = core._on_list

    def noting(entity, *args, **kwargs):
        tested.append(entity.kind)
        return on_list(entity, *args, **kwargs)

    monkeypatch.setattr(core, "_on_list", noting)
    answers = {}
    for row_tested in (10**12, 0):
        monkeypatch.setattr(core, "ROW_TESTED", row_tested)
        tested.clear()
        engine = Engine(corpus_db)
        answers[row_tested] = [[(page.total, [item.id for item in page.items]) for page in pages_of(engine, message)] for message in messages]
        assert (tested.count("city") > 0) == (row_tested == 0)
    assert answers[0] == answers[10**12]
    assert sum(pages[0][0] for pages in answers[0]) > 0
