"""Path values as evcc's routes accept them, each failure a 400 that names the parameter and what is allowed."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from enum import Enum
from typing import TypeVar

from surplus.errors import RequestError

E = TypeVar("E", bound=Enum)

#: powers (W) and prices beyond this are typing errors, not settings
LIMIT = 1e6
#: times up to the end of this year (UTC): a datetime ends with 9999, and the core needs room for arithmetic
LATEST_YEAR = 9998

BOOLS = {"1": True, "t": True, "true": True, "0": False, "f": False, "false": False}


def _number_text(value: float) -> str:
    return f"{value:g}"


def _allowed(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"; allowed: {_number_text(low)}..{_number_text(high)}"
    if low is not None:
        return f"; allowed: {_number_text(low)} or more"
    if high is not None:
        return f"; allowed: {_number_text(high)} or less"
    return ""


def _check_range(name: str, value: float, low: float | None, high: float | None) -> None:
    if (low is not None and value < low) or (high is not None and value > high):
        if low is not None and high is not None:
            bounds = f"{_number_text(low)}..{_number_text(high)}"
            raise RequestError(f"{name}: {_number_text(value)} is out of range {bounds}")
        raise RequestError(f"{name}: {_number_text(value)} is out of range{_allowed(low, high)}")


def parse_float(name: str, text: str, low: float | None = None, high: float | None = None) -> float:
    try:
        value = float(text)
    except ValueError:
        raise RequestError(f"{name}: '{text}' is not a number{_allowed(low, high)}") from None
    if not math.isfinite(value):
        raise RequestError(f"{name}: '{text}' is not a finite number{_allowed(low, high)}")
    _check_range(name, value, low, high)
    return value


def parse_int(name: str, text: str, low: int | None = None, high: int | None = None) -> int:
    digits = text[1:] if text.startswith("-") else text
    if not digits.isascii() or not digits.isdigit() or len(digits) > 18:
        raise RequestError(f"{name}: '{text}' is not a whole number{_allowed(low, high)}")
    value = int(text)
    _check_range(name, value, low, high)
    return value


def parse_bool(name: str, text: str) -> bool:
    value = BOOLS.get(text.lower())
    if value is None:
        raise RequestError(f"{name}: '{text}' is not a boolean; allowed: true, false, 1, 0")
    return value


def parse_choice(name: str, text: str, kind: type[E]) -> E:
    for member in kind:
        if member.value == text or str(member) == text:
            return member
    allowed = ", ".join(str(member.value) for member in kind)
    raise RequestError(f"{name}: invalid value '{text}'; allowed: {allowed}")


def parse_time(name: str, text: str) -> datetime:
    """RFC 3339 with a time zone, fractions allowed (``2050-09-04T05:00:00.000Z``)."""
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise RequestError(f"{name}: '{text}' is not an RFC 3339 time, e.g. 2026-06-02T07:00:00+02:00") from None
    if value.tzinfo is None:
        raise RequestError(f"{name}: '{text}' has no time zone; add Z or an offset such as +02:00")
    # the core turns times into UTC and adds durations to them: a time at the edge of what a datetime holds
    # would make every control cycle fail with an OverflowError
    if not 2 <= value.year <= LATEST_YEAR or value.astimezone(UTC).year > LATEST_YEAR:
        raise RequestError(f"{name}: '{text}' is out of range; allowed: years 2..{LATEST_YEAR}")
    return value
