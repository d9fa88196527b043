"""Bot API faults: 429s, 5xx, timeouts, dropped connections and bodies that
are not JSON, on receiving (getUpdates) and on answering (sendMessage).

The matrix (tests/tools/fault_matrix.py, also a script that prints it) runs the real
Application against the stand-in, one bot per cell; here every cell must show
each update answered exactly once, no handler error, and a 429 honoured.
FloodControl, which does the retrying on sends, is also tested on its own
with real coroutines, for what the matrix cannot show (giving up, not
retrying what Telegram refused, the pause a 429 imposes on everyone)."""

from __future__ import annotations

import asyncio
import datetime as dtm
import time

import pytest
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.telegram.limits import FloodControl
from bot.telegram.transport import AnswerLost, AnswerTimedOut
from fake_botapi import ApiError, FakeBotAPI
from tools.fault_matrix import (
    ALL_CELLS,
    FAULTS_PER_CELL,
    LATE,
    RETRY_AFTER,
    STOP_ROWS,
    STOP_UPDATES,
    UPDATES_PER_CELL,
    Cell,
    measure,
    measure_stops,
    serving,
    stop_table,
    table,
)
from telegram_harness import idle
from telegram_html import visible_text

# python-telegram-bot warns about its own RetryAfter whenever it builds one.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


@pytest.fixture(scope="module")
def matrix(engine, tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Cell]:
    """Every cell, measured once (they run side by side: about ten seconds)."""
    cells = asyncio.run(measure(engine, tmp_path_factory.mktemp("fault-matrix"), ALL_CELLS))
    return {(cell.method, cell.fault): cell for cell in cells}


@pytest.fixture(scope="module")
def stops(seed_db, tmp_path_factory: pytest.TempPathFactory):
    """Each stop row, ``python bot.py run`` of its own (side by side: about twenty seconds)."""
    return {row.fault: row for row in asyncio.run(measure_stops(seed_db, tmp_path_factory.mktemp("stops")))}


@pytest.mark.parametrize(("method", "fault"), [(m, f or "none") for m, f in ALL_CELLS if f != LATE])
def test_every_update_is_answered_exactly_once(matrix, method, fault):
    cell = matrix[(method, fault)]
    context = table([cell])
    assert (UPDATES_PER_CELL, 0, 0) == (cell.answered, cell.lost, cell.doubled), context
    assert 0 == cell.errors, context
    assert (0 if fault == "none" else FAULTS_PER_CELL) == cell.faults_served, context
    if fault != "none":
        # Each failed attempt was followed by another one at the same request.
        assert FAULTS_PER_CELL == len(cell.retry_gaps), context


@pytest.mark.parametrize("method", ["getUpdates", "sendMessage"])
def test_a_429_is_waited_out_as_told(matrix, method):
    cell = matrix[(method, "429")]
    assert all(gap >= RETRY_AFTER for gap in cell.retry_gaps), table([cell])


def test_the_matrix_prints_as_a_markdown_table(matrix):
    lines = table(list(matrix.values())).splitlines()
    assert 2 + len(ALL_CELLS) == len(lines)
    assert lines[0].startswith("| method | fault ×2")
    assert "| sendMessage | 429 | 2 | 6 | 6 | 0 | 0 | 0 |" in "\n".join(lines)


def test_a_message_telegram_delivers_and_answers_late_goes_out_at_most_twice(matrix):
    """Every send delivered, and answered after the read timeout: the bot
    cannot know, and sends each once more, never a third time. Before: up to
    five times (a retry per attempt), and "something went wrong" after."""
    cell = matrix[("sendMessage", LATE)]
    assert (UPDATES_PER_CELL, 0, 0) == (cell.answered, cell.lost, cell.tripled), table([cell])
    assert 0 == cell.errors, table([cell])


def test_a_stop_takes_less_than_10_s_whatever_telegram_does(stops):
    """Before: 62 s with sends answered late, 38 s under a 429."""
    context = stop_table(list(stops.values()))
    assert [] == [row.fault for row in stops.values() if not (row.seconds_to_stop < 10 and row.exit_code == 0)], context
    assert [] == [row.fault for row in stops.values() if row.tripled or row.doubled], context


def test_a_slow_telegram_within_the_read_timeout_gets_each_message_once(stops):
    """Answered after 10 s, past the 5 s the bot used to wait: each went out 2-4 times."""
    (late,) = [row for name, row in stops.items() if "10 s late" in name]
    assert (STOP_UPDATES, 0) == (late.once, late.cut_off), stop_table([late])


def test_sends_still_waiting_at_the_stop_are_cut_off_and_logged(stops):
    (late, pause) = [stops[row[0]] for row in STOP_ROWS[1:]]
    assert (STOP_UPDATES, 0, STOP_UPDATES) == (late.once, late.lost, late.cut_off), stop_table([late])
    # Held back by the 429: cut off before they were sent, each logged.
    assert pause.lost == pause.cut_off >= 1, stop_table([pause])


# FloodControl on its own ----------------------------------------------------------


class Flaky:
    """A request that fails with the given errors, in order, then succeeds;
    it records when each attempt was made."""

    def __init__(self, *errors: TelegramError):
        self.errors = list(errors)
        self.attempts: list[float] = []

    async def __call__(self) -> str:
        self.attempts.append(time.monotonic())
        if self.errors:
            raise self.errors.pop(0)
        return "sent"


def flood_control(retries: int = 4) -> FloodControl:
    return FloodControl(overall_per_second=0, chat_per_second=0, retries=retries, backoff=0.01)


async def send(control: FloodControl, request: Flaky, chat_id: int = 1) -> str:
    return await control.process_request(request, (), {}, "sendMessage", {"chat_id": chat_id}, None)


@pytest.mark.asyncio
async def test_transient_failures_are_retried_until_the_request_goes_through():
    request = Flaky(NetworkError("Bad Gateway"), TimedOut(), TelegramError("Invalid server response"), NetworkError("httpx.RemoteProtocolError"))
    assert "sent" == await send(flood_control(), request)
    assert 5 == len(request.attempts)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "refusal",
    [
        BadRequest("Bad Request: message is not modified"),
        BadRequest("Bad Request: can't parse entities"),
        Forbidden("Forbidden: bot was blocked by the user"),
        InvalidToken("Unauthorized"),
    ],
    ids=["not-modified", "bad-html", "blocked", "unauthorized"],
)
async def test_what_telegram_refused_is_not_sent_again(refusal):
    # BadRequest subclasses NetworkError: retrying it cost 7.5 s of backoff
    # before the handler could see "message is not modified".
    request = Flaky(refusal)
    with pytest.raises(type(refusal)):
        await send(flood_control(), request)
    assert 1 == len(request.attempts)


@pytest.mark.asyncio
@pytest.mark.parametrize("unanswered", [AnswerTimedOut(), AnswerLost("httpx.RemoteProtocolError")], ids=["read-timeout", "connection-closed"])
async def test_a_request_that_went_out_unanswered_is_sent_once_more_at_most(unanswered):
    """Telegram may have carried it out: a second attempt, never a third."""
    twice = Flaky(unanswered, unanswered, unanswered)
    with pytest.raises(type(unanswered)):
        await send(flood_control(), twice)
    assert 2 == len(twice.attempts)
    once = Flaky(unanswered)
    assert "sent" == await send(flood_control(), once)
    # Failures that never reached Telegram do not count: it is still sent once more after them.
    mixed = Flaky(unanswered, TimedOut(), NetworkError("Bad Gateway"), unanswered)
    with pytest.raises(type(unanswered)):
        await send(flood_control(), mixed)
    assert 4 == len(mixed.attempts)


@pytest.mark.asyncio
async def test_a_failure_that_persists_is_given_up_after_the_retries():
    request = Flaky(*[NetworkError("Service Unavailable")] * 10)
    with pytest.raises(NetworkError):
        await send(flood_control(retries=3), request)
    assert 4 == len(request.attempts)


@pytest.mark.asyncio
async def test_a_429_pauses_every_request_for_the_time_given():
    control = flood_control()
    limited = Flaky(RetryAfter(dtm.timedelta(seconds=0.4)))
    first = asyncio.create_task(send(control, limited, chat_id=1))
    await asyncio.sleep(0.05)  # the 429 has been received: the pause is on
    other = Flaky()
    assert "sent" == await send(control, other, chat_id=2)
    assert "sent" == await first
    assert limited.attempts[1] - limited.attempts[0] >= 0.4
    # A request for another chat, made during the pause, waited for it too.
    assert other.attempts[0] - limited.attempts[0] >= 0.4


@pytest.mark.asyncio
async def test_of_two_429s_at_once_the_longer_wait_holds():
    control = flood_control()
    longer, shorter = Flaky(RetryAfter(dtm.timedelta(seconds=0.5))), Flaky(RetryAfter(dtm.timedelta(seconds=0.1)))
    both = asyncio.gather(send(control, longer, chat_id=1), send(control, shorter, chat_id=2))
    await asyncio.sleep(0.05)
    later = Flaky()
    await send(control, later, chat_id=3)
    await both
    assert later.attempts[0] - longer.attempts[0] >= 0.5
    assert shorter.attempts[1] - longer.attempts[0] >= 0.5


# Through the real application -------------------------------------------------------


@pytest.fixture
def api():
    with FakeBotAPI() as server:
        yield server


def failed_edits(api: FakeBotAPI) -> list:
    return [call for call in api.calls("editMessageText") if call.error]


@pytest.mark.asyncio
async def test_pressing_the_same_page_button_twice_is_not_an_error(api, engine, tmp_path):
    """The second edit is refused as "message is not modified": the handler
    expects that, so it must reach the handler at once, not after retries."""
    async with serving(api, engine, tmp_path) as application:
        api.push_message("/who 罗卫东", user_id=31)
        first = (await api.await_for(lambda: api.sent_messages(31)))[0]
        more = next(b["callback_data"] for row in first.reply_markup["inline_keyboard"] for b in row if b["callback_data"].startswith("/more "))
        api.push_callback_query(more, message=first.message, user_id=31)
        await api.await_for(lambda: [m for m in api.sent_messages(31) if m.method == "editMessageText"])
        started = time.monotonic()
        api.push_callback_query(more, message=first.message, user_id=31)
        await api.await_for(lambda: len(api.calls("answerCallbackQuery")) >= 2)
        await api.await_for(lambda: idle(application))
        seconds = time.monotonic() - started
        errors = application.bot_data["services"].stats.errors
    assert 1 == len(failed_edits(api))
    assert "not modified" in failed_edits(api)[0].error
    assert 0 == errors
    assert seconds < 1.0


@pytest.mark.asyncio
async def test_a_button_press_too_old_to_acknowledge_is_still_answered(api, engine, tmp_path):
    """Telegram refuses to acknowledge a press older than about 15 minutes
    (a bot that was down); the press still gets its answer."""

    def too_old(params: dict) -> bool:
        raise ApiError(400, "Bad Request: query is too old and response timeout expired or query id is invalid")

    api.register_method("answerCallbackQuery", too_old)
    message = {"message_id": 1, "date": 0, "chat": {"id": 32, "type": "private"}, "from": api.bot_user, "text": "earlier answer"}
    async with serving(api, engine, tmp_path) as application:
        api.push_callback_query("/who 马新强", message=message, user_id=32)
        reply = (await api.await_for(lambda: api.sent_messages(32)))[0]
        await api.await_for(lambda: idle(application))
        errors = application.bot_data["services"].stats.errors
    assert "马新强" in visible_text(reply.text)
    assert 1 == len(api.calls("answerCallbackQuery"))
    assert 0 == errors


@pytest.mark.asyncio
async def test_the_bot_keeps_serving_after_a_storm_of_faults_on_every_method(api, engine, tmp_path):
    async with serving(api, engine, tmp_path) as application:
        await api.await_calls("getUpdates", 1)
        for fault in ("500", "drop", "malformed"):
            api.inject("*", fault, 1)
        api.push_message("/city 成都", user_id=33)
        reply = (await api.await_for(lambda: api.sent_messages(33), timeout=15))[0]
        await api.await_for(lambda: idle(application))
        errors = application.bot_data["services"].stats.errors
    assert 3 == len(api.faults_served)
    assert "耿福能" in visible_text(reply.text)
    assert 1 == len(api.sent_messages(33))
    assert 0 == errors

