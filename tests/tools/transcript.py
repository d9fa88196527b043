"""Print a transcript of a chat with the real bot through the local Bot API stand-in.

    python tests/tools/transcript.py

The bot is built exactly as ``python bot.py run`` builds it and polls the
stand-in over HTTP; the script plays a user (typing, pressing buttons,
writing in a group, using inline mode) and prints what Telegram would show.
A step that finds the bot doing something else (answering group chatter,
not answering a question) stops the script with an AssertionError.
tests/test_telegram_transcript.py runs the same conversation.

Then an admin and a follower: a reader follows a city, an admin sends an
article as a file (its reply edited as the work goes on), the reader is
told what is new, lists what they follow, opens a deep link and exports an
answer as CSV. That part works on a copy of the store, which it grows.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import time
import tempfile
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
ROOT = TOOLS.parent.parent
for _path in (ROOT, TOOLS.parent):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from bot.engine import Engine  # noqa: E402
from bot.engine.answer import deep_link_payload  # noqa: E402
from bot.ingest.build import build_store  # noqa: E402
from telegram.ext import Application  # noqa: E402

from fake_botapi import FakeBotAPI, SentMessage  # noqa: E402
from telegram_harness import ADMIN_ID, idle, running_bot  # noqa: E402
from telegram_html import visible_text  # noqa: E402

QUIET_WAIT = 0.5  # seconds after the bot has handled chatter in which a reply would have shown


def show(who: str, text: str) -> None:
    lines = text.splitlines() or [""]
    print(f"{who} {lines[0]}")
    for line in lines[1:]:
        print(f"    {line}")


def show_reply(message: SentMessage) -> None:
    verb = "edits its message:" if message.method == "editMessageText" else ""
    show("bot ›" + (f" ({verb})" if verb else ""), visible_text(message.text))
    markup = message.reply_markup or {}
    labels = [button["text"] for row in markup.get("inline_keyboard", []) for button in row]
    if labels:
        print("    [" + "] [".join(labels) + "]")
    print()


async def say(api: FakeBotAPI, text: str, **push) -> SentMessage:
    where = " (in a group)" if push.get("chat_type", "private") != "private" else ""
    show(f"user{where} ›", text)
    before = len(api.sent_messages())
    api.push_message(text, **push)
    replies = await api.await_for(lambda: api.sent_messages()[before:] or None)
    for reply in replies:
        show_reply(reply)
    return replies[-1]


async def stays_quiet(api: FakeBotAPI, application: Application, text: str, **push) -> None:
    """A message the bot must not answer: once it has been handled (confirmed
    to Telegram, nothing queued or in flight) and a short wait has passed,
    nothing was sent."""
    show("user (in a group) ›" if push.get("chat_type", "private") != "private" else "user ›", text)
    before = len(api.sent_messages())
    update_id = api.push_message(text, **push)
    await api.await_for(lambda: all(update["update_id"] != update_id for update in api.pending_updates()) and idle(application))
    await asyncio.sleep(QUIET_WAIT)
    unexpected = api.sent_messages()[before:]
    assert not unexpected, f"the bot answered {text!r}: {[visible_text(m.text)[:60] for m in unexpected]}"
    print(f"    (no reply within {QUIET_WAIT} s of handling it: ordinary chatter)\n")


async def press(api: FakeBotAPI, message: SentMessage, label: str) -> None:
    data = next(b["callback_data"] for row in message.reply_markup["inline_keyboard"] for b in row if b["text"] == label)
    show("user presses ›", f"[{label}]")
    before = len(api.sent_messages())
    api.push_callback_query(data, message=message.message)
    for reply in await api.await_for(lambda: api.sent_messages()[before:] or None):
        show_reply(reply)


async def conversation(engine: Engine, state: Path) -> list[str]:
    """Play the conversation; every text the bot sent, messages and inline
    results to share, for the caller to check."""
    with FakeBotAPI() as api:
        async with running_bot(api, engine, state) as application:
            await say(api, "/start")
            who = await say(api, "/who 马欣强")
            await press(api, who, "更多 ▸")
            await press(api, who, "原文 1")
            await say(api, "/city 江城")
            await say(api, "谁提到了DeepSeek")
            wrong = await say(api, "/who 武汉")
            await press(api, wrong, "武汉")
            await say(api, "/who 张三")
            await say(api, "/city@lianghui_test_bot 蓉城", chat_type="supergroup")
            await stays_quiet(api, application, "今天开会吗？", chat_type="supergroup")
            await say(api, "Ma Xinqiang", user_id=20002, language_code="en")
            show("user types in any chat ›", "@lianghui_test_bot 罗卫东")
            api.push_inline_query("罗卫东")
            call = (await api.await_for(lambda: api.calls("answerInlineQuery") or None))[0]
            results = call.params["results"]
            assert results, "no inline results for 罗卫东"
            show("bot › (inline results)", f"{len(results)} quotes, e.g. {results[0]['title']}")
            show("    shared as:", visible_text(results[0]["input_message_content"]["message_text"]))
        return [message.text for message in api.sent_messages()] + [result["input_message_content"]["message_text"] for result in results]


FOLLOWER = 20003
ARTICLE = ROOT / "tests" / "fixtures" / "web_article.txt"


async def send_file(api: FakeBotAPI, path: Path, user_id: int) -> None:
    """An admin sends a file; every message and edit the bot makes in reply, until its report."""
    show("admin sends a file ›", path.name)
    before = len(api.sent_messages(user_id))
    api.push_document(path.name, path.read_bytes(), user_id=user_id)
    finished = await api.await_for(
        lambda: any(visible_text(m.text).startswith(("已加入", "未加入")) for m in api.sent_messages(user_id)[before:]), timeout=120
    )
    assert finished
    for message in api.sent_messages(user_id)[before:]:
        show_reply(message)


async def admin_and_follower(engine: Engine, seeds: Path, state: Path) -> list[str]:
    """A follower, an admin adding an article, the follower told: every text the bot sent."""
    with FakeBotAPI() as api:
        async with running_bot(api, engine, state, seeds_dir=seeds):
            await say(api, "/follow 重慶", user_id=FOLLOWER)
            await send_file(api, ARTICLE, ADMIN_ID)
            told = await api.await_for(lambda: api.sent_messages(FOLLOWER)[1:] or None)
            for message in told:
                show("follower is told ›", visible_text(message.text))
                print()
            listing = await say(api, "/following", user_id=FOLLOWER)
            assert "重庆" in visible_text(listing.text)
            await say(api, "/articles", user_id=ADMIN_ID)
            person = engine.answer("/who 柯云舟").match
            opened = await say(api, f"/start {deep_link_payload('person', person.id)}", user_id=FOLLOWER)
            show("    (a deep link:", f"https://t.me/{api.bot_user['username']}?start={deep_link_payload('person', person.id)})")
            export = next(b["callback_data"] for row in opened.reply_markup["inline_keyboard"] for b in row if b["text"] == "导出 CSV")
            show("user presses ›", "[导出 CSV]")
            api.push_callback_query(export, message=opened.message, user_id=FOLLOWER)
            document = (await api.await_for(lambda: api.sent_documents(FOLLOWER) or None))[0]
            rows = document.data.decode("utf-8-sig").splitlines()
            show("bot › (sends a file)", f"{document.filename}: {len(rows) - 1} rows; {document.caption}")
            print(f"    {rows[0]}\n    {rows[1][:100]}…\n")
        return [message.text for message in api.sent_messages()]


def main() -> int:
    state = Path(tempfile.mkdtemp(prefix="transcript-"))
    db = state / "seed.db"
    build_store(ROOT / "seeds", db, progress=False)
    started = time.monotonic()
    sent = asyncio.run(conversation(Engine(db), state))
    print(f"\n(the end: {len(sent)} texts from the bot in {time.monotonic() - started:.1f} s)")
    print("\n--- an admin adds an article; a follower is told ---\n")
    seeds = state / "seeds"
    shutil.copytree(ROOT / "seeds", seeds)
    grown = state / "grown.db"
    shutil.copyfile(db, grown)
    started = time.monotonic()
    sent = asyncio.run(admin_and_follower(Engine(grown), seeds, state / "second"))
    print(f"\n(the end: {len(sent)} texts from the bot in {time.monotonic() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
