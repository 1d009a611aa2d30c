"""What the devices reported in one cycle: the core's input besides settings and time."""

from __future__ import annotations

from dataclasses import dataclass, field

from surplus.core.types import ChargeStatus

Triple = tuple[float, float, float]


@dataclass(frozen=True)
class MeterReading:
    """One meter's values this cycle; ``power`` is None when the read failed (``error`` says why)."""

    name: str
    title: str = ""
    power: float | None = None
    energy: float | None = None
    return_energy: float | None = None
    currents: Triple | None = None
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
    """A loadpoint's charger and charge meter this cycle; None where a read failed or is not supported."""

    status: ChargeStatus | None = None
    enabled: bool | None = None
    power: float | None = None
    energy: float | None = None
    currents: Triple | None = None
    error: str | None = None


@dataclass(frozen=True)
class SiteReadings:
    grid: MeterReading | None = None
    pv: tuple[MeterReading, ...] = ()
    battery: tuple[MeterReading, ...] = ()
    aux: tuple[MeterReading, ...] = ()
    ext: tuple[MeterReading, ...] = ()
    loadpoints: tuple[ChargerReading, ...] = field(default_factory=tuple)
