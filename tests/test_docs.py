"""The docs stay honest: every command the bot answers is in the README, in
/help and in the command menu, and the ask --json fields are documented."""

from __future__ import annotations

import re

import pytest

from bot.engine.core import COMMANDS
from bot.render import to_text
from bot.telegram.app import CHAT_COMMANDS, menu
from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
MENU_COMMANDS = [name for name, _ in menu("en")]


@pytest.mark.parametrize("command", sorted(set(COMMANDS) | set(CHAT_COMMANDS) | {"stats"}))
def test_every_command_is_in_the_readme(command):
    assert re.search(rf"`/{command}\b", README), f"/{command} is not documented in README.md"


@pytest.mark.parametrize("language", ["en", "zh"])
def test_menus_list_the_same_commands(language):
    assert MENU_COMMANDS == [name for name, _ in menu(language)]


@pytest.mark.parametrize("command", [c for c in MENU_COMMANDS if c not in ("help", "search")])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_help_names_the_menu_commands(engine, command, lang):
    assert f"/{command}" in to_text(engine.answer("/help"), lang)


def test_menu_covers_every_typed_command():
    # /start is Telegram's own entry point; /more and /context are reached through buttons;
    # /unfollow and /export through buttons too, /articles and /remove are for admins.
    assert set(COMMANDS) - {"start", "more", "context"} | {"follow", "following"} == set(MENU_COMMANDS)


@pytest.mark.parametrize("field", ["query", "intent", "match", "suggestions", "items", "text"])
def test_ask_json_fields_are_documented(engine, field):
    assert field in engine.answer("/who 马新强").to_json("")
    assert f"| `{field}` |" in README


SETTINGS_READ = sorted(set(re.findall(r'get\("([A-Z_]+)"\)', (ROOT / "bot" / "config.py").read_text(encoding="utf-8"))))


def test_the_settings_read_are_found():
    assert {"TELEGRAM_BOT_TOKEN", "TELEGRAM_BASE_URL", "WEBHOOK_URL", "WEBHOOK_SECRET", "ADMIN_IDS", "LIANGHUI_DB"} <= set(SETTINGS_READ)


@pytest.mark.parametrize("variable", SETTINGS_READ)
def test_configuration_is_documented(variable):
    """Every setting bot/config.py reads is in the README's table."""
    assert re.search(rf"^\| `{variable}`|, `{variable}`", README, re.M), variable
