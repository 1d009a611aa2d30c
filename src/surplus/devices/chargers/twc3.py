"""``type: twc3``: the Tesla Wall Connector gen3, read-only over its local HTTP API.

``GET /api/1/vitals`` tells whether a vehicle is connected (B) and the contactor closed (C), the current and
voltage of each phase and the session's energy; ``GET /api/1/lifetime`` the energy counter. The Wall Connector
takes no commands: evcc leaves enabling and the current to the connected car's own API, which Surplus does not
have. So ``enable`` and ``max_current`` are only recorded (``enabled`` reports what was last asked), and the car
charges as the Wall Connector and the car agree.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel

from surplus.config.schema import Duration
from surplus.core.types import ChargeStatus
from surplus.devices.chargers.answers import validated
from surplus.devices.chargers.local_http import LocalHttp, device_url
from surplus.devices.chargers.snapshot import Snapshot
from surplus.devices.protocols import Triple
from surplus.devices.registry import BuildContext, DeviceParams, registry


class Twc3Params(DeviceParams):
    uri: str | None = None
    host: str | None = None
    timeout: Duration = timedelta(seconds=5)
    cache: Duration = timedelta(seconds=1)


class _Vitals(BaseModel):
    """Field names as the Wall Connector spells them."""

    vehicle_connected: bool
    contactor_closed: bool
    currentA_a: float
    currentB_a: float
    currentC_a: float
    voltageA_v: float
    voltageB_v: float
    voltageC_v: float
    session_energy_wh: float


class _Lifetime(BaseModel):
    energy_wh: float


class Twc3:
    def __init__(self, http: LocalHttp, context: BuildContext, cache: timedelta) -> None:
        self._http = http
        self._log = context.log
        self._vitals = Snapshot(self._read_vitals, context.clock, cache)
        self._lifetime = Snapshot(self._read_lifetime, context.clock, cache)
        self._enabled = True
        self._told = False

    async def _read_vitals(self) -> _Vitals:
        return validated(_Vitals, await self._http.get_json("/api/1/vitals"), self._http.where)

    async def _read_lifetime(self) -> _Lifetime:
        return validated(_Lifetime, await self._http.get_json("/api/1/lifetime"), self._http.where)

    async def status(self) -> ChargeStatus:
        vitals = await self._vitals.get()
        if not vitals.vehicle_connected:
            return ChargeStatus.A
        return ChargeStatus.C if vitals.contactor_closed else ChargeStatus.B

    async def enabled(self) -> bool:
        return self._enabled

    async def enable(self, enable: bool) -> None:
        self._recorded()
        self._enabled = enable

    async def max_current(self, current: int) -> None:
        self._recorded()

    def _recorded(self) -> None:
        if not self._told:
            self._told = True
            self._log.info("%s takes no commands: enable and current are recorded only", self._http.where)

    async def current_power(self) -> float:
        vitals = await self._vitals.get()
        return sum(current * voltage for current, voltage in zip(_currents(vitals), _voltages(vitals), strict=True))

    async def currents(self) -> Triple:
        return _currents(await self._vitals.get())

    async def voltages(self) -> Triple:
        return _voltages(await self._vitals.get())

    async def charged_energy(self) -> float:
        return (await self._vitals.get()).session_energy_wh / 1000

    async def total_energy(self) -> float:
        return (await self._lifetime.get()).energy_wh / 1000

    async def close(self) -> None:
        await self._http.close()


def _currents(vitals: _Vitals) -> Triple:
    return (vitals.currentA_a, vitals.currentB_a, vitals.currentC_a)


def _voltages(vitals: _Vitals) -> Triple:
    return (vitals.voltageA_v, vitals.voltageB_v, vitals.voltageC_v)


@registry.register("charger", "twc3", Twc3Params, "Tesla Wall Connector gen3 (read-only, local HTTP)")
def build(params: Twc3Params, context: BuildContext) -> Twc3:
    http = LocalHttp("TWC3", device_url(params.uri, params.host), params.timeout)
    return Twc3(http, context, params.cache)
