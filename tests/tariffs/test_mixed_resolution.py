"""A day-ahead market that publishes today in 15 minutes and tomorrow hourly still plans in quarter hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from surplus.core.planner import plan
from surplus.core.rates import Rate
from surplus.tariffs.base import TariffKind
from surplus.tariffs.slots import to_slots

T0 = datetime(2026, 6, 1, 20, 0, tzinfo=UTC)
QUARTER = timedelta(minutes=15)


def test_a_plan_across_15_and_60_minute_rates() -> None:
    quarters = [Rate(T0 + i * QUARTER, T0 + (i + 1) * QUARTER, 0.30 - 0.01 * i) for i in range(16)]  # 20:00–24:00
    midnight = T0 + 16 * QUARTER
    hours = [
        Rate(midnight + timedelta(hours=h), midnight + timedelta(hours=h + 1), v)
        for h, v in enumerate([0.2, 0.1, 0.12])
    ]
    slots = to_slots(quarters + hours, TariffKind.PRICE_FORECAST)
    assert all(slot.end - slot.start == QUARTER for slot in slots)
    assert len(slots) == 16 + 12
    chosen = plan(T0, timedelta(minutes=75), midnight + timedelta(hours=3), slots)
    assert chosen is not None
    # 01:00–02:00 at 0.10 is four quarter hours; the fifth is a quarter of 02:00–03:00 at 0.12 (cheaper than any
    # of the 15-minute part, and of equal quarters the latest, as evcc breaks ties)
    assert [(slot.start.hour, slot.start.minute, slot.value) for slot in chosen] == [
        (1, 0, 0.1),
        (1, 15, 0.1),
        (1, 30, 0.1),
        (1, 45, 0.1),
        (2, 45, 0.12),
    ]
    expensive_quarter_hours = plan(T0, timedelta(minutes=15), T0 + timedelta(hours=4), slots)
    assert expensive_quarter_hours == [Rate(T0 + 15 * QUARTER, midnight, 0.30 - 0.15)]
