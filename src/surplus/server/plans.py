"""Plan shapes of evcc's API: strategy bodies and the ``GET …/plan`` answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from surplus.core.loadpoint import Loadpoint
from surplus.core.settings import PlanStrategy
from surplus.errors import RequestError
from surplus.state import format_time

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


def plan_json(loadpoint: Loadpoint, now: datetime) -> dict[str, Any]:
    """The loadpoint's effective plan; without one, plan id 0 and the zero time, as evcc answers."""
    settings = loadpoint.settings
    if settings.plan_time is None or settings.plan_energy <= 0:
        return {"planId": 0, "planTime": format_time(ZERO_TIME), "duration": 0, "plan": None, "power": 0}
    power = loadpoint.effective_max_power()
    remaining = max(0.0, settings.plan_energy - loadpoint.charged_kwh())
    duration = int(remaining * 1000 / power * 3600) if power > 0 else 0
    return {
        "planId": 1,
        "planTime": format_time(settings.plan_time),
        "duration": duration,
        "plan": None,
        "power": power,
    }
