"""The answer process: a real child process, over a real pipe, answering
from the real seed store; and what the bot does when it is not there."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import signal
import time

import pytest
import pytest_asyncio

from bot import answer as intents
from bot.answer_process import AnswerFailed, Answering, telegram_reply
from bot.engine import BUTTON_BYTES, Engine
from fake_botapi import FakeBotAPI
from telegram_harness import running_bot
from telegram_html import visible_text

pytestmark = pytest.mark.asyncio

MESSAGES = [
    "/who 马欣强", "Ma Xinqiang", "/city 江城", "/topic AI", "谁提到了DeepSeek？", "华工科技每年招聘多少硕博士",
    "/who 张三", "王代表", "/start", "/lang en", "/context 1", "/more p:1;o5", "", "x" * 5000,
]


@pytest_asyncio.fixture
async def answering(seed_db):
    """Answers from an answer process over the seed store, stopped after the test."""
    answering = Answering(Engine(seed_db), use_process=True, restart_after=0)
    await answering.start()
    assert answering.process is not None, "the answer process did not start"
    yield answering
    await answering.stop()


async def until(condition, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)
    return value


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_the_answer_process_answers_as_this_process_does(answering, lang):
    child = answering.process.process
    assert child.pid != os.getpid() and child.poll() is None
    for message in MESSAGES:
        assert telegram_reply(answering.engine, message, lang) == await answering.reply(message, lang), message
    assert 0 == answering.answered_here


async def test_inline_quotes_come_from_the_answer_process_too(answering):
    shared = await answering.share("马新强", 0, 50)
    assert answering.engine.share("马新强", 0, 50) == shared
    assert shared.items and all(item.speaker == "马新强" for item in shared.items)
    assert 0 == answering.answered_here


async def test_a_long_search_pages_on_in_the_process_that_made_its_button(answering):
    """A More button too long for 64 bytes carries a digest that only the
    process that made it knows: pressed, the same process turns the page."""
    message = "马新强 王行环 丁光宏 武汉 创新 产业"
    first_page = answering.engine.answer(message)
    rows = (await answering.reply(message, "zh")).rows
    more = next(data for row in rows for label, data in row if data.startswith("/more "))
    assert len(more.encode("utf-8")) <= BUTTON_BYTES < len(first_page.next.encode("utf-8"))
    following = await answering.reply(more, "zh")
    shown = first_page.offset + len(first_page.items)
    assert f"第 {shown + 1}–" in following.parts[-1] and f"共 {first_page.total} 条" in following.parts[-1]
    # This process's engine never made that digest: for it, the button is stale.
    assert intents.EXPIRED == answering.engine.answer(more).intent


async def test_requests_in_flight_when_the_process_dies_are_answered_here(answering):
    child = answering.process.process
    epoch = answering.epoch
    os.kill(child.pid, signal.SIGSTOP)  # holds the requests in the pipe
    waiting = [asyncio.create_task(answering.reply(message, "zh")) for message in ("/who 马新强", "/city 成都", "/topic 人才")]
    await asyncio.sleep(0.1)
    assert not any(task.done() for task in waiting)
    os.kill(child.pid, signal.SIGKILL)
    replies = await asyncio.gather(*waiting)
    assert [telegram_reply(answering.engine, message, "zh") for message in ("/who 马新强", "/city 成都", "/topic 人才")] == replies
    assert 3 == answering.answered_here
    # A new answer process takes over, and the replies of the old one are not reused.
    await answering.reply("/who 罗卫东", "zh")
    replacement = await until(lambda: answering.process if answering.process and not answering.process.gone else None)
    assert replacement.process.pid != child.pid
    assert epoch + 2 == answering.epoch  # lost, then replaced
    before = answering.answered_here
    assert telegram_reply(answering.engine, "/who 王行环", "zh") == await answering.reply("/who 王行环", "zh")
    assert before == answering.answered_here
    await until(lambda: child.returncode is not None)  # the dead one was waited for: no zombie


async def test_a_stuck_process_is_stopped_after_the_timeout_and_the_answer_comes_from_here(answering):
    answering.process.timeout = 0.3
    child = answering.process.process
    os.kill(child.pid, signal.SIGSTOP)
    started = time.monotonic()
    reply = await answering.reply("/who 马新强", "zh")
    waited = time.monotonic() - started
    assert telegram_reply(answering.engine, "/who 马新强", "zh") == reply
    assert 0.3 <= waited < 5
    assert 1 == answering.answered_here
    await until(lambda: child.returncode is not None)
    assert -signal.SIGKILL == child.returncode


async def test_a_failure_in_the_process_is_raised_here_with_its_traceback(answering):
    with pytest.raises(AnswerFailed, match="KeyError: 'no such job'"):
        await answering.process.call("no such job")
    reply = await answering.reply("/who 马新强", "zh")  # and it goes on answering
    assert telegram_reply(answering.engine, "/who 马新强", "zh") == reply and 0 == answering.answered_here


async def test_stopping_ends_the_process(seed_db):
    answering = Answering(Engine(seed_db), use_process=True)
    await answering.start()
    child = answering.process.process
    await answering.stop()
    assert 0 == child.returncode  # it read the end of the pipe and returned
    reply = await answering.reply("/who 马新强", "zh")  # after stop: worked out here, no new process
    assert reply.parts[0].startswith("<b>马新强</b>") and answering.process is None


async def test_without_a_usable_store_for_the_child_the_bot_answers_here(seed_db, tmp_path, caplog):
    db = tmp_path / "lianghui.db"
    shutil.copy(seed_db, db)
    engine = Engine(db)
    engine.answer("/who 马新强")  # this process has the store open
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"not a store")
    os.replace(broken, db)  # the child, starting now, finds this; this process keeps the old file open
    answering = Answering(engine, use_process=True, restart_after=3600)
    with caplog.at_level(logging.WARNING, logger="bot.answer_process"):
        await answering.start()
    try:
        assert answering.process is None
        assert any("no answer process" in record.getMessage() and "not a valid store" in record.getMessage() for record in caplog.records)
        reply = await answering.reply("/who 丁光宏", "zh")
        assert reply.parts[0].startswith("<b>丁光宏</b>") and 1 == answering.answered_here
    finally:
        await answering.stop()


async def test_off_means_answered_here_without_a_process(seed_db):
    answering = Answering(Engine(seed_db), use_process=False)
    await answering.start()
    reply = await answering.reply("/who 马新强", "zh")
    await answering.stop()
    assert (None, "person", 0) == (answering.process, reply.intent, answering.answered_here)


async def test_the_bot_keeps_answering_when_its_answer_process_is_killed(seed_db, tmp_path):
    """Through the real Application: the answer process killed between two
    questions, and again while one waits; every question is answered, no
    error, and a new answer process takes over."""
    engine = Engine(seed_db)
    with FakeBotAPI() as api:
        async with running_bot(api, engine, tmp_path, answer_process=True) as application:
            answering = application.bot_data["services"].answering
            answering.restart_after = 0
            first = answering.process.process
            api.push_message("/who 马新强", user_id=701)
            await api.await_for(lambda: api.sent_messages(701))
            os.kill(first.pid, signal.SIGKILL)
            await until(lambda: first.poll() is not None)
            api.push_message("/who 王行环", user_id=702)
            await api.await_for(lambda: api.sent_messages(702))
            second = await until(lambda: answering.process if answering.process and not answering.process.gone else None)
            os.kill(second.process.pid, signal.SIGSTOP)
            api.push_message("/city 成都", user_id=703)
            await asyncio.sleep(0.2)
            os.kill(second.process.pid, signal.SIGKILL)
            await api.await_for(lambda: api.sent_messages(703))
            third = await until(lambda: answering.process if answering.process and not answering.process.gone else None)
            api.push_message("/topic 人才", user_id=704)
            await api.await_for(lambda: api.sent_messages(704))
            stats = application.bot_data["services"].stats
            answered_here = answering.answered_here
    assert len({first.pid, second.process.pid, third.process.pid}) == 3
    replies = [visible_text(api.sent_messages(user)[0].text) for user in (701, 702, 703, 704)]
    assert ["马新强", "王行环", "成都", "人才"] == [reply[: len(name)] for reply, name in zip(replies, ["马新强", "王行环", "成都", "人才"])]
    assert 0 == stats.errors
    assert 2 == answered_here  # 王行环 (the loss found) and 成都 (waiting when it died); the others from a process
    assert 0 == third.process.returncode  # stopped with the bot
