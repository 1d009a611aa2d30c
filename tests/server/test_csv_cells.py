"""The cells of evcc's CSV: rounding and shortest numbers, Go durations, local times, RFC 4180 quoting."""

from __future__ import annotations

import math
from datetime import UTC
from zoneinfo import ZoneInfo

import pytest

from surplus.config.durations import format_go_duration
from surplus.server.csv_cells import local_time, number, text

FOUR, WHOLE = number(4), number(0)


@pytest.mark.parametrize(
    ("value", "four", "whole"),
    [
        (10.0, "10", "10"),
        (2.5, "2.5", "3"),  # half away from zero
        (-2.5, "-2.5", "-3"),
        (88.21, "88.21", "88"),
        (0.243902439, "0.2439", "0"),
        (305.55555, "305.5556", "306"),
        (1.23455, "1.2346", "1"),  # × 10⁴ is 12345.5 in floating point: Go's math.Round idiom rounds up
        (0.03125, "0.0313", "0"),  # an exact tie
        (0.00004, "0", "0"),
        (-0.00004, "0", "0"),  # never "-0"
        (-0.040402, "-0.0404", "0"),
        (0.0, "0", "0"),
        (7, "7", "7"),  # SQLite hands back whole numbers as int
        (123456789.12345, "123456789.1235", "123456789"),
        (1e12, "1000000000000", "1000000000000"),  # past 15 digits no decimals are left to show
        (None, "", ""),
        ("n/a", "", ""),
        (math.nan, "", ""),
        (math.inf, "", ""),
    ],
)
def test_numbers(value: object, four: str, whole: str) -> None:
    assert (FOUR(value), WHOLE(value)) == (four, whole)


def test_more_than_four_decimals_is_refused() -> None:
    with pytest.raises(ValueError, match="0 to 4 decimals"):
        number(5)


@pytest.mark.parametrize(
    ("nanoseconds", "expected"),
    [
        (0, "0s"),
        (3_600_000_000_000, "1h0m0s"),
        (1_800_000_000_000, "30m0s"),
        (5_400_500_000_000, "1h30m0.5s"),
        (90_000_000_000, "1m30s"),
        (45_000_000_000, "45s"),
        (1_500_000_000, "1.5s"),
        (500_000_000, "500ms"),
        (1_500_000, "1.5ms"),
        (2_000, "2µs"),
        (999, "999ns"),
        (100 * 3_600_000_000_000 + 1, "100h0m0.000000001s"),
        (-90_000_000_000, "-1m30s"),
    ],
)
def test_go_durations(nanoseconds: int, expected: str) -> None:
    assert format_go_duration(nanoseconds) == expected


@pytest.mark.parametrize(
    ("stored", "zone", "expected"),
    [
        ("2024-03-31 01:30:00+01:00", "Europe/Berlin", "2024-03-31 01:30:00"),
        ("2024-03-31 01:30:00+00:00", "Europe/Berlin", "2024-03-31 03:30:00"),  # after the change to summer time
        ("2023-05-04 22:00:00.123456789+02:00", "UTC", "2023-05-04 20:00:00"),
        ("2023-05-04 22:00:00", "Europe/Berlin", "2023-05-05 00:00:00"),  # no offset: SQLite's own UTC
        ("0001-01-01 00:00:00+00:00", "UTC", ""),
        (None, "UTC", ""),
        ("yesterday", "UTC", ""),
    ],
)
def test_local_times(stored: object, zone: str, expected: str) -> None:
    assert local_time(stored, UTC if zone == "UTC" else ZoneInfo(zone)) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Carport", "Carport"),
        ("Van, big", '"Van, big"'),
        ('tag "7"', '"tag ""7"""'),
        ("two\nlines", '"two\nlines"'),
        ("cr\r", '"cr\r"'),
        (" Guest", '" Guest"'),
        ("Škoda", "Škoda"),
        ("", ""),
        (None, ""),
    ],
)
def test_texts(value: object, expected: str) -> None:
    assert text(value) == expected
