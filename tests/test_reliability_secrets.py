"""Secrets and access: the token stays out of logs, errors and /stats; a bad
token stops the bot with one clear line; a webhook call without the secret
header is refused; admin commands say nothing to anyone else.

`python bot.py run` runs as a subprocess against the local Bot API stand-in,
so what is checked is what an operator would see on stderr."""

from __future__ import annotations

import io
import logging
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from bot.cli import RedactingFilter
from fake_botapi import DEFAULT_TOKEN, ApiError, FakeBotAPI
from telegram_harness import ADMIN_ID, bot_env, free_port, running_bot, start_bot, stop_bot
from telegram_html import validate_telegram_html, visible_text

ROOT = Path(__file__).resolve().parent.parent
SECRET_PART = DEFAULT_TOKEN.split(":", 1)[1]


# The token stays secret -------------------------------------------------------------------


def test_the_token_never_appears_in_logs_errors_or_stats(tmp_path, seed_db):
    with FakeBotAPI() as api:
        original_send = api._m_sendMessage

        def refuse_one_chat(params: dict):
            if params.get("chat_id") == 103:
                raise ApiError(400, "Bad Request: chat not found")
            return original_send(params)

        api.register_method("sendMessage", refuse_one_chat)
        env = bot_env(tmp_path, seed_db, TELEGRAM_BOT_TOKEN=api.token, TELEGRAM_BASE_URL=api.base_url, LOG_LEVEL="DEBUG", ADMIN_IDS=str(ADMIN_ID))
        process = start_bot(env)
        try:
            api.wait_for_calls("getUpdates", 1, timeout=60)
            api.inject("sendMessage", "500", 1)
            api.inject("getUpdates", "malformed", 1)
            api.push_message("/who 马新强", user_id=101)
            api.push_message(f"my token is {DEFAULT_TOKEN}", user_id=102)  # someone pastes it
            api.push_message("/city 武汉", user_id=103)  # Telegram refuses the answer: a handler fails
            api.wait_for(lambda: api.sent_messages(101) and api.sent_messages(102), timeout=30)
            api.wait_for(lambda: len([c for c in api.calls("sendMessage") if c.params.get("chat_id") == 103]) >= 2, timeout=30)
            api.push_message("/stats", user_id=ADMIN_ID)
            stats = api.wait_for(lambda: api.sent_messages(ADMIN_ID), timeout=30)[0].text
        finally:
            stderr = stop_bot(process)
    assert 0 == process.returncode, stderr[-3000:]
    assert "DEBUG" in stderr and "failed to handle an update" in stderr and "Traceback" in stderr
    assert "[redacted]" in stderr  # python-telegram-bot logs its URLs, token and all
    assert DEFAULT_TOKEN not in stderr and SECRET_PART not in stderr
    assert "queries served" in stats
    assert DEFAULT_TOKEN not in stats and SECRET_PART not in stats
    assert "my token is [redacted]" in visible_text(stats)


def test_a_logged_exception_that_quotes_the_token_is_redacted():
    """The message is not all a handler writes: the traceback of a logged
    exception is formatted later, from the exception itself."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(RedactingFilter([DEFAULT_TOKEN, SECRET_PART]))
    logger = logging.getLogger("test.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        raise RuntimeError(f"The token `{DEFAULT_TOKEN}` was rejected by the server.")
    except RuntimeError:
        logger.exception("start-up failed for %s", f"https://api.telegram.org/bot{DEFAULT_TOKEN}/getMe", stack_info=True)
    finally:
        logger.removeHandler(handler)
    text = out.getvalue()
    assert "Traceback" in text and "Stack (most recent call last)" in text
    assert "bot[redacted]/getMe" in text and "The token `[redacted]` was rejected" in text
    assert SECRET_PART not in text


def test_only_the_secret_part_of_a_token_is_redacted_alone():
    from bot.config import redact, secret_parts

    assert [DEFAULT_TOKEN, SECRET_PART] == secret_parts(DEFAULT_TOKEN)
    assert "bot 123456789 says [redacted], [redacted]" == redact(f"bot 123456789 says {DEFAULT_TOKEN}, {SECRET_PART}", secret_parts(DEFAULT_TOKEN))
    assert [] == secret_parts(None)


# A bad token stops the bot with one line ----------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("", "TELEGRAM_BOT_TOKEN is not set"),
        ("not-a-token", "does not look like a Telegram token"),
        ("123456789:short", "does not look like a Telegram token"),
        ("123456789:AAThisIsWellFormedButNotTheRightOne_0123", "Telegram rejected the token"),
    ],
    ids=["missing", "malformed", "too-short", "rejected"],
)
@pytest.mark.parametrize("log_level", ["INFO", "DEBUG"])
def test_a_bad_token_stops_the_bot_with_one_clear_line(tmp_path, seed_db, token, expected, log_level):
    with FakeBotAPI() as api:
        env = bot_env(tmp_path, seed_db, TELEGRAM_BOT_TOKEN=token, TELEGRAM_BASE_URL=api.base_url, LOG_LEVEL=log_level)
        done = subprocess.run([sys.executable, str(ROOT / "bot.py"), "run"], env=env, capture_output=True, text=True, timeout=60)
    lines = done.stderr.strip().splitlines()
    assert 1 == done.returncode
    assert "Traceback" not in done.stderr
    assert lines[-1].startswith("error: ") and expected in lines[-1], done.stderr[-2000:]
    if log_level == "INFO":
        assert 1 == len(lines), done.stderr
    secret = token.partition(":")[2]
    assert not token or token not in done.stderr
    assert len(secret) < 8 or secret not in done.stderr


# Webhooks check their secret ---------------------------------------------------------------------


def update(update_id: int, chat: int, text: str) -> dict:
    user = {"id": chat, "is_bot": False, "first_name": f"User{chat}", "language_code": "zh-hans"}
    message = {"message_id": 1, "date": int(time.time()), "chat": {"id": chat, "type": "private", "first_name": user["first_name"]},
               "from": user, "text": text, "entities": FakeBotAPI.auto_entities(text)}
    return {"update_id": update_id, "message": message}


SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def wait_until_listening(port: int, timeout: float = 30.0) -> None:
    """The webhook server listens only once Telegram has accepted the webhook."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def test_the_webhook_serves_the_path_of_its_url_and_requires_the_secret(tmp_path, seed_db):
    """Through ``python bot.py run`` and python-telegram-bot's run_webhook: the
    path comes from the webhook URL, and a request without the right secret
    header gets 403."""
    secret = "s3cret_-ValueForTheWebhookHeader"
    port = free_port()
    url = f"http://127.0.0.1:{port}/hooks/lianghui"
    with FakeBotAPI() as api:
        env = bot_env(
            tmp_path, seed_db, TELEGRAM_BOT_TOKEN=api.token, TELEGRAM_BASE_URL=api.base_url, WEBHOOK_URL=url, WEBHOOK_PORT=str(port), WEBHOOK_SECRET=secret
        )
        process = start_bot(env)
        try:
            wait_until_listening(port, timeout=60)
            no_header = httpx.post(url, json=update(1, 201, "/who 马新强"), timeout=10)
            wrong = httpx.post(url, json=update(2, 202, "/who 马新强"), headers={SECRET_HEADER: "guess"}, timeout=10)
            elsewhere = httpx.post(f"http://127.0.0.1:{port}/telegram", json=update(3, 203, "/who 马新强"), headers={SECRET_HEADER: secret}, timeout=10)
            right = httpx.post(url, json=update(4, 204, "/who 马新强"), headers={SECRET_HEADER: secret}, timeout=10)
            reply = api.wait_for(lambda: api.sent_messages(204), timeout=30)[0]
            time.sleep(0.2)  # time enough for a refused update to have been answered, had it been accepted
        finally:
            stderr = stop_bot(process)
    assert 0 == process.returncode, stderr[-3000:]
    assert (403, 403, 404, 200) == (no_header.status_code, wrong.status_code, elsewhere.status_code, right.status_code)
    assert "马新强" in visible_text(reply.text) and [] == validate_telegram_html(reply.text)
    assert ([], [], []) == (api.sent_messages(201), api.sent_messages(202), api.sent_messages(203))
    assert (url, secret) == (api.webhook["url"], api.webhook["secret_token"])
    assert [] == api.calls("getUpdates")


@pytest.mark.parametrize("url_from", ["command-line", "environment"])
def test_the_generated_webhook_secret_never_appears_in_the_debug_log(tmp_path, seed_db, url_from):
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    with FakeBotAPI() as api:
        env = bot_env(tmp_path, seed_db, TELEGRAM_BOT_TOKEN=api.token, TELEGRAM_BASE_URL=api.base_url, LOG_LEVEL="DEBUG", WEBHOOK_PORT=str(port))
        if url_from == "environment":
            env["WEBHOOK_URL"] = url
        process = start_bot(env, *(["--webhook-url", url] if url_from == "command-line" else []))
        try:
            secret = api.wait_for(lambda: api.webhook["secret_token"], timeout=60)
            wait_until_listening(port)
            answered = httpx.post(url, json=update(1, 205, "/who 马新强"), headers={SECRET_HEADER: secret}, timeout=10)
            reply = api.wait_for(lambda: api.sent_messages(205), timeout=30)[0]
        finally:
            stderr = stop_bot(process)
    assert 0 == process.returncode, stderr[-3000:]
    assert 200 == answered.status_code
    assert "马新强" in visible_text(reply.text) and [] == validate_telegram_html(reply.text)
    assert "setWebhook" in stderr and "[redacted]" in stderr  # python-telegram-bot logged its parameters, secret and all
    assert secret not in stderr
    assert DEFAULT_TOKEN not in stderr and SECRET_PART not in stderr


# Admin commands ---------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_admin_commands_say_nothing_to_anyone_else(tmp_path, engine):
    attempts = ["/stats", "/stats@lianghui_test_bot", "/STATS", "/stats please", "/stats@lianghui_test_bot <b>x</b>", "/stats@other_bot", "/stats\u3000"]
    group = -1001000009999
    with FakeBotAPI() as api:
        async with running_bot(api, engine, tmp_path) as application:
            for number, text in enumerate(attempts):
                api.push_message(text, user_id=301 + number)
            api.push_message("/stats@lianghui_test_bot", user_id=399, chat_id=group, chat_type="supergroup")
            api.push_message("/who 马新强", user_id=400)  # a question behind them: once it is answered, they were handled
            await api.await_for(lambda: api.sent_messages(400))
            await api.await_for(lambda: application.update_processor.current_concurrent_updates == 0)
            api.push_message("/stats", user_id=ADMIN_ID)
            admin = await api.await_for(lambda: api.sent_messages(ADMIN_ID))
    silent = [m.chat_id for m in api.sent_messages() if m.chat_id not in (400, ADMIN_ID)]
    assert [] == silent
    assert "queries served" in admin[0].text
