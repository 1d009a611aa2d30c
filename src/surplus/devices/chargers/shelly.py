"""``type: shelly`` chargers: a Shelly relay with a power meter switching a charger or a heater.

It is a switch socket (see ``type: switchsocket``): charging (C) while it draws more than ``standbypower``
(or, with a negative standby power, whenever it is on), connected (B) otherwise.
"""

from __future__ import annotations

from pydantic import Field

from surplus.core.types import Feature
from surplus.devices.chargers.shelly_api import Shelly, ShellyParams, connect
from surplus.devices.custom.charger import SwitchSocket
from surplus.devices.errors import DeviceError, NotAvailable
from surplus.devices.registry import BuildContext, registry


class ShellyChargerParams(ShellyParams):
    standby_power: float = 15.0
    features: list[Feature] = Field(default_factory=list)


class ShellySocket(SwitchSocket):
    def __init__(self, shelly: Shelly, standby_power: float, features: frozenset[Feature]) -> None:
        self._shelly = shelly
        self._enabled = self._relay
        self._enable = self._switch
        self._power = self._measured
        self._standby_power = standby_power
        self._features = features

    async def _relay(self) -> bool:
        on = (await self._shelly.reading()).on
        if on is None:
            raise DeviceError("this Shelly channel has no relay")
        return on

    async def _switch(self, on: object) -> None:
        await self._shelly.switch(bool(on))

    async def _measured(self) -> float:
        return (await self._shelly.reading()).power

    async def total_energy(self) -> float:
        energy = (await self._shelly.reading()).energy
        if energy is None:
            raise NotAvailable("this Shelly channel counts no energy")
        return energy

    async def close(self) -> None:
        await self._shelly.close()


@registry.register("charger", "shelly", ShellyChargerParams, "a Shelly relay switching a charger (gen1 and gen2+)")
def build(params: ShellyChargerParams, context: BuildContext) -> ShellySocket:
    features = frozenset({*params.features, Feature.SWITCH_DEVICE, Feature.INTEGRATED_DEVICE})
    return ShellySocket(connect(params, context, "switch"), params.standby_power, features)
