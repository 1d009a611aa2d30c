"""The SunSpec models of one unit: found once per connection, then read a model at a time.

Discovery looks for the "SunS" marker at 40000, 50000 and 0, then follows the chain of models (ID, length L,
L registers) to the end marker 0xFFFF. Every source on the same unit shares what was found. A model is read
whole, through the 1-s block cache, so a meter's power, energy and currents cost one request per poll.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from surplus.devices.errors import DeviceError
from surplus.devices.modbus.connection import ExceptionAnswer
from surplus.devices.modbus.unit import UnitClient
from surplus.devices.registry import BuildContext
from surplus.devices.sunspec.models import ModelLayout, Point
from surplus.devices.sunspec.selectors import Selector

#: "SunS"
MARKER = [0x5375, 0x6E53]
BASES = (40000, 50000, 0)
END = 0xFFFF
#: a longer chain is a device answering garbage, not SunSpec
MAX_MODELS = 64


@dataclass(frozen=True)
class ModelHeader:
    id: int
    #: the address of the model's ID register
    address: int
    #: registers after ID and L
    length: int


class SunSpecDevice:
    def __init__(self) -> None:
        self._chain: list[ModelHeader] | None = None
        self._layouts: dict[ModelHeader, ModelLayout] = {}
        self._scanning = asyncio.Lock()

    async def chain(self, client: UnitClient) -> list[ModelHeader]:
        """The device's models in order (scanned on first use)."""
        async with self._scanning:
            if self._chain is None:
                self._chain = await _scan(client)
            return self._chain

    async def words(self, client: UnitClient, header: ModelHeader) -> list[int]:
        """The model's registers, ID and L included, at most a second old."""
        return await client.read_shared("holding", header.address, header.length + 2)

    async def find(self, client: UnitClient, selector: Selector, subdevice: int) -> tuple[ModelHeader, Point] | None:
        """The model instance and point ``selector`` names; the ``subdevice``-th instance of the model (from 0)."""
        instances = [header for header in await self.chain(client) if header.id == selector.model]
        if subdevice >= len(instances):
            return None
        header = instances[subdevice]
        layout = self._layouts.get(header)
        if layout is None:
            try:
                layout = ModelLayout(header.id, await self.words(client, header))
            except ValueError as error:
                raise DeviceError(f"{client}: {error}") from None
            self._layouts[header] = layout
        point = layout.point(selector.block, selector.point)
        return None if point is None else (header, point)


def device(context: BuildContext, client: UnitClient) -> SunSpecDevice:
    """What the application knows of the SunSpec models of ``client``'s unit."""
    return context.shared(f"sunspec.{client.endpoint!r}.{client.unit}", SunSpecDevice)


async def _scan(client: UnitClient) -> list[ModelHeader]:
    address = await _base(client) + len(MARKER)
    chain: list[ModelHeader] = []
    while len(chain) <= MAX_MODELS and address < 0xFFFF:
        # ID and L are read apart: some devices end the chain with a lone 0xFFFF
        (model,) = await client.read("holding", address, 1)
        if model == END:
            return chain
        (length,) = await client.read("holding", address + 1, 1)
        chain.append(ModelHeader(model, address, length))
        address += 2 + length
    raise DeviceError(f"{client}: the SunSpec model chain does not end; not a SunSpec register map")


async def _base(client: UnitClient) -> int:
    for base in BASES:
        try:
            if await client.read("holding", base, len(MARKER)) == MARKER:
                return base
        except ExceptionAnswer:  # nothing there: try the next place
            continue
    places = ", ".join(str(base) for base in BASES)
    raise DeviceError(f"{client}: no SunSpec marker 'SunS' at {places}")
