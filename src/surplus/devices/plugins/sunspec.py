"""``source: sunspec``: a SunSpec point, found by model rather than by address::

    power:
      source: sunspec
      uri: 192.168.1.20:502
      id: 1
      value: [201:W, 211:W, 203:W, 213:W]   # the first point the device has wins
      scale: -1

``model:block:point`` names a repeating block (``160:3:DCW``: MPPT module 3); ``subdevice`` picks the n-th
instance (from 0) of a model that a device has more than once. Unimplemented values read as 0. Writing a point
sends the value times ``scale``, in the point's own type and scale factor.
"""

from __future__ import annotations

from typing import Annotated, Any, Self

from pydantic import BeforeValidator, Field, model_validator

from surplus.devices.errors import DeviceError
from surplus.devices.modbus.params import ConnectionParams
from surplus.devices.modbus.unit import UnitClient
from surplus.devices.plugins.base import PluginContext, PluginParams, Value, plugins, to_float
from surplus.devices.sunspec.device import ModelHeader, SunSpecDevice, device
from surplus.devices.sunspec.models import Point
from surplus.devices.sunspec.selectors import Selector, parse


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


class SunSpecParams(PluginParams, ConnectionParams):
    value: Annotated[list[str], BeforeValidator(_as_list)] = Field(min_length=1)
    subdevice: int = Field(0, ge=0)
    scale: float = 1.0
    bitmask: int | None = Field(None, ge=1)

    @model_validator(mode="after")
    def _points(self) -> Self:
        self.selectors()
        return self

    def selectors(self) -> list[Selector]:
        return [selector for text in self.value for selector in parse(text)]


class SunSpecPoint:
    def __init__(self, client: UnitClient, models: SunSpecDevice, params: SunSpecParams) -> None:
        self._client = client
        self._models = models
        self._candidates = params.selectors()
        self._subdevice = params.subdevice
        self._scale = params.scale
        self._bitmask = params.bitmask
        self._found: tuple[ModelHeader, Point] | None = None

    async def read(self) -> Value:
        header, point = await self._point()
        try:
            value = point.decode(await self._models.words(self._client, header))
        except ValueError as error:
            raise DeviceError(f"{self._client}: {error}") from None
        if isinstance(value, str):
            return value
        if self._bitmask is not None:
            return 1.0 if int(value) & self._bitmask else 0.0
        return value * self._scale

    async def write(self, param: str, value: Value) -> None:
        header, point = await self._point()
        words = await self._models.words(self._client, header)
        try:
            encoded = point.encode(to_float(value) * self._scale, words)
        except ValueError as error:
            raise DeviceError(f"{self._client}: {param}: {error}") from None
        await self._client.write_registers(header.address + point.offset, encoded)

    async def close(self) -> None:
        await self._client.close()

    async def _point(self) -> tuple[ModelHeader, Point]:
        """The first candidate the device has, looked up once."""
        if self._found is None:
            self._found = await self._first()
        return self._found

    async def _first(self) -> tuple[ModelHeader, Point]:
        for selector in self._candidates:
            found = await self._models.find(self._client, selector, self._subdevice)
            if found is not None:
                return found
        models = ", ".join(str(header.id) for header in await self._models.chain(self._client))
        wanted = ", ".join(str(selector) for selector in self._candidates)
        raise DeviceError(f"{self._client}: none of {wanted} found; the device has models {models}")


@plugins.register("sunspec", SunSpecParams, "a SunSpec point of an inverter, meter or battery (Modbus)")
def build(params: SunSpecParams, context: PluginContext) -> SunSpecPoint:
    client = params.client(context.device)
    return SunSpecPoint(client, device(context.device, client), params)
