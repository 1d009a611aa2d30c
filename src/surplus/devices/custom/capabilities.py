"""Capability mixins shared by custom meters, chargers and vehicles: each calls the reader or writer that
:func:`~surplus.devices.custom.assembly.assemble` set on the instance under the attribute it names."""

from __future__ import annotations

from surplus.devices.plugins.base import Reader, Value, Writer

Triple = tuple[float, float, float]


class Power:
    _power: Reader[float]

    async def current_power(self) -> float:
        return await self._power()


class Energy:
    _energy: Reader[float]

    async def total_energy(self) -> float:
        return await self._energy()


class ReturnEnergy:
    _return_energy: Reader[float]

    async def return_energy(self) -> float:
        return await self._return_energy()


class Currents:
    _currents: Reader[Triple]

    async def currents(self) -> Triple:
        return await self._currents()


class Voltages:
    _voltages: Reader[Triple]

    async def voltages(self) -> Triple:
        return await self._voltages()


class Powers:
    _powers: Reader[Triple]

    async def powers(self) -> Triple:
        return await self._powers()


class Soc:
    _soc: Reader[float]

    async def soc(self) -> float:
        return await self._soc()


class WakeUp:
    _wakeup: Writer[Value]

    async def wake_up(self) -> None:
        await self._wakeup(True)


#: the mixin and attribute of each optional meter value, by config key
METER_VALUES: dict[str, tuple[type, str]] = {
    "power": (Power, "_power"),
    "energy": (Energy, "_energy"),
    "returnenergy": (ReturnEnergy, "_return_energy"),
    "soc": (Soc, "_soc"),
}
#: the mixin of each three-phase value, by config key (the attribute is ``_<key>``)
PHASE_VALUES: dict[str, type] = {"currents": Currents, "voltages": Voltages, "powers": Powers}
