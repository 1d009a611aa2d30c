"""``source: modbus``: one register, coil or register block of a Modbus device, read or written.

::

    power:
      source: modbus
      uri: 192.168.1.10:502    # or device: /dev/ttyUSB0 with baudrate and comset
      id: 1
      register: {address: 30775, type: input, encoding: int32}
      block: {register: 30770, count: 20}   # optional: read once a second for every value inside it
      scale: -1

Types ``holding``, ``input`` and ``coil`` read; ``writesingle`` (FC06), ``writemultiple`` (FC16, encoded per
``encoding``) and ``writecoil`` (FC05) write the value times ``scale``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal, Self

from pydantic import BeforeValidator, Field, model_validator

from surplus.config.schema import Section
from surplus.devices.errors import DeviceError
from surplus.devices.modbus.codec import (
    BoolEncoding,
    Decoder,
    EncodingError,
    NumberEncoding,
    decoder,
    single_word,
)
from surplus.devices.modbus.params import ConnectionParams
from surplus.devices.modbus.unit import UnitClient
from surplus.devices.plugins.base import PluginContext, PluginParams, Value, plugins, to_float

#: evcc's older names of the write types
TYPE_ALIASES = {"writeholding": "writesingle", "writeholdings": "writemultiple"}
READS = ("holding", "input", "coil")


def _register_type(value: Any) -> Any:
    if isinstance(value, str):
        key = value.strip().lower()
        return TYPE_ALIASES.get(key, key)
    return value


def _bitmask(value: Any) -> Any:
    """evcc writes masks as text, e.g. ``"0x0004"``."""
    if isinstance(value, str):
        try:
            return int(value.strip(), 0)
        except ValueError:
            raise ValueError(f"bitmask '{value}' is not a number; write e.g. 0x0004") from None
    return value


RegisterType = Annotated[
    Literal["holding", "input", "coil", "writesingle", "writemultiple", "writecoil"], BeforeValidator(_register_type)
]


class RegisterParams(Section):
    address: int = Field(ge=0, le=65535)
    type: RegisterType
    encoding: str | None = None
    decode: str | None = None
    bitmask: Annotated[int | None, BeforeValidator(_bitmask)] = Field(None, ge=1, le=0xFFFF)
    #: registers of a ``bytes`` string
    length: int | None = Field(None, ge=1, le=125)

    @model_validator(mode="after")
    def _known_encoding(self) -> Self:
        if self.encoding is not None and self.decode is not None:
            raise ValueError("give encoding or its old name decode, not both")
        if self.type in ("holding", "input") and self.encoding_name is None:
            raise ValueError(f"a {self.type} register needs an encoding, e.g. encoding: int16")
        if self.type == "writemultiple" and self.encoding_name is None:
            raise ValueError("writemultiple needs the encoding to write, e.g. encoding: int32")
        self.decoder()
        return self

    @property
    def encoding_name(self) -> str | None:
        return self.encoding or self.decode

    def decoder(self) -> Decoder:
        name = self.encoding_name
        if name is None:
            return BoolEncoding()
        try:
            return decoder(name, self.bitmask, self.length)
        except EncodingError as error:
            raise ValueError(str(error)) from None


class BlockParams(Section):
    #: written ``register``; the underscore keeps clear of the model class's own ``register`` (from ABCMeta)
    register_: int = Field(ge=0, le=65535)
    count: int = Field(ge=1, le=125)


class ModbusParams(PluginParams, ConnectionParams):
    #: written ``register`` (see BlockParams)
    register_: RegisterParams
    block: BlockParams | None = None
    scale: float = 1.0

    @model_validator(mode="after")
    def _register_inside_block(self) -> Self:
        block, register = self.block, self.register_
        if block is None:
            return self
        if register.type not in ("holding", "input"):
            raise ValueError(f"block reads holding or input registers, not {register.type}")
        size = register.decoder().registers
        if register.address < block.register_ or register.address + size > block.register_ + block.count:
            last = block.register_ + block.count - 1
            raise ValueError(
                f"register {register.address} ({size} registers) is not inside block {block.register_}..{last}"
            )
        return self


class ModbusRead:
    """A value decoded from what ``fetch`` reads, times ``scale`` (text is not scaled)."""

    def __init__(
        self, client: UnitClient, fetch: Callable[[], Awaitable[list[int]]], decode: Decoder, scale: float
    ) -> None:
        self._client = client
        self._fetch = fetch
        self._decoder = decode
        self._scale = scale

    async def read(self) -> Value:
        value = self._decoder.decode(await self._fetch())
        return value if isinstance(value, str) else value * self._scale

    async def close(self) -> None:
        await self._client.close()


class ModbusWrite:
    """Sends the value it is given, times ``scale``, with ``send``."""

    def __init__(self, client: UnitClient, send: Callable[[float], Awaitable[None]], scale: float) -> None:
        self._client = client
        self._send = send
        self._scale = scale

    async def write(self, param: str, value: Value) -> None:
        try:
            await self._send(to_float(value) * self._scale)
        except EncodingError as error:
            raise DeviceError(f"{self._client}: {param}: {error}") from None

    async def close(self) -> None:
        await self._client.close()


def _fetch(client: UnitClient, params: ModbusParams) -> Callable[[], Awaitable[list[int]]]:
    register, block = params.register_, params.block
    address = register.address
    size = register.decoder().registers
    table: Literal["holding", "input"] = "input" if register.type == "input" else "holding"

    async def coil() -> list[int]:
        return [int(state) for state in await client.read_coils(address, 1)]

    async def plain() -> list[int]:
        return await client.read(table, address, size)

    async def from_block() -> list[int]:
        assert block is not None
        words = await client.read_shared(table, block.register_, block.count)
        offset = address - block.register_
        return words[offset : offset + size]

    return coil if register.type == "coil" else from_block if block is not None else plain


def _send(client: UnitClient, register: RegisterParams) -> Callable[[float], Awaitable[None]]:
    address = register.address
    encoding = register.decoder()

    async def single(value: float) -> None:
        await client.write_register(address, single_word(value))

    async def multiple(value: float) -> None:
        if not isinstance(encoding, NumberEncoding):
            raise EncodingError(f"{encoding.name} cannot be written; use a number encoding")
        await client.write_registers(address, encoding.encode(value))

    async def coil(value: float) -> None:
        await client.write_coil(address, value != 0)

    return {"writesingle": single, "writemultiple": multiple}.get(register.type, coil)


@plugins.register("modbus", ModbusParams, "a Modbus register or coil (TCP, RTU over TCP, UDP or serial)")
def build(params: ModbusParams, context: PluginContext) -> ModbusRead | ModbusWrite:
    client = params.client(context.device)
    if params.register_.type in READS:
        return ModbusRead(client, _fetch(client, params), params.register_.decoder(), params.scale)
    return ModbusWrite(client, _send(client, params.register_), params.scale)
