"""Go-style durations as evcc writes them: ``30s``, ``1m``, ``1h30m``, ``500ms``, ``1.5h``."""

from __future__ import annotations

import re
from datetime import timedelta

UNITS = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "μs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
}
UNIT_NAMES = "h, m, s, ms, us, ns"
_PART = re.compile(r"(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)")


def parse_duration(value: object) -> timedelta:
    """A Go duration string, or a plain number of seconds. Raises ValueError saying what is allowed."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a duration; write a number with a unit ({UNIT_NAMES}), e.g. 30s or 1m30s")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError(f"{value} is negative; a duration must be 0 or more")
        return timedelta(seconds=value)
    text = str(value).strip()
    sign, body = (-1, text[1:]) if text.startswith("-") else (1, text.removeprefix("+"))
    if body == "0":
        return timedelta(0)
    seconds = 0.0
    position = 0
    for match in _PART.finditer(body):
        if match.start() != position:
            break
        seconds += float(match.group(1)) * UNITS[match.group(2)]
        position = match.end()
    if not body or position != len(body):
        raise ValueError(f"'{text}' is not a duration; write a number with a unit ({UNIT_NAMES}), e.g. 30s or 1m30s")
    if sign < 0:
        raise ValueError(f"'{text}' is negative; a duration must be 0 or more")
    return timedelta(seconds=seconds)


def format_go_duration(nanoseconds: int) -> str:
    """A duration as Go prints it: ``1h0m0s``, ``30m0s``, ``1m30.5s``, ``45s``, ``1.5ms``, ``0s``."""
    if nanoseconds == 0:
        return "0s"
    sign = "-" if nanoseconds < 0 else ""
    rest = abs(nanoseconds)
    if rest < 1_000:
        return f"{sign}{rest}ns"
    if rest < 1_000_000:
        return f"{sign}{_fraction(rest, 1_000)}µs"
    if rest < 1_000_000_000:
        return f"{sign}{_fraction(rest, 1_000_000)}ms"
    hours, rest = divmod(rest, 3_600_000_000_000)
    minutes, rest = divmod(rest, 60_000_000_000)
    seconds = f"{_fraction(rest, 1_000_000_000)}s"
    if hours:
        return f"{sign}{hours}h{minutes}m{seconds}"
    if minutes:
        return f"{sign}{minutes}m{seconds}"
    return f"{sign}{seconds}"


def _fraction(count: int, unit: int) -> str:
    """``count / unit`` in decimal, without trailing zeros (unit a power of ten)."""
    whole, part = divmod(count, unit)
    if not part:
        return str(whole)
    return f"{whole}.{part:0{len(str(unit)) - 1}d}".rstrip("0")
