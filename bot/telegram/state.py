"""What the bot keeps about people between runs: the language each chose."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Awaitable, Callable, Mapping
from copy import deepcopy
from functools import partial
from pathlib import Path
from types import MappingProxyType

from telegram.ext import PicklePersistence

log = logging.getLogger(__name__)


def private_file(path: Path) -> None:
    """Make ``path`` readable and writable by its owner only, creating it
    empty if it is missing: what people chose is theirs, and a file created
    with the usual umask is readable by every user of the machine."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        os.fchmod(descriptor, 0o600)
    finally:
        os.close(descriptor)


class ChoicesPersistence(PicklePersistence):
    """The state file holds what people chose (/lang), nothing else.

    python-telegram-bot hands every user who sent anything to the persistence
    at each interval and at shutdown, with an empty dict for most of them,
    and PicklePersistence rewrites the whole file for each one: a thousand
    new users meant a thousand rewrites of a growing file on the event loop
    (quadratic; seconds of stall at shutdown). Users with nothing to keep
    are skipped, so the file is written only when a choice changes.

    Users with nothing to keep are also dropped from the application's
    memory after each update (forget_users_without_choices). It then asks
    the persistence to drop them, and skips saving them, at the next write,
    even a user who has made a choice since: ``live`` (the application's
    user_data) tells, and the choice is saved instead.

    The file is made owner-only (private_file) before each write. A file
    that cannot be written (a full or read-only disk) is one warning, not a
    traceback per update and a failed stop: the choices stay in memory and
    go to the file with the next write that succeeds."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.live: Mapping[int, dict] = MappingProxyType({})
        self._failing = False  # the last write failed (and that was said once)

    async def update_user_data(self, user_id: int, data: dict) -> None:
        if not data and (self.user_data is None or user_id not in self.user_data):
            return
        await self._written(partial(super().update_user_data, user_id, data))

    async def drop_user_data(self, user_id: int) -> None:
        choice = self.live.get(user_id)
        if choice:
            await self.update_user_data(user_id, deepcopy(choice))
        elif self.user_data and user_id in self.user_data:
            await self._written(partial(super().drop_user_data, user_id))

    async def flush(self) -> None:
        await self._written(super().flush)

    async def _written(self, write: Callable[[], Awaitable[None]]) -> None:
        try:
            private_file(self.filepath)
            await write()
        except OSError as error:
            if not self._failing:
                log.warning("cannot write the state file %s (%s); choices are kept in memory until it can be", self.filepath, error.strerror or error)
            self._failing = True
        else:
            if self._failing:
                log.info("the state file %s is written again", self.filepath)
            self._failing = False
        finally:
            # Made by private_file and not filled (nothing to write, or the
            # write failed): an empty file would not load at the next start.
            with contextlib.suppress(OSError):
                if self.filepath.stat().st_size == 0:
                    self.filepath.unlink()
