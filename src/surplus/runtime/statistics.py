"""Publishes ``statistics`` in the state: at start-up, at most every 15 minutes, and when a session ends.

The control loop only asks for a refresh; the query runs in the database thread while the loop goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta

from surplus.clock import Clock
from surplus.logs import get_logger
from surplus.state import State
from surplus.store.database import Database
from surplus.store.statistics import statistics

log = get_logger("db")

REFRESH = timedelta(minutes=15)


class Statistics:
    def __init__(self, clock: Clock, state: State, database: Database) -> None:
        self._clock = clock
        self._state = state
        self._database = database
        self._last: datetime | None = None
        self._task: asyncio.Task[None] | None = None
        self._again = False

    async def refresh(self) -> None:
        """Compute and publish now (start-up)."""
        self._last = self._clock.now()
        await self._compute()

    def cycle(self, now: datetime, session_ended: bool) -> None:
        """After each control cycle: refresh in the background if a session ended or 15 minutes have passed."""
        if not session_ended and self._last is not None and now - self._last < REFRESH:
            return
        self._last = now
        if self._task is not None and not self._task.done():
            self._again = True  # the running query may have started before the session's last write
            return
        self._task = asyncio.create_task(self._run(), name="statistics")

    async def settled(self) -> None:
        """Until no refresh is running (tests and replays publish deterministically this way)."""
        while self._task is not None and not self._task.done():
            await asyncio.shield(self._task)

    async def stop(self) -> None:
        """Cancel a refresh still running (shutdown: the database closes next)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            self._again = False
            await self._compute()
            if not self._again:
                return

    async def _compute(self) -> None:
        now = self._clock.now()
        try:
            figures = await statistics(self._database, now, now.tzinfo or UTC)
        except Exception as error:  # statistics are a view; the loop and the next refresh go on
            log.warning("computing the statistics failed: %s", error)
            return
        self._state.publish("statistics", figures)
