"""Updates handled per second, end to end, through the local Bot API stand-in.

    python tests/tools/bench_updates.py [--updates 3000] [--chats 300] [--rounds 7]
    python tests/tools/bench_updates.py --latency 30 [--updates 900] [--corpus]
    python tests/tools/bench_updates.py --memory 100000

Runs, the same way, an echo bot, a replay bot (the real bot's replies worked
out beforehand, sent without the engine) and the real bot (built by
bot.telegram.app.build_application, as ``python bot.py run`` builds it). Each
polls its own stand-in, which runs in a child process, as the real Bot API is
another machine, and holds a burst of updates from many chats; the clock runs
from the start of polling to the last reply received. The engine is not the
bottleneck when the bot's rate is at least 0.8 of the echo bot's; both should
exceed ten times Telegram's own limit of 30 messages a second, so Telegram
stays the limit in production.

Both bots run without flood control (it would cap both at Telegram's 30
messages/s and measure nothing) and without persistence, and the stand-in does
not validate HTML (it only drops the tags), so neither pays for the test
harness's checks: the stand-in shares the bot's two CPUs, and checking a
reply's HTML cost it about 0.4 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import date
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
ROOT = TOOLS.parent.parent
for _path in (ROOT, TOOLS.parent):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from telegram import Update  # noqa: E402
from telegram.ext import Application, ContextTypes, Defaults, MessageHandler, filters  # noqa: E402

from tools.bench import CORPUS_DIR, DEFAULT_ARTICLES, build_in_child, ensure_corpus, percentile, rss_bytes  # noqa: E402
from bot.engine import Engine  # noqa: E402
from bot.ingest.freshness import store_is_current  # noqa: E402
from bot.telegram.app import build_application  # noqa: E402
from bot.telegram.buttons import CallbackData, keyboard  # noqa: E402
from bot.telegram.handlers import Reply, rendered_answer, send_reply  # noqa: E402
from bot.telegram.transport import CONNECTION_POOL, JSONRequest, reply_defaults  # noqa: E402
from bot.telegram.updates import OneChatAtATime, UpdatesInHand  # noqa: E402
import httpx  # noqa: E402

from fake_botapi import DEFAULT_TOKEN, FakeBotAPI  # noqa: E402
from bot.config import Settings  # noqa: E402
from telegram_harness import bot_settings  # noqa: E402

# A realistic mix: commands, typos, pinyin, aliases, plain questions, unknowns.
QUERY_MIX = (
    "/who 马新强", "/who 马欣强", "/who maxinqiang", "/who 罗卫东", "/who 张三", "/city 武汉", "/city 江城",
    "/city Wuhan", "/city 北京", "/topic 人工智能", "/topic AI", "谁提到了DeepSeek", "华工科技每年招聘多少硕博士",
    "沿途下蛋", "马新强 人才", "武汉 人工智能", "馬新強", "/quote", "/start", "宋朝雪",
)
TELEGRAM_LIMIT = 30  # messages per second, Telegram's overall flood limit
POPULAR_SHARE = 0.5  # of updates drawn from the popular mix; the rest are asked once each
MEMORY_CHATS = 5000  # people writing in the memory run: thousands, each under the per-user rate limit
MIX_SEED = 20250305


def query_mix(db: Path, count: int) -> list[str]:
    """Half popular questions, asked again and again; half a long tail of
    questions asked once (searches for words of the store, /who and /city in
    pinyin and typos), so remembered replies help only as much as they would."""
    import sqlite3

    rng = random.Random(MIX_SEED)
    store = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    words = [row[0] for row in store.execute("select term from vocab where length(term) >= 2 and term glob '[^a-z0-9]*' order by term")]
    store.close()
    rng.shuffle(words)
    tail = iter([f"谁提到了{word}" if number % 2 else word for number, word in enumerate(words)] * (count // max(len(words), 1) + 1))
    return [rng.choice(QUERY_MIX) if rng.random() < POPULAR_SHARE else next(tail) for _ in range(count)]


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The baseline: reply with the text, no engine."""
    if update.effective_message and update.effective_message.text:
        await update.effective_message.reply_text(update.effective_message.text)


def replay_application(base_url: str, replies: dict) -> Application:
    """The bot's own replies, worked out beforehand and sent as the bot sends
    them, without the engine: the cost of answers as long as the bot's, with
    their buttons. The bot minus this is what the engine costs."""

    async def replay(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_message and update.effective_message.text:
            await send_reply(update.effective_message, replies[update.effective_message.text], in_group=False)

    return baseline_application(base_url, replay, reply_defaults())


def baseline_application(base_url: str, handler, defaults: Defaults | None = None) -> Application:
    """A one-handler bot with the bot's own transport (JSON bodies, pool,
    concurrency), so it differs from the bot only in what it does with an
    update. The replay bot also sends as the bot does (HTML, no previews);
    the echo bot's text is not HTML."""
    builder = (
        Application.builder()
        .token(DEFAULT_TOKEN)
        .base_url(base_url)
        .concurrent_updates(OneChatAtATime())
        .update_queue(UpdatesInHand())
        .request(JSONRequest(connection_pool_size=CONNECTION_POOL))
        .get_updates_request(JSONRequest(connection_pool_size=1))
    )
    application = (builder.defaults(defaults) if defaults else builder).build()
    application.add_handler(MessageHandler(filters.ALL, handler))
    return application


def echo_application(base_url: str) -> Application:
    return baseline_application(base_url, _echo)


def serve(messages: list[str], chats: int, ready, stop) -> None:
    """The stand-in, in its own process: queue the burst, report progress on request."""
    api = FakeBotAPI(strict_html=False).start()
    for number, text in enumerate(messages):
        api.push_message(text, user_id=100_000 + number % chats)
    api.register_method("benchStatus", lambda params: {"sent": len(api.sent_messages())})
    ready.put(api.base_url)
    stop.wait()
    api.stop()


def serve_paced(messages: list[str], rate: float, ready, stop) -> None:
    """The stand-in, in its own process: once the bot polls, push one update
    a 1/rate seconds, each from a chat of its own, and report, per update,
    the seconds from its arrival to the first message sent back to its chat."""
    api = FakeBotAPI(strict_html=False).start()
    pushed: dict[int, float] = {}

    def latencies(params: dict) -> dict:
        first_reply: dict[int, float] = {}
        for sent in api.sent_messages():
            first_reply.setdefault(sent.chat_id, sent.time)
        return {"pushed": len(pushed), "seconds": [first_reply[chat] - at for chat, at in pushed.items() if chat in first_reply]}

    api.register_method("benchLatency", latencies)
    ready.put(api.base_url)
    api.wait_for(lambda: api.calls("getUpdates"), timeout=120)
    started = time.monotonic()
    for number, text in enumerate(messages):
        while (wait := started + number / rate - time.monotonic()) > 0:
            time.sleep(wait)
        chat = 100_000 + number
        pushed[chat] = time.monotonic()
        api.push_message(text, user_id=chat)
    stop.wait()
    api.stop()


async def run_latency(make_application, messages: list[str], rate: float) -> list[float]:
    """Each update's latency, arrival to reply, at a steady rate."""
    async with serving(make_application, serve_paced, (messages, rate), "benchLatency") as (application, status):
        await application.updater.start_polling(poll_interval=0.0, timeout=1)
        while True:
            result = await status()
            if result["pushed"] == len(messages) and len(result["seconds"]) == len(messages):
                return sorted(result["seconds"])
            await asyncio.sleep(0.2)


@asynccontextmanager
async def serving(make_application, stand_in, arguments: tuple, status_method: str):
    """The stand-in (``stand_in(*arguments, ready, stop)``) in its own process,
    and the bot built for it, started but not yet polling: yields the bot and
    a function that asks the stand-in for its ``status_method``. Stopped on exit."""
    context = multiprocessing.get_context("spawn")
    ready, stop = context.Queue(), context.Event()
    server = context.Process(target=stand_in, args=(*arguments, ready, stop), daemon=True)
    server.start()
    try:
        base_url = ready.get(timeout=120)
        application = make_application(base_url)
        status_url = f"{base_url}{DEFAULT_TOKEN}/{status_method}"
        async with application, httpx.AsyncClient() as client:

            async def status() -> dict:
                return (await client.post(status_url)).json()["result"]

            if application.post_init:
                await application.post_init(application)
            await application.start()
            yield application, status
            await application.updater.stop()
            await application.stop()
            if application.post_shutdown:
                await application.post_shutdown(application)
    finally:
        stop.set()
        server.join(timeout=30)


async def run_once(make_application, messages: list[str], chats: int) -> tuple[float, float, list[float]]:
    """Seconds to answer ``updates`` updates, the CPU seconds this process
    spent meanwhile, and the bot's event-loop lag samples."""
    async with serving(make_application, serve, (messages, chats), "benchStatus") as (application, status):
        started, cpu_started = time.perf_counter(), time.process_time()
        await application.updater.start_polling(poll_interval=0.0, timeout=1)
        while (await status())["sent"] < len(messages):
            await asyncio.sleep(0.02)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        services = application.bot_data.get("services")
        lag = list(services.lag.samples) if services and services.lag else []
    return elapsed, cpu, lag


async def run_memory(make_application, messages: list[str], chats: int, checkpoints: int = 5) -> list[tuple[int, int]]:
    """(updates answered, the bot's RSS) at the start and at each checkpoint,
    answering ``messages`` through the real Application."""
    marks = [len(messages) * (n + 1) // checkpoints for n in range(checkpoints)]
    async with serving(make_application, serve, (messages, chats), "benchStatus") as (application, status):

        def rss() -> tuple[int]:
            return (rss_bytes()[0],)

        samples = [(0, *rss())]
        await application.updater.start_polling(poll_interval=0.0, timeout=1)
        while marks:
            sent = (await status())["sent"]
            if sent >= marks[0]:
                samples.append((sent, *rss()))
                marks.pop(0)
            await asyncio.sleep(0.2)
    return samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--updates", type=int, default=3000)
    parser.add_argument("--chats", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--db", type=Path, help="the seed store (built from seeds/ into a temp file when absent)")
    parser.add_argument(
        "--latency", type=float, metavar="RATE",
        help="instead: each update's latency, arrival to reply, at RATE updates/s (30: Telegram's own limit), on the event loop and in a worker thread",
    )
    parser.add_argument("--corpus", action="store_true", help="with --latency: on the generated 1,000-article corpus store, not the seed store")
    parser.add_argument(
        "--memory", type=int, metavar="UPDATES",
        help="instead: the bot's RSS while it answers this many updates (the same mix, 100,000 for issue #5's number)",
    )
    args = parser.parse_args(argv)

    db = args.db
    state = Path(tempfile.mkdtemp(prefix="bench-updates-"))
    if args.corpus:
        db, _ = ensure_corpus(CORPUS_DIR, DEFAULT_ARTICLES)
    elif db is None or not store_is_current(db, ROOT / "seeds"):
        # In a child process: jieba's dictionary would otherwise sit in this
        # process's memory, which the bot runs in.
        db = state / "seed.db"
        build_in_child(ROOT / "seeds", db)
    engine = Engine(db)
    messages = query_mix(db, args.updates)

    def lianghui(user_rate: int, answer_in_thread: bool = True):
        """The real bot, for a stand-in's base URL, with this per-user rate
        limit, answering on the event loop or in a worker thread."""

        def build(base_url: str) -> Application:
            settings = replace(bot_settings(None, state), base_url=base_url, user_rate=user_rate)
            return build_application(settings, engine, flood_control=False, persistence=False, answer_in_thread=answer_in_thread)

        return build

    if args.latency:
        return report_latency(lianghui, query_mix(db, args.updates), args.latency, db)
    if args.memory:
        # As deployed: the per-user rate limit on (each of MEMORY_CHATS people
        # stays under it), so its windows hold what they would in production.
        return report_memory(lianghui(Settings.user_rate), query_mix(db, args.memory), MEMORY_CHATS)
    print_header(f"--updates {args.updates} --chats {args.chats} --rounds {args.rounds}")
    print(
        f"{args.updates} updates from {args.chats} chats per round; {POPULAR_SHARE:.0%} from {len(QUERY_MIX)} popular messages,"
        f" the rest asked once each; {args.rounds} rounds"
    )
    replies = {}
    callback_data = CallbackData()
    for text in dict.fromkeys(messages):
        answer, parts, rows = rendered_answer(engine, text, "zh")
        replies[text] = Reply(answer.intent, answer.subject, parts, keyboard(rows, callback_data))
    runners = {
        "echo bot": echo_application,
        "replay bot": lambda base_url: replay_application(base_url, replies),
        # No per-user limit, as the baselines have none.
        "lianghui bot": lianghui(10**9),
        "bot, on loop": lianghui(10**9, answer_in_thread=False),
    }
    seconds: dict[str, list[float]] = {name: [] for name in runners}
    cpu: dict[str, list[float]] = {name: [] for name in runners}
    lags: list[float] = []
    for _ in range(args.rounds):  # rounds interleave the runners, so a busy moment hits all of them
        for name, factory in runners.items():
            elapsed, bot_cpu, lag = asyncio.run(run_once(factory, messages, args.chats))
            if name == "lianghui bot":
                lags.extend(lag)
            seconds[name].append(elapsed)
            cpu[name].append(bot_cpu)
    rates = {name: args.updates / min(times) for name, times in seconds.items()}
    for name, rate in rates.items():
        print(f"{name:<13} {min(seconds[name]):7.2f} s  {rate:8.0f} updates/s (best round)")

    def ratios(name: str, baseline: str) -> tuple[float, float, float]:
        """The rate of name over baseline's in each round (the two ran a few
        seconds apart, on the same machine state): median, lowest, highest."""
        each = sorted(theirs / ours for ours, theirs in zip(seconds[name], seconds[baseline]))
        return statistics.median(each), each[0], each[-1]

    ratio, low, high = ratios("lianghui bot", "echo bot")
    print(f"ratio bot/echo: {ratio:.2f}, median of {args.rounds} rounds ({low:.2f}–{high:.2f})")
    threaded, low, high = ratios("lianghui bot", "bot, on loop")
    print(f"ratio bot answering in a worker thread / on the event loop: {threaded:.2f} ({low:.2f}–{high:.2f})")
    engine_cost, sending = ratios("lianghui bot", "replay bot")[0], ratios("replay bot", "echo bot")[0]
    print(
        f"ratio bot/replay: {engine_cost:.2f} (the engine's own cost); replay/echo {sending:.2f} "
        "(the cost of sending the bot's longer answers and buttons)"
    )
    # Wall-clock rates swing from round to round on a shared machine; the CPU
    # this process spends per update (the bot side, not the stand-in) swings less.
    per_update = {name: statistics.median(times) / args.updates * 1e6 for name, times in cpu.items()}
    print(
        "CPU per update in the bot's process, median of rounds: "
        + ", ".join(f"{name} {micros:.0f} µs" for name, micros in per_update.items())
        + f"; echo/bot {per_update['echo bot'] / per_update['lianghui bot']:.2f}"
    )
    floor = 10 * TELEGRAM_LIMIT
    for name, rate in rates.items():
        print(f"{name} ≥ {floor} updates/s (10 × Telegram's {TELEGRAM_LIMIT}/s): {'met' if rate >= floor else 'MISSED'}")
    if lags:
        ordered = sorted(lags)
        p99 = ordered[int(len(ordered) * 0.99) - 1]
        print(
            f"event-loop lag while the bot served (sampled every 50 ms): median {statistics.median(ordered) * 1000:.1f} ms, "
            f"p99 {p99 * 1000:.1f} ms, max {ordered[-1] * 1000:.1f} ms"
        )
    return 0


def print_header(arguments: str) -> None:
    """The command as run and the machine it ran on."""
    print(f"$ python tests/tools/bench_updates.py {arguments}")
    print(f"python {platform.python_version()} on {platform.platform()}, {os.cpu_count()} CPUs, {date.today()}")


def report_latency(lianghui, messages: list[str], rate: float, db: Path) -> int:
    print_header(f"--latency {rate:g} --updates {len(messages)}")
    print(f"{len(messages)} updates at {rate:g}/s, each from a chat of its own, on {db.name}; latency = arrival at the stand-in to the first reply it receives")
    for label, answer_in_thread in (("on the event loop", False), ("in a worker thread", True)):
        seconds = asyncio.run(run_latency(lianghui(10**9, answer_in_thread), messages, rate))
        milliseconds = [value * 1000 for value in seconds]
        print(
            f"answering {label:<19} p50 {percentile(milliseconds, 50):6.1f} ms  p99 {percentile(milliseconds, 99):6.1f} ms  "
            f"max {milliseconds[-1]:6.1f} ms  ({len(milliseconds)} replies)"
        )
    return 0


def report_memory(make_application, messages: list[str], chats: int) -> int:
    print_header(f"--memory {len(messages)}")
    print(
        f"{len(messages)} updates from {chats} people through the real bot, its per-user rate limit on"
        f" ({POPULAR_SHARE:.0%} popular, the rest from the store's vocabulary)"
    )
    samples = asyncio.run(run_memory(make_application, messages, chats))
    for answered, bot in samples:
        print(f"  after {answered:>7,} updates answered: RSS {bot / 2**20:6.1f} MB")
    first, warm, last = (sample[1] for sample in (samples[0], samples[1], samples[-1]))
    print(
        f"RSS {first / 2**20:.1f} MB started -> {last / 2**20:.1f} MB after {samples[-1][0]:,} updates; "
        f"{(last - warm) / 2**20:+.1f} MB after the first checkpoint (the caches filled)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
