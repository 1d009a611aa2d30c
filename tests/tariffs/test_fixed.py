"""``type: fixed``: a constant price, zoned prices, DST days, charges-zone boundaries, co2, config errors."""

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from surplus.clock import VirtualClock
from surplus.config.errors import ConfigError
from surplus.config.schema import DeviceEntry
from surplus.config.source import parse_yaml
from surplus.core.rates import Rate
from surplus.devices.registry import BuildContext, registry
from surplus.tariffs.base import Tariff, TariffKind
from surplus.tariffs.composition import compose
from surplus.tariffs.providers.fixed import Fixed, FixedParams
from surplus.tariffs.slots import to_slots

BERLIN = ZoneInfo("Europe/Berlin")
H = timedelta(hours=1)


def build(yaml: str, now: datetime) -> Fixed:
    data, source = parse_yaml(yaml, "evcc.yaml")
    entry = DeviceEntry.model_validate(data["tariffs"]["grid"])
    built = registry.build("tariff", entry, ("tariffs", "grid"), source, BuildContext(clock=VirtualClock(now)))
    assert isinstance(built.device, Fixed)
    return built.device


def fixed(now: datetime, **keys: Any) -> Fixed:
    return Fixed(FixedParams.model_validate(keys), VirtualClock(now))


def hours(rates: list[Rate]) -> float:
    return sum((r.end - r.start).total_seconds() for r in rates) / 3600


def wall(rates: list[Rate]) -> list[tuple[str, str, float]]:
    return [
        (r.start.astimezone(BERLIN).strftime("%H:%M%z"), r.end.astimezone(BERLIN).strftime("%H:%M%z"), r.value)
        for r in rates
    ]


def day(rates: list[Rate], year: int, month: int, date: int) -> list[Rate]:
    """The rates within one local day, cut at its midnights."""
    start = datetime(year, month, date, tzinfo=BERLIN)
    end = datetime.combine(start.date() + timedelta(days=1), start.time(), tzinfo=BERLIN)
    return [Rate(max(r.start, start), min(r.end, end), r.value) for r in rates if r.start < end and r.end > start]


async def test_a_constant_price_is_static_for_seven_days_from_local_midnight() -> None:
    tariff = build(
        "tariffs:\n  grid:\n    type: fixed\n    price: 0.294\n",
        datetime(2025, 6, 2, 15, 20, tzinfo=BERLIN),
    )
    assert isinstance(tariff, Tariff)
    assert tariff.kind() is TariffKind.PRICE_STATIC
    assert tariff.interval() == H
    rates = await tariff.fetch()
    assert rates == [Rate(datetime(2025, 6, 1, 22, tzinfo=UTC), datetime(2025, 6, 8, 22, tzinfo=UTC), 0.294)]
    assert len(to_slots(rates, tariff.kind())) == 7 * 96


async def test_zones_give_a_price_forecast_with_boundaries_at_the_zones() -> None:
    tariff = build(
        """
tariffs:
  grid:
    type: fixed
    price: 0.3
    zones:
      - days: Mon-Fri
        hours: 2-5
        price: 0.2
      - days: Sa,So
        price: 0.15
""",
        datetime(2025, 6, 6, 9, tzinfo=BERLIN),  # a Friday
    )
    assert tariff.kind() is TariffKind.PRICE_FORECAST
    rates = await tariff.fetch()
    assert wall(day(rates, 2025, 6, 6)) == [
        ("00:00+0200", "02:00+0200", 0.3),
        ("02:00+0200", "05:00+0200", 0.2),
        ("05:00+0200", "00:00+0200", 0.3),
    ]
    weekend = [(r.start, r.end) for r in rates if r.value == 0.15]
    assert weekend == [(datetime(2025, 6, 7, tzinfo=BERLIN), datetime(2025, 6, 9, tzinfo=BERLIN))]  # one rate
    assert hours(rates) == 7 * 24
    assert rates[-1].end == datetime(2025, 6, 13, tzinfo=BERLIN)


async def test_spring_forward_day_has_23_hours_with_wall_clock_boundaries() -> None:
    tariff = fixed(
        datetime(2026, 3, 29, 10, tzinfo=BERLIN),
        price=0.3,
        zones=[{"hours": "22-6", "price": 0.2}, {"hours": "2-3", "price": 0.1}, {"hours": "17-20", "price": 0.4}],
    )
    rates = day(await tariff.fetch(), 2026, 3, 29)
    # 02:00-03:00 does not exist on this night: the 2-3 zone never applies
    assert wall(rates) == [
        ("00:00+0100", "06:00+0200", 0.2),
        ("06:00+0200", "17:00+0200", 0.3),
        ("17:00+0200", "20:00+0200", 0.4),
        ("20:00+0200", "22:00+0200", 0.3),
        ("22:00+0200", "00:00+0200", 0.2),
    ]
    assert hours(rates[:1]) == 5  # 00:00 to 06:00 on the wall clock
    assert hours(rates) == 23
    today = [r for r in to_slots(rates, TariffKind.PRICE_FORECAST) if r.start < datetime(2026, 3, 30, tzinfo=BERLIN)]
    assert len(today) == 92 and hours(today) == 23


async def test_fall_back_day_has_25_hours_with_wall_clock_boundaries() -> None:
    tariff = fixed(
        datetime(2026, 10, 25, 10, tzinfo=BERLIN),
        price=0.3,
        zones=[{"hours": "2:30-5", "price": 0.2}, {"hours": "17-20", "price": 0.4}],
    )
    rates = day(await tariff.fetch(), 2026, 10, 25)
    # 02:00-02:59 happens twice: the zone starting at 02:30 starts twice
    assert wall(rates) == [
        ("00:00+0200", "02:30+0200", 0.3),
        ("02:30+0200", "02:00+0100", 0.2),
        ("02:00+0100", "02:30+0100", 0.3),
        ("02:30+0100", "05:00+0100", 0.2),
        ("05:00+0100", "17:00+0100", 0.3),
        ("17:00+0100", "20:00+0100", 0.4),
        ("20:00+0100", "00:00+0100", 0.3),
    ]
    assert hours(rates) == 25
    assert len(to_slots(rates, TariffKind.PRICE_FORECAST)) == 100


async def test_months_zones() -> None:
    tariff = fixed(datetime(2025, 3, 28, tzinfo=BERLIN), price=0.3, zones=[{"months": "Nov-Mar", "price": 0.35}])
    rates = await tariff.fetch()
    assert [(r.start.astimezone(BERLIN).strftime("%m-%d %H:%M"), r.value) for r in rates] == [
        ("03-28 00:00", 0.35),
        ("04-01 00:00", 0.3),
    ]
    assert hours(rates) == 7 * 24 - 1  # the week holds the spring-forward night of 2025-03-30


async def test_charges_zones_cut_the_rates_and_make_it_a_forecast() -> None:
    keys = {"price": 0.2, "charges": 0.1, "chargeszones": [{"hours": "17-20", "charges": 0.3}]}
    tariff = fixed(datetime(2025, 6, 2, 12, tzinfo=BERLIN), **keys)
    assert tariff.kind() is TariffKind.PRICE_FORECAST
    rates = await tariff.fetch()
    assert wall(day(rates, 2025, 6, 2)) == [
        ("00:00+0200", "17:00+0200", 0.2),
        ("17:00+0200", "20:00+0200", 0.2),  # the provider gives the raw price; composition adds charges
        ("20:00+0200", "00:00+0200", 0.2),
    ]
    composed = compose(rates, FixedParams.model_validate(keys), BERLIN)
    assert [round(r.value, 6) for r in day(composed, 2025, 6, 2)] == [0.3, 0.5, 0.3]


async def test_a_co2_tariff() -> None:
    tariff = fixed(
        datetime(2025, 6, 2, tzinfo=BERLIN), tariff="co2", price=380, zones=[{"hours": "10-16", "price": 150}]
    )
    assert tariff.kind() is TariffKind.CO2
    assert [r.value for r in day(await tariff.fetch(), 2025, 6, 2)] == [380, 150, 380]


async def test_the_window_moves_with_the_clock() -> None:
    clock = VirtualClock(datetime(2025, 6, 2, 23, 30, tzinfo=BERLIN))
    tariff = Fixed(FixedParams.model_validate({"price": 0.3}), clock)
    assert (await tariff.fetch())[0].start == datetime(2025, 6, 2, tzinfo=BERLIN)
    clock.advance(3600)
    assert (await tariff.fetch())[0].start == datetime(2025, 6, 3, tzinfo=BERLIN)


@pytest.mark.parametrize(
    ("yaml", "line", "key", "message"),
    [
        ("    zones: []\n", 2, "tariffs.grid", "a fixed tariff needs a price"),
        (
            "    price: 0.3\n    zones:\n      - hours: 22-6h\n        price: 0.2\n",
            6,
            "tariffs.grid.zones[0].hours",
            "'6h' in hours '22-6h' is not a time; write time ranges such as 0-5, 15:30-21 or 22-6",
        ),
        (
            "    price: 0.3\n    chargesZones:\n      - days: Mon-Fri\n        price: 0.2\n",
            7,
            "tariffs.grid.chargesZones[0].price",
            "unknown key; allowed keys: charges, days, hours, months",
        ),
        (
            "    price: 0.3\n    tariff: solar\n",
            5,
            "tariffs.grid.tariff",
            "'solar' is not allowed; allowed values: price, co2",
        ),
        (
            "    price: 0.3\n    formula: if price > 0 { price }\n",
            5,
            "tariffs.grid.formula",
            "Go statements (if … { … }, :=, return) are not supported",
        ),
    ],
)
def test_config_errors_point_into_the_file(yaml: str, line: int, key: str, message: str) -> None:
    with pytest.raises(ConfigError) as error:
        build("tariffs:\n  grid:\n    type: fixed\n" + yaml, datetime(2025, 6, 2, tzinfo=BERLIN))
    assert error.value.line == line
    assert error.value.key == key
    assert message in error.value.message
