"""Reading devices into the core's readings, every read bounded by a timeout.

A slow or failing device never stalls the cycle: its value is simply missing this time, the failure is
logged once when it starts and once when it ends, and the next cycle asks again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from surplus.core.readings import ChargerReading, MeterReading, Triple
from surplus.devices import protocols as p
from surplus.devices.errors import NotAvailable
from surplus.logs import get_logger

T = TypeVar("T")


@dataclass(frozen=True)
class Outcome:
    """A value or the reason there is none."""

    value: object = None
    error: str | None = None


class FailureLog:
    """Logs a device's failure when it starts and its recovery when it ends, not every cycle."""

    def __init__(self, log: logging.Logger) -> None:
        self._log = log
        self._failing: dict[str, str] = {}

    def failed(self, what: str, error: str) -> None:
        if self._failing.get(what) != error:
            self._log.warning("%s: %s", what, error)
        self._failing[what] = error

    def succeeded(self, what: str) -> None:
        if self._failing.pop(what, None) is not None:
            self._log.info("%s: working again", what)


async def bounded(call: Callable[[], Awaitable[T]], timeout: float) -> T:
    async with asyncio.timeout(timeout):
        return await call()


async def attempt(call: Callable[[], Awaitable[T]], timeout: float) -> tuple[T | None, str | None]:
    """(value, None) or (None, reason); a missing capability is (None, None)."""
    try:
        return await bounded(call, timeout), None
    except NotAvailable:
        return None, None
    except TimeoutError:
        return None, f"no answer within {timeout:g}s"
    except Exception as error:  # a device may fail in any way; the loop must go on
        return None, f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


@dataclass
class MeterHandle:
    """A configured meter and what it can report, decided once at wiring time."""

    name: str
    device: p.Meter
    title: str = ""
    log: FailureLog = field(default_factory=lambda: FailureLog(get_logger("meter")))

    async def read(self, timeout: float) -> MeterReading:
        device = self.device
        power_call = attempt(device.current_power, timeout)
        energy_call = attempt(device.total_energy, timeout) if isinstance(device, p.MeterEnergy) else _none()
        returned_call = attempt(device.return_energy, timeout) if isinstance(device, p.MeterReturnEnergy) else _none()
        currents_call = attempt(device.currents, timeout) if isinstance(device, p.PhaseCurrents) else _none()
        soc_call = attempt(device.soc, timeout) if isinstance(device, p.Battery) else _none()
        (power, error), energy, returned, currents, soc = await asyncio.gather(
            power_call, energy_call, returned_call, currents_call, soc_call
        )
        if error:
            self.log.failed(f"meter {self.name}", error)
        else:
            self.log.succeeded(f"meter {self.name}")
        return MeterReading(
            name=self.name,
            title=self.title,
            power=_float(power),
            energy=_positive(energy[0]),
            return_energy=_positive(returned[0]),
            currents=_triple(currents[0]),
            soc=_float(soc[0]),
            capacity=device.capacity() if isinstance(device, p.BatteryCapacity) else None,
            max_ac_power=device.max_ac_power() if isinstance(device, p.MaxACPower) else None,
            controllable=isinstance(device, p.BatteryController),
            error=error,
        )


@dataclass
class ChargerHandle:
    """A loadpoint's charger, and its separate charge meter if any."""

    name: str
    device: p.Charger
    meter: p.Meter | None = None
    log: FailureLog = field(default_factory=lambda: FailureLog(get_logger("charger")))

    async def read(self, timeout: float) -> ChargerReading:
        device = self.device
        meter = self.meter if self.meter is not None else device if isinstance(device, p.Meter) else None
        (status, status_error), (enabled, enabled_error), power, energy, currents = await asyncio.gather(
            attempt(device.status, timeout),
            attempt(device.enabled, timeout),
            attempt(meter.current_power, timeout) if meter is not None else _none(),
            attempt(meter.total_energy, timeout) if isinstance(meter, p.MeterEnergy) else _none(),
            attempt(meter.currents, timeout) if isinstance(meter, p.PhaseCurrents) else _none(),
        )
        error = status_error or enabled_error or power[1]
        if error:
            self.log.failed(f"charger {self.name}", error)
        else:
            self.log.succeeded(f"charger {self.name}")
        return ChargerReading(
            status=status,
            enabled=enabled,
            power=_float(power[0]),
            energy=_positive(energy[0]),
            currents=_triple(currents[0]),
            error=error,
        )


async def _none() -> tuple[None, None]:
    return None, None


def _float(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _positive(value: object) -> float | None:
    """Energy counters of exactly 0 are treated as missing (spurious resets, core.md §2.1)."""
    number = _float(value)
    return number if number else None


def _triple(value: object) -> Triple | None:
    if isinstance(value, tuple | list) and len(value) == 3:
        a, b, c = (_float(v) for v in value)
        if a is not None and b is not None and c is not None:
            return (a, b, c)
    return None
