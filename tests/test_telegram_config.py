"""Settings: read from .env and the environment (the environment wins), and
the webhook secret is always the one in use, so the logs can redact it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config import Settings, load_settings
from bot.errors import ConfigError
from fake_botapi import DEFAULT_TOKEN

ENV_FILE = """\
# the bot's settings
TELEGRAM_BOT_TOKEN=111111111:AAFromTheDotEnvFileOnly-012345678901
ADMIN_IDS=11, 22
WEBHOOK_PORT=9000
WEBHOOK_SECRET="from-the-file"
LOG_LEVEL=debug
"""


def write_env(tmp_path: Path, text: str = ENV_FILE) -> Path:
    path = tmp_path / ".env"
    path.write_text(text, encoding="utf-8")
    return path


def test_dotenv_is_read(tmp_path):
    settings = load_settings(write_env(tmp_path), environ={})
    assert "111111111:AAFromTheDotEnvFileOnly-012345678901" == settings.token
    assert frozenset({11, 22}) == settings.admin_ids
    assert 9000 == settings.webhook_port
    assert "from-the-file" == settings.webhook_secret
    assert "DEBUG" == settings.log_level


def test_the_environment_wins_over_dotenv(tmp_path):
    environ = {"TELEGRAM_BOT_TOKEN": DEFAULT_TOKEN, "WEBHOOK_PORT": "9100", "TELEGRAM_BASE_URL": "http://127.0.0.1:8081/bot"}
    settings = load_settings(write_env(tmp_path), environ=environ)
    assert (DEFAULT_TOKEN, 9100) == (settings.token, settings.webhook_port)
    assert "http://127.0.0.1:8081/bot" == settings.base_url  # only in the environment
    assert frozenset({11, 22}) == settings.admin_ids  # only in the file


def test_without_dotenv_the_defaults_hold(tmp_path):
    settings = load_settings(tmp_path / "missing.env", environ={})
    assert (None, None, 8443, frozenset(), 20, "INFO") == (
        settings.token,
        settings.webhook_url,
        settings.webhook_port,
        settings.admin_ids,
        settings.user_rate,
        settings.log_level,
    )


def test_a_webhook_secret_is_generated_when_none_is_configured(tmp_path):
    first = load_settings(tmp_path / "missing.env", environ={"WEBHOOK_URL": "https://bot.example.org/telegram"})
    second = load_settings(tmp_path / "missing.env", environ={})
    # Telegram allows 1-256 characters of A-Z, a-z, 0-9, _ and -.
    assert re.fullmatch(r"[A-Za-z0-9_-]{32,256}", first.webhook_secret)
    assert re.fullmatch(r"[A-Za-z0-9_-]{32,256}", Settings().webhook_secret)
    assert first.webhook_secret != second.webhook_secret  # a new one each start


def test_neither_the_token_nor_the_secret_is_in_the_repr(tmp_path):
    settings = load_settings(tmp_path / "missing.env", environ={"TELEGRAM_BOT_TOKEN": DEFAULT_TOKEN, "WEBHOOK_SECRET": "s3cret-value"})
    assert "s3cret-value" == settings.webhook_secret
    assert DEFAULT_TOKEN not in repr(settings) and "s3cret-value" not in repr(settings)


@pytest.mark.parametrize(
    ("name", "value"),
    [("ADMIN_IDS", "11,bob"), ("WEBHOOK_PORT", "84a3"), ("USER_RATE_PER_MINUTE", "-5")],
    ids=["admins", "port", "rate"],
)
def test_a_bad_value_is_one_clear_error(tmp_path, name, value):
    with pytest.raises(ConfigError, match=name):
        load_settings(tmp_path / "missing.env", environ={name: value})
