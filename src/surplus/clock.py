"""The one place that reads the wall clock.

Everything else receives a :class:`Clock` and asks it for ``now()`` or to ``sleep()``. Three kinds exist:
the real clock, a scaled clock for the demo (starts at a chosen instant, may run faster than real time),
and a virtual clock that only moves when told to, for tests and replays.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import os
import time
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def local_timezone() -> tzinfo:
    """The machine's local time zone with its daylight-saving rules (TZ, else /etc/localtime).

    Tariff zones and plans are wall-clock times; a fixed UTC offset would be an hour off after the next
    daylight-saving change.
    """
    name = os.environ.get("TZ", "").lstrip(":")
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    try:
        with Path("/etc/localtime").open("rb") as rules:
            return ZoneInfo.from_file(rules, key="localtime")
    except (OSError, ValueError):
        zone = datetime.now().astimezone().tzinfo
        assert zone is not None
        return zone


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait until ``seconds`` have passed on this clock."""
        ...


class RealClock:
    """Wall-clock time in the local time zone."""

    def __init__(self, zone: tzinfo | None = None) -> None:
        self._zone = zone or local_timezone()

    def now(self) -> datetime:
        return datetime.now(self._zone)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


class ScaledClock:
    """Starts at ``start`` and runs ``speed`` times faster than real time (the demo's clock)."""

    def __init__(self, start: datetime, speed: float = 1.0) -> None:
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        if speed <= 0:
            raise ValueError("speed must be positive")
        self._start = start
        self._speed = speed
        self._origin = time.monotonic()

    @property
    def speed(self) -> float:
        return self._speed

    def now(self) -> datetime:
        elapsed = (time.monotonic() - self._origin) * self._speed
        return self._start + timedelta(seconds=elapsed)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds) / self._speed)


def demo_start(zone: tzinfo | None = None) -> datetime:
    """10:00 local time today: where the demo's day begins."""
    today = datetime.now(zone or local_timezone())
    return today.replace(hour=10, minute=0, second=0, microsecond=0)


class VirtualClock:
    """A clock that moves only when :meth:`advance` or :meth:`set` is called.

    ``sleep()`` waits until the clock has been moved past the sleeper's deadline, so code written against
    a real clock runs unchanged, and a test decides exactly when time passes.
    """

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        self._now = start
        self._sleepers: list[tuple[datetime, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def now(self) -> datetime:
        return self._now

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self._now + timedelta(seconds=seconds), next(self._order), waiter))
        await waiter

    def set(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("instant must be timezone-aware")
        if instant < self._now:
            raise ValueError(f"a virtual clock cannot go back from {self._now} to {instant}")
        self._now = instant
        while self._sleepers and self._sleepers[0][0] <= instant:
            _, _, waiter = heapq.heappop(self._sleepers)
            if not waiter.done():
                waiter.set_result(None)

    def advance(self, seconds: float) -> None:
        self.set(self._now + timedelta(seconds=seconds))

    @property
    def sleepers(self) -> int:
        """How many sleepers wait for the clock to move (lets a test know a task has gone to sleep)."""
        return sum(1 for _, _, waiter in self._sleepers if not waiter.done())
