"""Repeating plans as clients send them: ``{"weekdays": [1, 2], "time": "07:00", "tz": "Europe/Berlin",
"soc": 80, "active": true}``; each problem a ValueError that names the field and what is allowed."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from surplus.core.settings import RepeatingPlan

TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def repeating_plan(item: object) -> RepeatingPlan:
    if not isinstance(item, dict):
        raise ValueError('a repeating plan is an object {"weekdays", "time", "tz", "soc", "active"}')
    weekdays = item.get("weekdays")
    if not isinstance(weekdays, list) or not weekdays or not all(isinstance(d, int) for d in weekdays):
        raise ValueError("weekdays: a list of day numbers 0 (Sunday) … 6 (Saturday)")
    if any(isinstance(d, bool) or not 0 <= d <= 6 for d in weekdays):
        raise ValueError(f"weekday out of range in {weekdays}; allowed: 0 (Sunday) … 6 (Saturday)")
    time = item.get("time")
    match = TIME.match(time) if isinstance(time, str) else None
    if match is None:
        raise ValueError(f"invalid time {time!r}; write HH:MM, e.g. 07:00")
    tz = item.get("tz") or "UTC"
    try:
        ZoneInfo(str(tz))
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"invalid timezone {tz!r}; use an IANA name such as Europe/Berlin") from None
    soc = item.get("soc")
    if isinstance(soc, bool) or not isinstance(soc, int) or not 0 <= soc <= 100:
        raise ValueError(f"soc {soc!r} is out of range 0..100")
    active = item.get("active", True)
    if not isinstance(active, bool):
        raise ValueError(f"active must be true or false, not {active!r}")
    hours, minutes = match.groups()
    return RepeatingPlan(tuple(sorted(set(weekdays))), f"{int(hours):02d}:{minutes}", str(tz), soc, active)
