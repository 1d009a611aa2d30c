"""Reading devices into the core's readings and sending the core's commands, every call bounded by a timeout.

A slow or failing device never stalls the cycle: its value is missing this time, the failure is logged
once when it starts and once when it ends, and the next cycle asks again.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from surplus.core.commands import ChargerCommand, Enable, MaxCurrent, SwitchPhases, WakeUp
from surplus.core.readings import ChargerReading, MeterReading, Triple, VehicleReading
from surplus.core.types import ChargeStatus
from surplus.devices import protocols as p
from surplus.devices.errors import Asleep, MustRetry, NotAvailable
from surplus.logs import get_logger

T = TypeVar("T")


class FailureLog:
    """Logs a device's failure when it starts and its recovery when it ends, not every cycle."""

    def __init__(self, log: logging.Logger) -> None:
        self._log = log
        self.failing: dict[str, str] = {}

    def failed(self, what: str, error: str) -> None:
        if self.failing.get(what) != error:
            self._log.warning("%s: %s", what, error)
        self.failing[what] = error

    def succeeded(self, what: str) -> None:
        if self.failing.pop(what, None) is not None:
            self._log.info("%s: working again", what)


@dataclass(frozen=True)
class Outcome:
    """What one device call gave: a value, nothing (capability absent), or an error."""

    value: Any = None
    error: str | None = None
    not_available: bool = False
    asleep: bool = False
    must_retry: bool = False


async def attempt(call: Callable[[], Awaitable[T]], timeout: float) -> Outcome:
    try:
        async with asyncio.timeout(timeout):
            return Outcome(await call())
    except NotAvailable:
        return Outcome(not_available=True)
    except MustRetry:
        return Outcome(must_retry=True)
    except Asleep as error:
        return Outcome(error=str(error) or "vehicle asleep", asleep=True)
    except TimeoutError:
        return Outcome(error=f"no answer within {timeout:g}s")
    except Exception as error:  # a device may fail in any way; the loop must go on
        return Outcome(error=f"{type(error).__name__}: {error}" if str(error) else type(error).__name__)


async def optional(call: Callable[[], Awaitable[T]] | None, timeout: float) -> Outcome:
    """Call a capability the device may not have (None)."""
    return await attempt(call, timeout) if call is not None else Outcome()


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
    """A configured meter; what it can report is checked with isinstance once per read, cheaply."""

    name: str
    device: p.Meter
    title: str = ""
    log: FailureLog = field(default_factory=lambda: FailureLog(get_logger("meter")))

    async def read(self, timeout: float) -> MeterReading:
        device = self.device
        power, energy, returned, currents, powers, soc = await asyncio.gather(
            attempt(device.current_power, timeout),
            optional(device.total_energy if isinstance(device, p.MeterEnergy) else None, timeout),
            optional(device.return_energy if isinstance(device, p.MeterReturnEnergy) else None, timeout),
            optional(device.currents if isinstance(device, p.PhaseCurrents) else None, timeout),
            optional(device.powers if isinstance(device, p.PhasePowers) else None, timeout),
            optional(device.soc if isinstance(device, p.Battery) else None, timeout),
        )
        error = garbage(power, "power")
        if error:
            self.log.failed(f"meter {self.name}", error)
        else:
            self.log.succeeded(f"meter {self.name}")
        return MeterReading(
            name=self.name,
            title=self.title,
            power=None if error else number(power),
            energy=positive(energy),
            return_energy=positive(returned),
            currents=triple(currents),
            powers=triple(powers),
            soc=number(soc),
            capacity=device.capacity() if isinstance(device, p.BatteryCapacity) else None,
            max_ac_power=device.max_ac_power() if isinstance(device, p.MaxACPower) else None,
            controllable=isinstance(device, p.BatteryController),
            error=error,
        )


@dataclass
class ChargerHandle:
    """A loadpoint's charger, its separate charge meter if any, and how to send it commands."""

    name: str
    device: p.Charger
    meter: p.Meter | None = None
    log: FailureLog = field(default_factory=lambda: FailureLog(get_logger("charger")))

    @property
    def charge_meter(self) -> p.Meter | None:
        if self.meter is not None:
            return self.meter
        return self.device if isinstance(self.device, p.Meter) else None

    async def read(self, timeout: float) -> ChargerReading:
        device = self.device
        meter = self.charge_meter
        (
            status,
            enabled,
            power,
            energy,
            currents,
            voltages,
            counter,
            offered,
            phases,
            identifier,
            soc,
        ) = await asyncio.gather(
            attempt(device.status, timeout),
            attempt(device.enabled, timeout),
            optional(meter.current_power if meter is not None else None, timeout),
            optional(meter.total_energy if isinstance(meter, p.MeterEnergy) else None, timeout),
            optional(meter.currents if isinstance(meter, p.PhaseCurrents) else None, timeout),
            optional(meter.voltages if isinstance(meter, p.PhaseVoltages) else None, timeout),
            optional(device.charged_energy if isinstance(device, p.ChargeRater) else None, timeout),
            optional(device.get_max_current if isinstance(device, p.CurrentGetter) else None, timeout),
            optional(device.get_phases if isinstance(device, p.PhaseGetter) else None, timeout),
            optional(device.identify if isinstance(device, p.Identifier) else None, timeout),
            optional(device.soc if isinstance(device, p.Battery) else None, timeout),
        )
        error = status.error or enabled.error or garbage(power, "charge power")
        if status.value is not None and not isinstance(status.value, ChargeStatus):
            error = f"status answered {status.value!r}, not A, B or C"
        if error:
            self.log.failed(f"charger {self.name}", error)
        else:
            self.log.succeeded(f"charger {self.name}")
        phase_count = number(phases)
        return ChargerReading(
            status=status.value if isinstance(status.value, ChargeStatus) else None,
            enabled=enabled.value if isinstance(enabled.value, bool) else None,
            power=number(power),
            energy=positive(energy),
            currents=triple(currents),
            voltages=triple(voltages),
            charged_energy=number(counter),
            max_current=number(offered),
            phases=int(phase_count) if phase_count is not None else None,
            identifier=identifier.value if isinstance(identifier.value, str) and identifier.value else None,
            soc=number(soc),
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

    async def read(self, timeout: float, soc: bool, status: bool) -> VehicleReading:
        device = self.device
        soc_value, range_value, odometer, limit, climater, charge_state = await asyncio.gather(
            optional(device.soc if soc else None, timeout),
            optional(device.range if soc and isinstance(device, p.VehicleRange) else None, timeout),
            optional(device.odometer if soc and isinstance(device, p.VehicleOdometer) else None, timeout),
            optional(device.limit_soc if soc and isinstance(device, p.VehicleSocLimiter) else None, timeout),
            optional(device.climater if soc and isinstance(device, p.VehicleClimater) else None, timeout),
            optional(device.status if status and isinstance(device, p.VehicleChargeState) else None, timeout),
        )
        error = garbage(soc_value, "soc")
        if error:
            self.log.failed(f"vehicle {self.name}", error)
        else:
            self.log.succeeded(f"vehicle {self.name}")
        soc_number = number(soc_value)
        return VehicleReading(
            soc=soc_number if soc_number is not None and 0 <= soc_number <= 100 else None,
            range=number(range_value),
            odometer=number(odometer),
            limit_soc=number(limit),
            status=charge_state.value if isinstance(charge_state.value, ChargeStatus) else None,
            climater=climater.value if isinstance(climater.value, bool) else None,
            error=error,
            must_retry=soc_value.must_retry,
        )
