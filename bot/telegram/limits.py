"""Telegram's limits and the bot's own: how fast the bot may send, and how
fast a person may ask.

python-telegram-bot offers ``AIORateLimiter``; FloodControl replaces it
because the bot needs what that one does not do: a group's messages are
counted, not its attempts; transient network errors are retried with
backoff, but a refusal (400) never is; and a 429 pauses every chat at once.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import logging
import time
import warnings
from collections import OrderedDict, deque

from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

from .transport import unanswered

log = logging.getLogger(__name__)

MAX_TRACKED = 10_000  # users and chats whose limits and counters are kept, most recent first
GROUP_PER_MINUTE = 20  # Telegram's limit on messages to one group
# Attempts after a request went out and got no answer: one, so a message
# goes out at most twice (FloodControl).
RETRIES_AFTER_UNANSWERED = 1


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


def seconds_to_wait(error: RetryAfter) -> float:
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
    * Network trouble that Telegram certainly did not act on (no connection,
      5xx, a response that is not JSON) is retried with backoff: such a
      request goes through exactly once.
    * A request that went out and got no answer (a read timeout, the
      connection closed while waiting: transport.unanswered) may have been
      carried out: Telegram delivers, then answers late. The Bot API has no
      idempotency key, so the rule is: after such a failure, one more
      attempt, and after a second, none (the error reaches the handler). A
      message then goes out at most twice. The wait for an answer is long
      (transport.READ_TIMEOUT, 15 s), so a slow Telegram delivers it once.
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
        unanswered_attempts = 0
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
                wait = seconds_to_wait(error)
                log.warning("Telegram asked to wait %.1f s (%s); retrying", wait, endpoint)
                # Two 429s at once: the later deadline holds for everyone.
                self._paused_until = max(self._paused_until, time.monotonic() + wait + 0.1)
            except TelegramError as error:
                if not self.transient(error) or attempt == self._retries:
                    raise
                if unanswered(error):
                    if unanswered_attempts == RETRIES_AFTER_UNANSWERED:
                        log.warning("%s went out %d times without an answer (%s); not sending it again: it may have arrived",
                                    endpoint, unanswered_attempts + 1, error.__class__.__name__)
                        raise
                    unanswered_attempts += 1
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
