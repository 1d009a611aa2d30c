import asyncio
from datetime import UTC, datetime, timedelta, timezone

import pytest

from surplus.clock import RealClock, ScaledClock, VirtualClock, demo_start, local_timezone

T0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


async def test_virtual_sleep_waits_until_the_clock_is_moved_past_the_deadline() -> None:
    clock = VirtualClock(T0)
    woke: list[datetime] = []

    async def sleeper() -> None:
        await clock.sleep(30)
        woke.append(clock.now())

    task = asyncio.create_task(sleeper())
    await asyncio.sleep(0)
    assert clock.sleepers == 1
    clock.advance(29.999)
    await asyncio.sleep(0)
    assert woke == []
    clock.advance(0.001)
    await task
    assert woke == [T0 + timedelta(seconds=30)]


async def test_virtual_sleepers_wake_in_deadline_order() -> None:
    clock = VirtualClock(T0)
    order: list[int] = []

    async def sleeper(seconds: int) -> None:
        await clock.sleep(seconds)
        order.append(seconds)

    tasks = [asyncio.create_task(sleeper(s)) for s in (20, 5, 10)]
    await asyncio.sleep(0)
    clock.advance(60)
    await asyncio.gather(*tasks)
    assert order == [5, 10, 20]


def test_virtual_clock_refuses_to_go_back_and_naive_times() -> None:
    clock = VirtualClock(T0)
    with pytest.raises(ValueError, match="cannot go back"):
        clock.set(T0 - timedelta(seconds=1))
    with pytest.raises(ValueError, match="timezone-aware"):
        VirtualClock(datetime(2026, 1, 1))  # noqa: DTZ001


async def test_scaled_clock_runs_faster_and_sleeps_shorter() -> None:
    clock = ScaledClock(T0, speed=1000)
    loop = asyncio.get_running_loop()
    started = loop.time()
    await clock.sleep(20)  # 20 s of demo time = 20 ms of real time
    real = loop.time() - started
    assert 0.015 <= real < 1.0
    assert clock.now() - T0 >= timedelta(seconds=15)


def test_demo_starts_at_ten_local_time_today() -> None:
    zone = timezone(timedelta(hours=2))
    start = demo_start(zone)
    assert (start.hour, start.minute, start.second, start.microsecond) == (10, 0, 0, 0)
    assert start.utcoffset() == timedelta(hours=2)


def test_the_local_zone_follows_daylight_saving(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Europe/Berlin")
    zone = local_timezone()
    assert datetime(2026, 1, 15, 12, tzinfo=zone).utcoffset() == timedelta(hours=1)
    assert datetime(2026, 7, 15, 12, tzinfo=zone).utcoffset() == timedelta(hours=2)
    assert RealClock().now().tzinfo == zone
