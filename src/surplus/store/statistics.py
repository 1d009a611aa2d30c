"""Charging statistics over the sessions table (core.md §6.4): 30 days, 365 days, this year and in total."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, tzinfo

from surplus.store.database import Database
from surplus.store.session_history import utc_text

#: before every stored session: ``total`` counts them all
BEGINNING = "0001-01-01 00:00:00"

#: kWh-weighted sums over sessions finished since a bound; each average over the sessions that have its value
QUERY = """
SELECT
    SUM(CASE WHEN solar_percentage IS NOT NULL THEN charged_kwh END),
    SUM(CASE WHEN solar_percentage IS NOT NULL THEN charged_kwh * solar_percentage END),
    SUM(CASE WHEN price_per_kwh IS NOT NULL THEN charged_kwh END),
    SUM(CASE WHEN price_per_kwh IS NOT NULL THEN charged_kwh * price_per_kwh END),
    SUM(CASE WHEN co2_per_kwh IS NOT NULL THEN charged_kwh END),
    SUM(CASE WHEN co2_per_kwh IS NOT NULL THEN charged_kwh * co2_per_kwh END)
FROM sessions
WHERE charged_kwh > 0 AND datetime(finished) >= ?
"""

Figures = dict[str, float]


def period_starts(now: datetime, zone: tzinfo) -> dict[str, str]:
    """Each period's first instant, as SQLite compares it (UTC text); ``thisYear`` begins on local Jan 1."""
    this_year = datetime(now.astimezone(zone).year, 1, 1, tzinfo=zone)
    return {
        "30d": utc_text(now - timedelta(days=30)),
        "365d": utc_text(now - timedelta(days=365)),
        "thisYear": utc_text(this_year),
        "total": BEGINNING,
    }


def _figures(row: tuple[float | None, ...]) -> Figures:
    solar_kwh, solar, price_kwh, price, co2_kwh, co2 = (value or 0.0 for value in row)
    return {
        "chargedKWh": solar_kwh,
        "solarPercentage": solar / solar_kwh if solar_kwh else 0.0,
        "avgPrice": price / price_kwh if price_kwh else 0.0,
        "avgCo2": co2 / co2_kwh if co2_kwh else 0.0,
    }


async def statistics(database: Database, now: datetime, zone: tzinfo) -> dict[str, Figures]:
    """``{"30d"|"365d"|"thisYear"|"total": {chargedKWh, solarPercentage, avgPrice, avgCo2}}``; 0 without data.

    As evcc counts: ``chargedKWh`` and ``solarPercentage`` over the sessions with a solar share, ``avgPrice``
    over those with a price per kWh, ``avgCo2`` over those with CO₂ per kWh; all weighted by charged kWh.
    """
    starts = period_starts(now, zone)

    def query(connection: sqlite3.Connection) -> dict[str, Figures]:
        return {name: _figures(connection.execute(QUERY, (start,)).fetchone()) for name, start in starts.items()}

    return await database.run(query)
