"""What the bot keeps about people between runs: the language each chose."""

from __future__ import annotations

from collections.abc import Mapping
from copy import deepcopy
from types import MappingProxyType

from telegram.ext import PicklePersistence


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
    user_data) tells, and the choice is saved instead."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.live: Mapping[int, dict] = MappingProxyType({})

    async def update_user_data(self, user_id: int, data: dict) -> None:
        if not data and (self.user_data is None or user_id not in self.user_data):
            return
        await super().update_user_data(user_id, data)

    async def drop_user_data(self, user_id: int) -> None:
        choice = self.live.get(user_id)
        if choice:
            await self.update_user_data(user_id, deepcopy(choice))
        elif self.user_data and user_id in self.user_data:
            await super().drop_user_data(user_id)
