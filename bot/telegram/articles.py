"""Admins grow the corpus from the chat: a ``.txt``, ``.html`` or ``.md``
file, or a message that is a URL, becomes an article; /articles lists the
newest and /remove takes one out. Everyone else gets no answer to any of it,
as with /stats.

Adding and removing rebuild the store (``bot.ingest.changes``): that runs in
a worker thread, one change at a time, while the reply to the admin is
edited to show how far it has got. The engine picks up the new store on its
next question; then the followers of what the article is about are told.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
from pathlib import Path

from telegram import Message, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from ..engine.answer import from_base36, to_base36
from ..engine.follows import Article, ArticleReport
from ..errors import BotError, SeedError
from ..ingest.fetch import fetch
from ..ingest.incoming import MAX_ARTICLE_BYTES, UPLOAD_SUFFIXES, ArticleRefused, Incoming, from_fetched, from_upload
from ..strings import t
from .buttons import keyboard
from .desk import ArticleDesk
from .follows import notify_followers
from .handlers import acknowledge, services, user_language

log = logging.getLogger(__name__)

ARTICLES_LISTED = 10  # /articles shows the newest ten
PEOPLE_NAMED = 20  # names in the report on an added article; the count says how many in all
URL_MESSAGE = re.compile(r"\s*(https?://\S+)\s*", re.I)
_ARTICLE_KEY = re.compile(r"a([0-9a-z]{1,12})")


def is_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    user = update.effective_user
    return user is not None and user.id in services(context).settings.admin_ids


def reason(error: BotError) -> str:
    """One line on why an article was not added, without the paths of the bot's own files."""
    if isinstance(error, SeedError):
        return error.message + (f" (line {error.line})" if error.line else "")
    return str(error)


async def _edit(progress: Message, text: str) -> None:
    """Show how far the work has got; a lost edit does not stop it."""
    try:
        await progress.edit_text(text)
    except TelegramError as error:
        log.debug("could not edit the progress message: %s", error)


async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A file from an admin: added as an article. Anyone else's is ignored."""
    message = update.effective_message
    if message is None or message.document is None or not is_admin(update, context):
        return
    lang = user_language(update, context)
    document = message.document
    name = document.file_name or "article"
    progress = await message.reply_text(html.escape(t(lang, "article_reading", name=name), quote=False))
    try:
        if Path(name).suffix.lower() not in UPLOAD_SUFFIXES:
            raise ArticleRefused(f"not an article: send a .txt, .html or .md file, not {Path(name).suffix or 'a file without a suffix'}")
        if document.file_size and document.file_size > MAX_ARTICLE_BYTES:
            raise ArticleRefused(f"too large: an article is at most {MAX_ARTICLE_BYTES // 1_000_000} MB")
        received = await context.bot.get_file(document.file_id)
        data = bytes(await received.download_as_bytearray())
        article = from_upload(name, data)
    except BotError as error:
        await _edit(progress, html.escape(t(lang, "article_failed", reason=reason(error)), quote=False))
        return
    except TelegramError as error:
        log.warning("could not download %s: %s", name, error)
        await _edit(progress, html.escape(t(lang, "article_failed", reason="could not download the file from Telegram"), quote=False))
        return
    await add_and_report(update, context, progress, article, lang)


async def on_url(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A message from an admin that is a URL: the page fetched (safely) and added."""
    message = update.effective_message
    if message is None or not message.text or not is_admin(update, context):
        return
    found = URL_MESSAGE.fullmatch(message.text)
    if not found:
        return
    lang = user_language(update, context)
    url = found.group(1)
    progress = await message.reply_text(html.escape(t(lang, "article_fetching", url=url[:200]), quote=False))
    fetcher = services(context).fetcher or fetch
    try:
        page = await asyncio.to_thread(fetcher, url)
        await _edit(progress, html.escape(t(lang, "article_reading", name=page.final_url[:200]), quote=False))
        article = from_fetched(page)
    except BotError as error:
        await _edit(progress, html.escape(t(lang, "article_failed", reason=reason(error)), quote=False))
        return
    await add_and_report(update, context, progress, article, lang)


async def add_and_report(update: Update, context: ContextTypes.DEFAULT_TYPE, progress: Message, article: Incoming, lang: str) -> None:
    """Add the article, then tell the admin what it brought and its followers what is new."""
    shared = services(context)
    desk: ArticleDesk = shared.desk
    await _edit(progress, html.escape(t(lang, "article_adding"), quote=False))
    try:
        change = await desk.add(article)
        report = shared.engine.article_report(change.articles[0], change.new_items)
        if report is None:
            # Ingest took it for an article the store holds under another name.
            await desk.remove(change.articles[0])
            raise ArticleRefused("the same article is in the store already, under another name: nothing new")
        if not sum(report.kinds.values()):
            await desk.remove(change.articles[0])
            raise ArticleRefused("nothing attributed: no quote, statement or fact in it names its speaker")
    except BotError as error:
        await _edit(progress, html.escape(t(lang, "article_failed", reason=reason(error)), quote=False))
        return
    await _edit(progress, html.escape(t(lang, "article_found", people=len(report.people), **_counts(report)), quote=False))
    told = await notify_followers(context.application, report)
    await _edit(progress, report_html(lang, report, told))


def _counts(report: ArticleReport) -> dict[str, int]:
    return {"quotes": report.kinds["quote"], "statements": report.kinds["statement"], "facts": report.kinds["fact"]}


def report_html(lang: str, report: ArticleReport, told: int) -> str:
    """What an added article brought, for the admin who added it."""
    title = f"《{report.title}》"
    lines = [f"<b>{html.escape(t(lang, 'article_added', title=title), quote=False)}</b>"]
    if report.url:
        lines.append(f'<a href="{html.escape(report.url, quote=True)}">{html.escape(report.url[:200], quote=False)}</a>')
    names = ("、" if lang == "zh" else ", ").join(report.people[:PEOPLE_NAMED]) + ("…" if len(report.people) > PEOPLE_NAMED else "")
    if report.people:
        lines.append(html.escape(t(lang, "article_people", count=len(report.people), names=names), quote=False))
    lines.append(html.escape(t(lang, "article_counts", **_counts(report)), quote=False))
    if report.reprints:
        lines.append(html.escape(t(lang, "article_reprints", count=report.reprints), quote=False))
    lines.append(html.escape(t(lang, "article_notified", count=told), quote=False))
    return "\n".join(lines)


# /articles and /remove -----------------------------------------------------------


async def on_articles(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/articles: the newest articles, with a Remove button each; admins only."""
    message = update.effective_message
    if message is None or not is_admin(update, context):
        return
    lang = user_language(update, context)
    shared = services(context)
    desk: ArticleDesk = shared.desk
    every = shared.engine.articles()
    if not every:
        await message.reply_text(html.escape(t(lang, "articles_none"), quote=False))
        return
    newest = sorted(every, key=lambda article: desk.added_at(article.slug), reverse=True)[:ARTICLES_LISTED]
    lines = [f"<b>{html.escape(t(lang, 'articles_title', shown=len(newest), total=len(every)), quote=False)}</b>"]
    lines += [_article_line(number, article) for number, article in enumerate(newest, start=1)]
    buttons = [(t(lang, "label.remove", n=number), f"/remove a{to_base36(article.id)}") for number, article in enumerate(newest, start=1)]
    rows = tuple(tuple(buttons[start : start + 5]) for start in range(0, len(buttons), 5))
    await message.reply_text("\n".join(lines), reply_markup=keyboard(rows, shared.callback_data))


def _article_line(number: int, article: Article) -> str:
    title = html.escape(f"《{article.title}》", quote=False)
    if article.url:
        title = f'<a href="{html.escape(article.url, quote=True)}">{title}</a>'
    detail = " ".join(html.escape(part, quote=False) for part in (article.source, article.date) if part)
    return f"{number}. {title}{' ' + detail if detail else ''} · {article.items}\n    <code>{html.escape(article.slug, quote=False)}</code>"


async def on_remove(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None and message.text:
        await remove(update, context, message.text)


async def remove(update: Update, context: ContextTypes.DEFAULT_TYPE, command: str) -> None:
    """/remove ARTICLE (its file name, or a button's article id); admins only."""
    if update.callback_query is not None:
        await acknowledge(update.callback_query)
    message = update.effective_message
    if message is None or not is_admin(update, context):
        return
    lang = user_language(update, context)
    shared = services(context)
    name = command.split(maxsplit=1)[1].strip() if " " in command.strip() else ""
    if not name:
        await message.reply_text(html.escape(t(lang, "remove_usage"), quote=False))
        return
    key = _ARTICLE_KEY.fullmatch(name)
    article = shared.engine.article(article_id=from_base36(key.group(1))) if key else shared.engine.article(slug=Path(name).stem)
    if article is None:
        await message.reply_text(html.escape(t(lang, "remove_unknown", name=name[:80]), quote=False))
        return
    try:
        await shared.desk.remove(article.slug)
    except BotError as error:
        await message.reply_text(html.escape(t(lang, "article_failed", reason=reason(error)), quote=False))
        return
    await message.reply_text(html.escape(t(lang, "removed", title=f"《{article.title}》"), quote=False))


__all__ = ["ArticleDesk", "on_articles", "on_document", "on_remove", "on_url", "remove"]
