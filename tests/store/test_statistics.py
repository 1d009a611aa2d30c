"""Charging statistics (core.md §6.4) over hand-written sessions, with the expected numbers worked out by hand."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from surplus.store.database import Database
from surplus.store.statistics import statistics
from tests.core.builders import T0

BERLIN = ZoneInfo("Europe/Berlin")
# now: 2026-06-01 12:00 UTC (14:00 in Berlin). The periods start at
#   30d      2026-05-02 12:00 UTC
#   365d     2025-06-01 12:00 UTC
#   thisYear 2026-01-01 00:00 Berlin = 2025-12-31 23:00 UTC
SESSIONS = """
INSERT INTO sessions (id, finished, charged_kwh, solar_percentage, price_per_kwh, co2_per_kwh) VALUES
    -- A: in every period
    (1, '2026-05-20 10:00:00+02:00', 10, 80, 0.30, 200),
    -- I: finished exactly at the start of 30d (14:00 in Berlin = 12:00 UTC): counted
    (2, '2026-05-02 14:00:00+02:00', 2, 0, 0.50, 400),
    -- B: one minute before 30d began; no price
    (3, '2026-05-02 13:59:00+02:00', 20, 50, NULL, 300),
    -- C: 00:30 on New Year's Day in Berlin, still 2025 in UTC: this year; only a price
    (4, '2026-01-01 00:30:00+01:00', 5, NULL, 0.40, NULL),
    -- D: within 365 days, last year
    (5, '2025-08-01 18:00:00+02:00', 40, 25, 0.20, 100),
    -- E: older than a year
    (6, '2024-01-01 12:00:00+01:00', 30, 100, 0.10, 50),
    -- never counted: nothing charged, no energy known, a negative energy
    (7, '2026-05-25 12:00:00+02:00', 0, 100, 1.00, 1000),
    (8, '2026-05-25 12:00:00+02:00', NULL, 100, 1.00, 1000),
    (9, '2026-05-25 12:00:00+02:00', -1, 100, 1.00, 1000);
"""


@pytest.fixture
async def database(tmp_path: Path) -> Database:
    path = tmp_path / "s.db"
    opened = await Database.open(path)
    with sqlite3.connect(path) as connection:
        connection.executescript(SESSIONS)
    return opened


async def test_every_period_by_hand(database: Database) -> None:
    figures = await statistics(database, T0, BERLIN)
    await database.close()
    # 30d: A and I. kWh with a solar share 10 + 2 = 12
    assert figures["30d"] == pytest.approx(
        {
            "chargedKWh": 12,
            "solarPercentage": (10 * 80 + 2 * 0) / 12,  # 66.67
            "avgPrice": (10 * 0.30 + 2 * 0.50) / 12,  # 0.3333
            "avgCo2": (10 * 200 + 2 * 400) / 12,  # 233.33
        }
    )
    # thisYear: A, I, B, C. Solar share known for A, I, B: 10 + 2 + 20 = 32 kWh; prices for A, I, C: 17 kWh
    assert figures["thisYear"] == pytest.approx(
        {
            "chargedKWh": 32,
            "solarPercentage": (800 + 0 + 20 * 50) / 32,  # 56.25
            "avgPrice": (3 + 1 + 5 * 0.40) / 17,  # 0.3529
            "avgCo2": (2000 + 800 + 20 * 300) / 32,  # 275
        }
    )
    # 365d: and D (40 kWh, all values known)
    assert figures["365d"] == pytest.approx(
        {
            "chargedKWh": 32 + 40,
            "solarPercentage": (1800 + 40 * 25) / 72,  # 38.89
            "avgPrice": (6 + 40 * 0.20) / (17 + 40),  # 0.2456
            "avgCo2": (8800 + 40 * 100) / 72,  # 177.78
        }
    )
    # total: and E (30 kWh)
    assert figures["total"] == pytest.approx(
        {
            "chargedKWh": 72 + 30,
            "solarPercentage": (2800 + 30 * 100) / 102,  # 56.86
            "avgPrice": (14 + 30 * 0.10) / (57 + 30),  # 0.1954
            "avgCo2": (12800 + 30 * 50) / 102,  # 140.20
        }
    )


async def test_no_data_is_zero(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "empty.db")
    figures = await statistics(database, T0, BERLIN)
    await database.close()
    zero = {"chargedKWh": 0.0, "solarPercentage": 0.0, "avgPrice": 0.0, "avgCo2": 0.0}
    assert figures == {"30d": zero, "365d": zero, "thisYear": zero, "total": zero}


async def test_this_year_begins_at_local_midnight(database: Database) -> None:
    """At 23:30 UTC on Dec 31 it is already 2026 in Berlin, still 2025 in UTC: D (August 2025) counts only in UTC."""
    new_years_eve = datetime(2025, 12, 31, 23, 30, tzinfo=UTC)
    berlin = await statistics(database, new_years_eve, BERLIN)
    utc = await statistics(database, new_years_eve, UTC)
    await database.close()
    assert berlin["thisYear"]["chargedKWh"] == 10 + 2 + 20  # A, I, B (C has no solar share)
    assert utc["thisYear"]["chargedKWh"] == 32 + 40
