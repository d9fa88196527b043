"""A living corpus, end to end through the real Application and the local
Bot API stand-in: admins add articles (files and URLs), readers follow
people, cities and topics and are told of what is new, every answer links
to its sources, deep links open the bot, /export sends a CSV."""

from __future__ import annotations

import re

import csv
import functools
import io
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.engine.answer import to_base36
from bot.ingest.fetch import fetch
from conftest import FIXTURES, SEEDS
from fake_botapi import FakeBotAPI, SentMessage
from telegram_harness import ADMIN_ID, idle, running_bot
from telegram_html import validate_telegram_html, visible_text

pytestmark = pytest.mark.asyncio

WEB_ARTICLE = FIXTURES / "web_article.txt"
READER, OTHER_READER, BLOCKER, STRANGER = 5101, 5102, 5103, 5104
# A second fictional article: one of web_article's invented delegates again, new words.
FOLLOW_UP = """柯云舟代表再谈成果转化
本报记者
3月9日，重庆代表团举行开放日活动。
柯云舟表示，今年要在成果转化上再提速，让更多实验室里的成果走进车间。
"""
PAGE = ("<!doctype html><html><head><meta charset='utf-8'><title>三城代表委员共话科技成果转化</title></head><body>"
        "<nav>首页 | 要闻</nav><article>"
        + "".join(f"<p>{line}</p>" for line in WEB_ARTICLE.read_text(encoding="utf-8").splitlines() if line.strip())
        + "</article><footer>版权所有</footer></body></html>").encode("utf-8")


def loopback_only(address) -> bool:
    return address.is_loopback


class Pages(BaseHTTPRequestHandler):
    """The web the tests fetch from: a page, a PDF, a too-large page, redirects."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/page":
            self._reply("text/html; charset=utf-8", PAGE)
        elif self.path == "/report.pdf":
            self._reply("application/pdf", b"%PDF-1.4")
        elif self.path == "/huge":
            self._reply("text/html", b"x" * 5_100_000)
        elif self.path == "/to-metadata":
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path.startswith("/hop/"):
            hops = int(self.path.rsplit("/", 1)[1])
            self.send_response(302)
            self.send_header("Location", f"/hop/{hops - 1}" if hops > 1 else "/page")
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self.send_error(404)

    def _reply(self, content_type: str, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:
            pass  # the fetcher stopped reading at its limit


@pytest.fixture
def web() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def api():
    with FakeBotAPI() as server:
        yield server


@pytest.fixture
def living(tmp_path: Path, seed_db: Path) -> tuple[Path, Path]:
    """A store of its own (the tests add to it) and its seeds: copies."""
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    db = tmp_path / "store" / "lianghui.db"
    db.parent.mkdir()
    shutil.copyfile(seed_db, db)
    return seeds, db


async def say(api: FakeBotAPI, text: str, user_id: int, **push) -> SentMessage:
    before = len(api.sent_messages(user_id))
    api.push_message(text, user_id=user_id, **push)
    return (await api.await_for(lambda: api.sent_messages(user_id)[before:] or None))[-1]


async def settled(api: FakeBotAPI, user_id: int, done: tuple[str, ...] = ("已加入", "未加入"), after: int = 0) -> SentMessage:
    """The admin's progress message once the work is over: its last edit
    (among the messages after the first ``after``)."""
    return await api.await_for(
        lambda: next((m for m in reversed(api.sent_messages(user_id)[after:]) if visible_text(m.text).startswith(done)), None), timeout=60
    )


def buttons(message: SentMessage) -> list[tuple[str, str]]:
    markup = message.reply_markup or {}
    return [(b["text"], b.get("callback_data") or b.get("url", "")) for row in markup.get("inline_keyboard", []) for b in row]


async def quiet(api: FakeBotAPI, application, update_id: int) -> None:
    """The update was handled and nothing more is in flight."""
    await api.await_for(lambda: all(u["update_id"] != update_id for u in api.pending_updates()) and idle(application))


async def test_admins_add_files_followers_are_told_once_and_admins_remove_articles(api, living, tmp_path):
    seeds, db = living
    async with running_bot(api, Engine(db), tmp_path, seeds_dir=seeds) as application:
        followed = await say(api, "/follow chongqing", READER)  # pinyin, as everywhere
        await say(api, "/follow 重慶", BLOCKER)  # traditional characters
        assert "已关注重庆" in visible_text(followed.text)

        # Someone who is not an admin sends a file, or asks for the articles: no answer at all.
        for update_id in (
            api.push_document("web_article.txt", WEB_ARTICLE.read_bytes(), user_id=STRANGER),
            api.push_message("/articles", user_id=STRANGER),
            api.push_message("/remove web_article", user_id=STRANGER),
        ):
            await quiet(api, application, update_id)
        assert [] == api.sent_messages(STRANGER) and not (seeds / "web_article.txt").exists()

        api.block(BLOCKER)
        api.push_document("web_article.txt", WEB_ARTICLE.read_bytes(), user_id=ADMIN_ID)
        report = visible_text((await settled(api, ADMIN_ID)).text)
        progress = [visible_text(m.text) for m in api.sent_messages(ADMIN_ID)]
        told = await api.await_for(lambda: api.sent_messages(READER)[1:] or None)

        # The reader follows one of the article's delegates, by pinyin.
        await say(api, "/follow Ke Yunzhou", READER)
        # A reprint (the same words under another name) tells nobody again.
        sent = len(api.sent_messages(ADMIN_ID))
        # Another outlet's copy: its own source line, its last paragraph left out.
        reprinted = "来源：长城网\n" + "\n".join(WEB_ARTICLE.read_text(encoding="utf-8").rstrip().splitlines()[:-1]) + "\n"
        api.push_document("reprint.txt", reprinted.encode("utf-8"), user_id=ADMIN_ID)
        reprint = visible_text((await settled(api, ADMIN_ID, after=sent)).text)
        # New words from the delegate reach the reader, in one message.
        before = len(api.sent_messages(READER))
        api.push_document("follow-up.md", ("# " + FOLLOW_UP).encode("utf-8"), user_id=ADMIN_ID)
        follow_up = visible_text((await api.await_for(lambda: api.sent_messages(READER)[before:] or None))[0].text)
        await api.await_for(lambda: idle(application))
        following = application.bot_data["services"].state.followers()

        listing = await say(api, "/articles", ADMIN_ID)
        before = len(api.sent_messages(ADMIN_ID))
        api.push_callback_query(dict(buttons(listing))["删除 1"], message=listing.message, user_id=ADMIN_ID)
        removed = (await api.await_for(lambda: api.sent_messages(ADMIN_ID)[before:] or None))[-1]
        gone = await say(api, "/who 柯云舟", READER)

    assert progress[0].startswith("正在读取 web_article.txt") and "正在加入资料库……" in progress
    assert any(text.startswith("4 人，原话 3，表述 7，报道所述 3") for text in progress)
    assert "已加入《三城代表委员共话科技成果转化》" in report and "柯云舟" in report and "原话 3 · 表述 7 · 报道所述 3" in report
    assert "已通知 1 位关注者" in report
    assert 1 == len(told), "one message per article"
    notice = visible_text(told[0].text)
    assert notice.startswith("《三城代表委员共话科技成果转化》里有你关注的（重庆）新内容") and "柯云舟" in notice
    assert re.search(r"[1-9]\d* 条是已有内容的转载", reprint) and "已通知 0 位关注者" in reprint
    assert follow_up.startswith("《柯云舟代表再谈成果转化》里有你关注的") and "让更多实验室里的成果走进车间" in follow_up
    assert "同饮一江春水" not in follow_up
    assert 3 == len(api.sent_messages(READER)[1:]) - 1, "the reprint notified again"  # follow, notice, follow, notice
    assert {READER} == {user for users in following.values() for user in users}, "the blocked follower is dropped"
    assert visible_text(listing.text).startswith("最新文章（4/4）\n1. 《柯云舟代表再谈成果转化》")
    assert "已删除《柯云舟代表再谈成果转化》。" == visible_text(removed.text)
    assert not (seeds / "follow-up.txt").exists() and (seeds / "web_article.txt").exists()
    assert "让更多实验室里的成果走进车间" not in visible_text(gone.text)
    assert [] == [p for m in api.sent_messages() for p in validate_telegram_html(m.text)]


async def test_files_that_cannot_be_articles_each_get_one_line(api, living, tmp_path):
    seeds, db = living
    async with running_bot(api, Engine(db), tmp_path, seeds_dir=seeds):
        failures = {}
        for name, data in (
            ("photo.jpg", b"\xff\xd8\xff"),
            ("gbk.txt", "柯云舟表示，成果转化要提速。".encode("gbk")),
            ("notes.txt", "周末随笔\n今天天气很好，我们去公园散步。\n公园里的花都开了。\n".encode("utf-8")),
        ):
            api.push_document(name, data, user_id=ADMIN_ID)
            failures[name] = visible_text((await settled(api, ADMIN_ID, ("未加入",))).text)
            api.clear()
    assert "未加入：not an article: send a .txt, .html or .md file, not .jpg" == failures["photo.jpg"]
    assert failures["gbk.txt"].startswith("未加入：unreadable encoding")
    assert failures["notes.txt"].startswith("未加入：nothing attributed")
    assert sorted(path.name for path in SEEDS.iterdir()) == sorted(path.name for path in seeds.iterdir())


async def test_an_admins_url_is_fetched_saved_with_its_address_and_linked_from_answers(api, living, tmp_path, web):
    seeds, db = living
    async with running_bot(api, Engine(db), tmp_path, seeds_dir=seeds) as application:
        application.bot_data["services"].fetcher = functools.partial(fetch, address_allowed=loopback_only)
        refusals = {}
        for path in ("/report.pdf", "/huge", "/to-metadata", "/hop/4"):
            api.push_message(web + path, user_id=ADMIN_ID)
            refusals[path] = visible_text((await settled(api, ADMIN_ID, ("未加入",))).text)
            api.clear()
        api.push_message(web + "/hop/2", user_id=ADMIN_ID)
        report = visible_text((await settled(api, ADMIN_ID)).text)
        answer = await say(api, "/who 柯云舟", READER)
    saved = sorted(seeds.glob("web-127-0-0-1-*"))
    sidecar = next(path for path in saved if path.suffix == ".toml").read_text(encoding="utf-8")

    assert "that is not a web page or text" in refusals["/report.pdf"]
    assert "larger than 5 MB" in refusals["/huge"]
    assert "private or internal network" in refusals["/to-metadata"]
    assert "redirects too many times" in refusals["/hop/4"]
    assert "已加入《三城代表委员共话科技成果转化》" in report and web + "/hop/2" in report
    assert [".toml", ".txt"] == [path.suffix for path in saved]
    assert f'url = "{web}/hop/2"' in sidecar and "fetched = " in sidecar
    assert "首页" not in next(path for path in saved if path.suffix == ".txt").read_text(encoding="utf-8")
    assert f'<a href="{web}/hop/2">' in answer.text


async def test_unsafe_urls_are_refused_by_the_bot_itself(api, living, tmp_path, web):
    """The bot's own fetcher: the test's server is on loopback, so it is refused too."""
    seeds, db = living
    async with running_bot(api, Engine(db), tmp_path, seeds_dir=seeds):
        refusals = []
        for url in (web + "/page", "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "http://[::1]/", "http://metadata.google.internal/"):
            api.push_message(url, user_id=ADMIN_ID)
            refusals.append(visible_text((await settled(api, ADMIN_ID, ("未加入",))).text))
            api.clear()
        stranger = await say(api, web + "/page", STRANGER)
    assert 5 == len(refusals)
    assert all("internal" in line and "\n" not in line for line in refusals), refusals
    assert not list(seeds.glob("web-*"))
    assert not visible_text(stranger.text).startswith(("正在获取", "未加入"))  # anyone else's URL is a question


async def test_follows_survive_a_restart_and_unfollow_buttons_work(api, engine, tmp_path):
    async with running_bot(api, engine, tmp_path):
        answer = await say(api, "/who 马欣强", READER)
        follow_button = dict(buttons(answer))["关注 马新强"]
        before = len(api.sent_messages(READER))
        api.push_callback_query(follow_button, message=answer.message, user_id=READER)
        followed = (await api.await_for(lambda: api.sent_messages(READER)[before:] or None))[-1]
        await say(api, "/follow AI", READER)
        nothing = await say(api, "/follow 张三", READER)
    async with running_bot(api, engine, tmp_path):  # a restart
        listing = await say(api, "/following", READER)
        before = len(api.sent_messages(READER))
        api.push_callback_query(dict(buttons(listing))["取消关注 马新强"], message=listing.message, user_id=READER)
        edited = (await api.await_for(lambda: [m for m in api.sent_messages(READER)[before:] if m.method == "editMessageText"] or None))[-1]
        english = await say(api, "/following", OTHER_READER, language_code="en")
    assert "已关注马新强（武汉）" in visible_text(followed.text)
    assert "没有找到可关注的“张三”" in visible_text(nothing.text)
    assert ["• 马新强 /who", "• 人工智能 /topic"] == visible_text(listing.text).splitlines()[1:]
    assert ["• 人工智能 /topic"] == visible_text(edited.text).splitlines()[1:]
    assert ["取消关注 人工智能"] == [label for label, _ in buttons(edited)]
    assert "You follow nothing yet" in visible_text(english.text)
    with sqlite3.connect(tmp_path / "bot-state.db") as state:
        assert [("topic", "人工智能")] == state.execute("select kind, name from follows where user_id = ?", (READER,)).fetchall()


async def test_a_deep_link_answers_and_export_sends_a_csv(api, engine, tmp_path):
    person = engine.answer("/who 马新强").match
    async with running_bot(api, engine, tmp_path):
        opened = await say(api, f"/start p{to_base36(person.id)}", READER)
        export = dict(buttons(opened))["导出 CSV"]
        api.push_callback_query(export, message=opened.message, user_id=READER)
        document = (await api.await_for(lambda: api.sent_documents(READER) or None))[0]
        typed = await say(api, "/start i" + to_base36(engine.answer("/who 马新强").items[0].id), READER)
        api.push_inline_query("马新强", user_id=READER)
        inline = (await api.await_for(lambda: api.calls("answerInlineQuery") or None))[0].params["results"]
    rows = list(csv.DictReader(io.StringIO(document.data.decode("utf-8-sig"))))
    assert visible_text(opened.text).startswith("马新强（武汉）")
    assert document.filename == "lianghui-马新强.csv" and document.caption.startswith(f"{len(rows)} 条：马新强")
    assert len(rows) == engine.answer("/who 马新强").total > 5  # every page, not the one shown
    assert {"马新强"} == {row["speaker"] for row in rows if row["kind"] != "fact"} and rows[0]["outlet"] == "长江日报"
    assert visible_text(typed.text).startswith("原文")
    link = inline[0]["reply_markup"]["inline_keyboard"][0][0]["url"]
    assert link.startswith("https://t.me/lianghui_test_bot?start=i")
