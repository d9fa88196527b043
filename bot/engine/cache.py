"""What the engine works out from the store and keeps: valid until the store
is rebuilt, and bounded.

Every cache of the engine and the resolver is one of these: a person's card,
the typo tables, the vocabulary looked up, the help examples. When ingest
replaces the store (Store.generation moves on), each starts again empty, so
nothing from an old store outlives it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .store import Store


class StoreCache:
    """Values that depend on the store alone, kept until it is rebuilt, at most
    ``bound`` of them (all are dropped when a new one would pass the bound).
    Threads may race to fill an entry; both compute the same value, and each
    reads the values of one store through one reference."""

    def __init__(self, store: Store, bound: int):
        self.store = store
        self.bound = bound
        self._generation = -1
        self._values: dict = {}

    def values(self) -> dict:
        """The values kept for the store as it is now."""
        values = self._values
        if self._generation != self.store.generation:
            values = self._values = {}
            self._generation = self.store.generation
        return values

    def get(self, key: Any, compute: Callable[[], Any]) -> Any:
        """The value for key, computed on first need."""
        values = self.values()
        value = values.get(key)
        if value is None:
            value = compute()
            if len(values) >= self.bound:
                values.clear()
            values[key] = value
        return value

    def update(self, found: Mapping) -> None:
        """Keep several values at once."""
        values = self.values()
        if len(values) + len(found) > self.bound:
            values.clear()
        values.update(found)

    def __len__(self) -> int:
        return len(self._values)
