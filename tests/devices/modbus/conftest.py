"""A Modbus simulator on 127.0.0.1 and a build context whose connections are closed after each test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from surplus.clock import VirtualClock
from surplus.devices.modbus.pool import pool
from surplus.devices.registry import BuildContext
from surplus.devices.sim.modbus_server import ModbusSimulator
from tests.devices.building import NOW


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(NOW)


@pytest.fixture
async def context(clock: VirtualClock) -> AsyncIterator[BuildContext]:
    context = BuildContext(clock)
    try:
        yield context
    finally:
        await pool(context).close()


@pytest.fixture
async def simulator() -> AsyncIterator[ModbusSimulator]:
    """Not started: a test sets its registers first, then starts it."""
    simulator = ModbusSimulator()
    try:
        yield simulator
    finally:
        await simulator.stop()
