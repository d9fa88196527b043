"""How updates wait and in which order they are handled.

python-telegram-bot takes every update it fetches into memory at once and
handles up to N at a time in any order; it has no per-chat ordering and no
bound on what it holds. These two pieces add both.
"""

from __future__ import annotations

import asyncio

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
