"""A Modbus device simulator on 127.0.0.1: register images that tests and the demo change while it serves.

::

    simulator = ModbusSimulator()
    simulator.unit(1).holding.set(100, [0x0001, 0x86A0])     # 100000 as int32
    simulator.unit(1).coils.set(3, [True])
    await simulator.start()                                  # port 0: a free port, see simulator.uri
    simulator.unit(1).holding.set(100, [0, 42])              # served from the next request on
    await simulator.stop()

Each unit (device id) has holding registers, input registers, coils and discrete inputs. An address never set is
not served (the device answers "illegal data address"); a unit never created answers like a gateway whose target
does not respond. ``requests`` records what was asked, so a test can count requests. The server speaks Modbus TCP,
RTU frames over TCP (``framing="rtu"``) or Modbus over UDP.

The addresses a running server can serve are fixed when it starts (pymodbus sizes its datastore then): set every
address before :meth:`ModbusSimulator.start`, change values at any time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from surplus.devices.modbus.endpoint import Framing
from surplus.devices.modbus.server import RegisterServer, Spans, TableName

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Request:
    unit: int
    table: TableName
    address: int
    count: int
    write: bool


class Table:
    """One table of one unit: address → value (a 16-bit word, or 0/1 for coils)."""

    def __init__(self, name: TableName, span: tuple[int, int] | None = None) -> None:
        self.name = name
        self._values: dict[int, int] = {}
        #: the addresses the running server serves, None while stopped
        self.served: tuple[int, int] | None = span

    def set(self, address: int, values: Iterable[int | bool]) -> None:
        """Store consecutive values from ``address``."""
        for offset, value in enumerate(values):
            self._put(address + offset, int(value))

    def get(self, address: int, count: int = 1) -> list[int]:
        """The values at ``address`` (0 where nothing was set)."""
        return [self._values.get(address + offset, 0) for offset in range(count)]

    def span(self) -> tuple[int, int] | None:
        return (min(self._values), max(self._values)) if self._values else None

    def defined(self, address: int, count: int) -> bool:
        return all(address + offset in self._values for offset in range(count))

    def _put(self, address: int, value: int) -> None:
        limit = 1 if self.name in ("coils", "discrete") else 0xFFFF
        if not 0 <= value <= limit:
            raise ValueError(f"{value} does not fit a {self.name} entry (0..{limit})")
        if self.served is not None and not self.served[0] <= address <= self.served[1]:
            first, last = self.served
            raise ValueError(f"{self.name} {address} is outside {first}..{last} served now; set it before start")
        self._values[address] = value


@dataclass
class Unit:
    holding: Table = field(default_factory=lambda: Table("holding"))
    input: Table = field(default_factory=lambda: Table("input"))
    coils: Table = field(default_factory=lambda: Table("coils"))
    discrete: Table = field(default_factory=lambda: Table("discrete"))

    def table(self, name: TableName) -> Table:
        table: Table = getattr(self, name)
        return table


class ModbusSimulator:
    def __init__(self, framing: Framing = "tcp") -> None:
        self.framing = framing
        self.units: dict[int, Unit] = {}
        self.requests: list[Request] = []
        self.port = 0
        self._server: RegisterServer | None = None

    def unit(self, unit: int) -> Unit:
        """The unit with this device id (created on first use)."""
        if not 1 <= unit <= 255:
            raise ValueError(f"unit {unit} is not a device id (1..255)")
        return self.units.setdefault(unit, Unit())

    @property
    def uri(self) -> str:
        return f"{HOST}:{self.port}"

    @property
    def clients(self) -> int:
        """Client connections open now."""
        return self._server.clients if self._server is not None else 0

    async def start(self) -> None:
        """Serve on 127.0.0.1; the first start picks a free port, a restart takes the same one again."""
        if self._server is not None:
            raise RuntimeError("the simulator is running already")
        spans = self._spans()
        for unit in self.units.values():
            for name in ("holding", "input", "coils", "discrete"):
                unit.table(name).served = spans.get(name, (0, 0))
        self._server = RegisterServer(self, sorted(self.units), spans, self.framing)
        self.port = await self._server.start(HOST, self.port)

    async def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            await server.stop()
        for unit in self.units.values():
            for name in ("holding", "input", "coils", "discrete"):
                unit.table(name).served = None

    def read(self, unit: int, table: TableName, address: int, count: int) -> Sequence[int] | None:
        self.requests.append(Request(unit, table, address, count, write=False))
        served = self.units[unit].table(table)
        if table in ("holding", "input") and not served.defined(address, count):
            return None
        return served.get(address, count)

    def write(self, unit: int, table: TableName, address: int, values: Sequence[int]) -> bool:
        self.requests.append(Request(unit, table, address, len(values), write=True))
        served = self.units[unit].table(table)
        if table == "holding" and not served.defined(address, len(values)):
            return False
        try:
            served.set(address, values)
        except ValueError:  # a coil outside what the server serves
            return False
        return True

    def _spans(self) -> Spans:
        """Per table, the lowest and highest address any unit serves."""
        spans: dict[TableName, tuple[int, int]] = {}
        for unit in self.units.values():
            for name in ("holding", "input", "coils", "discrete"):
                span = unit.table(name).span()
                if span is not None:
                    known = spans.get(name, span)
                    spans[name] = (min(known[0], span[0]), max(known[1], span[1]))
        return spans
