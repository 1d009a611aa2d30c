"""core.md §3.10, scenarios 82–84: flexibility, the flexible power a higher-priority PV loadpoint may take from
lower-priority ones, and the power reserved for a higher-priority loadpoint that is about to start.

The site-level tests run ``Site.update`` with two loadpoints and record the site power each loadpoint is told
(its ``SiteContext.site_power``). Surplus updates every loadpoint in one cycle, highest priority first; a later
loadpoint also sees the change in draw the earlier ones decided (``power_delta``), which these tests keep at 0
where they look at flexible or reserved power alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

import pytest

from surplus.core.commands import Enable, MaxCurrent
from surplus.core.loadpoint import Loadpoint, LoadpointResult, SiteContext
from surplus.core.readings import ChargerReading, MeterReading, SiteReadings, VehicleReading
from surplus.core.settings import SiteSettings
from surplus.core.site import Site
from surplus.core.types import ChargeMode, ChargeStatus, Feature
from surplus.core.vehicles import VehicleInfo
from tests.core.builders import at, charger, loadpoint

V = 230.0
THREE_PHASE_MAX = 16 * 3 * V  # 11040 W


# --- scenario 82: flexibility -------------------------------------------------------------------------------------


def single_phase(mode: ChargeMode, status: ChargeStatus, power: float = 2700, **info: Any) -> Loadpoint:
    lp = loadpoint(info=charger(physical_phases=1, **info), mode=mode)
    lp.status = status
    lp.charge_power = power
    return lp


@pytest.mark.parametrize(
    ("mode", "status", "plan", "expected"),
    [
        (ChargeMode.PV, ChargeStatus.B, False, 0),
        (ChargeMode.PV, ChargeStatus.C, False, 2700),
        (ChargeMode.PV, ChargeStatus.C, True, 0),
        (ChargeMode.MINPV, ChargeStatus.C, False, 1320),  # 2700 − 6 A × 230 V × 1p
        (ChargeMode.MINPV, ChargeStatus.C, True, 0),
        (ChargeMode.NOW, ChargeStatus.C, False, 0),
    ],
)
def test_scenario_82_flexibility(mode: ChargeMode, status: ChargeStatus, plan: bool, expected: float) -> None:
    lp = single_phase(mode, status)
    lp.plan_active = plan
    assert lp.effective_min_power() == pytest.approx(1380)
    assert lp.flexibility() == pytest.approx(expected)


def test_scenario_82_no_flexibility_with_smart_cost_or_min_soc() -> None:
    lp = single_phase(ChargeMode.PV, ChargeStatus.C)
    lp.smart_cost_active = True
    assert lp.flexibility() == 0
    lp = single_phase(ChargeMode.PV, ChargeStatus.C)
    lp.vehicle = VehicleInfo("car", "Car", capacity=50)
    lp.settings.min_soc = 50
    lp.vehicle_soc = 30
    assert lp.min_soc_not_reached()
    assert lp.flexibility() == 0
    lp.vehicle_soc = 60
    assert lp.flexibility() == pytest.approx(2700)


@pytest.mark.parametrize("feature", [Feature.SWITCH_DEVICE, Feature.CONTINUOUS])
def test_scenario_82_minpv_switch_devices_are_not_flexible(feature: Feature) -> None:
    lp = single_phase(ChargeMode.MINPV, ChargeStatus.C, features=frozenset({feature}))
    assert lp.flexibility() == 0


def test_scenario_82_minpv_below_minimum_power_is_not_negative() -> None:
    lp = single_phase(ChargeMode.MINPV, ChargeStatus.C, power=1000)
    assert lp.flexibility() == 0


# --- helpers for two loadpoints on a site -------------------------------------------------------------------------

Recorded = dict[int, list[float]]


def record(lps: list[Loadpoint]) -> Recorded:
    """Wrap each loadpoint's update to record the site power it is given, by loadpoint index."""
    seen: Recorded = {lp.index: [] for lp in lps}
    for lp in lps:
        original = lp.update

        def wrapped(
            ctx: SiteContext,
            reading: ChargerReading,
            vehicles: Mapping[str, VehicleReading],
            original: Callable[..., LoadpointResult] = original,
            index: int = lp.index,
        ) -> LoadpointResult:
            seen[index].append(ctx.site_power)
            return original(ctx, reading, vehicles)

        lp.update = wrapped  # type: ignore[method-assign]
    return seen


def three_phase(
    index: int,
    priority: int,
    *,
    mode: ChargeMode = ChargeMode.PV,
    status: ChargeStatus = ChargeStatus.C,
    enabled: bool = True,
    offered: float = 6,
) -> Loadpoint:
    lp = loadpoint(info=charger(physical_phases=3), mode=mode, index=index, priority=priority)
    lp.status = status  # already connected: no connect event (it would elapse the PV timer)
    lp.enabled = enabled
    lp.offered_current = offered if enabled else 0
    return lp


def charger_reading(lp: Loadpoint, power: float, status: ChargeStatus = ChargeStatus.C) -> ChargerReading:
    return ChargerReading(status=status, enabled=lp.enabled, power=power, max_current=lp.offered_current)


def cycle(site: Site, seconds: float, grid: float, *chargers: ChargerReading) -> dict[int, list[object]]:
    result = site.update(SiteReadings(grid=MeterReading("grid", power=grid), loadpoints=chargers), at(seconds))
    return {index: list(lp.commands) for index, lp in result.loadpoints.items()}


# --- scenario 83: the prioritizer ---------------------------------------------------------------------------------


def test_scenario_83_prioritizer() -> None:
    high = three_phase(0, 1, offered=16)  # at its maximum: stays there, draws no more, no less
    low = three_phase(1, 0)
    seen = record([high, low])
    site = Site(SiteSettings(), [high, low])

    cycle(site, 0, -1000, charger_reading(high, THREE_PHASE_MAX), charger_reading(low, 300))
    assert high.power_delta() == 0
    assert seen[0] == [-1300]  # high may take the 300 W low uses
    assert seen[1] == [-1000]  # low gets nothing from anyone

    cycle(site, 30, -1000, charger_reading(high, THREE_PHASE_MAX), charger_reading(low, 0))
    assert seen[0][-1] == -1000  # low reports 0: nothing to take
    assert seen[1][-1] == -1000


def test_scenario_83_equal_priority_takes_nothing() -> None:
    first = three_phase(0, 1, offered=16)
    second = three_phase(1, 1)
    seen = record([first, second])
    site = Site(SiteSettings(), [first, second])
    cycle(site, 0, -1000, charger_reading(first, THREE_PHASE_MAX), charger_reading(second, 300))
    assert seen[0] == [-1000]


def test_scenario_83_only_pv_mode_takes_flexible_power() -> None:
    high = three_phase(0, 1, mode=ChargeMode.MINPV, offered=16)
    low = three_phase(1, 0)
    seen = record([high, low])
    site = Site(SiteSettings(), [high, low])
    cycle(site, 0, -1000, charger_reading(high, THREE_PHASE_MAX), charger_reading(low, 300))
    assert seen[0] == [-1000]


def test_scenario_83_high_priority_takes_over_and_low_ramps_down() -> None:
    """(derived) Balanced grid, both at 6 A on 3p (4140 W each). High may use low's 4140 W: 6 + 6 = 12 A. Low then
    sees the 4140 W high will draw more as import, wants 0 A and keeps its minimum while the disable timer runs;
    after the disable delay (3 min) it is switched off."""
    high = three_phase(0, 1)
    low = three_phase(1, 0)
    site = Site(SiteSettings(), [high, low])
    sent = cycle(site, 0, 0, charger_reading(high, 4140), charger_reading(low, 4140))
    assert sent == {0: [MaxCurrent(12)], 1: []}
    assert high.power_delta() == pytest.approx(4140)
    assert low.pv_action == "disable"

    # high now draws 12 A, the grid imports what it took
    sent = cycle(site, 30, 4140, charger_reading(high, 8280), charger_reading(low, 4140))
    assert sent == {0: [], 1: []}
    sent = cycle(site, 180, 4140, charger_reading(high, 8280), charger_reading(low, 4140))
    assert sent == {0: [], 1: [Enable(False)]}


# --- scenario 84: pvChargeStarting and the reservation ------------------------------------------------------------


def starting_candidate(**changes: Any) -> Loadpoint:
    lp = loadpoint(info=charger(physical_phases=3), mode=ChargeMode.PV)
    lp.status = ChargeStatus.B
    lp.enabled = False
    lp.pv_timer.start(at(0))
    for key, value in changes.items():
        setattr(lp, key, value)
    return lp


def test_scenario_84_pv_charge_starting() -> None:
    assert starting_candidate().pv_charge_starting()


@pytest.mark.parametrize(
    ("case", "changes"),
    [
        ("enabled, B", {"enabled": True}),
        ("enabled, C", {"enabled": True, "status": ChargeStatus.C}),
        ("status A", {"status": ChargeStatus.A}),
        ("soc 100 at limit 100", {"vehicle_soc": 100.0}),
    ],
)
def test_scenario_84_not_starting(case: str, changes: dict[str, Any]) -> None:
    assert not starting_candidate(**changes).pv_charge_starting(), case


def test_scenario_84_not_starting_without_timer_or_outside_pv() -> None:
    lp = starting_candidate()
    lp.pv_timer.reset()
    assert not lp.pv_charge_starting()
    lp = starting_candidate()
    lp.settings.mode = ChargeMode.NOW
    assert not lp.pv_charge_starting()


def test_scenario_84_elapsed_timer_counts_as_running() -> None:
    lp = starting_candidate()
    lp.pv_timer.elapse()
    assert lp.pv_charge_starting()


def test_scenario_84_soc_below_limit_still_starting() -> None:
    lp = starting_candidate(vehicle_soc=80.0)
    lp.settings.limit_soc = 90
    assert lp.pv_charge_starting()
    lp.vehicle_soc = 90.0
    assert not lp.pv_charge_starting()


def test_scenario_84_reservation_while_high_priority_is_starting() -> None:
    """High (prio 1) is connected, disabled, and its enable timer runs: low (prio 0) is told the site has high's
    EffectiveMaxPower (11040 W) less, high itself nothing extra. Once high has enabled, the reservation is gone,
    also while high is enabled but not drawing."""
    high = three_phase(0, 1, status=ChargeStatus.B, enabled=False)
    high.settings.enable_delay = timedelta(minutes=1)
    low = three_phase(1, 0)
    seen = record([high, low])
    site = Site(SiteSettings(), [high, low])

    # high sees 5000 W export plus the 4140 W low may give up: 13.2 A, its enable timer starts
    sent = cycle(site, 0, -5000, charger_reading(high, 0, ChargeStatus.B), charger_reading(low, 4140))
    assert sent[0] == []
    assert high.pv_action == "enable"
    assert high.pv_charge_starting()
    assert seen[0] == [-5000 - 4140]
    assert seen[1] == [-5000 + THREE_PHASE_MAX]

    # after the delay high enables at its minimum; it is about to draw 6 A × 3 × 230 V = 4140 W, no reservation
    sent = cycle(site, 61, -5000, charger_reading(high, 0, ChargeStatus.B), charger_reading(low, 4140))
    assert sent[0] == [MaxCurrent(6), Enable(True)]
    assert not high.pv_charge_starting()
    assert seen[1][-1] == pytest.approx(-5000 + 4140)

    # enabled but not drawing: no reservation, and high's draw is not expected to change
    cycle(site, 91, -5000, charger_reading(high, 0, ChargeStatus.B), charger_reading(low, 4140))
    assert high.enabled
    assert high.power_delta() == 0
    assert seen[1][-1] == pytest.approx(-5000)

    # charging
    cycle(site, 121, -5000, charger_reading(high, 4140), charger_reading(low, 4140))
    assert not high.pv_charge_starting()
    assert seen[1][-1] == pytest.approx(-5000 + high.power_delta())


def test_scenario_84_no_reservation_for_a_vehicle_at_its_limit() -> None:
    high = three_phase(0, 1, status=ChargeStatus.B, enabled=False)
    high.vehicle_soc = 100.0
    low = three_phase(1, 0)
    seen = record([high, low])
    site = Site(SiteSettings(), [high, low])
    cycle(site, 0, -5000, charger_reading(high, 0, ChargeStatus.B), charger_reading(low, 4140))
    assert high.pv_timer.running
    assert seen[1] == [-5000]
