"""Simulated tariffs for the built-in demo, so planning, smart cost and every tariff route work without an account.

Everything is a pure function of the local calendar day, the time of day and a seed: no randomness beyond the
seed, no wall clock. The local time zone is the application clock's, the same the demo world runs in, and the
only use of ``now`` is to decide which days are published. Rates are in UTC.

* ``demo-price`` (price forecast, EUR/kWh, 15-minute slots): an exchange-like day between ``min`` (0.18) and
  ``max`` (0.41): cheap at night, a morning peak around 07:45, a dip at midday when solar floods the market and
  the day's peak around 19:00. Each day draws its own level, spread and solar dip from ``seed`` and the date,
  plus a little noise per slot. On Sundays the midday glut pushes the price slightly below zero for about an hour
  (−0.01 … −0.04), so negative prices can be tried. Today and tomorrow are published; from 14:00 on the day after
  tomorrow too, as a day-ahead market publishes its next day in the early afternoon.
* ``demo-feedin`` (static price, EUR/kWh): ``price`` (0.08) for the next seven days from today's midnight.
* ``demo-co2`` (g/kWh, hourly, today and the next two days): around ``base`` (350), lower while the sun shines
  (the demo world's clear-sky curve), higher at the evening peak, and lower on windy days (a wind level drawn per
  day from ``seed``, interpolated between midnights); ``variation`` (0.4) scales the swing.
* ``demo-solar`` (W, 15-minute slots, today and the next two days): the demo world's clear-sky PV curve for its
  peak power, so the forecast matches the simulated PV on a cloudless stretch. The peak is ``kwp`` if given, else
  that of the demo PV meter (``type: demo``, ``usage: pv``), else 10 kWp. A forecast cannot know the simulated
  passing clouds, so they are left out: the simulated PV is at or below the forecast.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from pydantic import Field, model_validator

from surplus.clock import Clock
from surplus.core.rates import Rate
from surplus.devices.registry import BuildContext, DeviceParams, registry
from surplus.devices.sim.demo import shared_world
from surplus.devices.sim.world import LocalTime, World, clear_sky_factor
from surplus.tariffs.base import PriceParams, TariffKind

QUARTER = timedelta(minutes=15)
HOUR = timedelta(hours=1)
INTERVAL = timedelta(hours=1)
PUBLISH_HOUR = 14  # local hour from which the day after tomorrow's prices are known
DEFAULT_KWP = 10.0


def _zone(clock: Clock) -> tzinfo:
    zone = clock.now().tzinfo
    assert zone is not None, "clocks are timezone-aware"
    return zone


def _bell(hours: float, centre: float, width: float) -> float:
    """A bell curve over the time of day that wraps around midnight."""
    distance = abs(hours - centre) % 24
    distance = min(distance, 24 - distance)
    return math.exp(-0.5 * (distance / width) ** 2)


def _day_slots(day: date, zone: tzinfo, length: timedelta) -> Iterator[tuple[datetime, datetime, float]]:
    """UTC start and end of each slot of a local day (23 or 25 h on a DST change), and its centre's local hour."""
    start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    while start < end:
        stop = min(start + length, end)
        yield start, stop, LocalTime.of(start + (stop - start) / 2, zone).hours
        start = stop


# --- grid price ---------------------------------------------------------------------------------------


def _price_shape(hours: float, sun: float) -> float:
    """The raw shape of an exchange day: night trough, morning peak, solar dip (deeper when sunnier), evening peak."""
    return (
        0.5
        + 0.30 * _bell(hours, 7.75, 1.2)
        + 0.50 * _bell(hours, 19.0, 1.6)
        - 0.20 * _bell(hours, 3.0, 2.5)
        - 0.35 * sun * _bell(hours, 13.25, 2.3)
    )


_SHAPE = [_price_shape(minute / 60, 1.0) for minute in range(0, 24 * 60, 5)]
_SHAPE_LOW, _SHAPE_HIGH = min(_SHAPE), max(_SHAPE)


class DemoPriceParams(PriceParams):
    min: float = 0.18
    max: float = 0.41
    seed: int = 1

    @model_validator(mode="after")
    def _ordered(self) -> DemoPriceParams:
        if self.min >= self.max:
            raise ValueError(f"min {self.min:g} must be below max {self.max:g}")
        return self


class DemoPrice:
    def __init__(self, params: DemoPriceParams, clock: Clock) -> None:
        self._params = params
        self._clock = clock

    def kind(self) -> TariffKind:
        return TariffKind.PRICE_FORECAST

    def interval(self) -> timedelta:
        return INTERVAL

    async def fetch(self) -> list[Rate]:
        zone = _zone(self._clock)
        local = self._clock.now().astimezone(zone)
        days = 3 if local.hour >= PUBLISH_HOUR else 2
        return [rate for offset in range(days) for rate in self.day(local.date() + timedelta(days=offset), zone)]

    def day(self, day: date, zone: tzinfo) -> list[Rate]:
        """One local day's 15-minute prices; the same day always gets the same prices."""
        low, high = self._params.min, self._params.max
        rng = random.Random(f"demo-price-{self._params.seed}-{day.isoformat()}")
        sun = rng.uniform(0.75, 1.15)
        level = rng.uniform(-0.06, 0.06)
        spread = rng.uniform(0.85, 1.0)
        negative = rng.uniform(-0.04, -0.01)
        rates = []
        for start, end, hours in _day_slots(day, zone, QUARTER):
            share = (_price_shape(hours, sun) - _SHAPE_LOW) / (_SHAPE_HIGH - _SHAPE_LOW)
            share = min(1.0, max(0.0, level + spread * share + rng.gauss(0.0, 0.02)))
            price = low + (high - low) * share
            if day.weekday() == 6:  # Sunday: little demand meets a lot of sun
                glut = _bell(hours, 13.25, 1.1)
                price = price * (1 - glut) + negative * glut
            rates.append(Rate(start, end, round(price, 4)))
        return rates


@registry.register("tariff", "demo-price", DemoPriceParams, "simulated exchange price, 15-minute slots (demo)")
def build_price(params: DemoPriceParams, context: BuildContext) -> DemoPrice:
    return DemoPrice(params, context.clock)


# --- feed-in ------------------------------------------------------------------------------------------


class DemoFeedinParams(PriceParams):
    price: float = 0.08


class DemoFeedin:
    def __init__(self, params: DemoFeedinParams, clock: Clock) -> None:
        self._params = params
        self._clock = clock

    def kind(self) -> TariffKind:
        return TariffKind.PRICE_STATIC

    def interval(self) -> timedelta:
        return INTERVAL

    async def fetch(self) -> list[Rate]:
        zone = _zone(self._clock)
        today = self._clock.now().astimezone(zone).date()
        start = datetime.combine(today, time(0), tzinfo=zone).astimezone(UTC)
        end = datetime.combine(today + timedelta(days=7), time(0), tzinfo=zone).astimezone(UTC)
        return [Rate(start, end, self._params.price)]


@registry.register("tariff", "demo-feedin", DemoFeedinParams, "fixed feed-in price (demo)")
def build_feedin(params: DemoFeedinParams, context: BuildContext) -> DemoFeedin:
    return DemoFeedin(params, context.clock)


# --- CO₂ ----------------------------------------------------------------------------------------------


def _co2_shape(hours: float) -> float:
    """Dirtier at the evening and morning peaks, cleaner while the sun shines (0 … ~0.9)."""
    return 0.35 * _bell(hours, 19.0, 2.0) + 0.15 * _bell(hours, 8.0, 1.5) - clear_sky_factor(hours) / 0.9


_CO2_MEAN = sum(_co2_shape(minute / 60) for minute in range(0, 24 * 60, 5)) / (24 * 12)


class DemoCo2Params(DeviceParams):
    base: float = Field(350.0, gt=0)
    variation: float = Field(0.4, ge=0, le=1)
    seed: int = 1


class DemoCo2:
    def __init__(self, params: DemoCo2Params, clock: Clock) -> None:
        self._params = params
        self._clock = clock

    def kind(self) -> TariffKind:
        return TariffKind.CO2

    def interval(self) -> timedelta:
        return INTERVAL

    async def fetch(self) -> list[Rate]:
        zone = _zone(self._clock)
        today = self._clock.now().astimezone(zone).date()
        return [rate for offset in range(3) for rate in self.day(today + timedelta(days=offset), zone)]

    def _wind(self, day: date) -> float:
        """How windy the grid is at the start of a local day, -0.4 (calm) … 0.4 (stormy)."""
        return random.Random(f"demo-wind-{self._params.seed}-{day.isoformat()}").uniform(-0.4, 0.4)

    def day(self, day: date, zone: tzinfo) -> list[Rate]:
        base, variation = self._params.base, self._params.variation
        wind_from, wind_to = self._wind(day), self._wind(day + timedelta(days=1))
        rates = []
        for start, end, hours in _day_slots(day, zone, HOUR):
            wind = wind_from + (wind_to - wind_from) * hours / 24
            swing = _co2_shape(hours) - _CO2_MEAN - wind
            rates.append(Rate(start, end, round(max(0.1 * base, base * (1 + variation * swing)), 1)))
        return rates


@registry.register("tariff", "demo-co2", DemoCo2Params, "simulated grid CO₂ intensity, hourly (demo)")
def build_co2(params: DemoCo2Params, context: BuildContext) -> DemoCo2:
    return DemoCo2(params, context.clock)


# --- solar forecast -----------------------------------------------------------------------------------


class DemoSolarParams(DeviceParams):
    kwp: float | None = Field(None, gt=0)


class DemoSolar:
    def __init__(self, kwp: float | None, world: World | None, clock: Clock) -> None:
        self._kwp = kwp
        self._world = world
        self._clock = clock

    def kind(self) -> TariffKind:
        return TariffKind.SOLAR

    def interval(self) -> timedelta:
        return INTERVAL

    def peak_kw(self) -> float:
        """Read at each fetch: the demo PV meter may be configured after this tariff."""
        if self._kwp is not None:
            return self._kwp
        if self._world is not None and self._world.pv is not None:
            return self._world.pv.peak_kw
        return DEFAULT_KWP

    async def fetch(self) -> list[Rate]:
        zone = _zone(self._clock)
        today = self._clock.now().astimezone(zone).date()
        watts = self.peak_kw() * 1000
        return [
            Rate(start, end, round(watts * _mean_sun(start, end, zone), 1))
            for offset in range(3)
            for start, end, _ in _day_slots(today + timedelta(days=offset), zone, QUARTER)
        ]


def _mean_sun(start: datetime, end: datetime, zone: tzinfo) -> float:
    """The clear-sky factor averaged over a slot, one sample in the middle of each minute."""
    minutes = max(1, round((end - start).total_seconds() / 60))
    samples = (LocalTime.of(start + timedelta(minutes=minute + 0.5), zone).hours for minute in range(minutes))
    return sum(clear_sky_factor(hours) for hours in samples) / minutes


@registry.register("tariff", "demo-solar", DemoSolarParams, "clear-sky forecast of the demo home's PV (demo)")
def build_solar(params: DemoSolarParams, context: BuildContext) -> DemoSolar:
    world = shared_world(context) if params.kwp is None else None
    return DemoSolar(params.kwp, world, context.clock)
