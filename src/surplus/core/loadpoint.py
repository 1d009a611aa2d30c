"""A loadpoint: one charger, its vehicle and its session, controlled once per cycle (core.md §3).

``update`` reads as evcc's decision table. Commands are returned, not sent: the loadpoint assumes they
succeed and the runtime calls :meth:`Loadpoint.command_failed` when one did not, which restores the state
so the next cycle sends it again.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from surplus.core.battery import BoostState, boost_hold, boost_power
from surplus.core.circuits import Circuit
from surplus.core.commands import ChargerCommand, Enable, MaxCurrent, SwitchPhases, WakeUp
from surplus.core.energy import ChargedEnergy, EnergyMetrics, EnergySource
from surplus.core.phases import Phases
from surplus.core.planner import PlanGoal, next_plan, next_repeating_occurrence, required_duration_energy
from surplus.core.planning import Goal, Outcome, PlanTracker
from surplus.core.rates import Rate, next_start_at_or_above, next_start_at_or_below, rate_at
from surplus.core.readings import ChargerReading, Triple, VehicleReading
from surplus.core.session import SessionRecord, SessionTracker, SessionValues
from surplus.core.settings import LoadpointSettings, VehicleSettings
from surplus.core.soc import Progress, SocEstimator, SocPoller, min_soc_not_reached, remaining_duration
from surplus.core.timer import Timer
from surplus.core.types import ChargeMode, ChargeStatus, Feature
from surplus.core.units import DEFAULT_VOLTAGE, current_to_power, power_to_current
from surplus.core.vehicles import Coordinator, Detection, VehicleInfo, detect_by_status, match_identifier
from surplus.core.wakeup import WakeUpStep, WakeUpTimer

#: after enable/disable the charger's reported state may lag; only then is it trusted over ours
CHARGER_SWITCH_DURATION = timedelta(seconds=60)
#: after a phase switch: no sync, no phase measurement, no new PV phase decision
PHASE_SWITCH_DURATION = timedelta(seconds=60)
#: the smallest current step a PWM charger can make: 100 % / 256 × 0.6 A
CURRENT_SYNC_TOLERANCE = 0.23
#: measured current above offered + this means the charger offers more than we think
MEASURED_CURRENT_TOLERANCE = 1.0
#: a session above this is a garbage reading
MAX_SESSION_ENERGY = 1000.0


@dataclass(frozen=True)
class ChargerInfo:
    """What a loadpoint's charger can do, decided once when the devices are wired."""

    phases1p3p: bool = False
    coarse: bool = True
    physical_phases: int = 0
    min_current: float = 0.0
    max_current: float = 0.0
    #: a charger that states its limits as power (W; 0 = none)
    min_power: float = 0.0
    max_power: float = 0.0
    features: frozenset[Feature] = frozenset()
    current_getter: bool = False
    phase_getter: bool = False
    identifier: bool = False
    can_wake_up: bool = False
    energy_source: EnergySource = EnergySource.POWER

    def has(self, feature: Feature) -> bool:
        return feature in self.features


@dataclass(frozen=True)
class LoadpointConfig:
    index: int
    title: str
    charger: ChargerInfo = ChargerInfo()
    name: str = ""
    default_mode: ChargeMode | None = None
    default_vehicle: str | None = None
    circuit: str | None = None


@dataclass(frozen=True)
class SiteContext:
    """What the site tells a loadpoint this cycle."""

    now: datetime
    site_power: float
    battery_power: float = 0.0
    battery_buffered: bool = False
    battery_start: bool = False
    battery_soc: float = 0.0
    max_discharge_power: float = 0.0
    residual_power: float = 0.0
    green_share: float = 0.0
    effective_price: float | None = None
    effective_co2: float | None = None
    planner_rates: Sequence[Rate] = ()
    feedin_rates: Sequence[Rate] = ()
    voltage: float = DEFAULT_VOLTAGE


@dataclass(frozen=True)
class VehicleReads:
    """What the runtime should read from vehicles before this loadpoint's update."""

    soc_of: str | None = None
    status_of: tuple[str, ...] = ()


@dataclass
class LoadpointResult:
    commands: list[ChargerCommand] = field(default_factory=list)
    published: dict[str, Any] = field(default_factory=dict)
    session: SessionRecord | None = None
    events: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    #: settings the core changed itself (disconnect resets, vehicle defaults); the runtime persists them
    settings_changed: bool = False


def status_events(previous: ChargeStatus | None, status: ChargeStatus) -> list[str]:
    """Events of a status change, in order (core.md §3.2)."""
    if previous == status:
        return []
    events = []
    if previous == ChargeStatus.A or (previous is None and status != ChargeStatus.A):
        events.append("connect")
    if status == ChargeStatus.C:
        events.append("start")
    if previous == ChargeStatus.C:
        events.append("stop")
    if status == ChargeStatus.A:
        events.append("disconnect")
    return events


class Loadpoint:
    def __init__(
        self,
        config: LoadpointConfig,
        settings: LoadpointSettings,
        coordinator: Coordinator,
        vehicle_settings: Mapping[str, VehicleSettings] | None = None,
        circuit: Circuit | None = None,
        voltage: float = DEFAULT_VOLTAGE,
    ) -> None:
        self.config = config
        self.settings = settings
        self.coordinator = coordinator
        self.vehicle_settings = dict(vehicle_settings or {})
        self.circuit = circuit
        self.voltage = voltage
        charger = config.charger
        self.phases = Phases(switchable=charger.phases1p3p, charger_physical=charger.physical_phases)
        if not charger.phases1p3p:
            self.phases.switched = charger.physical_phases
        self.status: ChargeStatus | None = None
        self.enabled = False
        self.offered_current = 0.0
        self.charge_power = 0.0
        self.charge_currents: Triple | None = None
        self._observed_charging = False
        self._reported_current: float | None = None
        self.charge_voltages: Triple | None = None
        self.charge_total: float | None = None
        self.pv_timer = Timer()
        self.phase_timer = Timer()
        self.pv_action = "inactive"
        self.phase_action = "inactive"
        self.charger_switched: datetime | None = None
        self.phases_switched: datetime | None = None
        self.connected_at: datetime | None = None
        self.charging_since: datetime | None = None
        self.charge_duration = timedelta(0)
        self.boost = BoostState.DISABLED
        self.wakeup = WakeUpTimer()
        self.vehicle: VehicleInfo | None = None
        self.identifier = ""
        self.detection = Detection()
        self.vehicle_soc = 0.0
        self.vehicle_range = 0.0
        self.vehicle_odometer = 0.0
        self.vehicle_limit_soc = 0.0
        self.climater_active: bool | None = None
        self.soc_estimator: SocEstimator | None = None
        self.soc_poller = SocPoller(settings.soc_poll_mode, settings.soc_poll_interval)
        self.progress = Progress()
        self.energy = ChargedEnergy(config.charger.energy_source)
        self.metrics = EnergyMetrics()
        self.session = SessionTracker(config.title)
        self.plan_active = False
        self.planning = PlanTracker()
        self.plan_outcome = Outcome()
        self.plan_goal: Goal | None = None
        #: charged energy when the energy plan was set: the plan counts from there
        self.plan_energy_offset = 0.0
        self.smart_cost_active = False
        self.smart_feedin_active = False
        self.welcome_charge = False
        self.last_error: str | None = None
        self._planned_delta = 0.0
        self._now = datetime.min.replace(tzinfo=UTC)
        self._commands: list[ChargerCommand] = []
        self._before_commands: tuple[bool, float, datetime | None, int, int, datetime | None] | None = None
        self._phases_forced = False
        self._pv_delay = timedelta(0)
        self._phase_delay = timedelta(0)
        self._green_share = 0.0
        self._price: float | None = None
        self._co2: float | None = None
        if config.default_vehicle:
            self._activate(config.default_vehicle, None)

    # --- effective values (core.md §3.6) -----------------------------------------------------------------

    @property
    def index(self) -> int:
        return self.config.index

    @property
    def connected(self) -> bool:
        return self.status in (ChargeStatus.B, ChargeStatus.C)

    @property
    def charging(self) -> bool:
        return self.status == ChargeStatus.C

    @property
    def integrated(self) -> bool:
        return self.config.charger.has(Feature.INTEGRATED_DEVICE)

    @property
    def coarse(self) -> bool:
        return self.config.charger.coarse or bool(self.vehicle and self.vehicle.has(Feature.COARSE_CURRENT))

    @property
    def vehicle_phases(self) -> int:
        return self.vehicle.phases if self.vehicle else 0

    def active_phases(self) -> int:
        return self.phases.active(self.vehicle_phases)

    def max_active_phases(self) -> int:
        return self.phases.max_active(self.vehicle_phases, self.settings.phases_configured)

    def min_active_phases(self) -> int:
        return self.phases.min_active(self.vehicle_phases, self.settings.phases_configured)

    def _from_power(self, power: float, phases: int) -> float:
        current = power_to_current(power, phases, self.voltage)
        return float(math.ceil(current - 1e-9)) if self.coarse else current

    def effective_min_current(self) -> float:
        vehicle_min = self.vehicle.on_identify.min_current if self.vehicle else 0.0
        charger = self.config.charger
        charger_min = charger.min_current
        if charger.min_power > 0:
            charger_min = self._from_power(charger.min_power, self.min_active_phases())
        if charger_min > 0:
            return max(vehicle_min, charger_min)
        return max(vehicle_min, self.settings.min_current)

    def effective_max_current(self) -> float:
        charger = self.config.charger
        limits = [self.settings.max_current]
        if self.vehicle and self.vehicle.on_identify.max_current > 0:
            limits.append(self.vehicle.on_identify.max_current)
        if charger.max_current > 0:
            limits.append(charger.max_current)
        if charger.max_power > 0:
            limits.append(self._from_power(charger.max_power, self.max_active_phases()))
        return min(limits)

    def effective_max_power(self) -> float:
        power = current_to_power(self.effective_max_current(), self.max_active_phases(), self.voltage)
        if self.vehicle and self.vehicle.on_identify.max_power > 0:
            power = min(power, self.vehicle.on_identify.max_power)
        if self.circuit is not None and self.circuit.effective_max_power > 0:
            power = min(power, self.circuit.effective_max_power)
        return power

    def effective_min_power(self) -> float:
        return current_to_power(self.effective_min_current(), self.min_active_phases(), self.voltage)

    def effective_priority(self) -> int:
        if self.vehicle and self.vehicle.on_identify.priority > 0:
            return self.vehicle.on_identify.priority
        return self.settings.priority

    def _vehicle_setting(self) -> VehicleSettings | None:
        return self.vehicle_settings.get(self.vehicle.name) if self.vehicle else None

    def effective_limit_soc(self) -> int:
        if self.settings.limit_soc > 0:
            return self.settings.limit_soc
        setting = self._vehicle_setting()
        if setting and setting.limit_soc > 0:
            return setting.limit_soc
        return 100

    def effective_min_soc(self) -> int:
        setting = self._vehicle_setting()
        return max(self.settings.min_soc, setting.min_soc if setting else 0)

    def soc_based(self) -> bool:
        """Plans and limits count in soc when the vehicle has a capacity and reports a soc."""
        if self.vehicle is None or self.vehicle.capacity <= 0:
            return False
        return not self.vehicle.has(Feature.OFFLINE) or self.vehicle_soc > 0

    def charged_kwh(self) -> float:
        return self.energy.kwh()

    def limit_soc_reached(self) -> bool:
        limit = self.effective_limit_soc()
        return 0 < limit < 100 and self.vehicle_soc >= limit

    def limit_energy_reached(self) -> bool:
        limit = self.settings.limit_energy
        return limit > 0 and not self.soc_based() and self.charged_kwh() >= limit

    def min_soc_not_reached(self) -> bool:
        capacity = self.vehicle.capacity if self.vehicle else 0.0
        return min_soc_not_reached(
            self.effective_min_soc(),
            self.vehicle_soc or None,
            self.charged_kwh() * 1000,
            capacity,
            vehicle_present=self.vehicle is not None,
        )

    # --- priorities between loadpoints (core.md §3.10) ---------------------------------------------------

    def flexibility(self) -> float:
        """Power this loadpoint uses that a higher-priority PV loadpoint may take."""
        mode = self.settings.mode
        if mode == ChargeMode.NOW or not self.charging or self.min_soc_not_reached():
            return 0.0
        if self.plan_active or self.smart_cost_active:
            return 0.0
        if mode == ChargeMode.PV:
            return self.charge_power
        if mode == ChargeMode.MINPV:
            charger = self.config.charger
            if charger.has(Feature.SWITCH_DEVICE) or charger.has(Feature.CONTINUOUS):
                return 0.0
            return max(0.0, self.charge_power - self.effective_min_power())
        return 0.0

    def pv_charge_starting(self) -> bool:
        """A PV loadpoint waiting for its enable delay, whose vehicle still wants energy."""
        return (
            self.settings.mode == ChargeMode.PV
            and self.connected
            and not self.enabled
            and self.pv_timer.running
            and not self._goal_reached()
        )

    def _goal_reached(self) -> bool:
        if self.enabled and not self.charging:
            return True
        if self.limit_energy_reached():
            return True
        return 0 < self.vehicle_soc >= self.effective_limit_soc()

    def power_delta(self) -> float:
        """How much more power this loadpoint will draw after this cycle's commands (W; negative = less).

        Loadpoints updated later in the same cycle see the site power moved by this, so all of them settle in
        one cycle instead of one per interval.
        """
        return self._planned_delta

    # --- reads ---------------------------------------------------------------------------------------------

    def vehicle_reads(self, now: datetime, status: ChargeStatus | None) -> VehicleReads:
        """Which vehicle values are needed, given the charger status just read."""
        if status is None:
            return VehicleReads()
        changed = bool(status_events(self.status, status))
        status_of: tuple[str, ...] = ()
        if status in (ChargeStatus.B, ChargeStatus.C) and self.config.default_vehicle is None:
            detecting = self.detection.active or (changed and self.status in (None, ChargeStatus.A))
            if detecting and self.vehicle is None:
                status_of = tuple(
                    v.name
                    for v in self.coordinator.available(self.index)
                    if v.reports_status and not v.has(Feature.AUTODETECT_DISABLED)
                )
        soc_of = None
        if self.vehicle is not None and status != ChargeStatus.A:
            vehicle = self.vehicle
            poll = changed or self.soc_poller.allowed(
                now, status, offline=vehicle.has(Feature.OFFLINE), streaming=vehicle.has(Feature.STREAMING)
            )
            if (poll and not vehicle.has(Feature.OFFLINE)) or self.integrated:
                soc_of = vehicle.name
        return VehicleReads(soc_of=soc_of, status_of=status_of)

    # --- the cycle -------------------------------------------------------------------------------------------

    def update(
        self, ctx: SiteContext, reading: ChargerReading, vehicles: Mapping[str, VehicleReading]
    ) -> LoadpointResult:
        result = LoadpointResult()
        now = ctx.now
        self._now = now
        self._commands = []
        self._phases_forced = False
        self._before_commands = (
            self.enabled,
            self.offered_current,
            self.charger_switched,
            self.phases.switched,
            self.phases.measured,
            self.phases_switched,
        )
        self._planned_delta = 0.0
        self.boost = boost_hold(self.boost, self.settings.battery_boost_limit, ctx.battery_soc)
        self._smart_flags(ctx, result)
        self.observe(now, reading)
        self._metrics_environment(ctx)
        if reading.status is None:
            result.messages.append(f"charger status unknown: {reading.error or 'no answer'}")
            self._publish(ctx, result)
            return result
        self._status(now, ctx, reading, vehicles, result)
        self._identify(now, reading, vehicles, result)
        self._soc(now, reading, vehicles.get(self.vehicle.name) if self.vehicle else None)
        if not self._sync_charger(now, reading, result):
            self._publish(ctx, result)
            result.commands = self._commands
            return result
        self._plan(ctx, result)
        self._decide(ctx, result)
        self._wake_up(now, result)
        self._persist_session(now, result)
        self._publish(ctx, result)
        result.commands = self._commands
        return result

    def _smart_flags(self, ctx: SiteContext, result: LoadpointResult) -> None:
        now = ctx.now
        cost_limit = self.settings.smart_cost_limit
        rate = rate_at(ctx.planner_rates, now)
        self.smart_cost_active = cost_limit is not None and rate is not None and rate.value <= cost_limit
        result.published["smartCostActive"] = self.smart_cost_active
        result.published["smartCostNextStart"] = (
            next_start_at_or_below(ctx.planner_rates, now, cost_limit) if cost_limit is not None else None
        )
        feedin_limit = self.settings.smart_feedin_priority_limit
        feedin = rate_at(ctx.feedin_rates, now)
        self.smart_feedin_active = feedin_limit is not None and feedin is not None and feedin.value >= feedin_limit
        result.published["smartFeedInPriorityActive"] = self.smart_feedin_active
        result.published["smartFeedInPriorityNextStart"] = (
            next_start_at_or_above(ctx.feedin_rates, now, feedin_limit) if feedin_limit is not None else None
        )

    def observe(self, now: datetime, reading: ChargerReading) -> None:
        """Take this cycle's measurements (the site needs them for all loadpoints before updating any)."""
        self.charge_power = reading.power or 0.0
        self.charge_currents = reading.currents
        self.charge_voltages = reading.voltages
        if reading.energy is not None:
            self.charge_total = reading.energy
        # this cycle's status, not the previous one: a charge that starts now is measured (and counted) now
        self._observed_charging = self.charging if reading.status is None else reading.status == ChargeStatus.C
        self._reported_current = reading.max_current
        if self._observed_charging and self._settled(self.phases_switched, PHASE_SWITCH_DURATION, now):
            self.phases.measure(reading.currents)
        self.phases.detect_wiring(reading.voltages)

    def _metrics_environment(self, ctx: SiteContext) -> None:
        self._green_share = ctx.green_share
        self._price = ctx.effective_price
        self._co2 = ctx.effective_co2

    # --- status and events (core.md §3.2) ------------------------------------------------------------------

    def _status(
        self,
        now: datetime,
        ctx: SiteContext,
        reading: ChargerReading,
        vehicles: Mapping[str, VehicleReading],
        result: LoadpointResult,
    ) -> None:
        status = reading.status
        assert status is not None
        events = status_events(self.status, status)
        at_startup = self.status is None
        self.status = status
        self.energy.update(now, reading.power, reading.energy, reading.charged_energy)
        for event in events:
            result.events.append(event)
            if event == "connect":
                self._on_connect(now, ctx, reading, result, at_startup)
            elif event == "start":
                self._on_charge_start(now, reading)
            elif event == "stop":
                self._on_charge_stop(now, reading, result)
            else:
                self._on_disconnect(now, result)
        if self.charging and self.charging_since is not None:
            self.charge_duration += now - self.charging_since
            self.charging_since = now
        self.metrics.update(self.charged_kwh(), self._green_share, self._price, self._co2)

    def _on_connect(
        self, now: datetime, ctx: SiteContext, reading: ChargerReading, result: LoadpointResult, at_startup: bool
    ) -> None:
        self.connected_at = now
        self.soc_poller.reset()
        self.pv_timer.elapse()
        self.energy.start_session(now, reading.energy, reading.charged_energy, at_startup=at_startup)
        self.plan_energy_offset = 0.0
        self.metrics.reset()
        self.charge_duration = timedelta(0)
        self.progress.reset()
        vehicle_title = self.vehicle.title if self.vehicle else ""
        self.session.connect(
            now,
            reading.energy,
            self.config.title if self.integrated else vehicle_title,
            reference_price=_mean_next_day(ctx.planner_rates, now),
        )
        if self.config.default_vehicle:
            self._activate(self.config.default_vehicle, result)
        elif self.coordinator.available(self.index) and not self.integrated:
            self.detection.start(now)
        self.welcome_charge = self.config.charger.has(Feature.WELCOME_CHARGE) or any(
            v.has(Feature.WELCOME_CHARGE) for v in self.coordinator.available(self.index)
        )

    def _on_charge_start(self, now: datetime, reading: ChargerReading) -> None:
        self.wakeup.stop()
        self.soc_poller.reset()
        self.charging_since = now
        self.energy.start_charge(now, continued=self.session.started, meter_total_kwh=reading.energy)
        self.session.charge_start(now, self.vehicle_soc or None, self.vehicle_range or None)

    def _on_charge_stop(self, now: datetime, reading: ChargerReading, result: LoadpointResult) -> None:
        self.soc_poller.reset()
        if self.charging_since is not None:
            self.charge_duration += now - self.charging_since
            self.charging_since = None
        self.energy.stop_charge(now, meter_total_kwh=reading.energy)
        if not self.pv_timer.already_elapsed:
            self.pv_timer.reset()
        result.session = self.session.update(now, self._session_values())

    def _on_disconnect(self, now: datetime, result: LoadpointResult) -> None:
        result.session = self.session.disconnect(now, self._session_values()) or result.session
        self.connected_at = None
        self.plan_active = False
        self.planning.reset()
        self.phases.measured = 0
        self.identifier = ""
        self.detection.stop()
        self.boost = BoostState.DISABLED
        self.wakeup.stop()
        if self.vehicle is not None:
            self.coordinator.release(self.vehicle.name, self.index)
        self.vehicle = None
        if self.config.default_vehicle:
            self._activate(self.config.default_vehicle, None)
        if not self.integrated:
            if self.config.default_mode is not None:
                self.settings.mode = self.config.default_mode
            self.settings.limit_soc = 0
            self.settings.limit_energy = 0.0
            result.settings_changed = True

    # --- vehicles (core.md §5) -----------------------------------------------------------------------------

    def _identify(
        self, now: datetime, reading: ChargerReading, vehicles: Mapping[str, VehicleReading], result: LoadpointResult
    ) -> None:
        if not self.connected or self.integrated:
            return
        if reading.identifier is not None and reading.identifier != self.identifier:
            self.identifier = reading.identifier
            self.session.describe(identifier=reading.identifier)
            found = match_identifier(self.coordinator.available(self.index), reading.identifier)
            if found is not None:
                self.detection.stop()
                self._activate(found.name, result)
        if self.vehicle is not None or not self.detection.active:
            return
        if self.detection.expired(now):
            self.detection.stop()
            result.events.append("guest")
            return
        candidates = [
            v
            for v in self.coordinator.available(self.index)
            if v.reports_status and not v.has(Feature.AUTODETECT_DISABLED)
        ]
        statuses = {name: reading.status for name, reading in vehicles.items()}
        assert self.status is not None
        found = detect_by_status(candidates, statuses, self.status)
        if found is not None:
            self.detection.stop()
            self._activate(found.name, result)

    def set_vehicle(self, name: str | None) -> None:
        """The API chose a vehicle (None: back to the guest vehicle)."""
        if name is None:
            if self.vehicle is not None:
                self.coordinator.release(self.vehicle.name, self.index)
            self.vehicle = None
            self.vehicle_soc = 0.0
            self.soc_estimator = None
            return
        self._activate(name, None)
        self.detection.stop()

    def start_detection(self, now: datetime) -> None:
        if self.vehicle is not None:
            self.coordinator.release(self.vehicle.name, self.index)
        self.vehicle = None
        if self.connected:
            self.detection.start(now)

    def _activate(self, name: str, result: LoadpointResult | None) -> None:
        vehicle = self.coordinator.vehicles.get(name)
        if vehicle is None:
            return
        changed = self.vehicle is None or self.vehicle.name != name
        self.coordinator.acquire(name, self.index)
        self.vehicle = vehicle
        if not changed:
            return
        self.soc_estimator = SocEstimator(vehicle.capacity, self.settings.soc_estimate is not False)
        self.vehicle_soc = 0.0
        self.soc_poller.reset()
        self.session.describe(vehicle=vehicle.title)
        setting = self.vehicle_settings.get(name)
        mode = setting.mode if setting and setting.mode else vehicle.on_identify.mode
        if mode is not None and mode != self.settings.mode:
            self.set_mode(mode)
            if result is not None:
                result.settings_changed = True

    def _soc(self, now: datetime, reading: ChargerReading, vehicle: VehicleReading | None) -> None:
        if reading.soc is not None:
            self.vehicle_soc = reading.soc
            return
        if vehicle is None or self.vehicle is None:
            return
        self.soc_poller.polled(now, must_retry=vehicle.must_retry)
        if vehicle.range is not None:
            self.vehicle_range = vehicle.range
        if vehicle.odometer is not None:
            self.vehicle_odometer = vehicle.odometer
            self.session.describe(odometer=vehicle.odometer)
        if vehicle.limit_soc is not None:
            self.vehicle_limit_soc = vehicle.limit_soc
        self.climater_active = vehicle.climater
        estimate = (
            self.soc_estimator.soc(vehicle.soc, self.charged_kwh() * 1000)
            if self.soc_estimator is not None
            else vehicle.soc
        )
        if estimate is not None:
            self.vehicle_soc = estimate

    # --- plans (core.md §3.12) -----------------------------------------------------------------------------

    def plan_goals(self, now: datetime) -> list[Goal]:
        """Every plan that applies: the vehicle's static and repeating soc plans, or the loadpoint's energy plan."""
        if not self.soc_based():
            settings = self.settings
            if settings.plan_time is None or settings.plan_energy <= 0:
                return []
            return [Goal(1, settings.plan_time, settings.plan_energy, False, settings.plan_strategy)]
        setting = self._vehicle_setting()
        if setting is None:
            return []
        goals = []
        if setting.plan_time is not None and setting.plan_soc > 0:
            goals.append(Goal(1, setting.plan_time, setting.plan_soc, True, setting.plan_strategy))
        for index, repeating in enumerate(setting.repeating_plans):
            if not repeating.active:
                continue
            when = next_repeating_occurrence(repeating.weekdays, repeating.time, repeating.tz, now)
            if when is not None:
                goals.append(Goal(index + 2, when, repeating.soc, True, setting.plan_strategy))
        return goals

    def plan_duration(self, goal: Goal, power: float | None = None) -> timedelta:
        """How long reaching ``goal`` takes at the loadpoint's effective maximum power."""
        power = self.effective_max_power() if power is None else power
        if power <= 0:
            return timedelta(0)
        if goal.soc_based:
            capacity = self.soc_estimator.virtual_capacity_wh if self.soc_estimator else 0.0
            return remaining_duration(capacity, self.vehicle_soc, goal.value, power)
        charged = self.charged_kwh() - self.plan_energy_offset
        return required_duration_energy(max(0.0, goal.value - charged), power)

    def effective_goal(self, now: datetime) -> Goal | None:
        goals = self.plan_goals(now)
        if not goals:
            return None
        if not goals[0].soc_based:
            return goals[0]
        by_id = {goal.id: goal for goal in goals}
        locked = self.planning.lock.goal
        if locked is not None and locked.id in by_id:
            return by_id[locked.id]
        uncapped = current_to_power(self.effective_max_current(), self.max_active_phases(), self.voltage)
        chosen = next_plan(
            [PlanGoal(g.id, g.time, g.value) for g in goals],
            now,
            self.vehicle_soc,
            lambda candidate: self.plan_duration(by_id[candidate.id], uncapped),
        )
        return by_id[chosen.id] if chosen else None

    def _plan(self, ctx: SiteContext, result: LoadpointResult) -> None:
        now = ctx.now
        goal = self.effective_goal(now)
        required = self.plan_duration(goal) if goal else timedelta(0)
        outcome = self.planning.update(now, goal, required, ctx.planner_rates or None, self.connected)
        if outcome.delete_static and goal is not None:
            self.delete_static_plan(goal.soc_based)
            result.settings_changed = True
        self.plan_goal = goal
        self.plan_outcome = outcome
        self.plan_active = outcome.active
        result.events.extend(outcome.events)

    def delete_static_plan(self, soc_based: bool) -> None:
        setting = self._vehicle_setting()
        if soc_based and setting is not None:
            setting.plan_time = None
            setting.plan_soc = 0
        elif not soc_based:
            self.settings.plan_energy = 0.0
            self.settings.plan_time = None
        self.planning.reset()

    def set_energy_plan(self, energy: float, time: datetime | None) -> None:
        self.settings.plan_energy = energy
        self.settings.plan_time = time
        self.plan_energy_offset = self.charged_kwh()
        self.planning.reset()

    # --- charger sync (core.md §3.13) --------------------------------------------------------------------

    def _settled(self, since: datetime | None, duration: timedelta, now: datetime) -> bool:
        return since is None or now - since >= duration

    def _consistent(self, now: datetime) -> bool:
        return self._settled(self.charger_switched, CHARGER_SWITCH_DURATION, now) and self._settled(
            self.phases_switched, PHASE_SWITCH_DURATION, now
        )

    def _sync_charger(self, now: datetime, reading: ChargerReading, result: LoadpointResult) -> bool:
        """Adopt the charger's view where it must win; False when the charger could not be read."""
        if reading.enabled is None:
            result.messages.append(f"charger enabled state unknown: {reading.error or 'no answer'}")
            return False
        enabled = reading.enabled
        consistent = self._consistent(now)
        if not enabled and self.charging:
            result.messages.append("charger logic error: disabled but charging")
            enabled = True
            if consistent:
                self._commands.append(Enable(True))
                self.enabled = True
                self.pv_timer.elapse()
                return True
        if enabled and self.enabled:
            self._sync_current(reading)
            if consistent:
                self._sync_phases(reading)
        elif not enabled and self.enabled and not self._settled(self.phases_switched, PHASE_SWITCH_DURATION, now):
            self._commands.append(Enable(True))  # some chargers disable themselves to switch phases
        if consistent:
            self.enabled = enabled
        return True

    def _sync_current(self, reading: ChargerReading) -> None:
        if reading.max_current is not None:
            if abs(self.offered_current - reading.max_current) > CURRENT_SYNC_TOLERANCE:
                self.offered_current = reading.max_current
            return
        measured = max(reading.currents) if reading.currents else 0.0
        if measured > self.offered_current + MEASURED_CURRENT_TOLERANCE:
            self.offered_current = measured

    def _sync_phases(self, reading: ChargerReading) -> None:
        if not self.config.charger.phases1p3p:
            return
        if reading.phases is not None:
            if reading.phases > 0 and reading.phases != self.phases.switched:
                self._set_phases(reading.phases)
            return
        measured = 3 if self.phases.measured == 2 else self.phases.measured
        if measured > max(self.phases.switched, 1):
            self._set_phases(measured)

    def _set_phases(self, phases: int) -> None:
        if self.phases.switch(phases):
            self.phase_timer.reset()

    # --- decision (core.md §3.3) ----------------------------------------------------------------------------

    def _decide(self, ctx: SiteContext, result: LoadpointResult) -> None:
        mode = self.settings.mode
        was_enabled, was_offered = self.enabled, self.offered_current
        if not self.connected:
            self._set_limit(0.0, result)
        elif self._phases_required():
            self._phases_forced = True
            self._switch_phases(self.settings.phases_configured)
        elif mode == ChargeMode.OFF:
            self._set_limit(self.effective_min_current() if self._welcome_now() else 0.0, result)
        elif self.min_soc_not_reached() or self.plan_active:
            self._fast_charging(result)
            self.phase_timer.reset()
            self.pv_timer.elapse()
        elif self.limit_energy_reached() or self.limit_soc_reached():
            self._set_limit(self.effective_min_current() if self.climater_active else 0.0, result)
        elif mode == ChargeMode.NOW:
            self._fast_charging(result)
        elif self.smart_cost_active:
            self._fast_charging(result)
            self.phase_timer.reset()
            self.pv_timer.elapse()
        elif self.smart_feedin_active:
            if mode == ChargeMode.MINPV:
                self._min_charging(result)
            else:
                self._set_limit(0.0, result)
            self.phase_timer.reset()
            self.pv_timer.elapse()
        else:
            target = self.pv_max_current(ctx)
            if target == 0 and self.climater_active:
                target = self.effective_min_current()
            elif target == 0 and self._welcome_now():
                target = self.effective_min_current()
                self.pv_timer.reset()
            self._set_limit(target, result)
        self.welcome_charge = False
        self._planned_delta = self._draw_after(was_enabled, was_offered) - self.charge_power

    def _welcome_now(self) -> bool:
        return self.welcome_charge

    def _draw_after(self, was_enabled: bool, was_offered: float) -> float:
        """What this loadpoint will draw once its commands took effect (W), judged from what it draws now."""
        if not self.enabled or not self.connected:
            return 0.0
        phases = self.active_phases()
        offered = current_to_power(self.offered_current, phases, self.voltage)
        if not self.charging:
            return offered if not was_enabled else 0.0  # just enabled: the vehicle is about to start
        if self.offered_current == was_offered:
            return self.charge_power
        if self.offered_current < was_offered:
            return min(self.charge_power, offered)
        drawn = (
            max(self.charge_currents)
            if self.charge_currents
            else power_to_current(self.charge_power, phases, self.voltage)
        )
        return self.charge_power + current_to_power(
            max(0.0, self.offered_current - max(drawn, was_offered)), phases, self.voltage
        )

    def _phases_required(self) -> bool:
        configured = self.settings.phases_configured
        return self.config.charger.phases1p3p and configured != 0 and configured != self.phases.switched

    def _switch_phases(self, phases: int) -> bool:
        """Tell the charger to switch; measurements and the phase timer start afresh."""
        if not self.config.charger.phases1p3p or self.phases.switched == phases:
            return False
        self._commands.append(SwitchPhases(phases))
        self._set_phases(phases)
        self.phase_action = "inactive"
        self.phases_switched = self._now
        self._start_wakeup()
        return True

    def _fast_charging(self, result: LoadpointResult) -> None:
        if self.config.charger.phases1p3p:
            phases = 3
            if not self._circuit_allows(3, self.effective_min_current()):
                phases = 1
            if self.settings.phases_configured:
                phases = self.settings.phases_configured
            self._switch_phases(phases)
        self._set_limit(self.effective_max_current(), result)

    def _min_charging(self, result: LoadpointResult) -> None:
        if self.config.charger.phases1p3p:
            self._switch_phases(self.settings.phases_configured or 1)
        self._set_limit(self.effective_min_current(), result)

    def _circuit_allows(self, phases: int, min_current: float) -> bool:
        if self.circuit is None:
            return True
        min_power = current_to_power(min_current, phases, self.voltage)
        return self.circuit.validate_power(self.charge_power, min_power) >= min_power

    def _rounded(self, current: float) -> float:
        return float(math.trunc(current)) if self.coarse else current

    def actual_max_current(self) -> float:
        """The highest phase current drawn now; without phase currents, the most the charger may be drawing."""
        if self.charge_currents is not None:
            return max(self.charge_currents)
        if not self._observed_charging:
            return 0.0
        offered = max(self.offered_current, self._reported_current or 0.0)
        return max(offered, power_to_current(self.charge_power, self.active_phases(), self.voltage))

    def _set_limit(self, current: float, result: LoadpointResult) -> None:
        """Offer ``current``, enabling or disabling the charger as needed (core.md §3.5)."""
        current = self._rounded(current)
        if self.circuit is not None:
            phases = self.active_phases()
            by_current = self.circuit.validate_current(self.actual_max_current(), current)
            by_power = self.circuit.validate_power(self.charge_power, current_to_power(current, phases, self.voltage))
            current = self._rounded(min(by_current, power_to_current(by_power, phases, self.voltage)))
        minimum = self.effective_min_current()
        maximum = self.effective_max_current()
        if minimum > maximum:
            result.messages.append(f"invalid config: min current {minimum:g}A exceeds max current {maximum:g}A")
            return
        if current != self.offered_current and current >= minimum:
            self._commands.append(MaxCurrent(current, coarse=self.coarse))
            self.offered_current = current
        enabled = current >= minimum
        if enabled != self.enabled:
            self._commands.append(Enable(enabled))
            self.enabled = enabled
            self.charger_switched = self._now
            if not enabled:
                self.offered_current = 0.0
                self.wakeup.stop()
            else:
                self._start_wakeup()

    def _start_wakeup(self) -> None:
        if self.vehicle is not None and self.vehicle.has(Feature.WAKEUP_DISABLED):
            return
        self.wakeup.start(self._now)

    # --- PV surplus (core.md §3.4, §3.7) -------------------------------------------------------------------

    def effective_current(self) -> float:
        """The current the vehicle actually takes: measured (+2 A slack for vehicles that stay below), else offered."""
        if not self.charging:
            return 0.0
        if self.charge_currents is not None:
            return min(max(self.charge_currents) + 2.0, self.offered_current)
        return self.offered_current

    def pv_max_current(self, ctx: SiteContext) -> float:
        """The current PV surplus allows, with the enable/disable hysteresis of pv mode."""
        self._now = ctx.now
        minimum = self.effective_min_current()
        maximum = self.effective_max_current()
        mode = self.settings.mode
        boost = boost_power(
            state=self.boost,
            charging=self.charging,
            battery_power=ctx.battery_power,
            residual_power=ctx.residual_power,
            coarse=self.coarse,
            voltage=self.voltage,
            active_phases=self.active_phases(),
            effective_max_power=self.effective_max_power(),
            max_discharge_power=ctx.max_discharge_power,
        )
        if boost.started:
            self.pv_timer.elapse()
            if self.config.charger.phases1p3p:
                self.phase_timer.elapse()
        self.boost = boost.state
        site_power = ctx.site_power - boost.power
        scaled_to = 0
        if self.config.charger.phases1p3p and self._settled(self.phases_switched, PHASE_SWITCH_DURATION, ctx.now):
            scaled_to = self._pv_scale_phases(site_power, minimum, maximum)
        phases = self.active_phases()
        effective = self.effective_current()
        if scaled_to == 3:
            effective /= self.max_active_phases()
        if self.integrated:
            effective = power_to_current(self.charge_power, phases, self.voltage)
        target = max(effective + power_to_current(-site_power, phases, self.voltage), 0.0)
        keep_minimum = (
            mode == ChargeMode.MINPV
            or ctx.battery_start
            or (ctx.battery_buffered and self.charging)
            or self.boost == BoostState.CONTINUE
        )
        if keep_minimum and target < minimum:
            self._pv_timer_state("inactive", timedelta(0))
            return minimum
        settings = self.settings
        if mode == ChargeMode.PV and self.enabled and target < minimum:
            projected = site_power
            if self.config.charger.phases1p3p and self.phase_timer.running:
                projected -= self.voltage * minimum * (phases - 1)  # what the site would see after going 1p
            if projected >= settings.disable_threshold and not self.climater_active:
                self.pv_timer.start(ctx.now)
                self._pv_timer_state("disable", settings.disable_delay)
                if self.pv_timer.expired(ctx.now, settings.disable_delay):
                    self._reset_pv_timer()
                    return 0.0
            else:
                self._reset_pv_timer()
            return minimum
        if mode == ChargeMode.PV and not self.enabled:
            # without a threshold, enough surplus for the minimum current; with one, the site power crossing it
            wanted = target >= minimum if settings.enable_threshold == 0 else site_power <= settings.enable_threshold
            if wanted:
                self.pv_timer.start(ctx.now)
                self._pv_timer_state("enable", settings.enable_delay)
                if self.pv_timer.expired(ctx.now, settings.enable_delay):
                    self._reset_pv_timer()
                    return minimum
            else:
                self._reset_pv_timer()
            return 0.0
        self._reset_pv_timer()
        return min(target, maximum)

    def _pv_timer_state(self, action: str, delay: timedelta) -> None:
        self.pv_action = action
        self._pv_delay = delay

    def _reset_pv_timer(self) -> None:
        self.pv_timer.reset()
        self._pv_timer_state("inactive", timedelta(0))

    def _pv_scale_phases(self, site_power: float, minimum: float, maximum: float) -> int:
        """Switch 1p ↔ 3p when the surplus has stayed on the other side long enough; returns the new phases or 0."""
        now = self._now
        phases = self.phases.switched
        if 0 < phases < self.phases.measured:
            self.phases.measured = 0  # the charger says fewer phases than we saw: measure again
        active = self.active_phases()
        available = self.charge_power - site_power
        waiting = False
        settings = self.settings
        down = active > 1 and settings.phases_configured < 3
        if down:
            insufficient = (site_power > 0 or not self.enabled) and (
                power_to_current(available, active, self.voltage) < minimum
            )
            # while charging, 1p only helps when 1p is sustainable; otherwise it merely delays disabling
            useful = not self.enabled or not self.charging or power_to_current(available, 1, self.voltage) >= minimum
            down = (insufficient and useful) or not self._circuit_allows(active, minimum)
        if down:
            if self._phase_timer_elapsed(now, settings.disable_delay, "scale1p"):
                return self._scale_to(1)
            waiting = True
        if self.circuit is not None:
            maximum = self.circuit.validate_current(self.actual_max_current(), maximum)
        max_phases = self.max_active_phases()
        up = (
            max_phases > 1
            and phases < max_phases
            and power_to_current(available, 1, self.voltage) > maximum
            and maximum >= minimum
            and self._circuit_allows(max_phases, minimum)
            and power_to_current(available, max_phases, self.voltage) >= minimum
        )
        if up:
            if self._phase_timer_elapsed(now, settings.enable_delay, "scale3p"):
                return self._scale_to(3)
            waiting = True
        if not waiting and self.phase_timer.running:
            self.phase_timer.reset()
            self.phase_action = "inactive"
        return 0

    def _phase_timer_elapsed(self, now: datetime, delay: timedelta, action: str) -> bool:
        if not self.charging:
            self.phase_timer.elapse()  # nothing to interrupt: switch at once
        self.phase_timer.start(now)
        self.phase_action = action
        self._phase_delay = delay
        return self.phase_timer.expired(now, delay)

    def _scale_to(self, phases: int) -> int:
        return phases if self._switch_phases(phases) else 0

    # --- after the decision ---------------------------------------------------------------------------------

    def _wake_up(self, now: datetime, result: LoadpointResult) -> None:
        if self.charging:
            self.wakeup.stop()
            return
        soc_below = int(self.vehicle_soc) < self.effective_limit_soc()
        if not (self.enabled and self.status == ChargeStatus.B and not self.integrated and soc_below):
            return
        vehicle_can = bool(self.vehicle and self.vehicle.can_wake_up)
        step = self.wakeup.step(now, self.config.charger.can_wake_up, vehicle_can)
        if step == WakeUpStep.WAKE_CHARGER and self.config.charger.can_wake_up:
            self._commands.append(WakeUp("charger"))
        elif step == WakeUpStep.WAKE_VEHICLE and vehicle_can:
            self._commands.append(WakeUp("vehicle"))
        elif step == WakeUpStep.ASLEEP:
            result.events.append("asleep")

    def _session_values(self) -> SessionValues:
        return SessionValues(
            charged_energy=self.charged_kwh(),
            charge_duration=self.charge_duration,
            solar_percentage=self.metrics.solar_percentage if self.metrics.total_wh > 0 else None,
            price=self.metrics.price,
            price_per_kwh=self.metrics.price_per_kwh,
            co2_per_kwh=self.metrics.co2_per_kwh,
            soc=self.vehicle_soc or None,
            range=self.vehicle_range or None,
            meter_total=self.charge_total,
        )

    def _persist_session(self, now: datetime, result: LoadpointResult) -> None:
        if result.session is None and self.connected:
            result.session = self.session.update(now, self._session_values())

    # --- publishing -------------------------------------------------------------------------------------------

    def _publish(self, ctx: SiteContext, result: LoadpointResult) -> None:
        now = ctx.now
        remaining_soc = self._display_target_soc()
        estimator = self.soc_estimator
        charging_remaining = timedelta(0)
        remaining_energy = 0.0
        if estimator is not None and self.vehicle_soc > 0:
            if self.charging and self.charge_power > 0:
                charging_remaining = estimator.remaining_duration(remaining_soc, self.charge_power, self.vehicle_soc)
            remaining_energy = estimator.remaining_energy(remaining_soc, self.vehicle_soc) * 1000
        values: dict[str, Any] = {
            "connected": self.connected,
            "charging": self.charging,
            "enabled": self.enabled,
            "chargePower": self.charge_power,
            "offeredCurrent": self.offered_current,
            "connectedDuration": now - self.connected_at if self.connected_at else timedelta(0),
            "chargeDuration": self.charge_duration,
            "chargeRemainingDuration": charging_remaining,
            "chargeRemainingEnergy": remaining_energy,
            "chargedEnergy": self.charged_kwh() * 1000,
            "sessionEnergy": self.charged_kwh() * 1000,
            "pvAction": self.pv_action,
            "pvRemaining": self.pv_timer.remaining(now, self._pv_delay) if self.pv_action != "inactive" else 0,
            "phaseAction": self.phase_action,
            "phaseRemaining": (
                self.phase_timer.remaining(now, self._phase_delay) if self.phase_action != "inactive" else 0
            ),
            "minSocNotReached": self.min_soc_not_reached(),
            "vehicleSoc": self.vehicle_soc,
            "vehicleRange": self.vehicle_range,
            "vehicleOdometer": self.vehicle_odometer,
            "vehicleLimitSoc": self.vehicle_limit_soc,
            "vehicleClimaterActive": self.climater_active,
            "vehicleWelcomeActive": self.welcome_charge,
            "vehicleDetectionActive": self.detection.active,
        }
        optional = {
            "chargeCurrents": list(self.charge_currents) if self.charge_currents else None,
            "chargeVoltages": list(self.charge_voltages) if self.charge_voltages else None,
            "chargeTotalImport": self.charge_total,
        }
        values.update({key: value for key, value in optional.items() if value is not None})
        values.update(self.settings_published())
        values.update(self.metrics.published())
        values.update(result.published)
        result.published = values

    def settings_published(self) -> dict[str, Any]:
        """The values a setting change alters, published at once by a setter and again every cycle."""
        settings = self.settings
        goal = self.plan_goal
        charger = self.config.charger
        values: dict[str, Any] = {
            "name": self.config.name,
            "title": self.config.title,
            "mode": settings.mode,
            "priority": settings.priority,
            "effectivePriority": self.effective_priority(),
            "minCurrent": settings.min_current,
            "maxCurrent": settings.max_current,
            "effectiveMinCurrent": self.effective_min_current(),
            "effectiveMaxCurrent": self.effective_max_current(),
            "phasesConfigured": settings.phases_configured,
            "phasesActive": self.active_phases(),
            "minSoc": settings.min_soc,
            "effectiveMinSoc": self.effective_min_soc(),
            "limitSoc": settings.limit_soc,
            "effectiveLimitSoc": self.effective_limit_soc(),
            "limitEnergy": settings.limit_energy,
            "enableThreshold": settings.enable_threshold,
            "enableDelay": settings.enable_delay,
            "disableThreshold": settings.disable_threshold,
            "disableDelay": settings.disable_delay,
            "batteryBoost": self.boost.active,
            "batteryBoostLimit": settings.battery_boost_limit,
            "smartCostLimit": settings.smart_cost_limit,
            "smartFeedInPriorityLimit": settings.smart_feedin_priority_limit,
            "chargerPhases1p3p": charger.phases1p3p,
            "chargerSinglePhase": charger.physical_phases == 1,
            "chargerIcon": None,
            "vehicleName": self.vehicle.name if self.vehicle else "",
            "vehicleTitle": self.vehicle.title if self.vehicle else "",
            "planActive": self.plan_active,
            "plan": self.plan_outcome.plan,
            "planOverrun": self.plan_outcome.overrun,
            "planProjectedStart": self.plan_outcome.projected_start,
            "planProjectedEnd": self.plan_outcome.projected_end,
            "effectivePlanId": goal.id if goal else 0,
            "effectivePlanTime": goal.time if goal else None,
            "effectivePlanSoc": goal.value if goal and goal.soc_based else 0,
            "effectivePlanStrategy": (goal.strategy if goal else settings.plan_strategy).to_json(),
            "planEnergy": settings.plan_energy,
            "planTime": settings.plan_time,
            "planStrategy": settings.plan_strategy.to_json(),
        }
        values.update({key: feature in charger.features for feature, key in FEATURE_KEYS.items()})
        return values

    def _display_target_soc(self) -> float:
        target = float(self.effective_limit_soc())
        if self.vehicle_limit_soc > 0:
            target = min(target, self.vehicle_limit_soc)
        return target

    # --- feedback from the runtime ------------------------------------------------------------------------

    def command_failed(self, command: ChargerCommand, not_available: bool = False) -> None:
        """A command was not carried out: forget its effect, so the next cycle sends it again."""
        snapshot = self._before_commands
        if isinstance(command, SwitchPhases) and not_available and self._phases_forced:
            return  # the charger cannot switch now; adopt the configured phases rather than retrying forever
        if snapshot is not None:
            (
                self.enabled,
                self.offered_current,
                self.charger_switched,
                self.phases.switched,
                self.phases.measured,
                self.phases_switched,
            ) = snapshot

    # --- settings with side effects (validated by the API before they get here) -------------------------

    def set_mode(self, mode: ChargeMode) -> None:
        """A new mode ends battery boost and restarts the timers the old mode was running."""
        self.settings.mode = mode
        self.boost = BoostState.DISABLED
        if mode in (ChargeMode.NOW, ChargeMode.OFF):
            self.phase_timer.reset()
            self._reset_pv_timer()
            self.plan_active = False
        elif mode == ChargeMode.MINPV:
            self._reset_pv_timer()

    def set_battery_boost(self, enable: bool) -> None:
        self.boost = BoostState.START if enable else BoostState.DISABLED

    def set_phases_configured(self, phases: int) -> None:
        self.settings.phases_configured = phases
        self.phase_timer.reset()
        self.phase_action = "inactive"


#: evcc's state key of each charger feature: ``coarsecurrent`` → ``chargerFeatureCoarseCurrent``
FEATURE_KEYS = {
    Feature.AVERAGE: "chargerFeatureAverage",
    Feature.CACHEABLE: "chargerFeatureCacheable",
    Feature.COARSE_CURRENT: "chargerFeatureCoarseCurrent",
    Feature.INTEGRATED_DEVICE: "chargerFeatureIntegratedDevice",
    Feature.SWITCH_DEVICE: "chargerFeatureSwitchDevice",
    Feature.HEATING: "chargerFeatureHeating",
    Feature.CONTINUOUS: "chargerFeatureContinuous",
    Feature.WELCOME_CHARGE: "chargerFeatureWelcomeCharge",
    Feature.OFFLINE: "chargerFeatureOffline",
    Feature.STREAMING: "chargerFeatureStreaming",
    Feature.RETRYABLE: "chargerFeatureRetryable",
    Feature.CLIMATER_DISABLED: "chargerFeatureClimaterDisabled",
    Feature.AUTODETECT_DISABLED: "chargerFeatureAutodetectDisabled",
    Feature.WAKEUP_DISABLED: "chargerFeatureWakeUpDisabled",
}


def _mean_next_day(rates: Sequence[Rate], now: datetime) -> float | None:
    """Mean of the slots overlapping the next 24 hours: the session's reference price."""
    horizon = now + timedelta(hours=24)
    values = [rate.value for rate in rates if rate.end > now and rate.start < horizon]
    return sum(values) / len(values) if values else None
