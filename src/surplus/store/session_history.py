"""Reading the sessions history: which rows are listed, in which order, for which year or month."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any

from surplus.store.database import Database

#: sessions below this energy are noise and not listed (evcc's rule)
MIN_LISTED_KWH = 0.05

#: (JSON name, column) in the order of evcc's session JSON
JSON_FIELDS = (
    ("id", "id"),
    ("created", "created"),
    ("finished", "finished"),
    ("loadpoint", "loadpoint"),
    ("identifier", "identifier"),
    ("vehicle", "vehicle"),
    ("odometer", "odometer"),
    ("meterStart", "meter_start_kwh"),
    ("meterStop", "meter_end_kwh"),
    ("chargedEnergy", "charged_kwh"),
    ("chargeDuration", "charge_duration"),
    ("socStart", "soc_start"),
    ("socEnd", "soc_end"),
    ("addedRange", "added_range"),
    ("solarPercentage", "solar_percentage"),
    ("price", "price"),
    ("pricePerKWh", "price_per_kwh"),
    ("co2PerKWh", "co2_per_kwh"),
    ("referencePricePerKWh", "reference_price_per_kwh"),
    ("referenceCo2PerKWh", "reference_co2_per_kwh"),
)
NAMES = tuple(name for name, _ in JSON_FIELDS)
#: years a filter may name (the bounds must stay inside what a datetime holds in every zone)
YEARS = range(1900, 9999)


@dataclass(frozen=True)
class Period:
    """A calendar year, or one month of it, in a time zone: sessions *created* in it are listed."""

    year: int
    month: int | None = None

    def bounds(self, zone: tzinfo) -> tuple[datetime, datetime]:
        if self.month is None:
            return datetime(self.year, 1, 1, tzinfo=zone), datetime(self.year + 1, 1, 1, tzinfo=zone)
        start = datetime(self.year, self.month, 1, tzinfo=zone)
        end = datetime(self.year + self.month // 12, self.month % 12 + 1, 1, tzinfo=zone)
        return start, end


def utc_text(instant: datetime) -> str:
    """An instant as SQLite's ``datetime()`` prints it (UTC), for comparisons inside SQL."""
    return instant.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def listing(period: Period | None = None, zone: tzinfo = UTC) -> tuple[str, tuple[Any, ...]]:
    """The query of the listed sessions, newest first, and its parameters.

    Stored times carry their UTC offset (evcc's format); SQLite's ``datetime()`` turns them into UTC, so the
    period's local bounds compare correctly across daylight-saving changes.
    """
    columns = ", ".join(column for _, column in JSON_FIELDS)
    where = "charged_kwh >= ?"
    parameters: tuple[Any, ...] = (MIN_LISTED_KWH,)
    if period is not None:
        start, end = period.bounds(zone)
        where += " AND datetime(created) >= ? AND datetime(created) < ?"
        parameters += (utc_text(start), utc_text(end))
    order = "datetime(created) DESC, id DESC"  # by instant: text order is wrong across UTC offsets
    return f"SELECT {columns} FROM sessions WHERE {where} ORDER BY {order}", parameters


def stream_sessions(
    database: Database, period: Period | None = None, zone: tzinfo = UTC
) -> AsyncIterator[list[tuple[Any, ...]]]:
    """The listed sessions in chunks of rows, each row in :data:`JSON_FIELDS` order."""
    sql, parameters = listing(period, zone)
    return database.stream(sql, parameters)
