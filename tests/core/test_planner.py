"""Plan charging: the planner, plan selection and repeating plans (core.md §3.12, scenarios 65–78)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surplus.core.planner import (
    SHORT_SLOT,
    SLOT,
    PlanGoal,
    PlanLock,
    active_slot,
    duration_of,
    end_of,
    next_plan,
    next_repeating_occurrence,
    plan,
    required_duration_energy,
    start_of,
)
from surplus.core.rates import Rate

T0 = datetime(2026, 1, 1, tzinfo=UTC)
H = timedelta(hours=1)
M = timedelta(minutes=1)
BERLIN = ZoneInfo("Europe/Berlin")


def slots(values: Sequence[float], start: datetime = T0, length: timedelta = H) -> list[Rate]:
    return [Rate(start + i * length, start + (i + 1) * length, value) for i, value in enumerate(values)]


def cost(result: Sequence[Rate]) -> float:
    """Σ value × hours."""
    return sum(rate.value * (rate.end - rate.start) / H for rate in result)


HOURLY = slots([20, 60, 10, 80, 40, 90])


def test_constants() -> None:
    assert timedelta(minutes=15) == SLOT
    assert timedelta(minutes=14) == SHORT_SLOT


# --- scenarios 67–70: the cheapest slots ----------------------------------------------------------------------


def test_scenario_67_one_hour_takes_the_cheapest_slot() -> None:
    result = plan(T0, H, T0 + 6 * H, HOURLY)
    assert result == [Rate(T0 + 2 * H, T0 + 3 * H, 10)]
    assert start_of(result) == T0 + 2 * H
    assert cost(result) == 10


def test_scenario_68_two_hours_take_the_two_cheapest_slots() -> None:
    result = plan(T0, 2 * H, T0 + 6 * H, HOURLY)
    assert result == [Rate(T0, T0 + H, 20), Rate(T0 + 2 * H, T0 + 3 * H, 10)]
    assert start_of(result) == T0
    assert cost(result) == 30


def test_scenario_70_now_inside_the_first_slot() -> None:
    result = plan(T0 + 30 * M, H, T0 + 6 * H, HOURLY)
    assert result is not None
    assert start_of(result) == T0 + 2 * H
    assert cost(result) == 10


def test_continuous_takes_the_cheapest_window() -> None:
    # windows of 2 h: 80, 70, 90, 120, 130 → [1 h, 3 h]
    result = plan(T0, 2 * H, T0 + 6 * H, HOURLY, continuous=True)
    assert result == [Rate(T0 + H, T0 + 2 * H, 60), Rate(T0 + 2 * H, T0 + 3 * H, 10)]


def test_continuous_window_is_clamped_at_its_end() -> None:
    # 90 min windows: 0 → 50, 1 h → 65, 2 h → 50 (ties → later), 3 h → 100, 4 h → 85 (ends at 5 h 30 ≤ 6 h)
    result = plan(T0, 90 * M, T0 + 6 * H, HOURLY, continuous=True)
    assert result == [Rate(T0 + 2 * H, T0 + 3 * H, 10), Rate(T0 + 3 * H, T0 + 3 * H + 30 * M, 80)]


def test_continuous_window_must_end_by_the_target() -> None:
    # the last slot is the cheapest, but a 2 h window starting there would end after the target
    result = plan(T0, 2 * H, T0 + 3 * H, slots([5, 5, 1]), continuous=True)
    assert result == [Rate(T0 + H, T0 + 2 * H, 5), Rate(T0 + 2 * H, T0 + 3 * H, 1)]


def test_equal_prices_prefer_later_slots_and_windows() -> None:
    flat = slots([10, 10, 10, 10])
    assert plan(T0, H, T0 + 4 * H, flat) == [Rate(T0 + 3 * H, T0 + 4 * H, 10)]
    assert plan(T0, H, T0 + 4 * H, flat, continuous=True) == [Rate(T0 + 3 * H, T0 + 4 * H, 10)]
    assert plan(T0, 2 * H, T0 + 4 * H, flat, continuous=True) == slots([10, 10], T0 + 2 * H)


def test_shortened_slot_before_the_plan_charges_at_its_end() -> None:
    # slot 2 (10) then slot 0 (20) for the remaining 30 min: slot 0 is the earliest → its start moves later
    result = plan(T0, 90 * M, T0 + 6 * H, HOURLY)
    assert result == [Rate(T0 + 30 * M, T0 + H, 20), Rate(T0 + 2 * H, T0 + 3 * H, 10)]


def test_shortened_slot_after_the_plan_charges_at_its_start() -> None:
    result = plan(T0, 90 * M, T0 + 3 * H, slots([10, 20, 30]))
    assert result == [Rate(T0, T0 + H, 10), Rate(T0 + H, T0 + 90 * M, 20)]


def test_required_zero_or_negative_gives_no_plan() -> None:
    assert plan(T0, timedelta(0), T0 + H, HOURLY) is None
    assert plan(T0, -H, T0 + H, HOURLY) is None


def test_now_is_truncated_to_seconds() -> None:
    now = T0 + timedelta(seconds=10, microseconds=999_999)
    assert plan(now, H, now, None) == [Rate(T0 + timedelta(seconds=10), T0 + H + timedelta(seconds=10), 0)]


# --- scenarios 73–76: simple, emergency and shortened plans ---------------------------------------------------


def test_scenario_73_no_tariff_error_or_target_in_the_past_give_the_simple_plan() -> None:
    now = T0
    expected = [Rate(now, now + H, 0)]
    assert plan(now, H, now + 30 * M, None) == expected  # no tariff
    assert plan(now, H, now + 30 * M, []) == expected  # rates error: the caller has no rates
    assert plan(now, H, now - 30 * M, [Rate(now, now + H, 0)]) == expected  # flat 1 h slot, target passed


def test_simple_plan_ends_at_the_target() -> None:
    assert plan(T0, H, T0 + 5 * H, None) == [Rate(T0 + 4 * H, T0 + 5 * H, 0)]


def test_scenario_74_single_long_slot_is_trimmed_at_its_end() -> None:
    result = plan(T0, H, T0 + 2 * H, [Rate(T0, T0 + 24 * H, 0)])
    assert result == [Rate(T0, T0 + H, 0)]


def test_scenario_75_one_known_rate() -> None:
    known = [Rate(T0, T0 + H, 1)]
    # 40 min fit after the known hour: charge later
    later = plan(T0, 40 * M, T0 + 2 * H, known)
    assert later is None
    assert active_slot(later or [], T0) is None
    # 2 h in 2 h: emergency plan, charging now, the unknown hour filled with value 0
    now = plan(T0, 2 * H, T0 + 2 * H, known)
    assert now == [Rate(T0, T0 + H, 1), Rate(T0 + H, T0 + 2 * H, 0)]
    assert active_slot(now, T0) == Rate(T0, T0 + H, 1)


def test_scenario_76_gapped_rates_fall_back_to_the_simple_plan() -> None:
    gapped = [Rate(T0, T0 + H, 1), Rate(T0 + 5 * H, T0 + 6 * H, 1)]
    result = plan(T0, 3 * H, T0 + 6 * H, gapped)
    assert result == [Rate(T0 + 3 * H, T0 + 6 * H, 0)]
    assert duration_of(result) >= 3 * H


def test_scenario_76_exact_coverage_is_planned() -> None:
    exact = [Rate(T0, T0 + H, 1), Rate(T0 + H, T0 + 2 * H, 2), Rate(T0 + 3 * H, T0 + 4 * H, 3)]
    result = plan(T0, 3 * H, T0 + 4 * H, exact)
    assert result == exact
    assert duration_of(result) == 3 * H


def test_emergency_plan_fills_gaps_before_and_after_the_rates() -> None:
    known = [Rate(T0 + 30 * M, T0 + H, 5)]
    result = plan(T0, 2 * H, T0 + 90 * M, known)
    assert result == [Rate(T0, T0 + 30 * M, 0), Rate(T0 + 30 * M, T0 + H, 5), Rate(T0 + H, T0 + 2 * H, 0)]


def test_emergency_plan_starts_at_the_latest_start() -> None:
    # until(target) == required exactly: the rates inside [target − required, target], no choice
    assert plan(T0, 2 * H, T0 + 2 * H, HOURLY) == slots([20, 60])


def test_emergency_plan_without_overlapping_rates_is_the_simple_plan() -> None:
    assert plan(T0 + 10 * H, H, T0 + 10 * H, HOURLY) == [Rate(T0 + 10 * H, T0 + 11 * H, 0)]


def test_target_beyond_the_rates_shortens_the_plan() -> None:
    # the hour after the rates is charged later; 1 h of 2 h is planned on the known rates
    result = plan(T0, 2 * H, T0 + 3 * H, slots([5, 1]))
    assert result == [Rate(T0 + H, T0 + 2 * H, 1)]


def test_target_beyond_the_rates_shortens_the_precondition() -> None:
    # after = 1 h: required 3 h → 2 h, precondition 90 min → 30 min, target → 4 h
    result = plan(T0, 3 * H, T0 + 5 * H, slots([1, 2, 9, 9]), precondition=90 * M)
    assert result == [Rate(T0, T0 + H, 1), Rate(T0 + H, T0 + 90 * M, 2), Rate(T0 + 210 * M, T0 + 4 * H, 9)]


def test_stale_rates_mean_charge_later() -> None:
    assert plan(T0 + 10 * H, H, T0 + 15 * H, HOURLY) is None


# --- scenario 78 and precondition -----------------------------------------------------------------------------


@pytest.mark.parametrize("continuous", [False, True])
def test_scenario_78_precondition(continuous: bool) -> None:
    quarter = slots([k + 1 for k in range(32)], length=SLOT)
    target = T0 + 29 * SLOT + 5 * M
    assert target == T0 + 7 * H + 20 * M
    result = plan(T0, H, target, quarter, precondition=30 * M, continuous=continuous)
    assert result == [
        Rate(T0, T0 + SLOT, 1),
        Rate(T0 + SLOT, T0 + 2 * SLOT, 2),
        Rate(target - 30 * M, T0 + 28 * SLOT, 28),
        Rate(T0 + 28 * SLOT, T0 + 29 * SLOT, 29),
        Rate(T0 + 29 * SLOT, target, 30),
    ]


def test_precondition_covering_everything_returns_the_precondition_slots() -> None:
    result = plan(T0, H, T0 + 6 * H, HOURLY, precondition=2 * H)
    assert result == [Rate(T0 + 5 * H, T0 + 6 * H, 90)]


def test_aware_datetimes_are_planned_in_utc_across_dst() -> None:
    # 04:00 CEST on the spring-forward day is 02:00 UTC; 2 h before it is 00:00 UTC (01:00 CET), not 02:00 wall clock
    now = datetime(2026, 3, 28, 20, tzinfo=UTC)
    target = datetime(2026, 3, 29, 4, tzinfo=BERLIN)
    result = plan(now, 2 * H, target, None)
    assert result == [Rate(datetime(2026, 3, 29, 0, tzinfo=UTC), datetime(2026, 3, 29, 2, tzinfo=UTC), 0)]
    assert result[0].start.tzinfo is UTC


# --- plan helpers ---------------------------------------------------------------------------------------------


def test_plan_helpers() -> None:
    result = [Rate(T0, T0 + H, 20), Rate(T0 + 2 * H, T0 + 3 * H, 10)]
    assert start_of(result) == T0
    assert end_of(result) == T0 + 3 * H
    assert duration_of(result) == 2 * H
    assert active_slot(result, T0 + 2 * H) == Rate(T0 + 2 * H, T0 + 3 * H, 10)
    assert active_slot(result, T0 + H) is None
    assert active_slot(result, T0 + 3 * H) is None
    assert start_of([]) is None
    assert end_of([]) is None
    assert duration_of([]) == timedelta(0)


def test_required_duration_energy() -> None:
    assert required_duration_energy(10, 10_000) == H
    assert required_duration_energy(7.5, 11_000) == timedelta(hours=7.5 / 11)
    assert required_duration_energy(0, 10_000) == timedelta(0)
    assert required_duration_energy(-1, 10_000) == timedelta(0)
    assert required_duration_energy(10, 0) == timedelta(0)
    assert required_duration_energy(float("nan"), 10_000) == timedelta(0)


# --- scenarios 65–66: plan selection --------------------------------------------------------------------------


def energy_duration(goal: PlanGoal) -> timedelta:
    """Scenario 65: the goal is energy in kWh, charged at 10 kW."""
    return required_duration_energy(goal.soc, 10_000)


def goal(plan_id: int, hours: float, soc: float, now: datetime = T0) -> PlanGoal:
    return PlanGoal(id=plan_id, time=now + timedelta(hours=hours), soc=soc)


@pytest.mark.parametrize(
    ("vehicle_soc", "goals", "expected"),
    [
        (0, [goal(1, 8, 10), goal(2, 10, 10)], 1),
        (20, [goal(1, 8, 10), goal(2, 10, 10)], None),
        (0, [goal(1, 8, 20), goal(2, 9, 20)], 1),
        (0, [goal(2, 8, 20), goal(1, 9, 20)], 2),
        (0, [goal(1, 8, 10), goal(2, 10, 60)], 2),  # id 2 starts at 4 h, before id 1 at 7 h
        (5, [goal(1, 8, 10), goal(2, 10, 20)], 1),
        (15, [goal(1, 8, 10), goal(2, 10, 20)], 2),
    ],
)
def test_scenario_65_next_plan(vehicle_soc: float, goals: list[PlanGoal], expected: int | None) -> None:
    chosen = next_plan(goals, T0, vehicle_soc, energy_duration)
    assert (chosen.id if chosen else None) == expected


def test_next_plan_equal_starts_keep_the_given_order() -> None:
    goals = [goal(3, 9, 10), goal(2, 10, 20)]  # both start at 8 h
    assert next_plan(goals, T0, 0, energy_duration) == goals[0]
    assert next_plan([], T0, 0, energy_duration) is None


def test_scenario_66_locked_plan() -> None:
    lock = PlanLock()
    locked = goal(2, 2, 80)
    lock.lock(locked)
    later = T0 + 3 * H  # the plan's time has passed
    assert lock.goal == locked
    assert lock.select([goal(1, 8, 10)], later, 50, energy_duration) == locked
    assert lock.select([], later, 50, energy_duration) == locked
    lock.clear()
    assert lock.goal is None
    assert lock.select([], later, 50, energy_duration) is None
    assert lock.select([goal(1, 8, 90)], later, 50, energy_duration) == goal(1, 8, 90)


# --- repeating plans ------------------------------------------------------------------------------------------

SUNDAY, WEDNESDAY, SATURDAY = 0, 3, 6
EVERY_DAY = range(7)


def test_repeating_plan_across_spring_forward() -> None:
    now = datetime(2026, 3, 28, 12, tzinfo=BERLIN)  # Saturday, CET (11:00 UTC)
    result = next_repeating_occurrence([SUNDAY], "07:00", "Europe/Berlin", now)
    assert result == datetime(2026, 3, 29, 5, tzinfo=UTC)  # 07:00 CEST
    assert result == datetime(2026, 3, 29, 7, tzinfo=BERLIN)
    assert result - now == timedelta(hours=18)
    assert result.tzinfo is UTC


def test_repeating_plan_in_the_spring_forward_gap_moves_forward() -> None:
    now = datetime(2026, 3, 28, 12, tzinfo=BERLIN)
    result = next_repeating_occurrence([SUNDAY], "02:30", "Europe/Berlin", now)
    assert result == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 CEST
    assert result is not None
    assert result.astimezone(BERLIN).hour == 3


def test_repeating_plan_across_fall_back() -> None:
    now = datetime(2026, 10, 24, 12, tzinfo=BERLIN)  # Saturday, CEST (10:00 UTC)
    result = next_repeating_occurrence([SUNDAY], "07:00", "Europe/Berlin", now)
    assert result == datetime(2026, 10, 25, 6, tzinfo=UTC)  # 07:00 CET
    assert result - now == timedelta(hours=20)


def test_repeating_plan_at_an_ambiguous_time_is_the_first_occurrence() -> None:
    now = datetime(2026, 10, 24, 12, tzinfo=BERLIN)
    result = next_repeating_occurrence([SUNDAY], "02:30", "Europe/Berlin", now)
    assert result == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST, before the clocks go back


def test_daily_plan_over_the_dst_nights() -> None:
    sunday = datetime(2026, 3, 29, 7, tzinfo=BERLIN)  # 07:00 CEST on the spring-forward day
    assert next_repeating_occurrence(EVERY_DAY, "07:00", "Europe/Berlin", sunday) == sunday  # ≥ now
    monday = next_repeating_occurrence(EVERY_DAY, "07:00", "Europe/Berlin", sunday + timedelta(seconds=1))
    assert monday == datetime(2026, 3, 30, 5, tzinfo=UTC)
    saturday = datetime(2026, 3, 28, 8, tzinfo=BERLIN)  # CET; the Sunday in between is 23 h long
    assert next_repeating_occurrence([SATURDAY], "07:00", "Europe/Berlin", saturday) == datetime(
        2026, 4, 4, 5, tzinfo=UTC
    )
    saturday = datetime(2026, 10, 24, 8, tzinfo=BERLIN)  # CEST; the Sunday in between is 25 h long
    assert next_repeating_occurrence(EVERY_DAY, "07:00", "Europe/Berlin", saturday) == datetime(
        2026, 10, 25, 6, tzinfo=UTC
    )


def test_repeating_plan_passed_today_comes_back_next_week() -> None:
    now = datetime(2026, 1, 7, 10, tzinfo=BERLIN)  # Wednesday
    assert next_repeating_occurrence([WEDNESDAY], "09:00", "Europe/Berlin", now) == datetime(
        2026, 1, 14, 9, tzinfo=BERLIN
    )


def test_repeating_plan_uses_the_local_date() -> None:
    now = datetime(2026, 1, 6, 23, 30, tzinfo=UTC)  # Wednesday 00:30 in Berlin, still Tuesday in UTC
    assert next_repeating_occurrence([WEDNESDAY], "00:45", "Europe/Berlin", now) == datetime(
        2026, 1, 7, 0, 45, tzinfo=BERLIN
    )
    assert next_repeating_occurrence([WEDNESDAY], "00:45", "", now) == datetime(2026, 1, 7, 0, 45, tzinfo=UTC)


def test_repeating_plan_invalid_input() -> None:
    now = datetime(2026, 1, 7, 10, tzinfo=BERLIN)
    assert next_repeating_occurrence([], "07:00", "Europe/Berlin", now) is None
    assert next_repeating_occurrence([7, -1], "07:00", "Europe/Berlin", now) is None
    for bad in ("7", "24:00", "07:60", "ab:cd", "07:00:00"):
        with pytest.raises(ValueError):
            next_repeating_occurrence([SUNDAY], bad, "Europe/Berlin", now)
    with pytest.raises(ValueError):
        next_repeating_occurrence([SUNDAY], "07:00", "Mars/Olympus", now)


# --- property: the plan covers what it must, in order, inside its bounds --------------------------------------


@st.composite
def planner_inputs(draw: st.DrawFn) -> tuple[datetime, timedelta, datetime, list[Rate], timedelta, bool]:
    now = T0 + timedelta(seconds=draw(st.integers(0, 4 * 3600)), microseconds=draw(st.integers(0, 999_999)))
    first = T0 + draw(st.integers(-8, 16)) * SLOT
    size = draw(st.sampled_from([0, 1, 8, 16, 32, 48]))
    lengths = draw(st.lists(st.sampled_from([SLOT, 2 * SLOT, 4 * SLOT]), min_size=size, max_size=size))
    rates: list[Rate] = []
    start = first
    for length in lengths:
        rates.append(Rate(start, start + length, draw(st.integers(0, 4))))
        start += length
    required = timedelta(seconds=draw(st.integers(1, 4 * 3600)))
    # mostly a target with time to choose; sometimes one in the past or with no slack (emergency)
    slack = draw(st.sampled_from([-1, 0, 1, 1, 1, 1])) * timedelta(seconds=draw(st.integers(0, 10 * 3600)))
    target = now + required + slack
    precondition = timedelta(seconds=draw(st.sampled_from([0, 0, 600, 1800, 5400])))
    return now, required, target, rates, precondition, draw(st.booleans())


def expected_outcome(
    now: datetime, required: timedelta, target: datetime, rates: list[Rate]
) -> tuple[str, timedelta | None, datetime, datetime]:
    """(kind, total duration, lower bound, upper bound) for contiguous rates, from §3.12 by hand."""
    now = now.replace(microsecond=0)
    latest = target - required
    if latest < now:
        latest, target = now, now + required
    if not rates:
        return "simple", required, latest, target
    if target - now <= required:
        return "emergency", required, latest, target
    first_start, last_end = rates[0].start, rates[-1].end
    if target > last_end:
        after = target - last_end
        if after >= required:
            return "later", None, now, target
        if last_end - max(first_start, now) < required - after:
            return "simple", required, latest, target
        return "planned", required - after, now, last_end
    if target - max(first_start, now) < required:
        return "simple", required, latest, target
    return "planned", required, now, target


@settings(max_examples=300, deadline=None)
@given(planner_inputs())
def test_plan_properties(inputs: tuple[datetime, timedelta, datetime, list[Rate], timedelta, bool]) -> None:
    now, required, target, rates, precondition, continuous = inputs
    result = plan(now, required, target, rates, precondition=precondition, continuous=continuous)
    kind, total, lower, upper = expected_outcome(now, required, target, rates)
    if kind == "later":
        assert result is None
        return
    assert result is not None
    assert duration_of(result) == total
    for slot in result:
        assert lower <= slot.start < slot.end <= upper
    for earlier, later in itertools.pairwise(result):
        assert earlier.end <= later.start  # sorted, no overlap
    if kind == "simple":
        assert result == [Rate(upper - required, upper, 0)]
    if kind == "emergency" or (kind == "planned" and continuous and precondition == timedelta(0)):
        for earlier, later in itertools.pairwise(result):
            assert earlier.end == later.start  # one continuous window
