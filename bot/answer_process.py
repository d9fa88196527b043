"""The bot's answers, worked out in a child process beside the event loop.

The Telegram bot spends most of its CPU on HTTP and on python-telegram-bot's
objects; the engine and the rendering of its answers are the rest (0.3-0.5
ms for a new question, a few ms at worst on a large store). In one process
they take turns on one CPU, so every answer delays every other update. The
answer process gives them a CPU of their own: the event loop only sends the
message down a socket and reads the reply back (about 0.1 ms of its CPU),
and it never waits on a slow query.

Nothing is lost when the process is not there. Until it is ready, after it
exits, or when it does not answer in time (it is then stopped), the same
answer is worked out in this process, and a new answer process is started
a little later. Its replies are the engine's, rendered as Telegram shows
them (bot.render), from the same store file: the child opens it read-only
and picks up a rebuilt store as the engine always does.

It imports nothing from telegram; bot.telegram_app turns the button rows
into a keyboard.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import pickle
import signal
import socket
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, NamedTuple

from .answer import Answer
from .engine import MAX_MESSAGE, Engine
from .errors import StoreError
from .render import ButtonRows, button_rows, to_html_messages

log = logging.getLogger(__name__)

ANSWER_TIMEOUT = 5.0  # seconds: an answer takes milliseconds; a process this late is stuck
START_TIMEOUT = 60.0  # seconds for the child to start and open the store
RESTART_AFTER = 5.0  # seconds between a lost answer process and the next start
# Requests in the pipe at once. Each is at most a few kilobytes (the engine
# reads MAX_MESSAGE characters), so together they always fit in the socket's
# buffer: a write never blocks while the child is busy writing a reply.
IN_FLIGHT = 16
READY = 0  # the request id of the child's first message: the store is open
PACKAGE_ROOT = Path(__file__).resolve().parent.parent  # where ``python -m bot.answer_process`` finds the package


class Rendered(NamedTuple):
    """An answer as Telegram shows it, and all the bot needs to know of it
    besides: the whole Answer would take three times as long to read back."""

    intent: str
    subject: str | None
    parts: tuple[str, ...]  # Telegram HTML messages
    rows: ButtonRows


def telegram_reply(engine: Engine, text: str, lang: str) -> Rendered:
    """The answer to a message, rendered for Telegram."""
    answer = engine.answer(text, lang)
    return Rendered(answer.intent, answer.subject, tuple(to_html_messages(answer, lang)), button_rows(answer, lang, engine.button_data))


# What the child does, by name: a request names one of these and its
# arguments, and it is called with the child's engine first.
JOBS: dict[str, Callable[..., Any]] = {"reply": telegram_reply, "share": Engine.share}


class AnswerProcessGone(Exception):
    """The answer process exited, or was stopped, before it answered."""


class AnswerFailed(Exception):
    """The answer process raised while answering; the message is its traceback."""


def _serve(db_path: str, connection) -> None:
    """The child: open the store, then answer requests until the pipe closes.

    It ignores SIGINT and SIGTERM, which a terminal or systemd sends to the
    whole process group: the bot stops first and closes the pipe, and the
    child ends then, after the answers in hand, as it does when the bot is
    killed outright."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        engine = Engine(db_path)
    except StoreError as error:
        connection.send_bytes(pickle.dumps((READY, False, str(error))))
        return
    connection.send_bytes(pickle.dumps((READY, True, None)))
    while True:
        try:
            request_id, job, args = pickle.loads(connection.recv_bytes())
        except (EOFError, OSError):
            return
        try:
            response = pickle.dumps((request_id, True, JOBS[job](engine, *args)), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # reported to the bot, which logs it and tells the user
            response = pickle.dumps((request_id, False, traceback.format_exc()))
        connection.send_bytes(response)


class AnswerProcess:
    """One child process answering requests over a pipe. The event loop reads
    replies as they arrive (add_reader), so a request costs no thread."""

    def __init__(self, db_path: Path, timeout: float = ANSWER_TIMEOUT):
        self.db_path = db_path
        self.timeout = timeout
        self.process: subprocess.Popen | None = None
        self._connection = None
        self._pending: dict[int, tuple[asyncio.Future, asyncio.TimerHandle | None]] = {}
        self._ids = itertools.count(READY + 1)
        self._room = asyncio.Semaphore(IN_FLIGHT)
        self._loop: asyncio.AbstractEventLoop | None = None
        self.gone = False
        self.reason = ""

    async def start(self, timeout: float = START_TIMEOUT) -> None:
        """Start the child and wait until it has opened the store. Raises
        AnswerProcessGone when it cannot (the reason is in the message)."""
        self._loop = asyncio.get_running_loop()
        # A new interpreter (no fork of a process with an event loop and
        # sockets) that imports only the engine: multiprocessing's spawn
        # would import the bot's whole __main__ again (telegram and all).
        ours, theirs = socket.socketpair()
        with theirs:
            try:
                self.process = subprocess.Popen(
                    [sys.executable, "-m", "bot.answer_process", str(self.db_path.resolve()), str(theirs.fileno())],
                    cwd=PACKAGE_ROOT,
                    pass_fds=[theirs.fileno()],
                    stdin=subprocess.DEVNULL,
                )
            except OSError as error:  # out of processes or file descriptors
                ours.close()
                self.gone, self.reason = True, f"it could not be started ({error})"
                raise AnswerProcessGone(f"the answer process could not be started: {error}") from None
        self._connection = Connection(ours.detach())
        ready = self._loop.create_future()
        self._pending[READY] = (ready, None)
        self._loop.add_reader(self._connection.fileno(), self._readable)
        try:
            await asyncio.wait_for(ready, timeout)
        except asyncio.TimeoutError:
            self._lose(f"it did not open the store within {timeout:.0f} s")
            raise AnswerProcessGone(f"the answer process did not open the store within {timeout:.0f} s") from None
        except AnswerFailed as error:
            self._lose("it could not open the store")
            raise AnswerProcessGone(str(error)) from None
        except BaseException:  # cancelled: the bot is stopping while it starts
            self._lose("the bot stopped while it started")
            raise

    async def call(self, job: str, *args: Any) -> Any:
        """What JOBS[job](engine, *args) returns, worked out in the child."""
        async with self._room:
            if self.gone or self._connection is None:
                raise AnswerProcessGone("the answer process is not running")
            request_id = next(self._ids)
            future = self._loop.create_future()
            timer = self._loop.call_later(self.timeout, self._late, request_id)
            self._pending[request_id] = (future, timer)
            try:
                self._connection.send_bytes(pickle.dumps((request_id, job, args), protocol=pickle.HIGHEST_PROTOCOL))
            except OSError:
                self._lose("its pipe is closed")
            return await future

    def _readable(self) -> None:
        try:
            data = self._connection.recv_bytes()
        except (EOFError, OSError):
            code = self.process.poll() if self.process else None
            self._lose("it exited" + (f" with code {code}" if code is not None else ""))
            return
        try:
            request_id, ok, payload = pickle.loads(data)
        except Exception as error:  # not a reply this bot can read: no request can be matched to it
            self._lose(f"its reply could not be read ({type(error).__name__}: {error})")
            return
        future, timer = self._pending.pop(request_id, (None, None))
        if timer:
            timer.cancel()
        if future is None or future.done():
            return
        if ok:
            future.set_result(payload)
        else:
            future.set_exception(AnswerFailed(payload))

    def _late(self, request_id: int) -> None:
        if request_id in self._pending:
            self._lose(f"it did not answer within {self.timeout:g} s, so it was stopped")

    def _lose(self, reason: str) -> None:
        """Stop using the child and kill it: every request waiting on it is
        answered elsewhere (AnswerProcessGone)."""
        if self._detach(reason) and self.process is not None and self.process.poll() is None:
            self.process.kill()  # it ignores SIGTERM

    def _detach(self, reason: str) -> bool:
        """Close the pipe and fail the requests waiting on it; False when done already."""
        if self.gone:
            return False
        self.gone = True
        self.reason = reason
        if self._connection is not None:
            self._loop.remove_reader(self._connection.fileno())
            self._connection.close()
        pending, self._pending = self._pending, {}
        for future, timer in pending.values():
            if timer:
                timer.cancel()
            if not future.done():
                future.set_exception(AnswerProcessGone(f"the answer process stopped answering: {reason}"))
        return True

    async def stop(self, grace: float = 2.0) -> None:
        """Close the pipe; the child ends when it reads the end of it (or is
        killed after ``grace`` seconds), and is waited for."""
        if self.process is None:
            return
        self._detach("the bot stopped")
        deadline = time.monotonic() + grace
        while self.process.poll() is None and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        if self.process.poll() is None:
            self.process.kill()
            await asyncio.to_thread(self.process.wait)


class Answering:
    """The bot's answers: from the answer process when it runs, else worked
    out here. ``epoch`` changes whenever the process that answers changes:
    a reply remembered from another one may carry button data (digests of
    long searches) that only that process knows."""

    def __init__(self, engine: Engine, use_process: bool, timeout: float = ANSWER_TIMEOUT, restart_after: float = RESTART_AFTER):
        self.engine = engine
        self.use_process = use_process
        self.timeout = timeout
        self.restart_after = restart_after
        self.epoch = 0
        self.process: AnswerProcess | None = None
        self.answered_here = 0  # answers worked out in this process while the answer process was wanted
        self._starting: asyncio.Task | None = None
        self._reaping: set[asyncio.Task] = set()  # waiting for lost processes to exit (held: the loop keeps only weak references)
        self._lost_at = -float("inf")
        self._stopped = False

    async def start(self) -> None:
        """Start the answer process, when one is wanted, and wait for it."""
        if self.use_process:
            await self._start_process()

    async def _start_process(self) -> None:
        process = AnswerProcess(self.engine.store.path, self.timeout)
        try:
            await process.start()
        except AnswerProcessGone as error:
            self._lost_at = time.monotonic()
            log.warning("no answer process (%s); answering in the bot's process", error)
            await process.stop()
            return
        if self._stopped:
            await process.stop()
            return
        self.process = process
        self.epoch += 1
        log.info("answer process %d is up", process.process.pid)

    def _running(self) -> AnswerProcess | None:
        """The answer process when it can take a request; otherwise, when one
        is wanted and none is starting, start one (in the background, not
        sooner than restart_after after the last was lost)."""
        process = self.process
        if process is not None and not process.gone:
            return process
        if self._stopped:
            return None
        if process is not None:
            log.warning("the answer process was lost (%s); answering in the bot's process meanwhile", process.reason)
            self.process = None
            self.epoch += 1
            self._lost_at = time.monotonic()
            reaping = asyncio.get_running_loop().create_task(process.stop())
            self._reaping.add(reaping)
            reaping.add_done_callback(self._reaping.discard)
        if (
            self.use_process
            and (self._starting is None or self._starting.done())
            and time.monotonic() - self._lost_at >= self.restart_after
        ):
            self._starting = asyncio.get_running_loop().create_task(self._start_process())
        return None

    async def _call(self, job: str, *args: Any) -> Any:
        process = self._running()
        if process is not None:
            try:
                return await process.call(job, *args)
            except AnswerProcessGone:
                self._running()  # note the loss now, so the next message does not try it again
        if self.use_process:
            self.answered_here += 1
        return JOBS[job](self.engine, *args)

    async def reply(self, text: str, lang: str) -> Rendered:
        """The answer to a message, rendered for Telegram."""
        # The engine reads this much of a message; cutting it here keeps each
        # request small (see IN_FLIGHT) and changes no answer.
        return await self._call("reply", text[:MAX_MESSAGE], lang)

    async def share(self, text: str, offset: int, limit: int) -> Answer:
        """Quotes to share from inline mode."""
        return await self._call("share", text, offset, limit)

    async def stop(self) -> None:
        self._stopped = True
        for task in [self._starting, *self._reaping]:
            if task is not None:
                await task
        if self.process is not None:
            await self.process.stop()
            self.process = None


def main(argv: list[str]) -> int:
    """``python -m bot.answer_process STORE FD``, as AnswerProcess starts it:
    answer over the socket inherited as FD."""
    db_path, descriptor = argv
    _serve(db_path, Connection(int(descriptor)))
    return 0


if __name__ == "__main__":
    # Run as bot.answer_process, not as __main__: what it sends back is
    # unpickled in the bot as bot.answer_process.Rendered.
    from bot.answer_process import main as serve

    sys.exit(serve(sys.argv[1:]))
