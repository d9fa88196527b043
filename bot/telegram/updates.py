"""How updates wait and in which order they are handled.

python-telegram-bot takes every update it fetches into memory at once and
handles up to N at a time in any order; it has no per-chat ordering and no
bound on what it holds. These two pieces add both.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict

from telegram import Update
from telegram.ext import BaseUpdateProcessor

# Measured with tests/bench_updates.py: a few connections and a few updates in
# flight serve fastest; httpx checks every pooled connection on each request.
CONCURRENT_UPDATES = 16
# Updates in hand at once: fetched from Telegram and not yet handled, whether
# waiting for their chat's turn or being handled (UpdatesInHand). Far above
# CONCURRENT_UPDATES, so a chat waiting its turn holds no slot another chat
# needs; a flood from one chat drains fast, as the per-user rate limit answers
# all but the first few at once without sending anything.
QUEUED_UPDATES = 1024
# Update ids remembered, to answer an update Telegram sends again once
# (a webhook delivery it retried): far more than it holds back at a time.
RECENT_UPDATE_IDS = 4096

log = logging.getLogger(__name__)


class UpdatesInHand(asyncio.Queue):
    """The application's update queue, with room for ``limit`` updates in
    hand: put (by polling or the webhook) and not yet done with.

    python-telegram-bot takes each update off its queue at once and makes it
    a task, so a plain queue never fills: a backlog of 100,000 updates (a
    bot coming back after a day away) was fetched whole, half a gigabyte in
    memory. Here a put waits while ``limit`` updates are in hand, so polling
    stops asking Telegram for more (the rest wait on Telegram's side, and a
    crash loses fewer) and the webhook answers Telegram more slowly.

    An update whose update_id came in lately is dropped: Telegram sends a
    webhook update again when its answer was slow or lost, and a replayed
    request would be answered twice."""

    def __init__(self, limit: int = QUEUED_UPDATES, remembered: int = RECENT_UPDATE_IDS):
        super().__init__()
        self._room = asyncio.Semaphore(limit)
        self._recent_ids: OrderedDict[int, None] = OrderedDict()
        self._remembered = remembered

    def _seen(self, update_id: int) -> bool:
        """Whether the id came in lately; it is remembered from now on."""
        if update_id in self._recent_ids:
            return True
        self._recent_ids[update_id] = None
        if len(self._recent_ids) > self._remembered:
            self._recent_ids.popitem(last=False)
        return False

    async def put(self, item) -> None:
        if isinstance(item, Update) and self._seen(item.update_id):
            log.info("update %d came again; it is handled once", item.update_id)
            return
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
    only its sender; and two quick questions are answered in order.

    ``cut_off`` ends the handling of every update in hand at once (a stop
    that cannot wait longer), and of any that comes after."""

    def __init__(self, working: int = CONCURRENT_UPDATES, queued: int = QUEUED_UPDATES):
        super().__init__(queued)
        self._working = asyncio.BoundedSemaphore(working)
        self._turns: dict[object, tuple[asyncio.Lock, int]] = {}  # chat -> (its turn, updates waiting for it)
        self._handling: dict[asyncio.Task, object] = {}  # the task handling each update in hand
        self._cut_off = False

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
        if self._cut_off:
            coroutine.close()
            log.warning("not handled, the bot is stopping: %s", describe(update))
            return
        task = asyncio.current_task()
        self._handling[task] = update
        try:
            await self._in_turn(update, coroutine)
        finally:
            del self._handling[task]

    async def _in_turn(self, update: object, coroutine) -> None:
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

    def cut_off(self) -> int:
        """Stop handling every update in hand, each logged (its answer may
        have gone out in part, or not at all), and refuse any that comes
        after; how many were cut off."""
        self._cut_off = True
        for task, update in list(self._handling.items()):
            log.warning("cut off, the bot is stopping: %s; its answer may not have been sent", describe(update))
            task.cancel()
        return len(self._handling)

    @property
    def chats_in_hand(self) -> int:
        """Chats with updates being handled or waiting: forgotten when done."""
        return len(self._turns)


def describe(update: object) -> str:
    """An update in a log line: its id and chat, not what it says."""
    if not isinstance(update, Update):
        return repr(update)
    chat = update.effective_chat.id if update.effective_chat else None
    return f"update {update.update_id}" + (f" in chat {chat}" if chat is not None else "")
