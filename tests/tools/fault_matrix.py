"""The Bot API fault matrix: what the bot does when Telegram misbehaves.

For each fault the stand-in can inject (429 with retry_after, 500/502/503, a
timeout, a dropped connection, a body that is not JSON) on each method that
matters (getUpdates: receiving; sendMessage: answering), the real
Application runs against the stand-in, the fault is injected, questions
arrive from chats of their own, and every reply is counted per chat: an
update with no reply is lost, one with two replies is doubled, with three
or more tripled. One more fault, "late", happens on every send: the
message is delivered and Telegram answers after the read timeout, so the
bot cannot know it arrived.

Timeouts are short (a 1 s read timeout, a 1 s long poll), so the whole
matrix takes seconds, not minutes. The second table runs ``python bot.py
run`` itself, with its own timeouts, and stops it with SIGTERM while
Telegram misbehaves: how the messages fared and how long the stop took.

    python tests/tools/fault_matrix.py        prints both as markdown tables

tests/test_reliability_faults.py runs the same cells and rows and asserts on them.
"""

from __future__ import annotations

import asyncio
import itertools
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
ROOT = TOOLS.parent.parent
for _path in (ROOT, TOOLS.parent):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from telegram.ext import Application  # noqa: E402

from bot.engine import Engine  # noqa: E402
from fake_botapi import FakeBotAPI  # noqa: E402
from telegram_harness import bot_env, idle, running_bot, start_bot  # noqa: E402

FAULTS = ("429", "500", "502", "503", "timeout", "drop", "malformed")
METHODS = ("getUpdates", "sendMessage")
QUESTION = "/who 马新强"  # answered in one message, so one reply per update
UPDATES_PER_CELL = 6
FAULTS_PER_CELL = 2  # two in a row: the retry of a retry must work too
RETRY_AFTER = 1  # seconds, as a 429 asks
POLL_TIMEOUT = 1  # the long poll, seconds
GET_UPDATES_READ_TIMEOUT = 0.5  # added to the long poll by python-telegram-bot
READ_TIMEOUT = 1.0  # every other request
# A "timeout" fault holds the request past the client's read timeout; so does
# "late", after delivering.
TIMEOUT_DELAY = {"getUpdates": POLL_TIMEOUT + GET_UPDATES_READ_TIMEOUT + 1.0, "sendMessage": READ_TIMEOUT + 0.5}
LATE = "late"
LATE_FAULTS = UPDATES_PER_CELL * 3  # every send of the cell, retries included
SETTLE_TIMEOUT = 30.0

_chat_ids = itertools.count(7_000_001)


@dataclass
class Cell:
    """One fault on one method, and what became of the updates."""

    method: str
    fault: str
    faults_served: int
    pushed: int
    answered: int  # distinct updates with a reply
    lost: int
    doubled: int  # two replies or more
    tripled: int  # three or more
    retry_gaps: list[float]  # seconds from each fault to the next attempt at the same request
    recovered_after: float | None  # seconds from the first fault to the request going through
    errors: int  # failures the bot's error handler saw
    seconds: float

    @property
    def retry_after(self) -> float | None:
        return float(RETRY_AFTER) if self.fault == "429" else None


def serving(api: FakeBotAPI, engine: Engine, state_dir: Path):
    """The bot as ``python bot.py run`` builds it (flood control included),
    with short timeouts, polling the stand-in."""
    return running_bot(
        api,
        engine,
        state_dir,
        flood_control=True,
        poll_timeout=POLL_TIMEOUT,
        get_updates_read_timeout=GET_UPDATES_READ_TIMEOUT,
        read_timeout=READ_TIMEOUT,
    )


async def settle(api: FakeBotAPI, application: Application, chats: list[int], served: int) -> None:
    """Wait until every chat has a reply, or the time is up, and the bot is idle."""
    deadline = time.monotonic() + SETTLE_TIMEOUT
    while time.monotonic() < deadline:
        answered = all(api.sent_messages(chat) for chat in chats)
        if answered and idle(application) and application.bot_data["services"].stats.served >= served:
            await asyncio.sleep(0.05)
            if idle(application):
                return
        await asyncio.sleep(0.02)


async def run_cell(api: FakeBotAPI, application: Application, method: str, fault: str | None) -> Cell:
    """Inject fault on method (None: no fault), push one question per chat,
    and count the replies per chat."""
    stats = application.bot_data["services"].stats
    errors_before, served_before = stats.errors, stats.served
    await api.await_calls("getUpdates", 1)
    faults_before = len(api.faults_served)
    started = time.monotonic()
    if fault is not None:
        api.inject(method, fault, LATE_FAULTS if fault == LATE else FAULTS_PER_CELL, retry_after=RETRY_AFTER, delay=TIMEOUT_DELAY[method])
        if method == "getUpdates":
            # The long poll in progress was sent before the fault: the questions
            # arrive once a faulted getUpdates has actually been answered.
            await api.await_for(lambda: len(api.faults_served) > faults_before, timeout=POLL_TIMEOUT + 5)
    chats = [next(_chat_ids) for _ in range(UPDATES_PER_CELL)]
    for chat in chats:
        api.push_message(QUESTION, user_id=chat)
    await settle(api, application, chats, served_before + len(chats))
    replies = [len([m for m in api.sent_messages(chat) if m.method == "sendMessage"]) for chat in chats]
    served = api.faults_served[faults_before:]
    return Cell(
        method=method,
        fault=fault or "none",
        faults_served=len(served),
        pushed=len(chats),
        answered=sum(1 for n in replies if n),
        lost=sum(1 for n in replies if n == 0),
        doubled=sum(1 for n in replies if n > 1),
        tripled=sum(1 for n in replies if n > 2),
        # A late send is not a failed attempt to time: it went through, and the bot could not tell.
        retry_gaps=[] if fault == LATE else _retry_gaps(api, served),
        recovered_after=_recovered_after(api, served[0]) if served and fault != LATE else None,
        errors=stats.errors - errors_before,
        seconds=time.monotonic() - started,
    )


def _same_request(first, params: dict) -> bool:
    """Another attempt at the request that met the fault: the next getUpdates,
    or a sendMessage to the same chat (each chat gets one question)."""
    return first.method != "sendMessage" or params.get("chat_id") == first.params.get("chat_id")


def _retry_gaps(api: FakeBotAPI, served: list) -> list[float]:
    if not served:
        return []
    method = served[0].method
    attempts = sorted(
        [(fault.time, fault.params) for fault in api.faults_served if fault.method == method]
        + [(call.time, call.params) for call in api.calls(method)],
        key=lambda attempt: attempt[0],
    )
    gaps = []
    for fault in served:
        later = next((when for when, params in attempts if when > fault.time and _same_request(fault, params)), None)
        if later is not None:
            gaps.append(later - fault.time)
    return gaps


def _recovered_after(api: FakeBotAPI, first) -> float | None:
    for call in api.calls(first.method):
        if call.time > first.time and _same_request(first, call.params):
            return call.time - first.time
    return None


async def measure_cell(engine: Engine, state_dir: Path, method: str, fault: str | None) -> Cell:
    """One cell against a stand-in and a bot of its own, so no fault leaks into another cell."""
    with FakeBotAPI() as api:
        async with serving(api, engine, state_dir) as application:
            return await run_cell(api, application, method, fault)


async def measure(engine: Engine, state_dir: Path, cells: list[tuple[str, str | None]]) -> list[Cell]:
    """Every cell at once: each waits mostly on timers, so together they take
    about as long as the slowest one."""
    return list(
        await asyncio.gather(*(measure_cell(engine, state_dir / f"cell-{n}", method, fault) for n, (method, fault) in enumerate(cells)))
    )


ALL_CELLS: list[tuple[str, str | None]] = (
    [("sendMessage", None)] + [(method, fault) for method in METHODS for fault in FAULTS] + [("sendMessage", LATE)]
)


def table(cells: list[Cell]) -> str:
    """The matrix as a markdown table, for the issue's closing note."""
    lines = [
        "| method | fault ×2 (late: every send) | faults served | updates pushed | answered | lost | doubled | tripled | retried after | went through after | handler errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|---|---:|",
    ]
    for cell in cells:
        retried = "—" if not cell.retry_gaps else " / ".join(f"{gap:.2f} s" for gap in cell.retry_gaps)
        if cell.retry_after is not None:
            retried += f" (asked {cell.retry_after:.0f} s)"
        recovered = "—" if cell.recovered_after is None else f"{cell.recovered_after:.2f} s"
        method = cell.method if cell.fault != "none" else "—"
        lines.append(
            f"| {method} | {cell.fault} | {cell.faults_served} | {cell.pushed} | {cell.answered} | {cell.lost} | {cell.doubled} | {cell.tripled}"
            f" | {retried} | {recovered} | {cell.errors} |"
        )
    return "\n".join(lines)


# Stopping while Telegram misbehaves ------------------------------------------------------------


@dataclass
class StopRow:
    """``python bot.py run`` stopped with SIGTERM while Telegram misbehaved."""

    fault: str
    pushed: int
    once: int  # chats whose question got exactly one reply
    lost: int
    doubled: int
    tripled: int
    seconds_to_stop: float  # from the signal to the process's exit
    exit_code: int
    cut_off: int  # updates the bot logged as cut off by the stop


# (what Telegram does, the fault injected on sendMessage, its count and
# parameters, and when the signal comes: "answered" once every reply has been
# delivered and answered, "in flight" once the questions have been fetched and
# their replies are being sent or held back).
STOP_ROWS = [
    ("every send answered 10 s late (the bot waits 15 s)", "late", LATE_FAULTS, {"delay": 10}, "answered"),
    ("every send answered 60 s late", "late", LATE_FAULTS, {"delay": 60}, "in flight"),
    ("a 429 asking for 60 s", "429", 1, {"retry_after": 60}, "in flight"),
]
STOP_UPDATES = 4


def measure_stop(seed_db: Path, state_dir: Path, row: tuple) -> StopRow:
    """One row: the bot as an operator runs it, against a stand-in of its own."""
    name, fault, times, parameters, signal_when = row
    chats = [next(_chat_ids) for _ in range(STOP_UPDATES)]
    state_dir.mkdir(parents=True, exist_ok=True)
    with FakeBotAPI() as api:
        process = start_bot(bot_env(state_dir, seed_db, TELEGRAM_BOT_TOKEN=api.token, TELEGRAM_BASE_URL=api.base_url))
        try:
            api.wait_for_calls("getUpdates", 1, timeout=90)
            api.inject("sendMessage", fault, times, **parameters)
            update_ids = [api.push_message(QUESTION, user_id=chat) for chat in chats]
            if signal_when == "answered":
                api.wait_for(lambda: all(api.sent_messages(chat) for chat in chats), timeout=60)
                time.sleep(parameters["delay"] + 1.0)  # the late answers have come back
            else:
                fetched = lambda: any(isinstance(c.result, list) and any(u["update_id"] == update_ids[-1] for u in c.result) for c in api.calls("getUpdates"))  # noqa: E731
                api.wait_for(lambda: api.faults_served and fetched(), timeout=60)
                time.sleep(1.0)  # the sends are under way
        finally:
            process.send_signal(signal.SIGTERM)
            signalled = time.monotonic()
            _, stderr = process.communicate(timeout=120)
            seconds = time.monotonic() - signalled
    replies = [len([m for m in api.sent_messages(chat) if m.method == "sendMessage"]) for chat in chats]
    return StopRow(
        fault=name,
        pushed=len(chats),
        once=sum(1 for n in replies if n == 1),
        lost=sum(1 for n in replies if n == 0),
        doubled=sum(1 for n in replies if n > 1),
        tripled=sum(1 for n in replies if n > 2),
        seconds_to_stop=seconds,
        exit_code=process.returncode,
        cut_off=stderr.count("cut off, the bot is stopping"),
    )


async def measure_stops(seed_db: Path, state_dir: Path, rows: list[tuple] = STOP_ROWS) -> list[StopRow]:
    """Every row at once, each a process of its own."""
    return list(await asyncio.gather(*(asyncio.to_thread(measure_stop, seed_db, state_dir / f"stop-{n}", row) for n, row in enumerate(rows))))


def stop_table(rows: list[StopRow]) -> str:
    lines = [
        "| Telegram, during a SIGTERM | updates | answered once | lost | doubled | tripled | cut off | seconds to stop | exit code |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row.fault} | {row.pushed} | {row.once} | {row.lost} | {row.doubled} | {row.tripled} | {row.cut_off}"
            f" | {row.seconds_to_stop:.1f} | {row.exit_code} |"
        )
    return "\n".join(lines)


def main() -> int:
    import logging

    from bot.ingest.build import build_store

    # The retries log warnings and tracebacks by design; the table is the output.
    logging.getLogger().addHandler(logging.NullHandler())

    with tempfile.TemporaryDirectory(prefix="fault-matrix-") as directory:
        state = Path(directory)
        db = state / "lianghui.db"
        build_store(ROOT / "seeds", db, progress=False)
        engine = Engine(db)
        started = time.monotonic()
        cells = asyncio.run(measure(engine, state, ALL_CELLS))
        engine.store.close()
        print(table(cells))
        print(f"\n{len(cells)} cells in {time.monotonic() - started:.1f} s; {UPDATES_PER_CELL} updates per cell, each from its own chat.\n")
        stops = asyncio.run(measure_stops(db, state))
        print(stop_table(stops))
        print(f"\n`python bot.py run` with its own timeouts; {STOP_UPDATES} updates per row, each from its own chat.")
    exactly_once = all(cell.lost == 0 and cell.doubled == 0 for cell in cells if cell.fault != LATE)
    at_most_twice = all(cell.tripled == 0 for cell in cells) and all(row.tripled == 0 for row in stops)
    return 0 if exactly_once and at_most_twice and all(row.seconds_to_stop < 10 and row.exit_code == 0 for row in stops) else 1


if __name__ == "__main__":
    sys.exit(main())
