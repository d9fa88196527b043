"""Each chat waits for its own turn (OneChatAtATime): a chat's replies are
paced to one a second by flood control, inside the handler, and that wait
must not hold the slots other chats need. One person sending twenty
messages at once used to delay everyone else by seconds."""

from __future__ import annotations

import asyncio
import time

import pytest

from telegram import Update

from bot.telegram.updates import OneChatAtATime, UpdatesInHand
from fake_botapi import FakeBotAPI
from telegram_harness import idle, running_bot
from telegram_html import validate_telegram_html, visible_text

BURST = 20


@pytest.mark.asyncio
async def test_one_persons_burst_does_not_delay_another_chat(engine, tmp_path):
    with FakeBotAPI() as api:
        async with running_bot(api, engine, tmp_path) as application:  # flood control on: 1 message/s per chat
            await api.await_calls("getUpdates", 1)
            for number in range(BURST):
                api.push_message(f"/who 马新强 {number}" if number % 2 else "/city 武汉", user_id=777)
            pushed = time.monotonic()
            api.push_message("/who 罗卫东", user_id=12345)
            private = (await api.await_for(lambda: api.sent_messages(12345), timeout=30))[0]
            await api.await_for(lambda: len(api.sent_messages(777)) >= BURST and idle(application), timeout=60)
    assert private.time - pushed < 1.0, f"the other chat's answer took {private.time - pushed:.1f} s"
    assert "罗卫东" in visible_text(private.text)
    assert BURST == len(api.sent_messages(777))  # the burst is answered in full, paced
    assert [] == [problem for m in api.sent_messages() for problem in validate_telegram_html(m.text)]


@pytest.mark.asyncio
async def test_a_chats_questions_are_answered_in_the_order_asked(engine, tmp_path):
    questions = ["/who 马新强", "/city 成都", "/topic 人工智能", "/who 罗卫东", "/city 上海"]
    expected = ["马新强", "成都", "人工智能", "罗卫东", "上海"]
    with FakeBotAPI() as api:
        async with running_bot(api, engine, tmp_path, flood_control=False) as application:
            await api.await_calls("getUpdates", 1)
            for question in questions:
                api.push_message(question, user_id=4321)
            await api.await_for(lambda: len(api.sent_messages(4321)) == len(questions) and idle(application), timeout=30)
    firsts = [visible_text(m.text).splitlines()[0] for m in api.sent_messages(4321)]
    assert expected == [next(name for name in expected if name in line) for line in firsts]


def private_update(number: int, chat_id: int) -> Update:
    return Update.de_json(
        {"update_id": number, "message": {"message_id": number, "date": 0, "chat": {"id": chat_id, "type": "private"}, "text": "x"}}, None
    )


@pytest.mark.asyncio
async def test_a_chat_waits_its_turn_work_is_bounded_and_turns_are_forgotten():
    processor = OneChatAtATime(working=2)
    running: dict[int, int] = {}
    most = {"all": 0, "per chat": 0}

    async def work(chat_id: int) -> None:
        running[chat_id] = running.get(chat_id, 0) + 1
        most["all"] = max(most["all"], sum(running.values()))
        most["per chat"] = max(most["per chat"], running[chat_id])
        await asyncio.sleep(0.01)
        running[chat_id] -= 1

    updates = [(private_update(n, 100 + n % 3), 100 + n % 3) for n in range(12)]
    await asyncio.gather(*(processor.do_process_update(update, work(chat_id)) for update, chat_id in updates))
    assert {"all": 2, "per chat": 1} == most  # two chats at a time, one update of a chat at a time
    assert 0 == processor.chats_in_hand


@pytest.mark.asyncio
async def test_no_more_updates_are_taken_than_there_is_room_for():
    """UpdatesInHand: a put waits while `limit` updates are in hand (put and
    not yet done with), so polling stops fetching a backlog into memory."""
    queue = UpdatesInHand(limit=3)
    for number in range(3):
        await queue.put(number)
    fourth = asyncio.create_task(queue.put(3))
    await asyncio.sleep(0.05)
    assert not fourth.done()  # three in hand: no room
    assert 0 == await queue.get()  # taken off the queue, but still in hand
    await asyncio.sleep(0.05)
    assert not fourth.done()
    queue.task_done()  # done with it: room for one more
    await asyncio.wait_for(fourth, 1)
    assert [1, 2, 3] == [queue.get_nowait() for _ in range(3)]


def test_the_bot_takes_updates_through_a_queue_with_room_for_a_bounded_number(engine, tmp_path):
    from bot.telegram.app import build_application
    from bot.telegram.updates import QUEUED_UPDATES
    from telegram_harness import bot_settings

    application = build_application(bot_settings(None, tmp_path), engine, persistence=False)
    assert isinstance(application.update_queue, UpdatesInHand)
    assert application.update_queue is application.updater.update_queue
    assert QUEUED_UPDATES == application.update_queue._room._value
