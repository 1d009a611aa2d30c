"""Invariants of the whole core over random timelines: a `Site` with one or two loadpoints, driven cycle by cycle.

Between cycles a small physical model stands in for chargers and vehicles: it carries out the commands the core
returns and reports, in the next `ChargerReading`, a state consistent with them. A charger draws
``min(offered, vehicle max)`` A on ``min(charger phases, vehicle phases)`` phases while it is enabled and the vehicle
wants to charge (status C), else nothing; the grid meter reads ``base load − pv + Σ charge power``. An optional
meterless root circuit with a current limit sums the loadpoints' loads.

Scenarios stay where every property can be checked exactly: no home battery, no battery boost, no plans, minSoc or
limits, no tariffs, no vehicles the core knows (guest vehicles only), no welcome charge, no climater.

Every cycle is checked against all five properties:

1. **Offered current.** ``offered_current`` and every `MaxCurrent` stay within [effective min, effective max] current.
   With a circuit: when a cycle starts within the circuit's limit, none of its `MaxCurrent` commands exceeds the
   limit, and — unless a vehicle changes what it draws before the next cycle — the physical load the next cycle
   measures (each charger's highest phase current, summed) is within the limit too.
2. **PV enable delay.** In pv mode a disabled loadpoint gets `Enable(True)` only in a cycle where the enable condition
   holds (§3.4, on the site power the loadpoint was given: threshold 0 → surplus for the min current on the active
   phases; else site power ≤ threshold), and only once it has held in every PV decision of that loadpoint for at
   least the enable delay — unless the PV timer was elapsed by a connect (and no PV decision or mode change to
   now/off/minpv has consumed it since) or by charger sync ("disabled but charging", §3.13). The code has no other
   bypass in these scenarios: in particular a phase switch does not elapse the PV timer (recent evcc neither).
3. **No needless commands.** Never `Enable(x)` to a charger that reports (or was just told) x; never `MaxCurrent(i)`
   to an enabled charger that offers i when the core knows it does. A cycle whose readings and settings equal those
   of the previous cycle, which sent nothing, sends nothing — at the same instant, or later when no PV or phase timer
   was running and no 60 s settle window (after an enable/disable or a phase switch) ended in between.
4. **Phase switches.** An automatic switch (pv/minpv mode, phasesConfigured 0) comes at least PHASE_SWITCH_DURATION
   (60 s) after the loadpoint's previous switch of any kind; while charging, at least 60 s plus the delay of its
   direction (disable delay to 1p, enable delay to 3p) after it: every switch resets the phase timer, the timer is
   only started by a PV decision once the switch has settled (``now − switched ≥ 60 s``), and while charging it must
   run for that delay (core.md §3.7; `Loadpoint._pv_scale_phases`). Not charging, the timer elapses at once.
5. **Sessions never lose energy.** From connect to disconnect the published ``sessionEnergy`` and ``chargedEnergy``
   never decrease, and every `LoadpointResult.session` record has at least the energy of the previous record with
   the same token.

Two tests run these checks: one over scenarios of every kind, one over switchable chargers in the PV modes with
the PV power changing at every step, where phase switches are frequent. Both are derandomized, so CI sees the same
examples on every run. The two bugs these properties found are pinned by the regression tests at the end, each
on its minimal counterexample.

Hypothesis's own report shows the test's arguments empty under this pytest (9.2), so a failing check's message
carries the shrunk scenario itself, as Python with the fields at their defaults left out.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from surplus.core.circuits import Circuit
from surplus.core.commands import ChargerCommand, Enable, MaxCurrent, SwitchPhases
from surplus.core.energy import EnergySource
from surplus.core.loadpoint import (
    PHASE_SWITCH_DURATION,
    ChargerInfo,
    Loadpoint,
    LoadpointConfig,
    LoadpointResult,
    SiteContext,
)
from surplus.core.readings import ChargerReading, MeterReading, SiteReadings, Triple, VehicleReading
from surplus.core.settings import LoadpointSettings, SiteSettings
from surplus.core.site import Site
from surplus.core.types import ChargeMode, ChargeStatus
from surplus.core.units import power_to_current
from surplus.core.vehicles import Coordinator

V = 230.0
T0 = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
#: after an enable/disable or a phase switch the core trusts itself over the charger this long
SETTLE = timedelta(seconds=60)
EPSILON = 1e-9


def property_settings(examples: int) -> settings:
    """Deterministic (derandomized, no example database); no explain phase, which only slows a failure down here."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# --- what a scenario is made of ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChargerSpec:
    switchable: bool = False
    #: switchable: 3 or 0 (unknown); fixed: 3 or 1
    physical_phases: int = 3
    coarse: bool = True
    #: the charge meter reports phase currents
    currents: bool = False
    #: the charger reports the current it offers (CurrentGetter)
    current_getter: bool = False
    #: the charger reports its phases (PhaseGetter; switchable chargers only)
    phase_getter: bool = False
    energy: EnergySource = EnergySource.POWER
    enabled_at_start: bool = False


@dataclass(frozen=True)
class LoadpointSpec:
    charger: ChargerSpec = ChargerSpec()
    mode: ChargeMode = ChargeMode.PV
    min_current: int = 6
    max_current: int = 16
    #: phasesConfigured: switchable 0, 1 or 3; fixed chargers their physical phases
    phases: int = 3
    enable_threshold: int = 0
    disable_threshold: int = 0
    enable_delay: int = 60
    disable_delay: int = 180
    priority: int = 0


@dataclass(frozen=True)
class Connect:
    lp: int
    vehicle_phases: int = 3
    vehicle_max: int = 32
    wants: bool = True


@dataclass(frozen=True)
class Disconnect:
    lp: int


@dataclass(frozen=True)
class Wants:
    """The vehicle starts (True) or stops (False) wanting to charge: full, or its own timer."""

    lp: int
    wants: bool


@dataclass(frozen=True)
class Glitch:
    """For one cycle a disabled charger reports status C: "disabled but charging" (charger sync, §3.13)."""

    lp: int


VehicleEvent = Connect | Disconnect | Wants | Glitch


@dataclass(frozen=True)
class SetMode:
    lp: int
    mode: ChargeMode


@dataclass(frozen=True)
class SetThresholds:
    lp: int
    enable: int
    disable: int


@dataclass(frozen=True)
class SetDelays:
    lp: int
    enable: int
    disable: int


@dataclass(frozen=True)
class SetPhases:
    lp: int
    phases: int


SettingChange = SetMode | SetThresholds | SetDelays | SetPhases


@dataclass(frozen=True)
class Step:
    """Time moves on by ``dt`` s, the changes apply and one cycle runs; then ``repeat`` more cycles at the same
    instant (as an out-of-band update would), then ``hold`` more cycles ``dt`` s apart with nothing changed."""

    dt: int
    pv: int | None = None
    base_load: int | None = None
    vehicles: tuple[VehicleEvent, ...] = ()
    setting: SettingChange | None = None
    repeat: int = 0
    hold: int = 0


@dataclass(frozen=True)
class Scenario:
    loadpoints: tuple[LoadpointSpec, ...]
    steps: tuple[Step, ...]
    circuit_max_current: int | None = None
    pv: int = 0
    base_load: int = 300
    #: vehicles plugged in before the first cycle
    plugged: tuple[Connect, ...] = ()


def describe(value: Any) -> str:
    """Python for a scenario, fields at their defaults left out: what a failure reports as its counterexample."""
    if isinstance(value, Scenario):
        lines = []
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if f.name in ("loadpoints", "steps"):
                lines.append(f"    {f.name}=(\n" + "".join(f"        {describe(x)},\n" for x in item) + "    ),\n")
            elif item != f.default:
                lines.append(f"    {f.name}={describe(item)},\n")
        return "Scenario(\n" + "".join(lines) + ")"
    if isinstance(value, Enum):
        return f"{type(value).__name__}.{value.name}"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = [(f.name, getattr(value, f.name), f.default) for f in dataclasses.fields(value)]
        shown = [f"{name}={describe(item)}" for name, item, default in fields if item != default]
        return f"{type(value).__name__}({', '.join(shown)})"
    if isinstance(value, tuple):
        inner = ", ".join(describe(x) for x in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    return repr(value)


# --- strategies -------------------------------------------------------------------------------------------------

# pv twice: the mode with the most to check
MODES = [ChargeMode.PV, ChargeMode.MINPV, ChargeMode.PV, ChargeMode.NOW, ChargeMode.OFF]
ENABLE_THRESHOLDS = [0, -300, -1500, 200]
DISABLE_THRESHOLDS = [0, 200, 1000, -300]
DELAYS = [0, 10, 30, 60, 120, 180]
PV_POWERS = st.sampled_from([0, 800, 1600, 2400, 3200, 4500, 6000, 8000, 11000, 14000])
BASE_LOADS = st.sampled_from([300, 700, 1200, 2000, 3500])
LP = st.integers(0, 1)  # taken modulo the number of loadpoints


@st.composite
def charger_specs(draw: st.DrawFn, switchable_only: bool) -> ChargerSpec:
    switchable = switchable_only or draw(st.booleans())
    return ChargerSpec(
        switchable=switchable,
        physical_phases=draw(st.sampled_from([3, 0] if switchable else [3, 1])),
        coarse=draw(st.booleans()),
        currents=draw(st.booleans()),
        current_getter=draw(st.booleans()),
        phase_getter=switchable and draw(st.booleans()),
        energy=draw(st.sampled_from(list(EnergySource))),
        enabled_at_start=draw(st.booleans()),
    )


@st.composite
def loadpoint_specs(draw: st.DrawFn, switchable_only: bool, modes: list[ChargeMode]) -> LoadpointSpec:
    charger = draw(charger_specs(switchable_only))
    return LoadpointSpec(
        charger=charger,
        mode=draw(st.sampled_from(modes)),
        min_current=draw(st.integers(6, 8)),
        max_current=draw(st.sampled_from([16, 10, 20, 32])),
        phases=draw(st.sampled_from([0, 0, 3, 1])) if charger.switchable else charger.physical_phases,
        enable_threshold=draw(st.sampled_from(ENABLE_THRESHOLDS)),
        disable_threshold=draw(st.sampled_from(DISABLE_THRESHOLDS)),
        enable_delay=draw(st.sampled_from(DELAYS)),
        disable_delay=draw(st.sampled_from(DELAYS)),
        priority=draw(st.integers(0, 1)),
    )


connects = st.builds(Connect, LP, st.sampled_from([3, 1]), st.integers(6, 32), st.sampled_from([True, False]))
vehicle_events: st.SearchStrategy[VehicleEvent] = st.one_of(
    connects,
    st.builds(Disconnect, LP),
    st.builds(Wants, LP, st.booleans()),
    st.builds(Glitch, LP),
)
setting_changes: st.SearchStrategy[SettingChange] = st.one_of(
    st.builds(SetMode, LP, st.sampled_from(MODES)),
    st.builds(SetThresholds, LP, st.sampled_from(ENABLE_THRESHOLDS), st.sampled_from(DISABLE_THRESHOLDS)),
    st.builds(SetDelays, LP, st.sampled_from(DELAYS), st.sampled_from(DELAYS)),
    st.builds(SetPhases, LP, st.sampled_from([0, 1, 3])),
)


def steps(pv_changes: st.SearchStrategy[int | None], dts: st.SearchStrategy[int]) -> st.SearchStrategy[Step]:
    return st.builds(
        Step,
        dt=dts,
        pv=pv_changes,
        base_load=st.none() | BASE_LOADS,
        vehicles=st.lists(vehicle_events, max_size=2).map(tuple),
        setting=st.none() | setting_changes,
        repeat=st.integers(0, 2),
        hold=st.integers(0, 6),
    )


def timelines(
    pv_changes: st.SearchStrategy[int | None], dts: st.SearchStrategy[int]
) -> st.SearchStrategy[tuple[Step, ...]]:
    """Up to 48 steps, drawn as chunks: plain lists are mostly short, and chunks still shrink step by step."""
    chunks = st.lists(st.lists(steps(pv_changes, dts), min_size=1, max_size=6), min_size=1, max_size=8)
    return chunks.map(lambda chunks: tuple(step for chunk in chunks for step in chunk))


def scenarios(phase_switching: bool = False) -> st.SearchStrategy[Scenario]:
    """Random scenarios; ``phase_switching``: switchable chargers starting in the PV modes, the PV power changing at
    every step and shorter steps, so that phase timers run, expire and meet the 60 s settle window often."""
    if phase_switching:
        modes, pv_changes = [ChargeMode.PV, ChargeMode.MINPV], PV_POWERS
        dts = st.sampled_from([10, 5, 20, 30, 45, 60, 90])
    else:
        modes, pv_changes = MODES, st.none() | PV_POWERS
        dts = st.one_of(st.integers(1, 120), st.sampled_from([0, 1, 5, 30]))
    return st.builds(
        Scenario,
        loadpoints=st.lists(loadpoint_specs(phase_switching, modes), min_size=1, max_size=2).map(tuple),
        steps=timelines(pv_changes, dts),
        circuit_max_current=st.none() | st.sampled_from([16, 20, 25, 32, 40]),
        pv=PV_POWERS,
        base_load=BASE_LOADS,
        plugged=st.lists(connects, max_size=2).map(tuple),
    )


# --- the physical model -----------------------------------------------------------------------------------------


@dataclass
class ChargerModel:
    """A wallbox that does what it is told, with the vehicle plugged into it."""

    spec: ChargerSpec
    enabled: bool
    offered: float
    phases: int
    connected: bool = False
    wants: bool = False
    vehicle_phases: int = 3
    vehicle_max: float = 32.0
    glitch: bool = False
    meter_kwh: float = 100.0  # the charge meter's total
    session_kwh: float = 0.0  # the charger's own session counter, reset on plug-in

    @classmethod
    def of(cls, spec: LoadpointSpec) -> ChargerModel:
        charger = spec.charger
        phases = 3 if charger.switchable else charger.physical_phases
        enabled = charger.enabled_at_start
        return cls(charger, enabled=enabled, offered=float(spec.min_current) if enabled else 0.0, phases=phases)

    def status(self) -> ChargeStatus:
        if not self.connected:
            return ChargeStatus.A
        if self.glitch and not self.enabled:
            return ChargeStatus.C
        if self.enabled and self.wants and self.offered > 0:
            return ChargeStatus.C
        return ChargeStatus.B

    def phase_currents(self) -> Triple:
        if not (self.enabled and self.status() == ChargeStatus.C):
            return (0.0, 0.0, 0.0)
        used = min(self.phases, self.vehicle_phases)
        current = min(self.offered, self.vehicle_max)
        return (current, current if used >= 2 else 0.0, current if used >= 3 else 0.0)

    def power(self) -> float:
        return sum(self.phase_currents()) * V

    def load(self) -> float:
        """What this charger puts on the circuit: its highest phase current."""
        return max(self.phase_currents())

    def reading(self) -> ChargerReading:
        spec = self.spec
        return ChargerReading(
            status=self.status(),
            enabled=self.enabled,
            power=self.power(),
            energy=self.meter_kwh if spec.energy == EnergySource.METER else None,
            currents=self.phase_currents() if spec.currents else None,
            charged_energy=self.session_kwh if spec.energy == EnergySource.CHARGER else None,
            max_current=self.offered if spec.current_getter else None,
            phases=self.phases if spec.phase_getter else None,
        )

    def advance(self, seconds: float) -> None:
        energy = self.power() * seconds / 3_600_000
        self.meter_kwh += energy
        self.session_kwh += energy

    def happen(self, event: VehicleEvent) -> None:
        if isinstance(event, Connect):
            if not self.connected:
                self.connected = True
                self.wants = event.wants
                self.vehicle_phases = event.vehicle_phases
                self.vehicle_max = float(event.vehicle_max)
                self.session_kwh = 0.0
        elif isinstance(event, Disconnect):
            self.connected = self.wants = self.glitch = False
        elif isinstance(event, Wants):
            self.wants = event.wants
        else:
            self.glitch = self.connected and not self.enabled

    def apply(self, commands: list[ChargerCommand]) -> None:
        for command in commands:
            if isinstance(command, Enable):
                self.enabled = command.enable
            elif isinstance(command, MaxCurrent):
                self.offered = command.current
            elif isinstance(command, SwitchPhases):
                self.phases = command.phases


def build_site(scenario: Scenario) -> tuple[Site, Circuit | None]:
    """As runtime/wiring.py builds it from a configuration."""
    root = Circuit("main", max_current=scenario.circuit_max_current) if scenario.circuit_max_current else None
    coordinator = Coordinator(())
    loadpoints = []
    for index, spec in enumerate(scenario.loadpoints):
        charger = spec.charger
        info = ChargerInfo(
            phases1p3p=charger.switchable,
            coarse=charger.coarse,
            physical_phases=charger.physical_phases,
            current_getter=charger.current_getter,
            phase_getter=charger.phase_getter,
            energy_source=charger.energy,
        )
        values = LoadpointSettings(
            mode=spec.mode,
            priority=spec.priority,
            min_current=spec.min_current,
            max_current=spec.max_current,
            phases_configured=spec.phases,
            enable_threshold=spec.enable_threshold,
            enable_delay=timedelta(seconds=spec.enable_delay),
            disable_threshold=spec.disable_threshold,
            disable_delay=timedelta(seconds=spec.disable_delay),
        )
        config = LoadpointConfig(
            index=index,
            title=f"Loadpoint {index + 1}",
            charger=info,
            name=f"lp-{index + 1}",
            circuit="main" if root else None,
        )
        loadpoints.append(Loadpoint(config, values, coordinator, circuit=root, voltage=V))
    return Site(SiteSettings(), loadpoints, circuits={"main": root} if root else {}), root


def change_setting(lp: Loadpoint, change: SettingChange) -> None:
    """As the API setters do it (runtime/setters.py)."""
    if isinstance(change, SetMode):
        lp.set_mode(change.mode)
    elif isinstance(change, SetThresholds):
        lp.settings.enable_threshold = change.enable
        lp.settings.disable_threshold = change.disable
    elif isinstance(change, SetDelays):
        lp.settings.enable_delay = timedelta(seconds=change.enable)
        lp.settings.disable_delay = timedelta(seconds=change.disable)
    elif lp.config.charger.phases1p3p:
        lp.set_phases_configured(change.phases)


# --- one cycle as the checks see it -----------------------------------------------------------------------------


@dataclass
class LoadpointCycle:
    """One loadpoint's part of a cycle: what it was before, what it saw, what it did."""

    reading: ChargerReading
    mode: ChargeMode
    #: set right before this cycle
    setting: SettingChange | None
    was_status: ChargeStatus | None
    was_enabled: bool
    was_offered: float
    model_offered: float
    #: the charger's highest phase current before the cycle, as the model draws it
    drawn: float
    context: SiteContext
    result: LoadpointResult

    @property
    def commands(self) -> list[ChargerCommand]:
        return self.result.commands


@dataclass
class Cycle:
    now: datetime
    #: readings or settings were changed by the step right before this cycle
    changed: bool
    vehicles_changed: bool
    readings: SiteReadings
    #: the circuit's physical load before the cycle: each charger's highest phase current, summed
    load: float
    loadpoints: list[LoadpointCycle]

    @property
    def silent(self) -> bool:
        return not any(c.commands for c in self.loadpoints)


Check = Callable[["Timeline", Cycle], None]


@dataclass
class OracleState:
    """What the checks remember about one loadpoint."""

    # property 2: when the enable condition started to hold (the PV timer's start), and whether the timer is elapsed
    run_start: datetime | None = None
    bypass: bool = False
    # properties 3 and 4: the last Enable command and the last phase switch (each opens a 60 s settle window)
    last_enable: datetime | None = None
    last_phase_switch: datetime | None = None
    # property 5: the session's published energies and each record's energy by token
    session_energy: float = 0.0
    charged_energy: float = 0.0
    records: dict[int, float] = field(default_factory=dict)


class Timeline:
    """Runs a scenario through the real core and the model, calling the checks after every cycle."""

    def __init__(self, scenario: Scenario, checks: tuple[Check, ...]) -> None:
        self.scenario = scenario
        self.checks = checks
        self.site, self.circuit = build_site(scenario)
        self.models = [ChargerModel.of(spec) for spec in scenario.loadpoints]
        self.oracle = [OracleState() for _ in scenario.loadpoints]
        self.pv = float(scenario.pv)
        self.base_load = float(scenario.base_load)
        self.now = T0
        self.previous: Cycle | None = None
        self._contexts: dict[int, SiteContext] = {}
        for lp in self.site.loadpoints:
            self._spy(lp)

    def _spy(self, lp: Loadpoint) -> None:
        """Record the context each loadpoint is updated with: the site power it was given."""
        update = lp.update

        def spied(ctx: SiteContext, reading: ChargerReading, vehicles: Mapping[str, VehicleReading]) -> LoadpointResult:
            self._contexts[lp.index] = ctx
            return update(ctx, reading, vehicles)

        lp.update = spied  # type: ignore[method-assign]

    @property
    def loadpoints(self) -> list[Loadpoint]:
        return self.site.loadpoints

    def lp(self, index: int) -> int:
        return index % len(self.models)

    def run(self) -> None:
        for event in self.scenario.plugged:
            self.models[self.lp(event.lp)].happen(event)
        for step in self.scenario.steps:
            self.advance(step.dt)
            if step.pv is not None:
                self.pv = float(step.pv)
            if step.base_load is not None:
                self.base_load = float(step.base_load)
            for event in step.vehicles:
                self.models[self.lp(event.lp)].happen(event)
            if step.setting is not None:
                change_setting(self.loadpoints[self.lp(step.setting.lp)], step.setting)
            changed = step.pv is not None or step.base_load is not None or bool(step.vehicles)
            self.cycle(changed or step.setting is not None, bool(step.vehicles), step.setting)
            for _ in range(step.repeat):
                self.cycle()
            for _ in range(step.hold):
                self.advance(step.dt)
                self.cycle()

    def advance(self, seconds: int) -> None:
        for model in self.models:
            model.advance(seconds)
        self.now += timedelta(seconds=seconds)

    def readings(self) -> SiteReadings:
        chargers = tuple(model.reading() for model in self.models)
        grid = self.base_load - self.pv + sum(r.power or 0.0 for r in chargers)
        return SiteReadings(
            grid=MeterReading(name="grid", power=grid),
            pv=(MeterReading(name="pv", power=self.pv),),
            loadpoints=chargers,
        )

    def cycle(
        self, changed: bool = False, vehicles_changed: bool = False, setting: SettingChange | None = None
    ) -> None:
        readings = self.readings()
        before = [
            (lp.settings.mode, lp.status, lp.enabled, lp.offered_current, model.offered, model.load())
            for lp, model in zip(self.loadpoints, self.models, strict=True)
        ]
        self._contexts.clear()
        result = self.site.update(readings, self.now)
        assert result.skipped is None
        cycle = Cycle(
            now=self.now,
            changed=changed,
            vehicles_changed=vehicles_changed,
            readings=readings,
            load=sum(drawn for *_, drawn in before),
            loadpoints=[
                LoadpointCycle(
                    reading=readings.loadpoints[index],
                    mode=mode,
                    setting=setting if setting is not None and self.lp(setting.lp) == index else None,
                    was_status=was_status,
                    was_enabled=was_enabled,
                    was_offered=was_offered,
                    model_offered=model_offered,
                    drawn=drawn,
                    context=self._contexts[index],
                    result=result.loadpoints[index],
                )
                for index, (mode, was_status, was_enabled, was_offered, model_offered, drawn) in enumerate(before)
            ],
        )
        for check in self.checks:
            check(self, cycle)
        for index, model in enumerate(self.models):
            commands = cycle.loadpoints[index].commands
            model.apply(commands)
            model.glitch = False
            oracle = self.oracle[index]
            if any(isinstance(c, Enable) for c in commands):
                oracle.last_enable = self.now
            if any(isinstance(c, SwitchPhases) for c in commands):
                oracle.last_phase_switch = self.now
        self.previous = cycle


def where(cycle: Cycle, index: int | None = None) -> str:
    at = f"t={(cycle.now - T0).total_seconds():g}s"
    return at if index is None else f"lp {index + 1} at {at}"


# --- property 1: offered current within limits -------------------------------------------------------------------


def check_offered_current(timeline: Timeline, cycle: Cycle) -> None:
    for index, lp in enumerate(timeline.loadpoints):
        minimum, maximum = lp.effective_min_current(), lp.effective_max_current()
        assert lp.offered_current <= maximum + EPSILON, (
            f"property 1: {where(cycle, index)} offers {lp.offered_current} A above the effective max {maximum} A"
        )
        for command in cycle.loadpoints[index].commands:
            if isinstance(command, MaxCurrent):
                assert minimum - EPSILON <= command.current <= maximum + EPSILON, (
                    f"property 1: {where(cycle, index)} sent {command} outside [{minimum}, {maximum}] A"
                )
    circuit = timeline.circuit
    if circuit is None:
        return
    limit = circuit.max_current
    previous = timeline.previous
    # the cycle before started within the limit and no vehicle changed its draw since: what its commands did shows now
    if previous is not None and previous.load <= limit + EPSILON:
        assert cycle.vehicles_changed or cycle.load <= limit + EPSILON, (
            f"property 1: at {where(cycle)} the circuit carries {cycle.load} A, above its {limit} A, after a cycle "
            f"that started at {previous.load} A; per charger: {[model.phase_currents() for model in timeline.models]}"
        )
    if cycle.load <= limit + EPSILON:
        for index, lp_cycle in enumerate(cycle.loadpoints):
            for command in lp_cycle.commands:
                if isinstance(command, MaxCurrent):
                    assert command.current <= limit + EPSILON, (
                        f"property 1: {where(cycle, index)} sent {command}, above the circuit's {limit} A"
                    )


# --- property 2: the PV enable delay ------------------------------------------------------------------------------


def enable_condition(lp: Loadpoint, lp_cycle: LoadpointCycle) -> bool:
    """§3.4 for a disabled loadpoint, which draws nothing: its effective current is 0."""
    site_power = lp_cycle.context.site_power
    threshold = lp.settings.enable_threshold
    if threshold != 0:
        return site_power <= threshold
    # the phases after any switch this cycle: the PV decision scales phases first, then computes the target
    return power_to_current(-site_power, lp.active_phases(), V) >= lp.effective_min_current()


def check_pv_enable_delay(timeline: Timeline, cycle: Cycle) -> None:
    for index, lp in enumerate(timeline.loadpoints):
        lp_cycle = cycle.loadpoints[index]
        oracle = timeline.oracle[index]
        reading, commands = lp_cycle.reading, lp_cycle.commands
        if isinstance(lp_cycle.setting, SetMode) and lp_cycle.setting.mode != ChargeMode.PV:
            oracle.run_start, oracle.bypass = None, False  # now/off/minpv reset the PV timer (§3.9)
        if "connect" in lp_cycle.result.events:
            oracle.run_start, oracle.bypass = None, True  # a connect elapses the PV timer (§3.2)
        enables = [c for c in commands if isinstance(c, Enable) and c.enable]
        enabled_for_decision = lp_cycle.was_enabled
        if reading.status == ChargeStatus.C and reading.enabled is False and commands[:1] == [Enable(True)]:
            # charger sync enables "disabled but charging" at once and elapses the PV timer (§3.13)
            enables = enables[1:]
            oracle.run_start, oracle.bypass = None, True
            enabled_for_decision = True
        connected = reading.status in (ChargeStatus.B, ChargeStatus.C)
        if lp_cycle.mode != ChargeMode.PV or not connected:
            oracle.run_start = None
            continue
        if lp.settings.phases_configured != 0 and any(isinstance(c, SwitchPhases) for c in commands):
            continue  # switching to the configured phases is the cycle's only action: no PV decision ran
        if enabled_for_decision:
            oracle.run_start, oracle.bypass = None, False
            continue
        condition = enable_condition(lp, lp_cycle)
        if condition and oracle.run_start is None:
            oracle.run_start = cycle.now
        if enables:
            delay = lp.settings.enable_delay
            held = cycle.now - oracle.run_start if oracle.run_start else timedelta(0)
            assert condition, (
                f"property 2: {where(cycle, index)} enabled at site power {lp_cycle.context.site_power} W, enable "
                f"threshold {lp.settings.enable_threshold} W: the enable condition does not hold"
            )
            assert oracle.bypass or held >= delay, (
                f"property 2: {where(cycle, index)} enabled after the condition held {held.total_seconds():g}s, less "
                f"than the enable delay {delay.total_seconds():g}s, without a connect or charger sync before"
            )
        if enables or not condition:
            oracle.run_start = None
        oracle.bypass = False  # a PV decision ran: an elapsed timer fired or was reset


# --- property 3: no needless commands ------------------------------------------------------------------------------


def check_no_needless_commands(timeline: Timeline, cycle: Cycle) -> None:
    for index, lp_cycle in enumerate(cycle.loadpoints):
        reading = lp_cycle.reading
        enabled = bool(reading.enabled)
        # The core forgets the offered current on disable (offered 0 forces a re-send, §3.5) and learns the charger's
        # only while both it and the charger are enabled; only a re-send of a current it knows is offered is needless.
        synced = reading.max_current is not None and enabled and lp_cycle.was_enabled
        knows_offered = synced or lp_cycle.was_offered == lp_cycle.model_offered
        offered = lp_cycle.model_offered
        for command in lp_cycle.commands:
            if isinstance(command, Enable):
                assert command.enable != enabled, (
                    f"property 3: {where(cycle, index)} sent {command} to a charger that is enabled={enabled}; "
                    f"commands {lp_cycle.commands}"
                )
                enabled = command.enable
            elif isinstance(command, MaxCurrent):
                assert not (enabled and knows_offered and command.current == offered), (
                    f"property 3: {where(cycle, index)} sent {command} to an enabled charger offering {offered} A"
                )
                offered = command.current
    previous = timeline.previous
    if previous is None or not previous.silent or cycle.changed or cycle.readings != previous.readings:
        return
    if cycle.now != previous.now and not quiet(timeline, previous, cycle):
        return
    for index, lp_cycle in enumerate(cycle.loadpoints):
        assert not lp_cycle.commands, (
            f"property 3: {where(cycle, index)} sent {lp_cycle.commands}, with the readings and settings of the "
            f"silent cycle at {where(previous)}"
        )


def quiet(timeline: Timeline, previous: Cycle, cycle: Cycle) -> bool:
    """No timer ran after the previous cycle, and no 60 s settle window ended between the two cycles."""
    for index, lp_cycle in enumerate(previous.loadpoints):
        published = lp_cycle.result.published
        if published["pvAction"] != "inactive" or published["phaseAction"] != "inactive":
            return False
        oracle = timeline.oracle[index]
        for last in (oracle.last_enable, oracle.last_phase_switch):
            if last is not None and previous.now - last < SETTLE <= cycle.now - last:
                return False
    return True


# --- property 4: phase switch spacing -------------------------------------------------------------------------------


def check_phase_switch_spacing(timeline: Timeline, cycle: Cycle) -> None:
    for index, lp in enumerate(timeline.loadpoints):
        lp_cycle = cycle.loadpoints[index]
        switches = [c for c in lp_cycle.commands if isinstance(c, SwitchPhases)]
        assert len(switches) <= 1, f"property 4: {where(cycle, index)} switched several times: {switches}"
        automatic = lp_cycle.mode in (ChargeMode.PV, ChargeMode.MINPV) and lp.settings.phases_configured == 0
        last = timeline.oracle[index].last_phase_switch
        if not switches or not automatic or last is None:
            continue
        since = cycle.now - last
        assert since >= PHASE_SWITCH_DURATION, (
            f"property 4: {where(cycle, index)} switched automatically ({switches[0]}) {since.total_seconds():g}s "
            f"after the previous switch"
        )
        if lp_cycle.reading.status == ChargeStatus.C:
            values = lp.settings
            delay = values.disable_delay if switches[0].phases == 1 else values.enable_delay
            assert since >= PHASE_SWITCH_DURATION + delay, (
                f"property 4: {where(cycle, index)} switched automatically ({switches[0]}) while charging "
                f"{since.total_seconds():g}s after the previous switch; the phase timer needs "
                f"{delay.total_seconds():g}s after the 60 s settle window"
            )


# --- property 5: sessions never lose energy ---------------------------------------------------------------------------


def check_session_energy(timeline: Timeline, cycle: Cycle) -> None:
    for index, lp_cycle in enumerate(cycle.loadpoints):
        oracle = timeline.oracle[index]
        result = lp_cycle.result
        if "connect" in result.events:
            oracle.session_energy = oracle.charged_energy = 0.0
        published: dict[str, Any] = result.published
        for key, last in (("sessionEnergy", oracle.session_energy), ("chargedEnergy", oracle.charged_energy)):
            assert published[key] >= last - EPSILON, (
                f"property 5: {where(cycle, index)} published {key} fell from {last} to {published[key]} Wh"
            )
        oracle.session_energy = published["sessionEnergy"]
        oracle.charged_energy = published["chargedEnergy"]
        record = result.session
        if record is not None:
            last_record = oracle.records.get(record.token, 0.0)
            assert record.charged_energy >= last_record - EPSILON, (
                f"property 5: {where(cycle, index)} wrote session {record.token} with {record.charged_energy} kWh "
                f"after {last_record} kWh"
            )
            oracle.records[record.token] = record.charged_energy


ALL_CHECKS: tuple[Check, ...] = (
    check_offered_current,
    check_pv_enable_delay,
    check_no_needless_commands,
    check_phase_switch_spacing,
    check_session_energy,
)


def run(scenario: Scenario, *checks: Check) -> Timeline:
    """Run ``scenario`` with ``checks``; a failing check's message gets the scenario appended."""
    timeline = Timeline(scenario, checks)
    try:
        timeline.run()
    except AssertionError as error:
        error.args = (f"{error.args[0] if error.args else ''}\n\nin {describe(scenario)}",)
        raise
    return timeline


def record(scenario: Scenario) -> list[Cycle]:
    cycles: list[Cycle] = []
    run(scenario, lambda _, cycle: cycles.append(cycle))
    return cycles


# --- the properties ------------------------------------------------------------------------------------------------


@property_settings(examples=300)
@given(scenarios())
def test_invariants_hold_over_random_timelines(scenario: Scenario) -> None:
    run(scenario, *ALL_CHECKS)


@property_settings(examples=250)
@given(scenarios(phase_switching=True))
def test_invariants_hold_while_switchable_chargers_scale_phases(scenario: Scenario) -> None:
    run(scenario, *ALL_CHECKS)


# --- the bugs the properties found, each on its minimal counterexample ---------------------------------------------


class NotReproduced(Exception):
    """The scenario no longer reaches the situation the test is about: a real failure, not the expected one."""


def test_the_circuit_counts_a_loadpoint_that_just_started_charging() -> None:
    """A 16 A circuit, one loadpoint in mode now with a 20 A maximum and no phase currents. The first cycle offers
    16 A (the circuit's headroom) and enables; the next one, as the vehicle draws 16 A, must not offer more.

    The bug: the circuit counted the loadpoint by the previous cycle's status (B), saw 0 A and granted 20 A; the
    cycle after cut back to 16 A. `Loadpoint.observe()` now records this cycle's status before circuits update."""
    scenario = Scenario(
        loadpoints=(LoadpointSpec(mode=ChargeMode.NOW, max_current=20),),
        steps=(Step(dt=0), Step(dt=30), Step(dt=30)),
        circuit_max_current=16,
        plugged=(Connect(lp=0),),
    )
    cycles = record(scenario)
    offered = [[c.current for c in cycle.loadpoints[0].commands if isinstance(c, MaxCurrent)] for cycle in cycles]
    if offered[0] != [16]:
        raise NotReproduced(f"the first cycle offered {offered[0]}")
    assert offered[1:] == [[], []], f"after 16 A the circuit let the loadpoint be offered {offered[1:]}"


def test_a_cycle_repeating_the_charge_start_sends_nothing() -> None:
    """minpv, min 7 A, a 3p charger with phase currents, a one-phase vehicle taking 7 A; 2400 W PV, 300 W base load.
    The first cycle enables at 7 A. In the second (same instant) the vehicle draws 7 A on L1 only, yet the core kept
    assuming 3 phases when `observe()` measured phases only if the *previous* status was C. A third cycle with the
    very same readings, then measuring 1p, divided the surplus by 1 phase instead of 3 and sent MaxCurrent(9):
    identical inputs, a different decision (property 3)."""
    scenario = Scenario(
        loadpoints=(LoadpointSpec(charger=ChargerSpec(currents=True), mode=ChargeMode.MINPV, min_current=7),),
        steps=(Step(dt=0, repeat=1),),
        pv=2400,
        plugged=(Connect(lp=0, vehicle_phases=1, vehicle_max=7),),
    )
    cycles: list[Cycle] = []
    timeline = run(scenario, lambda _, cycle: cycles.append(cycle))
    start = cycles[1].loadpoints[0]
    if "start" not in start.result.events or start.reading.currents != (7.0, 0.0, 0.0):
        raise NotReproduced(f"the second cycle is not the charge start on L1: {start.reading}")
    phases = timeline.loadpoints[0].active_phases()
    assert phases == 1, f"charging on L1 only, the loadpoint still counts on {phases} phases"
