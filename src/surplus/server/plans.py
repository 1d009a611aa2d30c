"""Plan shapes of evcc's API: strategy bodies, repeating plans, ``GET …/plan`` and its previews."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from surplus.core.loadpoint import Loadpoint
from surplus.core.planner import plan
from surplus.core.planning import Goal
from surplus.core.plans_input import repeating_plan
from surplus.core.rates import Rate
from surplus.core.settings import PlanStrategy, RepeatingPlan
from surplus.errors import RequestError

ZERO_TIME = datetime(1, 1, 1, tzinfo=UTC)
MAX_PRECONDITION = timedelta(days=1)


def strategy_from_body(body: Any) -> PlanStrategy:
    """``{"continuous": bool, "precondition": seconds}``; both optional."""
    if not isinstance(body, dict):
        raise RequestError('plan strategy: expected {"continuous": true|false, "precondition": seconds}')
    unknown = set(body) - {"continuous", "precondition"}
    if unknown:
        raise RequestError(f"plan strategy: unknown field {sorted(unknown)[0]}; allowed: continuous, precondition")
    continuous = body.get("continuous", False)
    precondition = body.get("precondition", 0)
    if not isinstance(continuous, bool):
        raise RequestError(f"plan strategy: continuous must be true or false, not {continuous!r}")
    if isinstance(precondition, bool) or not isinstance(precondition, int | float):
        raise RequestError(f"plan strategy: precondition must be a number of seconds, not {precondition!r}")
    if not 0 <= precondition <= MAX_PRECONDITION.total_seconds():
        raise RequestError(f"plan strategy: precondition {precondition:g} is out of range 0..86400 seconds")
    return PlanStrategy(continuous=continuous, precondition=timedelta(seconds=precondition))


def repeating_from_body(body: Any) -> tuple[RepeatingPlan, ...]:
    if not isinstance(body, list):
        raise RequestError('repeating plans: expected a list of {"weekdays", "time", "tz", "soc", "active"}')
    plans = []
    for index, item in enumerate(body):
        try:
            plans.append(repeating_plan(item))
        except ValueError as error:
            raise RequestError(f"repeating plan {index + 1}: {error}") from None
    return tuple(plans)


def _answer(goal: Goal | None, duration: timedelta, slots: list[Rate] | None, power: float) -> dict[str, Any]:
    return {
        "planTime": goal.time if goal else ZERO_TIME,
        "duration": int(duration.total_seconds()),
        "plan": slots,
        "power": power,
    }


def plan_json(loadpoint: Loadpoint, now: datetime, rates: list[Rate] | None) -> dict[str, Any]:
    """The loadpoint's effective plan as it stands now; without one, plan id 0 and the zero time, as evcc."""
    goal = loadpoint.effective_goal(now)
    power = loadpoint.effective_max_power()
    if goal is None:
        return {"planId": 0, **_answer(None, timedelta(0), None, 0)}
    duration = loadpoint.plan_duration(goal, power)
    strategy = goal.strategy
    slots = plan(now, duration, goal.time, rates, precondition=strategy.precondition, continuous=strategy.continuous)
    return {"planId": goal.id, **_answer(goal, duration, slots, power)}


def preview_json(
    loadpoint: Loadpoint, now: datetime, rates: list[Rate] | None, kind: str, value: float, time: datetime
) -> dict[str, Any]:
    """What a static soc or energy plan would look like, without setting it."""
    soc_based = loadpoint.soc_based()
    if kind == "soc" and not soc_based:
        raise RequestError("soc plans need a vehicle with a soc and a capacity; plan by energy instead")
    if kind == "energy" and soc_based:
        raise RequestError("this vehicle is planned by soc; preview a soc plan instead")
    if time <= now:
        raise RequestError("timestamp is in the past")
    strategy = loadpoint.settings.plan_strategy
    if soc_based and loadpoint.vehicle is not None:
        setting = loadpoint.vehicle_settings.get(loadpoint.vehicle.name)
        strategy = setting.plan_strategy if setting else strategy
    goal = Goal(1, time, value, soc_based, strategy)
    power = loadpoint.effective_max_power()
    duration = loadpoint.plan_duration(goal, power)
    slots = plan(now, duration, time, rates, precondition=strategy.precondition, continuous=strategy.continuous)
    return _answer(goal, duration, slots, power)
