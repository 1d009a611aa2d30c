"""``type: custom`` chargers assembled from plugin sources, and ``type: switchsocket`` for smart plugs.

A custom charger needs ``status`` (A–F), ``enabled``, ``enable`` and ``maxcurrent``; ``maxcurrentmillis``,
``phases1p3p``, ``identify``, ``wakeup``, ``soc`` and the charge meter values (``power``, ``energy``,
``currents``, ``voltages``) are optional. A switch socket is a relay with a power meter: it charges when it
draws more than ``standbypower`` (or, with a negative standby power, whenever it is on).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from surplus.core.types import ChargeStatus, Feature
from surplus.devices.custom.assembly import assemble, meter_values, read, write
from surplus.devices.custom.capabilities import WakeUp
from surplus.devices.plugins.base import Reader, Value, Writer, to_bool, to_float, to_str
from surplus.devices.registry import BuildContext, DeviceParams, registry

Source = dict[str, Any]


class CustomChargerParams(DeviceParams):
    status: Source
    enabled: Source
    enable: Source
    max_current: Source
    max_current_millis: Source | None = None
    phases_1p3p: Source | None = None
    tos: bool = False
    identify: Source | None = None
    wakeup: Source | None = None
    soc: Source | None = None
    power: Source | None = None
    energy: Source | None = None
    currents: list[Source] | None = None
    voltages: list[Source] | None = None
    features: list[Feature] = Field(default_factory=list)


class SwitchSocketParams(DeviceParams):
    enabled: Source
    enable: Source
    power: Source
    energy: Source | None = None
    standby_power: float = 15.0
    features: list[Feature] = Field(default_factory=list)


class _Switch:
    """Relay state and control, common to both kinds."""

    _enabled: Reader[bool]
    _enable: Writer[Value]
    _features: frozenset[Feature]

    async def enabled(self) -> bool:
        return await self._enabled()

    async def enable(self, enable: bool) -> None:
        await self._enable(enable)

    def features(self) -> frozenset[Feature]:
        return self._features


class CustomCharger(_Switch):
    _status: Reader[str]
    _max_current: Writer[Value]

    async def status(self) -> ChargeStatus:
        return ChargeStatus.parse(await self._status())

    async def max_current(self, current: int) -> None:
        await self._max_current(current)


class SwitchSocket(_Switch):
    _power: Reader[float]
    _standby_power: float

    async def current_power(self) -> float:
        return await self._power()

    async def status(self) -> ChargeStatus:
        if self._standby_power < 0:
            return ChargeStatus.C if await self._enabled() else ChargeStatus.B
        return ChargeStatus.C if await self._power() > self._standby_power else ChargeStatus.B

    async def max_current(self, current: int) -> None:
        """A relay has no current to set."""


class _Millis:
    _max_current_millis: Writer[Value]

    async def max_current_millis(self, current: float) -> None:
        await self._max_current_millis(current)


class _Phases:
    _phases: Writer[Value]

    async def phases_1p3p(self, phases: int) -> None:
        await self._phases(phases)


class _Identify:
    _identify: Reader[str]

    async def identify(self) -> str:
        return await self._identify()


@registry.register("charger", "custom", CustomChargerParams, "a charger assembled from plugin sources")
def build(params: CustomChargerParams, context: BuildContext) -> CustomCharger:
    mixins: list[type] = []
    attributes: dict[str, Any] = {
        "_status": read(params.status, context, to_str, "status"),
        "_enabled": read(params.enabled, context, to_bool, "enabled"),
        "_enable": write(params.enable, context, "enable", "enable"),
        "_max_current": write(params.max_current, context, "maxcurrent", "maxcurrent"),
        "_features": frozenset(params.features),
    }
    setters = (
        ("maxcurrentmillis", params.max_current_millis, _Millis, "_max_current_millis"),
        ("phases1p3p", params.phases_1p3p, _Phases, "_phases"),
        ("wakeup", params.wakeup, WakeUp, "_wakeup"),
    )
    for key, config, mixin, attribute in setters:
        if config is not None:
            mixins.append(mixin)
            attributes[attribute] = write(config, context, "phases" if key == "phases1p3p" else key, key)
    if params.identify is not None:
        mixins.append(_Identify)
        attributes["_identify"] = read(params.identify, context, to_str, "identify")
    values = {
        "soc": params.soc,
        "power": params.power,
        "energy": params.energy,
        "currents": params.currents,
        "voltages": params.voltages,
    }
    meter_values(values, context, mixins, attributes)
    return assemble(CustomCharger, mixins, attributes, context)


@registry.register("charger", "switchsocket", SwitchSocketParams, "a smart plug switching a charger or heater")
def build_switch_socket(params: SwitchSocketParams, context: BuildContext) -> SwitchSocket:
    mixins: list[type] = []
    attributes: dict[str, Any] = {
        "_enabled": read(params.enabled, context, to_bool, "enabled"),
        "_enable": write(params.enable, context, "enable", "enable"),
        "_power": read(params.power, context, to_float, "power"),
        "_standby_power": params.standby_power,
        "_features": frozenset({*params.features, Feature.SWITCH_DEVICE, Feature.INTEGRATED_DEVICE}),
    }
    meter_values({"energy": params.energy}, context, mixins, attributes)
    return assemble(SwitchSocket, mixins, attributes, context)
