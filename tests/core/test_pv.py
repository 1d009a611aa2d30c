"""core.md §8 scenarios 1–14: the PV algorithm's enable/disable hysteresis (TestPVHysteresis).

V = 100 V, three phases (configured and measured), enable and disable delay 1 min, offered current 0.
"Nanoseconds" of the Go test become microseconds here: Python's clock resolution.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from surplus.core.loadpoint import Loadpoint
from surplus.core.types import ChargeStatus
from tests.core.builders import at, charger, context, loadpoint

DT = 60.0
TICK = 1e-6


def pv_loadpoint(status: ChargeStatus, enabled: bool, enable: float = 0, disable: float = 0) -> Loadpoint:
    lp = loadpoint(
        info=charger(physical_phases=3),
        voltage=100,
        enable_threshold=enable,
        disable_threshold=disable,
        enable_delay=timedelta(seconds=DT),
        disable_delay=timedelta(seconds=DT),
    )
    lp.status = status
    lp.enabled = enabled
    lp.phases.switched = 3
    lp.phases.measured = 3
    return lp


def run(lp: Loadpoint, steps: list[tuple[float, float]]) -> list[float]:
    """(seconds, site power) steps → the current pv_max_current returns at each."""
    return [lp.pv_max_current(context(at(seconds), site_power)) for seconds, site_power in steps]


@pytest.mark.parametrize("status", [ChargeStatus.B, ChargeStatus.C])
@pytest.mark.parametrize(
    ("scenario", "enabled", "enable", "disable", "steps", "expected"),
    [
        (1, False, 0, 0, [(0, 0), (TICK, 0), (DT - TICK, 0), (DT + TICK, 0)], [0, 0, 0, 0]),
        (2, False, 0, 0, [(0, -1800), (TICK, -1800), (DT - TICK, -1800), (DT + TICK, -1800)], [0, 0, 0, 6]),
        (3, False, 0, 0, [(0, -400), (TICK, -400), (DT - TICK, -400), (DT + TICK, -400)], [0, 0, 0, 0]),
        (4, False, -500, 0, [(0, -400), (TICK, -400), (DT - TICK, -400), (DT + TICK, -400)], [0, 0, 0, 0]),
        (5, False, -2100, 0, [(0, -1800), (TICK, -1800), (DT - TICK, -1800), (DT + TICK, -1800)], [0, 0, 0, 0]),
        (7, True, 500, 0, [(0, -4800), (TICK, -4800), (DT - TICK, -4800), (DT + TICK, -4800)], [16, 16, 16, 16]),
        (8, True, 0, 0, [(0, -1800), (TICK, -1800), (DT - TICK, -1800), (DT + TICK, -1800)], [6, 6, 6, 6]),
        (9, True, 0, 500, [(0, -500), (TICK, -500), (DT - TICK, -500), (DT + TICK, -500)], [6, 6, 6, 6]),
        (
            12,
            False,
            0,
            0,
            [(DT + TICK, -6001), (DT + TICK, -1800), (DT + 2 * TICK, -1800), (2 * DT, -1800), (2 * DT + TICK, -1800)],
            [0, 0, 0, 0, 6],
        ),
    ],
)
def test_pv_hysteresis(
    status: ChargeStatus,
    scenario: int,
    enabled: bool,
    enable: float,
    disable: float,
    steps: list[tuple[float, float]],
    expected: list[float],
) -> None:
    lp = pv_loadpoint(status, enabled, enable, disable)
    assert run(lp, steps) == expected, f"scenario {scenario}"


def test_scenario_14_disconnected_loadpoint_gets_nothing_through_update() -> None:
    lp = pv_loadpoint(ChargeStatus.A, enabled=False)
    from tests.core.builders import reading

    result = lp.update(context(at(0), -1799, voltage=100), reading("A", False), {})
    assert lp.offered_current == 0
    assert not lp.enabled
    assert result.commands == []


def test_disabling_waits_for_the_delay_then_returns_zero() -> None:
    lp = pv_loadpoint(ChargeStatus.C, enabled=True, disable=0)
    assert run(lp, [(0, 200), (DT - TICK, 200), (DT, 200)]) == [6, 6, 0]
    assert lp.pv_action == "inactive"


def test_a_surplus_dip_shorter_than_the_delay_keeps_charging() -> None:
    lp = pv_loadpoint(ChargeStatus.C, enabled=True)
    assert run(lp, [(0, 200), (30, 200), (40, -1800), (70, 200), (120, 200)]) == [6, 6, 6, 6, 6]


def test_minpv_never_drops_below_the_minimum() -> None:
    lp = pv_loadpoint(ChargeStatus.C, enabled=True)
    lp.settings.mode = lp.settings.mode.MINPV
    assert run(lp, [(0, 5000), (DT * 10, 5000)]) == [6, 6]


def test_battery_start_soc_bypasses_the_enable_delay() -> None:
    lp = pv_loadpoint(ChargeStatus.B, enabled=False)
    assert lp.pv_max_current(context(at(0), 0, battery_start=True)) == 6


def test_published_timer_tells_action_and_remaining_seconds() -> None:
    lp = pv_loadpoint(ChargeStatus.B, enabled=False)
    run(lp, [(0, -1800), (20, -1800)])
    assert lp.pv_action == "enable"
    assert lp.pv_timer.remaining(at(20), lp.settings.enable_delay) == timedelta(seconds=40)
