"""The bot's exceptions: one base class, translated to a one-line message at
the edge (the command line, the Telegram error handler)."""

from __future__ import annotations

from pathlib import Path


class BotError(Exception):
    """An error a person running the bot should read as one clear line."""


class SeedError(BotError):
    """A seed article or its metadata cannot be ingested."""

    def __init__(self, path: Path | str, line: int | None, message: str):
        self.path = Path(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line else str(self.path)
        super().__init__(f"{where}: {message}")

    def __reduce__(self) -> tuple:
        # Made again from its three parts when an ingest worker sends it back (see bot/ingest/workers.py).
        return (type(self), (self.path, self.line, self.message))


class StoreError(BotError):
    """The store is missing, corrupt or cannot be built."""


class StoreWriteError(StoreError):
    """The store could not be written (a full disk, a read-only folder): the
    seeds were fine, and the store that was there is still there."""


class ConfigError(BotError):
    """The configuration (token, webhook, admins) is missing or invalid."""
