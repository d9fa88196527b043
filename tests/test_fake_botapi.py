"""Proves FakeBotAPI is faithful enough to run the real python-telegram-bot against it."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import httpx
import pytest
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)
from telegram.error import BadRequest, InvalidToken, NetworkError, RetryAfter
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

try:  # tests/ as a package or (pytest's default rootdir insertion) on sys.path
    from .fake_botapi import DEFAULT_USER_ID, FakeBotAPI, UploadedFile
    from .telegram_html import utf16_len, validate_telegram_html, visible_text
except ImportError:
    from fake_botapi import DEFAULT_USER_ID, FakeBotAPI, UploadedFile  # type: ignore[no-redef]
    from telegram_html import utf16_len, validate_telegram_html, visible_text  # type: ignore[no-redef]

KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("好", callback_data="btn:1")]])


@pytest.fixture
def api() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as fake:
        yield fake


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.text is not None
    await update.message.reply_text(update.message.text, do_quote=True, reply_markup=KEYBOARD)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(f"start {' '.join(context.args or [])}")


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("收到")
    await query.edit_message_text(f"<b>pressed</b> {query.data}", parse_mode="HTML")


async def inline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.inline_query is not None
    text = update.inline_query.query
    await update.inline_query.answer(
        [InlineQueryResultArticle("1", text, InputTextMessageContent(text))], cache_time=0)


def build_app(api: FakeBotAPI, *, read_timeout: float | None = None,
              rate_limiter: AIORateLimiter | None = None) -> Application:
    builder = Application.builder().token(api.token).base_url(api.base_url)
    if read_timeout is not None:
        builder = builder.get_updates_request(HTTPXRequest(read_timeout=read_timeout))
    if rate_limiter is not None:
        builder = builder.rate_limiter(rate_limiter)
    app = builder.build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(CallbackQueryHandler(button))
    app.add_handler(InlineQueryHandler(inline))
    return app


@asynccontextmanager
async def polling(app: Application, timeout: int = 1) -> AsyncIterator[Application]:
    async with app:
        await app.start()
        await app.updater.start_polling(timeout=timeout, poll_interval=0)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


def replies_to(api: FakeBotAPI, update_id: int) -> list:
    msg = api.pushed(update_id)["message"]
    return [m for m in api.sent_messages(msg["chat"]["id"])
            if m.method == "sendMessage" and m.reply_to_message_id == msg["message_id"]]


# --------------------------------------------------------------------------- real PTB


@pytest.mark.asyncio
async def test_echo_callback_inline_and_commands(api: FakeBotAPI) -> None:
    async with polling(build_app(api)) as app:
        assert app.bot.username == "lianghui_test_bot"
        uid = api.push_message("你好 <world> & 😀")
        (reply,) = await api.await_for(lambda: replies_to(api, uid))
        assert reply.text == "你好 <world> & 😀"
        assert reply.chat_id == DEFAULT_USER_ID
        assert reply.reply_markup == {
            "inline_keyboard": [[{"text": "好", "callback_data": "btn:1"}]]}
        assert reply.message["from"]["is_bot"] is True

        api.push_callback_query("btn:1", message=reply.message)
        (answer,) = await api.await_calls("answerCallbackQuery")
        assert answer.params["text"] == "收到"
        (edit,) = await api.await_calls("editMessageText")
        assert edit.result["text"] == "pressed btn:1"
        assert edit.result["message_id"] == reply.message_id
        assert [m.method for m in api.sent_messages()] == ["sendMessage", "editMessageText"]

        with pytest.raises(BadRequest, match="(?i)query is too old"):  # a press is answered once
            await app.bot.answer_callback_query(answer.params["callback_query_id"], "again")

        api.push_inline_query("abc")
        (iq,) = await api.await_calls("answerInlineQuery")
        assert iq.params["results"][0]["input_message_content"]["message_text"] == "abc"
        assert iq.params["cache_time"] == 0

        gid = api.push_message("/start@lianghui_test_bot x y", chat_type="supergroup")
        group = api.pushed(gid)["message"]["chat"]["id"]
        (started,) = await api.await_for(lambda: api.sent_messages(group))
        assert started.text == "start x y" and started.message["chat"]["type"] == "supergroup"

        assert await app.bot.set_my_commands([BotCommand("start", "开始")], language_code="zh")
        assert api.commands(language_code="zh") == [{"command": "start", "description": "开始"}]
        assert api.commands() is None
        assert await app.bot.get_my_commands(language_code="zh") == (BotCommand("start", "开始"),)
        assert await app.bot.delete_my_commands(language_code="zh")
        assert api.commands(language_code="zh") is None
    assert api.calls("getMe") and api.calls("deleteWebhook")


@pytest.mark.asyncio
async def test_offsets_are_confirmed_across_restarts(api: FakeBotAPI) -> None:
    first = [api.push_message(f"m{i}") for i in range(3)]
    async with polling(build_app(api)):
        await api.await_for(lambda: all(replies_to(api, u) for u in first))
    # PTB's stop() calls getUpdates once more with the last offset, confirming everything.
    assert api.pending_updates() == []
    assert [len(replies_to(api, u)) for u in first] == [1, 1, 1]
    api.clear()
    async with polling(build_app(api)):
        second = api.push_message("again")
        await api.await_for(lambda: replies_to(api, second))
        delivered = {u["update_id"] for c in api.calls("getUpdates") for u in c.result or []}
        assert delivered == {second}
    assert [len(replies_to(api, u)) for u in [*first, second]] == [0, 0, 0, 1]  # no re-echo


@pytest.mark.asyncio
@pytest.mark.parametrize(("fault", "kw"), [
    ("429", {"retry_after": 1}), ("500", {}), ("502", {}), ("503", {}),
    ("timeout", {"delay": 1.5}), ("drop", {}), ("malformed", {}),
])
async def test_polling_survives_get_updates_fault(api: FakeBotAPI, fault: str, kw: dict) -> None:
    api.inject("getUpdates", fault, **kw)  # bootstrap uses deleteWebhook, so the 1st poll fails
    first = api.push_message("before")
    # get_updates read timeout = request read_timeout + polling timeout = 0.3 + 1 < delay
    async with polling(build_app(api, read_timeout=0.3), timeout=1) as app:
        await api.await_for(lambda: replies_to(api, first))
        assert [f.fault for f in api.faults_served] == [fault]
        second = api.push_message("after")
        await api.await_for(lambda: replies_to(api, second))
        assert app.updater.running
    assert api.pending_updates() == []
    assert (len(replies_to(api, first)), len(replies_to(api, second))) == (1, 1)
    # the faulted call had no effect: every effective getUpdates is recorded, the fault is not
    assert all(c.method == "getUpdates" for c in api.calls("getUpdates"))


@pytest.mark.asyncio
async def test_send_message_faults_are_not_retried_without_rate_limiter(api: FakeBotAPI) -> None:
    errors: list[BaseException] = []
    app = build_app(api)

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        errors.append(context.error)  # type: ignore[arg-type]

    app.add_error_handler(on_error)
    api.inject("sendMessage", "500")
    api.inject("sendMessage", "429", retry_after=1)
    async with polling(app):
        lost = [api.push_message("a"), api.push_message("b")]
        await api.await_for(lambda: len(errors) == 2)
        ok = api.push_message("c")
        await api.await_for(lambda: replies_to(api, ok))
    assert [type(e) for e in errors] == [NetworkError, RetryAfter]
    assert [replies_to(api, u) for u in lost] == [[], []]
    assert len(api.calls("sendMessage")) == 1 and len(api.faults_served) == 2


@pytest.mark.asyncio
async def test_rate_limiter_retries_send_message_after_429(api: FakeBotAPI) -> None:
    api.inject("sendMessage", "429", retry_after=1)
    async with polling(build_app(api, rate_limiter=AIORateLimiter(max_retries=1))):
        uid = api.push_message("hi")
        await api.await_for(lambda: replies_to(api, uid))
    (fault,) = api.faults_served
    (call,) = api.calls("sendMessage")
    assert call.time - fault.time >= 1.0
    assert len(replies_to(api, uid)) == 1


@pytest.mark.asyncio
async def test_wrong_token_is_invalid_token(api: FakeBotAPI) -> None:
    bot = Bot("987654:wrong", base_url=api.base_url)
    with pytest.raises(InvalidToken):
        await bot.initialize()  # getMe -> 401
    await bot.shutdown()


# --------------------------------------------------------------------------- raw HTTP


def test_form_json_query_and_multipart_bodies(api: FakeBotAPI) -> None:
    url = f"{api.base_url}{api.token}"
    markup = {"inline_keyboard": [[{"text": "x", "callback_data": "d"}]]}
    with httpx.Client() as http:
        form = http.post(f"{url}/sendMessage", data={
            "chat_id": "42", "text": "123", "reply_markup": json.dumps(markup),
            "reply_parameters": json.dumps({"message_id": 7})}).json()
        assert form["ok"] and form["result"]["chat"]["id"] == 42
        assert form["result"]["text"] == "123" and form["result"]["reply_markup"] == markup
        body = http.post(f"{url}/SENDMESSAGE", json={
            "chat_id": 42, "text": "json", "reply_markup": markup}).json()
        assert body["result"]["message_id"] == form["result"]["message_id"] + 1
        query = http.get(f"{url}/sendmessage", params={"chat_id": "-100", "text": "q"}).json()
        assert query["result"]["chat"]["type"] == "supergroup"
        multi = http.post(f"{url}/sendMessage", data={"chat_id": "42", "text": "m"},
                          files={"doc": ("a.txt", b"abc", "text/plain")}).json()
        assert multi["result"]["text"] == "m"
        assert http.post(f"{url}/getme").json()["result"]["username"] == "lianghui_test_bot"

        bad_html = http.post(f"{url}/sendMessage", data={
            "chat_id": "42", "text": "<b>x", "parse_mode": "HTML"})
        assert bad_html.status_code == 400
        assert "can't parse entities" in bad_html.json()["description"]
        assert http.post(f"{url}/nope").json() == {
            "ok": False, "error_code": 404, "description": "Not Found"}
        assert http.post(f"{api.base_url}1:bad/getMe").status_code == 401

    sent = api.sent_messages(42)
    assert [m.text for m in sent] == ["123", "json", "m"]
    assert sent[0].reply_markup == sent[1].reply_markup == markup
    assert sent[0].reply_to_message_id == 7
    (mp,) = [c for c in api.calls("sendMessage") if c.params.get("text") == "m"]
    assert mp.params["doc"] == UploadedFile("a.txt", "text/plain", b"abc")
    assert mp.params["chat_id"] == 42


def test_lenient_stand_in_only_drops_tags() -> None:
    """The benchmark's stand-in (strict_html=False) checks nothing and only
    drops tags: it stands for Telegram's machines but shares the bot's CPUs."""
    with FakeBotAPI(strict_html=False) as lenient, httpx.Client() as http:
        reply = http.post(f"{lenient.base_url}{lenient.token}/sendMessage", json={
            "chat_id": 42, "text": "<b>马新强</b> &amp; <i>unclosed", "parse_mode": "HTML"}).json()
    assert reply["ok"]
    assert "马新强 & unclosed" == reply["result"]["text"]


def test_get_updates_long_poll_offset_limit_and_allowed_updates(api: FakeBotAPI) -> None:
    url = f"{api.base_url}{api.token}/getUpdates"
    results: list[dict] = []

    def poll() -> None:
        results.append(httpx.post(url, data={"timeout": "5"}, timeout=10).json())

    thread = threading.Thread(target=poll)
    started = time.monotonic()
    thread.start()
    api.wait_for_calls("getUpdates", 1)
    uid = api.push_message("wake up")
    thread.join(5)
    assert time.monotonic() - started < 3
    assert [u["update_id"] for u in results[0]["result"]] == [uid]

    ids = [uid, api.push_inline_query("q"), api.push_message("x")]
    get = lambda **p: [u["update_id"] for u in httpx.post(url, data=p).json()["result"]]  # noqa: E731
    assert get(limit=2) == ids[:2]
    assert get(offset=ids[1]) == ids[1:]
    assert get(allowed_updates=json.dumps(["inline_query"])) == [ids[1]]
    assert get(allowed_updates="[]") == ids[1:]
    assert get(offset=-1) == ids[2:]
    assert get(offset=ids[2] + 1, timeout=0) == []

    api.inject("getUpdates", "500")
    assert httpx.post(url).status_code == 500
    assert [f.fault for f in api.faults_served] == ["500"]

    httpx.post(f"{api.base_url}{api.token}/setWebhook",
               data={"url": "https://example.com/hook", "secret_token": "s3cret"})
    assert api.webhook["secret_token"] == "s3cret"
    assert httpx.post(url).status_code == 409
    info = httpx.get(f"{api.base_url}{api.token}/getWebhookInfo").json()["result"]
    assert info["url"] == "https://example.com/hook"


def test_auto_entities() -> None:
    text = "/start@lianghui_test_bot 😀 @some_user hi"
    assert FakeBotAPI.auto_entities(text) == [
        {"type": "bot_command", "offset": 0, "length": 24},
        {"type": "mention", "offset": 28, "length": 10},
    ]
    assert FakeBotAPI.auto_entities("mail a@b.com") == []


# --------------------------------------------------------------------------- HTML


@pytest.mark.parametrize("html", [
    "plain text",
    "<b>bold</b> <strong>s</strong> <i>i</i><em>e</em><u>u</u><ins>i</ins><s>s</s>"
    "<strike>s</strike><del>d</del>",
    '<span class="tg-spoiler">x</span> <tg-spoiler>y</tg-spoiler>',
    '<a href="https://example.com/?a=1&amp;b=2">link</a>',
    '<a href="tg://user?id=123">user</a>',
    '<pre><code class="language-python">print("&lt;hi&gt;")</code></pre>',
    "<code>x &amp;&amp; y</code>",
    "<blockquote expandable>long</blockquote><blockquote>q</blockquote>",
    '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
    "&lt; &gt; &amp; &quot; &#60; &#x3C;",
    "<b>bold <i>italic <u>under</u></i></b>",
    "<B>upper</B>",
    "😀" * 2048,
])
def test_valid_telegram_html(html: str) -> None:
    assert validate_telegram_html(html) == []


@pytest.mark.parametrize(("html", "needle"), [
    ("<div>x</div>", "unsupported tag"),
    ("<br/>line", "unsupported tag"),
    ("<b>x", "unclosed <b>"),
    ("x</b>", "no matching"),
    ("<b><i>x</b></i>", "before inner"),
    ("fish & chips", "bare '&'"),
    ("&nbsp;", "bare '&'"),
    ("1 < 2", "bare '<'"),
    ("2 > 1", "bare '>'"),
    ("", "empty"),
    ("  <b> </b> ", "empty"),
    ("a" * 4097, "too long"),
    ("😀" * 2049, "too long"),
    ("<a>x</a>", "href"),
    ('<a href="">x</a>', "href"),
    ("<span>x</span>", "tg-spoiler"),
    ('<span class="bold">x</span>', "tg-spoiler"),
    ('<code class="python">x</code>', "language-"),
    ("<tg-emoji>x</tg-emoji>", "emoji-id"),
    ("<code><b>x</b></code>", "inside <code>"),
    ("<blockquote><blockquote>x</blockquote></blockquote>", "nested"),
])
def test_invalid_telegram_html(html: str, needle: str) -> None:
    problems = validate_telegram_html(html)
    assert any(needle in p for p in problems), problems


def test_visible_text() -> None:
    assert visible_text('<b>a</b> &lt;b&gt; <a href="x">&#20320;</a>') == "a <b> 你"
    assert utf16_len("a😀") == 3


def test_a_late_fault_delivers_and_then_answers_late(api: FakeBotAPI) -> None:
    """Unlike "timeout", which has no effect, "late" stands for a Telegram
    that carried the request out and is slow to say so."""
    api.inject("sendMessage", "late", delay=0.5)
    url = f"{api.base_url}{api.token}/sendMessage"
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(url, json={"chat_id": 5, "text": "一"}, timeout=httpx.Timeout(5.0, read=0.2))
    assert ["一"] == [m.text for m in api.sent_messages(5)]  # delivered all the same
    answered = httpx.post(url, json={"chat_id": 5, "text": "二"}, timeout=5.0)
    assert answered.json()["ok"]  # the fault was for one call only
    late = api.faults_served[0]
    assert ("sendMessage", "late") == (late.method, late.fault)
    assert 2 == len(api.calls("sendMessage"))
