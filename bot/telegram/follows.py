"""Readers follow people, cities and topics: /follow, /following, the
Follow and Unfollow buttons, and the message each follower gets when an
added article brings new items about what they follow.

Names resolve as everywhere else (the engine's resolver); which new items
match whom is the engine's (``Engine.followed``); who follows what lives in
the state file (``UserState``). Notifications go out through the bot's own
sending, so FloodControl paces them as it paces replies.
"""

from __future__ import annotations

import asyncio
import html
import logging

from telegram import InlineKeyboardMarkup, Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import Application, ContextTypes

from ..engine.answer import Intent, Item
from ..engine.follows import ArticleReport
from ..render import follow_command, notification_html, unfollow_command
from ..strings import language, t
from .buttons import keyboard
from .handlers import Services, acknowledge, group_budget_wait, services, user_language, within_limit

log = logging.getLogger(__name__)

SENDING_AT_ONCE = 30  # notifications handed to FloodControl at a time: its 30 a second


async def on_follow(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/follow 马新强, typed."""
    message = update.effective_message
    if message and message.text:
        await follow(update, context, message.text)


async def follow(update: Update, context: ContextTypes.DEFAULT_TYPE, command: str) -> None:
    """Follow what the command names (/follow 马欣强, or a button's /follow #p…)."""
    user = update.effective_user
    if user is None:
        return
    lang = user_language(update, context)
    if update.callback_query is None and not await within_limit(update, context, lang):
        return
    shared = services(context)
    args = command.split(maxsplit=1)[1] if " " in command.strip() else ""
    if not args.strip():
        await _tell(update, context, html.escape(t(lang, "follow_usage"), quote=False))
        return
    subject = shared.engine.subject(args)
    if subject.match is None:
        if subject.intent == Intent.EXPIRED:
            await _tell(update, context, html.escape(t(lang, "expired"), quote=False))
            return
        text = html.escape(t(lang, "follow_not_found", subject=subject.subject or args[:60]), quote=False)
        # Each suggestion's button follows it at once.
        rows = tuple(((s.name + (f"（{s.city}）" if s.city else ""), follow_command(s.kind, s.id)),) for s in subject.suggestions)
        await _tell(update, context, text, keyboard(rows, shared.callback_data))
        return
    match = subject.match
    added = shared.state.follow(user.id, match.kind, match.id, match.name, lang)
    key = "follow_done" if added else "follow_already"
    name = match.name + (f"（{match.city}）" if match.city and match.kind == "person" else "")
    await _tell(update, context, html.escape(t(lang, key, name=name), quote=False))


async def on_unfollow(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message and message.text:
        await unfollow(update, context, message.text)


async def unfollow(update: Update, context: ContextTypes.DEFAULT_TYPE, command: str) -> None:
    """Stop following (the Unfollow button under /following, or /unfollow X)."""
    user = update.effective_user
    if user is None:
        return
    lang = user_language(update, context)
    shared = services(context)
    args = command.split(maxsplit=1)[1] if " " in command.strip() else ""
    subject = shared.engine.subject(args) if args.strip() else None
    if subject is None or subject.match is None:
        await _tell(update, context, html.escape(t(lang, "follow_usage"), quote=False))
        return
    match = subject.match
    removed = shared.state.unfollow(user.id, match.kind, match.id)
    text = html.escape(t(lang, "unfollow_done" if removed else "unfollow_not", name=match.name), quote=False)
    query = update.callback_query
    if query is not None and removed and query.message is not None:
        # The /following list the button sat under: shown again without it.
        await acknowledge(query, text)
        listing, markup = following_message(shared, user.id, lang)
        try:
            await query.edit_message_text(listing, reply_markup=markup)
        except TelegramError as error:
            log.debug("could not update the following list: %s", error)
        return
    await _tell(update, context, text)


def following_message(shared: Services, user_id: int, lang: str) -> tuple[str, InlineKeyboardMarkup | None]:
    """What a user follows, with an Unfollow button for each."""
    followed = shared.state.following(user_id)
    if not followed:
        return html.escape(t(lang, "following_none"), quote=False), None
    kinds = {"person": "who", "city": "city", "topic": "topic"}
    lines = [f"<b>{html.escape(t(lang, 'following_title'), quote=False)}</b>"]
    lines += [f"• {html.escape(entry.name, quote=False)} <code>/{kinds[entry.kind]}</code>" for entry in followed]
    rows = tuple(((t(lang, "label.unfollow", name=entry.name), unfollow_command(entry.kind, entry.entity_id)),) for entry in followed)
    return "\n".join(lines), keyboard(rows, shared.callback_data)


async def on_following(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/following: the list, with Unfollow buttons."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    lang = user_language(update, context)
    if not await within_limit(update, context, lang):
        return
    text, markup = following_message(services(context), user.id, lang)
    await _tell(update, context, text, markup)


async def _tell(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """The answer to a command or a button: a message in the chat (a
    button's press is answered first, so its spinner stops)."""
    if update.callback_query is not None:
        await acknowledge(update.callback_query)
    message = update.effective_message
    if message is None or group_budget_wait(update, context, 1):
        return
    await message.reply_text(text, reply_markup=markup)


# Notifications ----------------------------------------------------------------


async def notify_followers(application: Application, report: ArticleReport) -> int:
    """Tell each follower what the article brings about what they follow:
    one message per follower, the new items with their sources. Items a
    follower was told of before (the same words, reprinted) are left out; a
    follower who blocked the bot is forgotten. How many were told."""
    shared: Services = application.bot_data["services"]
    followers = shared.state.followers()
    if not followers or not report.new_items:
        return 0
    matched = shared.engine.followed(list(report.new_items), followers)
    if not matched:
        return 0
    per_user: dict[int, tuple[set[int], list[str]]] = {}
    for (kind, entity_id), item_ids in matched.items():
        for user_id in followers[(kind, entity_id)]:
            ids, names = per_user.setdefault(user_id, (set(), []))
            ids.update(item_ids)
            candidate = shared.engine.resolver.entity(kind, entity_id)
            names.append(candidate.name if candidate else str(entity_id))
    items = {item.id: item for item in shared.engine.items(sorted({i for ids, _ in per_user.values() for i in ids}))}
    order = {item_id: position for position, item_id in enumerate(report.new_items)}
    gate = asyncio.Semaphore(SENDING_AT_ONCE)

    async def tell(user_id: int, ids: set[int], names: list[str]) -> bool:
        theirs = [items[i] for i in sorted(ids, key=order.__getitem__) if i in items]
        unseen = shared.state.unseen(user_id, [item.text for item in theirs])
        theirs = [item for item in theirs if item.text in unseen]
        if not theirs:
            return False
        async with gate:
            return await _send_notification(application, shared, user_id, report, sorted(set(names)), theirs)

    told = await asyncio.gather(*(tell(user_id, ids, names) for user_id, (ids, names) in per_user.items()))
    return sum(told)


async def _send_notification(application: Application, shared: Services, user_id: int, report: ArticleReport, names: list[str], items: list[Item]) -> bool:
    lang = shared.state.language(user_id) or shared.state.follow_language(user_id) or "zh"
    text = notification_html(language(lang), report.title, names, items)
    # The first item's paragraph, a tap away.
    rows = ((t(lang, "label.context", n=1), items[0].context_command),)
    try:
        await application.bot.send_message(user_id, text, reply_markup=keyboard((rows,), shared.callback_data))
    except Forbidden:
        log.info("user %d blocked the bot: forgetting what they follow", user_id)
        shared.state.drop_user(user_id)
        return False
    except TelegramError as error:
        log.warning("could not notify user %d: %s", user_id, error)
        return False
    shared.state.mark_told(user_id, [item.text for item in items])
    return True


__all__ = ["follow", "notify_followers", "on_follow", "on_following", "on_unfollow", "unfollow"]
