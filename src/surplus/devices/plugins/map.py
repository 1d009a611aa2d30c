"""``source: map``: translates integer values through a table, around a ``get`` and/or a ``set`` source.

batterymode:
  source: map
  values: {1: 0, 2: 2, 3: 1}     # evcc's mode → the inverter's register value
  set: {source: modbus, …}
"""

from __future__ import annotations

from typing import Any

from pydantic import model_validator

from surplus.devices.errors import DeviceError
from surplus.devices.plugins.base import (
    PluginContext,
    PluginParams,
    Reader,
    Value,
    Writable,
    plugins,
    reader,
    to_int,
    writable,
)


class MapParams(PluginParams):
    values: dict[int, int]
    get: dict[str, Any] | None = None
    set: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _a_source(self) -> MapParams:
        if self.get is None and self.set is None:
            raise ValueError("map needs get (to read), set (to write) or both")
        return self


class Map:
    def __init__(self, values: dict[int, int], get: Reader[int] | None, target: Writable | None) -> None:
        self._values = values
        self._get = get
        self._target = target

    async def read(self) -> Value:
        if self._get is None:
            raise DeviceError("map: no get source to read from")
        return self._mapped(await self._get())

    async def write(self, param: str, value: Value) -> None:
        if self._target is None:
            raise DeviceError("map: no set source to write to")
        await self._target.write(param, self._mapped(to_int(value)))

    def _mapped(self, value: int) -> int:
        if value not in self._values:
            raise DeviceError(f"map: {value} is not in the table; it has {', '.join(map(str, self._values))}")
        return self._values[value]


@plugins.register("map", MapParams, "integer values translated through a table")
def build(params: MapParams, context: PluginContext) -> Map:
    get = reader(context.plugin(params.get, "get"), to_int, (*context.loc, "get")) if params.get else None
    target = writable(context.plugin(params.set, "set"), (*context.loc, "set")) if params.set else None
    return Map(params.values, get, target)
