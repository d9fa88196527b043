"""What Telegram can send or do that must neither stop nor fool the bot: an
update python-telegram-bot cannot read, a webhook update sent twice or a
body that is not JSON, a state file that cannot be written, another chat's
button, an edited message.

Each runs the real Application against the local Bot API stand-in; where the
production runner matters (signals, the webhook server, the exit code), as
``python bot.py run`` in a subprocess."""

from __future__ import annotations

import stat
import time

import httpx
import pytest
from telegram import Update

from bot.strings import t
from fake_botapi import FakeBotAPI
from telegram_harness import bot_env, free_port, idle, running_bot, start_bot, stop_bot
from telegram_html import visible_text
from test_reliability_secrets import wait_until_listening

# A message carrying a poll as a local Bot API server older than 9.6 sends it:
# its options have no persistent_id, which python-telegram-bot 22.8 requires.
OLD_POLL = {
    "id": "5001", "question": "午饭吃什么？", "total_voter_count": 0, "is_closed": False, "is_anonymous": True,
    "type": "regular", "allows_multiple_answers": False,
    "options": [{"text": "面", "voter_count": 0}, {"text": "饭", "voter_count": 0}],
}
LONG_SEARCH = "/search 创新 " + "q" * 60  # its More button carries a digest of the search words
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def poll_message(chat: int) -> dict:
    user = {"id": chat, "is_bot": False, "first_name": "Poller"}
    return {"message_id": 1, "date": int(time.time()), "chat": {"id": chat, "type": "private", "first_name": "Poller"}, "from": user, "poll": OLD_POLL}


def text_update(update_id: int, chat: int, text: str) -> dict:
    user = {"id": chat, "is_bot": False, "first_name": f"User{chat}"}
    message = {"message_id": update_id, "date": int(time.time()), "chat": {"id": chat, "type": "private", "first_name": user["first_name"]},
               "from": user, "text": text, "entities": FakeBotAPI.auto_entities(text)}
    return {"update_id": update_id, "message": message}


def test_the_old_poll_is_one_python_telegram_bot_cannot_read():
    with pytest.raises(TypeError, match="persistent_id"):
        Update.de_json({"update_id": 1, "message": poll_message(1)}, None)


# An update python-telegram-bot cannot read ----------------------------------------------------


def test_an_update_that_cannot_be_read_is_skipped_once_and_the_bot_answers_on(tmp_path, seed_db):
    """Before: getUpdates failed about 320 times a second, forever, with a
    traceback each time; nothing was answered and SIGTERM exited 1."""
    with FakeBotAPI() as api:
        process = start_bot(bot_env(tmp_path, seed_db, TELEGRAM_BOT_TOKEN=api.token, TELEGRAM_BASE_URL=api.base_url))
        try:
            api.wait_for_calls("getUpdates", 1, timeout=60)
            poll_id = api.push_raw({"message": poll_message(601)})
            api.push_message("/who 马新强", user_id=602)
            reply = api.wait_for(lambda: api.sent_messages(602), timeout=30)[0]
            polls = len(api.calls("getUpdates"))
        finally:
            stderr = stop_bot(process)
    assert 0 == process.returncode, stderr[-3000:]
    assert "马新强" in visible_text(reply.text)
    assert [] == api.sent_messages(601)
    assert [] == api.pending_updates()  # the offset moved past both
    assert polls < 10
    assert 1 == sum(f"update {poll_id}" in line for line in stderr.splitlines()), stderr[-3000:]
    assert "Traceback" not in stderr


# The webhook ------------------------------------------------------------------------------------


def test_the_webhook_answers_a_replayed_update_once_and_refuses_what_is_not_json(tmp_path, seed_db):
    """Before: the same update_id posted twice was answered twice, and a body
    that was not JSON or not UTF-8 got 500."""
    secret = "s3cret_-ValueForTheWebhookHeader"
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    headers = {SECRET_HEADER: secret, "Content-Type": "application/json"}
    with FakeBotAPI() as api:
        env = bot_env(tmp_path, seed_db, TELEGRAM_BOT_TOKEN=api.token, TELEGRAM_BASE_URL=api.base_url, WEBHOOK_URL=url, WEBHOOK_PORT=str(port), WEBHOOK_SECRET=secret)
        process = start_bot(env)
        try:
            wait_until_listening(port, timeout=60)
            first = httpx.post(url, json=text_update(7001, 611, "/who 马新强"), headers=headers, timeout=10)
            api.wait_for(lambda: api.sent_messages(611), timeout=30)
            again = httpx.post(url, json=text_update(7001, 611, "/who 马新强"), headers=headers, timeout=10)
            not_json = httpx.post(url, content=b'{"update_id": 7002, "message": ', headers=headers, timeout=10)
            not_utf8 = httpx.post(url, content=b'{"update_id": 7003, "x": "\xff\xfe"}', headers=headers, timeout=10)
            not_an_update = httpx.post(url, content=b"[1, 2]", headers=headers, timeout=10)
            unreadable = httpx.post(url, json={"update_id": 7004, "message": poll_message(612)}, headers=headers, timeout=10)
            after = httpx.post(url, json=text_update(7005, 613, "/city 成都"), headers=headers, timeout=10)
            api.wait_for(lambda: api.sent_messages(613), timeout=30)
            time.sleep(0.3)  # time enough for a second answer to the replay, had it been accepted
        finally:
            stderr = stop_bot(process)
    assert 0 == process.returncode, stderr[-3000:]
    assert (200, 200) == (first.status_code, again.status_code)
    assert 1 == len(api.sent_messages(611))
    assert (400, 400, 400) == (not_json.status_code, not_utf8.status_code, not_an_update.status_code)
    assert 200 == unreadable.status_code  # skipped: Telegram would only send it again
    assert 200 == after.status_code and "耿福能" in visible_text(api.sent_messages(613)[0].text)
    assert 1 == sum("update 7004" in line for line in stderr.splitlines()), stderr[-3000:]
    assert "Traceback" not in stderr


@pytest.mark.asyncio
async def test_an_update_polled_twice_is_answered_once(engine, tmp_path):
    """The same guard holds for polling: a replayed update_id reaches the handlers once."""
    with FakeBotAPI() as api:
        async with running_bot(api, engine, tmp_path) as application:
            replay = text_update(7101, 621, "/who 马新强")
            for _ in range(2):
                await application.update_queue.put(Update.de_json(replay, application.bot))
            api.push_message("/city 成都", user_id=622)
            await api.await_for(lambda: api.sent_messages(622))
            await api.await_for(lambda: idle(application))
    assert 1 == len(api.sent_messages(621))


# The state file ------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_the_state_file_is_readable_by_its_owner_only(engine, tmp_path):
    """Before: created 0644, readable by every user of the machine."""
    with FakeBotAPI() as api:
        async with running_bot(api, engine, tmp_path) as application:
            api.push_message("/lang en", user_id=631)
            await api.await_for(lambda: api.sent_messages(631))
            await api.await_for(lambda: idle(application))
    state = tmp_path / "bot-state.db"
    assert 0o600 == stat.S_IMODE(state.stat().st_mode)


def test_a_state_file_that_cannot_be_written_is_one_warning_and_the_bot_goes_on(tmp_path, seed_db):
    """Before: a traceback for every update, and SIGTERM exited 1. (The
    tests run as root, for whom a read-only folder is writable: the state
    path is a directory instead, which no one can write as a file.)"""
    state = tmp_path / "state-is-a-directory"
    state.mkdir()
    with FakeBotAPI() as api:
        env = bot_env(tmp_path, seed_db, TELEGRAM_BOT_TOKEN=api.token, TELEGRAM_BASE_URL=api.base_url, LIANGHUI_STATE=str(state))
        process = start_bot(env)
        try:
            api.wait_for_calls("getUpdates", 1, timeout=60)
            for user in (641, 642, 643):
                api.push_message("/lang en", user_id=user)
                api.wait_for(lambda user=user: api.sent_messages(user), timeout=30)
            api.push_message("/who 马新强", user_id=641)
            reply = api.wait_for(lambda: len(api.sent_messages(641)) >= 2, timeout=30) and api.sent_messages(641)[-1]
        finally:
            stderr = stop_bot(process)
    assert 0 == process.returncode, stderr[-3000:]
    assert "Ma Xinqiang" in visible_text(reply.text) or "马新强" in visible_text(reply.text)
    assert 1 == stderr.count("cannot write the state file"), stderr[-3000:]
    assert "Traceback" not in stderr


# Buttons and edits ----------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_another_chats_search_button_answers_expired(engine, tmp_path):
    """Before: pressing chat A's More button (its data copied) in chat B
    showed B chat A's search words."""
    with FakeBotAPI() as api:
        async with running_bot(api, engine, tmp_path) as application:
            api.push_message(LONG_SEARCH, user_id=651)
            first = (await api.await_for(lambda: api.sent_messages(651)))[0]
            more = next(b["callback_data"] for row in first.reply_markup["inline_keyboard"] for b in row if b["callback_data"].startswith("/more "))
            assert ";h" in more or more.startswith("/more h") or more.startswith("/more k")
            api.push_message("/who 马新强", user_id=652)
            elsewhere = (await api.await_for(lambda: api.sent_messages(652)))[0]
            api.push_callback_query(more, message=elsewhere.message, user_id=652, language_code="en")
            await api.await_for(lambda: api.calls("answerCallbackQuery"))
            api.push_callback_query(more, message=first.message, user_id=651)
            await api.await_for(lambda: [m for m in api.sent_messages(651) if m.method == "editMessageText"])
            await api.await_for(lambda: idle(application))
    refused = api.calls("answerCallbackQuery")[0]
    assert t("en", "expired") == refused.params.get("text")
    assert ["sendMessage"] == [m.method for m in api.sent_messages(652)]  # no page of chat 651's search there
    assert "创新" in visible_text(api.sent_messages(651)[-1].text)  # the button works where it was sent


@pytest.mark.asyncio
async def test_an_edited_message_gets_no_answer(engine, tmp_path):
    """The bot asks Telegram for new messages only; an edited one that comes
    all the same (a server that ignores allowed_updates) is not answered.
    Before: it was answered a second time."""
    with FakeBotAPI() as api:
        async with running_bot(api, engine, tmp_path) as application:
            api.push_message("/who 马新强", user_id=661)
            await api.await_for(lambda: api.sent_messages(661))
            edited = text_update(7201, 661, "/city 武汉")
            edited["edited_message"] = edited.pop("message") | {"edit_date": int(time.time())}
            await application.update_queue.put(Update.de_json(edited, application.bot))
            api.push_message("/city 成都", user_id=662)
            await api.await_for(lambda: api.sent_messages(662))
            await api.await_for(lambda: idle(application))
    assert 1 == len(api.sent_messages(661))
