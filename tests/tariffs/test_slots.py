"""15-minute slots: splitting, solar interpolation, merging with earlier data, hourly averages."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from surplus.core.rates import Rate
from surplus.tariffs.base import TariffKind
from surplus.tariffs.slots import average_hourly, merge, to_slots

BERLIN = ZoneInfo("Europe/Berlin")
KOLKATA = ZoneInfo("Asia/Kolkata")
H = timedelta(hours=1)
Q = timedelta(minutes=15)
T0 = datetime(2025, 6, 2, 8, tzinfo=UTC)


def series(step: timedelta, *values: float, start: datetime = T0) -> list[Rate]:
    return [Rate(start + i * step, start + (i + 1) * step, v) for i, v in enumerate(values)]


def mean(rates: list[Rate]) -> float:
    seconds = [(r.end - r.start).total_seconds() for r in rates]
    return sum(r.value * s for r, s in zip(rates, seconds, strict=True)) / sum(seconds)


@pytest.mark.parametrize("kind", [TariffKind.PRICE_FORECAST, TariffKind.CO2, TariffKind.TEMPERATURE])
def test_hourly_values_hold_for_each_quarter(kind: TariffKind) -> None:
    slots = to_slots(series(H, 0.3, -0.1), kind)
    assert slots == series(Q, 0.3, 0.3, 0.3, 0.3, -0.1, -0.1, -0.1, -0.1)


def test_half_hours_and_quarter_hours() -> None:
    assert to_slots(series(timedelta(minutes=30), 1, 2), TariffKind.PRICE_FORECAST) == series(Q, 1, 1, 2, 2)
    quarters = series(Q, 1, 2, 3)
    assert to_slots(list(reversed(quarters)), TariffKind.PRICE_FORECAST) == quarters  # sorted, unchanged


def test_long_and_unaligned_rates_are_cut_on_the_quarter_hour_grid() -> None:
    rate = Rate(T0 + timedelta(minutes=10), T0 + timedelta(minutes=50), 0.2)
    slots = to_slots([rate], TariffKind.PRICE_STATIC)
    assert [(s.start.minute, s.end.minute) for s in slots] == [(10, 15), (15, 30), (30, 45), (45, 50)]
    week = to_slots([Rate(T0, T0 + timedelta(days=7), 0.3)], TariffKind.PRICE_STATIC)
    assert len(week) == 7 * 96
    assert all(s.end - s.start == Q and s.value == 0.3 for s in week)


def test_local_times_stay_local_and_dst_is_respected() -> None:
    # 2026-10-25 in Berlin has 25 hours; one rate for the whole local day
    start = datetime(2026, 10, 25, tzinfo=BERLIN)
    end = datetime(2026, 10, 26, tzinfo=BERLIN)
    slots = to_slots([Rate(start, end, 0.25)], TariffKind.PRICE_STATIC)
    assert len(slots) == 100
    assert all(s.start.tzinfo is BERLIN for s in slots)
    assert [s.start.strftime("%H:%M%z") for s in slots[8:13]] == [
        "02:00+0200",
        "02:15+0200",
        "02:30+0200",
        "02:45+0200",
        "02:00+0100",
    ]


def test_quarter_hours_are_local_quarter_hours_in_a_half_hour_offset_zone() -> None:
    start = datetime(2025, 6, 2, 10, tzinfo=KOLKATA)  # 04:30 UTC
    slots = to_slots([Rate(start, start + H, 5.0)], TariffKind.PRICE_FORECAST)
    assert [s.start.strftime("%H:%M") for s in slots] == ["10:00", "10:15", "10:30", "10:45"]


def test_solar_follows_the_neighbours_and_keeps_each_hours_mean() -> None:
    hours = series(H, 0, 1000, 2000, 1000, 0)
    slots = to_slots(hours, TariffKind.SOLAR)
    assert len(slots) == 20
    for index, hour in enumerate(hours):
        quarter = slots[4 * index : 4 * index + 4]
        assert mean(quarter) == pytest.approx(hour.value)
        assert all(s.value >= 0 for s in quarter)
    rising = [s.value for s in slots[4:8]]
    assert rising == sorted(rising) and rising[0] < 1000 < rising[-1]
    peak = [round(s.value) for s in slots[8:12]]
    assert peak == [round(v) for v in (1625 * 8 / 7, 1875 * 8 / 7, 1875 * 8 / 7, 1625 * 8 / 7)]  # rescaled
    assert all(s.value == 0 for s in slots[:4] + slots[16:])


def test_solar_is_clamped_at_zero_then_rescaled() -> None:
    # a provider's negative night value must not pull the neighbouring hour's quarters below zero
    slots = to_slots(series(H, -4000, 100), TariffKind.SOLAR)
    morning = slots[4:]
    assert all(s.value >= 0 for s in morning)
    assert mean(morning) == pytest.approx(100)
    assert all(s.value == 0 for s in slots[:4])


def test_solar_without_adjacent_neighbours_stays_flat() -> None:
    lonely = [Rate(T0, T0 + H, 800), Rate(T0 + 3 * H, T0 + 4 * H, 400)]
    slots = to_slots(lonely, TariffKind.SOLAR)
    assert [s.value for s in slots] == [800] * 4 + [400] * 4


def test_merge_keeps_old_rates_ending_before_the_new_ones_and_prunes_the_past() -> None:
    old = series(H, 1, 2, 3, 4)  # 08:00 .. 12:00
    new = series(H, 30, 40, start=T0 + 2 * H)  # 10:00 .. 12:00
    now = T0 + 90 * timedelta(minutes=1)  # 09:30
    assert merge(old, new, now, TariffKind.PRICE_FORECAST) == [old[1], *new]
    assert merge(old, new, now, TariffKind.CO2) == [old[1], *new]
    assert merge(old, new, T0, TariffKind.PRICE_FORECAST) == [*old[:2], *new]
    assert merge(old, [], now, TariffKind.PRICE_FORECAST) == old[1:]


def test_merge_keeps_the_whole_local_day_of_solar_and_a_week_of_temperature() -> None:
    day = datetime(2025, 6, 2, tzinfo=BERLIN)
    old = series(H, *range(48), start=day - 24 * H)  # yesterday and today, local
    now = day + 15 * H
    solar = merge(old, [], now, TariffKind.SOLAR)
    assert solar[0].start == day and len(solar) == 24
    week = series(H, *range(24 * 9), start=now - 9 * 24 * H)
    kept = merge(week, [], now, TariffKind.TEMPERATURE)
    assert kept[0].end > now - 7 * 24 * H >= kept[0].start
    assert len(kept) == 7 * 24


def test_average_hourly() -> None:
    quarters = series(Q, 0.1, 0.2, 0.3, 0.4, 1.0, 1.0)
    hours = average_hourly(quarters)
    assert [(h.start, h.end) for h in hours] == [(T0, T0 + H), (T0 + H, T0 + H + 2 * Q)]
    assert [round(h.value, 6) for h in hours] == [0.25, 1.0]
    assert to_slots(hours, TariffKind.PRICE_FORECAST)[:4] == [
        Rate(r.start, r.end, hours[0].value) for r in quarters[:4]
    ]


def test_average_hourly_groups_by_the_local_hour() -> None:
    start = datetime(2025, 6, 2, 10, tzinfo=KOLKATA).astimezone(UTC)  # 04:30 UTC, local 10:00
    quarters = series(Q, 1, 2, 3, 4, start=start)
    assert [h.value for h in average_hourly(quarters, KOLKATA)] == [2.5]
    assert [h.value for h in average_hourly(quarters)] == [1.5, 3.5]  # by UTC hours: 04:xx and 05:xx
