"""Run the real Telegram Application against the local Bot API stand-in.

Shared by the end-to-end tests, the reliability tests and the updates/s
benchmark: the bot is built by ``bot.telegram.app.build_application`` exactly
as ``python bot.py run`` builds it, and polls the stand-in over HTTP. It is
started and stopped here as python-telegram-bot's ``run_polling`` does, on
the test's own event loop.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path

from telegram.ext import Application

from bot.config import Settings
from bot.engine import Engine
from bot.telegram.app import ALLOWED_UPDATES, build_application
from fake_botapi import DEFAULT_TOKEN, FakeBotAPI

ADMIN_ID = 4242
ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def bot_settings(api: FakeBotAPI | None, state_dir: Path, **changes) -> Settings:
    settings = Settings(
        token=DEFAULT_TOKEN,
        base_url=api.base_url if api else None,
        state_path=state_dir / "bot-state.db",
        admin_ids=frozenset({ADMIN_ID}),
        user_rate=1000,
    )
    return replace(settings, **changes)


@asynccontextmanager
async def running_bot(
    api: FakeBotAPI,
    engine: Engine,
    state_dir: Path,
    *,
    flood_control: bool = True,
    poll_timeout: int = 1,
    get_updates_read_timeout: float | None = None,
    read_timeout: float | None = None,
    **changes,
) -> AsyncIterator[Application]:
    """The bot, started and polling as ``python bot.py run`` starts it;
    stopped as a stop signal stops it (updates confirmed) on exit."""
    settings = bot_settings(api, state_dir, **changes)
    application = build_application(
        settings,
        engine,
        flood_control=flood_control,
        get_updates_read_timeout=get_updates_read_timeout or poll_timeout + 2,
        read_timeout=read_timeout,
    )
    try:
        await start(application, poll_timeout)
        yield application
    finally:
        await stop(application)


async def start(application: Application, poll_timeout: int = 1) -> None:
    """What run_polling does before it waits: initialize, post_init, poll, start."""
    await application.initialize()
    await application.post_init(application)
    await application.updater.start_polling(poll_interval=0.0, timeout=poll_timeout, allowed_updates=ALLOWED_UPDATES)
    await application.start()


async def stop(application: Application) -> None:
    """What run_polling does on a stop signal: stop polling (the updates taken
    are confirmed to Telegram), answer the ones in flight, shut down."""
    if application.updater.running:
        await application.updater.stop()
    if application.running:
        await application.stop()
    await application.shutdown()
    await application.post_shutdown(application)


def idle(application: Application) -> bool:
    """No update waiting and none being handled (so no send is being retried)."""
    return application.update_queue.qsize() == 0 and application.update_processor.current_concurrent_updates == 0


# `python bot.py run` as a subprocess ---------------------------------------------------------


def bot_env(state_dir: Path, seed_db: Path, **settings: str) -> dict[str, str]:
    """The environment for ``python bot.py run``: the test store and state
    file, the settings given, and none of the caller's own bot settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_", "ADMIN_", "LIANGHUI_", "LOG_"))}
    env.update(LIANGHUI_DB=str(seed_db), LIANGHUI_SEEDS=str(SEEDS), LIANGHUI_STATE=str(state_dir / "bot-state.db"))
    env.update(settings)
    return env


def start_bot(env: dict[str, str], *args: str, stderr=subprocess.PIPE) -> subprocess.Popen:
    """``python bot.py run ARGS`` in the background, as an operator starts it."""
    return subprocess.Popen(
        [sys.executable, str(ROOT / "bot.py"), "run", *args], env=env, stdout=subprocess.PIPE, stderr=stderr, text=True
    )


def stop_bot(process: subprocess.Popen, sig: int = signal.SIGTERM) -> str:
    """Send the stop signal and wait for the exit; the bot's stderr. (A
    process started with stderr to a file returns an empty string.)"""
    process.send_signal(sig)
    _, stderr = process.communicate(timeout=60)
    return stderr or ""


def free_port() -> int:
    """A port nothing listens on (nothing did a moment ago)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
