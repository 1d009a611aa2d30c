"""Site power, battery boost and battery mode control (core.md §2.2–§2.5, scenarios 27–37 and 46–49)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surplus.core.battery import (
    BatteryInfo,
    BatteryModeControl,
    BoostResult,
    BoostState,
    SitePower,
    boost_hold,
    boost_power,
    grid_charge_active,
    max_discharge_power,
    site_power,
)
from surplus.core.readings import MeterReading
from surplus.core.settings import SiteSettings
from surplus.core.site import battery_soc
from surplus.core.types import BatteryMode

T0 = datetime(2026, 8, 8, 12, 0, tzinfo=UTC)
U, N, H, C = BatteryMode.UNKNOWN, BatteryMode.NORMAL, BatteryMode.HOLD, BatteryMode.CHARGE


def power(
    *,
    grid: float = 0.0,
    battery: float = 0.0,
    dc: float = 0.0,
    aux: float = 0.0,
    flexible: float = 0.0,
    configured: bool = True,
    soc: float = 0.0,
    **settings: float,
) -> SitePower:
    return site_power(
        grid_power=grid,
        battery_power=battery,
        excess_dc_power=dc,
        aux_power=aux,
        flexible_power=flexible,
        battery_configured=configured,
        battery_soc=soc,
        settings=SiteSettings(**settings),  # type: ignore[arg-type]
    )


# --- §2.2 site power -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("soc", "battery", "dc", "site", "adjustment"),
    [
        pytest.param(80, -2000, 0, -2000, 0, id="34-above-priority-soc-charging-counts-as-surplus"),
        pytest.param(30, -2000, 0, 100, -2100, id="35-below-priority-soc-charging-hidden"),
        pytest.param(30, 500, 0, 600, -100, id="36-below-priority-soc-discharging"),
        pytest.param(30, -2000, 500, 100, -1600, id="37-below-priority-soc-excess-dc"),
    ],
)
def test_site_power_priority_adjustment(soc: float, battery: float, dc: float, site: float, adjustment: float) -> None:
    # no grid or PV meter and nothing charging: grid power = totalCharge − pv = 0
    result = power(battery=battery, dc=dc, soc=soc, priority_soc=50)
    assert result.site_power == site
    assert result.priority_adjustment == adjustment
    assert result.site_power + result.priority_adjustment == battery + dc


def test_no_battery_ignores_soc_and_battery_settings() -> None:
    result = power(grid=-1000, configured=False, soc=10, priority_soc=50, buffer_soc=5, buffer_start_soc=5)
    assert result == SitePower(site_power=-1000, battery_buffered=False, battery_start=False, priority_adjustment=0)


def test_soc_exactly_at_priority_soc_is_not_below_it() -> None:
    result = power(battery=-2000, soc=50, priority_soc=50)
    assert (result.site_power, result.priority_adjustment) == (-2000, 0)


def test_default_priority_soc_zero_never_hides_battery_charging() -> None:
    result = power(battery=-2000, soc=0)
    assert (result.site_power, result.priority_adjustment) == (-2000, 0)


def test_positive_residual_is_kept_below_priority_soc() -> None:
    result = power(grid=-500, battery=-1000, soc=30, priority_soc=50, residual_power=300)
    assert result.site_power == -500 + 300
    assert result.priority_adjustment == -1000


def test_negative_residual_is_forced_to_100_below_priority_soc() -> None:
    result = power(grid=-500, soc=30, priority_soc=50, residual_power=-300)
    assert result.site_power == -500 + 100
    assert result.priority_adjustment == -400


def test_aux_and_flexible_power_count_as_surplus() -> None:
    result = power(grid=200, aux=1500, flexible=700, soc=80)
    assert result.site_power == 200 - 1500 - 700


def test_excess_dc_is_netted_out_of_battery_charging() -> None:
    result = power(grid=0, battery=-3000, dc=1000, soc=80)
    assert result.site_power == -2000
    assert result.priority_adjustment == 0


@pytest.mark.parametrize(("soc", "buffered"), [(59.9, False), (60, False), (60.1, True), (100, True)])
def test_buffered_when_soc_above_buffer_soc(soc: float, buffered: bool) -> None:
    assert power(soc=soc, buffer_soc=60).battery_buffered is buffered


@pytest.mark.parametrize(("soc", "start"), [(79.9, False), (80, True), (100, True)])
def test_start_when_soc_at_or_above_buffer_start_soc(soc: float, start: bool) -> None:
    assert power(soc=soc, buffer_start_soc=80).battery_start is start


def test_zero_buffer_socs_are_off() -> None:
    result = power(soc=100)
    assert (result.battery_buffered, result.battery_start) == (False, False)


def test_charging_below_priority_soc_is_neither_buffered_nor_start() -> None:
    result = power(battery=-100, soc=40, priority_soc=50, buffer_soc=10, buffer_start_soc=20)
    assert (result.battery_buffered, result.battery_start) == (False, False)
    discharging = power(battery=100, soc=40, priority_soc=50, buffer_soc=10, buffer_start_soc=20)
    assert (discharging.battery_buffered, discharging.battery_start) == (True, True)


watts = st.floats(min_value=-50_000, max_value=50_000, allow_nan=False)


@given(
    grid=watts,
    battery=watts,
    dc=st.floats(min_value=0, max_value=20_000),
    aux=st.floats(min_value=0, max_value=20_000),
    flexible=st.floats(min_value=0, max_value=20_000),
    residual=st.floats(min_value=-2_000, max_value=2_000),
    configured=st.booleans(),
    soc=st.floats(min_value=0, max_value=100),
    priority_soc=st.sampled_from([0.0, 20.0, 50.0, 100.0]),
)
def test_priority_adjustment_restores_the_unadjusted_site_power(
    grid: float,
    battery: float,
    dc: float,
    aux: float,
    flexible: float,
    residual: float,
    configured: bool,
    soc: float,
    priority_soc: float,
) -> None:
    """site_power + priority_adjustment == grid + battery + excess DC + residual setting − aux − flexible, always;
    the adjustment is 0 without a battery or at/above prioritySoc, and never positive for physical inputs
    (excess DC ≤ battery charging)."""
    result = power(
        grid=grid,
        battery=battery,
        dc=dc,
        aux=aux,
        flexible=flexible,
        configured=configured,
        soc=soc,
        residual_power=residual,
        priority_soc=priority_soc,
    )
    unadjusted = grid + battery + dc + residual - aux - flexible
    assert math.isclose(result.site_power + result.priority_adjustment, unadjusted, abs_tol=1e-6)
    if not configured or soc >= priority_soc:
        assert result.priority_adjustment == 0
    elif dc <= max(0.0, -battery):
        assert result.priority_adjustment <= 0


# --- §2.4 battery boost ----------------------------------------------------------------------------------------------


def boost(state: BoostState, battery: float = 0.0, max_discharge: float = 0.0, **overrides: object) -> BoostResult:
    # TestBoostPower: V=230, status C, max 16 A, 3 phases, coarse charger, residual 0
    args: dict[str, object] = {
        "state": state,
        "charging": True,
        "battery_power": battery,
        "residual_power": 0.0,
        "coarse": True,
        "voltage": 230.0,
        "active_phases": 3,
        "effective_max_power": 230.0 * 16 * 3,
        "max_discharge_power": max_discharge,
    }
    args.update(overrides)
    return boost_power(**args)  # type: ignore[arg-type]


def test_27_start_without_discharge_limit_offers_max_power_and_continues() -> None:
    assert boost(BoostState.START) == BoostResult(power=11040, state=BoostState.CONTINUE, started=True)


def test_28_start_is_capped_by_max_discharge() -> None:
    assert boost(BoostState.START, max_discharge=5000).power == 5000


def test_29_continue_adds_minimum_delta_plus_one_coarse_step() -> None:
    result = boost(BoostState.CONTINUE, max_discharge=5000)
    assert result == BoostResult(power=790, state=BoostState.CONTINUE, started=False)


@pytest.mark.parametrize(("battery", "expected"), [(5000, 5000), (6000, 6000)])
def test_30_continue_at_discharge_limit_adds_nothing(battery: float, expected: float) -> None:
    assert boost(BoostState.CONTINUE, battery=battery, max_discharge=5000).power == expected


def test_31_start_while_battery_charges() -> None:
    assert boost(BoostState.START, battery=-2000, max_discharge=5000).power == 7000


def test_32_continue_while_battery_charges() -> None:
    assert boost(BoostState.CONTINUE, battery=-2000, max_discharge=50).power == 790


@pytest.mark.parametrize("state", [BoostState.HOLD, BoostState.DISABLED])
def test_33_hold_and_disabled_give_nothing(state: BoostState) -> None:
    assert boost(state, battery=3000) == BoostResult(power=0, state=state, started=False)


def test_hold_still_counts_as_boost_active() -> None:
    assert BoostState.HOLD.active and BoostState.START.active and BoostState.CONTINUE.active
    assert not BoostState.DISABLED.active


def test_start_without_charging_stays_start_and_keeps_elapsing_timers() -> None:
    assert boost(BoostState.START, charging=False) == BoostResult(power=11040, state=BoostState.START, started=True)


def test_continue_on_fine_charger_uses_the_larger_of_100_w_and_residual() -> None:
    assert boost(BoostState.CONTINUE, coarse=False).power == 100
    assert boost(BoostState.CONTINUE, coarse=False, residual_power=300.0).power == 300 + 300
    assert boost(BoostState.CONTINUE, coarse=False, residual_power=-200.0).power == 200 - 200


def test_coarse_step_uses_active_phases() -> None:
    assert boost(BoostState.CONTINUE, active_phases=1).power == 100 + 230


@pytest.mark.parametrize(
    ("state", "limit", "soc", "expected"),
    [
        (BoostState.CONTINUE, 100, 5, BoostState.CONTINUE),
        (BoostState.START, 50, 49.9, BoostState.HOLD),
        (BoostState.CONTINUE, 50, 49.9, BoostState.HOLD),
        (BoostState.CONTINUE, 50, 50, BoostState.CONTINUE),
        (BoostState.HOLD, 50, 60, BoostState.HOLD),
        (BoostState.DISABLED, 50, 10, BoostState.DISABLED),
    ],
)
def test_boost_hold_below_limit(state: BoostState, limit: int, soc: float, expected: BoostState) -> None:
    assert boost_hold(state, limit, soc) == expected


# --- §1.2 step 11 and §2.1 -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("limit", "price", "active"),
    [(None, 0.1, False), (0.2, None, False), (0.2, 0.2, True), (0.2, 0.1, True), (0.2, 0.21, False)],
)
def test_grid_charge_active(limit: float | None, price: float | None, active: bool) -> None:
    assert grid_charge_active(limit, price) is active


@pytest.mark.parametrize(
    ("limits", "expected"), [([2000, None], 0), ([2000, 3000], 5000), ([], 0), ([None], 0), ([1000], 1000)]
)
def test_49_max_discharge_power_needs_every_battery_limited(limits: list[float | None], expected: float) -> None:
    assert max_discharge_power(limits) == expected


def test_49_soc_read_error_keeps_last_soc() -> None:
    failed = MeterReading(name="battery", power=0.0, error="timeout")
    assert battery_soc([failed], previous=84.0) == 84.0


# --- §2.5 battery mode -----------------------------------------------------------------------------------------------

BATTERY = BatteryInfo("battery", controllable=True)


def cycle(
    control: BatteryModeControl,
    now: datetime = T0,
    *,
    batteries: tuple[BatteryInfo, ...] = (BATTERY,),
    grid_charge: bool = False,
    discharge_control: bool = False,
    dimmed: bool = False,
    succeed: bool = True,
) -> list[tuple[str, BatteryMode]]:
    """One cycle as the site runs it; returns what was sent."""
    required = control.required(
        now,
        battery_configured=bool(batteries),
        grid_charge_active=grid_charge,
        discharge_control_active=discharge_control,
        dimmed=dimmed,
    )
    sent = control.commands(required, batteries)
    if succeed:
        control.confirm(required)
    return sent


@pytest.mark.parametrize(
    ("grid_charge", "current", "expected"),
    [
        (False, U, U),
        (False, N, U),
        (False, H, N),
        (False, C, N),
        (True, U, C),
        (True, N, C),
        (True, H, C),
        (True, C, U),
    ],
)
def test_46_required_battery_mode(grid_charge: bool, current: BatteryMode, expected: BatteryMode) -> None:
    control = BatteryModeControl(mode=current)
    required = control.required(
        T0, battery_configured=True, grid_charge_active=grid_charge, discharge_control_active=False
    )
    assert required == expected


@pytest.mark.parametrize("grid_charge", [False, True])
def test_46_no_battery_requires_nothing(grid_charge: bool) -> None:
    control = BatteryModeControl(mode=C, external=H)
    assert (
        control.required(T0, battery_configured=False, grid_charge_active=grid_charge, discharge_control_active=True)
        == U
    )


@pytest.mark.parametrize("current", [U, N, H])
@pytest.mark.parametrize(("soc", "sent"), [(50, C), (79.9, C), (80, H), (90, H)])
def test_47_going_to_charge_respects_the_battery_max_soc(current: BatteryMode, soc: float, sent: BatteryMode) -> None:
    control = BatteryModeControl(mode=current)
    battery = BatteryInfo("battery", controllable=True, soc=soc, max_soc_limit=80)
    assert cycle(control, batteries=(battery,), grid_charge=True) == [("battery", sent)]
    assert control.mode == C


@pytest.mark.parametrize(("soc", "sent"), [(50, []), (90, [("battery", H)])])
def test_47_staying_in_charge_is_revalidated_every_cycle(soc: float, sent: list[tuple[str, BatteryMode]]) -> None:
    control = BatteryModeControl(mode=C)
    battery = BatteryInfo("battery", controllable=True, soc=soc, max_soc_limit=80)
    assert cycle(control, batteries=(battery,), grid_charge=True) == sent
    assert cycle(control, T0 + timedelta(seconds=30), batteries=(battery,), grid_charge=True) == sent
    assert control.mode == C


@pytest.mark.parametrize("limit", [None, 0, 100])
def test_max_soc_limit_outside_0_100_is_ignored(limit: float | None) -> None:
    battery = BatteryInfo("battery", controllable=True, soc=100, max_soc_limit=limit)
    assert cycle(BatteryModeControl(mode=N), batteries=(battery,), grid_charge=True) == [("battery", C)]


def test_unknown_soc_does_not_block_charge() -> None:
    battery = BatteryInfo("battery", controllable=True, soc=None, max_soc_limit=80)
    assert cycle(BatteryModeControl(mode=N), batteries=(battery,), grid_charge=True) == [("battery", C)]


def test_48_internal_charge_without_external_mode_goes_back_to_normal() -> None:
    control = BatteryModeControl(mode=C)
    assert cycle(control) == [("battery", N)]
    assert control.mode == N


def test_48_external_mode_applied_once_then_watchdog_forces_normal() -> None:
    control = BatteryModeControl(mode=N)
    control.set_external(C, T0)
    assert cycle(control, T0) == [("battery", C)]
    assert control.mode == C
    assert cycle(control, T0 + timedelta(seconds=30)) == []
    # not refreshed for more than a minute: external reverts, normal is applied once, the watchdog is cleared
    assert cycle(control, T0 + timedelta(seconds=61)) == [("battery", N)]
    assert control.external == U
    assert control.mode == N
    assert cycle(control, T0 + timedelta(seconds=91)) == []


def test_refreshed_external_mode_survives_the_watchdog() -> None:
    control = BatteryModeControl(mode=N)
    control.set_external(H, T0)
    assert cycle(control, T0) == [("battery", H)]
    control.set_external(H, T0 + timedelta(seconds=50))
    assert cycle(control, T0 + timedelta(seconds=100)) == []
    assert control.external == H
    assert cycle(control, T0 + timedelta(seconds=109)) == []
    assert cycle(control, T0 + timedelta(seconds=110)) == [("battery", N)]  # a full minute since the refresh


def test_watchdog_expiry_is_seen_before_the_cycle() -> None:
    control = BatteryModeControl(mode=N)
    control.set_external(C, T0)
    control.expire(T0 + timedelta(seconds=59))
    assert control.external == C
    control.expire(T0 + timedelta(minutes=1))
    assert control.external == U


def test_clearing_the_external_mode_forces_normal_once() -> None:
    control = BatteryModeControl(mode=N)
    control.set_external(H, T0)
    cycle(control, T0)
    control.set_external(U, T0 + timedelta(seconds=10))
    assert cycle(control, T0 + timedelta(seconds=30)) == [("battery", N)]
    assert cycle(control, T0 + timedelta(seconds=60)) == []


def test_external_mode_beats_grid_charge_and_discharge_control() -> None:
    control = BatteryModeControl(mode=N)
    control.set_external(N, T0)
    assert cycle(control, grid_charge=True, discharge_control=True) == []
    control.set_external(H, T0)
    assert cycle(control, grid_charge=True) == [("battery", H)]


def test_discharge_control_holds_the_battery() -> None:
    control = BatteryModeControl(mode=N)
    assert cycle(control, discharge_control=True) == [("battery", H)]
    assert cycle(control, discharge_control=True) == []
    assert cycle(control) == [("battery", N)]
    assert cycle(control) == []


def test_grid_charge_beats_discharge_control() -> None:
    control = BatteryModeControl(mode=H)
    assert cycle(control, grid_charge=True, discharge_control=True) == [("battery", C)]


def test_holdcharge_reverts_to_normal() -> None:
    assert cycle(BatteryModeControl(mode=BatteryMode.HOLDCHARGE)) == [("battery", N)]


@pytest.mark.parametrize(("current", "grid_charge"), [(N, True), (C, True), (C, False)])
def test_dimmed_turns_charge_into_hold(current: BatteryMode, grid_charge: bool) -> None:
    control = BatteryModeControl(mode=current)
    required = control.required(
        T0, battery_configured=True, grid_charge_active=grid_charge, discharge_control_active=False, dimmed=True
    )
    # with C and no grid charge the required mode is normal, which dimming leaves alone
    assert required == (N if (current, grid_charge) == (C, False) else H)


def test_dimmed_leaves_other_modes_alone() -> None:
    control = BatteryModeControl(mode=N)
    assert (
        control.required(
            T0, battery_configured=True, grid_charge_active=False, discharge_control_active=False, dimmed=True
        )
        == U
    )
    assert (
        control.required(
            T0, battery_configured=True, grid_charge_active=False, discharge_control_active=True, dimmed=True
        )
        == H
    )


def test_failed_send_keeps_the_mode_and_retries() -> None:
    control = BatteryModeControl(mode=N)
    assert cycle(control, grid_charge=True, succeed=False) == [("battery", C)]
    assert control.mode == N
    assert cycle(control, grid_charge=True) == [("battery", C)]
    assert control.mode == C


def test_only_controllable_batteries_get_commands() -> None:
    batteries = (BatteryInfo("a", controllable=True), BatteryInfo("b"), BatteryInfo("c", controllable=True))
    assert cycle(BatteryModeControl(mode=N), batteries=batteries, grid_charge=True) == [("a", C), ("c", C)]


def test_mixed_batteries_each_checked_against_its_own_limit() -> None:
    batteries = (
        BatteryInfo("full", controllable=True, soc=85, max_soc_limit=80),
        BatteryInfo("empty", controllable=True, soc=20, max_soc_limit=80),
    )
    assert cycle(BatteryModeControl(mode=N), batteries=batteries, grid_charge=True) == [("full", H), ("empty", C)]


def test_revert_on_shutdown() -> None:
    control = BatteryModeControl(mode=N)
    assert control.revert() == []
    cycle(control, grid_charge=True)
    assert control.revert() == [("battery", N)]
    cycle(control)  # back to normal
    assert control.revert() == []


def test_revert_after_unconfirmed_send() -> None:
    control = BatteryModeControl(mode=N)
    cycle(control, discharge_control=True, succeed=False)
    assert control.mode == N
    assert control.revert() == [("battery", N)]


def test_nothing_to_revert_when_unknown() -> None:
    control = BatteryModeControl()
    assert cycle(control) == []
    assert control.revert() == []
