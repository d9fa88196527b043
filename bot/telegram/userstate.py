"""What the bot keeps about its Telegram users between runs, in an SQLite
file beside the store (``store/bot-state.db``, ``LIANGHUI_STATE``): the
language each chose (/lang), what each follows (/follow), and which items
each has been told of, so a reprint never notifies twice.

The store is rebuilt and replaced whole; this file never is, and nothing
but the bot writes it. It is created on first use, readable by its owner
only. Every call is one short statement on the event loop's thread: a
write is a single row, well under a millisecond.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

IN_MEMORY = ":memory:"
_SCHEMA = """
create table if not exists languages (user_id integer primary key, lang text not null);
create table if not exists follows (
    user_id integer not null, kind text not null, entity_id integer not null, name text not null, since real not null,
    lang text not null,
    primary key (user_id, kind, entity_id)
);
create index if not exists follows_by_subject on follows (kind, entity_id);
create table if not exists notified (user_id integer not null, words text not null, primary key (user_id, words));
"""


@dataclass(frozen=True)
class Followed:
    """A person, city or topic a user follows."""

    kind: str
    entity_id: int
    name: str


def words_key(text: str) -> str:
    """What makes two items the same news: their words, spacing aside. A
    reprint has the same words in another article."""
    return hashlib.sha1("".join(text.split()).encode("utf-8")).hexdigest()[:16]


class UserState:
    """The users' state file. ``path`` ``:memory:`` keeps nothing between runs.

    A state file that cannot be written (a full or read-only disk, a path
    that is a folder) is one warning: the bot goes on, keeping what people
    choose in memory until it stops."""

    def __init__(self, path: Path | str):
        self.path = path
        self._warned = False
        try:
            self.connection = self._open(path)
        except (OSError, sqlite3.Error) as error:
            self._warn(error)
            self.connection = self._open(IN_MEMORY)

    @staticmethod
    def _open(path: Path | str) -> sqlite3.Connection:
        if str(path) != IN_MEMORY:
            path = Path(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            # Created owner-only before SQLite opens it: it says who reads what.
            os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
            os.chmod(path, 0o600)
        connection = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        connection.executescript(_SCHEMA)
        return connection

    def _warn(self, error: Exception) -> None:
        if not self._warned:
            self._warned = True
            log.warning("cannot write the state file %s (%s); going on, what people choose is kept until the bot stops", self.path, error)

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """A write that fails (the disk filled up) is one warning, not a failed update."""
        try:
            yield
        except sqlite3.OperationalError as error:
            self._warn(error)

    # Language ------------------------------------------------------------------

    def language(self, user_id: int) -> str | None:
        row = self.connection.execute("select lang from languages where user_id = ?", (user_id,)).fetchone()
        return row[0] if row else None

    def set_language(self, user_id: int, lang: str) -> None:
        with self._writing():
            self.connection.execute("insert or replace into languages (user_id, lang) values (?, ?)", (user_id, lang))

    # Follows -------------------------------------------------------------------

    def follow(self, user_id: int, kind: str, entity_id: int, name: str, lang: str) -> bool:
        """Follow a subject; False when the user followed it already. ``lang``
        is the language they followed in: their notifications' language
        unless they choose one (/lang)."""
        with self._writing():
            cursor = self.connection.execute(
                "insert or ignore into follows (user_id, kind, entity_id, name, since, lang) values (?, ?, ?, ?, ?, ?)",
                (user_id, kind, entity_id, name, time.time(), lang),
            )
            return cursor.rowcount > 0
        return False

    def follow_language(self, user_id: int) -> str | None:
        """The language of the user's latest follow."""
        row = self.connection.execute("select lang from follows where user_id = ? order by since desc limit 1", (user_id,)).fetchone()
        return row[0] if row else None

    def unfollow(self, user_id: int, kind: str, entity_id: int) -> bool:
        """Stop following a subject; False when the user did not follow it."""
        with self._writing():
            cursor = self.connection.execute("delete from follows where user_id = ? and kind = ? and entity_id = ?", (user_id, kind, entity_id))
            return cursor.rowcount > 0
        return False

    def following(self, user_id: int) -> list[Followed]:
        """What a user follows, in the order they followed it."""
        rows = self.connection.execute("select kind, entity_id, name from follows where user_id = ? order by since, name", (user_id,))
        return [Followed(*row) for row in rows]

    def followers(self) -> dict[tuple[str, int], list[int]]:
        """Everyone who follows anything, by subject (kind, id)."""
        subjects: dict[tuple[str, int], list[int]] = {}
        for kind, entity_id, user_id in self.connection.execute("select kind, entity_id, user_id from follows order by user_id"):
            subjects.setdefault((kind, entity_id), []).append(user_id)
        return subjects

    def drop_user(self, user_id: int) -> None:
        """Forget a user who blocked the bot: nothing more is sent to them."""
        with self._writing(), self.connection:
            self.connection.execute("begin")
            for table in ("follows", "notified", "languages"):
                self.connection.execute(f"delete from {table} where user_id = ?", (user_id,))

    # Notifications -------------------------------------------------------------

    def unseen(self, user_id: int, texts: Iterable[str]) -> set[str]:
        """Of the items' texts, those the user has not been told of."""
        keys = {words_key(text): text for text in texts}
        told = {
            row[0]
            for row in self.connection.execute(
                f"select words from notified where user_id = ? and words in ({','.join('?' * len(keys))})", (user_id, *keys)
            )
        } if keys else set()
        return {text for key, text in keys.items() if key not in told}

    def mark_told(self, user_id: int, texts: Iterable[str]) -> None:
        with self._writing(), self.connection:
            self.connection.execute("begin")
            self.connection.executemany(
                "insert or ignore into notified (user_id, words) values (?, ?)", [(user_id, words_key(text)) for text in texts]
            )

    def close(self) -> None:
        self.connection.close()
