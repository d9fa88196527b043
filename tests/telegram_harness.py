"""Run the real Telegram Application against the local Bot API stand-in.

Shared by the end-to-end tests, the reliability tests and the updates/s
benchmark: the bot is built by ``bot.telegram_app.build_application`` exactly
as ``python bot.py run`` builds it, and polls the stand-in over HTTP.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path

from telegram.ext import Application

from bot.config import Settings
from bot.engine import Engine
from bot.telegram_app import build_application
from fake_botapi import DEFAULT_TOKEN, FakeBotAPI

ADMIN_ID = 4242


def bot_settings(api: FakeBotAPI | None, state_dir: Path, **changes) -> Settings:
    settings = Settings(
        token=DEFAULT_TOKEN,
        base_url=api.base_url if api else None,
        state_path=state_dir / "bot-state.pickle",
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
    """The bot, started and polling; stopped (updates confirmed) on exit."""
    application = build_application(
        bot_settings(api, state_dir, **changes),
        engine,
        flood_control=flood_control,
        get_updates_read_timeout=get_updates_read_timeout or poll_timeout + 2,
        read_timeout=read_timeout,
    )
    async with application:
        await application.post_init(application)
        await application.start()
        await application.updater.start_polling(poll_interval=0.0, timeout=poll_timeout)
        try:
            yield application
        finally:
            await application.updater.stop()
            await application.stop()
            await application.post_shutdown(application)
