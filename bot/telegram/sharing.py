"""An answer's items as a file: the Export button under an answer, and
/export typed (``/export 马新强``), send them as CSV, every page of them."""

from __future__ import annotations

import asyncio
import html
import re

from telegram import InputFile, Update
from telegram.ext import ContextTypes

from ..export import to_csv
from ..strings import t
from .handlers import acknowledge, group_budget_wait, services, user_language, within_limit

_FILE_NAME_UNSAFE = re.compile(r"[^0-9A-Za-z_\-\u3400-\u9fff]+")


async def on_export(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None and message.text:
        await export(update, context, message.text)


async def export(update: Update, context: ContextTypes.DEFAULT_TYPE, command: str) -> None:
    """Send the items of the answer the command stands for as a CSV file."""
    lang = user_language(update, context)
    if update.callback_query is not None:
        await acknowledge(update.callback_query)
    elif not await within_limit(update, context, lang):
        return
    message = update.effective_message
    if message is None or group_budget_wait(update, context, 1):
        return
    # A whole city's items are read and written in a worker thread: thousands of rows.
    answer, items = await asyncio.to_thread(services(context).engine.export, command)
    if not items:
        await message.reply_text(html.escape(t(lang, "export_empty"), quote=False))
        return
    about = answer.match.name if answer.match else " ".join(answer.terms) or command.removeprefix("/export").strip() or "lianghui"
    data = await asyncio.to_thread(lambda: to_csv(items).encode("utf-8"))
    name = (_FILE_NAME_UNSAFE.sub("-", about).strip("-") or "items")[:40]
    await message.reply_document(
        InputFile(data, filename=f"lianghui-{name}.csv"),
        caption=html.escape(t(lang, "export_caption", count=len(items), query=about[:100]), quote=False),
    )


__all__ = ["export", "on_export"]
