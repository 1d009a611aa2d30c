"""The site: meters, home battery and every loadpoint in one cycle (core.md §1–§2).

evcc controls one loadpoint per tick, so N loadpoints need N intervals to settle. Here every loadpoint is
updated every cycle, highest effective priority first, and each sees the site power moved by what the ones
before it decided, so the whole site settles in one cycle. The priority rules of core.md §3.10 (flexible
power of lower-priority loadpoints, reservation for higher-priority ones about to start) keep their outcome.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from surplus.core.battery import BatteryInfo, BatteryModeControl, grid_charge_active, site_power
from surplus.core.circuits import Circuit, CircuitLoad, root_of
from surplus.core.greenshare import effective_co2, effective_price, home_and_loadpoint_shares
from surplus.core.loadpoint import Loadpoint, LoadpointResult, SiteContext, VehicleReads
from surplus.core.rates import Rate, rate_at
from surplus.core.readings import ChargerReading, MeterReading, SiteReadings
from surplus.core.settings import PlanStrategy, SiteSettings, VehicleSettings
from surplus.core.types import BatteryMode, ChargeMode, ChargeStatus
from surplus.core.units import power_to_current
from surplus.core.vehicles import VehicleInfo

PV_NEGATIVE_WARNING = -500.0


@dataclass(frozen=True)
class Tariffs:
    """Rates the cycle needs; empty where no tariff is configured (static tariffs give no planner rates)."""

    grid: Sequence[Rate] = ()
    feedin: Sequence[Rate] = ()
    co2: Sequence[Rate] = ()
    planner: Sequence[Rate] = ()


@dataclass(frozen=True)
class Aggregate:
    """The site's meters summed up (core.md §2.1)."""

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
class SiteResult:
    published: dict[str, Any] = field(default_factory=dict)
    loadpoints: dict[int, LoadpointResult] = field(default_factory=dict)
    battery_commands: list[tuple[str, BatteryMode]] = field(default_factory=list)
    battery_mode: BatteryMode = BatteryMode.UNKNOWN
    messages: list[str] = field(default_factory=list)
    #: why control was skipped this cycle; no charger is touched then
    skipped: str | None = None


def meter_json(reading: MeterReading) -> dict[str, Any]:
    """A meter as evcc publishes it: empty values left out."""
    values: dict[str, Any] = {"name": reading.name, "title": reading.title, "power": reading.power or 0.0}
    optional = {
        "energy": reading.energy,
        "returnEnergy": reading.return_energy,
        "currents": list(reading.currents) if reading.currents else None,
        "powers": list(reading.powers) if reading.powers else None,
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
    """Everything that must survive from one cycle to the next; ``update`` does no I/O."""

    def __init__(
        self,
        settings: SiteSettings,
        loadpoints: Sequence[Loadpoint] = (),
        circuits: Mapping[str, Circuit] | None = None,
        vehicle_settings: Mapping[str, VehicleSettings] | None = None,
        battery_configured: bool = False,
        battery_controllable: bool = False,
    ) -> None:
        self.settings = settings
        self.loadpoints = list(loadpoints)
        self.circuits = dict(circuits or {})
        self.vehicle_settings = dict(vehicle_settings or {})
        self.battery_control = BatteryModeControl()
        self._battery_soc: float | None = None
        #: facts from the wiring: setters for battery settings need a battery (and one that can be controlled)
        self.battery_configured = battery_configured
        self.battery_controllable = battery_controllable

    # --- reads ---------------------------------------------------------------------------------------------

    def vehicle_reads(self, now: datetime, statuses: Sequence[ChargeStatus | None]) -> list[VehicleReads]:
        return [lp.vehicle_reads(now, status) for lp, status in zip(self.loadpoints, statuses, strict=True)]

    # --- the cycle -------------------------------------------------------------------------------------------

    def aggregate(self, readings: SiteReadings) -> tuple[Aggregate, list[str]]:
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
            pv_power = max(0.0, total_charge - grid_power + self.settings.residual_power)
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

    def update(self, readings: SiteReadings, now: datetime, tariffs: Tariffs = Tariffs()) -> SiteResult:
        result = SiteResult()
        if readings.grid is not None and not readings.grid.ok:
            result.skipped = f"grid meter failed: {readings.grid.error or 'no value'}"
            return result
        chargers = _padded(readings.loadpoints, len(self.loadpoints))
        for lp, reading in zip(self.loadpoints, chargers, strict=True):
            lp.observe(now, reading)
        self._update_circuits(now, readings)
        aggregate, result.messages = self.aggregate(readings)
        home_share, loadpoint_share = home_and_loadpoint_shares(
            aggregate.pv_power, aggregate.battery_power, aggregate.home_power, aggregate.total_charge_power
        )
        grid_rate = rate_at(tariffs.grid, now)
        feedin_rate = rate_at(tariffs.feedin, now)
        co2_rate = rate_at(tariffs.co2, now)
        grid_price = grid_rate.value if grid_rate else None
        feedin_price = feedin_rate.value if feedin_rate else None
        co2 = co2_rate.value if co2_rate else None
        base = SiteContext(
            now=now,
            site_power=0.0,
            battery_power=aggregate.battery_power,
            battery_soc=aggregate.battery_soc or 0.0,
            residual_power=self.settings.residual_power,
            green_share=loadpoint_share,
            effective_price=effective_price(grid_price, feedin_price, loadpoint_share),
            effective_co2=effective_co2(co2, loadpoint_share),
            planner_rates=tariffs.planner,
            feedin_rates=tariffs.feedin,
            voltage=self.settings.voltage,
        )
        self._update_loadpoints(now, aggregate, base, chargers, readings, result)
        self._battery_mode(now, readings, tariffs, result)
        self._publish(readings, aggregate, home_share, loadpoint_share, base, result)
        current = {
            "tariffGrid": grid_price,
            "tariffFeedIn": feedin_price,
            "tariffCo2": co2,
            "tariffPriceHome": effective_price(grid_price, feedin_price, home_share),
            "tariffCo2Home": effective_co2(co2, home_share),
        }
        result.published.update({key: value for key, value in current.items() if value is not None})
        return result

    def _update_circuits(self, now: datetime, readings: SiteReadings) -> None:
        root = root_of(self.circuits)
        if root is None:
            return
        loads: dict[str, list[CircuitLoad]] = {}
        for lp in self.loadpoints:
            if lp.config.circuit:
                loads.setdefault(lp.config.circuit, []).append(CircuitLoad(lp.charge_power, lp.actual_max_current()))
        root.update(now, readings.circuits, loads)

    def _update_loadpoints(
        self,
        now: datetime,
        aggregate: Aggregate,
        base: SiteContext,
        chargers: Sequence[ChargerReading],
        readings: SiteReadings,
        result: SiteResult,
    ) -> None:
        order = sorted(self.loadpoints, key=lambda lp: -lp.effective_priority())
        shift = 0.0  # what the loadpoints updated so far will draw more (or less) than now
        updated: list[Loadpoint] = []
        for lp in order:
            priority = lp.effective_priority()
            flexible = 0.0
            if lp.settings.mode == ChargeMode.PV:
                flexible = sum(o.flexibility() for o in order if o.effective_priority() < priority)
            power = site_power(
                grid_power=aggregate.grid_power,
                battery_power=aggregate.battery_power,
                excess_dc_power=aggregate.excess_dc_power,
                aux_power=aggregate.aux_power,
                flexible_power=flexible,
                battery_configured=self.battery_configured,
                battery_soc=aggregate.battery_soc or 0.0,
                settings=self.settings,
            )
            value = power.site_power + shift
            if lp.settings.mode == ChargeMode.PV:
                value += sum(
                    o.effective_max_power()
                    for o in updated
                    if o.effective_priority() > priority and o.pv_charge_starting()
                )
            if lp.boost.active:
                value += power.priority_adjustment
            context = replace(
                base,
                site_power=value,
                battery_buffered=power.battery_buffered,
                battery_start=power.battery_start,
            )
            lp_result = lp.update(context, chargers[lp.index], readings.vehicles)
            result.loadpoints[lp.index] = lp_result
            delta = lp.power_delta()
            shift += delta
            if lp.circuit is not None and delta:
                lp.circuit.commit(power_to_current(delta, lp.active_phases(), lp.voltage), delta)
            updated.append(lp)

    def _battery_mode(self, now: datetime, readings: SiteReadings, tariffs: Tariffs, result: SiteResult) -> None:
        planner_rate = rate_at(tariffs.planner, now)
        settings = self.settings
        grid_charge = grid_charge_active(
            settings.battery_grid_charge_limit, planner_rate.value if planner_rate else None
        )
        discharge_control = settings.battery_discharge_control and any(
            lp.status == ChargeStatus.C
            and (
                lp.smart_cost_active or lp.settings.mode == ChargeMode.NOW or lp.plan_active or lp.min_soc_not_reached()
            )
            for lp in self.loadpoints
        )
        control = self.battery_control
        required = control.required(
            now,
            battery_configured=self.battery_configured,
            grid_charge_active=grid_charge,
            discharge_control_active=discharge_control,
        )
        batteries = [BatteryInfo(b.name, controllable=b.controllable, soc=b.soc) for b in readings.battery]
        result.battery_commands = control.commands(required, batteries)
        result.battery_mode = required
        result.published["batteryGridChargeActive"] = grid_charge

    def battery_commands_done(self, required: BatteryMode, succeeded: bool) -> None:
        if succeeded:
            self.battery_control.confirm(required)

    # --- publishing -------------------------------------------------------------------------------------------

    def _publish(
        self,
        readings: SiteReadings,
        aggregate: Aggregate,
        home_share: float,
        loadpoint_share: float,
        context: SiteContext,
        result: SiteResult,
    ) -> None:
        published = result.published
        published.update(self.settings_published())
        published["gridConfigured"] = readings.grid is not None
        grid = readings.grid or MeterReading(name="", power=aggregate.grid_power)
        published["grid"] = meter_json(grid)
        published["pvPower"] = aggregate.pv_power
        published["pv"] = [meter_json(m) for m in readings.pv]
        published["auxPower"] = aggregate.aux_power
        published["aux"] = [meter_json(m) for m in readings.aux]
        published["ext"] = [meter_json(m) for m in readings.ext]
        published["homePower"] = aggregate.home_power
        published["greenShareHome"] = home_share
        published["greenShareLoadpoints"] = loadpoint_share
        if context.effective_price is not None:
            published["tariffPriceLoadpoints"] = context.effective_price
        if context.effective_co2 is not None:
            published["tariffCo2Loadpoints"] = context.effective_co2
        if readings.battery:
            published["battery"] = {
                "power": aggregate.battery_power,
                "soc": aggregate.battery_soc or 0.0,
                "capacity": sum(b.capacity or 0.0 for b in readings.battery),
                "energy": sum(b.energy or 0.0 for b in readings.battery),
                "devices": [meter_json(b) for b in readings.battery],
            }
        if self.circuits:
            published["circuits"] = {name: circuit.published() for name, circuit in self.circuits.items()}

    def settings_published(self) -> dict[str, Any]:
        """The values a setting change alters, published at once by a setter and again every cycle."""
        settings = self.settings
        values: dict[str, Any] = {
            "siteTitle": settings.title,
            "residualPower": settings.residual_power,
            "prioritySoc": settings.priority_soc,
            "bufferSoc": settings.buffer_soc,
            "bufferStartSoc": settings.buffer_start_soc,
            "batteryDischargeControl": settings.battery_discharge_control,
            "batteryGridChargeLimit": settings.battery_grid_charge_limit,
            "batteryMode": str(self.battery_control.mode),
            "telemetry": settings.telemetry,
            "vehicles": self.vehicles_json(),
        }
        if self.battery_control.external != BatteryMode.UNKNOWN:
            values["batteryModeExternal"] = str(self.battery_control.external)
        return values

    def vehicles_json(self) -> dict[str, Any]:
        if not self.loadpoints:
            return {}
        vehicles: dict[str, VehicleInfo] = self.loadpoints[0].coordinator.vehicles
        return {name: _vehicle_json(info, self.vehicle_settings.get(name)) for name, info in vehicles.items()}


def _vehicle_json(info: VehicleInfo, settings: VehicleSettings | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"title": info.title}
    if info.icon:
        entry["icon"] = info.icon
    if info.capacity:
        entry["capacity"] = info.capacity
    if info.phases:
        entry["phases"] = info.phases
    if settings is not None:
        if settings.mode is not None:
            entry["mode"] = settings.mode
        if settings.min_soc:
            entry["minSoc"] = settings.min_soc
        if settings.limit_soc:
            entry["limitSoc"] = settings.limit_soc
        if settings.plan_time is not None:
            entry["plan"] = {"soc": settings.plan_soc, "time": settings.plan_time}
    entry["repeatingPlans"] = [plan.to_json() for plan in settings.repeating_plans] if settings else None
    entry["planStrategy"] = (settings.plan_strategy if settings else PlanStrategy()).to_json()
    return entry


def _padded(readings: Sequence[ChargerReading], count: int) -> list[ChargerReading]:
    return list(readings) + [ChargerReading()] * (count - len(readings))
