"""Plan charging (core.md §3.12): the charge planner, plan selection and repeating-plan occurrences.

Everything here is pure: the caller passes ``now``, the planner tariff's rates and the required duration. A plan is a
list of :class:`~surplus.core.rates.Rate` slots sorted by time; charging happens while ``now`` lies in one of them.

Aware datetimes are normalised to UTC before any arithmetic (Python adds timedeltas to aware datetimes on the wall
clock, which is wrong across a DST change), so every datetime this module returns is in UTC.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from surplus.core.rates import Rate, rate_at

#: tariff slot length (tariffs are normalised to 15-min slots before use)
SLOT = timedelta(minutes=15)
#: "plan short slot threshold": a slot with less than this left does not start a plan (plannerActive, §3.12)
SHORT_SLOT = SLOT - timedelta(minutes=1)

_ZERO = timedelta(0)
_HH_MM = re.compile(r"(\d{1,2}):(\d{2})")


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC) if moment.tzinfo is not None else moment


def _length(rate: Rate) -> timedelta:
    return rate.end - rate.start


def _clamp(rates: Sequence[Rate], lower: datetime, upper: datetime) -> list[Rate]:
    """The parts of ``rates`` inside [lower, upper]; empty slots are dropped."""
    if lower >= upper:
        return []
    return [
        Rate(max(rate.start, lower), min(rate.end, upper), rate.value)
        for rate in rates
        if rate.start < rate.end and rate.start < upper and rate.end > lower
    ]


def _cost(rates: Sequence[Rate]) -> float:
    """Σ value × duration (seconds); fsum makes the sum independent of the order of equal terms."""
    return math.fsum(rate.value * _length(rate).total_seconds() for rate in rates)


def _emergency_plan(rates: Sequence[Rate], start: datetime, end: datetime) -> list[Rate]:
    """Charge through [start, end]: the rates inside it, with value-0 slots filling the gap before and after them."""
    window = _clamp(rates, start, end)
    if not window:
        return [Rate(start, end, 0.0)]
    result: list[Rate] = []
    if window[0].start > start:
        result.append(Rate(start, window[0].start, 0.0))
    result.extend(window)
    if window[-1].end < end:
        result.append(Rate(window[-1].end, end, 0.0))
    return result


def _cheapest_window(rates: Sequence[Rate], required: timedelta, end: datetime) -> list[Rate]:
    """The cheapest window of length ``required`` that starts at a slot start and ends by ``end``; ties → the later."""
    # plain numbers in the search; Rate objects only for the window that wins
    spans = [(rate.start.timestamp(), rate.end.timestamp(), rate.value) for rate in rates]
    length = required.total_seconds()
    last_end = end.timestamp()
    best_index, best_cost = -1, math.inf
    for index, (start, _, _) in enumerate(spans):
        window_end = start + length
        if window_end > last_end:
            break
        parts = []
        for slot_start, slot_end, value in spans[index:]:
            if slot_start >= window_end:
                break
            parts.append(value * (min(slot_end, window_end) - slot_start))
        cost = math.fsum(parts)
        if cost <= best_cost:
            best_index, best_cost = index, cost
    if best_index < 0:
        return []
    until = rates[best_index].start + required
    return [Rate(rate.start, min(rate.end, until), rate.value) for rate in rates[best_index:] if rate.start < until]


def _cheapest_slots(rates: Sequence[Rate], required: timedelta) -> list[Rate]:
    """The cheapest slots (ties: the later slot first) until ``required`` is covered, sorted by time."""
    by_price = sorted(rates, key=lambda rate: rate.start, reverse=True)
    by_price.sort(key=lambda rate: rate.value)  # stable: equal prices keep the later slot first
    taken: list[Rate] = []
    remaining = required
    for rate in by_price:
        if remaining <= _ZERO:
            break
        length = _length(rate)
        if length > remaining:
            if taken and rate.start < min(slot.start for slot in taken):
                # the earliest slot of the plan: charge at its end, next to the rest of the plan
                rate = Rate(rate.end - remaining, rate.end, rate.value)
            else:
                rate = Rate(rate.start, rate.start + remaining, rate.value)
            length = remaining
        taken.append(rate)
        remaining -= length
    return sorted(taken, key=lambda rate: rate.start)


def plan(
    now: datetime,
    required: timedelta,
    target: datetime,
    rates: Sequence[Rate] | None,
    *,
    precondition: timedelta = _ZERO,
    continuous: bool = False,
) -> list[Rate] | None:
    """Slots to charge ``required`` by ``target`` at the lowest cost (the planner of §3.12, steps 1–7).

    ``None`` means "no plan": nothing to charge, or the known rates end so early that all of ``required`` fits
    after them (charge later). ``rates`` empty or ``None`` (no tariff, or the tariff failed) gives the simple plan
    ``[target − required, target]`` of value 0. ``precondition`` is charged in any case just before ``target``.
    """
    # 1. nothing to do; latest start and the simple plan (whole seconds: fractions only make sliver slots)
    required = timedelta(seconds=round(required.total_seconds()))
    if required <= _ZERO:
        return None
    now = _utc(now).replace(microsecond=0)
    target = _utc(target)
    latest_start = target - required
    if latest_start < now:
        latest_start, target = now, now + required
    simple = [Rate(latest_start, target, 0.0)]

    # 2. no rates
    if not rates:
        return simple
    known = sorted(
        (Rate(_utc(rate.start), _utc(rate.end), rate.value) for rate in rates if rate.start < rate.end),
        key=lambda rate: rate.start,
    )
    if not known:
        return simple

    # 3. no time left to choose: charge continuously from the latest start
    if target - now <= required:
        return _emergency_plan(known, latest_start, target)

    # 4. target beyond the known rates: the part after them is charged later
    last_end = max(rate.end for rate in known)
    if target > last_end:
        after = target - last_end
        if after >= required:
            return None
        target = last_end
        required -= after
        precondition = max(precondition - after, _ZERO)

    # 5. the rates that can be used
    usable = _clamp(known, now, target)
    if not usable or sum((_length(rate) for rate in usable), _ZERO) < required:
        return simple

    # 6. precondition: always charged right before the target
    precondition = min(max(precondition, _ZERO), required)
    split = target - precondition
    preconditioning = _clamp(usable, split, target)
    required -= precondition
    if required <= _ZERO:
        return preconditioning
    before = _clamp(usable, now, split)

    # 7. the cheapest slots (or window) for the rest
    chosen = _cheapest_window(before, required, split) if continuous else _cheapest_slots(before, required)
    return sorted(chosen, key=lambda rate: rate.start) + preconditioning


def start_of(plan: Sequence[Rate]) -> datetime | None:
    """Start of the plan's first slot."""
    return min((rate.start for rate in plan), default=None)


def end_of(plan: Sequence[Rate]) -> datetime | None:
    """End of the plan's last slot."""
    return max((rate.end for rate in plan), default=None)


def active_slot(plan: Sequence[Rate], now: datetime) -> Rate | None:
    """The plan slot with start ≤ now < end."""
    return rate_at(plan, now)


def duration_of(plan: Sequence[Rate]) -> timedelta:
    """Total charging time of the plan."""
    return sum((_length(rate) for rate in plan), _ZERO)


# --- plan selection -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanGoal:
    """One candidate plan of a vehicle or loadpoint."""

    #: 1 = the static plan, 2+ = repeating plans (index + 2)
    id: int
    #: the plan's deadline
    time: datetime
    #: the goal: soc in %, or energy in kWh for energy plans
    soc: float


def required_duration_energy(remaining_kwh: float, power_w: float) -> timedelta:
    """Time to charge ``remaining_kwh`` at ``power_w``: remaining × 1000 / P hours (no efficiency factor)."""
    if not (math.isfinite(remaining_kwh) and math.isfinite(power_w)) or remaining_kwh <= 0 or power_w <= 0:
        return _ZERO
    return timedelta(hours=remaining_kwh * 1000 / power_w)


def next_plan(
    goals: Sequence[PlanGoal],
    now: datetime,
    vehicle_soc: float,
    duration: Callable[[PlanGoal], timedelta],
) -> PlanGoal | None:
    """The plan to follow: by start (time − duration, stable), the first that is not reached yet.

    A goal counts as not reached when ``vehicle_soc`` is 0 (unknown) or below the goal. ``now`` is not part of the
    rule (callers pass goals whose time is still ahead; a passed static plan is deleted by plannerActive).
    """
    del now  # kept for a uniform call shape with the other planner functions
    by_start = sorted(goals, key=lambda goal: goal.time - duration(goal))
    return next((goal for goal in by_start if vehicle_soc == 0 or vehicle_soc < goal.soc), None)


class PlanLock:
    """A soc goal locked when its plan became active; it overrides plan selection until cleared."""

    def __init__(self) -> None:
        self._goal: PlanGoal | None = None

    @property
    def goal(self) -> PlanGoal | None:
        return self._goal

    def lock(self, goal: PlanGoal) -> None:
        self._goal = goal

    def clear(self) -> None:
        self._goal = None

    def select(
        self,
        goals: Sequence[PlanGoal],
        now: datetime,
        vehicle_soc: float,
        duration: Callable[[PlanGoal], timedelta],
    ) -> PlanGoal | None:
        """The locked goal if any (even after its time passed), else :func:`next_plan`."""
        if self._goal is not None:
            return self._goal
        return next_plan(goals, now, vehicle_soc, duration)


def next_repeating_occurrence(weekdays: Sequence[int], hh_mm: str, tz: str, now: datetime) -> datetime | None:
    """Next time ≥ ``now`` (aware) at local ``hh_mm`` on one of ``weekdays`` (0 = Sunday … 6), in zone ``tz``.

    Looks at today and the next 7 days, so a plan for today's weekday whose time has passed comes back a week later.
    A local time skipped by a DST change is moved forward by the gap (02:30 → 03:30 CEST); a time that occurs twice
    is its first occurrence. The result is in UTC. An empty ``tz`` means UTC; a malformed ``hh_mm`` or an unknown
    zone raises ValueError.
    """
    match = _HH_MM.fullmatch(hh_mm.strip())
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValueError(f"invalid plan time {hh_mm!r}, expected HH:MM")
    at = time(int(match[1]), int(match[2]))
    try:
        zone = ZoneInfo(tz) if tz else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {tz!r}") from exc
    days = {day for day in weekdays if 0 <= day <= 6}
    if not days:
        return None
    today = now.astimezone(zone).date()
    for offset in range(8):
        day = today + timedelta(days=offset)
        if day.isoweekday() % 7 not in days:
            continue
        occurrence = datetime.combine(day, at, tzinfo=zone).astimezone(UTC)
        if occurrence >= now:
            return occurrence
    return None
