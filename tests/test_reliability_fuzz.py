"""Hostile input at every entry point, through the real Application.

One bot runs for the whole module, polling the local Bot API stand-in from an
event loop on its own thread, so synchronous tests can push updates into it
and wait for what it sends back. Hypothesis generates the inputs (the same
ones on every run); they are pushed at once and checked when the bot is idle.
Every input comes from a chat (or user) of its own, so replies are matched to
updates by chat, button presses and inline queries by their ids.

Inputs per entry point: commands with arguments 150, plain text 150, group
mentions 80, button data 150, inline queries 120 (hypothesis); the Big List
of Naughty Strings (514 non-empty strings) as plain text, as the argument of
a command, as button data and as an inline query; and `python bot.py ask`
with every naughty string, plus bytes that are not UTF-8, on standard input.

What must hold for every input: no handler fails (the error handler's
counter stays 0 and nothing logs "failed to handle an update"), every reply
is non-empty, valid Telegram HTML and at most 4,096 characters, every button
press is acknowledged exactly once, and every inline answer has at most 50
results, each with unique ids and valid HTML to share.

Flood control is off here: its pacing (one message a second per chat, 30 a
second overall) would only slow the run down; tests/test_reliability_faults.py
covers it. The entry points are the same handlers either way.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.engine.core import COMMANDS
from fake_botapi import Call, FakeBotAPI, SentMessage
from telegram_harness import running_bot
from telegram_html import validate_telegram_html

ROOT = Path(__file__).resolve().parent.parent
BOT = "lianghui_test_bot"
REPLY_TIMEOUT = 15.0
# The counts each hypothesis test runs; the module stays well under a minute.
EXAMPLES = {"command": 150, "text": 150, "group": 80, "callback": 150, "inline": 120}

FUZZ = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,  # the same inputs on every run
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Words the bot knows, and strings that have broken parsers, HTML, SQL and FTS5 before.
KNOWN = ["马新强", "王行环", "丁光宏", "罗卫东", "耿福能", "宋朝学", "武汉", "成都", "杭州", "上海", "人工智能", "DeepSeek",
         "马欣强", "maxinqiang", "馬新強", "武漢", "代表", "说了什么", "谁提到了"]
HOSTILE = ["<b>", "</b>", "<a href='javascript:alert(1)'>x</a>", "<tg-spoiler>", "&amp;", "&", "<", ">", "&#0;", "&#xD800;",
           "\u200b", "\u202e", "\ufeff", "\x00", "\x1b[31m", "'; DROP TABLE items; --", '" OR 1=1 --', "%s%n", "{0}", "\\",
           "*", "_", "`", ";", "NEAR(", "AND", "OR", "NOT", '"', "^", "(", ")", ":", "🇨🇳", "👨‍👩‍👧", "ﷺ", "\u0301" * 20,
           "/more ", "/context ", "@" + BOT, "\n", "\r\n", "\t", "²", "፩", "٣"]
words = st.one_of(st.sampled_from(KNOWN), st.sampled_from(HOSTILE), st.text(max_size=12))
texts = st.one_of(
    st.text(min_size=1, max_size=200),
    st.lists(words, min_size=1, max_size=12).map(" ".join),
    st.lists(words, min_size=1, max_size=6).map("".join),
    # Long input, cheaply: the engine cuts at 4,096 characters, Telegram's own limit.
    st.builds(lambda chunk, times: chunk * times, st.text(min_size=1, max_size=16), st.integers(300, 700)),
)
command_names = st.one_of(st.sampled_from(COMMANDS), st.sampled_from(["WHO", "City", "foo", "who_", "x" * 33, "", "st@ts"]))
addressed = st.sampled_from(["", "", f"@{BOT}", "@other_bot", "@"])
separators = st.sampled_from([" ", " ", "\n", "\u3000", "\xa0", ""])
commands = st.builds(lambda name, to, sep, args: f"/{name}{to}{sep}{args}", command_names, addressed, separators, texts | st.just(""))
callback_data = st.one_of(
    st.text(max_size=64),
    st.text(min_size=65, max_size=200),  # more than Telegram allows: only a forged client sends it
    st.builds("/more {}".format, st.text(max_size=58)),
    st.builds("/more {}".format, st.from_regex(r"(?:[pcth][0-9a-z]{0,13};){0,5}(?:L[pctx];)?(?:s[^;]{0,20};)?o[0-9]{0,9}", fullmatch=True)),
    st.builds("/context {}".format, st.from_regex(r"[0-9a-z]{0,14}", fullmatch=True)),
    st.sampled_from(["/who 马新强", "/city 武汉", "/topic 人工智能", "/help", "/lang en", "/quote", "/stats", "/more", "/context", ""]),
)
inline_offsets = st.one_of(
    st.just(""), st.from_regex(r"[0-9]{1,9}", fullmatch=True), st.text(max_size=8), st.sampled_from(["²", "፩", "٣٣", "-5", "1e3", "50 "])
)


class FailureLog(logging.Handler):
    """Collects what the bot logs at ERROR and above."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def failures(self) -> list[str]:
        return [f"{r.getMessage()}: {r.exc_info[1]!r}" for r in self.records if "failed to handle an update" in r.getMessage()]


class LiveBot:
    """The real Application polling the stand-in, on an event loop of its own
    thread, for as long as the module runs."""

    _ids = itertools.count(20_000_001)

    def __init__(self, api: FakeBotAPI, engine, state_dir: Path):
        self.api, self.engine, self.state_dir = api, engine, state_dir
        self.ready = threading.Event()
        self.failed: BaseException | None = None
        self.application = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="live-bot", daemon=True)

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as error:  # reported by start() to the test that needs the bot
            self.failed = error
            self.ready.set()

    async def _serve(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        async with running_bot(self.api, self.engine, self.state_dir, flood_control=False) as application:
            self.application = application
            self.ready.set()
            await self._stop.wait()

    def start(self) -> LiveBot:
        self._thread.start()
        self.ready.wait(30)
        if self.failed or self.application is None:
            raise RuntimeError("the bot did not start") from self.failed
        return self

    def stop(self) -> None:
        if self._loop and self._stop:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)

    @property
    def errors(self) -> int:
        return self.application.bot_data["services"].stats.errors

    def idle(self) -> bool:
        app = self.application
        return not self.api.pending_updates() and app.update_queue.qsize() == 0 and app.update_processor.current_concurrent_updates == 0

    def wait_idle(self, timeout: float = 60.0) -> None:
        """Idle three checks in a row: an update just taken off the queue is
        briefly neither queued nor counted as being handled."""
        streak = 0

        def settled() -> bool:
            nonlocal streak
            streak = streak + 1 if self.idle() else 0
            return streak >= 3

        self.api.wait_for(settled, timeout)

    @classmethod
    def new_id(cls) -> int:
        return next(cls._ids)

    def send(self, text: str, *, group: bool = False) -> int:
        """Push a message from a user of its own; returns the chat its reply goes to."""
        user = self.new_id()
        if group:
            self.api.push_message(text, user_id=user, chat_id=-user, chat_type="supergroup")
            return -user
        self.api.push_message(text, user_id=user)
        return user

    def press(self, data: str, on_message: bool) -> str:
        """Push a button press; returns its callback query id."""
        user = self.new_id()
        message = {"message_id": 1, "date": 0, "chat": {"id": user, "type": "private"}, "from": self.api.bot_user, "text": "an answer"}
        update_id = self.api.push_callback_query(data, message=message if on_message else None, user_id=user)
        return self.api.pushed(update_id)["callback_query"]["id"]

    def inline(self, query: str, offset: str) -> str:
        update_id = self.api.push_inline_query(query, offset=offset, user_id=self.new_id())
        return self.api.pushed(update_id)["inline_query"]["id"]

    def replies(self, chat: int, timeout: float = REPLY_TIMEOUT) -> list[SentMessage]:
        return self.api.wait_for(lambda: self.api.sent_messages(chat), timeout)

    def calls_for(self, method: str, key: str, value: str, timeout: float = REPLY_TIMEOUT) -> list[Call]:
        return self.api.wait_for(lambda: [c for c in self.api.calls(method) if c.params.get(key) == value], timeout)


@pytest.fixture(scope="module")
def failure_log():
    handler = FailureLog()
    logger = logging.getLogger("bot.telegram")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


@pytest.fixture(scope="module")
def live(engine, tmp_path_factory: pytest.TempPathFactory, failure_log):
    with FakeBotAPI() as api:
        bot = LiveBot(api, engine, tmp_path_factory.mktemp("fuzz-bot")).start()
        yield bot
        bot.stop()


def message_problems(messages: list[SentMessage]) -> list[str]:
    """Every text the bot sends must be non-empty, valid Telegram HTML, at most 4,096 characters."""
    return [f"{m.text[:60]!r}: {problem}" for m in messages for problem in validate_telegram_html(m.text)]


def expects_reply(text: str) -> bool:
    """Everything in a private chat is answered, except /stats from someone
    who is not an admin (on purpose: no answer at all)."""
    words = text.split()
    if not text or (text.startswith("/") and words and words[0][1:].split("@")[0].lower() == "stats"):
        return False
    return True


def assert_healthy(live: LiveBot, failure_log: FailureLog, errors_before: int) -> None:
    """After a batch: the bot is idle, no handler failed, every message it sent is valid."""
    live.wait_idle()
    assert [] == failure_log.failures()
    assert errors_before == live.errors
    assert [] == message_problems(live.api.sent_messages())


# Hypothesis: generated inputs, pushed into the one running bot -----------------------


def generate(strategy: st.SearchStrategy, count: int) -> list:
    """count inputs from strategy, the same ones on every run. They are pushed
    all at once and checked when the bot is done: a round trip per example
    would cost more than the handling."""
    found: list = []

    @settings(FUZZ, max_examples=count)
    @given(strategy)
    def collect(value) -> None:
        found.append(value)

    collect()
    return found


def assert_every_message_answered(live: LiveBot, failure_log: FailureLog, sent: dict[int, str]) -> None:
    errors_before = live.errors
    live.wait_idle()
    unanswered = [text for chat, text in sent.items() if expects_reply(text) and not live.api.sent_messages(chat)]
    bad = [(text, problem) for chat, text in sent.items() for problem in message_problems(live.api.sent_messages(chat))]
    assert [] == unanswered
    assert [] == bad
    assert_healthy(live, failure_log, errors_before)


def test_commands_with_arguments(live, failure_log):
    errors_before = live.errors
    sent = {live.send(text): text for text in generate(commands, EXAMPLES["command"])}
    assert_every_message_answered(live, failure_log, sent)
    assert errors_before == live.errors


def test_plain_text_in_a_private_chat(live, failure_log):
    errors_before = live.errors
    sent = {live.send(text): text for text in generate(texts, EXAMPLES["text"])}
    assert_every_message_answered(live, failure_log, sent)
    assert errors_before == live.errors


def test_mentions_in_a_group(live, failure_log):
    errors_before = live.errors
    sent = {live.send(f"@{BOT} {text}", group=True): text for text in generate(texts, EXAMPLES["group"])}
    assert_every_message_answered(live, failure_log, sent)
    unthreaded = [text for chat, text in sent.items() if live.api.sent_messages(chat)[0].reply_to_message_id is None]
    assert [] == unthreaded  # in a group the answer is threaded under the question
    assert errors_before == live.errors


def test_forged_and_stale_button_data(live, failure_log):
    errors_before = live.errors
    pressed = {live.press(data, on_message): data for data, on_message in generate(st.tuples(callback_data, st.booleans()), EXAMPLES["callback"])}
    live.wait_idle()
    acknowledged = [c.params["callback_query_id"] for c in live.api.calls("answerCallbackQuery")]
    assert [] == [data for query_id, data in pressed.items() if acknowledged.count(query_id) != 1]
    assert_healthy(live, failure_log, errors_before)


def inline_problems(call: Call) -> list[str]:
    """Telegram's rules for an inline answer, and ours for what it shares."""
    results = call.params.get("results")
    problems = [] if len(results) <= 50 else [f"{len(results)} results"]
    ids = [r["id"] for r in results]
    if len(set(ids)) != len(ids) or any(len(i.encode()) > 64 for i in ids):
        problems.append(f"result ids must be unique and at most 64 bytes: {ids}")
    for result in results:
        if not result.get("title", "").strip():
            problems.append(f"result {result['id']} has no title")
        content = result["input_message_content"]
        if content.get("parse_mode") != "HTML":
            problems.append(f"result {result['id']} is not HTML")
        problems += [f"result {result['id']}: {p}" for p in validate_telegram_html(content["message_text"])]
    offset = call.params.get("next_offset")
    if offset not in (None, "") and not re.fullmatch(r"[0-9]+", str(offset)):
        problems.append(f"next_offset {offset!r}")
    return problems


def test_inline_queries(live, failure_log):
    errors_before = live.errors
    asked = {live.inline(query, offset): (query, offset) for query, offset in generate(st.tuples(texts | st.text(max_size=300), inline_offsets), EXAMPLES["inline"])}
    live.wait_idle()
    answers: dict[str, list[Call]] = {}
    for call in live.api.calls("answerInlineQuery"):
        answers.setdefault(call.params["inline_query_id"], []).append(call)
    assert [] == [asked[query_id] for query_id in asked if len(answers.get(query_id, [])) != 1]
    assert [] == [(asked[query_id], p) for query_id in asked for p in inline_problems(answers[query_id][0])]
    assert_healthy(live, failure_log, errors_before)


def test_half_a_surrogate_pair_in_an_update(live, failure_log):
    """JSON can spell half of a surrogate pair; Telegram never sends one, but
    nothing stops a stand-in (or a proxy) from doing so. It is answered, as
    U+FFFD, like any other character."""
    errors_before = live.errors
    chats = [live.send(text) for text in ("马新强\ud800", "/who \udfff马新强", "\ud83d")]
    query_id = live.inline("\ud800武汉", "")
    replies = [live.replies(chat) for chat in chats]
    live.calls_for("answerInlineQuery", "inline_query_id", query_id)
    assert_healthy(live, failure_log, errors_before)
    assert "马新强" in replies[1][0].text


# The Big List of Naughty Strings, every string at every entry point ------------------------


def test_naughty_strings_at_every_entry_point(live, failure_log, naughty_strings):
    errors_before = live.errors
    strings = [s for s in naughty_strings if s]
    private = {live.send(s): s for s in strings if expects_reply(s)}
    commands = {live.send(f"/{COMMANDS[i % len(COMMANDS)]} {s}"): s for i, s in enumerate(strings)}
    presses = {live.press(s, on_message=True): s for s in strings}
    inline = {live.inline(s, offset=s[:8]): s for s in strings}
    live.wait_idle(timeout=120)

    unanswered = [s for chat, s in {**private, **commands}.items() if not live.api.sent_messages(chat)]
    acknowledged = [c.params["callback_query_id"] for c in live.api.calls("answerCallbackQuery")]
    inline_answers = {c.params["inline_query_id"]: c for c in live.api.calls("answerInlineQuery")}
    assert [] == unanswered
    assert [] == [s for query_id, s in presses.items() if acknowledged.count(query_id) != 1]
    assert [] == [s for query_id, s in inline.items() if query_id not in inline_answers]
    assert [] == [(s, p) for query_id, s in inline.items() for p in inline_problems(inline_answers[query_id])]
    assert_healthy(live, failure_log, errors_before)


def test_ask_answers_each_naughty_line_on_standard_input(seed_db, naughty_strings):
    """`python bot.py ask` reads one message per line; every line gets one
    reply (one JSON object per line), bytes that are not UTF-8 included."""
    strings = [s for s in naughty_strings if "\n" not in s and "\r" not in s]
    broken = [b"\xff\xfe", b"caf\xe9", b"\xc0\xaf", b"\xed\xa0\x80", "马新强".encode() + b"\x80"]
    data = b"\n".join([s.encode("utf-8") for s in strings] + broken) + b"\n"
    done = subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), "ask", "--json", "--db", str(seed_db)],
        input=data,
        capture_output=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "LC_ALL": "C", "HOME": str(ROOT)},
    )
    lines = done.stdout.decode("utf-8").split("\n")[:-1]
    assert 0 == done.returncode, done.stderr.decode(errors="replace")[-2000:]
    assert b"Traceback" not in done.stderr
    assert len(strings) + len(broken) == len(lines)
    replies = [json.loads(line) for line in lines]
    assert [] == [r["query"] for r in replies if not r["text"].strip()]
    assert "马新强" == replies[-1]["match"]["name"]  # the broken byte became U+FFFD, the name still reads
