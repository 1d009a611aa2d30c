"""The shared connection: it fails fast while the device is away, backs off on the device clock, comes back by
itself, bounds a silent or babbling device by its timeout, and serves RTU over TCP, UDP and many sources."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest

from surplus.clock import VirtualClock
from surplus.devices.errors import DeviceError
from surplus.devices.modbus.endpoint import network
from surplus.devices.modbus.pool import pool
from surplus.devices.plugins.base import Readable
from surplus.devices.protocols import Closable
from surplus.devices.registry import BuildContext
from surplus.devices.sim.modbus_server import ModbusSimulator
from tests.devices.modbus.building import reader, writer

#: bounds every wait for I/O in these tests; an answer on 127.0.0.1 takes milliseconds
PATIENCE = 5.0
STEP = 0.002


def source(uri: str, context: BuildContext, address: int = 0, **keys: Any) -> Readable:
    register = {"address": address, "type": "holding", "encoding": "uint16"}
    return reader({"source": "modbus", "uri": uri, "id": 1, "register": register, **keys}, context)


async def failure(read: Callable[[], Awaitable[object]]) -> str:
    """The message of the DeviceError a read raises, which must come at once rather than after a timeout."""
    async with asyncio.timeout(PATIENCE):
        with pytest.raises(DeviceError) as caught:
            await read()
    return str(caught.value)


async def until(condition: Callable[[], bool]) -> None:
    """Let I/O and other tasks run until ``condition`` holds."""
    for _ in range(round(PATIENCE / STEP)):
        if condition():
            return
        await asyncio.sleep(STEP)
    raise AssertionError(f"the condition did not come true within {PATIENCE:g}s")


async def test_a_device_that_goes_away_fails_fast_and_is_reconnected_when_it_is_back(
    simulator: ModbusSimulator, context: BuildContext, clock: VirtualClock
) -> None:
    simulator.unit(1).holding.set(0, [42])
    await simulator.start()
    meter = source(simulator.uri, context)
    assert await meter.read() == 42

    await simulator.stop()
    message = await failure(meter.read)  # whether the client saw the connection close before it asked or after
    assert "connection lost" in message or "cannot connect" in message

    await simulator.start()  # the same port again
    simulator.unit(1).holding.set(0, [43])
    clock.advance(60)  # past any back-off
    assert await meter.read() == 43


async def test_connection_attempts_back_off_on_the_device_clock(
    simulator: ModbusSimulator, context: BuildContext, clock: VirtualClock
) -> None:
    simulator.unit(1).holding.set(0, [7])
    await simulator.start()
    await simulator.stop()  # a port nothing listens on, until the simulator starts again
    meter = source(simulator.uri, context)
    where = f"127.0.0.1:{simulator.port}"

    assert await failure(meter.read) == f"cannot connect to {where}; next attempt in 1s"
    assert await failure(meter.read) == f"{where}: not connected; next attempt in 1s"
    clock.advance(1)
    assert await failure(meter.read) == f"cannot connect to {where}; next attempt in 2s"
    clock.advance(2)
    assert await failure(meter.read) == f"cannot connect to {where}; next attempt in 4s"

    await simulator.start()
    clock.advance(3)
    assert await failure(meter.read) == f"{where}: not connected; next attempt in 1s"
    clock.advance(1)
    assert await meter.read() == 7
    assert simulator.clients == 1


@asynccontextmanager
async def misbehaving(answer: bytes | None) -> AsyncIterator[str]:
    """A TCP server on 127.0.0.1 that never answers a request (None) or answers ``answer``; yields its uri."""
    connections: list[asyncio.StreamWriter] = []

    async def serve(requests: asyncio.StreamReader, replies: asyncio.StreamWriter) -> None:
        connections.append(replies)
        while await requests.read(260):
            if answer is not None:
                replies.write(answer)

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    try:
        yield f"127.0.0.1:{server.sockets[0].getsockname()[1]}"
    finally:
        server.close()
        for connection in connections:
            connection.close()
        await server.wait_closed()


@pytest.mark.parametrize("answer", [None, b"\x00\x07garbage that is not a Modbus frame"])
async def test_a_silent_or_babbling_device_is_bounded_by_the_timeout(
    context: BuildContext, answer: bytes | None
) -> None:
    async with misbehaving(answer) as uri:
        meter = source(uri, context, timeout="200ms")
        message = await failure(meter.read)
        assert message == f"{uri} unit 1: read holding 0: no answer within 0.2s"
        assert await failure(meter.read) == message  # reconnected at once, and bounded again


@pytest.mark.parametrize("framing", ["rtu", "udp"])
async def test_rtu_over_tcp_and_udp(context: BuildContext, framing: str) -> None:
    simulator = ModbusSimulator("rtu" if framing == "rtu" else "udp")
    simulator.unit(5).holding.set(10, [0x0001, 0x86A0])
    simulator.unit(5).coils.set(3, [False])
    await simulator.start()
    try:
        keys = {"uri": simulator.uri, "id": 5, framing: True}
        value = reader(
            {"source": "modbus", **keys, "register": {"address": 10, "type": "holding", "encoding": "int32"}}, context
        )
        limit = writer({"source": "modbus", **keys, "register": {"address": 11, "type": "writesingle"}}, context)
        relay = writer({"source": "modbus", **keys, "register": {"address": 3, "type": "writecoil"}}, context)
        assert await value.read() == 100000
        await limit.write("limit", 5)
        await relay.write("enable", True)
        assert await value.read() == 65541
        assert simulator.unit(5).coils.get(3) == [1]
    finally:
        await simulator.stop()


async def test_sources_share_one_connection_per_endpoint_until_the_last_lets_go(
    simulator: ModbusSimulator, context: BuildContext
) -> None:
    simulator.unit(1).holding.set(0, [1])
    simulator.unit(2).holding.set(0, [2])
    await simulator.start()
    first, second = source(simulator.uri, context), source(simulator.uri, context, id=2)
    endpoint = network(simulator.uri, "tcp")
    assert pool(context).users(endpoint) == 2
    assert (await first.read(), await second.read()) == (1, 2)
    assert simulator.clients == 1

    assert isinstance(first, Closable) and isinstance(second, Closable)
    await first.close()
    assert pool(context).users(endpoint) == 1
    assert await second.read() == 2
    await second.close()
    assert pool(context).users(endpoint) == 0
    await until(lambda: simulator.clients == 0)


async def test_delay_and_connect_delay_wait_on_the_device_clock(
    simulator: ModbusSimulator, context: BuildContext, clock: VirtualClock
) -> None:
    simulator.unit(1).holding.set(0, [9])
    await simulator.start()
    slow = source(simulator.uri, context, delay="100ms", connectdelay="1s")
    read = asyncio.create_task(slow.read())
    await until(lambda: clock.sleepers == 1)
    clock.advance(1)  # the pause after connecting
    await until(lambda: clock.sleepers == 1)
    assert not read.done() and simulator.requests == []
    clock.advance(0.1)  # the pause before the request
    assert await read == 9


async def test_a_missing_serial_port_is_a_device_error(context: BuildContext) -> None:
    register = {"address": 1, "type": "input", "encoding": "int16"}
    meter = reader(
        {"source": "modbus", "device": "/dev/surplus-no-such-port", "comset": "8E1", "register": register}, context
    )
    assert await failure(meter.read) == "cannot connect to /dev/surplus-no-such-port (serial); next attempt in 1s"
