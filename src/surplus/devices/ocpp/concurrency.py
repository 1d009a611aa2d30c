"""Waiting and background work shared by both ends of a connection (central system and simulated station)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any


class Changes:
    """Lets a task wait until some state satisfies a condition, without polling: change it, then notify."""

    def __init__(self) -> None:
        self._changed = asyncio.Event()

    def notify(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def until(self, condition: Callable[[], bool]) -> None:
        while not condition():
            await self._changed.wait()


class Tasks:
    """Background tasks tied to one connection: kept referenced while they run, cancelled together, and
    their failures logged (nobody awaits them)."""

    def __init__(self, log: logging.Logger) -> None:
        self._running: set[asyncio.Task[None]] = set()
        self._log = log

    def spawn(self, work: Coroutine[Any, Any, None], name: str) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(work, name=name)
        self._running.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        if not task.cancelled() and task.exception() is not None:
            self._log.warning("%s failed: %s", task.get_name(), task.exception())

    async def cancel(self) -> None:
        running = list(self._running)
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
