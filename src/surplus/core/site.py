"""The site: meter aggregation and the energy balance of one control cycle (core.md §1–§2)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from surplus.core.readings import ChargerReading, MeterReading, SiteReadings
from surplus.core.types import ChargeStatus

PV_NEGATIVE_WARNING = -500.0


@dataclass(frozen=True)
class SiteSettings:
    title: str = "Home"
    residual_power: float = 0.0
    priority_soc: float = 0.0
    buffer_soc: float = 0.0
    buffer_start_soc: float = 0.0
    voltage: float = 230.0


@dataclass(frozen=True)
class LoadpointInfo:
    """What the core knows about a loadpoint before any reading."""

    title: str
    mode: str = "off"


@dataclass(frozen=True)
class Aggregate:
    """The site's meters summed up."""

    grid_power: float
    pv_power: float
    excess_dc_power: float
    battery_power: float
    battery_soc: float | None
    aux_power: float
    total_charge_power: float

    @property
    def home_power(self) -> float:
        return max(0.0, self.grid_power + self.pv_power + self.battery_power - self.total_charge_power)


@dataclass
class CycleResult:
    published: dict[str, Any] = field(default_factory=dict)
    loadpoints: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: why control was skipped this cycle (no charger is touched then)
    skipped: str | None = None


def meter_json(reading: MeterReading) -> dict[str, Any]:
    """A meter as evcc publishes it: empty values left out."""
    values: dict[str, Any] = {"name": reading.name, "title": reading.title, "power": reading.power or 0.0}
    optional = {
        "energy": reading.energy,
        "returnEnergy": reading.return_energy,
        "currents": list(reading.currents) if reading.currents else None,
        "soc": reading.soc,
        "capacity": reading.capacity,
    }
    values.update({key: value for key, value in optional.items() if value is not None})
    if reading.controllable:
        values["controllable"] = True
    return values


def battery_soc(batteries: Sequence[MeterReading], previous: float | None) -> float | None:
    """Capacity-weighted soc; a plain mean when any capacity is unknown; the previous soc if all failed."""
    readable = [b for b in batteries if b.soc is not None and 0 <= b.soc <= 100]
    if not readable:
        return previous
    if all(b.capacity and b.capacity > 0 for b in batteries):
        total = sum(b.capacity or 0.0 for b in batteries)
        return min(100.0, sum((b.soc or 0.0) * (b.capacity or 0.0) for b in readable) / total)
    return min(100.0, sum(b.soc or 0.0 for b in readable) / len(batteries))


class Site:
    """Holds what must survive from one cycle to the next; ``cycle`` does no I/O."""

    def __init__(self, loadpoints: Sequence[LoadpointInfo] = ()) -> None:
        self._loadpoints = list(loadpoints)
        self._battery_soc: float | None = None

    def aggregate(self, readings: SiteReadings, settings: SiteSettings) -> tuple[Aggregate, list[str]]:
        warnings: list[str] = []
        total_charge = sum(lp.power or 0.0 for lp in readings.loadpoints)
        pv_power = 0.0
        excess_dc = 0.0
        for meter in readings.pv:
            power = meter.power or 0.0
            if power < PV_NEGATIVE_WARNING:
                warnings.append(f"pv meter {meter.name} reports {power:.0f} W; check its sign")
            pv_power += max(0.0, power)
            if meter.max_ac_power and power > meter.max_ac_power:
                excess_dc += power - meter.max_ac_power
        battery_power = sum(b.power or 0.0 for b in readings.battery)
        self._battery_soc = battery_soc(readings.battery, self._battery_soc) if readings.battery else None
        aux_power = sum(a.power or 0.0 for a in readings.aux)
        grid_power = (readings.grid.power or 0.0) if readings.grid is not None else total_charge - pv_power
        if not readings.pv and readings.grid is not None:
            pv_power = max(0.0, total_charge - grid_power + settings.residual_power)
        return (
            Aggregate(
                grid_power=grid_power,
                pv_power=pv_power,
                excess_dc_power=excess_dc,
                battery_power=battery_power,
                battery_soc=self._battery_soc,
                aux_power=aux_power,
                total_charge_power=total_charge,
            ),
            warnings,
        )

    def cycle(self, readings: SiteReadings, settings: SiteSettings, now: datetime) -> CycleResult:
        result = CycleResult()
        result.loadpoints = [self._loadpoint_values(info, reading) for info, reading in self._paired(readings)]
        if readings.grid is not None and not readings.grid.ok:
            result.skipped = f"grid meter failed: {readings.grid.error or 'no value'}"
            return result
        aggregate, result.warnings = self.aggregate(readings, settings)
        published = result.published
        published["siteTitle"] = settings.title
        published["gridConfigured"] = readings.grid is not None
        grid = readings.grid or MeterReading(name="", power=aggregate.grid_power)
        published["grid"] = meter_json(grid)
        published["pvPower"] = aggregate.pv_power
        published["pv"] = [meter_json(m) for m in readings.pv]
        published["auxPower"] = aggregate.aux_power
        published["aux"] = [meter_json(m) for m in readings.aux]
        published["ext"] = [meter_json(m) for m in readings.ext]
        published["homePower"] = aggregate.home_power
        published["residualPower"] = settings.residual_power
        published["prioritySoc"] = settings.priority_soc
        published["bufferSoc"] = settings.buffer_soc
        published["bufferStartSoc"] = settings.buffer_start_soc
        if readings.battery:
            published["battery"] = {
                "power": aggregate.battery_power,
                "soc": aggregate.battery_soc or 0.0,
                "capacity": sum(b.capacity or 0.0 for b in readings.battery),
                "energy": sum(b.energy or 0.0 for b in readings.battery),
                "devices": [meter_json(b) for b in readings.battery],
            }
        return result

    def _paired(self, readings: SiteReadings) -> list[tuple[LoadpointInfo, ChargerReading]]:
        padded = list(readings.loadpoints) + [ChargerReading()] * (len(self._loadpoints) - len(readings.loadpoints))
        return list(zip(self._loadpoints, padded, strict=False))

    @staticmethod
    def _loadpoint_values(info: LoadpointInfo, reading: ChargerReading) -> dict[str, Any]:
        status = reading.status or ChargeStatus.A
        return {
            "title": info.title,
            "mode": info.mode,
            "connected": status in (ChargeStatus.B, ChargeStatus.C),
            "charging": status == ChargeStatus.C,
            "enabled": bool(reading.enabled),
            "chargePower": reading.power or 0.0,
        }
