"""What the bot says, one table per language (``zh``, ``en``), for every surface.

Store text (quotes, names, titles) is never translated; only the interface is.
"""

from __future__ import annotations

from . import en, zh

TABLES: dict[str, dict[str, str]] = {"zh": zh.STRINGS, "en": en.STRINGS}
LANGUAGES = tuple(TABLES)


def language(code: str | None) -> str:
    """Chinese for zh*, English otherwise."""
    return "zh" if (code or "").lower().startswith("zh") else "en"


def t(lang: str, key: str, **values: object) -> str:
    """The string ``key`` in the language, with ``values`` filled in."""
    return TABLES[language(lang)][key].format(**values)


__all__ = ["LANGUAGES", "TABLES", "language", "t"]
