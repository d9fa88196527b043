"""The answer engine: a chat message in, an ``Answer`` out, read from the store.

It imports nothing from telegram, jieba, pypinyin or OpenCC: what a query
needs is already in the store, so a one-shot ``ask`` starts fast.

    >>> from bot.engine import Engine
    >>> Engine("store/lianghui.db").answer("/who 马欣强").match.name
    '马新强'
"""

from .answer import Answer
from .core import Engine

__all__ = ["Engine", "Answer"]
