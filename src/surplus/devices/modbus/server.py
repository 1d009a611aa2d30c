"""A pymodbus server in front of register tables that live elsewhere (the simulators' images).

pymodbus' simulator datastore (``SimDevice``/``SimData``, not the deprecated contexts and their off-by-one) keeps
its own copy of the registers. Its ``action`` hook runs before each request, so every read is filled from the
tables and every write is passed on to them: the tables stay the single truth that tests and the demo change.
Addresses are the protocol's, starting at 0.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Mapping, Sequence
from typing import Literal, Protocol

from pymodbus.constants import ExcCodes
from pymodbus.framer import FramerType
from pymodbus.server import ModbusTcpServer, ModbusUdpServer
from pymodbus.simulator import DataType, SimData, SimDevice

from surplus.devices.modbus.endpoint import Framing

TableName = Literal["coils", "discrete", "holding", "input"]
#: the table each function code works on
FUNCTION_TABLES: dict[int, TableName] = {1: "coils", 5: "coils", 15: "coils", 2: "discrete", 4: "input"}
FUNCTION_TABLES.update(dict.fromkeys((3, 6, 16, 22, 23), "holding"))
WRITES = frozenset({5, 6, 15, 16, 22, 23})
BITS_PER_WORD = 16


class Tables(Protocol):
    """The registers a server serves; coils are 0 or 1."""

    def read(self, unit: int, table: TableName, address: int, count: int) -> Sequence[int] | None:
        """The values, or None when an address is not served."""
        ...

    def write(self, unit: int, table: TableName, address: int, values: Sequence[int]) -> bool:
        """Store the values; False when an address is not served."""
        ...


#: the first and last address each table serves (pymodbus needs the ranges when it starts)
Spans = Mapping[TableName, tuple[int, int]]


class RegisterServer:
    def __init__(self, tables: Tables, units: Sequence[int], spans: Spans, framing: Framing = "tcp") -> None:
        if framing == "serial":
            raise ValueError("the simulator serves TCP, RTU over TCP or UDP, not a serial line")
        self._tables = tables
        self._units = list(units)
        self._spans = spans
        self._framing = framing
        self._server: ModbusTcpServer | ModbusUdpServer | None = None

    async def start(self, host: str, port: int) -> int:
        """Listen on ``host:port`` (0 picks a free port); the port listened on."""
        devices = [self._device(unit) for unit in self._units]
        # units nobody configured answer like a gateway whose target does not respond
        devices.append(SimDevice(id=0, simdata=self._blocks(), action=_no_such_unit))
        framer = FramerType.RTU if self._framing == "rtu" else FramerType.SOCKET
        if self._framing == "udp":
            self._server = ModbusUdpServer(devices, address=(host, port), framer=framer)
        else:
            self._server = ModbusTcpServer(devices, address=(host, port), framer=framer)
        await self._server.serve_forever(background=True)
        return _bound_port(self._server)

    @property
    def clients(self) -> int:
        """Client connections open now (TCP and RTU over TCP)."""
        return len(self._server.active_connections) if self._server is not None else 0

    async def stop(self) -> None:
        """Stop listening and drop every client connection."""
        server, self._server = self._server, None
        if server is not None:
            await server.shutdown()  # type: ignore[no-untyped-call]  # pymodbus leaves it unannotated
            await asyncio.sleep(0)  # let the transports finish closing before a restart binds the port again

    def _device(self, unit: int) -> SimDevice:
        return SimDevice(id=unit, simdata=self._blocks(), action=functools.partial(self._action, unit))

    def _blocks(self) -> tuple[list[SimData], list[SimData], list[SimData], list[SimData]]:
        def bits(table: TableName) -> list[SimData]:
            first, last = self._spans.get(table, (0, 0))
            start = first - first % BITS_PER_WORD
            size = last + 1 - start
            size += -size % BITS_PER_WORD
            return [SimData(start, values=[False] * size, datatype=DataType.BITS)]

        def registers(table: TableName) -> list[SimData]:
            first, last = self._spans.get(table, (0, 0))
            return [SimData(first, values=[0] * (last + 1 - first), datatype=DataType.REGISTERS)]

        return bits("coils"), bits("discrete"), registers("holding"), registers("input")

    async def _action(
        self,
        unit: int,
        function: int,
        start: int,
        address: int,
        count: int,
        registers: list[int],
        values: list[int] | list[bool] | None,
    ) -> ExcCodes | None:
        table = FUNCTION_TABLES[function]
        if function in WRITES:
            if values is None:  # pymodbus reads back what it wrote to answer the request; nothing to do
                return None
            stored = self._tables.write(unit, table, address, [int(value) for value in values])
            return None if stored else ExcCodes.ILLEGAL_ADDRESS
        if table in ("coils", "discrete"):
            return self._fill_bits(unit, table, start, address, count, registers)
        current = self._tables.read(unit, table, address, count)
        if current is None:
            return ExcCodes.ILLEGAL_ADDRESS
        registers[address - start : address - start + count] = list(current)
        return None

    def _fill_bits(
        self, unit: int, table: TableName, start: int, address: int, words: int, registers: list[int]
    ) -> ExcCodes | None:
        """Pack the coils of the ``words`` registers that hold ``address`` (pymodbus keeps 16 coils a word)."""
        first_word = address // BITS_PER_WORD
        bits = self._tables.read(unit, table, first_word * BITS_PER_WORD, words * BITS_PER_WORD)
        if bits is None:
            return ExcCodes.ILLEGAL_ADDRESS
        for index in range(words):
            chunk = bits[index * BITS_PER_WORD : (index + 1) * BITS_PER_WORD]
            registers[first_word - start + index] = sum(1 << bit for bit, state in enumerate(chunk) if state)
        return None


async def _no_such_unit(*_: object) -> ExcCodes:
    return ExcCodes.GATEWAY_NO_RESPONSE


def _bound_port(server: ModbusTcpServer | ModbusUdpServer) -> int:
    transport = server.transport
    sockets = getattr(transport, "sockets", None)
    if sockets:
        return int(sockets[0].getsockname()[1])
    return int(transport.get_extra_info("sockname")[1])
