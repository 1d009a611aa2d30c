"""What the devices reported in one cycle: the core's input besides settings and time.

A value is None when the device does not offer it or its read failed; ``error`` says why a read failed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from surplus.core.types import ChargeStatus

Triple = tuple[float, float, float]


@dataclass(frozen=True)
class MeterReading:
    """One meter's values this cycle; ``power`` is None when the read failed."""

    name: str
    title: str = ""
    power: float | None = None
    energy: float | None = None
    return_energy: float | None = None
    currents: Triple | None = None
    powers: Triple | None = None
    soc: float | None = None
    capacity: float | None = None
    max_ac_power: float | None = None
    controllable: bool = False
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.power is not None


@dataclass(frozen=True)
class ChargerReading:
    """A loadpoint's charger and charge meter this cycle."""

    status: ChargeStatus | None = None
    enabled: bool | None = None
    power: float | None = None
    energy: float | None = None  # charge meter total import, kWh
    currents: Triple | None = None
    voltages: Triple | None = None
    charged_energy: float | None = None  # the charger's own session counter, kWh
    max_current: float | None = None  # what the charger says it offers, A
    phases: int | None = None  # what the charger says it uses
    identifier: str | None = None
    soc: float | None = None  # vehicle soc reported by the charger (ISO 15118)
    error: str | None = None


@dataclass(frozen=True)
class VehicleReading:
    """A vehicle's values, read only when the core asked for them."""

    soc: float | None = None
    range: float | None = None
    odometer: float | None = None
    limit_soc: float | None = None
    status: ChargeStatus | None = None
    climater: bool | None = None
    error: str | None = None
    #: the vehicle asked to be polled again later rather than failing (evcc's ErrMustRetry)
    must_retry: bool = False


@dataclass(frozen=True)
class SiteReadings:
    grid: MeterReading | None = None
    pv: tuple[MeterReading, ...] = ()
    battery: tuple[MeterReading, ...] = ()
    aux: tuple[MeterReading, ...] = ()
    ext: tuple[MeterReading, ...] = ()
    loadpoints: tuple[ChargerReading, ...] = ()
    #: vehicle name → reading, for the vehicles the read plan asked for
    vehicles: dict[str, VehicleReading] = field(default_factory=dict)
    #: circuit name → its meter reading, for circuits with a meter
    circuits: dict[str, MeterReading] = field(default_factory=dict)
