"""The handlers: each parses an update, asks the engine, and sends the answer
rendered as Telegram HTML with its buttons.

Button data is always a message the bot would answer (``/more …``,
``/context …``, ``/who 马新强``), so a button press and a typed message take
the same path, and forged data is just another message.
"""

from __future__ import annotations

import asyncio
import html
import logging
import math
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from ..config import Settings, redact, secret_parts
from ..engine import Engine
from ..engine.answer import Answer, Intent, deep_link_payload, to_base36
from ..render import TELEGRAM_LIMIT, ButtonRows, button_rows, chat_rows, to_html_messages
from ..strings import language, t
from ..text import well_formed
from .buttons import BUTTON_BYTES, CallbackData, keyboard
from .desk import ArticleDesk
from .limits import GROUP_PER_MINUTE, LRU, SlidingWindow, UserRateLimit
from .stats import LoopLag, Stats
from .transport import unanswered
from .updates import describe
from .userstate import IN_MEMORY, UserState

log = logging.getLogger(__name__)


INLINE_PAGE = 50  # Telegram's limit on results per inline answer
INLINE_QUERY_CHARS = 256  # Telegram's limit on an inline query
REPLY_CACHE = 2048  # rendered replies remembered, most recent kept
KEYBOARD_CACHE = 1024  # keyboards remembered, most recent kept


@dataclass
class Services:
    """What the handlers share, kept in ``application.bot_data``.

    ``answer_in_thread``: work answers out in a worker thread, not on the
    event loop. Most answers take well under a millisecond, but a typo
    looked up in a large store takes tens: on the loop every update behind it
    waits, and at 30 updates/s on the 1,000-article store the loop's p99
    latency was seconds against tens of milliseconds in a thread (README,
    Benchmarks). The loop is kept for the benchmark's comparison."""

    engine: Engine
    settings: Settings
    stats: Stats
    user_limit: UserRateLimit
    answer_in_thread: bool = True
    lag: LoopLag | None = None
    replies: LRU = field(default_factory=lambda: LRU(REPLY_CACHE))
    # Different questions often get the same buttons (马欣强, maxinqiang and
    # 马新强 the same person's), and making a keyboard's buttons costs about
    # 10 µs each.
    keyboards: LRU = field(default_factory=lambda: LRU(KEYBOARD_CACHE))
    callback_data: CallbackData = field(default_factory=CallbackData)
    group_budget: SlidingWindow = field(default_factory=lambda: SlidingWindow(GROUP_PER_MINUTE))
    # Follows, language choices, what each user was told of (bot.telegram.userstate).
    state: UserState = field(default_factory=lambda: UserState(IN_MEMORY))
    # Buttons whose command is not a question (/follow, /export, /remove):
    # the command's first word -> what handles a press, given the command.
    button_handlers: dict[str, Callable[[Update, ContextTypes.DEFAULT_TYPE, str], Awaitable[None]]] = field(default_factory=dict)
    desk: ArticleDesk | None = None  # adds and removes articles for the admins
    # How a URL an admin sends is fetched (bot.ingest.fetch.fetch when None);
    # tests put one here that may reach their local server.
    fetcher: Callable[[str], Any] | None = None


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.application.bot_data["services"]


def share_text(answer: Answer, index: int) -> str:
    """A quote as shared from inline mode: the words, the speaker, the source."""
    item = answer.items[index]
    speaker = html.escape(item.speaker or "—", quote=False)
    city = f"（{html.escape(item.speaker_city, quote=False)}）" if item.speaker_city else ""
    words = html.escape(item.text, quote=False)
    body = f"“{words}”" if item.kind == "quote" else words
    source = html.escape(item.source.line(), quote=False)
    if item.source.url and item.source.url.lower().startswith(("http://", "https://")):
        source = f'<a href="{html.escape(item.source.url, quote=True)}">{source}</a>'
    text = f"{body}\n—— <b>{speaker}</b>{city}，<i>{source}</i>"
    if len(text) > TELEGRAM_LIMIT:
        cut = html.escape(item.text[: TELEGRAM_LIMIT // 2], quote=False)
        text = f"“{cut}…”\n—— <b>{speaker}</b>{city}"
    return text


def user_language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """The user's chosen language (/lang), else their Telegram language: zh* or English."""
    user = update.effective_user
    chosen = services(context).state.language(user.id) if user else None
    if chosen:
        return chosen
    return language(user.language_code if user else None)


@dataclass(frozen=True)
class Reply:
    """An answer as Telegram shows it: the HTML parts and the buttons, with
    what the handlers need to know of the answer."""

    intent: Intent
    subject: str | None
    parts: tuple[str, ...]
    markup: InlineKeyboardMarkup | None


def rendered_answer(engine: Engine, text: str, lang: str) -> tuple[Answer, tuple[str, ...], ButtonRows]:
    """The engine's answer to a message, as Telegram HTML messages and button rows."""
    answer = engine.answer(text, lang)
    return answer, tuple(to_html_messages(answer, lang)), button_rows(answer, lang) + chat_rows(answer, lang)


async def ask_engine(context: ContextTypes.DEFAULT_TYPE, text: str, lang: str, user_id: int | None = None) -> Reply:
    """The reply to a message. Recent replies are remembered: the same
    question asked again costs nothing until the store changes. /quote is
    random and never remembered. A /lang choice is kept here, so a typed
    /lang and a pressed one are the same."""
    shared = services(context)
    started = time.perf_counter()
    text = well_formed(text)
    shared.engine.store.refresh()  # a rebuilt store makes every remembered reply stale
    key = (shared.engine.store.generation, text, lang)
    reply = shared.replies.get(key)
    if reply is None:
        if shared.answer_in_thread:
            answer, parts, rows = await asyncio.to_thread(rendered_answer, shared.engine, text, lang)
        else:
            answer, parts, rows = rendered_answer(shared.engine, text, lang)
        # Keyboards are made here, on the loop, where their cache is never shared with a thread.
        markup = shared.keyboards.touch(rows, lambda: keyboard(rows, shared.callback_data))
        reply = Reply(answer.intent, answer.subject, parts, markup)
        if reply.intent != Intent.QUOTE:
            shared.replies.touch(key, lambda: reply)
    else:
        shared.replies.move_to_end(key)
    if reply.intent == Intent.LANGUAGE and reply.subject and user_id is not None:
        shared.state.set_language(user_id, reply.subject)
    shared.stats.record(text, reply.intent, time.perf_counter() - started)
    return reply


async def acknowledge(query: CallbackQuery, text: str | None = None) -> bool:
    """Answer a button press; whether Telegram took the answer. It refuses
    one for a press older than about 15 minutes (the bot was down, or the
    update waited in the queue), and a second one: the press is still worth
    acting on, so that refusal is not an error."""
    try:
        await query.answer(text)
    except BadRequest as error:
        log.debug("could not answer a button press: %s", error)
        return False
    return True


def group_budget_wait(update: Update, context: ContextTypes.DEFAULT_TYPE, messages: int, counted: bool = True) -> int:
    """0 when ``messages`` more may go to the update's chat now (in a group
    they are counted against its GROUP_PER_MINUTE); otherwise the seconds
    until they may. A group past Telegram's limit gets no answer, at once:
    waiting for its budget inside a handler held the slots other chats need
    (FloodControl still paces every send, as a safety net). The refusal is
    logged, and counted in /stats as rate-limited unless ``counted`` is off
    (a notice about something counted already)."""
    chat = update.effective_chat
    if chat is None or chat.type == ChatType.PRIVATE:
        return 0
    shared = services(context)
    wait = shared.group_budget.take(chat.id, messages)
    if not wait:
        return 0
    if counted:
        shared.stats.rate_limited += 1
    log.info("chat %d has had its %d messages this minute: not answering (room again in %.0f s)", chat.id, GROUP_PER_MINUTE, wait)
    return math.ceil(wait)


async def notify(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    """One plain message to the update's chat (slow down, something went
    wrong), unless its group has had its messages this minute."""
    if update.effective_message and not group_budget_wait(update, context, 1, counted=False):
        await update.effective_message.reply_text(html.escape(text))


async def within_limit(update: Update, context: ContextTypes.DEFAULT_TYPE, lang: str) -> bool:
    """Whether the user is within the per-user rate limit. A user over it is
    told once (a reply, a toast for a button, a button above empty inline
    results); their button presses and inline queries are still answered,
    so their client stops waiting."""
    user = update.effective_user
    if user is None:
        return True
    shared = services(context)
    allowed, tell, wait = shared.user_limit.check(user.id)
    if allowed:
        return True
    shared.stats.rate_limited += 1
    slow_down = t(lang, "slow_down", seconds=wait)
    if update.callback_query:
        await acknowledge(update.callback_query, slow_down if tell else None)
    elif update.inline_query:
        button = InlineQueryResultsButton(text=slow_down, start_parameter="help") if tell else None
        await update.inline_query.answer([], cache_time=0, is_personal=True, button=button)
    elif tell:
        await notify(update, context, slow_down)
    return False


async def reply(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    """Answer a message: the engine's answer as HTML, with buttons on the last part."""
    lang = user_language(update, context)
    if not await within_limit(update, context, lang):
        return
    reply = await ask_engine(context, text, lang, update.effective_user.id if update.effective_user else None)
    if group_budget_wait(update, context, len(reply.parts)):
        return
    services(context).callback_data.grant(reply.markup, update.effective_chat.id)
    await send_reply(update.effective_message, reply, in_group=update.effective_chat.type != ChatType.PRIVATE)


async def send_reply(message: Message, reply: Reply, in_group: bool) -> None:
    for number, part in enumerate(reply.parts):
        last = number == len(reply.parts) - 1
        # In a group, thread the answer under the question so it is clear whom it answers.
        await message.reply_text(part, reply_markup=reply.markup if last else None, do_quote=in_group and number == 0)


async def on_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any engine command: /start, /help, /city, /who, /topic, /quote, /search, /more, /context, /lang."""
    message = update.effective_message
    if not message or not message.text:
        return
    await reply(update, context, message.text)


async def on_private_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Plain text in a private chat is a question."""
    message = update.effective_message
    if not message or not message.text:
        return
    await reply(update, context, message.text)


async def on_group_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """In a group, answer only when the bot is mentioned or replied to; stay
    quiet on everything else (and so work with privacy mode on)."""
    message = update.effective_message
    if not message or not message.text:
        return
    me = context.bot.username or ""
    mention = f"@{me}".lower()
    mentioned = any(
        entity.type == MessageEntity.MENTION and message.parse_entity(entity).lower() == mention
        for entity in message.entities or ()
    )
    replied = bool(message.reply_to_message and message.reply_to_message.from_user and message.reply_to_message.from_user.id == context.bot.id)
    if not (mentioned or replied):
        return
    text = message.text
    if mentioned:
        text = " ".join(word for word in text.split() if word.lower() != mention)
    await reply(update, context, text or "/help")


async def on_unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A command the bot does not have. In a group, only when addressed to this
    bot: /foo without @ may be meant for another bot."""
    message = update.effective_message
    if not message or not message.text:
        return
    command = message.text.split()[0]
    if command.split("@")[0].lstrip("/").lower() == "stats":
        return  # /stats is for admins only; everyone else gets no answer
    if update.effective_chat.type != ChatType.PRIVATE:
        if "@" not in command or command.split("@", 1)[1].lower() != (context.bot.username or "").lower():
            return
    await reply(update, context, message.text)


async def on_callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button press. Paging edits the message in place; other buttons
    (context, did-you-mean, examples) answer with a new message."""
    query = update.callback_query
    if query is None:
        return
    lang = user_language(update, context)
    data = query.data or ""
    message = query.message
    chat_id = message.chat.id if message else None  # a button's digest works only in the chats it was sent to
    command = services(context).callback_data.decode(data, chat_id) if data.strip() and len(data.encode("utf-8", "surrogatepass")) <= BUTTON_BYTES else None
    if command is None:
        await acknowledge(query, t(lang, "expired"))
        return
    if not await within_limit(update, context, lang):
        return
    pressed = services(context).button_handlers.get(command.split(maxsplit=1)[0])
    if pressed is not None:
        await pressed(update, context, command)
        return
    reply = await ask_engine(context, command, lang, update.effective_user.id if update.effective_user else None)
    if reply.intent == Intent.EXPIRED:
        await acknowledge(query, t(lang, "expired"))
        return
    if not isinstance(message, Message):
        await acknowledge(query)
        return  # an inline message or one too old to reach: nothing to edit or reply to
    editing = command.startswith("/more ") and len(reply.parts) == 1
    wait = group_budget_wait(update, context, 1 if editing else len(reply.parts))
    await acknowledge(query, t(lang, "slow_down", seconds=wait) if wait else None)
    if wait:
        return
    services(context).callback_data.grant(reply.markup, message.chat.id)
    if editing:
        try:
            await query.edit_message_text(reply.parts[0], reply_markup=reply.markup)
        except TelegramError as error:
            if "not modified" not in str(error).lower():
                raise
        return
    await send_reply(message, reply, in_group=message.chat.type != ChatType.PRIVATE)


async def on_inline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """@bot 马新强 in any chat: matching quotes to share, 50 per page."""
    inline = update.inline_query
    if inline is None:
        return
    if not await within_limit(update, context, user_language(update, context)):
        return
    text = well_formed((inline.query or "")[:INLINE_QUERY_CHARS])
    # The offset is the next_offset this bot handed out, but a client can send
    # anything: only plain ASCII digits count (str.isdigit() also admits "²").
    offset_text = inline.offset or "0"
    offset = int(offset_text) if re.fullmatch(r"[0-9]{1,6}", offset_text) else 0
    shared = services(context)
    started = time.perf_counter()
    answer = await asyncio.to_thread(shared.engine.share, text, offset, INLINE_PAGE)
    shared.stats.record("@inline " + text, answer.intent, time.perf_counter() - started)
    results = []
    lang = user_language(update, context)
    for index, item in enumerate(answer.items):
        speaker = item.speaker or "—"
        # A shared quote carries a way back: the bot opened on this item.
        opening = InlineKeyboardButton(t(lang, "label.open"), url=deep_link(context.bot.username, "item", item.id))
        results.append(
            InlineQueryResultArticle(
                id=to_base36(item.id),
                title=f"{speaker}：{item.text[:50]}",
                description=item.source.line()[:100],
                input_message_content=InputTextMessageContent(share_text(answer, index), parse_mode=ParseMode.HTML),
                reply_markup=InlineKeyboardMarkup([[opening]]),
            )
        )
    more = offset + len(answer.items) < answer.total
    # No next_offset means no more results. (An empty string would be the same to
    # Telegram, but python-telegram-bot 22.8 with Defaults turns "" into [].)
    await inline.answer(results, next_offset=str(offset + INLINE_PAGE) if more else None, cache_time=60)


def deep_link(username: str | None, kind: str, entity_id: int) -> str:
    """https://t.me/<bot>?start=<payload>: the bot opened on a person, city, topic or item."""
    return f"https://t.me/{username or ''}?start={deep_link_payload(kind, entity_id)}"


async def on_stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stats for the admins named in ADMIN_IDS; no answer for anyone else."""
    user = update.effective_user
    shared = services(context)
    if user is None or user.id not in shared.settings.admin_ids or update.effective_message is None:
        return
    if group_budget_wait(update, context, 1):
        return
    # Top queries are what people typed: someone may have pasted the token.
    text = redact(shared.stats.render(user_language(update, context)), secret_parts(shared.settings.token))
    await update.effective_message.reply_text(text)


async def forget_users_without_choices(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """After the answer, forget a user with nothing to keep (no /lang).
    python-telegram-bot makes an entry in application.user_data for everyone
    who sends anything and never removes it: 1,500 inline users were 1,500
    entries for good."""
    user = update.effective_user
    if user is None:
        return
    if not context.application.user_data.get(user.id):
        context.application.drop_user_data(user.id)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure first, then tell the person something went wrong, in
    their language, without details: a failed button press as the answer to
    the press (else its spinner turns until Telegram gives up), in the chat
    when the press was answered already."""
    if unanswered(context.error):
        # The answer may well have arrived: saying something went wrong would
        # be one message more, to a Telegram that is slow to answer already.
        log.warning("gave up on %s: Telegram did not answer (%s)", describe(update), context.error.__class__.__name__)
        return
    log.error("failed to handle an update", exc_info=context.error)
    if "services" not in context.application.bot_data:
        return  # the application is not the bot's (or not built yet): nothing to count in, no one to tell
    services(context).stats.errors += 1
    if not isinstance(update, Update):
        return
    text = t(user_language(update, context), "error")
    try:
        if update.callback_query and await acknowledge(update.callback_query, text):
            return
        await notify(update, context, text)
    except TelegramError:
        log.warning("could not tell the user about the failure")
