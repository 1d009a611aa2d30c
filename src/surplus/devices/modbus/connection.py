"""One connection to a Modbus endpoint, shared by every source that talks to it; pymodbus does the framing.

Requests go one at a time: a serial line or a gateway cannot interleave them, and many devices answer only one
request at a time. The connection is opened by the first request and re-opened by the first request after it
was lost. When opening fails, the next attempts wait 1 s, 2 s, 4 s … up to a minute (on the device clock); a
request in that wait fails at once, so a device that is away never holds up the control loop.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from pymodbus.client import AsyncModbusSerialClient, AsyncModbusTcpClient, AsyncModbusUdpClient
from pymodbus.exceptions import ModbusException
from pymodbus.framer import FramerType
from pymodbus.pdu import ModbusPDU

from surplus.clock import Clock
from surplus.devices.errors import DeviceError
from surplus.devices.modbus.endpoint import Endpoint

Table = Literal["holding", "input"]
Client = AsyncModbusTcpClient | AsyncModbusUdpClient | AsyncModbusSerialClient
Send = Callable[[Client], Awaitable[ModbusPDU]]

# pymodbus warns of every failed connection attempt; the DeviceErrors raised here say the same, once per failure
# and with the device's name, so only its errors are let through
logging.getLogger("pymodbus").setLevel(logging.ERROR)

#: the most registers one read may ask for (Modbus application protocol, FC03/FC04)
MAX_REGISTERS = 125
FIRST_RETRY = 1.0
LAST_RETRY = 60.0
LIBRARY_TIMEOUT = 300.0
#: Modbus exception codes as the specification names them
EXCEPTION_CODES = {
    1: "illegal function",
    2: "illegal data address",
    3: "illegal data value",
    4: "device failure",
    5: "acknowledge (still working)",
    6: "device busy",
    8: "memory parity error",
    10: "gateway path unavailable",
    11: "gateway target device failed to respond",
}


class ExceptionAnswer(DeviceError):
    """The device answered with a Modbus exception (it is there, but refuses this request)."""


@dataclass(frozen=True)
class Timing:
    """A source's patience with its device (evcc's ``timeout``, ``delay`` and ``connectdelay``), seconds."""

    timeout: float = 5.0
    #: a pause before each request, for devices that need one between requests
    delay: float = 0.0
    #: a pause after connecting, for gateways that drop requests sent right away
    connect_delay: float = 0.0


class Connection:
    def __init__(self, endpoint: Endpoint, clock: Clock, log: logging.Logger) -> None:
        self.endpoint = endpoint
        self._clock = clock
        self._log = log
        self._lock = asyncio.Lock()
        self._client: Client | None = None
        self._lost: asyncio.Future[None] | None = None
        self._retry_at: datetime | None = None
        self._backoff = FIRST_RETRY

    async def read_registers(self, table: Table, unit: int, address: int, count: int, timing: Timing) -> list[int]:
        """``count`` holding or input registers from ``address``, in as many requests as the protocol needs."""
        words: list[int] = []
        for start in range(address, address + count, MAX_REGISTERS):
            size = min(MAX_REGISTERS, address + count - start)

            def send(client: Client, start: int = start, size: int = size) -> Awaitable[ModbusPDU]:
                read = client.read_holding_registers if table == "holding" else client.read_input_registers
                return read(start, count=size, device_id=unit)

            response = await self._exchange(unit, f"read {table} {_span(start, size)}", send, timing)
            if len(response.registers) < size:
                raise DeviceError(f"{self._where(unit)}: {len(response.registers)} registers answered, {size} asked")
            words += response.registers[:size]
        return words

    async def read_coils(self, unit: int, address: int, count: int, timing: Timing) -> list[bool]:
        def send(client: Client) -> Awaitable[ModbusPDU]:
            return client.read_coils(address, count=count, device_id=unit)

        response = await self._exchange(unit, f"read coil {_span(address, count)}", send, timing)
        if len(response.bits) < count:
            raise DeviceError(f"{self._where(unit)}: {len(response.bits)} coils answered, {count} asked")
        return list(response.bits[:count])

    async def write_register(self, unit: int, address: int, word: int, timing: Timing) -> None:
        """FC06: one holding register."""

        def send(client: Client) -> Awaitable[ModbusPDU]:
            return client.write_register(address, word, device_id=unit)

        await self._exchange(unit, f"write register {address}", send, timing)

    async def write_registers(self, unit: int, address: int, words: list[int], timing: Timing) -> None:
        """FC16: consecutive holding registers in one request."""

        def send(client: Client) -> Awaitable[ModbusPDU]:
            return client.write_registers(address, words, device_id=unit)

        await self._exchange(unit, f"write registers {_span(address, len(words))}", send, timing)

    async def write_coil(self, unit: int, address: int, state: bool, timing: Timing) -> None:
        """FC05: one coil on (0xFF00) or off (0x0000)."""

        def send(client: Client) -> Awaitable[ModbusPDU]:
            return client.write_coil(address, state, device_id=unit)

        await self._exchange(unit, f"write coil {address}", send, timing)

    async def close(self) -> None:
        async with self._lock:
            self._drop()

    async def _exchange(self, unit: int, what: str, send: Send, timing: Timing) -> ModbusPDU:
        async with self._lock:
            client, lost = await self._connected(timing)
            if timing.delay:
                await self._clock.sleep(timing.delay)
            response = await self._answer(client, lost, send, timing.timeout, f"{self._where(unit)}: {what}")
        if response.isError():
            code = getattr(response, "exception_code", 0)
            reason = EXCEPTION_CODES.get(code, f"exception {code}")
            raise ExceptionAnswer(f"{self._where(unit)}: {what}: {reason}")
        return response

    async def _answer(
        self, client: Client, lost: asyncio.Future[None], send: Send, timeout: float, what: str
    ) -> ModbusPDU:
        """The device's answer, or an error as soon as the connection drops or the timeout passes.

        A request given up (timed out, or its caller cancelled) closes the connection: its late answer must not
        pass for the answer to the next request, and RTU frames carry nothing that would tell them apart.
        """
        request = asyncio.ensure_future(send(client))
        try:
            done, _ = await asyncio.wait((request, lost), timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            request.cancel()
            self._drop()
            raise
        if request in done:
            try:
                return request.result()
            except ModbusException as error:
                self._drop()
                raise DeviceError(f"{what}: {_reason(error)}") from None
        request.cancel()
        self._drop()
        if lost.done():
            raise DeviceError(f"{what}: connection lost")
        raise DeviceError(f"{what}: no answer within {timeout:g}s")

    async def _connected(self, timing: Timing) -> tuple[Client, asyncio.Future[None]]:
        if self._client is not None and self._lost is not None and self._client.connected and not self._lost.done():
            return self._client, self._lost
        self._drop()
        now = self._clock.now()
        if self._retry_at is not None and now < self._retry_at:
            wait = (self._retry_at - now).total_seconds()
            raise DeviceError(f"{self.endpoint}: not connected; next attempt in {math.ceil(wait)}s")
        lost: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        client = self._new_client(lost)
        try:
            async with asyncio.timeout(timing.timeout):
                connected = await client.connect()
        except TimeoutError:
            connected = False
        if not connected:
            client.close()
            wait = self._failed()
            raise DeviceError(f"cannot connect to {self.endpoint}; next attempt in {wait:g}s")
        self._log.debug("connected to %s", self.endpoint)
        self._client, self._lost = client, lost
        self._retry_at, self._backoff = None, FIRST_RETRY
        if timing.connect_delay:
            await self._clock.sleep(timing.connect_delay)
        return client, lost

    def _new_client(self, lost: asyncio.Future[None]) -> Client:
        def changed(connected: bool) -> None:
            if not connected and not lost.done():
                lost.set_result(None)

        endpoint = self.endpoint
        # pymodbus' own retries and reconnects are off: this class decides when to try again, on the device clock;
        # its own timeout is a ceiling far behind each source's, so that the source's is the one that speaks
        common = {"timeout": LIBRARY_TIMEOUT, "retries": 0, "reconnect_delay": 0, "trace_connect": changed}
        if endpoint.framing == "udp":
            return AsyncModbusUdpClient(endpoint.host, port=endpoint.port, **common)  # type: ignore[arg-type]
        if endpoint.framing == "serial":
            return self._serial_client(common)
        framer = FramerType.RTU if endpoint.framing == "rtu" else FramerType.SOCKET
        return AsyncModbusTcpClient(endpoint.host, port=endpoint.port, framer=framer, **common)  # type: ignore[arg-type]

    def _serial_client(self, common: dict[str, object]) -> Client:
        line = self.endpoint.serial
        assert line is not None, "a serial endpoint has its line settings"
        try:
            return AsyncModbusSerialClient(
                self.endpoint.device,
                baudrate=line.baudrate,
                bytesize=line.bytesize,
                parity=line.parity,
                stopbits=line.stopbits,
                **common,  # type: ignore[arg-type]
            )
        except RuntimeError:  # pymodbus' word for "pyserial is not installed"
            raise DeviceError("serial Modbus needs the pyserial package: pip install pyserial") from None

    def _failed(self) -> float:
        """Schedule the next attempt; the seconds until then."""
        wait = self._backoff
        self._retry_at = self._clock.now() + timedelta(seconds=wait)
        self._backoff = min(wait * 2, LAST_RETRY)
        return wait

    def _drop(self) -> None:
        if self._client is not None:
            self._client.close()
        self._client, self._lost = None, None

    def _where(self, unit: int) -> str:
        return f"{self.endpoint} unit {unit}"


def _span(address: int, count: int) -> str:
    return str(address) if count == 1 else f"{address}..{address + count - 1}"


def _reason(error: ModbusException) -> str:
    """pymodbus' message without its "Modbus Error: [Kind]" prefix."""
    text = str(error)
    return text.split("]", 1)[-1].strip() or type(error).__name__
