"""Register blocks read once and shared for a second: one request per poll serves every value inside the block.

Several sources (a meter's power, energy and currents) often lie in one range of registers; evcc's ``block``
reads that range once and each source takes its part. The age limit is measured on the device clock.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta

from surplus.clock import Clock

#: how long a block read serves: shorter than any poll interval, longer than one poll of all devices
MAX_AGE = timedelta(seconds=1)


@dataclass(frozen=True)
class _Entry:
    words: list[int]
    read_at: datetime


class BlockCache:
    def __init__(self, clock: Clock, max_age: timedelta = MAX_AGE) -> None:
        self._clock = clock
        self._max_age = max_age
        self._entries: dict[Hashable, _Entry] = {}
        self._loading: dict[Hashable, asyncio.Lock] = {}

    async def read(self, key: Hashable, load: Callable[[], Awaitable[list[int]]]) -> list[int]:
        """The words under ``key`` if read less than a second ago; else ``load()`` them, once for all callers."""
        fresh = self._fresh(key)
        if fresh is not None:
            return fresh
        async with self._loading.setdefault(key, asyncio.Lock()):
            fresh = self._fresh(key)  # another caller may have loaded it while this one waited
            if fresh is not None:
                return fresh
            words = await load()
            self._entries[key] = _Entry(words, self._clock.now())
            return words

    def forget(self, matches: Callable[[Hashable], bool]) -> None:
        """Drop the blocks a write may have changed."""
        for key in [key for key in self._entries if matches(key)]:
            del self._entries[key]

    def _fresh(self, key: Hashable) -> list[int] | None:
        entry = self._entries.get(key)
        if entry is None or self._clock.now() - entry.read_at >= self._max_age:
            return None
        return entry.words
