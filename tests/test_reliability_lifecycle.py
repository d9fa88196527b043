"""Lifecycle: `python bot.py run` stopped with SIGTERM (or Ctrl-C) answers
the updates it has taken, confirms them to Telegram and exits 0; started
again, it does not answer them a second time.

The bot runs as a subprocess against the local Bot API stand-in. To have
answers genuinely in flight when the signal arrives, Telegram asks the bot
to wait (a 429 on sendMessage) just before the questions come in."""

from __future__ import annotations

import signal

import pytest

from fake_botapi import FakeBotAPI
from telegram_harness import bot_env, start_bot, stop_bot

QUESTIONS = {1101: "/who 马新强", 1102: "/city 武汉", 1103: "/topic 人工智能", 1104: "谁提到了DeepSeek", 1105: "/who 罗卫东"}


def fetched(api: FakeBotAPI, update_id: int) -> bool:
    """The bot has received this update (a getUpdates answer held it)."""
    return any(isinstance(call.result, list) and any(u["update_id"] == update_id for u in call.result) for call in api.calls("getUpdates"))


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stop_signal_finishes_the_updates_in_flight_and_a_restart_does_not_repeat_them(tmp_path, seed_db, sig):
    with FakeBotAPI() as api:
        first = start_bot(bot_env(tmp_path, seed_db, TELEGRAM_BOT_TOKEN=api.token, TELEGRAM_BASE_URL=api.base_url))
        try:
            api.wait_for_calls("getUpdates", 1, timeout=60)
            api.inject("sendMessage", "429", 1, retry_after=2)
            update_ids = [api.push_message(text, user_id=chat) for chat, text in QUESTIONS.items()]
            api.wait_for(lambda: api.faults_served and fetched(api, update_ids[-1]), timeout=30)
            in_flight = [chat for chat in QUESTIONS if not api.sent_messages(chat)]
        finally:
            stderr = stop_bot(first, sig)
        answered_before_restart = {chat: len(api.sent_messages(chat)) for chat in QUESTIONS}
        last_poll = api.calls("getUpdates")[-1]
        pending_after_stop = api.pending_updates()

        second = start_bot(bot_env(tmp_path, seed_db, TELEGRAM_BOT_TOKEN=api.token, TELEGRAM_BASE_URL=api.base_url))
        try:
            api.wait_for(lambda: len(api.calls("getMe")) >= 4, timeout=60)  # two at each start: the token check, then the bot's own
            api.push_message("/city 成都", user_id=1199)
            api.wait_for(lambda: api.sent_messages(1199), timeout=30)
        finally:
            stderr_second = stop_bot(second)
        answered_after_restart = {chat: len(api.sent_messages(chat)) for chat in QUESTIONS}

    assert (0, 0) == (first.returncode, second.returncode), stderr[-2000:] + stderr_second[-2000:]
    # Answers were still waiting when the signal came (usually all five; one
    # sent in the instant before the 429 paused everything would not be).
    assert in_flight
    assert {chat: 1 for chat in QUESTIONS} == answered_before_restart
    assert update_ids[-1] + 1 == last_poll.params.get("offset")  # all of them confirmed on the way out
    assert [] == pending_after_stop
    assert answered_before_restart == answered_after_restart
    assert "Traceback" not in stderr + stderr_second
