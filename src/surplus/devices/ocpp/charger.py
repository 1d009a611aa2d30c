"""``type: ocpp``: a connector of an OCPP 1.6J station, which connects to our central system.

Current and enable are charging profiles (TxDefaultProfile, a limit of 0 pauses); status, transaction and
meter values come from the station's notifications. Whether the station can switch phases is known once it
has connected, so :meth:`OcppCharger.start` waits for it (up to ``connecttimeout``) before the application
looks at the charger's capabilities.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, SecretStr, model_validator

from surplus.clock import Clock
from surplus.config.schema import Duration
from surplus.core.types import ChargeStatus
from surplus.devices.errors import DeviceError, NotAvailable
from surplus.devices.ocpp.central import SHARED_KEY, CentralSystem
from surplus.devices.ocpp.connector import CHARGING, SUSPENDED_EV, SUSPENDED_EVSE, Connector
from surplus.devices.ocpp.library import Measurand, call
from surplus.devices.ocpp.link import CallRefused
from surplus.devices.ocpp.measurements import CURRENT, ENERGY, PHASES, POWER, SOC, VOLTAGE, phase_value
from surplus.devices.ocpp.profiles import TX, TX_DEFAULT, charging_profile
from surplus.devices.ocpp.station import Settings, Station
from surplus.devices.protocols import Triple
from surplus.devices.registry import BuildContext, DeviceParams, registry

DEFAULT_ID_TAG = "surplus"
#: what enable(True) offers before a current has been set (the IEC 61851 minimum)
DEFAULT_CURRENT = 6.0
#: meter values count as current for this long at least, whatever the sample interval
MIN_FRESHNESS = timedelta(minutes=1)
STATUSES = {
    "Available": ChargeStatus.A,
    "Unavailable": ChargeStatus.A,
    "Preparing": ChargeStatus.B,
    "SuspendedEVSE": ChargeStatus.B,
    "SuspendedEV": ChargeStatus.B,
    "Finishing": ChargeStatus.B,
    "Charging": ChargeStatus.C,
}
MEASURANDS = tuple(measurand.value for measurand in Measurand)


def _measurands(value: Any) -> Any:
    """evcc writes the list comma-separated; each item is an OCPP measurand, ``-`` in front leaves it out."""
    items = [item.strip() for item in value.split(",") if item.strip()] if isinstance(value, str) else value
    if isinstance(items, list):
        for item in items:
            if str(item).removeprefix("-") not in MEASURANDS:
                raise ValueError(f"unknown measurand '{item}'; allowed: {', '.join(MEASURANDS)}")
    return items


class OcppParams(DeviceParams):
    station_id: str = ""
    connector: int = Field(1, ge=1)
    id_tag: str = ""
    remote_start: bool = False
    meter_values: Annotated[tuple[str, ...], BeforeValidator(_measurands)] = ()
    meter_interval: Duration = timedelta(seconds=10)
    connect_timeout: Duration = timedelta(minutes=5)
    timeout: Duration = timedelta(minutes=1)
    user: str = ""
    password: SecretStr = SecretStr("")

    @model_validator(mode="after")
    def _complete(self) -> OcppParams:
        if bool(self.user) != bool(self.password.get_secret_value()):
            raise ValueError("user and password go together; give both or neither")
        if self.meter_interval < timedelta(seconds=1):
            raise ValueError("meterinterval must be at least 1s")
        if self.timeout <= timedelta(0):
            raise ValueError("timeout must be more than 0s")
        return self


class OcppCharger:
    def __init__(
        self, central: CentralSystem, station: Station, connector: Connector, params: OcppParams, clock: Clock
    ) -> None:
        self._central = central
        self._station = station
        self._connector = connector
        self._clock = clock
        self._timeout = params.timeout.total_seconds()
        self._connect_timeout = params.connect_timeout.total_seconds()
        self._fresh_for = max(params.meter_interval + timedelta(seconds=10), MIN_FRESHNESS)
        self._started = False
        #: the last enable command (None: none yet) and the current the next enable offers
        self._commanded: bool | None = None
        self._current = DEFAULT_CURRENT
        #: the limit the station last accepted, offered again after a reconnect or a phase switch
        self._offered: float | None = None
        #: set by a phase switch; until then the station decides
        self._phases: int | None = None
        self._fallback_logged = False
        station.on_ready(self._offer_again)

    def __repr__(self) -> str:
        return f"{self._station} connector {self._connector.number}"

    # --- lifecycle -----------------------------------------------------------------------------------------

    async def start(self) -> None:
        if self._started:
            return
        await self._central.acquire()
        self._started = True
        station = self._station
        try:
            async with asyncio.timeout(self._connect_timeout):
                await station.changes.until(lambda: station.ready)
        except TimeoutError:
            station.log.warning(
                "%s has not connected within %gs; it is used once it does, without phase switching",
                self,
                self._connect_timeout,
            )
        if station.features.phase_switching:
            # the application tells capabilities by class, and looks only after start()
            self.__class__ = PhaseSwitchingOcppCharger

    async def close(self) -> None:
        if self._started:
            self._started = False
            await self._central.release()

    # --- charger -------------------------------------------------------------------------------------------

    async def status(self) -> ChargeStatus:
        connector = self._live()
        if connector.status is None:
            raise DeviceError(f"{self} has not reported its status yet")
        if connector.error_code != "NoError" or connector.status not in STATUSES:
            raise DeviceError(f"{self} is {connector.status} ({connector.error_code})")
        return STATUSES[connector.status]

    async def enabled(self) -> bool:
        status = self._live().status
        if status == SUSPENDED_EVSE:
            return False
        if status in (CHARGING, SUSPENDED_EV):
            return True
        return bool(self._commanded)

    async def enable(self, enable: bool) -> None:
        await self._offer(self._current if enable else 0.0)
        self._commanded = enable

    async def max_current(self, current: int) -> None:
        await self.max_current_millis(float(current))

    async def max_current_millis(self, current: float) -> None:
        """Offered at once unless charging is disabled; then it is what the next enable offers."""
        if self._commanded is not False:
            await self._offer(current)
        self._current = current

    async def identify(self) -> str:
        transaction = self._live().transaction
        return transaction.id_tag if transaction is not None else ""

    # --- meter ---------------------------------------------------------------------------------------------

    async def current_power(self) -> float:
        values = self._values()
        if POWER in values:
            return values[POWER]
        phases = [value for phase in PHASES if (value := phase_value(values, POWER, phase)) is not None]
        return sum(phases) if phases else self._missing(POWER)

    async def total_energy(self) -> float:
        values = self._values()
        return values[ENERGY] / 1000 if ENERGY in values else self._missing(ENERGY)

    async def currents(self) -> Triple:
        return self._triple(CURRENT)

    async def voltages(self) -> Triple:
        return self._triple(VOLTAGE)

    async def soc(self) -> float:
        values = self._values()
        if SOC not in values:
            raise NotAvailable(f"{self} reports no SoC")
        return values[SOC]

    # --- internals -----------------------------------------------------------------------------------------

    def _live(self) -> Connector:
        self._station.require_connection()
        return self._connector

    def _values(self) -> dict[str, float]:
        """The connector's meter values; none when they are old, an error when they are old during a transaction."""
        connector = self._live()
        received = connector.values_received
        if received is None:
            return {}
        age = self._clock.now() - received
        if age <= self._fresh_for:
            return connector.values
        if connector.transaction is not None:
            raise DeviceError(f"{self}: the last meter values are {age.total_seconds():.0f}s old")
        return {}

    def _missing(self, measurand: str) -> float:
        """0 for a value the station samples but has not sent (lately); NotAvailable when it does not sample it."""
        if measurand in self._station.measurands:
            return 0.0
        raise NotAvailable(f"{self} does not sample {measurand}")

    def _triple(self, measurand: str) -> Triple:
        values = self._values()
        l1, l2, l3 = (phase_value(values, measurand, phase) for phase in PHASES)
        if l1 is None and l2 is None and l3 is None:
            self._missing(measurand)
        return (l1 or 0.0, l2 or 0.0, l3 or 0.0)

    async def _offer_again(self) -> None:
        """After a reconnect (the station may have forgotten its profile) and after a phase switch."""
        if self._offered is not None:
            await self._offer(self._offered)

    async def _offer(self, current: float) -> None:
        """Set the limit as TxDefaultProfile, else (refused) as TxProfile of the running transaction."""
        refusal = await self._set_profile(TX_DEFAULT, current)
        if refusal is None:
            self._offered = current
            return
        if not self._fallback_logged:
            self._fallback_logged = True
            self._station.log.warning("%s refused the TxDefaultProfile (%s); using TxProfile", self, refusal)
        transaction = self._live().transaction
        if transaction is None:
            raise DeviceError(f"{self} refused the charging profile ({refusal}) and has no transaction for a TxProfile")
        refusal = await self._set_profile(TX, current, transaction.id)
        if refusal is not None:
            raise DeviceError(f"{self} refused the charging profile ({refusal})")
        self._offered = current

    async def _set_profile(self, purpose: str, current: float, transaction_id: int | None = None) -> str | None:
        """None when the station accepted the profile, else how it refused."""
        station, number = self._station, self._connector.number
        start = self._clock.now() - timedelta(minutes=1)
        features = station.features
        profile = charging_profile(
            purpose, number, features.stack_level, start, current, features.watts, self._phases, transaction_id
        )
        try:
            answer = await station.request(call.SetChargingProfile(number, profile), self._timeout)
        except CallRefused as error:
            return str(error)
        return None if answer.status == "Accepted" else str(answer.status)


class PhaseSwitchingOcppCharger(OcppCharger):
    """A charger whose station announced 1p/3p switching."""

    async def phases_1p3p(self, phases: int) -> None:
        self._phases = phases
        await self._offer_again()


@registry.register("charger", "ocpp", OcppParams, "a charge point speaking OCPP 1.6J to the built-in central system")
def build(params: OcppParams, context: BuildContext) -> OcppCharger:
    central = context.shared(SHARED_KEY, lambda: CentralSystem.from_environment(context.clock))
    station = central.station(params.station_id)
    credentials = (params.user, params.password.get_secret_value()) if params.user else None
    settings = Settings(params.meter_interval, params.meter_values, params.timeout.total_seconds())
    station.configure(credentials, settings)
    connector = station.claim(params.connector, (params.id_tag or DEFAULT_ID_TAG) if params.remote_start else None)
    return OcppCharger(central, station, connector, params, context.clock)
