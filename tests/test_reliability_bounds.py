"""Bounds: message sizes are capped, the per-user rate limit holds, every
cache stops growing at its bound, and memory stays flat under a long run of
varied queries."""

from __future__ import annotations

import gc
import sqlite3
import random
import time
from collections.abc import Iterator

import pytest

from telegram import InlineKeyboardMarkup

from bot.engine.cache import StoreCache
from bot.engine.core import MAX_MESSAGE, Engine
from bot.render import button_rows, to_html_messages
from bot.telegram.buttons import DIGESTS, CallbackData, SerialisedKeyboard, keyboard
from bot.telegram.limits import LRU, MAX_TRACKED, FloodControl, UserRateLimit
from bot.telegram.stats import BoundedCounter, Stats
from fake_botapi import FakeBotAPI
from telegram_harness import idle, running_bot
from telegram_html import validate_telegram_html, visible_text

# Memory: queries in the test, and the growth allowed over them. `python bot.py
# bench memory` runs the full 100,000 (about a minute).
MEMORY_QUERIES = 30_000
MEMORY_GROWTH_MB = 20.0


# Message sizes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        (("/who 马新强" + " " * 100_000)[:100_000], "person"),
        (("马新强" + "啊" * 100_000)[:100_000], "person"),
        (("谁提到了DeepSeek？" * 10_000)[:100_000], "search"),
        ("x" * 100_000, "not_found"),
    ],
    ids=["command-then-spaces", "name-then-text", "question-repeated", "one-long-word"],
)
def test_the_engine_reads_only_the_first_4096_characters(engine, message, intent):
    started = time.perf_counter()
    answer = engine.answer(message)
    seconds = time.perf_counter() - started
    parts = to_html_messages(answer, "zh")
    assert 100_000 == len(message)
    assert len(answer.query) <= MAX_MESSAGE
    assert intent == answer.intent
    assert [] == [problem for part in parts for problem in validate_telegram_html(part)]
    assert seconds < 1.0


@pytest.mark.asyncio
async def test_a_100000_character_message_gets_a_normal_reply(engine, tmp_path):
    with FakeBotAPI() as api:
        async with running_bot(api, engine, tmp_path):
            api.push_message(("马新强说了什么？" * 20_000)[:100_000], user_id=501)
            api.push_message("谁" * 100_000, user_id=502)
            replies = await api.await_for(lambda: api.sent_messages(501) and api.sent_messages(502) and api.sent_messages())
    assert [] == [problem for reply in replies for problem in validate_telegram_html(reply.text)]
    assert visible_text(api.sent_messages(501)[0].text).startswith("马新强")


# The per-user rate limit -----------------------------------------------------------------------


def test_the_rate_limit_allows_the_quota_tells_once_then_frees_up():
    limit = UserRateLimit(per_minute=20)
    start = 1000.0
    decisions = [limit.check(7, now=start + i * 0.1) for i in range(23)]
    assert [(True, False, 0)] * 20 == decisions[:20]
    assert (False, True) == decisions[20][:2]  # told once, with how long to wait
    assert 58 <= decisions[20][2] <= 61
    assert [(False, False)] * 2 == [d[:2] for d in decisions[21:]]
    assert (True, False, 0) == limit.check(8, now=start + 2.5)  # another user is not affected
    assert limit.check(7, now=start + 60.05)[0]  # the first message of the window has expired


@pytest.mark.asyncio
async def test_the_rate_limit_holds_through_the_bot(engine, tmp_path):
    with FakeBotAPI() as api:
        async with running_bot(api, engine, tmp_path, flood_control=False, user_rate=5) as application:
            for _ in range(12):
                api.push_message("/city 武汉", user_id=601)
            api.push_message("/city 武汉", user_id=602)
            await api.await_for(lambda: api.sent_messages(602))
            await api.await_for(lambda: application.bot_data["services"].stats.rate_limited >= 7)
            limited = application.bot_data["services"].stats.rate_limited
        replies = [visible_text(m.text) for m in api.sent_messages(601)]
    assert 7 == limited
    assert 6 == len(replies)  # five answers and one polite warning
    assert 1 == sum("消息太多了" in reply for reply in replies)


# Every cache has a bound ---------------------------------------------------------------------------


def test_lru_keeps_only_the_most_recently_used_keys():
    cache = LRU(100)
    for key in range(1000):
        cache.touch(key, list)
        cache.touch(0, list)  # used all along: never the least recent
    assert 100 == len(cache)
    assert 0 in cache and 999 in cache and 500 not in cache


def test_bounded_counter_keeps_the_common_keys():
    counter = BoundedCounter(bound=50)
    for number in range(10_000):
        counter.add(f"rare {number}")
        if number % 10 == 0:
            counter.add("common")
    assert len(counter) <= 100
    assert 1000 == counter["common"]


def test_stats_stay_bounded_however_many_distinct_queries(engine):
    stats = Stats()
    answer = engine.answer("/who 张三")
    for number in range(5000):
        stats.record(f"/who 张{number}", answer.intent, 0.001)
    assert len(stats.queries) <= 2 * stats.queries.bound
    assert len(stats.not_found) <= 2 * stats.not_found.bound
    assert len(stats.latencies) <= stats.latencies.maxlen
    assert "queries served: 5000" in stats.render("en")


def test_the_rate_limit_tracks_a_bounded_number_of_users():
    limit = UserRateLimit(per_minute=5, bound=100)
    for user in range(1000):
        limit.check(user, now=float(user))
    assert 100 == len(limit)
    assert (True, False, 0) == limit.check(999, now=1000.0)


@pytest.mark.asyncio
async def test_flood_control_keeps_limiters_for_a_bounded_number_of_chats():
    control = FloodControl(overall_per_second=0, chat_per_second=1000, group_per_minute=60_000)

    async def sent() -> str:
        return "sent"

    for chat in range(MAX_TRACKED + 500):
        await control.process_request(sent, (), {}, "sendMessage", {"chat_id": chat if chat % 2 else -chat - 1}, None)
    assert MAX_TRACKED == control.chats_tracked


@pytest.mark.asyncio
async def test_only_users_with_a_language_choice_are_kept(engine, tmp_path):
    """python-telegram-bot keeps an entry for every user who ever wrote;
    the bot forgets those with nothing to keep, in memory and on disk."""
    with FakeBotAPI() as api:
        async with running_bot(api, engine, tmp_path, flood_control=False) as application:
            for number in range(1500):
                api.push_inline_query("马新强", user_id=50_000 + number)
            api.push_message("/lang en", user_id=701)
            api.push_message("/lang zh", user_id=702)
            api.push_message("/who 马新强", user_id=703)  # a question: nothing to keep
            await api.await_for(lambda: len(api.calls("answerInlineQuery")) >= 1500 and all(api.sent_messages(u) for u in (701, 702, 703)), timeout=120)
            await api.await_for(lambda: idle(application))
            in_memory = dict(application.user_data)
        replies = [m.text for m in api.sent_messages()]
        replies += [r["input_message_content"]["message_text"] for call in api.calls("answerInlineQuery") for r in call.params["results"]]
    with sqlite3.connect(tmp_path / "bot-state.db") as state:
        on_disk = dict(state.execute("select user_id, lang from languages"))
    assert {} == in_memory  # python-telegram-bot's own per-user entries are all forgotten
    assert {701: "en", 702: "zh"} == on_disk
    assert [] == [problem for reply in replies for problem in validate_telegram_html(reply)]


def test_equal_buttons_share_one_keyboard_and_the_keyboards_kept_are_bounded(engine):
    """As the handlers keep them: one keyboard for equal button rows, the most recent kept."""
    keyboards, callback_data = LRU(3), CallbackData()

    def rows_of(message: str):
        return button_rows(engine.answer(message, "zh"), "zh")

    def kept(message: str):
        rows = rows_of(message)
        return keyboards.touch(rows, lambda: keyboard(rows, callback_data))

    same_person = [kept(message) for message in ("/who 马欣强", "/who 马新强", "maxinqiang")]
    assert same_person[0] is same_person[1] is same_person[2]
    assert same_person[0].to_dict() == keyboard(rows_of("/who 马新强"), callback_data).to_dict()
    for message in ("/who 王行环", "/city 成都", "/topic 人才", "/who 罗卫东"):
        kept(message)
        assert len(keyboards) <= 3
    assert rows_of("/who 罗卫东") in keyboards  # the most recent kept
    assert rows_of("/who 马新强") not in keyboards  # the oldest forgotten


def test_the_button_digests_forget_the_oldest_search(seed_db):
    """A search too long for a button is kept in memory behind a short
    digest; only the most recent DIGESTS are kept."""
    engine = Engine(seed_db)
    callback_data = CallbackData()
    buttons = []
    for number in range(DIGESTS + 50):
        answer = engine.answer(f"/search 创新 {'q' * 60}{number:06d}")
        buttons.append(callback_data.encode(answer.next))
        callback_data.allow(buttons[-1], 5001)
    # Each one went through the digests: its search words are a digest ("h…").
    assert all(any(part.startswith("h") for part in button.removeprefix("/more ").split(";")) for button in buttons)
    assert DIGESTS == len(callback_data)
    assert None is callback_data.decode(buttons[0], 5001)
    assert "search" == engine.answer(callback_data.decode(buttons[-1], 5001)).intent


def test_the_card_cache_is_bounded_and_starts_again_on_a_rebuilt_store(seed_db):
    """People's cards and cities' delegates are kept per store: at most
    ``bound`` of them, and none from a store that has been replaced."""
    engine = Engine(seed_db)
    cards = StoreCache(engine.store, bound=3)
    for key in range(10):
        assert key * 2 == cards.get(key, lambda key=key: key * 2)
        assert len(cards) <= 3
    assert 18 == cards.get(9, lambda: "computed again")  # kept
    engine.store._generation += 1  # what Store.refresh does when ingest has replaced the file
    assert "computed again" == cards.get(9, lambda: "computed again")
    assert 1 == len(cards)


def test_a_kept_keyboard_serialises_as_python_telegram_bot_does(engine):
    answer = engine.answer("/who 马新强")
    kept = keyboard(button_rows(answer, "zh"), CallbackData())
    assert isinstance(kept, SerialisedKeyboard)
    assert InlineKeyboardMarkup(kept.inline_keyboard).to_dict() == kept.to_dict()
    kept.to_dict()["inline_keyboard"] = []  # a caller changing its copy changes nothing kept
    assert kept.to_dict()["inline_keyboard"]


# Memory ------------------------------------------------------------------------------------------

NAMES = ["马新强", "王行环", "丁光宏", "罗卫东", "耿福能", "宋朝学", "马欣强", "maxinqiang", "馬新強", "王兴环", "dingguanghong"]
CITIES = ["武汉", "成都", "杭州", "上海", "北京", "武漢", "wuhan", "深圳"]
TOPICS = ["人工智能", "人才", "新质生产力", "光电子信息", "低空经济", "DeepSeek"]
WORDS = ["创新", "产业", "人才", "发展", "城市", "科技", "高校", "青年", "政策", "企业"]
HAN = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可也主下而过子后"


def query_mix(count: int, seed: int = 20250305) -> Iterator[str]:
    """Varied queries, generated as they are asked (a list of them would be
    counted as the engine's memory): known and unknown names, typos, pinyin,
    traditional characters, cities, topics, searches long enough to need the
    token cache, forged page tokens, random Han text and random Unicode."""
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"

    def han(n: int) -> str:
        return "".join(rng.choice(HAN) for _ in range(n))

    templates = [
        lambda: f"/who {rng.choice(NAMES)}",
        lambda: f"/who {han(rng.randint(2, 3))}",
        lambda: f"/city {rng.choice(CITIES)}",
        lambda: f"/topic {rng.choice(TOPICS)}",
        lambda: f"{rng.choice(NAMES)}说了什么",
        lambda: f"谁提到了{rng.choice(WORDS)}",
        lambda: f"{rng.choice(CITIES)} {rng.choice(TOPICS)}",
        lambda: f"/search {rng.choice(WORDS)} {''.join(rng.choice(letters) for _ in range(rng.randint(30, 60)))}",
        lambda: f"/more p{rng.randrange(36**8):x};o{rng.choice([5, 10, 15])}",
        lambda: f"/context {rng.randrange(36**10):x}",
        lambda: han(rng.randint(1, 40)),
        lambda: "".join(chr(rng.randint(0x20, 0x2FFF)) for _ in range(rng.randint(1, 30))),
        lambda: "/quote",
        lambda: "/help",
    ]
    for _ in range(count):
        yield rng.choice(templates)()


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def test_memory_stays_flat_over_a_long_run_of_queries(seed_db):
    engine = Engine(seed_db)
    for query in query_mix(3000, seed=1):  # warm up: caches filled, SQLite pages read
        engine.answer(query)
    gc.collect()
    before = rss_mb()
    started = time.perf_counter()
    middle = None
    for number, query in enumerate(query_mix(MEMORY_QUERIES), start=1):
        engine.answer(query)
        if number == MEMORY_QUERIES // 3:
            gc.collect()
            middle = rss_mb()
    gc.collect()
    after = rss_mb()
    seconds = time.perf_counter() - started
    report = (
        f"RSS {before:.1f} MB before, {middle:.1f} MB after {MEMORY_QUERIES // 3:,} queries, {after:.1f} MB after {MEMORY_QUERIES:,}"
        f" ({after - before:+.1f} MB; {seconds:.1f} s, {seconds / MEMORY_QUERIES * 1000:.2f} ms a query)"
    )
    assert after - before < MEMORY_GROWTH_MB, report
    assert after - middle < MEMORY_GROWTH_MB / 4, report  # flat: the last two thirds add next to nothing
