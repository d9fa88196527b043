"""The Telegram surface: python-telegram-bot v22 over the answer engine.

Handlers only parse the update, ask :class:`bot.engine.Engine` for the
answer rendered as Telegram HTML with bot.render (in the answer process,
bot.answer_process, when the machine has a CPU for it; else on the event
loop, where an answer takes well under a millisecond at the median and the
loop's lag is measured), and attach buttons. Button data is always a
message the bot would answer (``/more …``, ``/context …``, ``/who 马新强``),
so a button press and a typed message take the same path, and forged data is
just another message.

``bot.py`` is the composition root: it reads the settings, builds the engine
and calls :func:`run_bot`.
"""

from __future__ import annotations

import asyncio
import gc
import datetime as dtm
import html
import itertools
import json
import logging
import math
import re
import signal
import time
import warnings
from collections import Counter, OrderedDict, deque
from collections.abc import Mapping
from copy import deepcopy
from dataclasses import dataclass, field
from types import MappingProxyType
from urllib.parse import urlsplit

from telegram import (
    Bot,
    BotCommand,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    LinkPreviewOptions,
    Message,
    MessageEntity,
    Update,
)
import httpx
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, InvalidToken, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseRateLimiter,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    PicklePersistence,
    PersistenceInput,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest, HTTPXRequest, RequestData
from telegram.warnings import PTBDeprecationWarning

from . import answer as intents
from .answer import BUTTON_BYTES, Answer
from .answer_process import Answering, Rendered
from .config import Settings, redact, secret_parts
from .engine import COMMANDS, Engine, to_base36
from .errors import ConfigError
from .text import well_formed
from .render import TELEGRAM_LIMIT, ButtonRows, language, t

log = logging.getLogger(__name__)

INLINE_PAGE = 50  # Telegram's limit on results per inline answer
INLINE_QUERY_CHARS = 256  # Telegram's limit on an inline query
MAX_TRACKED = 10_000  # users and chats whose limits and counters are kept, most recent first
TOP_QUERIES = 10
GROUP_PER_MINUTE = 20  # Telegram's limit on messages to one group
# Measured with tests/bench_updates.py: a few connections and a few updates in
# flight serve fastest; httpx checks every pooled connection on each request.
CONCURRENT_UPDATES = 16
# Updates in hand at once: fetched from Telegram and not yet handled, whether
# waiting for their chat's turn or being handled (UpdatesInHand). Far above
# CONCURRENT_UPDATES, so a chat waiting its turn holds no slot another chat
# needs; a flood from one chat drains fast, as the per-user rate limit answers
# all but the first few at once without sending anything.
QUEUED_UPDATES = 1024
REPLY_CACHE = 2048  # rendered replies remembered, most recent kept
KEYBOARD_CACHE = 1024  # keyboards remembered, most recent kept
CONNECTION_POOL = 8
AFTER_ANSWERING = 1  # the handler group that runs once an update has been answered
POLL_TIMEOUT = 10  # seconds Telegram holds a long poll open (python-telegram-bot's default)
# Start-up attempts while Telegram does not answer: the first retry after a
# second, then twice as long each time, never more than half a minute apart.
START_RETRY_FIRST = 1.0
START_RETRY_MAX = 30.0

# The command menu, per language. Every engine command people type is here;
# /more and /context are reached through buttons.
MENU = {
    "en": [
        ("city", "a city: its delegates and what was said"),
        ("who", "a delegate: role, statements, topics"),
        ("topic", "a topic: who said what about it"),
        ("quote", "a random quote"),
        ("search", "search everything that was said"),
        ("lang", "switch language: /lang zh or /lang en"),
        ("help", "what the bot knows, with examples"),
    ],
    "zh": [
        ("city", "城市：代表委员和他们说了什么"),
        ("who", "代表委员：身份、表述、话题"),
        ("topic", "话题：谁说了什么"),
        ("quote", "随机一条原话"),
        ("search", "全文搜索"),
        ("lang", "切换语言：/lang zh 或 /lang en"),
        ("help", "我知道什么，附示例"),
    ],
}

EXTRA_STRINGS = {
    "zh": {
        "slow_down": "消息太多了，请 {seconds} 秒后再试。",
        "error": "抱歉，出了点问题，请稍后再试。",
        "stats": "服务统计",
    },
    "en": {
        "slow_down": "Too many messages; please try again in {seconds} s.",
        "error": "Sorry, something went wrong. Please try again later.",
        "stats": "Service statistics",
    },
}


def _s(lang: str, key: str, **values: object) -> str:
    return EXTRA_STRINGS[language(lang)][key].format(**values)


# Limits and counters -----------------------------------------------------------


class LRU(OrderedDict):
    """A dict that forgets its least recently used keys beyond a bound."""

    def __init__(self, bound: int):
        super().__init__()
        self.bound = bound

    def touch(self, key, default_factory):
        if key in self:
            self.move_to_end(key)
            return self[key]
        value = self[key] = default_factory()
        while len(self) > self.bound:
            self.popitem(last=False)
        return value


class SlidingWindow:
    """At most ``limit`` events per key in any ``seconds``, decided at once,
    without waiting. Keys are kept for the most recent ``bound`` only."""

    def __init__(self, limit: int, seconds: float = 60.0, bound: int = MAX_TRACKED):
        self.limit = limit
        self.seconds = seconds
        self._events: LRU = LRU(bound)

    def __len__(self) -> int:
        """How many keys are tracked: never more than the bound."""
        return len(self._events)

    def take(self, key, count: int = 1, now: float | None = None) -> float:
        """0 when ``count`` more events fit in the window now, and they are
        recorded; otherwise nothing is recorded and the answer is the seconds
        until they would fit."""
        now = time.monotonic() if now is None else now
        events = self._events.touch(key, deque)
        while events and now - events[0] >= self.seconds:
            events.popleft()
        if len(events) + count <= self.limit:
            events.extend([now] * count)
            return 0.0
        if count > self.limit:
            return self.seconds  # never fits; asking again later is all one can do
        # The events that must expire first; the last of them sets the wait.
        return events[len(events) + count - self.limit - 1] + self.seconds - now


class UserRateLimit:
    """At most ``per_minute`` messages per user per minute. A user over the
    limit is told once, then ignored until the window frees up."""

    def __init__(self, per_minute: int, bound: int = MAX_TRACKED):
        self._window = SlidingWindow(per_minute, 60.0, bound)
        self._told: LRU = LRU(bound)  # users told to slow down, until they are allowed again

    def __len__(self) -> int:
        """How many users are tracked: never more than the bound."""
        return len(self._window)

    def check(self, user_id: int, now: float | None = None) -> tuple[bool, bool, int]:
        """(allowed, tell the user, seconds until allowed)."""
        wait = self._window.take(user_id, 1, now)
        if not wait:
            self._told.pop(user_id, None)
            return True, False, 0
        tell = user_id not in self._told
        self._told.touch(user_id, lambda: True)
        return False, tell, int(wait) + 1


class BoundedCounter(Counter):
    """A Counter that keeps only its most common keys beyond a bound."""

    def __init__(self, bound: int = 1000):
        super().__init__()
        self.bound = bound

    def add(self, key: str) -> None:
        self[key] += 1
        if len(self) > self.bound * 2:
            for rare, _ in self.most_common()[self.bound :]:
                del self[rare]


@dataclass
class Stats:
    """What /stats shows. Every collection is bounded."""

    started: float = field(default_factory=time.monotonic)
    served: int = 0
    by_intent: Counter = field(default_factory=Counter)
    queries: BoundedCounter = field(default_factory=BoundedCounter)
    not_found: BoundedCounter = field(default_factory=BoundedCounter)
    latencies: deque = field(default_factory=lambda: deque(maxlen=2000))
    rate_limited: int = 0
    errors: int = 0
    max_loop_lag: float = 0.0

    def record(self, query: str, intent: str, seconds: float) -> None:
        self.served += 1
        self.by_intent[intent] += 1
        key = query.strip()[:60]
        if not key.startswith(("/more", "/context")):
            self.queries.add(key)
        if intent == intents.NOT_FOUND:
            self.not_found.add(key)
        self.latencies.append(seconds)

    def render(self, lang: str) -> str:
        latencies = sorted(self.latencies)
        p50 = latencies[len(latencies) // 2] * 1000 if latencies else 0.0
        p95 = latencies[int(len(latencies) * 0.95) - 1] * 1000 if latencies else 0.0
        lines = [
            f"<b>{html.escape(_s(lang, 'stats'))}</b>",
            f"uptime: {int(time.monotonic() - self.started)} s",
            f"queries served: {self.served}",
            f"answer time p50/p95: {p50:.1f}/{p95:.1f} ms",
            f"max event-loop lag: {self.max_loop_lag * 1000:.1f} ms",
            f"rate-limited: {self.rate_limited} · errors: {self.errors}",
            "intents: " + html.escape(", ".join(f"{k} {v}" for k, v in self.by_intent.most_common())),
            "<b>top queries</b>",
        ]
        lines += [f"{n} × {html.escape(q)}" for q, n in self.queries.most_common(TOP_QUERIES)] or ["—"]
        lines.append("<b>nothing found</b>")
        lines += [f"{n} × {html.escape(q)}" for q, n in self.not_found.most_common(TOP_QUERIES)] or ["—"]
        return "\n".join(lines)


def _seconds_to_wait(error: RetryAfter) -> float:
    """RetryAfter.retry_after is seconds or a timedelta, depending on
    PTB_TIMEDELTA, and warns about that change on every read."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


class FloodControl(BaseRateLimiter[int]):
    """Telegram's limits, and retries the API asks for.

    * About 30 messages a second overall, 20 a minute per group, and one a
      second per private chat (bursts of three, so a split answer is not held).
      Each is a leaky bucket: a burst at once, then the rate. The overall
      bucket holds a tenth of a second's worth (3): one holding a second's
      worth starts with room for 30 and refills 30 more within that second.
    * A chat's (or group's) quota counts messages, not attempts: a retried
      request takes its chat's slot once. Every attempt is paced overall.
    * A 429 (RetryAfter) pauses every request for the time Telegram gives, then
      the request is retried.
    * Network trouble (timeouts, dropped connections, 5xx, a response that is
      not JSON) is retried with backoff. A request that failed before Telegram
      acted on it is then sent exactly once. (A timeout after Telegram
      delivered a message cannot be told apart; the Bot API has no idempotency
      key, so such a message could arrive twice.)
    * A request Telegram refused (400 Bad Request, 403, 401/404) is not
      retried: sending it again cannot succeed, and retrying it only delays the
      handler that decides what to do about it ("message is not modified").
    Limiters per chat are kept for the most recent chats only.
    """

    def __init__(self, overall_per_second: float = 30, group_per_minute: float = GROUP_PER_MINUTE, chat_per_second: float = 1,
                 retries: int = 4, backoff: float = 0.5, time_scale: float = 1.0):
        """``time_scale`` shrinks every window (not the waits Telegram asks
        for), so tests can watch a minute's pacing in a second."""
        from aiolimiter import AsyncLimiter

        self._limiter_type = AsyncLimiter
        self._time_scale = time_scale
        self._overall = self._bucket(overall_per_second, max(1.0, overall_per_second / 10)) if overall_per_second else None
        self._group_rate = group_per_minute
        self._chat_rate = chat_per_second
        self._limiters: LRU = LRU(MAX_TRACKED)
        self._retries = retries
        self._backoff = backoff
        self._paused_until = 0.0  # time.monotonic() before which nothing is sent (a 429)

    @property
    def chats_tracked(self) -> int:
        """How many chats have a limiter: never more than MAX_TRACKED."""
        return len(self._limiters)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    def _bucket(self, per_second: float, burst: float):
        """``burst`` requests at once, then ``per_second``."""
        return self._limiter_type(burst, burst / per_second * self._time_scale)

    def _chat_limiter(self, chat_id: int | str):
        group = isinstance(chat_id, str) or chat_id < 0
        if group:
            if not self._group_rate:
                return None
            return self._limiters.touch(("g", chat_id), lambda: self._bucket(self._group_rate / 60, self._group_rate))
        if not self._chat_rate:
            return None
        return self._limiters.touch(("c", chat_id), lambda: self._bucket(self._chat_rate, 3 * self._chat_rate))

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):
        chat_id = data.get("chat_id")
        try:
            chat_id = int(chat_id) if chat_id is not None else None
        except (TypeError, ValueError):
            pass
        limiter = self._chat_limiter(chat_id) if chat_id is not None else None
        delay = self._backoff
        for attempt in range(self._retries + 1):
            while (paused := self._paused_until - time.monotonic()) > 0:
                await asyncio.sleep(paused)
            if limiter is not None and attempt == 0:
                await limiter.acquire()
            if self._overall is not None and chat_id is not None:
                await self._overall.acquire()
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                if attempt == self._retries:
                    raise
                wait = _seconds_to_wait(error)
                log.warning("Telegram asked to wait %.1f s (%s); retrying", wait, endpoint)
                # Two 429s at once: the later deadline holds for everyone.
                self._paused_until = max(self._paused_until, time.monotonic() + wait + 0.1)
            except TelegramError as error:
                if not self.transient(error) or attempt == self._retries:
                    raise
                log.warning("%s failed (%s); retry %d in %.1f s", endpoint, error.__class__.__name__, attempt + 1, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 8)
        raise RuntimeError("unreachable")

    @staticmethod
    def transient(error: TelegramError) -> bool:
        """Worth sending again: the request may not have reached Telegram, or
        Telegram failed on its side. BadRequest subclasses NetworkError in
        python-telegram-bot, but a 400 is Telegram's final word."""
        if isinstance(error, BadRequest):
            return False
        if isinstance(error, NetworkError):  # timeouts, dropped connections, 5xx
            return True
        return type(error) is TelegramError  # "Invalid server response": a reply that was not JSON


class LoopLag:
    """Measures how late the event loop wakes up: the cost of anything that
    blocks it. Stats keep the worst seen."""

    def __init__(self, stats: Stats, interval: float = 0.05):
        self.stats = stats
        self.interval = interval
        self.samples: deque = deque(maxlen=10_000)
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="loop-lag")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(self.interval)
            lag = loop.time() - before - self.interval
            self.samples.append(lag)
            self.stats.max_loop_lag = max(self.stats.max_loop_lag, lag)


class UpdatesInHand(asyncio.Queue):
    """The application's update queue, with room for ``limit`` updates in
    hand: put (by polling or the webhook) and not yet done with.

    python-telegram-bot takes each update off its queue at once and makes it
    a task, so a plain queue never fills: a backlog of 100,000 updates (a
    bot coming back after a day away) was fetched whole, half a gigabyte in
    memory. Here a put waits while ``limit`` updates are in hand, so polling
    stops asking Telegram for more (the rest wait on Telegram's side, and a
    crash loses fewer) and the webhook answers Telegram more slowly."""

    def __init__(self, limit: int = QUEUED_UPDATES):
        super().__init__()
        self._room = asyncio.Semaphore(limit)

    async def put(self, item) -> None:
        await self._room.acquire()
        await super().put(item)

    def task_done(self) -> None:
        super().task_done()
        self._room.release()


class OneChatAtATime(BaseUpdateProcessor):
    """Each chat's updates are handled one after another, in the order they
    came, and at most ``working`` chats' updates at once.

    Sends to a chat are paced (one a second in a private chat, FloodControl),
    and the pacing is waited out inside the handler. With a plain limit of
    updates in flight, one person sending twenty messages at once held every
    slot while their replies trickled out, and every other chat waited. Here
    a chat waits for its own turn without holding a slot, so a burst delays
    only its sender; and two quick questions are answered in order."""

    def __init__(self, working: int = CONCURRENT_UPDATES, queued: int = QUEUED_UPDATES):
        super().__init__(queued)
        self._working = asyncio.BoundedSemaphore(working)
        self._turns: dict[object, tuple[asyncio.Lock, int]] = {}  # chat -> (its turn, updates waiting for it)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    @staticmethod
    def _chat_of(update: object) -> object:
        """Whose turn an update waits for: its chat, else its sender (inline queries)."""
        if isinstance(update, Update):
            if update.effective_chat:
                return ("chat", update.effective_chat.id)
            if update.effective_user:
                return ("user", update.effective_user.id)
        return None

    async def do_process_update(self, update: object, coroutine) -> None:
        chat = self._chat_of(update)
        if chat is None:
            async with self._working:
                await coroutine
            return
        turn, waiting = self._turns.get(chat, (None, 0))
        turn = turn or asyncio.Lock()
        self._turns[chat] = (turn, waiting + 1)
        try:
            async with turn, self._working:
                await coroutine
        finally:
            # Bounded: a chat is tracked only while it has updates in hand.
            turn, waiting = self._turns[chat]
            if waiting == 1:
                del self._turns[chat]
            else:
                self._turns[chat] = (turn, waiting - 1)

    @property
    def chats_in_hand(self) -> int:
        """Chats with updates being handled or waiting: forgotten when done."""
        return len(self._turns)


class ChoicesPersistence(PicklePersistence):
    """The state file holds what people chose (/lang), nothing else.

    python-telegram-bot hands every user who sent anything to the persistence
    at each interval and at shutdown, with an empty dict for most of them,
    and PicklePersistence rewrites the whole file for each one: a thousand
    new users meant a thousand rewrites of a growing file on the event loop
    (quadratic; seconds of stall at shutdown). Users with nothing to keep
    are skipped, so the file is written only when a choice changes.

    Users with nothing to keep are also dropped from the application's
    memory after each update (forget_users_without_choices). It then asks
    the persistence to drop them, and skips saving them, at the next write,
    even a user who has made a choice since: ``live`` (the application's
    user_data) tells, and the choice is saved instead."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.live: Mapping[int, dict] = MappingProxyType({})

    async def update_user_data(self, user_id: int, data: dict) -> None:
        if not data and (self.user_data is None or user_id not in self.user_data):
            return
        await super().update_user_data(user_id, data)

    async def drop_user_data(self, user_id: int) -> None:
        choice = self.live.get(user_id)
        if choice:
            await self.update_user_data(user_id, deepcopy(choice))
        elif self.user_data and user_id in self.user_data:
            await super().drop_user_data(user_id)


@dataclass
class Services:
    """What the handlers share, kept in ``application.bot_data``."""

    engine: Engine
    settings: Settings
    stats: Stats
    user_limit: UserRateLimit
    answering: Answering
    lag: LoopLag | None = None
    replies: LRU = field(default_factory=lambda: LRU(REPLY_CACHE))
    # Different questions often get the same buttons (马欣强, maxinqiang and
    # 马新强 the same person's), and making a keyboard's buttons costs about
    # 10 µs each.
    keyboards: LRU = field(default_factory=lambda: LRU(KEYBOARD_CACHE))
    group_budget: SlidingWindow = field(default_factory=lambda: SlidingWindow(GROUP_PER_MINUTE))


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.application.bot_data["services"]


# Rendering for Telegram -----------------------------------------------------------


class SerialisedKeyboard(InlineKeyboardMarkup):
    """A keyboard serialised once. Replies are remembered and sent again, and
    python-telegram-bot walks every button of a keyboard to serialise it
    each time it is sent (about 40 µs for a page's seven buttons); the
    keyboard is immutable, so its JSON form is kept. The bot's buttons all
    carry text and callback data only, which is all the JSON form needs."""

    __slots__ = ("_serialised",)

    def __init__(self, inline_keyboard: list[list[InlineKeyboardButton]]):
        super().__init__(inline_keyboard)
        with self._unfrozen():
            self._serialised = {
                "inline_keyboard": [[{"text": button.text, "callback_data": button.callback_data} for button in row] for row in inline_keyboard]
            }

    def to_dict(self, recursive: bool = True) -> dict:
        return dict(self._serialised)


def markup(rows: ButtonRows) -> InlineKeyboardMarkup | None:
    """Telegram's keyboard for button rows (bot.render.button_rows); None for none."""
    if not rows:
        return None
    return SerialisedKeyboard([[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows])


def share_text(answer: Answer, index: int) -> str:
    """A quote as shared from inline mode: the words, the speaker, the source."""
    item = answer.items[index]
    speaker = html.escape(item.speaker or "—", quote=False)
    city = f"（{html.escape(item.speaker_city, quote=False)}）" if item.speaker_city else ""
    words = html.escape(item.text, quote=False)
    body = f"“{words}”" if item.kind == "quote" else words
    text = f"{body}\n—— <b>{speaker}</b>{city}，<i>{html.escape(item.source.line(), quote=False)}</i>"
    if len(text) > TELEGRAM_LIMIT:
        cut = html.escape(item.text[: TELEGRAM_LIMIT // 2], quote=False)
        text = f"“{cut}…”\n—— <b>{speaker}</b>{city}"
    return text


# Handlers -----------------------------------------------------------------------


def user_language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """The user's chosen language (/lang), else their Telegram language: zh* or English."""
    chosen = context.user_data.get("lang") if context.user_data is not None else None
    if chosen:
        return chosen
    user = update.effective_user
    return language(user.language_code if user else None)


@dataclass(frozen=True)
class Reply:
    """An answer as Telegram shows it: the HTML parts and the buttons, with
    what the handlers need to know of the answer."""

    intent: str
    subject: str | None
    parts: tuple[str, ...]
    markup: InlineKeyboardMarkup | None

    @classmethod
    def of(cls, rendered: Rendered, keyboards: LRU | None = None) -> Reply:
        """The reply for a rendered answer; its keyboard taken from ``keyboards``
        when the same buttons were made before (a keyboard is immutable)."""
        rows = rendered.rows
        keyboard = keyboards.touch(rows, lambda: markup(rows)) if keyboards is not None else markup(rows)
        return cls(rendered.intent, rendered.subject, rendered.parts, keyboard)


async def ask_engine(context: ContextTypes.DEFAULT_TYPE, text: str, lang: str) -> Reply:
    """The reply to a message, from the answer process when it runs (see
    bot.answer_process). Recent replies are remembered: the same question
    asked again costs nothing until the store changes or another process
    answers. /quote is random and never remembered. A /lang choice is kept
    here, so a typed /lang and a pressed one are the same."""
    shared = services(context)
    started = time.perf_counter()
    text = well_formed(text)
    shared.engine.store.refresh()  # a rebuilt store makes every remembered reply stale
    # The answer process checks the store file after this, so its answer comes
    # from this store or a newer one, never from one older than the key says.
    key = (shared.answering.epoch, shared.engine.store.generation, text, lang)
    reply = shared.replies.get(key)
    if reply is None:
        reply = Reply.of(await shared.answering.reply(text, lang), shared.keyboards)
        if reply.intent != intents.QUOTE:
            shared.replies.touch(key, lambda: reply)
    else:
        shared.replies.move_to_end(key)
    if reply.intent == intents.LANGUAGE and reply.subject and context.user_data is not None:
        # Looked up now, not earlier: another update from the same user may
        # have had the (then empty) entry forgotten meanwhile.
        context.user_data["lang"] = reply.subject
    shared.stats.record(text, reply.intent, time.perf_counter() - started)
    return reply


async def acknowledge(query: CallbackQuery, text: str | None = None) -> bool:
    """Answer a button press; whether Telegram took the answer. It refuses
    one for a press older than about 15 minutes (the bot was down, or the
    update waited in the queue), and a second one: the press is still worth
    acting on, so that refusal is not an error."""
    try:
        await query.answer(text)
    except BadRequest as error:
        log.debug("could not answer a button press: %s", error)
        return False
    return True


def group_budget_wait(update: Update, context: ContextTypes.DEFAULT_TYPE, messages: int, counted: bool = True) -> int:
    """0 when ``messages`` more may go to the update's chat now (in a group
    they are counted against its GROUP_PER_MINUTE); otherwise the seconds
    until they may. A group past Telegram's limit gets no answer, at once:
    waiting for its budget inside a handler held the slots other chats need
    (FloodControl still paces every send, as a safety net). The refusal is
    logged, and counted in /stats as rate-limited unless ``counted`` is off
    (a notice about something counted already)."""
    chat = update.effective_chat
    if chat is None or chat.type == ChatType.PRIVATE:
        return 0
    shared = services(context)
    wait = shared.group_budget.take(chat.id, messages)
    if not wait:
        return 0
    if counted:
        shared.stats.rate_limited += 1
    log.info("chat %d has had its %d messages this minute: not answering (room again in %.0f s)", chat.id, GROUP_PER_MINUTE, wait)
    return math.ceil(wait)


async def notify(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    """One plain message to the update's chat (slow down, something went
    wrong), unless its group has had its messages this minute."""
    if update.effective_message and not group_budget_wait(update, context, 1, counted=False):
        await update.effective_message.reply_text(html.escape(text))


async def within_limit(update: Update, context: ContextTypes.DEFAULT_TYPE, lang: str) -> bool:
    """Whether the user is within the per-user rate limit. A user over it is
    told once (a reply, a toast for a button, a button above empty inline
    results); their button presses and inline queries are still answered,
    so their client stops waiting."""
    user = update.effective_user
    if user is None:
        return True
    shared = services(context)
    allowed, tell, wait = shared.user_limit.check(user.id)
    if allowed:
        return True
    shared.stats.rate_limited += 1
    slow_down = _s(lang, "slow_down", seconds=wait)
    if update.callback_query:
        await acknowledge(update.callback_query, slow_down if tell else None)
    elif update.inline_query:
        button = InlineQueryResultsButton(text=slow_down, start_parameter="help") if tell else None
        await update.inline_query.answer([], cache_time=0, is_personal=True, button=button)
    elif tell:
        await notify(update, context, slow_down)
    return False


async def reply(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    """Answer a message: the engine's answer as HTML, with buttons on the last part."""
    lang = user_language(update, context)
    if not await within_limit(update, context, lang):
        return
    reply = await ask_engine(context, text, lang)
    if group_budget_wait(update, context, len(reply.parts)):
        return
    await send_reply(update.effective_message, reply, in_group=update.effective_chat.type != ChatType.PRIVATE)


async def send_reply(message: Message, reply: Reply, in_group: bool) -> None:
    for number, part in enumerate(reply.parts):
        last = number == len(reply.parts) - 1
        # In a group, thread the answer under the question so it is clear whom it answers.
        await message.reply_text(part, reply_markup=reply.markup if last else None, do_quote=in_group and number == 0)


async def on_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any engine command: /start, /help, /city, /who, /topic, /quote, /search, /more, /context, /lang."""
    message = update.effective_message
    if not message or not message.text:
        return
    await reply(update, context, message.text)


async def on_private_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Plain text in a private chat is a question."""
    message = update.effective_message
    if not message or not message.text:
        return
    await reply(update, context, message.text)


async def on_group_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """In a group, answer only when the bot is mentioned or replied to; stay
    quiet on everything else (and so work with privacy mode on)."""
    message = update.effective_message
    if not message or not message.text:
        return
    me = context.bot.username or ""
    mention = f"@{me}".lower()
    mentioned = any(
        entity.type == MessageEntity.MENTION and message.parse_entity(entity).lower() == mention
        for entity in message.entities or ()
    )
    replied = bool(message.reply_to_message and message.reply_to_message.from_user and message.reply_to_message.from_user.id == context.bot.id)
    if not (mentioned or replied):
        return
    text = message.text
    if mentioned:
        text = " ".join(word for word in text.split() if word.lower() != mention)
    await reply(update, context, text or "/help")


async def on_unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A command the bot does not have. In a group, only when addressed to this
    bot: /foo without @ may be meant for another bot."""
    message = update.effective_message
    if not message or not message.text:
        return
    command = message.text.split()[0]
    if command.split("@")[0].lstrip("/").lower() == "stats":
        return  # /stats is for admins only; everyone else gets no answer
    if update.effective_chat.type != ChatType.PRIVATE:
        if "@" not in command or command.split("@", 1)[1].lower() != (context.bot.username or "").lower():
            return
    await reply(update, context, message.text)


async def on_callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button press. Paging edits the message in place; other buttons
    (context, did-you-mean, examples) answer with a new message."""
    query = update.callback_query
    if query is None:
        return
    lang = user_language(update, context)
    data = query.data or ""
    if not data.strip() or len(data.encode("utf-8", "surrogatepass")) > BUTTON_BYTES:
        await acknowledge(query, t(lang, "expired"))
        return
    if not await within_limit(update, context, lang):
        return
    reply = await ask_engine(context, data, lang)
    if reply.intent == intents.EXPIRED:
        await acknowledge(query, t(lang, "expired"))
        return
    message = query.message
    if not isinstance(message, Message):
        await acknowledge(query)
        return  # an inline message or one too old to reach: nothing to edit or reply to
    editing = data.startswith("/more ") and len(reply.parts) == 1
    wait = group_budget_wait(update, context, 1 if editing else len(reply.parts))
    await acknowledge(query, _s(lang, "slow_down", seconds=wait) if wait else None)
    if wait:
        return
    if editing:
        try:
            await query.edit_message_text(reply.parts[0], reply_markup=reply.markup)
        except TelegramError as error:
            if "not modified" not in str(error).lower():
                raise
        return
    await send_reply(message, reply, in_group=message.chat.type != ChatType.PRIVATE)


async def on_inline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """@bot 马新强 in any chat: matching quotes to share, 50 per page."""
    inline = update.inline_query
    if inline is None:
        return
    if not await within_limit(update, context, user_language(update, context)):
        return
    text = well_formed((inline.query or "")[:INLINE_QUERY_CHARS])
    # The offset is the next_offset this bot handed out, but a client can send
    # anything: only plain ASCII digits count (str.isdigit() also admits "²").
    offset_text = inline.offset or "0"
    offset = int(offset_text) if re.fullmatch(r"[0-9]{1,6}", offset_text) else 0
    shared = services(context)
    started = time.perf_counter()
    answer = await shared.answering.share(text, offset, INLINE_PAGE)
    shared.stats.record("@inline " + text, answer.intent, time.perf_counter() - started)
    results = []
    for index, item in enumerate(answer.items):
        speaker = item.speaker or "—"
        results.append(
            InlineQueryResultArticle(
                id=to_base36(item.id),
                title=f"{speaker}：{item.text[:50]}",
                description=item.source.line()[:100],
                input_message_content=InputTextMessageContent(share_text(answer, index), parse_mode=ParseMode.HTML),
            )
        )
    more = offset + len(answer.items) < answer.total
    # No next_offset means no more results. (An empty string would be the same to
    # Telegram, but python-telegram-bot 22.8 with Defaults turns "" into [].)
    await inline.answer(results, next_offset=str(offset + INLINE_PAGE) if more else None, cache_time=60)


async def on_stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stats for the admins named in ADMIN_IDS; no answer for anyone else."""
    user = update.effective_user
    shared = services(context)
    if user is None or user.id not in shared.settings.admin_ids or update.effective_message is None:
        return
    if group_budget_wait(update, context, 1):
        return
    # Top queries are what people typed: someone may have pasted the token.
    text = redact(shared.stats.render(user_language(update, context)), secret_parts(shared.settings.token))
    await update.effective_message.reply_text(text)


async def forget_users_without_choices(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """After the answer, forget a user with nothing to keep (no /lang).
    python-telegram-bot makes an entry in application.user_data for everyone
    who sends anything and never removes it: 1,500 inline users were 1,500
    entries for good."""
    user = update.effective_user
    if user is None:
        return
    if not context.application.user_data.get(user.id):
        context.application.drop_user_data(user.id)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure first, then tell the person something went wrong, in
    their language, without details: a failed button press as the answer to
    the press (else its spinner turns until Telegram gives up), in the chat
    when the press was answered already."""
    log.error("failed to handle an update", exc_info=context.error)
    if "services" not in context.application.bot_data:
        return  # the application is not the bot's (or not built yet): nothing to count in, no one to tell
    services(context).stats.errors += 1
    if not isinstance(update, Update):
        return
    text = _s(user_language(update, context), "error")
    try:
        if update.callback_query and await acknowledge(update.callback_query, text):
            return
        await notify(update, context, text)
    except TelegramError:
        log.warning("could not tell the user about the failure")


# Building and running ----------------------------------------------------------------


async def register_menu(application: Application) -> None:
    """Set the command menu for English (the default) and Chinese."""
    bot = application.bot
    await bot.set_my_commands([BotCommand(name, text) for name, text in MENU["en"]])
    await bot.set_my_commands([BotCommand(name, text) for name, text in MENU["zh"]], language_code="zh")


def api_urls(base_url: str) -> tuple[str, str]:
    """The bot and file URLs of a self-hosted Bot API server given as
    http://host:port or http://host:port/bot (the token is appended to both)."""
    base = base_url.rstrip("/")
    root = base[: -len("/bot")] if base.endswith("/bot") else base
    return root + "/bot", root + "/file/bot"


class JSONRequest(HTTPXRequest):
    """Sends the Bot API's parameters as a JSON body, which Telegram accepts for
    every method but file uploads. python-telegram-bot sends a form instead,
    and percent-encoding a few kilobytes of Chinese byte by byte in Python
    costs about a millisecond a message and triples its size."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout=BaseRequest.DEFAULT_NONE,
        write_timeout=BaseRequest.DEFAULT_NONE,
        connect_timeout=BaseRequest.DEFAULT_NONE,
        pool_timeout=BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if request_data is None or request_data.contains_files:
            return await super().do_request(url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout)
        client = self._client
        timeout = httpx.Timeout(
            connect=client.timeout.connect if connect_timeout is BaseRequest.DEFAULT_NONE else connect_timeout,
            read=client.timeout.read if read_timeout is BaseRequest.DEFAULT_NONE else read_timeout,
            write=client.timeout.write if write_timeout is BaseRequest.DEFAULT_NONE else write_timeout,
            pool=client.timeout.pool if pool_timeout is BaseRequest.DEFAULT_NONE else pool_timeout,
        )
        body = json.dumps(request_data.parameters, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        try:
            response = await client.request(
                method=method,
                url=url,
                headers={"User-Agent": self.USER_AGENT, "Content-Type": "application/json"},
                timeout=timeout,
                content=body,
            )
        except httpx.TimeoutException as error:
            raise TimedOut from error
        except httpx.HTTPError as error:
            raise NetworkError(f"httpx.{error.__class__.__name__}: {error}") from error
        return response.status_code, response.content


def reply_defaults() -> Defaults:
    """How every reply is sent: Telegram HTML, no link previews."""
    return Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True))


def build_application(
    settings: Settings,
    engine: Engine,
    *,
    flood_control: bool = True,
    persistence: bool = True,
    get_updates_read_timeout: float | None = None,
    read_timeout: float | None = None,
) -> Application:
    """The Application with every handler. Tests pass a base URL in the
    settings to reach a local stand-in for the Bot API, and short timeouts
    to exercise the timeout path without waiting the default 5 s."""
    stats = Stats()
    builder = (
        ApplicationBuilder()
        .token(settings.token or "")
        .defaults(reply_defaults())
        .concurrent_updates(OneChatAtATime())
        .update_queue(UpdatesInHand())
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if settings.base_url:
        base_url, base_file_url = api_urls(settings.base_url)
        builder = builder.base_url(base_url).base_file_url(base_file_url)
    if flood_control:
        builder = builder.rate_limiter(FloodControl())
    choices = None
    if persistence:
        settings.state_path.parent.mkdir(parents=True, exist_ok=True)
        choices = ChoicesPersistence(
            settings.state_path,
            store_data=PersistenceInput(bot_data=False, chat_data=False, user_data=True, callback_data=False),
            update_interval=30,
        )
        builder = builder.persistence(choices)
    if get_updates_read_timeout is not None:
        builder = builder.get_updates_read_timeout(get_updates_read_timeout)
    builder = builder.request(JSONRequest(connection_pool_size=CONNECTION_POOL, read_timeout=read_timeout or 5.0))
    application = builder.build()
    if choices is not None:
        choices.live = application.user_data
    answering = Answering(engine, use_process=settings.uses_answer_process)
    application.bot_data["services"] = Services(engine, settings, stats, UserRateLimit(settings.user_rate), answering)

    application.add_handler(CommandHandler("stats", on_stats))
    application.add_handler(CommandHandler(list(COMMANDS), on_command))
    application.add_handler(MessageHandler(filters.COMMAND, on_unknown_command))
    application.add_handler(MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, on_private_text))
    application.add_handler(MessageHandler(filters.ChatType.GROUPS & filters.TEXT & ~filters.COMMAND, on_group_text))
    application.add_handler(CallbackQueryHandler(on_callback))
    application.add_handler(InlineQueryHandler(on_inline))
    # A later group: runs after whichever handler above answered (or failed).
    application.add_handler(TypeHandler(Update, forget_users_without_choices), group=AFTER_ANSWERING)
    application.add_error_handler(on_error)
    return application


async def _post_init(application: Application) -> None:
    shared: Services = application.bot_data["services"]
    try:
        await register_menu(application)
    except TelegramError as error:  # the menu is a convenience: the commands work without it
        log.warning("could not set the command menu (%s); going on without it", _describe(error))
    await shared.answering.start()
    shared.lag = LoopLag(shared.stats)
    shared.lag.start()
    # Everything loaded so far lives as long as the bot: keep the collector
    # from walking it again on every full collection (pauses of tens of ms).
    gc.collect()
    gc.freeze()
    log.info("bot @%s is up", application.bot.username)


async def _post_shutdown(application: Application) -> None:
    shared: Services = application.bot_data["services"]
    if shared.lag:
        await shared.lag.stop()
    await shared.answering.stop()
    shared.engine.store.close()


REJECTED_TOKEN = "Telegram rejected the token: check TELEGRAM_BOT_TOKEN (create one with @BotFather)"


def _describe(error: TelegramError) -> str:
    """One line about a failed request, for the log."""
    return f"{error.__class__.__name__}: {error}"


async def _check_token_with_telegram(settings: Settings) -> None:
    """Ask Telegram who the token belongs to, once, without retries.

    python-telegram-bot reports a rejected token from deep inside its start-up
    retry loop, as a logged traceback whose message repeats the token. Asking
    first turns that into one clear line (ConfigError); any other failure is
    raised as it is, for the caller to try again."""
    urls = api_urls(settings.base_url) if settings.base_url else ("https://api.telegram.org/bot", "https://api.telegram.org/file/bot")
    bot = Bot(settings.token or "", base_url=urls[0], base_file_url=urls[1])
    try:
        async with bot:  # initialize() calls getMe
            pass
    except InvalidToken:
        raise ConfigError(REJECTED_TOKEN) from None


async def _set_up_updates(application: Application, settings: Settings) -> None:
    """Tell Telegram how updates are to come: to the webhook, or by polling
    (no webhook). python-telegram-bot's start-up does the same, but either
    gives up with a logged traceback or retries forever, even what Telegram
    refused for good (a bad webhook URL); made here first, it can be told
    apart, and python-telegram-bot's own call then repeats one just accepted."""
    if settings.webhook_url:
        await application.bot.set_webhook(settings.webhook_url, allowed_updates=Update.ALL_TYPES, secret_token=settings.webhook_secret)
    else:
        await application.bot.delete_webhook()


async def _prepare_when_telegram_answers(application: Application, settings: Settings) -> None:
    """Initialize the application and set up its updates as soon as Telegram
    answers, however long that takes: a server may boot before its network
    is up. Each failed attempt logs one line and the next waits twice as
    long, up to START_RETRY_MAX (or as long as a 429 asks). What Telegram
    refused for good (the token, the webhook) stops at once, in one line."""
    delay = START_RETRY_FIRST
    for attempt in itertools.count(1):
        wait = delay
        try:
            await _check_token_with_telegram(settings)
            await application.initialize()
            await _set_up_updates(application, settings)
            return
        except InvalidToken:  # the token was revoked between the check and initialize()
            raise ConfigError(REJECTED_TOKEN) from None
        except RetryAfter as error:
            wait = max(delay, _seconds_to_wait(error))
            log.warning("Telegram asked to wait at start-up (%s); attempt %d, trying again in %.0f s", _describe(error), attempt, wait)
        except TelegramError as error:
            if not FloodControl.transient(error):
                raise ConfigError(f"Telegram refused to start the bot: {error.message}") from None
            log.warning("Telegram did not answer at start-up (%s); attempt %d, trying again in %.0f s", _describe(error), attempt, wait)
        await asyncio.sleep(wait)
        delay = min(delay * 2, START_RETRY_MAX)


def webhook_path(webhook_url: str) -> str:
    """The path the webhook server serves: the one Telegram is told to call
    (a reverse proxy passes it on unchanged)."""
    return urlsplit(webhook_url).path.strip("/") or "telegram"


def _polling_failed(error: TelegramError) -> None:
    """Network trouble while polling: python-telegram-bot retries with
    backoff; one line each time, not a traceback."""
    log.warning("getUpdates failed (%s); retrying", _describe(error))


async def start(application: Application, settings: Settings, *, poll_timeout: int = POLL_TIMEOUT) -> None:
    """Start the bot as run_polling or run_webhook would, but with start-up
    retried until Telegram answers. Polling by default; a webhook when a
    webhook URL is set, checking the secret Telegram is given (requests
    without it get 403)."""
    await _prepare_when_telegram_answers(application, settings)
    await application.post_init(application)
    updater = application.updater
    if settings.webhook_url:
        log.info("serving a webhook on %s:%d", settings.webhook_listen, settings.webhook_port)
        await updater.start_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path=webhook_path(settings.webhook_url),
            webhook_url=settings.webhook_url,
            secret_token=settings.webhook_secret,
            allowed_updates=Update.ALL_TYPES,
            bootstrap_retries=-1,
        )
    else:
        await updater.start_polling(
            poll_interval=0.0,
            timeout=dtm.timedelta(seconds=poll_timeout),
            allowed_updates=Update.ALL_TYPES,
            bootstrap_retries=-1,
            error_callback=_polling_failed,
        )
    await application.start()


async def stop(application: Application) -> None:
    """Stop taking updates (those taken are confirmed to Telegram), answer
    the ones in flight, save the choices and close. Safe at any point of
    start-up: only what was started is stopped."""
    if application.updater.running:
        await application.updater.stop()
    if application.running:
        await application.stop()
    await application.shutdown()
    await application.post_shutdown(application)


async def serve(settings: Settings, engine: Engine, stopping: asyncio.Event) -> None:
    """The bot from start to finish: started (however long Telegram takes
    to answer), serving until ``stopping`` is set, then stopped. Set during
    start-up, ``stopping`` cancels it."""
    application = build_application(settings, engine)
    starting = asyncio.create_task(start(application, settings), name="start-up")
    stop_requested = asyncio.create_task(stopping.wait(), name="stop-signal")
    try:
        await asyncio.wait({starting, stop_requested}, return_when=asyncio.FIRST_COMPLETED)
        if starting.done():
            starting.result()  # raises what start-up could not get past (ConfigError)
            await stop_requested
        else:
            log.info("stopped during start-up")
    finally:
        for task in (starting, stop_requested):
            task.cancel()
        await asyncio.gather(starting, stop_requested, return_exceptions=True)
        await stop(application)


async def _serve_until_signalled(settings: Settings, engine: Engine) -> int:
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, stopping.set)
    await serve(settings, engine, stopping)
    return 0


def run_bot(settings: Settings, engine: Engine) -> int:
    """Run until stopped: Ctrl-C or SIGTERM, at any time, even while start-up
    waits for Telegram, finishes the updates in flight and returns 0."""
    return asyncio.run(_serve_until_signalled(settings, engine))


__all__ = ["build_application", "run_bot", "serve", "start", "stop", "markup", "FloodControl", "UserRateLimit", "Stats"]
