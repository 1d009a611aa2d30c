"""The demo's simulated tariffs: deterministic, shaped like the real thing, and consistent with the demo home."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from statistics import mean
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from surplus.clock import VirtualClock
from surplus.config.errors import ConfigError
from surplus.config.loader import load_demo
from surplus.config.schema import DeviceEntry
from surplus.config.source import SourceMap
from surplus.core.rates import Rate
from surplus.devices.registry import BuildContext, registry
from surplus.devices.sim.demo import WORLD_KEY
from surplus.devices.sim.world import LocalTime, World, clear_sky_factor, cloud_factor
from surplus.tariffs.base import Tariff, TariffKind

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = date(2026, 6, 1)
SUNDAY = date(2026, 6, 7)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


def build(type_: str, context: BuildContext, **params: object) -> Any:
    entry = DeviceEntry.model_validate({"type": type_, **params})
    device = registry.build("tariff", entry, ("tariffs", "grid"), SourceMap(), context).device
    assert isinstance(device, Tariff)
    return device


async def fetch(type_: str, now: datetime, **params: object) -> list[Rate]:
    rates: list[Rate] = await build(type_, BuildContext(clock=VirtualClock(now)), **params).fetch()
    return rates


def local_hours(rate: Rate) -> float:
    local = rate.start.astimezone(BERLIN)
    return local.hour + local.minute / 60


def of_day(rates: list[Rate], day: date) -> list[Rate]:
    return [rate for rate in rates if rate.start.astimezone(BERLIN).date() == day]


def between(rates: list[Rate], first: float, last: float) -> float:
    return mean(rate.value for rate in rates if first <= local_hours(rate) < last)


# --- demo-price ---------------------------------------------------------------------------------------


async def test_price_is_deterministic_for_the_same_clock() -> None:
    assert await fetch("demo-price", at(MONDAY, 10)) == await fetch("demo-price", at(MONDAY, 10))


async def test_price_of_a_day_does_not_change_while_the_day_goes_on() -> None:
    morning = await fetch("demo-price", at(MONDAY, 9))
    later = await fetch("demo-price", at(MONDAY, 23, 59))
    assert morning == later[: len(morning)]


async def test_today_and_tomorrow_in_15_minute_slots_and_the_day_after_from_14_00() -> None:
    before = await fetch("demo-price", at(MONDAY, 13, 59))
    after = await fetch("demo-price", at(MONDAY, 14))
    assert len(before) == 2 * 96 and len(after) == 3 * 96
    assert before[0].start == at(MONDAY, 0) and after[-1].end == at(MONDAY + timedelta(days=3), 0)
    assert all(rate.end - rate.start == timedelta(minutes=15) for rate in after)
    assert all(earlier.end == later.start for earlier, later in itertools.pairwise(after))
    assert all(rate.start.tzinfo is UTC for rate in after)
    tariff = build("demo-price", BuildContext(clock=VirtualClock(at(MONDAY, 10))))
    assert tariff.kind() is TariffKind.PRICE_FORECAST
    assert tariff.interval() == timedelta(hours=1)


async def test_a_dst_day_has_23_hours_of_slots() -> None:
    rates = await fetch("demo-price", at(date(2026, 3, 29), 10))
    assert len(of_day(rates, date(2026, 3, 29))) == 92
    assert all(earlier.end == later.start for earlier, later in itertools.pairwise(rates))


async def test_price_has_an_exchange_days_shape_within_its_range() -> None:
    rates = await fetch("demo-price", at(MONDAY, 15))  # Monday to Wednesday
    assert all(0.18 <= rate.value <= 0.41 for rate in rates)
    for day in (MONDAY, MONDAY + timedelta(days=1), MONDAY + timedelta(days=2)):
        prices = of_day(rates, day)
        night, morning = between(prices, 0, 5), between(prices, 7, 9)
        midday, evening = between(prices, 12, 14.5), between(prices, 18, 20.5)
        assert night < evening - 0.08
        assert midday < morning and midday < night
        assert morning < evening
        assert max(prices, key=lambda rate: rate.value).start.astimezone(BERLIN).hour in (18, 19, 20)
        assert max(rate.value for rate in prices) - min(rate.value for rate in prices) > 0.15


async def test_days_differ_and_the_seed_picks_other_days() -> None:
    rates = await fetch("demo-price", at(MONDAY, 10))
    monday, tuesday = of_day(rates, MONDAY), of_day(rates, MONDAY + timedelta(days=1))
    assert [rate.value for rate in monday] != [rate.value for rate in tuesday]
    assert rates != await fetch("demo-price", at(MONDAY, 10), seed=7)


async def test_sunday_noon_is_slightly_negative_for_about_an_hour() -> None:
    rates = await fetch("demo-price", at(SUNDAY, 15))
    sunday, monday = of_day(rates, SUNDAY), of_day(rates, SUNDAY + timedelta(days=1))
    negative = [rate for rate in sunday if rate.value < 0]
    assert 2 <= len(negative) <= 8
    assert all(12 <= local_hours(rate) < 14.5 and rate.value > -0.05 for rate in negative)
    assert all(rate.value > 0 for rate in monday)


async def test_range_and_composition_keys_are_accepted() -> None:
    rates = await fetch("demo-price", at(MONDAY, 10), min=0.05, max=0.5, charges=0.1, tax=0.19)
    assert min(rate.value for rate in rates) >= 0.05 and max(rate.value for rate in rates) <= 0.5
    assert max(rate.value for rate in rates) > 0.45  # the composition is the tariff service's job
    with pytest.raises(ConfigError, match="must be below max"):
        await fetch("demo-price", at(MONDAY, 10), min=0.4, max=0.2)


# --- demo-feedin --------------------------------------------------------------------------------------


async def test_feedin_is_a_fixed_price_for_a_week() -> None:
    tariff = build("demo-feedin", BuildContext(clock=VirtualClock(at(MONDAY, 10))))
    assert tariff.kind() is TariffKind.PRICE_STATIC
    assert await tariff.fetch() == [Rate(at(MONDAY, 0), at(MONDAY + timedelta(days=7), 0), 0.08)]
    assert (await fetch("demo-feedin", at(MONDAY, 10), price=0.1))[0].value == 0.1


# --- demo-co2 -----------------------------------------------------------------------------------------


async def test_co2_is_hourly_around_its_base_and_lower_in_the_sun() -> None:
    tariff = build("demo-co2", BuildContext(clock=VirtualClock(at(MONDAY, 10))))
    rates = await tariff.fetch()
    assert tariff.kind() is TariffKind.CO2
    assert rates == await fetch("demo-co2", at(MONDAY, 10))
    assert len(rates) == 72 and rates[0].start == at(MONDAY, 0)
    assert all(rate.end - rate.start == timedelta(hours=1) for rate in rates)
    assert 300 < mean(rate.value for rate in rates) < 400
    for day in (MONDAY, MONDAY + timedelta(days=1), MONDAY + timedelta(days=2)):
        values = of_day(rates, day)
        assert between(values, 12, 15) < between(values, 19, 22) - 50
    doubled = await fetch("demo-co2", at(MONDAY, 10), base=700)
    assert mean(rate.value for rate in doubled) == pytest.approx(2 * mean(rate.value for rate in rates), rel=0.01)
    flat = await fetch("demo-co2", at(MONDAY, 10), variation=0)
    assert {rate.value for rate in flat} == {350}


# --- demo-solar ---------------------------------------------------------------------------------------


def demo_home(now: datetime, peak: float) -> tuple[BuildContext, Any]:
    """A context with the demo PV meter built, as the demo configuration does."""
    context = BuildContext(clock=VirtualClock(now))
    entry = DeviceEntry.model_validate({"name": "pv", "type": "demo", "usage": "pv", "peak": peak})
    meter = registry.build("meter", entry, ("meters", 0), SourceMap(), context).device
    return context, meter


async def test_solar_forecast_follows_the_demo_pv_meters_clear_sky() -> None:
    context, _ = demo_home(at(MONDAY, 6), peak=7)
    tariff = build("demo-solar", context)
    rates = await tariff.fetch()
    assert tariff.kind() is TariffKind.SOLAR
    assert len(rates) == 3 * 96 and rates[0].start == at(MONDAY, 0)
    assert all(rate.end - rate.start == timedelta(minutes=15) for rate in rates)
    for rate in of_day(rates, MONDAY):
        centre = LocalTime.of(rate.start + timedelta(minutes=7.5), BERLIN)
        clear_sky = 7000 * clear_sky_factor(centre.hours)
        if clear_sky > 500:
            assert rate.value == pytest.approx(clear_sky, rel=0.01)
        else:
            assert rate.value == pytest.approx(clear_sky, abs=25)
    day_energy = sum(rate.value for rate in of_day(rates, MONDAY)) / 4
    simulated = sum(7000 * clear_sky_factor(minute / 60) for minute in range(24 * 60)) / 60
    assert day_energy == pytest.approx(simulated, rel=0.005)


async def test_solar_forecast_matches_the_simulated_pv_whenever_no_cloud_passes() -> None:
    context, meter = demo_home(at(MONDAY, 7), peak=10)
    rates = await build("demo-solar", context).fetch()
    world = context.shared_resources[WORLD_KEY]
    assert isinstance(world, World) and world.pv is not None
    clock = context.clock
    assert isinstance(clock, VirtualClock)
    compared = 0
    for rate in of_day(rates, MONDAY):
        centre = rate.start + timedelta(minutes=7.5)
        if not at(MONDAY, 8) <= centre <= at(MONDAY, 19):
            continue
        clock.set(centre)
        simulated = await meter.current_power()
        if cloud_factor(world.pv.seed, LocalTime.of(centre, BERLIN)) == 1.0:
            assert simulated == pytest.approx(rate.value, rel=0.02)
            compared += 1
        else:
            assert simulated < rate.value * 1.02  # a passing cloud only takes power away
    assert compared > 10


async def test_solar_peak_comes_from_kwp_or_the_demo_meter_or_defaults_to_10() -> None:
    context = BuildContext(clock=VirtualClock(at(MONDAY, 10)))
    early = build("demo-solar", context)  # built before the PV meter: the peak is read at each fetch
    default = max(rate.value for rate in await early.fetch())
    entry = DeviceEntry.model_validate({"name": "pv", "type": "demo", "usage": "pv", "peak": 5})
    registry.build("meter", entry, ("meters", 0), SourceMap(), context)
    assert max(rate.value for rate in await early.fetch()) == pytest.approx(default / 2, rel=1e-4)
    explicit = build("demo-solar", context, kwp=20)
    assert max(rate.value for rate in await explicit.fetch()) == pytest.approx(default * 2, rel=1e-4)
    assert default == pytest.approx(10_000 * max(clear_sky_factor(h / 60) for h in range(24 * 60)), rel=0.01)


# --- the demo configuration ---------------------------------------------------------------------------


async def test_the_demo_configuration_names_a_tariff_for_every_use() -> None:
    tariffs = load_demo().config.tariffs
    assert tariffs.currency == "EUR"
    context = BuildContext(clock=VirtualClock(at(MONDAY, 10)))
    entries = {"grid": tariffs.grid, "feedin": tariffs.feedin, "co2": tariffs.co2, "solar": tariffs.solar[0]}
    kinds = {}
    for use, entry in entries.items():
        assert entry is not None
        device = registry.build("tariff", entry, ("tariffs", use), SourceMap(), context).device
        assert isinstance(device, Tariff)
        assert await device.fetch()
        kinds[use] = device.kind()
    assert kinds == {
        "grid": TariffKind.PRICE_FORECAST,
        "feedin": TariffKind.PRICE_STATIC,
        "co2": TariffKind.CO2,
        "solar": TariffKind.SOLAR,
    }
