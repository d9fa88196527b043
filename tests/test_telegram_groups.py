"""A busy group: at most GROUP_PER_MINUTE messages a minute go to it
(Telegram's limit), counted per message sent, split parts included. Past
that the bot does not answer there, at once, rather than wait for the
group's budget inside a handler: waiting held the handler slots every other
chat needs (40 mentions in one group delayed a private answer by 15 s)."""

from __future__ import annotations

import time

import pytest

from bot.telegram.limits import GROUP_PER_MINUTE, SlidingWindow
from fake_botapi import FakeBotAPI, SentMessage
from telegram_harness import idle, running_bot
from telegram_html import validate_telegram_html, visible_text

GROUP = -1001000000777
MENTION = "@lianghui_test_bot 马新强"  # answered in one message


def html_problems(sent: list[SentMessage]) -> list[str]:
    return [f"{m.text[:40]!r}: {problem}" for m in sent for problem in validate_telegram_html(m.text)]


# The budget on its own ----------------------------------------------------------------------


def test_the_window_admits_its_limit_then_says_how_long_to_wait():
    window = SlidingWindow(20, 60.0)
    assert [0.0] * 20 == [window.take(GROUP, 1, now=100.0 + n) for n in range(20)]
    assert 41.0 == window.take(GROUP, 1, now=119.0)  # the first of the 20 expires at 160
    assert 0.0 == window.take(-1002, 1, now=119.0)  # another group has its own budget
    assert 0.0 == window.take(GROUP, 1, now=160.0)


def test_a_split_answer_is_counted_whole_and_refused_whole():
    window = SlidingWindow(20, 60.0)
    assert 0.0 == window.take(GROUP, 18, now=0.0)
    assert window.take(GROUP, 3, now=1.0) > 0  # two left: a three-part answer does not go out in part
    assert 0.0 == window.take(GROUP, 2, now=1.0)  # and took nothing, so a two-part one still fits
    assert window.take(GROUP, 1, now=2.0) > 0
    assert 60.0 == SlidingWindow(20, 60.0).take(GROUP, 21, now=0.0)  # more than a minute's worth never fits


def test_the_window_tracks_a_bounded_number_of_groups():
    window = SlidingWindow(20, 60.0, bound=100)
    for group in range(1000):
        window.take(-group, 1, now=0.0)
    assert 100 == len(window)


# Through the bot ----------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_a_flood_in_one_group_does_not_delay_a_private_answer(engine, tmp_path):
    with FakeBotAPI() as api:
        async with running_bot(api, engine, tmp_path) as application:  # flood control on, as in production
            await api.await_calls("getUpdates", 1)
            for number in range(2 * GROUP_PER_MINUTE):
                api.push_message(MENTION, user_id=9000 + number, chat_id=GROUP, chat_type="supergroup")
            pushed = time.monotonic()
            api.push_message("/who 罗卫东", user_id=12345)
            private = (await api.await_for(lambda: api.sent_messages(12345), timeout=30))[0]
            stats = application.bot_data["services"].stats
            await api.await_for(lambda: stats.served >= 2 * GROUP_PER_MINUTE + 1 and idle(application), timeout=30)
            to_group = api.sent_messages(GROUP)
    assert private.time - pushed < 1.0, f"the private answer took {private.time - pushed:.1f} s"
    assert "罗卫东" in visible_text(private.text)
    assert GROUP_PER_MINUTE == len(to_group)  # the first 20 mentions answered, one message each
    assert GROUP_PER_MINUTE == stats.rate_limited  # the other 20 not, and counted for /stats
    assert all("马新强" in visible_text(m.text) for m in to_group)
    assert [] == html_problems(api.sent_messages())


@pytest.mark.asyncio
async def test_a_group_over_its_budget_gets_no_answer_and_a_button_gets_a_polite_toast(engine, tmp_path):
    with FakeBotAPI() as api:
        async with running_bot(api, engine, tmp_path) as application:
            shared = application.bot_data["services"]
            api.push_message(MENTION, chat_id=GROUP, chat_type="supergroup")
            first = (await api.await_for(lambda: api.sent_messages(GROUP)))[0]
            assert 0.0 == shared.group_budget.take(GROUP, GROUP_PER_MINUTE - 1)  # the rest of this minute's budget, spent
            more = next(b["callback_data"] for row in first.reply_markup["inline_keyboard"] for b in row if b["callback_data"].startswith("/more "))
            api.push_callback_query(more, message=first.message)
            api.push_message(MENTION, user_id=9001, chat_id=GROUP, chat_type="supergroup")
            api.push_message("/city@lianghui_test_bot 武汉", user_id=9002, chat_id=GROUP, chat_type="supergroup")
            toast = (await api.await_for(lambda: api.calls("answerCallbackQuery")))[0]
            await api.await_for(lambda: shared.stats.rate_limited >= 3 and idle(application))
            api.push_message("/who 马新强", user_id=12346)
            private = (await api.await_for(lambda: api.sent_messages(12346)))[0]
    assert [first] == api.sent_messages(GROUP)  # no answer, no edit
    assert toast.params.get("text", "").startswith("消息太多了，请 ")
    assert "马新强" in visible_text(private.text)  # private chats have no such budget
    assert [] == html_problems(api.sent_messages())
