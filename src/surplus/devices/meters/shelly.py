"""``type: shelly`` meters: the power and energy of a Shelly channel, gen1 or gen2+.

A 3EM (gen1 ``SHEM-3`` or gen2 Pro 3EM ``em:<n>``) reports the sum of its phases and each phase's current,
voltage and power; other devices report no phase values (NotAvailable, which the control loop skips quietly).
"""

from __future__ import annotations

from typing import TypeVar

from surplus.devices.chargers.shelly_api import Shelly, ShellyParams, connect
from surplus.devices.chargers.shelly_readings import ShellyReading
from surplus.devices.errors import NotAvailable
from surplus.devices.protocols import Triple
from surplus.devices.registry import BuildContext, registry

T = TypeVar("T")


class ShellyMeter:
    def __init__(self, shelly: Shelly) -> None:
        self._shelly = shelly

    async def _reading(self) -> ShellyReading:
        return await self._shelly.reading()

    async def current_power(self) -> float:
        return (await self._reading()).power

    async def total_energy(self) -> float:
        return _present((await self._reading()).energy, "energy counter")

    async def return_energy(self) -> float:
        return _present((await self._reading()).returned, "return energy counter")

    async def currents(self) -> Triple:
        return _present((await self._reading()).currents, "phase currents")

    async def voltages(self) -> Triple:
        return _present((await self._reading()).voltages, "phase voltages")

    async def powers(self) -> Triple:
        return _present((await self._reading()).powers, "phase powers")

    async def close(self) -> None:
        await self._shelly.close()


def _present(value: T | None, what: str) -> T:
    if value is None:
        raise NotAvailable(f"this Shelly channel has no {what}")
    return value


@registry.register("meter", "shelly", ShellyParams, "a Shelly meter or metering relay (gen1 and gen2+, 3EM phases)")
def build(params: ShellyParams, context: BuildContext) -> ShellyMeter:
    return ShellyMeter(connect(params, context, "meter"))
