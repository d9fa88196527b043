"""The transcript script (python tests/tools/transcript.py) plays a whole
conversation through the real bot; run here, it cannot silently break."""

from __future__ import annotations

import pytest

from tools import transcript
from telegram_html import validate_telegram_html


@pytest.mark.asyncio
async def test_the_transcript_runs_to_the_end(engine, tmp_path, capsys):
    sent = await transcript.conversation(engine, tmp_path)
    printed = capsys.readouterr().out
    assert [] == [f"{text[:40]!r}: {problem}" for text in sent for problem in validate_telegram_html(text)]
    assert "user (in a group) › 今天开会吗？\n    (no reply within" in printed
    assert "Role: 全国人大代表" in printed  # the English-speaking user got English
    assert "bot › (inline results)" in printed and "shared as:" in printed
    assert "(edits its message:)" in printed  # the page button edited in place


@pytest.mark.asyncio
async def test_the_transcript_stops_when_the_bot_answers_chatter(engine, tmp_path):
    """The quiet step is a real check: were the bot to answer everything in a
    group, the transcript would stop there."""
    with transcript.FakeBotAPI() as api:
        async with transcript.running_bot(api, engine, tmp_path) as application:
            with pytest.raises(AssertionError, match="the bot answered"):
                await transcript.stays_quiet(api, application, "@lianghui_test_bot 马新强", chat_type="supergroup")
