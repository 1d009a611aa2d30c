"""core.md §3.7 and §3.13, scenarios 53–61 and 87–89: phase counting, 1p/3p scaling (with circuits and timers),
the switch to configured phases, and how the loadpoint adopts the charger's view of itself.

V = 230 V, lp 6–16 A unless a scenario says otherwise. Times are explicit (``at(seconds)``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from surplus.core.circuits import Circuit
from surplus.core.commands import Enable, MaxCurrent, SwitchPhases
from surplus.core.loadpoint import CHARGER_SWITCH_DURATION, PHASE_SWITCH_DURATION, Loadpoint, LoadpointResult
from surplus.core.types import ChargeMode, ChargeStatus
from surplus.core.vehicles import VehicleInfo
from tests.core.builders import at, charger, context, loadpoint, reading

V = 230.0
MINUTE = timedelta(minutes=1)


def switchable(
    phases: int,
    measured: int = 0,
    *,
    status: ChargeStatus = ChargeStatus.C,
    enabled: bool = True,
    vehicle_phases: int = 0,
    **settings: Any,
) -> Loadpoint:
    """A switchable charger on automatic phases, charging and enabled, with both delays 1 min."""
    vehicles = (VehicleInfo("car", "Car", phases=vehicle_phases),) if vehicle_phases else ()
    values: dict[str, Any] = {"enable_delay": MINUTE, "disable_delay": MINUTE}
    values.update(settings)
    lp = loadpoint(
        info=charger(phases1p3p=True),
        vehicles=vehicles,
        default_vehicle="car" if vehicles else None,
        **values,
    )
    lp.status = status
    lp.enabled = enabled
    lp.phases.switched = phases
    lp.phases.measured = measured
    return lp


def scale(lp: Loadpoint, seconds: float, site_power: float, minimum: float = 6.0, maximum: float = 16.0) -> int:
    """One phase-scaling decision at ``seconds``; returns the phases switched to, or 0."""
    lp._now = at(seconds)
    return lp._pv_scale_phases(site_power, minimum, maximum)


def switches(lp: Loadpoint) -> list[SwitchPhases]:
    return [c for c in lp._commands if isinstance(c, SwitchPhases)]


# --- scenario 53: pvScalePhases with a circuit --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "phases", "site", "max_current", "max_power", "expected"),
    [
        ("1p, 24 A fit under the 32 A maximum", 1, -5520, 0, 0, 0),
        ("1p, circuit caps the current at 20 A", 1, -5520, 20, 0, 3),
        ("1p, 16 A cap but 4000 W cannot carry 6 A on 3p", 1, -5520, 16, 4000, 0),
        ("1p, 2 A cap is below the minimum", 1, -5520, 2, 0, 0),
        ("3p, no limit", 3, -11040, 0, 0, 0),
        ("3p, 3000 W cannot carry 6 A on 3p", 3, -11040, 0, 3000, 1),
    ],
)
def test_scenario_53_pv_scale_phases_with_circuit(
    case: str, phases: int, site: float, max_current: float, max_power: float, expected: int
) -> None:
    lp = switchable(phases, vehicle_phases=3)
    circuit = Circuit("main", max_current=max_current, max_power=max_power, has_meter=False)
    circuit.current = 0.0
    circuit.power = 0.0
    lp.circuit = circuit
    lp.phase_timer.elapse()  # the scenario is about the decision, not the delay

    assert scale(lp, 0, site, minimum=6, maximum=32) == expected, case
    assert lp.phases.switched == (expected or phases)
    assert switches(lp) == ([SwitchPhases(expected)] if expected else [])


def test_scenario_53_circuit_load_counts_against_the_cap() -> None:
    """The cap is what the circuit has left: with 10 A of 20 A already used by others, 1p at 24 A is not enough,
    yet the 10 A left are (≥ 6 A) enough to ask for 3p; with 16 A used, only 4 A are left and nothing happens."""
    lp = switchable(1, vehicle_phases=3)
    circuit = Circuit("main", max_current=20, has_meter=False)
    circuit.current = 10.0
    lp.circuit = circuit
    lp.phase_timer.elapse()
    assert scale(lp, 0, -5520, minimum=6, maximum=32) == 3

    lp = switchable(1, vehicle_phases=3)
    circuit = Circuit("main", max_current=20, has_meter=False)
    circuit.current = 16.0
    lp.circuit = circuit
    lp.phase_timer.elapse()
    assert scale(lp, 0, -5520, minimum=6, maximum=32) == 0
    assert lp.phases.switched == 1


def test_scenario_53_through_pv_max_current() -> None:
    """pv_max_current runs the scaling: a 20 A circuit cap on 24 A of 1p surplus leads to 3p at 8 A."""
    lp = switchable(1, vehicle_phases=3, max_current=32)
    lp.circuit = Circuit("main", max_current=20, has_meter=False)
    lp.phase_timer.elapse()
    lp._commands = []
    current = lp.pv_max_current(context(at(0), -5520))
    assert switches(lp) == [SwitchPhases(3)]
    assert lp.active_phases() == 3
    assert current == pytest.approx(8.0)  # 5520 W / (3 × 230 V), nothing drawn yet


# --- scenarios 54–58: phase timers (TestPvScalePhasesTimer) -------------------------------------------------------


def test_scenario_54_no_surplus_no_switch() -> None:
    lp = switchable(1, 1)
    assert scale(lp, 0, 0) == 0
    assert not lp.phase_timer.running
    assert lp.phase_action == "inactive"


def test_scenario_54_switch_up_after_the_enable_delay() -> None:
    lp = switchable(1, 1)
    # 4140 W is 18 A on 1p (above the 16 A maximum) and 6 A on 3p (the minimum)
    assert scale(lp, 0, -4140) == 0
    assert lp.phase_timer.running
    assert lp.phase_action == "scale3p"
    assert scale(lp, 30, -4140) == 0
    assert scale(lp, 59.999, -4140) == 0
    assert switches(lp) == []
    assert scale(lp, 60, -4140) == 3
    assert switches(lp) == [SwitchPhases(3)]
    assert lp.phases.switched == 3
    assert lp.phases.measured == 0
    assert not lp.phase_timer.running
    assert lp.phase_action == "inactive"


def test_scenario_54_timer_resets_when_the_surplus_goes() -> None:
    lp = switchable(1, 1)
    assert scale(lp, 0, -4140) == 0
    assert scale(lp, 30, 0) == 0
    assert not lp.phase_timer.running
    assert scale(lp, 40, -4140) == 0  # starts again
    assert scale(lp, 61, -4140) == 0  # only 21 s since the restart
    assert scale(lp, 100, -4140) == 3


def test_scenario_54_not_charging_switches_at_once() -> None:
    lp = switchable(1, 1, status=ChargeStatus.B)
    assert scale(lp, 0, -4140) == 3


@pytest.mark.parametrize("site", [-4140, -1380])
def test_scenario_55_measured_one_phase_on_three_never_switches(site: float) -> None:
    lp = switchable(3, 1)
    assert lp.max_active_phases() == 1
    assert lp.active_phases() == 1
    for seconds in (0, 30, 61, 200):
        assert scale(lp, seconds, site) == 0
    assert switches(lp) == []
    assert lp.phases.switched == 3


@pytest.mark.parametrize("site", [-3680, 0.1])
def test_scenario_58_inconsistent_measurement_is_reset_and_never_switches(site: float) -> None:
    lp = switchable(1, 3)
    for seconds in (0, 30, 61, 200):
        assert scale(lp, seconds, site) == 0
        assert lp.phases.measured == 0
    assert switches(lp) == []
    assert lp.phases.switched == 1


def test_scenario_54_down_to_one_phase_after_the_disable_delay() -> None:
    """(derived) 3p at 6 A = 4140 W with 1000 W import: 3140 W available is 4.55 A on 3p (below minimum) but
    13.65 A on 1p, so the charger goes to 1p after the disable delay."""
    lp = switchable(3, 3, disable_delay=timedelta(minutes=2))
    lp.charge_power = 4140
    assert scale(lp, 0, 1000) == 0
    assert lp.phase_action == "scale1p"
    assert scale(lp, 119, 1000) == 0
    assert scale(lp, 120, 1000) == 1
    assert switches(lp) == [SwitchPhases(1)]


def test_scenario_54_no_down_switch_when_one_phase_cannot_be_sustained_either() -> None:
    """(derived, deliberately better than core.md §3.7, as evcc's newer controller does) 3p at 6 A = 4140 W with
    3000 W import leaves 1140 W: below the minimum on 3p *and* on 1p (1380 W). Switching to 1p would only delay
    the PV disable by the phase timer and cost two switches, so the loadpoint waits for the disable timer."""
    lp = switchable(3, 3)
    lp.charge_power = 4140
    assert scale(lp, 0, 3000) == 0
    assert lp.phase_action == "inactive"
    assert scale(lp, 600, 3000) == 0


def test_scenario_54_down_to_one_phase_when_one_phase_is_sustainable() -> None:
    """(derived) 3p at 6 A = 4140 W with 2500 W import leaves 1640 W: too little for 3p, enough for 1p at 7 A."""
    lp = switchable(3, 3)
    lp.charge_power = 4140
    assert scale(lp, 0, 2500) == 0
    assert lp.phase_action == "scale1p"
    assert scale(lp, 60, 2500) == 1


def test_scenario_54_up_through_update() -> None:
    """(derived) The whole cycle: 1p at 16 A (3680 W) with 4140 W export has 34 A of 1p surplus. After the enable
    delay the charger is switched to 3p, and the current is recomputed per phase: 16/3 + 6 = 11.33 → 11 A."""
    lp = switchable(1, 0, mode=ChargeMode.PV)
    lp.offered_current = 16
    charging = reading("C", True, power=3680.0, currents=(16.0, 0.0, 0.0), max_current=16.0, phases=1)
    first = lp.update(context(at(0), -4140), charging, {})
    assert first.commands == []
    assert lp.phases.measured == 1
    second = lp.update(context(at(61), -4140), charging, {})
    assert second.commands == [SwitchPhases(3), MaxCurrent(11)]
    assert lp.phases.switched == 3
    assert lp.phases_switched == at(61)


# --- scenario 60: fixed phases, charger cannot switch -------------------------------------------------------------


def test_scenario_60_configured_phases_adopted_when_the_charger_cannot_switch() -> None:
    lp = loadpoint(info=charger(phases1p3p=True), mode=ChargeMode.NOW, phases_configured=3)
    assert lp.phases.switched == 0
    ready = reading("B", False)
    first = lp.update(context(at(0)), ready, {})
    assert first.commands == [SwitchPhases(3)]  # the only action of this cycle
    lp.command_failed(SwitchPhases(3), not_available=True)
    assert lp.phases.switched == 3
    second = lp.update(context(at(30)), ready, {})
    assert not any(isinstance(c, SwitchPhases) for c in second.commands)
    assert lp.phases.switched == 3
    third = lp.update(context(at(90)), ready, {})
    assert not any(isinstance(c, SwitchPhases) for c in third.commands)


def test_scenario_60_other_failure_is_retried() -> None:
    """(derived, contrast) A failure that is not "not available" forgets the switch, so the next cycle retries."""
    lp = loadpoint(info=charger(phases1p3p=True), mode=ChargeMode.NOW, phases_configured=3)
    ready = reading("B", False)
    assert lp.update(context(at(0)), ready, {}).commands == [SwitchPhases(3)]
    lp.command_failed(SwitchPhases(3))
    assert lp.phases.switched == 0
    assert lp.update(context(at(30)), ready, {}).commands == [SwitchPhases(3)]


# --- scenario 61: phase counting ----------------------------------------------------------------------------------


def counted(lp: Loadpoint, phases: int, vehicle: int, measured: int) -> tuple[int, int, int]:
    lp.vehicle = VehicleInfo("car", "Car", phases=vehicle) if vehicle else None
    lp.phases.switched = phases
    lp.phases.measured = measured
    return lp.active_phases(), lp.max_active_phases(), lp.min_active_phases()


@pytest.mark.parametrize("vehicle", [0, 1, 2, 3])
@pytest.mark.parametrize("measured", [0, 1, 2, 3])
def test_scenario_61_fixed_single_phase(vehicle: int, measured: int) -> None:
    lp = loadpoint(info=charger(), phases_configured=1)
    assert counted(lp, 1, vehicle, measured) == (1, 1, 1)


@pytest.mark.parametrize(
    ("phases", "vehicle", "measured", "expected"),
    [
        (3, 0, 0, (3, 3, 3)),
        (3, 0, 1, (1, 1, 1)),
        (3, 0, 2, (2, 2, 2)),
        (3, 1, 0, (1, 1, 1)),
        (3, 2, 0, (2, 2, 2)),
    ],
)
def test_scenario_61_fixed_three_phases(phases: int, vehicle: int, measured: int, expected: tuple[int, ...]) -> None:
    lp = loadpoint(info=charger(physical_phases=3), phases_configured=3)
    assert counted(lp, phases, vehicle, measured) == expected


@pytest.mark.parametrize(
    ("phases", "vehicle", "measured", "expected"),
    [
        (0, 0, 0, (3, 3, 1)),
        (0, 0, 1, (1, 3, 1)),
        (0, 1, 0, (1, 1, 1)),
        (1, 0, 0, (1, 3, 1)),
        (1, 2, 0, (1, 2, 1)),
        (3, 0, 0, (3, 3, 1)),
        (3, 0, 1, (1, 1, 1)),
    ],
)
def test_scenario_61_switchable_auto(phases: int, vehicle: int, measured: int, expected: tuple[int, ...]) -> None:
    lp = loadpoint(info=charger(phases1p3p=True), phases_configured=0)
    assert counted(lp, phases, vehicle, measured) == expected


# --- scenario 87: sync enabled ------------------------------------------------------------------------------------


def sync(lp: Loadpoint, seconds: float, **values: Any) -> LoadpointResult:
    """One charger sync at ``seconds`` with a reading built from ``values``; the commands it issued stay in
    ``lp._commands``."""
    lp._now = at(seconds)
    lp._commands = []
    result = LoadpointResult()
    status = values.pop("status")
    enabled = values.pop("enabled")
    assert lp._sync_charger(at(seconds), reading(status, enabled, **values), result)
    return result


@pytest.mark.parametrize(
    ("status", "expected_by_lp", "actual", "enabled", "commands"),
    [
        (ChargeStatus.A, False, False, False, []),
        (ChargeStatus.C, False, False, True, [Enable(True)]),
        (ChargeStatus.A, False, True, True, []),
        (ChargeStatus.A, True, False, False, []),
        (ChargeStatus.A, True, True, True, []),
    ],
)
def test_scenario_87_sync_enabled(
    status: ChargeStatus, expected_by_lp: bool, actual: bool, enabled: bool, commands: list[Enable]
) -> None:
    lp = loadpoint(info=charger(physical_phases=3))
    lp.status = status
    lp.enabled = expected_by_lp
    sync(lp, 0, status=status, enabled=actual)
    assert lp.enabled is enabled
    assert lp._commands == commands


def test_scenario_87_disabled_but_charging_elapses_the_pv_timer() -> None:
    lp = loadpoint(info=charger(physical_phases=3))
    lp.status = ChargeStatus.C
    sync(lp, 0, status=ChargeStatus.C, enabled=False)
    assert lp.pv_timer.already_elapsed


def test_scenario_87_charger_state_is_not_adopted_within_the_switch_window() -> None:
    """(derived) Within 60 s of our own enable the charger may lag: its "disabled" is not adopted yet; after
    the window it is (the charger wins)."""
    lp = loadpoint(info=charger(physical_phases=3))
    lp.status = ChargeStatus.B
    lp.enabled = True
    lp.charger_switched = at(0)
    sync(lp, 59, status=ChargeStatus.B, enabled=False)
    assert lp.enabled is True
    sync(lp, 61, status=ChargeStatus.B, enabled=False)
    assert lp.enabled is False


def test_scenario_87_charger_state_is_adopted_at_exactly_60_s() -> None:
    lp = loadpoint(info=charger(physical_phases=3))
    lp.status = ChargeStatus.B
    lp.enabled = True
    lp.charger_switched = at(0)
    sync(lp, CHARGER_SWITCH_DURATION.total_seconds(), status=ChargeStatus.B, enabled=False)
    assert lp.enabled is False


def test_scenario_89_phases_synced_at_exactly_60_s_after_a_switch() -> None:
    lp = switched_to(3)
    lp.phases_switched = at(0)
    sync(lp, PHASE_SWITCH_DURATION.total_seconds(), status=ChargeStatus.C, enabled=True, max_current=6.0, phases=1)
    assert lp.phases.switched == 1


def test_scenario_87_disabled_during_a_phase_switch_is_enabled_again() -> None:
    lp = loadpoint(info=charger(phases1p3p=True))
    lp.status = ChargeStatus.B
    lp.enabled = True
    lp.phases.switched = 3
    lp.phases_switched = at(0)
    sync(lp, 10, status=ChargeStatus.B, enabled=False)
    assert lp._commands == [Enable(True)]
    assert lp.enabled is True


# --- scenario 88: sync current ------------------------------------------------------------------------------------


def enabled_and_offering(offered: float, **info: Any) -> Loadpoint:
    lp = loadpoint(info=charger(physical_phases=3, coarse=False, **info))
    lp.status = ChargeStatus.C
    lp.enabled = True
    lp.offered_current = offered
    return lp


@pytest.mark.parametrize(("actual", "offered"), [(5, 5), (6.1, 6), (6.5, 6.5), (7, 7)])
def test_scenario_88_sync_current_via_getter(actual: float, offered: float) -> None:
    lp = enabled_and_offering(6, current_getter=True)
    sync(lp, 0, status=ChargeStatus.C, enabled=True, max_current=actual)
    assert lp.offered_current == pytest.approx(offered)


@pytest.mark.parametrize(("actual", "offered"), [(5, 6), (6.1, 6), (6.5, 6), (7, 6), (7.1, 7.1)])
def test_scenario_88_sync_current_via_measurement(actual: float, offered: float) -> None:
    lp = enabled_and_offering(6)
    sync(lp, 0, status=ChargeStatus.C, enabled=True, currents=(actual, actual, actual))
    assert lp.offered_current == pytest.approx(offered)


def test_scenario_88_getter_wins_over_measurement() -> None:
    lp = enabled_and_offering(6, current_getter=True)
    sync(lp, 0, status=ChargeStatus.C, enabled=True, max_current=6.0, currents=(9.0, 9.0, 9.0))
    assert lp.offered_current == 6


# --- scenario 89: sync phases -------------------------------------------------------------------------------------


def switched_to(phases: int, measured: int = 0) -> Loadpoint:
    lp = loadpoint(info=charger(phases1p3p=True, phase_getter=True))
    lp.status = ChargeStatus.C
    lp.enabled = True
    lp.offered_current = 6
    lp.phases.switched = phases
    lp.phases.measured = measured
    return lp


@pytest.mark.parametrize(("expected", "actual", "phases"), [(0, 0, 0), (1, 0, 1), (1, 3, 3), (3, 0, 3), (3, 1, 1)])
def test_scenario_89_sync_phases_via_getter(expected: int, actual: int, phases: int) -> None:
    lp = switched_to(expected)
    sync(lp, 0, status=ChargeStatus.C, enabled=True, max_current=6.0, phases=actual)
    assert lp.phases.switched == phases


@pytest.mark.parametrize(("expected", "measured", "phases"), [(1, 3, 3), (3, 1, 3)])
def test_scenario_89_sync_phases_via_measurement(expected: int, measured: int, phases: int) -> None:
    lp = switched_to(expected, measured)
    sync(lp, 0, status=ChargeStatus.C, enabled=True, max_current=6.0)
    assert lp.phases.switched == phases


def test_scenario_89_no_phase_sync_right_after_a_switch() -> None:
    """(derived) Within 60 s of a phase switch the charger's phases are not trusted yet."""
    lp = switched_to(3)
    lp.phases_switched = at(0)
    sync(lp, 30, status=ChargeStatus.C, enabled=True, max_current=6.0, phases=1)
    assert lp.phases.switched == 3
    sync(lp, 61, status=ChargeStatus.C, enabled=True, max_current=6.0, phases=1)
    assert lp.phases.switched == 1
