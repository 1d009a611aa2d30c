"""Reading devices into the core's readings and sending the core's commands, every call bounded by a timeout.

A slow or failing device never stalls the cycle: its value is missing this time, the failure is logged
once when it starts and once when it ends, and the next cycle asks again.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from surplus.core.commands import ChargerCommand, Enable, MaxCurrent, SwitchPhases, WakeUp
from surplus.core.readings import ChargerReading, MeterReading, Triple, VehicleReading
from surplus.core.types import ChargeStatus
from surplus.devices import protocols as p
from surplus.devices.errors import Asleep, MustRetry, NotAvailable
from surplus.logs import get_logger

#: a failing device is asked again at once, then after this long, doubling up to RETRY_MAX
RETRY_FIRST = timedelta(seconds=15)
RETRY_MAX = timedelta(minutes=2)


class FailureLog:
    """Logs a device's failure when it starts and its recovery when it ends, not every cycle.

    Given the time of each read, it also backs off: a device that failed twice in a row is left alone for
    RETRY_FIRST, then twice as long after each further failure, up to RETRY_MAX. A dead device then neither
    costs every cycle its timeout nor floods its log and network, and is noticed again within RETRY_MAX.
    """

    def __init__(self, log: logging.Logger) -> None:
        self._log = log
        self.failing: dict[str, str] = {}
        self._failures = 0
        self.retry_at: datetime | None = None

    def failed(self, what: str, error: str, now: datetime | None = None) -> None:
        if self.failing.get(what) != error:
            self._log.warning("%s: %s", what, error)
        self.failing[what] = error
        if now is not None:
            self._failures += 1
            if self._failures >= 2:
                self.retry_at = now + min(RETRY_FIRST * 2 ** (self._failures - 2), RETRY_MAX)

    def succeeded(self, what: str) -> None:
        self._failures = 0
        self.retry_at = None
        if self.failing.pop(what, None) is not None:
            self._log.info("%s: working again", what)

    def resting(self, now: datetime | None) -> str | None:
        """The last error while the device is being left alone, else None (ask it)."""
        if now is None or self.retry_at is None or now >= self.retry_at:
            return None
        return next(iter(self.failing.values()), "failing")


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one device call gave: a value, nothing (capability absent), or an error."""

    value: Any = None
    error: str | None = None
    not_available: bool = False
    asleep: bool = False
    must_retry: bool = False


#: the outcome of a capability the device lacks (one instance: most values of most devices are absent)
NOTHING = Outcome()


Call = Callable[[], Awaitable[Any]]


async def answer(call: Call) -> Outcome:
    """What one device call gives, its failures included; the caller bounds how long it may take."""
    try:
        return Outcome(await call())
    except NotAvailable:
        return Outcome(not_available=True)
    except MustRetry:
        return Outcome(must_retry=True)
    except Asleep as error:
        return Outcome(error=str(error) or "vehicle asleep", asleep=True)
    except Exception as error:  # a device may fail in any way; the loop must go on
        return Outcome(error=f"{type(error).__name__}: {error}" if str(error) else type(error).__name__)


def _late(timeout: float) -> Outcome:
    return Outcome(error=f"no answer within {timeout:g}s")


async def attempt(call: Call, timeout: float) -> Outcome:
    try:
        async with asyncio.timeout(timeout):
            return await answer(call)
    except TimeoutError:
        return _late(timeout)


async def read_in_turn(calls: Mapping[str, Call | None], timeout: float) -> dict[str, Outcome]:
    """Each value of one device in turn, all within one deadline; an absent capability (None) gives nothing.

    In turn rather than at once: values of one device usually share its connection (a Modbus link, a cached
    HTTP status), and no task per value keeps a cycle of many devices cheap. The deadline bounds the device as
    a whole, so a hanging device costs one timeout, not one per value; what it answered before counts.
    """
    outcomes: dict[str, Outcome] = {}
    try:
        async with asyncio.timeout(timeout):
            for name, call in calls.items():
                outcomes[name] = NOTHING if call is None else await answer(call)
    except TimeoutError:
        late = _late(timeout)
        for name, call in calls.items():
            outcomes.setdefault(name, NOTHING if call is None else late)
    return outcomes


def capability(device: object, protocol: type, method: str) -> Call | None:
    """The device's ``method`` if it implements ``protocol``; decided once, when a handle is made."""
    return cast(Call, getattr(device, method)) if isinstance(device, protocol) else None


def number(outcome: Outcome) -> float | None:
    value = outcome.value
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def garbage(outcome: Outcome, what: str) -> str | None:
    """A reply that is not a number where one was asked for."""
    if outcome.error or outcome.value is None or number(outcome) is not None:
        return outcome.error
    return f"{what} answered {outcome.value!r}, not a number"


def positive(outcome: Outcome) -> float | None:
    """Energy counters of exactly 0 are treated as missing (spurious resets, core.md §2.1)."""
    value = number(outcome)
    return value if value else None


def triple(outcome: Outcome) -> Triple | None:
    value = outcome.value
    if isinstance(value, tuple | list) and len(value) == 3:
        parts = [number(Outcome(v)) for v in value]
        if all(part is not None for part in parts):
            return (float(parts[0] or 0), float(parts[1] or 0), float(parts[2] or 0))
    return None


@dataclass
class MeterHandle:
    """A configured meter and the values it can report (its capabilities, resolved once)."""

    name: str
    device: p.Meter
    title: str = ""
    log: FailureLog = field(default_factory=lambda: FailureLog(get_logger("meter")))

    def __post_init__(self) -> None:
        device = self.device
        self._calls: dict[str, Call | None] = {
            "power": device.current_power,
            "energy": capability(device, p.MeterEnergy, "total_energy"),
            "returned": capability(device, p.MeterReturnEnergy, "return_energy"),
            "currents": capability(device, p.PhaseCurrents, "currents"),
            "powers": capability(device, p.PhasePowers, "powers"),
            "soc": capability(device, p.Battery, "soc"),
        }
        self._capacity = device.capacity if isinstance(device, p.BatteryCapacity) else None
        self._max_ac_power = device.max_ac_power if isinstance(device, p.MaxACPower) else None
        self._controllable = isinstance(device, p.BatteryController)

    async def read(self, timeout: float, now: datetime | None = None) -> MeterReading:
        """This cycle's values; while backing off after failures (``now`` given), the last error instead."""
        resting = self.log.resting(now)
        if resting is not None:
            return MeterReading(name=self.name, title=self.title, error=resting)
        values = await read_in_turn(self._calls, timeout)
        power = values["power"]
        error = garbage(power, "power")
        if error:
            self.log.failed(f"meter {self.name}", error, now)
        else:
            self.log.succeeded(f"meter {self.name}")
        return MeterReading(
            name=self.name,
            title=self.title,
            power=None if error else number(power),
            energy=positive(values["energy"]),
            return_energy=positive(values["returned"]),
            currents=triple(values["currents"]),
            powers=triple(values["powers"]),
            soc=number(values["soc"]),
            capacity=self._capacity() if self._capacity else None,
            max_ac_power=self._max_ac_power() if self._max_ac_power else None,
            controllable=self._controllable,
            error=error,
        )


@dataclass
class ChargerHandle:
    """A loadpoint's charger, its separate charge meter if any, and how to send it commands."""

    name: str
    device: p.Charger
    meter: p.Meter | None = None
    log: FailureLog = field(default_factory=lambda: FailureLog(get_logger("charger")))

    def __post_init__(self) -> None:
        device = self.device
        meter = self.meter if self.meter is not None else device if isinstance(device, p.Meter) else None
        self.charge_meter: p.Meter | None = meter
        self._calls: dict[str, Call | None] = {
            "status": device.status,
            "enabled": device.enabled,
            "power": meter.current_power if meter is not None else None,
            "energy": capability(meter, p.MeterEnergy, "total_energy"),
            "currents": capability(meter, p.PhaseCurrents, "currents"),
            "voltages": capability(meter, p.PhaseVoltages, "voltages"),
            "counter": capability(device, p.ChargeRater, "charged_energy"),
            "offered": capability(device, p.CurrentGetter, "get_max_current"),
            "phases": capability(device, p.PhaseGetter, "get_phases"),
            "identifier": capability(device, p.Identifier, "identify"),
            "soc": capability(device, p.Battery, "soc"),
        }

    async def read(self, timeout: float, now: datetime | None = None) -> ChargerReading:
        """This cycle's values; while backing off after failures (``now`` given), the last error instead."""
        resting = self.log.resting(now)
        if resting is not None:
            return ChargerReading(error=resting)
        values = await read_in_turn(self._calls, timeout)
        status, enabled, power = values["status"], values["enabled"], values["power"]
        error = status.error or enabled.error or garbage(power, "charge power")
        if status.value is not None and not isinstance(status.value, ChargeStatus):
            error = f"status answered {status.value!r}, not A, B or C"
        if error:
            self.log.failed(f"charger {self.name}", error, now)
        else:
            self.log.succeeded(f"charger {self.name}")
        phase_count = number(values["phases"])
        identifier = values["identifier"].value
        return ChargerReading(
            status=status.value if isinstance(status.value, ChargeStatus) else None,
            enabled=enabled.value if isinstance(enabled.value, bool) else None,
            power=number(power),
            energy=positive(values["energy"]),
            currents=triple(values["currents"]),
            voltages=triple(values["voltages"]),
            charged_energy=number(values["counter"]),
            max_current=number(values["offered"]),
            phases=int(phase_count) if phase_count is not None else None,
            identifier=identifier if isinstance(identifier, str) and identifier else None,
            soc=number(values["soc"]),
            error=error,
        )

    async def send(self, command: ChargerCommand, timeout: float, vehicle: object | None = None) -> Outcome:
        device = self.device
        if isinstance(command, Enable):
            return await attempt(lambda: device.enable(command.enable), timeout)
        if isinstance(command, MaxCurrent):
            if not command.coarse and isinstance(device, p.ChargerMillis):
                millis = device.max_current_millis
                return await attempt(lambda: millis(command.current), timeout)
            return await attempt(lambda: device.max_current(int(command.current)), timeout)
        if isinstance(command, SwitchPhases):
            if not isinstance(device, p.PhaseSwitcher):
                return Outcome(not_available=True)
            switch = device.phases_1p3p
            return await attempt(lambda: switch(command.phases), timeout)
        assert isinstance(command, WakeUp)
        target = device if command.via == "charger" else vehicle
        if not isinstance(target, p.Resurrector):
            return Outcome(not_available=True)
        return await attempt(target.wake_up, timeout)


@dataclass
class VehicleHandle:
    name: str
    device: p.Vehicle
    log: FailureLog = field(default_factory=lambda: FailureLog(get_logger("vehicle")))

    def __post_init__(self) -> None:
        device = self.device
        self._soc_calls: dict[str, Call | None] = {
            "soc": device.soc,
            "range": capability(device, p.VehicleRange, "range"),
            "odometer": capability(device, p.VehicleOdometer, "odometer"),
            "limit": capability(device, p.VehicleSocLimiter, "limit_soc"),
            "climater": capability(device, p.VehicleClimater, "climater"),
        }
        self._status_call = capability(device, p.VehicleChargeState, "status")

    async def read(self, timeout: float, soc: bool, status: bool) -> VehicleReading:
        calls = {name: call if soc else None for name, call in self._soc_calls.items()}
        calls["status"] = self._status_call if status else None
        values = await read_in_turn(calls, timeout)
        soc_value = values["soc"]
        error = garbage(soc_value, "soc")
        if error:
            self.log.failed(f"vehicle {self.name}", error)
        else:
            self.log.succeeded(f"vehicle {self.name}")
        soc_number = number(soc_value)
        climater, charge_state = values["climater"].value, values["status"].value
        return VehicleReading(
            soc=soc_number if soc_number is not None and 0 <= soc_number <= 100 else None,
            range=number(values["range"]),
            odometer=number(values["odometer"]),
            limit_soc=number(values["limit"]),
            status=charge_state if isinstance(charge_state, ChargeStatus) else None,
            climater=climater if isinstance(climater, bool) else None,
            error=error,
            must_retry=soc_value.must_retry,
        )
