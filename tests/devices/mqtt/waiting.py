"""Waiting for a message to travel through the broker: reads are repeated until they settle, within a bound."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from surplus.devices.errors import DeviceError

#: wall-clock bound for a message or a lost connection to reach the device
WAIT = 5.0
POLL = 0.01

Read = Callable[[], Awaitable[Any]]


async def settled(read: Read, done: Callable[[object], bool]) -> object:
    """The first outcome of ``read()`` (a value or a DeviceError) that is ``done``, or the last one at the bound."""
    deadline = asyncio.get_running_loop().time() + WAIT
    while True:
        outcome: object
        try:
            outcome = await read()
        except DeviceError as error:
            outcome = error
        if done(outcome) or asyncio.get_running_loop().time() > deadline:
            return outcome
        await asyncio.sleep(POLL)


async def eventually(read: Read, expected: object) -> None:
    outcome = await settled(read, lambda value: value == expected)
    assert outcome == expected, f"read {outcome!r}, expected {expected!r}"


async def failure(read: Read) -> DeviceError:
    outcome = await settled(read, lambda value: isinstance(value, DeviceError))
    assert isinstance(outcome, DeviceError), f"still reads {outcome!r}"
    return outcome
