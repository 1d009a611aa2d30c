"""``type: custom`` meters: grid, PV, battery or charge meters whose values come from plugin sources.

Sign conventions are evcc's (devices.md §3.1): grid import, PV production and battery discharge are positive;
a source with the opposite sign uses ``scale: -1``. A battery is controlled through ``batterymode`` (1 normal,
2 hold, 3 charge) or, for inverters that only know a charge limit, through ``limitsoc`` with ``minsoc`` and
``maxsoc``.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from surplus.core.types import BatteryMode
from surplus.devices.custom.assembly import assemble, meter_values, read, write
from surplus.devices.plugins.base import Reader, Value, Writer, to_float
from surplus.devices.registry import BuildContext, DeviceParams, NestedParamsError, registry

Source = dict[str, Any]


class CustomMeterParams(DeviceParams):
    power: Source
    energy: Source | None = None
    return_energy: Source | None = None
    currents: list[Source] | None = None
    voltages: list[Source] | None = None
    powers: list[Source] | None = None
    soc: Source | None = None
    capacity: float = Field(0.0, ge=0)
    battery_mode: Source | None = None
    limit_soc: Source | None = None
    min_soc: float = Field(20.0, ge=0, le=100)
    max_soc: float = Field(95.0, ge=0, le=100)
    max_ac_power: float = Field(0.0, ge=0)


class CustomMeter:
    _power: Reader[float]

    async def current_power(self) -> float:
        return await self._power()


class _Capacity:
    _capacity: float

    def capacity(self) -> float:
        return self._capacity


class _MaxACPower:
    _max_ac_power: float

    def max_ac_power(self) -> float:
        return self._max_ac_power


class _ModeControl:
    _battery_mode: Writer[Value]

    async def set_battery_mode(self, mode: BatteryMode) -> None:
        await self._battery_mode(int(mode))


class _LimitControl:
    """Battery control by charge limit: normal → min soc, hold → the soc now, charge → max soc."""

    _soc: Reader[float]
    _limit_soc: Writer[Value]
    _min_soc: float
    _max_soc: float

    async def set_battery_mode(self, mode: BatteryMode) -> None:
        if mode == BatteryMode.HOLD:
            limit = max(await self._soc(), self._min_soc)
        elif mode in (BatteryMode.CHARGE, BatteryMode.HOLDCHARGE):
            limit = self._max_soc
        else:
            limit = self._min_soc
        await self._limit_soc(round(limit))


@registry.register("meter", "custom", CustomMeterParams, "a meter assembled from plugin sources (http, modbus, …)")
def build(params: CustomMeterParams, context: BuildContext) -> CustomMeter:
    mixins: list[type] = []
    attributes: dict[str, Any] = {"_power": read(params.power, context, to_float, "power")}
    values = {
        "energy": params.energy,
        "returnenergy": params.return_energy,
        "soc": params.soc,
        "currents": params.currents,
        "voltages": params.voltages,
        "powers": params.powers,
    }
    meter_values(values, context, mixins, attributes)
    if params.capacity:
        mixins.append(_Capacity)
        attributes["_capacity"] = params.capacity
    if params.max_ac_power:
        mixins.append(_MaxACPower)
        attributes["_max_ac_power"] = params.max_ac_power
    if params.battery_mode is not None:
        mixins.append(_ModeControl)
        attributes["_battery_mode"] = write(params.battery_mode, context, "batterymode", "batterymode")
    elif params.limit_soc is not None:
        if params.soc is None:
            raise NestedParamsError(("limitsoc",), "battery control by limitsoc needs soc as well")
        mixins.append(_LimitControl)
        attributes["_limit_soc"] = write(params.limit_soc, context, "limitsoc", "limitsoc")
        attributes["_min_soc"] = params.min_soc
        attributes["_max_soc"] = params.max_soc
    return assemble(CustomMeter, mixins, attributes, context)
