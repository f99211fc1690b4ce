"""A small per-process TTL cache for hot, rarely changing objects (tenants, clients, APIs, key sets).

The TTL bounds how long a change made by another process (the CLI, another worker) takes to be seen.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")

_MISSING = object()


class TTLCache(Generic[K, V]):
    def __init__(self, ttl: float, max_entries: int = 10_000) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._data: dict[K, tuple[float, V]] = {}
        self._refreshing: set[K] = set()

    def get(self, key: K) -> V | None:
        entry = self._data.get(key)
        if entry is None:
            return None
        expires, value = entry
        if expires < time.monotonic():
            self._data.pop(key, None)
            return None
        return value

    def set(self, key: K, value: V) -> None:
        if len(self._data) >= self.max_entries:
            self._data.clear()
        self._data[key] = (time.monotonic() + self.ttl, value)

    async def get_or_load(self, key: K, load: Callable[[], Awaitable[V | None]]) -> V | None:
        """The cached value, else load() it (found values only are kept).

        Single flight: when an entry expires, one coroutine reloads it and the others keep the expired value
        for that one round trip, instead of every in-flight request querying the database at once (under load
        that stampede showed as p99 spikes every TTL and, on SQLite, as waits for the write lock).
        """
        entry = self._data.get(key)
        if entry is not None and (entry[0] >= time.monotonic() or key in self._refreshing):
            return entry[1]
        self._refreshing.add(key)
        try:
            value = await load()
        finally:
            self._refreshing.discard(key)
        if value is not None:
            self.set(key, value)
        else:
            self._data.pop(key, None)
        return value

    def clear(self) -> None:
        self._data.clear()
