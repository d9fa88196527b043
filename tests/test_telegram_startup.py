"""Start-up: a server may boot before its network. `python bot.py run` then
keeps trying to reach Telegram, one log line per attempt and twice as long
between attempts each time, until Telegram answers (and the bot serves) or a
stop signal comes (exit 0). A stop signal in the middle of start-up exits 0
too. What Telegram refuses for good stops the bot at once, in one line. No
traceback and no token on stderr in any case.

The bot runs as a subprocess, so what is checked is what an operator sees."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from fake_botapi import DEFAULT_TOKEN, ApiError, FakeBotAPI
from telegram_harness import ROOT, bot_env, free_port, start_bot, stop_bot
from telegram_html import validate_telegram_html, visible_text

SECRET_PART = DEFAULT_TOKEN.split(":", 1)[1]
ATTEMPT = "Telegram did not answer at start-up"


def wait_until(predicate: Callable[[], object], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"condition not met within {timeout}s")
        time.sleep(0.05)


def attempts(stderr: Path) -> list[str]:
    """The log lines of failed start-up attempts so far."""
    return [line for line in stderr.read_text().splitlines() if ATTEMPT in line] if stderr.exists() else []


def logged_at(line: str) -> float:
    """When a log line was written (the formatter's asctime), in seconds."""
    return datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f").timestamp()


def assert_clean(stderr: str) -> None:
    assert "Traceback" not in stderr, stderr[-3000:]
    assert DEFAULT_TOKEN not in stderr and SECRET_PART not in stderr


def test_an_unreachable_telegram_is_tried_again_with_backoff_until_a_stop_signal(tmp_path, seed_db):
    stderr_path = tmp_path / "stderr.txt"
    nothing_listens = f"http://127.0.0.1:{free_port()}/bot"
    with stderr_path.open("w") as stderr_file:
        process = start_bot(bot_env(tmp_path, seed_db, TELEGRAM_BOT_TOKEN=DEFAULT_TOKEN, TELEGRAM_BASE_URL=nothing_listens), stderr=stderr_file)
        try:
            wait_until(lambda: len(attempts(stderr_path)) >= 3, timeout=60)
        finally:
            stop_bot(process)
    stderr = stderr_path.read_text()
    lines = attempts(stderr_path)
    assert 0 == process.returncode, stderr[-3000:]
    assert_clean(stderr)
    # One line an attempt, each saying when the next comes; nothing else but the stop.
    assert ["attempt 1, trying again in 1 s", "attempt 2, trying again in 2 s", "attempt 3, trying again in 4 s"] == [
        line.rsplit("); ", 1)[1] for line in lines[:3]
    ]
    assert stderr.splitlines()[len(lines) :] == [line for line in stderr.splitlines() if "stopped during start-up" in line]
    gaps = [logged_at(later) - logged_at(earlier) for earlier, later in zip(lines, lines[1:3])]
    assert 0.9 <= gaps[0] < 1.9 and 1.9 <= gaps[1] < 3.5, gaps


def test_a_telegram_that_comes_up_late_is_served_as_soon_as_it_answers(tmp_path, seed_db):
    stderr_path = tmp_path / "stderr.txt"
    port = free_port()
    env = bot_env(tmp_path, seed_db, TELEGRAM_BOT_TOKEN=DEFAULT_TOKEN, TELEGRAM_BASE_URL=f"http://127.0.0.1:{port}/bot")
    with stderr_path.open("w") as stderr_file:
        process = start_bot(env, stderr=stderr_file)
        try:
            wait_until(lambda: attempts(stderr_path), timeout=60)
            with FakeBotAPI(port=port) as api:
                api.wait_for_calls("getUpdates", 1, timeout=30)
                api.push_message("/who 马新强", user_id=1301)
                reply = api.wait_for(lambda: api.sent_messages(1301), timeout=30)[0]
                stop_bot(process)  # while Telegram is up: the stop confirms the update
        finally:
            if process.poll() is None:
                stop_bot(process)
    stderr = stderr_path.read_text()
    assert 0 == process.returncode, stderr[-3000:]
    assert_clean(stderr)
    assert "马新强" in visible_text(reply.text) and [] == validate_telegram_html(reply.text)
    assert api.commands() and api.commands(language_code="zh")  # the rest of start-up happened too
    assert [] == api.pending_updates()


@pytest.mark.parametrize(
    ("method", "webhook"),
    [("setWebhook", True), ("deleteWebhook", False)],
    ids=["webhook-being-registered", "polling-being-set-up"],
)
def test_a_stop_signal_in_the_middle_of_start_up_exits_0(tmp_path, seed_db, method, webhook):
    port = free_port()
    with FakeBotAPI() as api:
        api.inject(method, "timeout", 5, delay=10)  # Telegram holds the request: start-up is under way when the signal comes
        webhook_settings = {"WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram", "WEBHOOK_PORT": str(port)} if webhook else {}
        process = start_bot(bot_env(tmp_path, seed_db, TELEGRAM_BOT_TOKEN=api.token, TELEGRAM_BASE_URL=api.base_url, **webhook_settings))
        try:
            api.wait_for(lambda: [fault for fault in api.faults_served if fault.method == method], timeout=60)
        finally:
            signalled = time.monotonic()
            stderr = stop_bot(process)
            seconds = time.monotonic() - signalled
    assert 0 == process.returncode, stderr[-3000:]
    assert_clean(stderr)
    assert "stopped during start-up" in stderr
    assert seconds < 5, "the stop waited for the held request"
    assert [] == api.calls("getUpdates") and "" == api.webhook["url"]


def test_a_webhook_telegram_refuses_stops_the_bot_with_one_line(tmp_path, seed_db):
    def refuse(params: dict) -> bool:
        raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")

    port = free_port()
    with FakeBotAPI() as api:
        api.register_method("setWebhook", refuse)
        env = bot_env(
            tmp_path, seed_db, TELEGRAM_BOT_TOKEN=api.token, TELEGRAM_BASE_URL=api.base_url, WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram"
        )
        started = time.monotonic()
        done = subprocess.run([sys.executable, str(ROOT / "bot.py"), "run"], env=env, capture_output=True, text=True, timeout=60)
        seconds = time.monotonic() - started
    assert 1 == done.returncode
    assert_clean(done.stderr)
    # python-telegram-bot recases Telegram's description.
    assert ["error: telegram refused to start the bot: bad webhook: an https url must be provided for webhook"] == done.stderr.lower().splitlines()
    assert 1 == len(api.calls("setWebhook"))  # refused for good: not tried again
    assert seconds < 30
