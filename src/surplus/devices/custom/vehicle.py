"""``type: custom`` vehicles: ``soc`` from a plugin source, and optionally ``range``, ``odometer``, ``limitsoc``,
``status``, ``climater`` and a ``wakeup`` setter. An ``offline`` vehicle is ``soc: {source: const, value: 0}``
with the feature ``offline``."""

from __future__ import annotations

from typing import Any

from surplus.core.types import ChargeStatus
from surplus.devices.custom.assembly import assemble, read, write
from surplus.devices.custom.capabilities import WakeUp
from surplus.devices.plugins.base import Reader, to_bool, to_float, to_str
from surplus.devices.registry import BuildContext, VehicleParams, registry

Source = dict[str, Any]


class CustomVehicleParams(VehicleParams):
    soc: Source
    range: Source | None = None
    odometer: Source | None = None
    limit_soc: Source | None = None
    status: Source | None = None
    climater: Source | None = None
    wakeup: Source | None = None


class CustomVehicle:
    _title: str
    _capacity: float
    _soc: Reader[float]

    def title(self) -> str:
        return self._title

    def capacity(self) -> float:
        return self._capacity

    async def soc(self) -> float:
        return await self._soc()


class _Range:
    _range: Reader[float]

    async def range(self) -> float:
        return await self._range()


class _Odometer:
    _odometer: Reader[float]

    async def odometer(self) -> float:
        return await self._odometer()


class _LimitSoc:
    _limit_soc: Reader[float]

    async def limit_soc(self) -> float:
        return await self._limit_soc()


class _Status:
    _status: Reader[str]

    async def status(self) -> ChargeStatus:
        return ChargeStatus.parse(await self._status())


class _Climater:
    _climater: Reader[bool]

    async def climater(self) -> bool:
        return await self._climater()


@registry.register("vehicle", "custom", CustomVehicleParams, "a vehicle whose values come from plugin sources")
def build(params: CustomVehicleParams, context: BuildContext) -> CustomVehicle:
    mixins: list[type] = []
    attributes: dict[str, Any] = {
        "_title": params.title or context.name,
        "_capacity": params.capacity,
        "_soc": read(params.soc, context, to_float, "soc"),
    }
    getters = (
        ("range", params.range, _Range, "_range", to_float),
        ("odometer", params.odometer, _Odometer, "_odometer", to_float),
        ("limitsoc", params.limit_soc, _LimitSoc, "_limit_soc", to_float),
        ("status", params.status, _Status, "_status", to_str),
        ("climater", params.climater, _Climater, "_climater", to_bool),
    )
    for key, config, mixin, attribute, convert in getters:
        if config is not None:
            mixins.append(mixin)
            attributes[attribute] = read(config, context, convert, key)
    if params.wakeup is not None:
        mixins.append(WakeUp)
        attributes["_wakeup"] = write(params.wakeup, context, "wakeup", "wakeup")
    return assemble(CustomVehicle, mixins, attributes, context)
