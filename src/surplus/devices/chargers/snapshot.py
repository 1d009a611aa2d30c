"""A device's last answer, reused for a moment so that one control cycle asks the device once.

The control loop reads a charger's status, enabled state, power, energy and currents one after the other; all
of them come from one status document. :class:`Snapshot` fetches it once per ``ttl`` on the device clock and
hands every reader the same answer. A failure is remembered as well, with a growing pause before the next
attempt, so a device that is away costs one timeout now and then instead of one per value and cycle, and is
asked again by itself once the pause is over.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from surplus.clock import Clock
from surplus.devices.errors import DeviceError

T = TypeVar("T")

#: the longest pause after repeated failures: a device that comes back is noticed within this time
MAX_BACKOFF = timedelta(seconds=30)


class Snapshot(Generic[T]):
    def __init__(self, fetch: Callable[[], Awaitable[T]], clock: Clock, ttl: timedelta) -> None:
        self._fetch = fetch
        self._clock = clock
        self._ttl = ttl
        self._value: tuple[T] | None = None
        self._until: datetime | None = None
        self._error: DeviceError | None = None
        self._failures = 0
        self._lock = asyncio.Lock()

    async def get(self) -> T:
        """The answer of the last ``ttl``, else a fresh one; during a pause after a failure, that failure."""
        async with self._lock:
            if self._until is not None and self._clock.now() < self._until:
                if self._error is not None:
                    raise type(self._error)(*self._error.args) from None
                assert self._value is not None, "a value is kept whenever no error is"
                return self._value[0]
            try:
                value = await self._fetch()
            except DeviceError as error:
                self._failed(error)
                raise
            self._value, self._error, self._failures = (value,), None, 0
            self._until = self._clock.now() + self._ttl
            return value

    def invalidate(self) -> None:
        """Forget the answer (after a command changed the device), but not a pause after a failure."""
        if self._error is None:
            self._until = None

    def _failed(self, error: DeviceError) -> None:
        self._failures += 1
        pause = min(self._ttl * 2 ** (self._failures - 1), MAX_BACKOFF)
        self._error, self._value = error, None
        self._until = self._clock.now() + pause
