"""Tariff rates as (start, end, value) slots; never an assumption of hourly slots."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Rate:
    start: datetime
    end: datetime
    value: float


def rate_at(rates: Sequence[Rate], now: datetime) -> Rate | None:
    """The slot with start ≤ now < end."""
    return next((rate for rate in rates if rate.start <= now < rate.end), None)


def next_start_at_or_below(rates: Sequence[Rate], now: datetime, limit: float) -> datetime | None:
    """Start of the first future slot whose value is at most ``limit`` (smart cost's next start)."""
    return next((rate.start for rate in rates if rate.start > now and rate.value <= limit), None)


def next_start_at_or_above(rates: Sequence[Rate], now: datetime, limit: float) -> datetime | None:
    return next((rate.start for rate in rates if rate.start > now and rate.value >= limit), None)
